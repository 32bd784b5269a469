/*
 * reader.c - the smallest useful shmfb reader: waits for each new frame,
 * copies it, reads its stamp and prints how old it was, until the producer
 * closes (exit 0), dies or corrupts the mapping (a message, exit 1).
 *
 *   cc samples/reader.c $(pkg-config --cflags --libs shmfb) -o sample-reader
 *   sample-reader [NAME]      (default "sample")
 */
#include <stdio.h>
#include <stdlib.h>

#include "shmfb.h"

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "sample";
	shmfb_reader *r;
	if (shmfb_open(name, &r) < 0) {
		fprintf(stderr, "sample-reader: %s\n", shmfb_errdetail());
		return 1;
	}
	const shmfb_info *in = shmfb_reader_info(r);
	printf("%s: %ux%u %s\n", name, in->width, in->height, shmfb_pixfmt_name(in->format));
	uint8_t *buf = malloc(in->layout.frame_bytes);
	if (!buf)
		return 1;

	uint64_t seen = 0, after = 0; /* after: what the wait must see a frame newer than */
	int status = 0;
	for (;;) {
		/* Sleep until a frame newer than `after`; wake now and then to
		 * notice a producer that died instead of closing. */
		int rc = shmfb_reader_wait(r, after, 500 * SHMFB_MS, 0);
		if (rc == SHMFB_ETIMEDOUT) {
			rc = shmfb_reader_status(r);
			if (rc == 0 || rc == SHMFB_ESTALE) /* alive, or only silent: wait on */
				continue;
		}
		if (rc == SHMFB_ECLOSED)
			break;
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
		if (rc < 0) { /* dead, replaced, corrupt (e.g. SHMFB_EBACKWARDS) */
			fprintf(stderr, "sample-reader: %s\n", shmfb_errdetail());
			status = 1;
			break;
		}
		if (seen && f.index > seen + 1)
			printf("  (missed %llu)\n", (unsigned long long)(f.index - seen - 1));
		seen = after = f.index;

		double age_ms = (double)(shmfb_now_ns() - f.publish_ns) / 1e6;
		shmfb_stamp s;
		if (shmfb_stamp_decode(buf, in->width, in->height, f.stride[0], in->format, &s) == 0)
			printf("frame %llu, stamp says %llu, %.3f ms since publish\n",
			       (unsigned long long)f.frame_number, (unsigned long long)s.frame_number, age_ms);
		else
			printf("frame %llu, no stamp, %.3f ms since publish\n",
			       (unsigned long long)f.frame_number, age_ms);
	}
	free(buf);
	shmfb_reader_close(r);
	return status;
}
