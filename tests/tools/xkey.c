/*
 * xkey.c - drives a window for the viewer's tests (build/tests/tools/xkey):
 *
 *   xkey TITLE ACTION...
 *
 * finds the top-level window whose name is TITLE on $DISPLAY and, for each
 * ACTION in turn, sends it a key press and release (ACTION is an X keysym
 * name: space, s, i, 1, q, Escape), or for size=WxH resizes it and for
 * pos=X,Y moves it.  Without a window manager both are immediate; keys are sent with XSendEvent, so
 * no XTEST extension is needed.  Waits 300 ms after each action so the
 * viewer has handled it.  Exit status 0, 1 (no such window), 2 (bad use).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>

static Window find_named(Display *d, Window w, const char *name)
{
	char *n = NULL;
	if (XFetchName(d, w, &n) && n) {
		int same = strcmp(n, name) == 0;
		XFree(n);
		if (same)
			return w;
	}
	Window root, parent, *kids = NULL;
	unsigned count = 0;
	if (!XQueryTree(d, w, &root, &parent, &kids, &count))
		return 0;
	Window found = 0;
	for (unsigned i = 0; i < count && !found; i++)
		found = find_named(d, kids[i], name);
	if (kids)
		XFree(kids);
	return found;
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int send_key(Display *d, Window w, const char *name)
{
	KeySym ks = XStringToKeysym(name);
	if (ks == NoSymbol) {
		fprintf(stderr, "xkey: unknown key '%s'\n", name);
		return 2;
	}
	XKeyEvent e;
	memset(&e, 0, sizeof e);
	e.display = d;
	e.window = w;
	e.root = DefaultRootWindow(d);
	e.subwindow = None;
	e.time = CurrentTime;
	e.same_screen = True;
	e.keycode = XKeysymToKeycode(d, ks);
	e.type = KeyPress;
	XSendEvent(d, w, True, KeyPressMask, (XEvent *)&e);
	e.type = KeyRelease;
	XSendEvent(d, w, True, KeyReleaseMask, (XEvent *)&e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: xkey TITLE KEY|size=WxH|pos=X,Y...\n");
		return 2;
	}
	Display *d = XOpenDisplay(NULL);
	if (!d) {
		fprintf(stderr, "xkey: cannot open the display\n");
		return 1;
	}
	Window w = find_named(d, DefaultRootWindow(d), argv[1]);
	if (!w) {
		fprintf(stderr, "xkey: no window named '%s'\n", argv[1]);
		XCloseDisplay(d);
		return 1;
	}
	int rc = 0;
	for (int i = 2; i < argc && rc == 0; i++) {
		unsigned width, height;
		int x, y;
		if (sscanf(argv[i], "size=%ux%u", &width, &height) == 2)
			XResizeWindow(d, w, width, height);
		else if (sscanf(argv[i], "pos=%d,%d", &x, &y) == 2)
			XMoveWindow(d, w, x, y);
		else
			rc = send_key(d, w, argv[i]);
		XSync(d, False);
		pause_ms(300);
	}
	XCloseDisplay(d);
	return rc;
}
