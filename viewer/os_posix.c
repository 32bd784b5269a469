/*
 * os_posix.c - viewer/os.h on Linux and other POSIX systems.
 */
#include <stdlib.h>

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

int os_file_name_char(char c)
{
	return c != '/';
}
