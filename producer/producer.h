/*
 * producer.h - what the files of shmfb-producer share.
 *
 * Every source renders or loads pictures as RGBA (R,G,B,A bytes, alpha 255,
 * stride width*4) and convert.c turns them into the mapping's format.
 */
#ifndef SHMFB_PRODUCER_H
#define SHMFB_PRODUCER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app.h"
#include "shmfb.h"

#define PROG "shmfb-producer"

/* Set by SIGINT/SIGTERM (Ctrl-C on Windows, os.h): every loop ends soon after.
 * Lock-free, so a signal handler may store it. */
extern atomic_int producer_stop;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "producer_stop is stored in a signal handler");

/* Has a stop been asked for? */
static inline int producer_stopping(void)
{
	/* relaxed: a stop flag; nothing is read after it that it must order. */
	return atomic_load_explicit(&producer_stop, memory_order_relaxed);
}

/* Asks every loop to stop (async-signal-safe). */
static inline void producer_request_stop(void)
{
	/* relaxed: a stop flag; the handler publishes nothing else with it. */
	atomic_store_explicit(&producer_stop, 1, memory_order_relaxed);
}

/* Messages are app_warn and app_fail's (core/app/app.h): "shmfb-producer: ...". */

/* ---- convert.c: RGBA to the mapping's pixel format (docs/PRODUCER.md) */

/*
 * Converts rows [y0, y1) of an RGBA picture of width w into the planes of a
 * frame of the same size in format f.  For NV12/I420 y0 and y1 must be even.
 */
void convert_rgba_rows(const uint8_t *rgba, uint32_t w, uint32_t y0, uint32_t y1,
		       shmfb_pixfmt f, const shmfb_planes *dst);
/* Whole picture of height h. */
void convert_rgba(const uint8_t *rgba, uint32_t w, uint32_t h, shmfb_pixfmt f,
		  const shmfb_planes *dst);
/* The colour description of what convert_rgba writes in format f. */
void convert_color(shmfb_pixfmt f, shmfb_color *c);
/* Planes describing a packed frame buffer of format f (shmfb_layout_compute). */
void planes_of_buffer(uint8_t *buf, uint32_t w, uint32_t h, shmfb_pixfmt f, shmfb_planes *p);

/* ---- pattern.c: the moving test pattern */

enum pattern_kind { PATTERN_BARS, PATTERN_GRADIENT, PATTERN_CHECKER };
int pattern_from_name(const char *name, enum pattern_kind *out);

typedef struct pattern pattern;
pattern *pattern_new(enum pattern_kind kind, uint32_t w, uint32_t h);
void pattern_free(pattern *p);
/* Renders frame n (shown at time t_ns) without the stamp; returns the RGBA. */
const uint8_t *pattern_render(pattern *p, uint64_t n, uint64_t t_ns);
/*
 * Draws the stamp into the last rendered picture; returns the number of rows
 * it covers (rounded up to even), 0 if the picture is too small for it.
 */
uint32_t pattern_stamp(pattern *p, uint64_t n, uint64_t t_ns);
/* An all-white picture instead of frame n (--av-sync's flash); stamp it as usual. */
const uint8_t *pattern_render_white(pattern *p);

/* ---- file.c: input files */

/*
 * Opens path to read (binary) and finds its size, leaving f at the start:
 * 0; -1 when it does not open (errno says why); -2 when its size cannot be
 * found (not a regular file?), the file closed again.
 */
int file_open_sized(const char *path, FILE **f, long *size);

/* ---- image.c: pictures through stb_image */

/* A decoded image: one or more RGBA frames (animated GIF), alpha applied over black. */
typedef struct image {
	uint32_t w, h;
	uint32_t frames;
	uint8_t *rgba;        /* frames * w * h * 4 */
	uint32_t *delay_ms;   /* per frame; NULL for a still image */
	uint64_t total_ms;    /* sum of delays */
} image;

#define IMAGE_MAX_SIDE 16384
#define IMAGE_MAX_BYTES (256u << 20) /* decoded, all frames */

/* Loads path; on failure fills why (naming the file and the reason). 0 or -1. */
int image_load(const char *path, image *img, char *why, size_t why_size);
void image_free(image *img);
/* Which frame of an animation shows at ms into it. */
uint32_t image_frame_at(const image *img, uint64_t ms);
/* Scales RGBA frame `frame` to fit w x h (letterboxed on black, bilinear) into dst. */
void image_fit(const image *img, uint32_t frame, uint8_t *dst, uint32_t w, uint32_t h);

/* ---- wav.c: PCM WAV files for --audio wav=FILE */

#define WAV_MAX_DATA (1024u << 20) /* bytes of samples, checked against the file size too */

typedef struct wav {
	uint32_t rate, channels;
	shmfb_sampfmt format; /* S16 (16-bit integer) or F32 (32-bit float) */
	uint32_t frames;
	uint8_t *data;        /* frames * channels samples, little-endian as in the file */
} wav;

/* Loads path; on failure fills why (naming the file and what is wrong). 0 or -1. */
int wav_load(const char *path, wav *out, char *why, size_t why_size);
void wav_free(wav *w);

/* ---- audio.c: the audio thread (--audio, --av-sync; docs/PRODUCER.md) */

enum audio_kind { AUDIO_NONE, AUDIO_TONE, AUDIO_WAV };

struct audio_options {
	enum audio_kind kind;
	uint64_t tone_mhz;     /* tone frequency in millihertz */
	const char *wav_path;
	uint32_t rate, channels; /* 0 = the default (tone) or the file's (wav) */
	shmfb_sampfmt format;    /* NONE = s16 */
	int av_sync;             /* clicks on the --av-sync schedule */
	uint32_t fps_num, fps_den;
};

typedef struct audio audio;

/*
 * Prepares the source (loads and checks the WAV, checks the tone against
 * the rate).  On failure fills why and returns 2 for a usage error or 1 for
 * a bad file; 0 on success.
 */
int audio_open(audio **out, const struct audio_options *o, char *why, size_t why_size);
/* What the mapping must be created with. */
void audio_params(const audio *a, uint32_t *rate, uint32_t *channels, shmfb_sampfmt *format);
/*
 * Starts writing into w from a second thread: sample t of the timeline
 * sounds at start_ns + t / rate.  0, or -1 (no thread).
 */
int audio_start(audio *a, shmfb_writer *w, uint64_t start_ns);
/* Stops the thread (if started) and frees. */
void audio_free(audio *a);

/* Whether video frame `tick` (pts start + tick * den / num s) is an --av-sync flash. */
int av_sync_flash(uint64_t tick, uint32_t fps_num, uint32_t fps_den);

/* Whatever the producer waits on (the clock, stdin), it wakes at least this
 * often to keep the heartbeat and to notice a stop. */
#define HEARTBEAT_NS (250 * SHMFB_MS)

/* ---- options.c: the command line */

enum source_kind { SOURCE_PATTERN, SOURCE_IMAGE, SOURCE_RAW };

struct options {
	const char *name;
	/* Size, format, rate (0/1: as fast as possible), flags, mode, and
	 * --raw's row alignment and colour; audio, and the colour of the
	 * producer's own pictures, are filled in from the source at create. */
	shmfb_writer_options writer;
	uint64_t frames;           /* 0: no limit */
	enum source_kind source;
	int source_set;
	enum pattern_kind pattern;
	char **images; /* --image arguments */
	int image_count;
	uint64_t hold_ns;
	int hold_set;
	struct audio_options audio;
	int audio_opt_set;         /* some --audio-* option given */
	char raw_opt[32];          /* an option only --raw takes, when given */
};
/*
 * Fills o from the command line: 0, or 2 after a one-line usage error
 * (o->images is to be freed either way).  --help prints and exits 0.
 */
int options_parse(int argc, char **argv, struct options *o);

/* ---- pacer.c: the frame clock */

struct pacer {
	uint32_t num, den;  /* frames a second as num/den; num 0 = unpaced */
	uint64_t start;     /* deadline of tick 0 */
	uint64_t tick;      /* the next tick */
	uint64_t last_tick; /* the tick pacer_next returned last */
	int keep_grid;      /* --av-sync: late frames skip ticks, start never moves */
};
/* When frame `tick` is due: start + tick * den / num seconds. */
uint64_t pacer_deadline(const struct pacer *p, uint64_t tick);
/* Waits until the next frame is due, keeping w's heartbeat (w may be NULL); its pts. */
uint64_t pacer_next(struct pacer *p, shmfb_writer *w);

/* ---- slides.c: the pictures of --image */

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
/* Lists o's pictures (a directory's files sorted by name) and the buffers; 0 or 1. */
int slides_init(struct slides *s, const struct options *o, uint64_t frame_bytes);
void slides_free(struct slides *s);
/* Moves to the next picture that loads; -1 when none is left. */
int slides_advance(struct slides *s, uint64_t now);
/* The picture due at time t, converted into s->cached; -1 when none is left. */
int slides_picture(struct slides *s, const struct options *o, uint64_t t);

/* ---- run.c: the publish loop of each source */

struct run {
	const struct options *o;
	shmfb_writer *w;
	shmfb_layout layout;
	struct pacer pacer;
	uint64_t published;
};
/* Publishes from r->o's source until done or stopped: the exit status. */
int run_source(struct run *r, struct slides *s);

#endif
