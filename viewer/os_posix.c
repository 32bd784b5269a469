/*
 * os_posix.c - viewer/os.h on Linux and other POSIX systems.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "os.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

void os_find_display(os_display *d)
{
	const char *x = nonempty(getenv("DISPLAY")), *wl = nonempty(getenv("WAYLAND_DISPLAY"));
	d->user_driver = nonempty(getenv("SDL_VIDEODRIVER")) != NULL;
	d->name = x ? x : wl;
	/* Only X: go straight to it rather than let libwayland complain. */
	d->driver = !wl && !d->user_driver ? "x11" : NULL;
}

void os_catch_stop(void (*on_stop)(void))
{
	/* SDL's own SIGINT and SIGTERM handlers already post SDL_QUIT, which
	 * is what on_stop does. */
	(void)on_stop;
}

int os_readers_hold_name(void)
{
	return 0; /* a new producer takes a dead one's name over; readers keep the old mapping */
}

int os_file_name_char(char c)
{
	return c != '/';
}

int os_mute_stderr(void)
{
	fflush(stderr);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int saved = null >= 0 ? fcntl(2, F_DUPFD_CLOEXEC, 3) : -1;
	if (saved >= 0 && dup2(null, 2) < 0) {
		close(saved);
		saved = -1;
	}
	if (null >= 0)
		close(null);
	return saved;
}

void os_unmute_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}
