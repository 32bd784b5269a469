/*
 * box.c - draws a box into the latest frame and saves it, without a copy
 * of the frame and without touching the producer's: a copy-on-write view
 * (shmfb_reader_view_latest) copies only the pages the box is drawn on,
 * and nobody else ever sees them.
 *
 *   cc samples/box.c $(pkg-config --cflags --libs shmfb) -o sample-box
 *   sample-box [NAME [OUT]]   (default "sample" and "box.ppm")
 *
 * Saves a binary PPM (PGM for gray8 frames); rgba, bgra, rgb24 and gray8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shmfb.h"

#define PROG "sample-box"
#define THICK 4  /* pixels of the box's edge */
#define TRIES 20 /* views lapped by the producer before giving up */

static int fail(int code, const char *what)
{
	fprintf(stderr, PROG ": %s\n", what);
	return code;
}

/* Bytes per pixel and where red sits in one, for the formats drawn on. */
static int pixel_shape(shmfb_pixfmt f, int *bytes, int *red)
{
	switch (f) {
	case SHMFB_FMT_RGBA8: *bytes = 4; *red = 0; return 0;
	case SHMFB_FMT_BGRA8: *bytes = 4; *red = 2; return 0;
	case SHMFB_FMT_RGB24: *bytes = 3; *red = 0; return 0;
	case SHMFB_FMT_GRAY8: *bytes = 1; *red = 0; return 0;
	default: return -1;
	}
}

/* An opaque red (white for gray8) pixel. */
static void paint(uint8_t *px, int bytes, int red)
{
	memset(px, 0, (size_t)bytes);
	px[red] = 255;
	if (bytes == 4)
		px[3] = 255;
}

/* The edge of the rectangle from a quarter to three quarters of the frame. */
static void draw_box(const shmfb_view *v, uint32_t w, uint32_t h, int bytes, int red)
{
	uint32_t x0 = w / 4, x1 = w - w / 4, y0 = h / 4, y1 = h - h / 4;
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *row = v->data[0] + (size_t)y * v->frame.stride[0];
		int edge_row = y < y0 + THICK || y + THICK >= y1;
		for (uint32_t x = x0; x < x1; x++)
			if (edge_row || x < x0 + THICK || x + THICK >= x1)
				paint(row + (size_t)x * bytes, bytes, red);
	}
}

/* Byte of colour c (0 R, 1 G, 2 B) in a pixel whose red is byte `red` (0 or 2). */
static int channel(int c, int red)
{
	return c == 1 ? 1 : c == 0 ? red : 2 - red;
}

/* The view as PPM (PGM for one byte a pixel); 0 or -1. */
static int save(const char *path, const shmfb_view *v, uint32_t w, uint32_t h, int bytes, int red)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int out = bytes == 1 ? 1 : 3;
	fprintf(f, "P%d\n%u %u\n255\n", out == 1 ? 5 : 6, w, h);
	uint8_t *line = malloc((size_t)w * 3);
	for (uint32_t y = 0; line && y < h; y++) {
		const uint8_t *row = v->data[0] + (size_t)y * v->frame.stride[0];
		for (uint32_t x = 0; x < w; x++)
			for (int c = 0; c < out; c++)
				line[(size_t)x * out + c] = row[(size_t)x * bytes + channel(c, red)];
		fwrite(line, (size_t)out, w, f);
	}
	int ok = line != NULL;
	free(line);
	return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc > 3 || (argc > 1 && argv[1][0] == '-'))
		return fail(2, "usage: " PROG " [NAME [OUT]]");
	const char *name = argc > 1 ? argv[1] : "sample", *out = argc > 2 ? argv[2] : "box.ppm";
	shmfb_reader *r;
	if (shmfb_open(name, &r) < 0)
		return fail(1, shmfb_errdetail());
	const shmfb_info *in = shmfb_reader_info(r);
	int bytes, red;
	if (pixel_shape(in->format, &bytes, &red) < 0) {
		fprintf(stderr, PROG ": %s: frames are %s; this sample draws on rgba, bgra, rgb24 and gray8\n",
			name, shmfb_pixfmt_name(in->format));
		shmfb_reader_close(r);
		return 1;
	}
	int rc = shmfb_reader_wait(r, 0, 2 * SHMFB_SEC, 0);
	for (int tries = 0; rc == 0 && tries < TRIES; tries++) {
		shmfb_view v;
		rc = shmfb_reader_view_latest(r, &v);
		if (rc == SHMFB_ETORN) {
			rc = 0;
			continue;
		}
		if (rc < 0)
			break;
		draw_box(&v, in->width, in->height, bytes, red);
		int saved = save(out, &v, in->width, in->height, bytes, red);
		rc = shmfb_view_check(r, &v); /* after the last read: the file is one frame */
		uint64_t index = v.frame.index;
		shmfb_view_release(r, &v);
		if (saved < 0) {
			fprintf(stderr, PROG ": %s: cannot write the picture\n", out);
			shmfb_reader_close(r);
			return 1;
		}
		if (rc == 0) {
			printf("frame %llu of %s with a box saved to %s\n", (unsigned long long)index, name, out);
			shmfb_reader_close(r);
			return 0;
		}
		rc = rc == SHMFB_ETORN ? 0 : rc; /* lapped while saving: take the next one */
	}
	if (rc == 0)
		fprintf(stderr, PROG ": %s: the producer overwrote the frame %d times while it was saved\n",
			name, TRIES);
	else
		fprintf(stderr, PROG ": %s\n", shmfb_errdetail());
	shmfb_reader_close(r);
	return 1;
}
