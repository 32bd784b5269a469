/*
 * main.c - shmfb-producer: publishes a test pattern, pictures or raw frames
 * from standard input into a named shmfb mapping at a steady rate.
 *
 *   shmfb-producer [options] NAME       (shmfb-producer --help for the list)
 *
 * Frames are paced on absolute CLOCK_MONOTONIC deadlines, start + n/fps, so
 * the rate does not drift however long it runs; a frame's pts is its
 * deadline.  Whatever the producer waits on (the clock, stdin) it wakes at
 * least every HEARTBEAT_NS to update the heartbeat and to notice SIGINT or
 * SIGTERM, after which it closes the mapping (state closed, name unlinked
 * unless --keep).  Audio (--audio) is written by audio.c's thread on its
 * own clock from the same start.  Every OS call is in os_posix.c or
 * os_win32.c (os.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "producer.h"

#define HEARTBEAT_NS (250 * SHMFB_MS)

atomic_int producer_stop;

enum source_kind { SOURCE_PATTERN, SOURCE_IMAGE, SOURCE_RAW };

struct options {
	const char *name;
	uint32_t width, height;
	shmfb_pixfmt format;
	uint32_t fps_num, fps_den; /* 0/1: as fast as possible */
	uint64_t frames;           /* 0: no limit */
	uint32_t flags;
	enum source_kind source;
	int source_set;
	enum pattern_kind pattern;
	char **images; /* --image arguments */
	int image_count;
	uint64_t hold_ns;
	int hold_set;
	uint32_t mode;             /* permission bits of the mapping */
	struct audio_options audio;
	int audio_opt_set;         /* some --audio-* option given */
};

void warnf(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] NAME\n"
		"Publishes frames into the shmfb mapping NAME.\n\n"
		"  --size WxH          frame size (default 1280x720)\n"
		"  --format F          rgba, bgra, rgb24, gray8, nv12, i420 or yuyv (default rgba)\n"
		"  --fps N             frames a second, may be decimal (default 60; 0 = as fast as possible)\n"
		"  --frames N          stop after N frames\n"
		"  --replace           take the name over even from a running producer\n"
		"  --keep              leave the name in place at exit\n"
		"  --mode OCTAL        permissions of the mapping (default 0600; e.g. 0640, 0644)\n"
		"source (one of):\n"
		"  --pattern NAME      bars, gradient or checker with a frame stamp (default: bars)\n"
		"  --image FILE|DIR    pictures stb_image reads; repeatable; a slideshow\n"
		"  --hold SECONDS      how long each picture of a slideshow shows (default 5)\n"
		"  --raw               frames of exactly the mapping's size and format on stdin,\n"
		"                      e.g. ffmpeg ... -f rawvideo -pix_fmt rgba - | " PROG " --raw NAME\n"
		"audio (docs/PRODUCER.md):\n"
		"  --audio tone[=HZ]   a sine at HZ (default 440), half full scale\n"
		"  --audio wav=FILE    a PCM WAV file (16-bit or float), looped\n"
		"  --audio-rate HZ     sample rate (default 48000; a WAV's own)\n"
		"  --audio-channels N  channels of the tone, 1 to 8 (default 2)\n"
		"  --audio-format F    s16 or f32 (default s16)\n"
		"  --av-sync           with --pattern: a white frame and a click in the audio\n"
		"                      at the same instant once a second\n");
}

/* A usage error: one line, exit status 2. */
static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* A whole decimal number without sign; -1 when it is not one or is over max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -2; /* over max */
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s)
		return -1;
	*out = v;
	return 0;
}

static int parse_size(const char *arg, struct options *o)
{
	const char *x = strchr(arg, 'x');
	if (!x)
		x = strchr(arg, 'X');
	char wpart[32];
	if (!x || (size_t)(x - arg) >= sizeof wpart)
		return bad("--size %s: expected WIDTHxHEIGHT, e.g. 1280x720", arg);
	memcpy(wpart, arg, (size_t)(x - arg));
	wpart[x - arg] = 0;
	const char *parts[2] = {wpart, x + 1}, *what[2] = {"width", "height"};
	uint64_t v[2];
	for (int i = 0; i < 2; i++) {
		int rc = parse_u64(parts[i], SHMFB_MAX_DIM, &v[i]);
		if (rc == -2)
			return bad("--size %s: %s is limited to %d", arg, what[i], SHMFB_MAX_DIM);
		if (rc < 0)
			return bad("--size %s: %s '%s' is not a whole number", arg, what[i], parts[i]);
		if (v[i] == 0)
			return bad("--size %s: %s must be at least 1", arg, what[i]);
	}
	o->width = (uint32_t)v[0];
	o->height = (uint32_t)v[1];
	return 0;
}

/* "30", "29.97", "0": a rate as num/den (den a power of ten). */
static int parse_fps(const char *arg, struct options *o)
{
	if (*arg == '-')
		return bad("--fps %s: must not be negative", arg);
	uint64_t whole = 0, frac = 0, den = 1;
	const char *dot = strchr(arg, '.');
	char ipart[24];
	size_t ilen = dot ? (size_t)(dot - arg) : strlen(arg);
	if (ilen == 0 || ilen >= sizeof ipart)
		return bad("--fps %s: expected a number of frames a second, e.g. 30", arg);
	memcpy(ipart, arg, ilen);
	ipart[ilen] = 0;
	if (parse_u64(ipart, 1000000, &whole) < 0)
		return bad("--fps %s: expected a number from 0 to 1000000", arg);
	if (dot) {
		const char *f = dot + 1;
		if (!*f || strlen(f) > 3 || parse_u64(f, 999, &frac) < 0)
			return bad("--fps %s: at most 3 decimals", arg);
		for (size_t i = 0; i < strlen(f); i++)
			den *= 10;
	}
	uint64_t num = whole * den + frac;
	if (num == 0) {
		o->fps_num = 0;
		o->fps_den = 1;
	} else {
		o->fps_num = (uint32_t)num;
		o->fps_den = (uint32_t)den;
	}
	return 0;
}

static int parse_hold(const char *arg, struct options *o)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (*arg == '-' || errno || *end || end == arg || !(v > 0) || v > 1e6)
		return bad("--hold %s: expected seconds greater than 0, e.g. 2.5", arg);
	o->hold_ns = (uint64_t)(v * 1e9);
	o->hold_set = 1;
	return 0;
}

/* Permission bits: octal, at most 0777, owner read and write. */
static int parse_mode(const char *arg, struct options *o)
{
	uint32_t v = 0;
	const char *s = arg;
	if (!*s)
		return bad("--mode: expected octal permissions, e.g. 0640");
	for (; *s; s++) {
		if (*s < '0' || *s > '7' || v > 0777)
			break;
		v = v * 8 + (uint32_t)(*s - '0');
	}
	if (*s)
		return bad("--mode %s: expected octal permissions, e.g. 0640", arg);
	if (v > 0777)
		return bad("--mode %s: only permission bits (at most 0777)", arg);
	if ((v & 0600) != 0600)
		return bad("--mode %s: the owner needs read and write (0600)", arg);
	if (!os_has_permission_bits())
		warnf("--mode %s: mappings here have no permission bits; the session's default security applies", arg);
	o->mode = v;
	return 0;
}

/* "tone", "tone=HZ" (up to 3 decimals), "wav=FILE". */
static int parse_audio(const char *arg, struct options *o)
{
	struct audio_options *a = &o->audio;
	if (!strncmp(arg, "wav=", 4) && arg[4]) {
		a->kind = AUDIO_WAV;
		a->wav_path = arg + 4;
		return 0;
	}
	if (strcmp(arg, "tone") && strncmp(arg, "tone=", 5))
		return bad("--audio %s: expected tone, tone=HZ or wav=FILE", arg);
	a->kind = AUDIO_TONE;
	a->tone_mhz = 440000;
	if (!arg[4])
		return 0;
	const char *v = arg + 5, *dot = strchr(v, '.');
	char whole[16];
	size_t wlen = dot ? (size_t)(dot - v) : strlen(v);
	uint64_t hz, frac = 0;
	if (wlen == 0 || wlen >= sizeof whole)
		return bad("--audio %s: expected a frequency in Hz, e.g. tone=1000", arg);
	memcpy(whole, v, wlen);
	whole[wlen] = 0;
	if (parse_u64(whole, SHMFB_AUDIO_MAX_RATE, &hz) < 0)
		return bad("--audio %s: expected a frequency in Hz, e.g. tone=1000", arg);
	if (dot) {
		size_t flen = strlen(dot + 1);
		if (flen == 0 || flen > 3 || parse_u64(dot + 1, 999, &frac) < 0)
			return bad("--audio %s: at most 3 decimals", arg);
		for (size_t i = flen; i < 3; i++)
			frac *= 10;
	}
	a->tone_mhz = hz * 1000 + frac;
	return 0;
}

static int parse_audio_number(const char *opt, const char *v, uint64_t min, uint64_t max, uint32_t *out)
{
	uint64_t x;
	if (parse_u64(v, UINT32_MAX, &x) < 0 || x < min || x > max)
		return bad("%s %s: expected a whole number from %llu to %llu", opt, v,
			   (unsigned long long)min, (unsigned long long)max);
	*out = (uint32_t)x;
	return 0;
}

/* Combinations of the audio options that make no sense. */
static int check_audio(struct options *o)
{
	struct audio_options *a = &o->audio;
	if (a->av_sync) {
		if (o->source != SOURCE_PATTERN)
			return bad("--av-sync needs the pattern source (not --image or --raw)");
		if (!o->fps_num)
			return bad("--av-sync needs a frame rate (not --fps 0)");
		if (a->kind == AUDIO_NONE) {
			a->kind = AUDIO_TONE;
			a->tone_mhz = 440000;
		}
		a->fps_num = o->fps_num;
		a->fps_den = o->fps_den;
	}
	if (a->kind == AUDIO_NONE && o->audio_opt_set)
		return bad("--audio-rate, --audio-channels and --audio-format need --audio");
	if (a->kind == AUDIO_WAV && a->channels)
		return bad("--audio-channels is for the tone; a WAV file has its own");
	return 0;
}

static int set_source(struct options *o, enum source_kind k, const char *opt)
{
	if (o->source_set && o->source != k)
		return bad("%s: only one source (--pattern, --image or --raw) at a time", opt);
	o->source = k;
	o->source_set = 1;
	return 0;
}

/* Splits "--opt=value"; takes the value from the next argument otherwise. */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
	const char *eq = strchr(argv[*i], '=');
	if (eq)
		return eq + 1;
	if (*i + 1 >= argc) {
		bad("%s needs a value", opt);
		return NULL;
	}
	return argv[++*i];
}

static int parse_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	o->width = 1280;
	o->height = 720;
	o->format = SHMFB_FMT_RGBA8;
	o->fps_num = 60;
	o->fps_den = 1;
	o->hold_ns = 5 * (uint64_t)SHMFB_SEC;
	o->mode = 0600;
	o->images = calloc((size_t)argc, sizeof *o->images);
	if (!o->images)
		return bad("out of memory");
	for (int i = 1; i < argc; i++) {
		char opt[32];
		const char *a = argv[i];
		size_t len = strcspn(a, "=");
		snprintf(opt, sizeof opt, "%.*s", (int)(len < sizeof opt - 1 ? len : sizeof opt - 1), a);
		const char *v = NULL;
		int rc = 0;
		int takes_value = !strcmp(opt, "--size") || !strcmp(opt, "--format") ||
				  !strcmp(opt, "--fps") || !strcmp(opt, "--frames") ||
				  !strcmp(opt, "--pattern") || !strcmp(opt, "--image") ||
				  !strcmp(opt, "--hold") || !strcmp(opt, "--mode") ||
				  !strcmp(opt, "--audio") || !strcmp(opt, "--audio-rate") ||
				  !strcmp(opt, "--audio-channels") || !strcmp(opt, "--audio-format");
		if (takes_value && !(v = option_value(argc, argv, &i, opt)))
			return 2;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(opt, "--size")) {
			rc = parse_size(v, o);
		} else if (!strcmp(opt, "--format")) {
			o->format = shmfb_pixfmt_from_name(v);
			if (o->format == SHMFB_FMT_NONE)
				rc = bad("--format %s: unknown format (rgba, bgra, rgb24, gray8, nv12, i420, yuyv)", v);
		} else if (!strcmp(opt, "--fps")) {
			rc = parse_fps(v, o);
		} else if (!strcmp(opt, "--frames")) {
			if (parse_u64(v, UINT64_MAX, &o->frames) < 0 || o->frames == 0)
				rc = bad("--frames %s: expected a whole number of at least 1", v);
		} else if (!strcmp(opt, "--hold")) {
			rc = parse_hold(v, o);
		} else if (!strcmp(opt, "--mode")) {
			rc = parse_mode(v, o);
		} else if (!strcmp(opt, "--audio")) {
			rc = parse_audio(v, o);
		} else if (!strcmp(opt, "--audio-rate")) {
			rc = parse_audio_number(opt, v, SHMFB_AUDIO_MIN_RATE, SHMFB_AUDIO_MAX_RATE, &o->audio.rate);
			o->audio_opt_set = 1;
		} else if (!strcmp(opt, "--audio-channels")) {
			rc = parse_audio_number(opt, v, 1, SHMFB_AUDIO_MAX_CHANNELS, &o->audio.channels);
			o->audio_opt_set = 1;
		} else if (!strcmp(opt, "--audio-format")) {
			o->audio.format = shmfb_sampfmt_from_name(v);
			if (o->audio.format == SHMFB_SAMPLE_NONE)
				rc = bad("--audio-format %s: expected s16 or f32", v);
			o->audio_opt_set = 1;
		} else if (!strcmp(a, "--av-sync")) {
			o->audio.av_sync = 1;
		} else if (!strcmp(opt, "--pattern")) {
			rc = set_source(o, SOURCE_PATTERN, "--pattern");
			if (!rc && pattern_from_name(v, &o->pattern) < 0)
				rc = bad("--pattern %s: unknown pattern (bars, gradient, checker)", v);
		} else if (!strcmp(opt, "--image")) {
			rc = set_source(o, SOURCE_IMAGE, "--image");
			o->images[o->image_count++] = (char *)v;
		} else if (!strcmp(a, "--raw")) {
			rc = set_source(o, SOURCE_RAW, "--raw");
		} else if (!strcmp(a, "--replace")) {
			o->flags |= SHMFB_CREATE_REPLACE;
		} else if (!strcmp(a, "--keep")) {
			o->flags |= SHMFB_CREATE_KEEP;
		} else if (a[0] == '-' && a[1]) {
			rc = bad("unknown option '%s' (try --help)", a);
		} else if (o->name) {
			rc = bad("one NAME only (got '%s' and '%s')", o->name, a);
		} else {
			o->name = a;
		}
		if (rc)
			return rc;
	}
	if (!o->name)
		return bad("no mapping NAME given (usage: " PROG " [options] NAME)");
	if (o->hold_set && o->source != SOURCE_IMAGE)
		return bad("--hold is only for --image");
	int rc = check_audio(o);
	if (rc)
		return rc;
	int even_w = o->format == SHMFB_FMT_NV12 || o->format == SHMFB_FMT_I420 ||
		     o->format == SHMFB_FMT_YUYV;
	int even_h = o->format == SHMFB_FMT_NV12 || o->format == SHMFB_FMT_I420;
	if ((even_w && (o->width & 1)) || (even_h && (o->height & 1)))
		return bad("--size %ux%u: %s needs an even %s", o->width, o->height,
			   shmfb_pixfmt_name(o->format), even_w && (o->width & 1) ? "width" : "height");
	shmfb_layout l;
	if (shmfb_layout_compute(o->width, o->height, o->format, &l) < 0)
		return bad("--size %ux%u --format %s: %s", o->width, o->height,
			   shmfb_pixfmt_name(o->format), shmfb_errdetail());
	return 0;
}

/* ------------------------------------------------------------------ pacing */

struct pacer {
	uint32_t num, den;  /* frames a second as num/den; num 0 = unpaced */
	uint64_t start;     /* deadline of tick 0 */
	uint64_t tick;      /* the next tick */
	uint64_t last_tick; /* the tick pacer_next returned last */
	int keep_grid;      /* --av-sync: late frames skip ticks, start never moves */
};

static uint64_t deadline_of(const struct pacer *p, uint64_t tick)
{
	/* 128-bit so start + tick * 1e9 * den / num is exact for any run length. */
	unsigned __int128 t = (unsigned __int128)tick * (uint64_t)SHMFB_SEC * p->den / p->num;
	return p->start + (uint64_t)t;
}

/* Sleeps until t (CLOCK_MONOTONIC ns), in pieces, keeping the heartbeat. */
static void sleep_until(shmfb_writer *w, uint64_t t)
{
	for (;;) {
		uint64_t now = shmfb_now_ns();
		if (now >= t || producer_stopping())
			return;
		uint64_t until = t - now > HEARTBEAT_NS ? now + HEARTBEAT_NS : t;
		os_sleep_until(until);
		if (w && until < t)
			shmfb_writer_heartbeat(w);
	}
}

/*
 * The next frame's scheduled time.  While the producer keeps up, frame n is
 * due at start + n/fps exactly, however long it runs.  A frame that is
 * ready only after its deadline (a slow source, a stall) is published at
 * once and the schedule starts again from it, rather than catching up with
 * a burst: frames are never closer together than one period.  With
 * keep_grid (--av-sync, whose flashes are on the original schedule) the
 * late frame instead takes the next tick still ahead.
 */
static uint64_t pacer_next(struct pacer *p, shmfb_writer *w)
{
	uint64_t now = shmfb_now_ns();
	if (!p->num)
		return now;
	if (p->tick == 0 && p->start == 0)
		p->start = now;
	uint64_t t = deadline_of(p, p->tick);
	if (now > t && p->keep_grid) {
		p->tick = (uint64_t)((unsigned __int128)(now - p->start) * p->num /
				     ((uint64_t)SHMFB_SEC * p->den)) + 1;
		t = deadline_of(p, p->tick);
	} else if (now > t) {
		p->start = t = now;
		p->tick = 0;
	}
	p->last_tick = p->tick++;
	sleep_until(w, t);
	return t;
}

/* ------------------------------------------------------------------ sources */

struct run {
	const struct options *o;
	shmfb_writer *w;
	shmfb_layout layout;
	struct pacer pacer;
	uint64_t published;
};

/* --av-sync: tick is one of the white frames (audio.c puts the clicks). */
static int flash_at(const struct run *r, uint64_t tick)
{
	return r->o->audio.av_sync && av_sync_flash(tick, r->pacer.num, r->pacer.den);
}

static int run_pattern(struct run *r)
{
	const struct options *o = r->o;
	pattern *pat = pattern_new(o->pattern, o->width, o->height);
	if (!pat) {
		warnf("out of memory for a %ux%u pattern", o->width, o->height);
		return 1;
	}
	while (!producer_stopping() && (!o->frames || r->published < o->frames)) {
		uint64_t n = r->published;
		shmfb_planes p;
		shmfb_writer_acquire(r->w, &p);
		/* Everything but the stamp before the deadline; the stamp, with
		 * the time it is published, after it. */
		uint64_t expected = r->pacer.num && r->pacer.start ? deadline_of(&r->pacer, r->pacer.tick) : shmfb_now_ns();
		int white = flash_at(r, r->pacer.tick);
		const uint8_t *rgba = white ? pattern_render_white(pat) : pattern_render(pat, n, expected);
		convert_rgba(rgba, o->width, o->height, o->format, &p);
		uint64_t pts = pacer_next(&r->pacer, r->w);
		if (producer_stopping())
			break;
		if (flash_at(r, r->pacer.last_tick) != white) {
			/* Late: the frame landed on another tick than it was drawn for. */
			white = !white;
			rgba = white ? pattern_render_white(pat) : pattern_render(pat, n, pts);
			convert_rgba(rgba, o->width, o->height, o->format, &p);
		}
		uint64_t now = shmfb_now_ns();
		uint32_t rows = pattern_stamp(pat, n, now);
		if (rows)
			convert_rgba_rows(rgba, o->width, 0, rows, o->format, &p);
		shmfb_writer_publish(r->w, n, pts);
		r->published++;
	}
	pattern_free(pat);
	return 0;
}

/* ---- images */

struct slides {
	char **paths;
	int count;
	int *bad;       /* failed to load: skipped from then on */
	int current;    /* -1 before the first */
	image img;
	uint64_t shown_at;  /* when the current slide started */
	uint32_t frame;     /* the animation frame in `cached` */
	uint8_t *rgba;      /* w*h*4 scratch */
	uint8_t *cached;    /* the current picture in the mapping's format */
	int cached_valid;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(struct slides *s, int *cap, char *path)
{
	if (s->count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		char **p = realloc(s->paths, (size_t)*cap * sizeof *p);
		if (!p)
			return -1;
		s->paths = p;
	}
	s->paths[s->count++] = path;
	return 0;
}

struct dir_walk {
	struct slides *s;
	int *cap;
};

static int add_listed(char *path, void *ctx)
{
	struct dir_walk *d = ctx;
	if (add_path(d->s, d->cap, path) < 0) {
		free(path);
		return -1;
	}
	return 0;
}

/* Files of a directory, sorted by name, hidden ones left out. */
static int add_dir(struct slides *s, int *cap, const char *dir)
{
	int first = s->count;
	struct dir_walk d = {s, cap};
	if (os_list_dir(dir, add_listed, &d) < 0) {
		warnf("%s: %s", dir, os_error());
		return 1;
	}
	qsort(s->paths + first, (size_t)(s->count - first), sizeof *s->paths, by_name);
	if (s->count == first) {
		warnf("%s: no files in the directory", dir);
		return 1;
	}
	return 0;
}

static int slides_init(struct slides *s, const struct options *o, uint64_t frame_bytes)
{
	memset(s, 0, sizeof *s);
	s->current = -1;
	int cap = 0;
	for (int i = 0; i < o->image_count; i++) {
		if (os_is_dir(o->images[i])) {
			if (add_dir(s, &cap, o->images[i]))
				return 1;
		} else {
			char *copy = strdup(o->images[i]);
			if (!copy || add_path(s, &cap, copy) < 0)
				return 1;
		}
	}
	s->bad = calloc((size_t)s->count, sizeof *s->bad);
	s->rgba = malloc((size_t)o->width * o->height * 4);
	s->cached = malloc(frame_bytes);
	if (!s->bad || !s->rgba || !s->cached) {
		warnf("out of memory");
		return 1;
	}
	return 0;
}

static void slides_free(struct slides *s)
{
	image_free(&s->img);
	for (int i = 0; i < s->count; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->bad);
	free(s->rgba);
	free(s->cached);
}

/*
 * Moves to the next picture that loads.  A single picture that fails is an
 * error; in a slideshow the picture is skipped with a warning.  -1 when no
 * picture is left.
 */
static int slides_advance(struct slides *s, uint64_t now)
{
	for (int tries = 0; tries < s->count; tries++) {
		int next = (s->current + 1) % s->count;
		s->current = next;
		if (s->bad[next])
			continue;
		if (s->count == 1 && s->img.rgba)
			return 0; /* nothing to change to */
		image_free(&s->img);
		char why[512];
		if (image_load(s->paths[next], &s->img, why, sizeof why) < 0) {
			s->bad[next] = 1;
			if (s->count == 1) {
				warnf("%s", why);
				return -1;
			}
			warnf("%s; skipped", why);
			continue;
		}
		s->shown_at = now;
		s->cached_valid = 0;
		return 0;
	}
	if (s->count > 1)
		warnf("none of the %d pictures could be loaded", s->count);
	return -1;
}

/* The picture due at time t, converted into s->cached. */
static int slides_picture(struct slides *s, const struct options *o, uint64_t t)
{
	if (s->current < 0 || (s->count > 1 && t - s->shown_at >= o->hold_ns)) {
		if (slides_advance(s, t) < 0)
			return -1;
	}
	uint32_t frame = image_frame_at(&s->img, (t - s->shown_at) / SHMFB_MS);
	if (!s->cached_valid || frame != s->frame) {
		shmfb_planes p;
		image_fit(&s->img, frame, s->rgba, o->width, o->height);
		planes_of_buffer(s->cached, o->width, o->height, o->format, &p);
		convert_rgba(s->rgba, o->width, o->height, o->format, &p);
		s->frame = frame;
		s->cached_valid = 1;
	}
	return 0;
}

static int run_images(struct run *r, struct slides *s)
{
	const struct options *o = r->o;
	while (!producer_stopping() && (!o->frames || r->published < o->frames)) {
		uint64_t pts = pacer_next(&r->pacer, r->w);
		if (producer_stopping())
			break;
		if (slides_picture(s, o, pts) < 0)
			return 1;
		shmfb_writer_publish_copy(r->w, s->cached, r->layout.frame_bytes, r->published, pts);
		r->published++;
	}
	return 0;
}

/* ---- raw frames from stdin */

/*
 * Fills buf with exactly n bytes from fd 0, waking every HEARTBEAT_NS.
 * Returns n, 0 at end of input before any byte, the short count at end of
 * input within a frame, or -1 on error or stop.
 */
static long read_frame(shmfb_writer *w, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		if (producer_stopping())
			return -1;
		int ready = os_stdin_wait(HEARTBEAT_NS);
		shmfb_writer_heartbeat(w);
		if (ready < 0) {
			warnf("stdin: %s", os_error());
			return -1;
		}
		if (ready == 0)
			continue;
		long k = os_stdin_read(buf + got, n - got);
		if (k < 0) {
			if (!producer_stopping())
				warnf("stdin: %s", os_error());
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (long)got;
}

static int run_raw(struct run *r)
{
	const struct options *o = r->o;
	size_t n = (size_t)r->layout.frame_bytes;
	uint8_t *buf = malloc(n);
	if (!buf) {
		warnf("out of memory for a frame of %zu bytes", n);
		return 1;
	}
	int status = 0;
	while (!producer_stopping() && (!o->frames || r->published < o->frames)) {
		long got = read_frame(r->w, buf, n);
		if (got < 0) {
			status = producer_stopping() ? 0 : 1;
			break;
		}
		if (got == 0)
			break; /* end of input between frames: done */
		if ((size_t)got < n) {
			warnf("stdin: short final frame of %ld bytes (a %ux%u %s frame is %zu); not published",
			      got, o->width, o->height, shmfb_pixfmt_name(o->format), n);
			status = 1;
			break;
		}
		uint64_t pts = pacer_next(&r->pacer, r->w);
		if (producer_stopping())
			break;
		shmfb_writer_publish_copy(r->w, buf, n, r->published, pts);
		r->published++;
	}
	free(buf);
	return status;
}

/* ------------------------------------------------------------------ main */

/* Frees what main made, closing the writer (after the audio thread is gone). */
static int finish(struct run *r, struct slides *s, audio *a, int status)
{
	audio_free(a);
	if (r->w && shmfb_writer_close(r->w) < 0) {
		warnf("%s", shmfb_errdetail());
		status = 1;
	}
	slides_free(s);
	free(r->o->images);
	return status;
}

static int run_source(struct run *r, struct slides *s)
{
	switch (r->o->source) {
	case SOURCE_IMAGE:
		s->shown_at = shmfb_now_ns();
		return run_images(r, s);
	case SOURCE_RAW: return run_raw(r);
	default: return run_pattern(r);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		free(o.images);
		return rc;
	}
	struct run r = {.o = &o};
	shmfb_layout_compute(o.width, o.height, o.format, &r.layout);
	r.pacer.num = o.fps_num;
	r.pacer.den = o.fps_den;
	r.pacer.keep_grid = o.audio.av_sync;

	/* Load the first picture and the WAV before creating anything, so a bad
	 * file leaves no mapping. */
	struct slides s;
	memset(&s, 0, sizeof s);
	audio *a = NULL;
	if (o.audio.kind != AUDIO_NONE) {
		char why[512];
		rc = audio_open(&a, &o.audio, why, sizeof why);
		if (rc) {
			warnf("%s", why);
			return finish(&r, &s, NULL, rc);
		}
	}
	if (o.source == SOURCE_IMAGE) {
		if (slides_init(&s, &o, r.layout.frame_bytes) ||
		    slides_advance(&s, shmfb_now_ns()) < 0)
			return finish(&r, &s, a, 1);
	}
	os_catch_stop();

	shmfb_writer_options wo;
	shmfb_writer_options_init(&wo);
	wo.width = o.width;
	wo.height = o.height;
	wo.format = o.format;
	wo.fps_num = o.fps_num;
	wo.fps_den = o.fps_den;
	wo.flags = o.flags;
	wo.mode = o.mode;
	if (o.source != SOURCE_RAW)
		convert_color(o.format, &wo.color); /* --raw: whoever made the bytes knows */
	if (a) {
		shmfb_sampfmt f;
		audio_params(a, &wo.audio_rate, &wo.audio_channels, &f);
		wo.audio_format = f;
	}
	rc = shmfb_create(o.name, &wo, &r.w);
	if (rc < 0) {
		warnf("%s", shmfb_errdetail());
		r.w = NULL;
		return finish(&r, &s, a, rc == SHMFB_EBADNAME || rc == SHMFB_ENAMETOOLONG ? 2 : 1);
	}
	/* Video frame 0 and audio sample 0 share one start time (--av-sync relies on it). */
	uint64_t start = shmfb_now_ns() + 20 * SHMFB_MS;
	if (o.fps_num)
		r.pacer.start = start;
	if (a && audio_start(a, r.w, start) < 0) {
		warnf("cannot start the audio thread");
		return finish(&r, &s, a, 1);
	}
	return finish(&r, &s, a, run_source(&r, &s));
}
