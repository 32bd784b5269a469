/*
 * test_stamp.c - the frame stamp (docs/PATTERN.md): drawn into a picture,
 * then read back after the things a picture goes through between the
 * producer and a screenshot of a viewer: scaling up and down by odd factors
 * (bilinear and nearest), letterboxing inside a bigger, noisy screen, and
 * conversion to every pixel format.  The scaler and the converters here are
 * the test's own, independent of producer/.
 */
#include <math.h>
#include <stdint.h>

#include "shmfb.h"
#include "test.h"

struct pic {
	uint32_t w, h;
	uint8_t *rgba; /* stride w * 4 */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct pic pic_new(uint32_t w, uint32_t h)
{
	struct pic p = {w, h, calloc((size_t)w * h, 4)};
	ASSERT(p.rgba);
	return p;
}

/* Colour bars with noise: content the decoder must not be fooled by. */
static struct pic stamped(uint32_t w, uint32_t h, const shmfb_stamp *s)
{
	struct pic p = pic_new(w, h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t *q = p.rgba + ((size_t)y * w + x) * 4;
			int bar = (int)(x * 8 / w);
			q[0] = (uint8_t)((bar & 1) ? 255 : (rnd() & 63));
			q[1] = (uint8_t)((bar & 2) ? 255 : (rnd() & 63));
			q[2] = (uint8_t)((bar & 4) ? 255 : (rnd() & 63));
			q[3] = 255;
		}
	ASSERT_OK(shmfb_stamp_draw_rgba(p.rgba, w, h, w * 4, s));
	return p;
}

/* Bilinear resample of src into the rectangle (dx, dy, dw, dh) of dst. */
static void blit_scaled(const struct pic *src, struct pic *dst, uint32_t dx, uint32_t dy,
			uint32_t dw, uint32_t dh, int nearest)
{
	double sx = (double)src->w / dw, sy = (double)src->h / dh;
	for (uint32_t y = 0; y < dh; y++) {
		double fy = (y + 0.5) * sy - 0.5;
		if (fy < 0)
			fy = 0;
		uint32_t y0 = (uint32_t)fy, y1 = y0 + 1 < src->h ? y0 + 1 : y0;
		double ty = fy - y0;
		for (uint32_t x = 0; x < dw; x++) {
			double fx = (x + 0.5) * sx - 0.5;
			if (fx < 0)
				fx = 0;
			uint32_t x0 = (uint32_t)fx, x1 = x0 + 1 < src->w ? x0 + 1 : x0;
			double tx = fx - x0;
			uint8_t *d = dst->rgba + ((size_t)(dy + y) * dst->w + dx + x) * 4;
			for (int c = 0; c < 4; c++) {
				const uint8_t *s = src->rgba;
				double a = s[((size_t)y0 * src->w + x0) * 4 + c];
				double b = s[((size_t)y0 * src->w + x1) * 4 + c];
				double e = s[((size_t)y1 * src->w + x0) * 4 + c];
				double f = s[((size_t)y1 * src->w + x1) * 4 + c];
				double v;
				if (nearest)
					v = s[((size_t)(uint32_t)((y + 0.5) * sy) * src->w +
					       (uint32_t)((x + 0.5) * sx)) * 4 + c];
				else
					v = (a * (1 - tx) + b * tx) * (1 - ty) + (e * (1 - tx) + f * tx) * ty;
				d[c] = (uint8_t)lround(v);
			}
		}
	}
}

static int decode_rgba(const struct pic *p, shmfb_stamp *out)
{
	return shmfb_stamp_decode(p->rgba, p->w, p->h, p->w * 4, SHMFB_FMT_RGBA8, out);
}

static void expect_stamp(const struct pic *p, const shmfb_stamp *s, const char *what)
{
	shmfb_stamp got = {0, 0};
	int rc = decode_rgba(p, &got);
	if (rc != 0)
		FAIL_AT("%s (%ux%u): decode failed: %s", what, p->w, p->h, shmfb_errdetail());
	if (got.frame_number != s->frame_number || got.time_ns != s->time_ns)
		FAIL_AT("%s: got %llu/%llu, want %llu/%llu", what,
			(unsigned long long)got.frame_number, (unsigned long long)got.time_ns,
			(unsigned long long)s->frame_number, (unsigned long long)s->time_ns);
}

static void test_plain(void)
{
	const shmfb_stamp cases[] = {
		{0, 0}, {1, 1}, {UINT64_MAX, UINT64_MAX}, {123456789, 987654321012345ull},
		{0x8000000000000001ull, 0x5555555555555555ull},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pic p = stamped(1280, 720, &cases[i]);
		expect_stamp(&p, &cases[i], "plain 1280x720");
		free(p.rgba);
	}
	for (int i = 0; i < 20; i++) {
		shmfb_stamp s = {rnd(), rnd()};
		uint32_t w = 120 + (uint32_t)(rnd() % 1800), h = 32 + (uint32_t)(rnd() % 1000);
		struct pic p = stamped(w, h, &s);
		expect_stamp(&p, &s, "random size");
		free(p.rgba);
	}
}

static void test_scaled(void)
{
	static const struct { uint32_t sw, sh, dw, dh; int nearest; } cases[] = {
		{1280, 720, 2560, 1440, 0}, {1280, 720, 640, 360, 0}, {1280, 720, 640, 360, 1},
		{1280, 720, 853, 479, 0},   {1280, 720, 1931, 1087, 1}, {1280, 720, 700, 600, 0},
		{1280, 720, 427, 240, 0},   {1280, 720, 333, 187, 1}, {320, 240, 160, 120, 0},
		{320, 240, 640, 480, 1},    {640, 480, 1000, 333, 0}, {1920, 1080, 480, 270, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		shmfb_stamp s = {rnd(), rnd()};
		struct pic src = stamped(cases[i].sw, cases[i].sh, &s);
		struct pic dst = pic_new(cases[i].dw, cases[i].dh);
		blit_scaled(&src, &dst, 0, 0, dst.w, dst.h, cases[i].nearest);
		char what[96];
		snprintf(what, sizeof what, "%ux%u scaled to %ux%u%s", src.w, src.h, dst.w, dst.h,
			 cases[i].nearest ? " (nearest)" : "");
		expect_stamp(&dst, &s, what);
		free(src.rgba);
		free(dst.rgba);
	}
}

/* A screenshot: noisy desktop, a window with black letterbox bars, the picture inside. */
static void test_letterboxed_screenshot(void)
{
	shmfb_stamp s = {4242, 1234567890123ull};
	struct pic src = stamped(1280, 720, &s);
	struct pic screen = pic_new(1024, 768);
	for (size_t i = 0; i < (size_t)screen.w * screen.h * 4; i++)
		screen.rgba[i] = (uint8_t)rnd();
	/* window 600x500 at (200,100), black; picture fit inside: 600x337 at y offset 81 */
	for (uint32_t y = 100; y < 600; y++)
		memset(screen.rgba + ((size_t)y * screen.w + 200) * 4, 0, 600 * 4);
	blit_scaled(&src, &screen, 200, 100 + 81, 600, 337, 0);
	expect_stamp(&screen, &s, "letterboxed in a screenshot");
	/* Pillarboxed, scaled up, picture touching the screen's right edge. */
	for (size_t i = 0; i < (size_t)screen.w * screen.h * 4; i++)
		screen.rgba[i] = (uint8_t)rnd();
	blit_scaled(&src, &screen, 1024 - 900, 50, 900, 506, 0);
	expect_stamp(&screen, &s, "pillarboxed at the right edge");
	free(src.rgba);
	free(screen.rgba);
}

/* The test's own BT.709 conversions, done with doubles. */
static double luma709(const uint8_t *p)
{
	return 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
}

static void test_formats(void)
{
	shmfb_stamp s = {77, 88};
	struct pic p = stamped(1280, 720, &s);
	size_t n = (size_t)p.w * p.h;
	uint8_t *buf = malloc(n * 4);
	ASSERT(buf);
	/* BGRA and RGB24 */
	for (size_t i = 0; i < n; i++) {
		buf[i * 4] = p.rgba[i * 4 + 2];
		buf[i * 4 + 1] = p.rgba[i * 4 + 1];
		buf[i * 4 + 2] = p.rgba[i * 4];
		buf[i * 4 + 3] = 255;
	}
	shmfb_stamp got;
	ASSERT_OK(shmfb_stamp_decode(buf, p.w, p.h, p.w * 4, SHMFB_FMT_BGRA8, &got));
	ASSERT_EQ(got.frame_number, 77);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * 3, p.rgba + i * 4, 3);
	ASSERT_OK(shmfb_stamp_decode(buf, p.w, p.h, p.w * 3, SHMFB_FMT_RGB24, &got));
	ASSERT_EQ(got.time_ns, 88);
	/* Limited-range luma: the Y plane of NV12 and I420, and gray8 full range. */
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)lround(16 + 219 * luma709(p.rgba + i * 4) / 255);
	ASSERT_OK(shmfb_stamp_decode(buf, p.w, p.h, p.w, SHMFB_FMT_NV12, &got));
	ASSERT_OK(shmfb_stamp_decode(buf, p.w, p.h, p.w, SHMFB_FMT_I420, &got));
	ASSERT_EQ(got.frame_number, 77);
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)lround(luma709(p.rgba + i * 4));
	ASSERT_OK(shmfb_stamp_decode(buf, p.w, p.h, p.w, SHMFB_FMT_GRAY8, &got));
	/* YUYV: Y0 U Y1 V with chroma from the pixel pair. */
	for (size_t i = 0; i < n; i += 2) {
		buf[i * 2] = (uint8_t)lround(16 + 219 * luma709(p.rgba + i * 4) / 255);
		buf[i * 2 + 1] = 128;
		buf[i * 2 + 2] = (uint8_t)lround(16 + 219 * luma709(p.rgba + i * 4 + 4) / 255);
		buf[i * 2 + 3] = 128;
	}
	ASSERT_OK(shmfb_stamp_decode(buf, p.w, p.h, p.w * 2, SHMFB_FMT_YUYV, &got));
	ASSERT_EQ(got.time_ns, 88);
	/* A padded stride. */
	uint32_t stride = p.w * 4 + 64;
	uint8_t *padded = calloc((size_t)stride, p.h);
	ASSERT(padded);
	for (uint32_t y = 0; y < p.h; y++)
		memcpy(padded + (size_t)y * stride, p.rgba + (size_t)y * p.w * 4, p.w * 4);
	ASSERT_OK(shmfb_stamp_decode(padded, p.w, p.h, stride, SHMFB_FMT_RGBA8, &got));
	ASSERT_EQ(got.frame_number, 77);
	free(padded);
	free(buf);
	free(p.rgba);
}

static void test_rejects(void)
{
	shmfb_stamp s = {5, 6}, got;
	/* Nothing there. */
	struct pic blank = pic_new(640, 360);
	ASSERT_EQ(decode_rgba(&blank, &got), SHMFB_ENOFRAME);
	memset(blank.rgba, 255, (size_t)blank.w * blank.h * 4);
	ASSERT_EQ(decode_rgba(&blank, &got), SHMFB_ENOFRAME);
	for (size_t i = 0; i < (size_t)blank.w * blank.h * 4; i++)
		blank.rgba[i] = (uint8_t)rnd();
	ASSERT_EQ(decode_rgba(&blank, &got), SHMFB_ENOFRAME);
	free(blank.rgba);
	/* One data cell of line 2 inverted: that line's CRC-8 fails, so no stamp. */
	struct pic p = stamped(1200, 720, &s);
	uint32_t cell = 1200 / 60, x0 = (1200 - 58 * cell) / 2;
	for (uint32_t y = 2 * cell; y < 3 * cell; y++)
		for (uint32_t x = x0 + 20 * cell; x < x0 + 21 * cell; x++) {
			uint8_t *q = p.rgba + ((size_t)y * p.w + x) * 4;
			q[0] = q[1] = q[2] = (uint8_t)(255 - q[0]);
		}
	ASSERT_EQ(decode_rgba(&p, &got), SHMFB_ENOFRAME);
	free(p.rgba);
	/* Too small to draw, and bad arguments. */
	uint8_t tiny[100 * 100 * 4];
	ASSERT_EQ(shmfb_stamp_draw_rgba(tiny, 100, 100, 400, &s), SHMFB_EINVAL);
	ASSERT_EQ(shmfb_stamp_draw_rgba(tiny, 100, 20, 400, &s), SHMFB_EINVAL);
	ASSERT_EQ(shmfb_stamp_draw_rgba(tiny, 100, 100, 399, &s), SHMFB_EINVAL);
	ASSERT_EQ(shmfb_stamp_decode(tiny, 100, 100, 400, SHMFB_FMT_NONE, &got), SHMFB_EINVAL);
	ASSERT_EQ(shmfb_stamp_decode(tiny, 100, 100, 100, SHMFB_FMT_RGBA8, &got), SHMFB_EINVAL);
}

/* The layout promised by docs/PATTERN.md: band height, cell size, colours. */
static void test_geometry(void)
{
	shmfb_stamp s = {0, 0};
	struct pic p = stamped(1280, 720, &s);
	uint32_t cell = 1280 / 60; /* 21 */
	uint32_t x0 = (1280 - 58 * cell) / 2;
	/* The band is white outside the cells; line 0 starts black, white, black, white. */
	const uint8_t *row = p.rgba + (size_t)(cell / 2) * p.w * 4;
	ASSERT_EQ(row[(x0 - 1) * 4], 255);
	ASSERT_EQ(row[x0 * 4], 0);
	ASSERT_EQ(row[(x0 + cell) * 4], 255);
	ASSERT_EQ(row[(x0 + 2 * cell) * 4], 0);
	ASSERT_EQ(row[(x0 + 58 * cell - 1) * 4], 0);
	ASSERT_EQ(row[(x0 + 58 * cell) * 4], 255);
	/* Below the band the picture is untouched (our bars are not pure white/black noise). */
	const uint8_t *below = p.rgba + (size_t)(4 * cell) * p.w * 4;
	int white = 1;
	for (uint32_t x = 0; x < p.w && white; x++)
		white = below[x * 4] == 255 && below[x * 4 + 1] == 255 && below[x * 4 + 2] == 255;
	ASSERT(!white);
	free(p.rgba);
}

/* ---- docs/PATTERN.md, implemented again here from the text alone ---- */

static uint32_t spec_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static uint8_t spec_crc8(const uint8_t *p, size_t n)
{
	unsigned c = 0xff;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = ((c << 1) ^ ((c & 0x80) ? 0x07 : 0)) & 0xff;
	}
	return (uint8_t)c;
}

/* Every cell of every line of a drawn stamp is the colour the spec says. */
static void test_spec_bits(uint32_t w, uint32_t h, const shmfb_stamp *s)
{
	ASSERT_EQ(spec_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
	ASSERT_EQ(spec_crc8((const uint8_t *)"123456789", 9), 0xfb);
	uint8_t m[20];
	for (int i = 0; i < 8; i++) {
		m[i] = (uint8_t)(s->frame_number >> (56 - 8 * i));
		m[8 + i] = (uint8_t)(s->time_ns >> (56 - 8 * i));
	}
	uint32_t crc = spec_crc32(m, 16);
	for (int i = 0; i < 4; i++)
		m[16 + i] = (uint8_t)(crc >> (24 - 8 * i));
	struct pic p = stamped(w, h, s);
	uint32_t cell = w / 60 < h / 16 ? w / 60 : h / 16;
	uint32_t x0 = (w - 58 * cell) / 2;
	for (int line = 0; line < 4; line++) {
		uint8_t bits[58] = {1, 0, 1, 0, (uint8_t)(line >> 1), (uint8_t)(line & 1)};
		uint8_t bytes[6] = {(uint8_t)line};
		memcpy(bytes + 1, m + 5 * line, 5);
		for (int b = 0; b < 40; b++)
			bits[6 + b] = bytes[1 + b / 8] >> (7 - b % 8) & 1;
		uint8_t c8 = spec_crc8(bytes, 6);
		for (int b = 0; b < 8; b++)
			bits[46 + b] = c8 >> (7 - b) & 1;
		bits[54] = 0, bits[55] = 1, bits[56] = 0, bits[57] = 1;
		for (int k = 0; k < 58; k++)
			for (uint32_t dy = 0; dy < cell; dy++)
				for (uint32_t dx = 0; dx < cell; dx++) {
					uint32_t x = x0 + (uint32_t)k * cell + dx, y = (uint32_t)line * cell + dy;
					const uint8_t *q = p.rgba + ((size_t)y * w + x) * 4;
					uint8_t want = bits[k] ? 0 : 255;
					if (q[0] != want || q[1] != want || q[2] != want || q[3] != 255)
						FAIL_AT("%ux%u line %d cell %d pixel (%u,%u): %u, want %u", w, h,
							line, k, x, y, q[0], want);
				}
		/* the quiet zones either side are white */
		for (uint32_t x = 0; x < x0; x++)
			ASSERT_EQ(p.rgba[((size_t)line * cell * w + x) * 4], 255);
		for (uint32_t x = x0 + 58 * cell; x < w; x++)
			ASSERT_EQ(p.rgba[((size_t)line * cell * w + x) * 4], 255);
	}
	free(p.rgba);
}

int main(void)
{
	shmfb_stamp spec_cases[] = {{0, 0}, {42, 1234567890123ull}, {UINT64_MAX, 0x0123456789abcdefull}};
	test_spec_bits(1280, 720, &spec_cases[0]);
	test_spec_bits(1280, 720, &spec_cases[1]);
	test_spec_bits(333, 1000, &spec_cases[2]);
	test_spec_bits(1920, 100, &spec_cases[1]);
	test_plain();
	test_scaled();
	test_letterboxed_screenshot();
	test_formats();
	test_rejects();
	test_geometry();
	printf("stamp ok\n");
	return 0;
}
