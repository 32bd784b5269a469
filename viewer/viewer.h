/*
 * viewer.h - the parts of build/bin/shmfb-viewer and what they share.
 *
 *   main.c     options, the SDL window and the event loop
 *   source.c   the connection to NAME: waiting, attaching, the waiter
 *              thread, noticing a producer that stopped, died or was
 *              replaced, and reattaching to the next generation
 *   picture.c  the streaming texture: zero-copy upload checked against the
 *              seqlock, the kept copy of the shown frame, RGBA conversion
 *              and PNG screenshots
 *   stats.c    frames received/shown/dropped, latency percentiles, the
 *              --stats line and the --stats-json file
 *   overlay.c  the 'i' overlay: stb_easy_font text and a latency graph
 *   audio.c    the mapping's audio ring played through SDL audio, its
 *              underruns and overruns, and the measured A/V offset
 *
 * Only the public shmfb.h is used.
 */
#ifndef SHMFB_VIEWER_H
#define SHMFB_VIEWER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <SDL.h>

#include "app.h"
#include "shmfb.h"

#define PROG "shmfb-viewer"

/* Messages are app_warn and app_fail's (core/app/app.h): "shmfb-viewer: ...". */

/* ----------------------------------------------------------------- source */

/* What the viewer knows about the producer, for the overlay and --stats. */
typedef enum source_state {
	SOURCE_WAITING,  /* no mapping by that name yet */
	SOURCE_RUNNING,  /* attached, producer alive */
	SOURCE_STALE,    /* producer alive but silent past its heartbeat timeout */
	SOURCE_CLOSED,   /* producer closed the mapping; last frame kept */
	SOURCE_DEAD,     /* producer died; last frame kept */
	SOURCE_BROKEN,   /* the name holds a mapping we cannot use; retrying */
	SOURCE_CORRUPT,  /* a live field of the attached mapping is corrupt; last frame kept */
} source_state;

typedef struct source {
	const char *name;
	shmfb_reader *reader;  /* NULL while waiting */
	shmfb_info info;       /* of the attached generation */
	source_state state;
	char problem[256];     /* core message for BROKEN/DEAD/CLOSED/STALE/CORRUPT */
	uint32_t attaches;     /* generations attached so far */
	Uint32 frame_event;    /* SDL user event the waiter pushes */
	SDL_sem *wake;         /* also posted by the waiter when not NULL */

	/* The waiter thread of the current generation. */
	SDL_Thread *waiter;
	SDL_sem *consumed;     /* main -> waiter: the pushed event was handled */
	atomic_int stop;
	atomic_uint_fast64_t seen; /* newest index main has dealt with */
	int tag;               /* tells this waiter's events from older ones */
} source;

/* Sets up; frame_event from SDL_RegisterEvents. wake may be NULL. */
void source_init(source *s, const char *name, Uint32 frame_event, SDL_sem *wake);
/*
 * Periodic check: opens NAME while waiting, watches the producer, and
 * reattaches when a new generation appears.  Returns 1 when a (new)
 * generation was attached, 0 otherwise, or a negative shmfb code when NAME
 * holds something unusable and no generation was ever attached (the core's
 * message is in s->problem).
 */
int source_poll(source *s);
/*
 * rc from a reader call: if it says a live field is corrupt (a counter going
 * backwards, ...), the source becomes SOURCE_CORRUPT with the core's
 * message; returns 1 then, else 0.
 */
int source_corrupt(source *s, int rc);
/* Is this frame event from the current waiter? */
int source_event_current(const source *s, const SDL_Event *ev);
/*
 * The main thread handled the event (of waiter `tag`) and has dealt with
 * every frame up to index `seen`; the waiter goes on to wait for a newer one.
 */
void source_handled(source *s, int tag, uint64_t seen);
/*
 * Closes the reader.  Also for a generation that has ended: its info and
 * state stay, it is not attached again, and a new one still is.
 */
void source_close(source *s);
/* "running", "waiting for NAME", ... for the overlay. */
const char *source_state_text(const source *s, char *buf, size_t n);
/* Short word for --stats: running, waiting, stale, closed, dead, broken, corrupt. */
const char *source_state_word(source_state st);

/* ---------------------------------------------------------------- picture */

/*
 * Y'CbCr to R'G'B' for one matrix and range, 16.16 fixed point:
 * R = y * (Y - y_off) + r_cr * (Cr - 128), and so on.
 */
typedef struct yuv_coeffs {
	int32_t y, y_off, r_cr, g_cb, g_cr, b_cb;
} yuv_coeffs;

typedef struct picture {
	SDL_Renderer *ren;
	SDL_Texture *tex;
	uint32_t width, height;
	shmfb_pixfmt format;
	shmfb_layout layout;
	shmfb_color color;     /* the mapping's colour description */
	yuv_coeffs yuv;        /* how its YUV (and gray8) values become RGB */
	int expand;            /* converted here to RGB24 (gray8, and YUV whose
				  matrix and range SDL has no mode for) */
	uint8_t *expanded;     /* that RGB24 picture */
	uint8_t *kept;         /* raw bytes of the frame shown, if keep */
	int keep;
	int have_frame;        /* the texture (and kept) hold a good frame */
	int dirty;             /* the texture holds a torn upload: do not show */
	uint64_t generation;   /* of the frame shown */
	shmfb_frame shown;     /* its metadata (data[] not valid) */
	uint64_t torn;         /* uploads redone because the producer lapped us */
	int white;             /* the frame shown is all white (--av-sync's flash) */
} picture;

void picture_init(picture *p, SDL_Renderer *ren, int keep);
void picture_free(picture *p);
/*
 * Uploads the latest frame of r if its index differs from the one shown:
 * straight from the slot into the texture, then the seqlock checked and a
 * torn upload redone from the newest frame.  Returns 1 (new frame, *f set),
 * 0 (nothing new) or a negative shmfb code (SHMFB_ENOFRAME, SDL failure as
 * SHMFB_EIO with the message in *err).
 */
int picture_update(picture *p, shmfb_reader *r, shmfb_frame *f, char *err, size_t errlen);
/* The shown frame as RGBA8 (width*height*4 bytes).  0 or -1 (no frame). */
int picture_rgba(const picture *p, uint8_t *rgba);
/* Saves the shown frame as received to a PNG.  0 or -1 with *err set. */
int picture_save_png(const picture *p, const char *path, char *err, size_t errlen);
/* Draws the picture letterboxed into the output, or 1:1 when exact. */
void picture_draw(picture *p, int exact);

/* ------------------------------------------------------------------ stats */

#define STATS_RING 240 /* latencies kept for the overlay graph and rolling percentiles */

typedef struct stats {
	uint64_t start_ns;
	uint64_t shown, dropped, received, torn;
	uint64_t last_index;      /* of the last shown frame; 0 = none this generation */
	uint64_t last_latest;     /* latest index seen at the last tick */
	/* every latency in microseconds, for the exit percentiles */
	uint32_t *lat_us;
	size_t lat_n, lat_cap;
	/* rolling window */
	uint32_t ring[STATS_RING];
	unsigned ring_pos, ring_n;
	/* per-second rates */
	uint64_t win_ns, win_shown, win_received;
	double recv_fps, shown_fps;
	double p50_ms, p99_ms;    /* over the ring, refreshed each second */
} stats;

void stats_init(stats *st);
void stats_free(stats *st);
/* A new generation: sequence gaps are counted from its first frame. */
void stats_new_generation(stats *st);
/* Forget the previous index (after a freeze): no gap is counted across it. */
void stats_forget_index(stats *st);
/* A frame was presented at now_ns. */
void stats_shown(stats *st, const shmfb_frame *f, uint64_t now_ns);
/* The latest published index as seen now, for the received rate. */
void stats_latest(stats *st, uint64_t latest_index);
/* Once a second: refreshes the rates; returns 1 if a second has passed. */
int stats_tick(stats *st, uint64_t now_ns);
/* Percentile (0..100) of all latencies, in ms; -1 when there are none. */
double stats_percentile(stats *st, double pct);
struct audio_out;
/* Writes the --stats-json file.  0 or -1 (errno). */
int stats_write_json(stats *st, const char *path, const source *src, const picture *pic,
		     const struct audio_out *ao);

/* ---------------------------------------------------------------- overlay */

typedef struct overlay_info {
	const source *src;
	const picture *pic;
	const stats *st;
	const struct audio_out *ao;
	int frozen, exact;
} overlay_info;

void overlay_draw(SDL_Renderer *ren, const overlay_info *oi);
/* One line of text on a box at the bottom left (the producer's state). */
void overlay_status_line(SDL_Renderer *ren, const char *text);

/* ------------------------------------------------------------------ audio */

#define AUDIO_CLICKS 16  /* clicks detected but not yet paired (callback -> main) */
#define AUDIO_FLASHES 8  /* flashes presented but not yet paired */
#define AUDIO_RING 64    /* rolling window of offsets and latencies */

/* A rolling window of signed microsecond values with a median. */
typedef struct audio_window {
	int32_t us[AUDIO_RING];
	unsigned pos, n;
	uint64_t count;     /* values ever added */
} audio_window;

/* A click heard or a flash seen: when (estimated sound / presented) and its pts. */
typedef struct audio_event {
	uint64_t at_ns;
	int64_t pts_ns;     /* -1: unknown */
} audio_event;

typedef enum audio_state {
	AUDIO_OFF,          /* --no-audio */
	AUDIO_NONE,         /* no mapping yet, or it carries no audio */
	AUDIO_PLAYING,      /* the device is open and fed from the ring */
	AUDIO_FAILED,       /* the SDL audio device could not be opened */
} audio_state;

typedef struct audio_out {
	const char *name;          /* of the mapping */
	uint32_t latency_ms;       /* --audio-latency */
	audio_state state;
	char problem[256];         /* why FAILED */
	int sdl_up;                /* SDL's audio subsystem is initialised */
	SDL_AudioDeviceID dev;
	uint32_t rate, channels, format, frame_bytes, capacity;
	uint32_t device_frames;    /* frames per callback, as SDL obtained */

	/* Used by the callback; main touches them only with the device locked. */
	shmfb_reader *reader;      /* our own reader of the generation playing */
	int prefilling;            /* silent until start_frames are buffered */
	uint32_t start_frames;     /* ring level at which playing (re)starts */
	uint32_t trim_frames;      /* a level above this is cut back to start_frames */
	uint64_t loud_gap;         /* frames since the last near-full-scale sample */
	uint64_t device_delay_ns;  /* estimated time from callback to sound */

	/* Written by the callback, read by main. */
	atomic_int running;        /* the producer runs: starvation is an underrun */
	atomic_uint_fast64_t played, underruns, overruns, lost, skips, skipped;
	atomic_int_fast64_t latency_ns; /* pts -> estimated sound, of the last callback */
	atomic_uint latency_seq;
	audio_event click_q[AUDIO_CLICKS];
	atomic_uint click_head, click_tail;

	/* Main thread only. */
	unsigned latency_seen;
	audio_event clicks[AUDIO_CLICKS], flashes[AUDIO_FLASHES];
	unsigned nclicks, nflashes;
	int last_white;
	audio_window av_offset;    /* click sounded - flash presented */
	audio_window av_pts_delta; /* click's pts - flash's pts (0 if both found right) */
	audio_window audio_latency;/* pts -> estimated sound */
	audio_window video_latency;/* pts -> presented */
} audio_out;

void audio_init(audio_out *ao, const char *name, int disabled, uint32_t latency_ms);
/* A (new) generation was attached: play its audio, if it has any. */
void audio_attach(audio_out *ao, const shmfb_info *info);
/* The producer runs (1) or stopped, died, went silent (0). */
void audio_set_running(audio_out *ao, int running);
/* A frame was presented: for the video side of the A/V offset. */
void audio_video_shown(audio_out *ao, int white, uint64_t pts_ns, uint64_t present_ns);
/* Periodic: collects clicks and latencies, pairs clicks with flashes. */
void audio_tick(audio_out *ao, uint64_t now_ns);
/* The producer is gone: closes the reader, keeps the device for the next generation. */
void audio_release(audio_out *ao);
void audio_close(audio_out *ao);
/* off, none, playing, failed. */
const char *audio_state_word(audio_state st);
/* One line for the overlay. */
void audio_overlay_line(const audio_out *ao, char *buf, size_t n);
/* Median of a window in ms (0 when empty). */
double audio_window_median_ms(const audio_window *w);
/* The "audio" member of --stats-json (without a trailing newline). */
void audio_write_json(const audio_out *ao, FILE *f);

#endif
