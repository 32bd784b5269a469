/*
 * cat.c - shmfb cat: every new frame of a mapping, once, as raw bytes in
 * the mapping's own format on standard output, in ffmpeg's rawvideo layout
 * (planes back to back, rows without padding, whatever the mapping's
 * strides); with --info the ffmpeg / ffplay arguments that read that stream,
 * colour description included:
 *
 *   shmfb cat cam0 | ffplay $(shmfb cat cam0 --info) -
 *
 * Frames are written whole, in publish order, none twice.  A reader slower
 * than the producer skips frames (it always takes the latest); the number
 * skipped is reported on stderr at the end.  A closed pipe ends it quietly
 * with status 0; so does the producer closing the mapping.
 *
 * With --audio it writes the audio ring instead: raw interleaved PCM in the
 * mapping's sample format, every audio frame once, in order, from the moment
 * it opened; --frames and --seconds then count audio frames.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shmfb.h"

/* How often a wait wakes to check the producer is still there. */
#define POLL_NS (250 * SHMFB_MS)
/* How often cat looks for a name that does not exist yet. */
#define NAME_POLL_NS (20 * SHMFB_MS)
#define CLOSED (-1)

/* ffmpeg's name for each format (its -pixel_format values). */
static const char *ffmpeg_pix_fmt(shmfb_pixfmt f)
{
	switch (f) {
	case SHMFB_FMT_RGBA8: return "rgba";
	case SHMFB_FMT_BGRA8: return "bgra";
	case SHMFB_FMT_RGB24: return "rgb24";
	case SHMFB_FMT_GRAY8: return "gray";
	case SHMFB_FMT_NV12: return "nv12";
	case SHMFB_FMT_I420: return "yuv420p";
	case SHMFB_FMT_YUYV: return "yuyv422";
	default: return "none";
	}
}

/* ffmpeg's input options for the frames cat writes, colour included where the header gives it. */
static void print_info(const shmfb_info *in)
{
	printf("-f rawvideo -pixel_format %s -video_size %ux%u", ffmpeg_pix_fmt(in->format),
	       in->width, in->height);
	if (in->fps_num)
		printf(" -framerate %u/%u", in->fps_num, in->fps_den ? in->fps_den : 1);
	struct app_color_field c[APP_COLOR_FIELDS];
	app_color_fields(&in->color, c);
	for (int i = 0; i < APP_COLOR_FIELDS; i++)
		if (c[i].value)
			printf(" %s %s", c[i].option, c[i].value);
	printf("\n");
}

/* Bytes of a frame in ffmpeg's rawvideo layout: every plane's rows, no padding. */
static size_t tight_bytes(const shmfb_layout *l)
{
	size_t n = 0;
	for (uint32_t i = 0; i < l->plane_count; i++)
		n += (size_t)l->row_bytes[i] * l->rows[i];
	return n;
}

/* Is a frame of this layout already in rawvideo layout (planes back to back, no padding)? */
static int is_tight(const shmfb_layout *l)
{
	size_t at = 0;
	for (uint32_t i = 0; i < l->plane_count; i++) {
		if (l->offset[i] != at || l->stride[i] != l->row_bytes[i])
			return 0;
		at += (size_t)l->row_bytes[i] * l->rows[i];
	}
	return 1;
}

/*
 * The frame in `frame` (layout l) in rawvideo layout: `frame` itself when it
 * is tight, else its rows packed into `tight`.  Header validation made every
 * row lie inside the frame.
 */
static const uint8_t *as_tight(const shmfb_layout *l, const uint8_t *frame, uint8_t *tight)
{
	if (!tight)
		return frame;
	uint8_t *out = tight;
	for (uint32_t i = 0; i < l->plane_count; i++)
		for (uint32_t y = 0; y < l->rows[i]; y++, out += l->row_bytes[i])
			memcpy(out, frame + l->offset[i] + (size_t)y * l->stride[i], l->row_bytes[i]);
	return tight;
}

static void print_audio_info(const shmfb_info *in)
{
	printf("-f %s -ar %u -ac %u\n", in->audio_format == SHMFB_SAMPLE_F32 ? "f32le" : "s16le",
	       in->audio_rate, in->audio_channels);
}

struct cat_args {
	const char *name;
	uint64_t frames;    /* 0 = no limit */
	int64_t timeout_ns; /* < 0 = none */
	int64_t seconds_ns; /* --seconds: audio only; < 0 = none */
	int info;
	int audio;
};

static int parse_args(int argc, char **argv, struct cat_args *a)
{
	a->name = NULL;
	a->frames = 0;
	a->timeout_ns = -1;
	a->info = 0;
	a->audio = 0;
	a->seconds_ns = -1;
	int ended = 0;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (ended || s[0] != '-' || !s[1]) {
			if (a->name)
				return app_fail(2, "cat: one NAME only (got '%s' and '%s')", a->name, s);
			a->name = s;
		} else if (!strcmp(s, "--")) {
			ended = 1;
		} else if (!strcmp(s, "--info")) {
			a->info = 1;
		} else if (!strcmp(s, "--audio")) {
			a->audio = 1;
		} else if (!strcmp(s, "--seconds")) {
			if (i + 1 >= argc)
				return app_fail(2, "cat: %s needs a value", s);
			const char *v = argv[++i];
			if (app_parse_seconds(v, &a->seconds_ns) < 0 || a->seconds_ns <= 0)
				return app_fail(2, "cat: --seconds %s: expected seconds greater than 0", v);
		} else if (!strcmp(s, "--frames") || !strcmp(s, "--timeout")) {
			if (i + 1 >= argc)
				return app_fail(2, "cat: %s needs a value", s);
			const char *v = argv[++i];
			if (s[2] == 'f' && cli_parse_u64(v, 1, UINT64_MAX, &a->frames) < 0)
				return app_fail(2, "cat: --frames %s: expected a whole number of at least 1", v);
			if (s[2] == 't' && (app_parse_seconds(v, &a->timeout_ns) < 0 || a->timeout_ns <= 0))
				return app_fail(2, "cat: --timeout %s: expected seconds greater than 0", v);
		} else {
			return app_fail(2, "cat: unknown option '%s' (try shmfb cat --help)", s);
		}
	}
	if (!a->name)
		return app_fail(2, "usage: shmfb cat [--audio] [--frames N | --seconds S] [--timeout S] [--info] NAME");
	if (cli_check_name("cat", a->name))
		return 2;
	if (a->seconds_ns >= 0 && !a->audio)
		return app_fail(2, "cat: --seconds is for --audio");
	if (a->seconds_ns >= 0 && a->frames)
		return app_fail(2, "cat: --frames or --seconds, not both");
	return 0;
}

/* How long the next wait may sleep: a poll slice, or what is left of --timeout. */
static int64_t slice_ns(const struct cat_args *a, uint64_t since)
{
	if (a->timeout_ns <= 0)
		return POLL_NS;
	int64_t left = a->timeout_ns - (int64_t)(shmfb_now_ns() - since);
	return left < 0 ? 0 : left < POLL_NS ? left : POLL_NS;
}

/*
 * A wait for frames or audio did not return 0: is cat done?  0 to wait
 * again, CLOSED when the producer closed (done), otherwise an exit status
 * after a message: a corrupt mapping, a producer dead, stale or replaced,
 * or --timeout seconds since `since` without anything new.
 */
static int judge_wait(shmfb_reader *r, const struct cat_args *a, int rc, uint64_t since, const char *what)
{
	if (rc == SHMFB_ECLOSED)
		return CLOSED;
	if (rc != SHMFB_ETIMEDOUT)
		return app_fail(1, "cat: %s", shmfb_errdetail());
	int st = shmfb_reader_status(r);
	if (st < 0 && st != SHMFB_ECLOSED) /* closed: the wait says so once every frame is out */
		return app_fail(1, "cat: %s", shmfb_errdetail());
	if (a->timeout_ns > 0 && shmfb_now_ns() - since >= (uint64_t)a->timeout_ns)
		return app_fail(1, "cat: %s: no new %s within %.3g s", a->name, what,
				(double)a->timeout_ns / 1e9);
	return 0;
}

/*
 * Waits for a frame newer than `after`.  0 when there is one, CLOSED when
 * the producer closed (done), otherwise an exit status after a message.
 */
static int wait_new(shmfb_reader *r, const struct cat_args *a, uint64_t after, uint64_t since)
{
	for (;;) {
		int rc = shmfb_reader_wait(r, after, slice_ns(a, since), 0);
		if (rc == 0)
			return 0;
		if ((rc = judge_wait(r, a, rc, since, "frame")) != 0)
			return rc;
	}
}

static int cat_frames(shmfb_reader *r, const struct cat_args *a, uint64_t since)
{
	const shmfb_info *in = shmfb_reader_info(r);
	size_t size = (size_t)in->layout.frame_bytes, out_size = tight_bytes(&in->layout);
	uint8_t *buf = malloc(size);
	/* Padded rows (a row_align writer, GStreamer's layout) are packed on the way out. */
	uint8_t *tight = is_tight(&in->layout) ? NULL : malloc(out_size);
	if (!buf || (!tight && !is_tight(&in->layout))) {
		free(buf);
		return app_fail(1, "cat: out of memory for a frame of %zu bytes", size);
	}
	uint64_t seen = 0, written = 0, missed = 0, after = 0;
	int status = 0;
	while (!a->frames || written < a->frames) {
		int w = wait_new(r, a, after, since);
		if (w) {
			status = w == CLOSED ? 0 : w;
			break;
		}
		after = seen;
		shmfb_frame f;
		int rc = shmfb_reader_copy_latest(r, buf, size, &f);
		if (rc == SHMFB_EAGAIN) {
			/* Lapped every time, or the latest slot never reads whole
			 * (a broken producer): sleep until a newer frame is out. */
			uint64_t latest = shmfb_reader_latest_index(r);
			after = latest > seen ? latest : seen;
			continue;
		}
		if (rc < 0) {
			status = app_fail(1, "cat: %s", shmfb_errdetail());
			break;
		}
		if (f.index <= seen)
			continue;
		if (seen && f.index > seen + 1)
			missed += f.index - seen - 1;
		seen = after = f.index;
		since = shmfb_now_ns();
		if (cli_write_stdout(as_tight(&in->layout, buf, tight), out_size) < 0) {
			if (errno != EPIPE)
				status = app_fail(1, "cat: standard output: %s", strerror(errno));
			missed = 0; /* the reader went away: nothing to report */
			break;
		}
		written++;
	}
	if (missed)
		app_warn("cat: %s: %llu frame(s) published while cat was busy were not written",
			a->name, (unsigned long long)missed);
	free(buf);
	free(tight);
	return status;
}

/*
 * Waits for audio.  0 when some is there, CLOSED when the producer closed
 * (and every frame is out), otherwise an exit status after a message.
 */
static int wait_audio(shmfb_reader *r, const struct cat_args *a, uint64_t since)
{
	for (;;) {
		int rc = shmfb_audio_wait(r, slice_ns(a, since), 0);
		if (rc == 0)
			return 0;
		if ((rc = judge_wait(r, a, rc, since, "audio")) != 0)
			return rc;
	}
}

static int cat_audio(shmfb_reader *r, const struct cat_args *a, uint64_t since)
{
	const shmfb_info *in = shmfb_reader_info(r);
	uint64_t limit = a->frames;
	if (a->seconds_ns > 0)
		limit = (uint64_t)((unsigned __int128)(uint64_t)a->seconds_ns * in->audio_rate / SHMFB_SEC);
	uint32_t chunk = in->audio_capacity;
	uint8_t *buf = malloc((size_t)chunk * in->audio_frame_bytes);
	if (!buf)
		return app_fail(1, "cat: out of memory for %u audio frames", chunk);
	uint64_t written = 0;
	int status = 0;
	while (!limit || written < limit) {
		uint32_t want = chunk;
		if (limit && limit - written < want)
			want = (uint32_t)(limit - written);
		shmfb_audio_block b;
		int n = shmfb_audio_read(r, buf, want, &b);
		if (n < 0) {
			status = app_fail(1, "cat: %s", shmfb_errdetail());
			break;
		}
		if (b.lost) {
			app_warn("cat: %s: %llu audio frame(s) lost: cat fell behind the producer",
				a->name, (unsigned long long)b.lost);
		}
		if (n == 0) {
			int w = wait_audio(r, a, since);
			if (w) {
				status = w == CLOSED ? 0 : w;
				break;
			}
			continue;
		}
		since = shmfb_now_ns();
		if (cli_write_stdout(buf, (size_t)n * in->audio_frame_bytes) < 0) {
			if (errno != EPIPE)
				status = app_fail(1, "cat: standard output: %s", strerror(errno));
			break;
		}
		written += (uint64_t)n;
	}
	free(buf);
	return status;
}

/*
 * Opens NAME, waiting for it to appear: a pipeline may well start its
 * reader before the producer.  Says so once; --timeout bounds the wait.
 */
static int open_when_there(const struct cat_args *a, uint64_t since, shmfb_reader **r)
{
	for (int said = 0;; said = 1) {
		int rc = shmfb_open(a->name, r);
		if (rc != SHMFB_ENOENT)
			return rc;
		if (!said)
			app_warn("cat: waiting for %s to appear%s", a->name,
				a->timeout_ns > 0 ? "" : " (--timeout S to give up)");
		if (a->timeout_ns > 0 && shmfb_now_ns() - since >= (uint64_t)a->timeout_ns)
			return SHMFB_ETIMEDOUT;
		cli_sleep_ns(NAME_POLL_NS);
	}
}

int cmd_cat(int argc, char **argv)
{
	struct cat_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	if (!a.info && cli_stdout_is_terminal())
		return app_fail(2, "cat: standard output is a terminal; pipe the frames somewhere (see --info)");
	cli_stdout_for_frames();
	/* --timeout counts from here: waiting for the name is waiting too. */
	uint64_t since = shmfb_now_ns();
	shmfb_reader *r;
	rc = open_when_there(&a, since, &r);
	if (rc == SHMFB_ETIMEDOUT)
		return app_fail(1, "cat: %s did not appear within %.3g s", a.name, (double)a.timeout_ns / 1e9);
	if (rc < 0)
		return app_fail(1, "cat: %s", shmfb_errdetail());
	if (a.audio && !shmfb_reader_info(r)->audio_rate) {
		shmfb_reader_close(r);
		return app_fail(1, "cat: %s: the mapping carries no audio", a.name);
	}
	if (a.info) {
		if (a.audio)
			print_audio_info(shmfb_reader_info(r));
		else
			print_info(shmfb_reader_info(r));
		shmfb_reader_close(r);
		return 0;
	}
	rc = a.audio ? cat_audio(r, &a, since) : cat_frames(r, &a, since);
	shmfb_reader_close(r);
	return rc;
}
