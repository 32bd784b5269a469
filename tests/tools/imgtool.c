/*
 * imgtool.c - picture helper for the shell tests (build/tests/tools/imgtool).
 *
 *   imgtool stamp FILE             decode the frame stamp anywhere in a PNG
 *                                  (e.g. a screenshot of a viewer window);
 *                                  prints "FRAME_NUMBER TIME_NS"
 *   imgtool diff A B [--rgb]       compare two PNGs of the same size channel
 *                                  by channel (RGBA, or RGB only); prints
 *                                  "max=N mean=F" (mean over all channels)
 *   imgtool gen FILE W H SEED [opaque]
 *                                  write a W x H RGBA PNG of smooth colours
 *                                  and pseudo-random alpha (or alpha 255)
 *   imgtool raw FILE               the PNG's pixels as raw RGBA on stdout
 *   imgtool luma IN OUT            OUT = IN as grey, BT.709 luma in full
 *                                  range (what a gray8 mapping holds)
 *   imgtool crop IN X Y W H OUT    OUT = that rectangle of IN
 *   imgtool pixel FILE X Y         prints "R G B A" of one pixel
 *   imgtool size FILE              prints "W H"
 *
 * Exit status 0, 1 when the answer is no (no stamp, sizes differ), 2 on bad use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "shmfb.h"

static unsigned char *load(const char *path, int channels, int *w, int *h)
{
	int n;
	unsigned char *p = stbi_load(path, w, h, &n, channels);
	if (!p)
		fprintf(stderr, "imgtool: %s: %s\n", path, stbi_failure_reason());
	return p;
}

static int cmd_stamp(const char *path)
{
	int w, h;
	unsigned char *rgb = load(path, 3, &w, &h);
	if (!rgb)
		return 2;
	shmfb_stamp s;
	int rc = shmfb_stamp_decode(rgb, (uint32_t)w, (uint32_t)h, (uint32_t)w * 3, SHMFB_FMT_RGB24, &s);
	stbi_image_free(rgb);
	if (rc < 0) {
		fprintf(stderr, "imgtool: %s: no stamp found\n", path);
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)s.frame_number, (unsigned long long)s.time_ns);
	return 0;
}

static int cmd_diff(const char *a, const char *b, int rgb_only)
{
	int wa, ha, wb, hb;
	unsigned char *pa = load(a, 4, &wa, &ha), *pb = load(b, 4, &wb, &hb);
	if (!pa || !pb)
		return 2;
	if (wa != wb || ha != hb) {
		printf("size %dx%d vs %dx%d\n", wa, ha, wb, hb);
		return 1;
	}
	int max = 0;
	double sum = 0;
	size_t count = 0;
	for (size_t i = 0; i < (size_t)wa * ha * 4; i++) {
		if (rgb_only && i % 4 == 3)
			continue;
		int d = abs((int)pa[i] - (int)pb[i]);
		if (d > max)
			max = d;
		sum += d;
		count++;
	}
	printf("max=%d mean=%.4f\n", max, count ? sum / count : 0.0);
	stbi_image_free(pa);
	stbi_image_free(pb);
	return 0;
}

/* Smooth gradients (so 4:2:0 subsampling costs little) that differ per
 * channel, plus per-pixel noise in alpha, so any shift, swap of channels or
 * loss of alpha shows. */
static int cmd_gen(const char *path, int w, int h, unsigned seed, int opaque)
{
	unsigned char *p = malloc((size_t)w * h * 4);
	if (!p)
		return 2;
	uint32_t x32 = seed * 2654435761u + 1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			x32 ^= x32 << 13;
			x32 ^= x32 >> 17;
			x32 ^= x32 << 5;
			unsigned char *q = p + ((size_t)y * w + x) * 4;
			q[0] = (unsigned char)(x * 255 / (w - 1));
			q[1] = (unsigned char)(y * 255 / (h - 1));
			q[2] = (unsigned char)((x + y) * 255 / (w + h - 2) ^ (seed & 0x3f));
			q[3] = opaque ? 255 : (unsigned char)(128 + (x32 & 127));
		}
	int ok = stbi_write_png(path, w, h, 4, p, w * 4);
	free(p);
	return ok ? 0 : 2;
}

static int cmd_luma(const char *in, const char *out)
{
	int w, h;
	unsigned char *p = load(in, 4, &w, &h);
	if (!p)
		return 2;
	for (size_t i = 0; i < (size_t)w * h; i++) {
		unsigned char *q = p + i * 4;
		double y = 0.2126 * q[0] + 0.7152 * q[1] + 0.0722 * q[2];
		q[0] = q[1] = q[2] = (unsigned char)(y + 0.5);
		q[3] = 255;
	}
	int ok = stbi_write_png(out, w, h, 4, p, w * 4);
	stbi_image_free(p);
	return ok ? 0 : 2;
}

static int cmd_crop(const char *in, int x, int y, int cw, int ch, const char *out)
{
	int w, h;
	unsigned char *p = load(in, 4, &w, &h);
	if (!p)
		return 2;
	if (x < 0 || y < 0 || cw < 1 || ch < 1 || x + cw > w || y + ch > h) {
		fprintf(stderr, "imgtool: %dx%d+%d+%d is outside the %dx%d picture\n", cw, ch, x, y, w, h);
		stbi_image_free(p);
		return 1;
	}
	int ok = stbi_write_png(out, cw, ch, 4, p + ((size_t)y * w + x) * 4, w * 4);
	stbi_image_free(p);
	return ok ? 0 : 2;
}

static int cmd_pixel(const char *in, int x, int y)
{
	int w, h;
	unsigned char *p = load(in, 4, &w, &h);
	if (!p)
		return 2;
	int ok = x >= 0 && y >= 0 && x < w && y < h;
	if (ok) {
		const unsigned char *q = p + ((size_t)y * w + x) * 4;
		printf("%d %d %d %d\n", q[0], q[1], q[2], q[3]);
	}
	stbi_image_free(p);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "stamp"))
		return cmd_stamp(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "diff"))
		return cmd_diff(argv[2], argv[3], argc == 5 && !strcmp(argv[4], "--rgb"));
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "gen"))
		return cmd_gen(argv[2], atoi(argv[3]), atoi(argv[4]), (unsigned)atoi(argv[5]),
			       argc == 7 && !strcmp(argv[6], "opaque"));
	if (argc == 8 && !strcmp(argv[1], "crop"))
		return cmd_crop(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), argv[7]);
	if (argc == 5 && !strcmp(argv[1], "pixel"))
		return cmd_pixel(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "luma"))
		return cmd_luma(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "raw")) {
		int w, h;
		unsigned char *p = load(argv[2], 4, &w, &h);
		if (!p)
			return 2;
		size_t n = (size_t)w * h * 4;
		int ok = fwrite(p, 1, n, stdout) == n && fflush(stdout) == 0;
		stbi_image_free(p);
		return ok ? 0 : 2;
	}
	if (argc == 3 && !strcmp(argv[1], "size")) {
		int w, h, n;
		if (!stbi_info(argv[2], &w, &h, &n))
			return 2;
		printf("%d %d\n", w, h);
		return 0;
	}
	fprintf(stderr, "usage: imgtool stamp FILE | diff A B [--rgb] | gen FILE W H SEED [opaque] | raw FILE | luma IN OUT\n"
			"       | crop IN X Y W H OUT | pixel FILE X Y | size FILE\n");
	return 2;
}
