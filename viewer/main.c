/*
 * main.c - build/bin/shmfb-viewer NAME: shows the latest completed frame of
 * a shmfb mapping in an SDL2 window (or headless, for automation).
 *
 * The loop sleeps in SDL_WaitEventTimeout (windowed) or on a semaphore
 * (headless: SDL's offscreen driver has no blocking wait) until the waiter
 * thread reports a new frame, a key is pressed or the next periodic check
 * is due (POLL_NS).  Each new frame is uploaded once and presented once.
 * Audio (audio.c) plays from SDL's own audio thread; the loop only tells it
 * about new generations, the producer's state and the frames presented.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "viewer.h"

/* Producer checks, reattach and the per-second stats run this often. */
#define POLL_NS (200 * SHMFB_MS)
/* Window size while nothing is known about the frames. */
#define DEFAULT_W 640
#define DEFAULT_H 360

typedef struct options {
	const char *name;
	int vsync, headless, stats, overlay;
	uint64_t frames;     /* 0 = no limit */
	int64_t timeout_ns;  /* < 0 = none */
	const char *stats_json, *screenshot;
	int no_audio;
	uint32_t audio_latency_ms;
} options;

typedef struct app {
	options opt;
	SDL_Window *win;
	SDL_Renderer *ren;
	SDL_sem *wake;       /* headless only */
	source src;
	picture pic;
	stats st;
	audio_out ao;
	Uint32 frame_event;
	int frozen, exact, overlay, quit, status;
	int frame_pending;   /* there may be a newer frame to show */
	int owed_tag;        /* the waiter of this tag waits for our answer (0: none) */
	uint64_t handled_index;
	int need_present, have_new, sized;
	shmfb_frame new_frame;
	uint64_t start_ns, next_poll_ns;
	source_state last_state;
} app;

/*
 * Under -fsanitize=address: SDL dlopens X11, GL and D-Bus libraries whose
 * allocations outlive SDL_Quit and which are unloaded by exit, so
 * LeakSanitizer reports them from "<unknown module>", where no suppression
 * can name them.  Leak checking is off for the viewer alone (its own
 * allocations are few and freed at exit); ASAN_OPTIONS can turn it back on.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIEWER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(VIEWER_ASAN)
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

/*
 * Under -fsanitize=thread: Mesa's software GL (llvmpipe, in *_dri.so) runs
 * its own uninstrumented threads, which ThreadSanitizer cannot follow; its
 * reports there are not about the viewer.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VIEWER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(VIEWER_TSAN)
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
	return "race:_dri.so\n";
}
#endif

const char app_name[] = PROG;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] NAME\n"
		"Shows the latest frame of the shmfb mapping NAME.\n\noptions:\n"
		"  --frames N          exit after N frames shown\n"
		"  --timeout S         exit after S seconds (an error if NAME never appeared,\n"
		"                      or if --frames N were not shown by then)\n"
		"  --stats             one line of statistics a second on stdout\n"
		"  --stats-json FILE   write frames shown/dropped and latency percentiles at exit\n"
		"  --screenshot FILE   save the last frame shown as a PNG at exit\n"
		"  --headless          no window (SDL's offscreen or dummy driver)\n"
		"  --no-vsync          present without waiting for vertical sync\n"
		"  --overlay           start with the overlay shown (key i)\n"
		"  --no-audio          do not play the mapping's audio\n"
		"  --audio-latency MS  target from audio written to sound (default 40)\n"
		"  -h, --help          this text\n"
		"  --                  end of the options: what follows is the NAME\n\n"
		"keys: f fullscreen, 1 pixel-exact 1:1, space freeze, s screenshot,\n"
		"      i overlay, q or Esc quit\n\n"
		"Exit status: 0 success, 1 failure at run time, 2 usage error.\n");
}

/* ---------------------------------------------------------------- options */

static int parse_count(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* 0 to run, 1 when --help was printed, 2 on a usage error (printed). */
static int parse_args(int argc, char **argv, options *o)
{
	memset(o, 0, sizeof *o);
	o->vsync = 1;
	o->timeout_ns = -1;
	o->audio_latency_ms = 40;
	int ended = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (ended || a[0] != '-' || !a[1]) {
			if (o->name) {
				app_warn("one NAME only, got '%s' and '%s'", o->name, a);
				return 2;
			}
			o->name = a;
		} else if (!strcmp(a, "--")) {
			ended = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "--no-vsync")) {
			o->vsync = 0;
		} else if (!strcmp(a, "--headless")) {
			o->headless = 1;
		} else if (!strcmp(a, "--stats")) {
			o->stats = 1;
		} else if (!strcmp(a, "--overlay")) {
			o->overlay = 1;
		} else if (!strcmp(a, "--no-audio")) {
			o->no_audio = 1;
		} else if (!strcmp(a, "--audio-latency")) {
			uint64_t ms;
			if (parse_count(val, &ms) < 0 || ms < 5 || ms > 2000) {
				app_warn("--audio-latency: expected milliseconds from 5 to 2000, got '%s'",
					     val ? val : "");
				return 2;
			}
			o->audio_latency_ms = (uint32_t)ms;
			i++;
		} else if (!strcmp(a, "--frames")) {
			if (parse_count(val, &o->frames) < 0) {
				app_warn("--frames: expected a count of at least 1, got '%s'", val ? val : "");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--timeout")) {
			if (app_parse_seconds(val, &o->timeout_ns) < 0) {
				app_warn("--timeout: expected seconds, got '%s'", val ? val : "");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--stats-json") || !strcmp(a, "--screenshot")) {
			if (!val || !*val) {
				app_warn("%s: expected a file name", a);
				return 2;
			}
			if (!strcmp(a, "--stats-json"))
				o->stats_json = val;
			else
				o->screenshot = val;
			i++;
		} else {
			app_warn("unknown option '%s' (see --help)", a);
			return 2;
		}
	}
	if (!o->name) {
		app_warn("missing the mapping NAME (see --help)");
		return 2;
	}
	if (shmfb_name_check(o->name) < 0) {
		app_warn("%s", shmfb_errdetail());
		return 2;
	}
	return 0;
}

/* ---------------------------------------------------------------- display */

/* Headless: SDL's offscreen driver, or its dummy one, whatever the environment says. */
static int init_headless(void)
{
	SDL_SetHintWithPriority(SDL_HINT_VIDEODRIVER, "offscreen", SDL_HINT_OVERRIDE);
	if (SDL_Init(SDL_INIT_VIDEO) == 0)
		return 0;
	SDL_SetHintWithPriority(SDL_HINT_VIDEODRIVER, "dummy", SDL_HINT_OVERRIDE);
	if (SDL_Init(SDL_INIT_VIDEO) == 0)
		return 0;
	app_warn("cannot start SDL's offscreen or dummy video driver: %s", SDL_GetError());
	return -1;
}

static int init_video(const options *o)
{
	if (o->headless)
		return init_headless();
	os_display d;
	os_find_display(&d);
	/* Without a display SDL would only find its invisible offscreen driver
	 * (after libwayland complains on stderr), unless the user chose a
	 * driver (kmsdrm, ...) explicitly. */
	if (!d.name && !d.user_driver) {
		app_warn("no display (DISPLAY is not set); use --headless");
		return -1;
	}
	if (d.driver)
		SDL_SetHint(SDL_HINT_VIDEODRIVER, d.driver);
	if (SDL_Init(SDL_INIT_VIDEO) == 0) {
		/* A window nobody sees is no use unless asked for. */
		const char *drv = SDL_GetCurrentVideoDriver();
		int invisible = drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy"));
		if (!invisible || d.user_driver)
			return 0;
		SDL_Quit();
		SDL_SetError("only SDL's %s video driver is available", drv);
	}
	if (!d.name)
		app_warn("no display (DISPLAY is not set): %s; use --headless", SDL_GetError());
	else
		app_warn("cannot open the display %s: %s; use --headless", d.name, SDL_GetError());
	return -1;
}

static int open_window(app *a)
{
	char title[300];
	snprintf(title, sizeof title, PROG ": %s", a->opt.name);
	Uint32 wflags = a->opt.headless ? 0 : SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
	a->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, DEFAULT_W,
				  DEFAULT_H, wflags);
	if (!a->win) {
		app_warn("cannot open a window: %s", SDL_GetError());
		return -1;
	}
	Uint32 vs = a->opt.vsync ? SDL_RENDERER_PRESENTVSYNC : 0;
	if (!a->opt.headless)
		a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_ACCELERATED | vs);
	if (!a->ren)
		a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE | (a->opt.headless ? 0 : vs));
	if (!a->ren) {
		app_warn("cannot make a renderer: %s", SDL_GetError());
		return -1;
	}
	return 0;
}

/* Sizes the window to the frames once, within the usable desktop. */
static void fit_window(app *a)
{
	/* Headless keeps its small window: the software renderer's present
	 * costs less scaled down than 1:1 in a big framebuffer. */
	if (a->sized || a->opt.headless)
		return;
	a->sized = 1;
	int w = (int)a->src.info.width, h = (int)a->src.info.height;
	SDL_Rect usable;
	int disp = SDL_GetWindowDisplayIndex(a->win);
	if (disp >= 0 && SDL_GetDisplayUsableBounds(disp, &usable) == 0) {
		double s = fmin(usable.w * 0.9 / w, usable.h * 0.9 / h);
		if (s < 1) {
			w = (int)(w * s);
			h = (int)(h * s);
		}
	}
	SDL_SetWindowSize(a->win, w > 0 ? w : 1, h > 0 ? h : 1);
	SDL_SetWindowPosition(a->win, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED);
}

/* ----------------------------------------------------------------- frames */

static void fail(app *a, const char *msg)
{
	app_warn("%s", msg);
	a->status = 1;
	a->quit = 1;
}

static void take_frame(app *a)
{
	a->frame_pending = 0;
	shmfb_reader *r = a->src.reader;
	if (!r)
		return;
	a->handled_index = shmfb_reader_latest_index(r);
	if (a->frozen)
		return;
	shmfb_frame f;
	char err[300];
	int rc = picture_update(&a->pic, r, &f, err, sizeof err);
	if (rc == 1) {
		a->new_frame = f;
		a->have_new = 1;
		a->need_present = 1;
		a->handled_index = f.index;
	} else if (source_corrupt(&a->src, rc)) {
		a->need_present = 1; /* the state line says so */
	} else if (rc == SHMFB_EIO || rc == SHMFB_ENOMEM || rc == SHMFB_EBADFORMAT) {
		fail(a, err);
	}
	/* SHMFB_ENOFRAME: nothing yet; SHMFB_EAGAIN: lapped, the next event retries. */
}

static void save_screenshot(app *a)
{
	char path[SHMFB_PATH_MAX + 64], err[400];
	snprintf(path, sizeof path, "shmfb-%s-%llu.png", a->opt.name,
		 (unsigned long long)a->pic.shown.frame_number);
	for (char *c = path; *c; c++)
		if (!os_file_name_char(*c))
			*c = '_';
	if (picture_save_png(&a->pic, path, err, sizeof err) < 0)
		app_warn("screenshot: %s", err);
	else
		printf("saved screenshot %s\n", path);
	fflush(stdout);
}

static void present(app *a)
{
	SDL_SetRenderDrawColor(a->ren, 0, 0, 0, 255);
	SDL_RenderClear(a->ren);
	picture_draw(&a->pic, a->exact);
	if (a->overlay) {
		overlay_info oi = {&a->src, &a->pic, &a->st, &a->ao, a->frozen, a->exact};
		overlay_draw(a->ren, &oi);
	} else if (a->src.state != SOURCE_RUNNING) {
		char text[300];
		overlay_status_line(a->ren, source_state_text(&a->src, text, sizeof text));
	}
	SDL_RenderPresent(a->ren);
	a->need_present = 0;
	if (!a->have_new)
		return;
	a->have_new = 0;
	uint64_t now = shmfb_now_ns();
	stats_shown(&a->st, &a->new_frame, now);
	audio_video_shown(&a->ao, a->pic.white, a->new_frame.pts_ns, now);
	if (a->opt.frames && a->st.shown >= a->opt.frames)
		a->quit = 1;
}

/* ----------------------------------------------------------------- events */

static void on_key(app *a, SDL_Keycode k)
{
	switch (k) {
	case SDLK_q:
	case SDLK_ESCAPE:
		a->quit = 1;
		break;
	case SDLK_f: {
		int full = SDL_GetWindowFlags(a->win) & SDL_WINDOW_FULLSCREEN;
		SDL_SetWindowFullscreen(a->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
		break;
	}
	case SDLK_1:
		a->exact = !a->exact;
		break;
	case SDLK_SPACE:
		a->frozen = !a->frozen;
		stats_forget_index(&a->st); /* frames skipped while frozen are not drops */
		if (!a->frozen)
			a->frame_pending = 1;
		break;
	case SDLK_s:
		save_screenshot(a);
		break;
	case SDLK_i:
		a->overlay = !a->overlay;
		break;
	default:
		return;
	}
	a->need_present = 1;
}

static void on_event(app *a, const SDL_Event *ev)
{
	if (ev->type == a->frame_event) {
		if (source_event_current(&a->src, ev)) {
			a->frame_pending = 1;
			a->owed_tag = ev->user.code;
		}
		return;
	}
	switch (ev->type) {
	case SDL_QUIT:
		a->quit = 1;
		break;
	case SDL_KEYDOWN:
		on_key(a, ev->key.keysym.sym);
		break;
	case SDL_WINDOWEVENT:
		a->need_present = 1; /* exposed, resized, ...: cheap to redraw */
		break;
	case SDL_RENDER_TARGETS_RESET:
	case SDL_RENDER_DEVICE_RESET:
		/* Textures may be lost: upload the next frame again. */
		a->pic.have_frame = 0;
		a->frame_pending = 1;
		break;
	}
}

/* Sleeps until an event or timeout_ms, then handles all pending events. */
static void wait_events(app *a, int timeout_ms)
{
	SDL_Event ev;
	if (a->wake) {
		SDL_SemWaitTimeout(a->wake, (Uint32)timeout_ms);
		while (SDL_SemTryWait(a->wake) == 0)
			;
	} else if (SDL_WaitEventTimeout(&ev, timeout_ms)) {
		on_event(a, &ev);
	}
	while (SDL_PollEvent(&ev))
		on_event(a, &ev);
}

/* ---------------------------------------------------------------- periodic */

static void on_attach(app *a)
{
	stats_new_generation(&a->st);
	audio_attach(&a->ao, &a->src.info);
	fit_window(a);
	a->need_present = 1;
}

static void check_timeout(app *a, uint64_t now)
{
	if (a->opt.timeout_ns < 0 || now - a->start_ns < (uint64_t)a->opt.timeout_ns)
		return;
	double s = a->opt.timeout_ns / 1e9;
	char msg[400];
	if (a->src.attaches == 0) {
		snprintf(msg, sizeof msg, "%s did not appear within %g s", a->opt.name, s);
		fail(a, msg);
	} else if (a->opt.frames && a->st.shown < a->opt.frames) {
		snprintf(msg, sizeof msg, "%s: %llu of %llu frames shown within %g s", a->opt.name,
			 (unsigned long long)a->st.shown, (unsigned long long)a->opt.frames, s);
		fail(a, msg);
	} else {
		a->quit = 1;
	}
}

static void print_stats_line(app *a)
{
	const stats *st = &a->st;
	printf("t=%.1f state=%s received_fps=%.1f shown_fps=%.1f shown=%llu dropped=%llu "
	       "latency_p50_ms=%.2f latency_p99_ms=%.2f\n",
	       (shmfb_now_ns() - a->start_ns) / 1e9, source_state_word(a->src.state), st->recv_fps,
	       st->shown_fps, (unsigned long long)st->shown, (unsigned long long)st->dropped,
	       st->p50_ms, st->p99_ms);
	fflush(stdout);
}

/*
 * Where readers keep a name taken (Windows), lets go of a stopped or dead
 * producer's mapping, its last frame taken first, so that the next producer
 * can create the name; that frame stays on screen and for screenshots.
 */
static void release_ended(app *a)
{
	source_state st = a->src.state;
	if (!a->src.reader || (st != SOURCE_DEAD && st != SOURCE_CLOSED) || !os_readers_hold_name())
		return;
	take_frame(a);
	audio_release(&a->ao);
	source_close(&a->src);
}

static void periodic(app *a, uint64_t now)
{
	int rc = source_poll(&a->src);
	if (rc < 0) {
		fail(a, a->src.problem);
		return;
	}
	if (rc == 1)
		on_attach(a);
	if (a->src.state != a->last_state) {
		a->last_state = a->src.state;
		a->need_present = 1;
	}
	/* Automation (--frames, --timeout) waits for nothing a corrupt
	 * mapping can give; a person keeps the window and its state line. */
	if (a->src.state == SOURCE_CORRUPT && (a->opt.frames || a->opt.timeout_ns >= 0)) {
		if (a->opt.stats)
			print_stats_line(a);
		fail(a, a->src.problem);
		return;
	}
	audio_set_running(&a->ao, a->src.state == SOURCE_RUNNING);
	audio_tick(&a->ao, now);
	if (a->src.reader)
		stats_latest(&a->st, shmfb_reader_latest_index(a->src.reader));
	release_ended(a);
	if (stats_tick(&a->st, now)) {
		if (a->opt.stats)
			print_stats_line(a);
		if (a->overlay)
			a->need_present = 1;
	}
	check_timeout(a, now);
}

static void run(app *a)
{
	a->next_poll_ns = shmfb_now_ns();
	a->last_state = a->src.state;
	a->need_present = 1;
	while (!a->quit) {
		uint64_t now = shmfb_now_ns();
		if (now >= a->next_poll_ns) {
			periodic(a, now);
			a->next_poll_ns = now + POLL_NS;
			if (a->quit)
				break;
		}
		if (a->need_present || a->frame_pending) {
			SDL_Event ev;
			while (SDL_PollEvent(&ev))
				on_event(a, &ev);
		} else {
			int ms = (int)((a->next_poll_ns - now + SHMFB_MS - 1) / SHMFB_MS);
			wait_events(a, ms);
		}
		if (a->frame_pending && !a->quit)
			take_frame(a);
		if (a->need_present && !a->quit)
			present(a);
		if (a->owed_tag) {
			source_handled(&a->src, a->owed_tag, a->handled_index);
			a->owed_tag = 0;
		}
	}
}

/* ------------------------------------------------------------------- exit */

/* Ctrl-C and the like (os_catch_stop), on any thread: as closing the window.
 * The headless loop sees it at its next periodic wake-up. */
static void request_stop(void)
{
	SDL_Event ev = {.type = SDL_QUIT};
	SDL_PushEvent(&ev);
}

static void finish(app *a)
{
	char err[400];
	/* After a fatal error with nothing received, one message is enough. */
	if (a->opt.screenshot && !(a->status && !a->pic.have_frame)) {
		if (picture_save_png(&a->pic, a->opt.screenshot, err, sizeof err) < 0) {
			app_warn("--screenshot %s", err);
			a->status = 1;
		} else {
			printf("saved screenshot %s\n", a->opt.screenshot);
		}
	}
	if (a->opt.stats_json && stats_write_json(&a->st, a->opt.stats_json, &a->src, &a->pic, &a->ao) < 0) {
		app_warn("--stats-json %s: %s", a->opt.stats_json, strerror(errno));
		a->status = 1;
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static app a; /* zeroed */
	/* --timeout counts from here: SDL's start is part of the user's wait. */
	a.start_ns = shmfb_now_ns();
	int rc = parse_args(argc, argv, &a.opt);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (init_video(&a.opt) < 0)
		return 1;
	os_catch_stop(request_stop);
	a.frame_event = SDL_RegisterEvents(1);
	if (a.opt.headless)
		a.wake = SDL_CreateSemaphore(0);
	if (a.frame_event == (Uint32)-1 || (a.opt.headless && !a.wake) || open_window(&a) < 0) {
		if (a.frame_event == (Uint32)-1 || (a.opt.headless && !a.wake))
			app_warn("cannot set up SDL events: %s", SDL_GetError());
		SDL_Quit();
		return 1;
	}
	source_init(&a.src, a.opt.name, a.frame_event, a.wake);
	picture_init(&a.pic, a.ren, !a.opt.headless || a.opt.screenshot != NULL);
	stats_init(&a.st);
	audio_init(&a.ao, a.opt.name, a.opt.no_audio, a.opt.audio_latency_ms);
	a.overlay = a.opt.overlay;
	run(&a);
	if (a.src.reader) /* frames published since the last check */
		stats_latest(&a.st, shmfb_reader_latest_index(a.src.reader));
	audio_tick(&a.ao, shmfb_now_ns()); /* clicks and flashes since the last check */
	audio_close(&a.ao);
	source_close(&a.src);
	finish(&a);
	picture_free(&a.pic);
	stats_free(&a.st);
	SDL_DestroyRenderer(a.ren);
	SDL_DestroyWindow(a.win);
	if (a.wake)
		SDL_DestroySemaphore(a.wake);
	SDL_Quit();
	return a.status;
}
