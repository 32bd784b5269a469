/*
 * os_win32.c - viewer/os.h on Windows.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

void os_find_display(os_display *d)
{
	const char *want = getenv("SDL_VIDEODRIVER");
	d->user_driver = want && *want;
	/* Always the desktop's.  Under Wine DISPLAY is set too, but SDL2.dll
	 * has no x11 driver: the windows one draws through Wine's. */
	d->name = "(the Windows desktop)";
	d->driver = d->user_driver ? NULL : "windows";
}

static void (*stop_fn)(void);

static BOOL WINAPI on_console_event(DWORD event)
{
	stop_fn();
	/* Windows ends the process when this returns from a close, logoff or
	 * shutdown event: give main a moment to write --screenshot and
	 * --stats-json. */
	if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT)
		Sleep(1000);
	return TRUE;
}

/*
 * Ctrl-C alone already reaches SDL (msvcrt's signal(SIGINT) is a console
 * handler); this one, called first, also takes Ctrl-Break and closing the
 * console, which would otherwise end the viewer without its exit files.
 */
void os_catch_stop(void (*on_stop)(void))
{
	stop_fn = on_stop;
	SetConsoleCtrlHandler(on_console_event, TRUE);
}

int os_readers_hold_name(void)
{
	return 1; /* a section's name lives as long as a handle to it (docs/WINDOWS.md) */
}

int os_file_name_char(char c)
{
	return !strchr("\\/:*?\"<>|", c);
}

/* Windows' audio drivers print nothing of their own: nothing to mute. */
int os_mute_stderr(void)
{
	return -1;
}

void os_unmute_stderr(int saved)
{
	(void)saved;
}
