/*
 * reader.c - the smallest useful shmfb reader: waits for each new frame,
 * copies it, reads its stamp and prints how old it was, until the producer
 * closes.
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

	uint64_t seen = 0;
	for (;;) {
		/* Sleep until a frame newer than `seen`; wake now and then to
		 * notice a producer that died instead of closing. */
		int rc = shmfb_reader_wait(r, seen, 500 * SHMFB_MS, 0);
		if (rc == SHMFB_ECLOSED)
			break;
		if (rc == SHMFB_ETIMEDOUT) {
			int st = shmfb_reader_status(r);
			if (st < 0 && st != SHMFB_ESTALE) {
				fprintf(stderr, "sample-reader: %s\n", shmfb_errdetail());
				break;
			}
			continue;
		}
		shmfb_frame f;
		if (shmfb_reader_copy_latest(r, buf, in->layout.frame_bytes, &f) < 0)
			continue; /* lapped by the producer: take the next one */
		if (seen && f.index > seen + 1)
			printf("  (missed %llu)\n", (unsigned long long)(f.index - seen - 1));
		seen = f.index;

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
	return 0;
}
