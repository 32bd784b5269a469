/*
 * os.h - everything shmfb-viewer asks of the operating system beyond the C
 * library, SDL and shmfb.h, so the other viewer files build unchanged for
 * Linux (os_posix.c) and Windows (os_win32.c); the Makefile links one.
 */
#ifndef SHMFB_VIEWER_OS_H
#define SHMFB_VIEWER_OS_H

/* Where a window would go, from the environment. */
typedef struct os_display {
	const char *driver;  /* SDL video driver to ask for; NULL: SDL's choice */
	const char *name;    /* the display, for messages; NULL: there is none */
	int user_driver;     /* the user chose one with SDL_VIDEODRIVER */
} os_display;

void os_find_display(os_display *d);

/*
 * Ctrl-C and the like end the viewer as closing its window does: on_stop
 * runs (on any thread) when the user asks the program to stop.
 */
void os_catch_stop(void (*on_stop)(void));

/*
 * Standard error muted while a library that prints its own errors (ALSA,
 * when SDL opens the audio device of a machine without a sound card) runs:
 * os_mute_stderr returns what os_unmute_stderr needs to bring it back
 * (-1: nothing was muted).
 */
int os_mute_stderr(void);
void os_unmute_stderr(int saved);

/*
 * 1 where a mapping's name stays taken while any reader has it open
 * (Windows), so that no new producer can create it: the viewer then lets go
 * of a producer's mapping once it has stopped or died.
 */
int os_readers_hold_name(void);

/* 1 when c may appear in a file name (screenshots are named after NAME). */
int os_file_name_char(char c);

#endif
