/*
 * soak_reader.c - a reader for `make soak`: copies every frame it can,
 * checks each copy's frame stamp (docs/PATTERN.md) against the frame number
 * in the slot's metadata (a torn copy would mix two frames), and prints one
 * line of JSON when the producer closes or it is told to stop (SIGTERM).
 * A corrupt mapping is a message on stderr and exit 1, without the JSON.
 *
 *   soak_reader NAME
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "shmfb.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: soak_reader NAME\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	shmfb_reader *r = NULL;
	for (int i = 0; i < 1000 && shmfb_open(argv[1], &r) != 0; i++) {
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	if (!r) {
		fprintf(stderr, "soak_reader: %s\n", shmfb_errdetail());
		return 1;
	}
	const shmfb_info *in = shmfb_reader_info(r);
	uint8_t *buf = malloc(in->layout.frame_bytes);
	uint64_t seen = 0, frames = 0, torn = 0, unreadable = 0, gaps = 0;
	uint64_t after = 0; /* what the wait must see a frame newer than */
	while (!stop) {
		int rc = shmfb_reader_wait(r, after, 500 * SHMFB_MS, 0);
		if (rc == SHMFB_ECLOSED)
			break;
		if (rc == SHMFB_ETIMEDOUT)
			continue;
		shmfb_frame f;
		if (rc == 0)
			rc = shmfb_reader_copy_latest(r, buf, in->layout.frame_bytes, &f);
		if (rc == SHMFB_EAGAIN) {
			/* Lapped every time, or a slot that never reads whole: wait
			 * for a newer frame than the latest (calling again would spin). */
			uint64_t latest = shmfb_reader_latest_index(r);
			after = latest > seen ? latest : seen;
			continue;
		}
		if (rc < 0) { /* a corrupt mapping (e.g. SHMFB_EBACKWARDS): no JSON, the soak fails */
			fprintf(stderr, "soak_reader: %s\n", shmfb_errdetail());
			free(buf);
			shmfb_reader_close(r);
			return 1;
		}
		if (seen && f.index > seen + 1)
			gaps += f.index - seen - 1;
		seen = after = f.index;
		frames++;
		shmfb_stamp s;
		if (shmfb_stamp_decode(buf, in->width, in->height, in->layout.stride[0], in->format, &s) != 0)
			unreadable++;
		else if (s.frame_number != f.frame_number)
			torn++;
	}
	printf("{\"frames\": %llu, \"torn\": %llu, \"unreadable\": %llu, \"skipped\": %llu}\n",
	       (unsigned long long)frames, (unsigned long long)torn, (unsigned long long)unreadable,
	       (unsigned long long)gaps);
	free(buf);
	shmfb_reader_close(r);
	return torn ? 1 : 0;
}
