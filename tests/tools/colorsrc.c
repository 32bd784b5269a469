/*
 * colorsrc.c - a producer of colour bars in a stated colour, for the shell
 * tests (build/tests/tools/colorsrc):
 *
 *   colorsrc NAME FORMAT MATRIX RANGE ROW_ALIGN SECONDS W H EXPECTED.png
 *
 * Creates mapping NAME (format nv12, i420, yuyv or gray8; rows aligned to
 * ROW_ALIGN, padding bytes 0xEE) whose header says MATRIX (bt601, bt709,
 * bt2020 or unspecified) and RANGE (limited, full or unspecified), publishes
 * eight vertical bars of 75% colours and mid tones encoded with that matrix
 * and range (BT.709 and limited where unspecified, full for gray8: what
 * shmfb's readers assume), straight from the definitions in doubles, keeps
 * the mapping alive for SECONDS, and writes the bars as they should look
 * (RGBA) to EXPECTED.png.  Exit 0, 1 on failure, 2 on bad use.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stb_image_write.h>

#include "shmfb.h"

#define PAD_BYTE 0xEE

static const uint8_t bars[8][3] = {
	{191, 191, 191}, {191, 191, 0}, {0, 191, 191}, {0, 191, 0},
	{191, 0, 191},   {191, 0, 0},   {0, 0, 191},   {100, 150, 210},
};

static const char *const matrix_names[] = {"unspecified", "rgb", "bt601", "bt709", "bt2020"};
static const char *const range_names[] = {"unspecified", "limited", "full"};

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

struct ycc {
	uint8_t y, cb, cr;
};

static uint8_t round8(double v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : (int)(v + 0.5));
}

/* R'G'B' (0..255) as Y'CbCr by the definitions (BT.601/709/2020 section 3). */
static struct ycc encode(const uint8_t *rgb, int matrix, int full)
{
	double kr = 0.2126, kb = 0.0722;
	if (matrix == SHMFB_MATRIX_BT601)
		kr = 0.299, kb = 0.114;
	if (matrix == SHMFB_MATRIX_BT2020)
		kr = 0.2627, kb = 0.0593;
	double r = rgb[0] / 255.0, g = rgb[1] / 255.0, b = rgb[2] / 255.0;
	double ey = kr * r + (1 - kr - kb) * g + kb * b;
	double cb = (b - ey) / (2 * (1 - kb)), cr = (r - ey) / (2 * (1 - kr));
	struct ycc o;
	o.y = round8(full ? 255 * ey : 16 + 219 * ey);
	o.cb = round8(128 + (full ? 255 : 224) * cb);
	o.cr = round8(128 + (full ? 255 : 224) * cr);
	return o;
}

static void fill(const shmfb_planes *p, shmfb_pixfmt f, uint32_t w, uint32_t h, int matrix, int full)
{
	for (uint32_t i = 0; i < p->plane_count; i++) /* padding first: rows overwrite the rest */
		memset(p->data[i], PAD_BYTE, (size_t)p->stride[i] * (i == 0 || f == SHMFB_FMT_YUYV ? h : h / 2));
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *c = bars[(uint64_t)x * 8 / w];
			struct ycc v = encode(c, matrix, full);
			uint8_t *row0 = p->data[0] + (size_t)y * p->stride[0];
			switch (f) {
			case SHMFB_FMT_GRAY8: row0[x] = v.y; break;
			case SHMFB_FMT_YUYV:
				row0[x * 2] = v.y;
				row0[(x / 2) * 4 + 1] = v.cb;
				row0[(x / 2) * 4 + 3] = v.cr;
				break;
			case SHMFB_FMT_NV12:
				row0[x] = v.y;
				p->data[1][(size_t)(y / 2) * p->stride[1] + (x / 2) * 2] = v.cb;
				p->data[1][(size_t)(y / 2) * p->stride[1] + (x / 2) * 2 + 1] = v.cr;
				break;
			default: /* i420 */
				row0[x] = v.y;
				p->data[1][(size_t)(y / 2) * p->stride[1] + x / 2] = v.cb;
				p->data[2][(size_t)(y / 2) * p->stride[2] + x / 2] = v.cr;
				break;
			}
		}
	}
}

/* The bars as they should be seen: gray8 shows only their luma. */
static int write_expected(const char *path, shmfb_pixfmt f, uint32_t w, uint32_t h, int matrix)
{
	uint8_t *rgba = malloc((size_t)w * h * 4);
	if (!rgba)
		return -1;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *c = bars[(uint64_t)x * 8 / w];
			uint8_t *o = rgba + ((size_t)y * w + x) * 4;
			if (f == SHMFB_FMT_GRAY8) {
				o[0] = o[1] = o[2] = encode(c, matrix, 1).y;
			} else {
				memcpy(o, c, 3);
			}
			o[3] = 255;
		}
	int ok = stbi_write_png(path, (int)w, (int)h, 4, rgba, (int)w * 4);
	free(rgba);
	return ok ? 0 : -1;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 10) {
		fprintf(stderr, "usage: colorsrc NAME FORMAT MATRIX RANGE ROW_ALIGN SECONDS W H EXPECTED.png\n");
		return 2;
	}
	shmfb_pixfmt f = shmfb_pixfmt_from_name(argv[2]);
	int matrix = lookup(matrix_names, 5, argv[3]), range = lookup(range_names, 3, argv[4]);
	double seconds = atof(argv[6]);
	uint32_t w = (uint32_t)atoi(argv[7]), h = (uint32_t)atoi(argv[8]);
	if (f == SHMFB_FMT_NONE || matrix < 0 || range < 0) {
		fprintf(stderr, "colorsrc: bad format, matrix or range\n");
		return 2;
	}
	/* What the readers assume for unspecified: BT.709, limited (gray8: full). */
	int enc_matrix = matrix ? matrix : SHMFB_MATRIX_BT709;
	int full = range == SHMFB_RANGE_FULL || (range == 0 && f == SHMFB_FMT_GRAY8);
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = w;
	o.height = h;
	o.format = f;
	o.row_align = (uint32_t)atoi(argv[5]);
	o.color.matrix = (shmfb_color_matrix)matrix;
	o.color.range = (shmfb_color_range)range;
	shmfb_writer *wr;
	if (shmfb_create(argv[1], &o, &wr) < 0) {
		fprintf(stderr, "colorsrc: %s\n", shmfb_errdetail());
		return 1;
	}
	if (write_expected(argv[9], f, w, h, enc_matrix) < 0) {
		fprintf(stderr, "colorsrc: cannot write %s\n", argv[9]);
		shmfb_writer_close(wr);
		return 1;
	}
	uint64_t end = shmfb_now_ns() + (uint64_t)(seconds * 1e9);
	signal(SIGTERM, on_term); /* closes the mapping, so the name goes */
	for (uint64_t n = 0; !stop && shmfb_now_ns() < end; n++) {
		shmfb_planes p;
		shmfb_writer_acquire(wr, &p);
		fill(&p, f, w, h, enc_matrix, full);
		shmfb_writer_publish(wr, n, shmfb_now_ns());
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	shmfb_writer_close(wr);
	return 0;
}
