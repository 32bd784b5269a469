/*
 * convert.c - RGBA to each pixel format of a mapping.
 *
 * docs/PRODUCER.md says what every format holds; in short: YUV is BT.709
 * limited range (Y 16..235, Cb/Cr 16..240) computed from the gamma-encoded
 * R'G'B' values as they are, chroma of 4:2:0 and 4:2:2 is the conversion of
 * the mean of the 2x2 (or 2x1) pixels it covers, and gray8 is BT.709 luma
 * in full range (0..255).  Fixed point with 16 fractional bits, rounded to
 * nearest; within 1 of the exact value everywhere.
 */
#include <string.h>

#include "producer.h"

/* BT.709: Kr, Kb; Kg = 1 - Kr - Kb. */
#define KR 0.2126
#define KB 0.0722
#define KG (1.0 - KR - KB)

/* A real constant as 16.16 fixed point, rounded to nearest (also negative ones). */
#define FIX(x) ((int32_t)((x) < 0 ? -(-(x) * 65536.0 + 0.5) : (x) * 65536.0 + 0.5))

/* Limited range: luma scaled to 219/255, chroma to 224/255. */
#define YS (219.0 / 255.0)
#define CS (224.0 / 255.0)
static const int32_t y_r = FIX(KR * YS), y_g = FIX(KG * YS), y_b = FIX(KB * YS);
static const int32_t cb_r = FIX(-KR / (2 * (1 - KB)) * CS), cb_g = FIX(-KG / (2 * (1 - KB)) * CS),
		     cb_b = FIX(0.5 * CS);
static const int32_t cr_r = FIX(0.5 * CS), cr_g = FIX(-KG / (2 * (1 - KR)) * CS),
		     cr_b = FIX(-KB / (2 * (1 - KR)) * CS);
/* Full-range luma for gray8. */
static const int32_t g_r = FIX(KR), g_g = FIX(KG), g_b = FIX(KB);

static uint8_t clamp8(int32_t v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Rounds a 16.16 value (times `n` summed pixels) plus offset to a byte. */
static uint8_t fix_to_byte(int32_t sum, int shift, int offset)
{
	int32_t half = 1 << (shift - 1);
	/* Arithmetic shift of negatives rounds towards -inf; add the offset first. */
	return clamp8((sum + (offset << shift) + half) >> shift);
}

static uint8_t luma_limited(const uint8_t *p)
{
	return fix_to_byte(y_r * p[0] + y_g * p[1] + y_b * p[2], 16, 16);
}

/* Cb and Cr of the mean of n pixels whose R, G, B sums are given; n is 1, 2 or 4. */
static void chroma(int32_t r, int32_t g, int32_t b, int shift_n, uint8_t *cb, uint8_t *cr)
{
	*cb = fix_to_byte(cb_r * r + cb_g * g + cb_b * b, 16 + shift_n, 128);
	*cr = fix_to_byte(cr_r * r + cr_g * g + cr_b * b, 16 + shift_n, 128);
}

static void rows_packed_rgb(const uint8_t *rgba, uint32_t w, uint32_t y0, uint32_t y1,
			    shmfb_pixfmt f, const shmfb_planes *dst)
{
	for (uint32_t y = y0; y < y1; y++) {
		const uint8_t *s = rgba + (size_t)y * w * 4;
		uint8_t *d = dst->data[0] + (size_t)y * dst->stride[0];
		switch (f) {
		case SHMFB_FMT_RGBA8:
			memcpy(d, s, (size_t)w * 4);
			break;
		case SHMFB_FMT_BGRA8:
			for (uint32_t x = 0; x < w; x++, s += 4, d += 4) {
				d[0] = s[2];
				d[1] = s[1];
				d[2] = s[0];
				d[3] = s[3];
			}
			break;
		case SHMFB_FMT_RGB24:
			for (uint32_t x = 0; x < w; x++, s += 4, d += 3)
				memcpy(d, s, 3);
			break;
		case SHMFB_FMT_GRAY8:
			for (uint32_t x = 0; x < w; x++, s += 4)
				d[x] = fix_to_byte(g_r * s[0] + g_g * s[1] + g_b * s[2], 16, 0);
			break;
		default:
			break;
		}
	}
}

static void rows_yuyv(const uint8_t *rgba, uint32_t w, uint32_t y0, uint32_t y1,
		      const shmfb_planes *dst)
{
	for (uint32_t y = y0; y < y1; y++) {
		const uint8_t *s = rgba + (size_t)y * w * 4;
		uint8_t *d = dst->data[0] + (size_t)y * dst->stride[0];
		for (uint32_t x = 0; x + 1 < w; x += 2, s += 8, d += 4) {
			d[0] = luma_limited(s);
			d[2] = luma_limited(s + 4);
			chroma(s[0] + s[4], s[1] + s[5], s[2] + s[6], 1, &d[1], &d[3]);
		}
	}
}

/* NV12 (interleaved chroma plane) and I420 (two chroma planes). */
static void rows_420(const uint8_t *rgba, uint32_t w, uint32_t y0, uint32_t y1,
		     shmfb_pixfmt f, const shmfb_planes *dst)
{
	for (uint32_t y = y0; y < y1; y++) {
		const uint8_t *s = rgba + (size_t)y * w * 4;
		uint8_t *d = dst->data[0] + (size_t)y * dst->stride[0];
		for (uint32_t x = 0; x < w; x++)
			d[x] = luma_limited(s + x * 4);
	}
	for (uint32_t y = y0 / 2; y < y1 / 2; y++) {
		const uint8_t *a = rgba + (size_t)(2 * y) * w * 4, *b = a + (size_t)w * 4;
		uint8_t *u = dst->data[1] + (size_t)y * dst->stride[1];
		uint8_t *v = f == SHMFB_FMT_I420 ? dst->data[2] + (size_t)y * dst->stride[2] : NULL;
		for (uint32_t x = 0; x + 1 < w; x += 2, a += 8, b += 8) {
			uint8_t cb, cr;
			chroma(a[0] + a[4] + b[0] + b[4], a[1] + a[5] + b[1] + b[5],
			       a[2] + a[6] + b[2] + b[6], 2, &cb, &cr);
			if (v) {
				u[x / 2] = cb;
				v[x / 2] = cr;
			} else {
				u[x] = cb;
				u[x + 1] = cr;
			}
		}
	}
}

void convert_rgba_rows(const uint8_t *rgba, uint32_t w, uint32_t y0, uint32_t y1,
		       shmfb_pixfmt f, const shmfb_planes *dst)
{
	switch (f) {
	case SHMFB_FMT_NV12:
	case SHMFB_FMT_I420: rows_420(rgba, w, y0, y1, f, dst); break;
	case SHMFB_FMT_YUYV: rows_yuyv(rgba, w, y0, y1, dst); break;
	default: rows_packed_rgb(rgba, w, y0, y1, f, dst); break;
	}
}

void convert_rgba(const uint8_t *rgba, uint32_t w, uint32_t h, shmfb_pixfmt f,
		  const shmfb_planes *dst)
{
	convert_rgba_rows(rgba, w, 0, h, f, dst);
}

void convert_color(shmfb_pixfmt f, shmfb_color *c)
{
	int rgb = f == SHMFB_FMT_RGBA8 || f == SHMFB_FMT_BGRA8 || f == SHMFB_FMT_RGB24;
	int yuv = f == SHMFB_FMT_NV12 || f == SHMFB_FMT_I420 || f == SHMFB_FMT_YUYV;
	c->matrix = rgb ? SHMFB_MATRIX_RGB : SHMFB_MATRIX_BT709; /* gray8: BT.709 weights */
	c->range = yuv ? SHMFB_RANGE_LIMITED : SHMFB_RANGE_FULL;
	/* The values stay gamma-encoded sRGB; only the matrix changes them. */
	c->transfer = SHMFB_TRANSFER_SRGB;
	c->primaries = SHMFB_PRIMARIES_BT709;
	/* Chroma is the mean of the pixels it covers: it sits at their centre. */
	c->chroma_site = yuv ? SHMFB_CHROMA_CENTER : SHMFB_CHROMA_UNSPECIFIED;
}

void planes_of_buffer(uint8_t *buf, uint32_t w, uint32_t h, shmfb_pixfmt f, shmfb_planes *p)
{
	shmfb_layout l;
	memset(p, 0, sizeof *p);
	if (shmfb_layout_compute(w, h, f, &l) < 0)
		return;
	p->plane_count = l.plane_count;
	p->frame_bytes = l.frame_bytes;
	for (uint32_t i = 0; i < l.plane_count; i++) {
		p->data[i] = buf + l.offset[i];
		p->stride[i] = l.stride[i];
	}
}
