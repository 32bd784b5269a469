/*
 * run.c - the publish loop of each source: the pattern (drawn in place in
 * the slot), pictures and raw frames from stdin (copied in).  Each runs
 * until its frame count, a stop or a failure.
 */
#include <stdlib.h>

#include "os.h"
#include "producer.h"

/* --av-sync: tick is one of the white frames (audio.c puts the clicks). */
static int flash_at(const struct run *r, uint64_t tick)
{
	return r->o->audio.av_sync && av_sync_flash(tick, r->pacer.num, r->pacer.den);
}

static int run_pattern(struct run *r)
{
	const struct options *o = r->o;
	pattern *pat = pattern_new(o->pattern, o->writer.width, o->writer.height);
	if (!pat) {
		app_warn("out of memory for a %ux%u pattern", o->writer.width, o->writer.height);
		return 1;
	}
	while (!producer_stopping() && (!o->frames || r->published < o->frames)) {
		uint64_t n = r->published;
		shmfb_planes p;
		shmfb_writer_acquire(r->w, &p);
		/* Everything but the stamp before the deadline; the stamp, with
		 * the time it is published, after it. */
		uint64_t expected = r->pacer.num && r->pacer.start ? pacer_deadline(&r->pacer, r->pacer.tick) : shmfb_now_ns();
		int white = flash_at(r, r->pacer.tick);
		const uint8_t *rgba = white ? pattern_render_white(pat) : pattern_render(pat, n, expected);
		convert_rgba(rgba, o->writer.width, o->writer.height, o->writer.format, &p);
		uint64_t pts = pacer_next(&r->pacer, r->w);
		if (producer_stopping())
			break;
		if (flash_at(r, r->pacer.last_tick) != white) {
			/* Late: the frame landed on another tick than it was drawn for. */
			white = !white;
			rgba = white ? pattern_render_white(pat) : pattern_render(pat, n, pts);
			convert_rgba(rgba, o->writer.width, o->writer.height, o->writer.format, &p);
		}
		uint64_t now = shmfb_now_ns();
		uint32_t rows = pattern_stamp(pat, n, now);
		if (rows)
			convert_rgba_rows(rgba, o->writer.width, 0, rows, o->writer.format, &p);
		shmfb_writer_publish(r->w, n, pts);
		r->published++;
	}
	pattern_free(pat);
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
			app_warn("stdin: %s", os_error());
			return -1;
		}
		if (ready == 0)
			continue;
		long k = os_stdin_read(buf + got, n - got);
		if (k < 0) {
			if (!producer_stopping())
				app_warn("stdin: %s", os_error());
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
		app_warn("out of memory for a frame of %zu bytes", n);
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
			app_warn("stdin: short final frame of %ld bytes (a %ux%u %s frame is %zu); not published",
			      got, o->writer.width, o->writer.height, shmfb_pixfmt_name(o->writer.format), n);
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

int run_source(struct run *r, struct slides *s)
{
	switch (r->o->source) {
	case SOURCE_IMAGE:
		s->shown_at = shmfb_now_ns();
		return run_images(r, s);
	case SOURCE_RAW: return run_raw(r);
	default: return run_pattern(r);
	}
}
