/*
 * main.c - shmfb-producer: publishes a test pattern, pictures or raw frames
 * from standard input into a named shmfb mapping at a steady rate.
 *
 *   shmfb-producer [options] NAME       (shmfb-producer --help for the list)
 *
 * This file prepares the source for options.c's command line, creates the
 * mapping and hands over to run.c's loop for the source, paced by pacer.c.
 * On SIGINT or SIGTERM (noticed at least every HEARTBEAT_NS) it closes the
 * mapping (state closed, name unlinked unless --keep).  Audio (--audio) is
 * written by audio.c's thread on its own clock from the same start.  Every
 * OS call is in os_posix.c or os_win32.c (os.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "producer.h"

const char app_name[] = PROG;
atomic_int producer_stop;

/* Frees what main made, closing the writer (after the audio thread is gone). */
static int finish(struct run *r, struct slides *s, audio *a, int status)
{
	audio_free(a);
	if (r->w && shmfb_writer_close(r->w) < 0) {
		app_warn("%s", shmfb_errdetail());
		status = 1;
	}
	slides_free(s);
	free(r->o->images);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = options_parse(argc, argv, &o);
	if (rc) {
		free(o.images);
		return rc;
	}
	struct run r = {.o = &o};
	/* --raw reads frames of the mapping's layout, padded rows included. */
	shmfb_layout_compute_aligned(o.writer.width, o.writer.height, o.writer.format, o.writer.row_align,
				     &r.layout);
	r.pacer.num = o.writer.fps_num;
	r.pacer.den = o.writer.fps_den;
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
			app_warn("%s", why);
			return finish(&r, &s, NULL, rc);
		}
	}
	if (o.source == SOURCE_IMAGE) {
		if (slides_init(&s, &o, r.layout.frame_bytes) ||
		    slides_advance(&s, shmfb_now_ns()) < 0)
			return finish(&r, &s, a, 1);
	}
	os_catch_stop();

	shmfb_writer_options wo = o.writer;
	if (o.source != SOURCE_RAW)
		convert_color(o.writer.format, &wo.color); /* --raw: whoever made the bytes knows */
	if (a) {
		shmfb_sampfmt f;
		audio_params(a, &wo.audio_rate, &wo.audio_channels, &f);
		wo.audio_format = f;
	}
	rc = shmfb_create(o.name, &wo, &r.w);
	if (rc < 0) {
		app_warn("%s", shmfb_errdetail());
		r.w = NULL;
		/* The options were checked, but for whether --raw's colour fits the
		 * format, which the library judges: SHMFB_EINVAL, a usage error. */
		return finish(&r, &s, a, rc == SHMFB_EINVAL ? 2 : 1);
	}
	/* Video frame 0 and audio sample 0 share one start time (--av-sync relies on it). */
	uint64_t start = shmfb_now_ns() + 20 * SHMFB_MS;
	if (o.writer.fps_num)
		r.pacer.start = start;
	if (a && audio_start(a, r.w, start) < 0) {
		app_warn("cannot start the audio thread");
		return finish(&r, &s, a, 1);
	}
	return finish(&r, &s, a, run_source(&r, &s));
}
