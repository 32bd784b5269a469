/*
 * test_cat_padded_posix.c - `shmfb cat` writes ffmpeg's rawvideo layout
 * (planes back to back, rows without padding) whatever the mapping's
 * strides.  A writer asks the library for a row alignment (4, GStreamer's,
 * at width 350 where GStreamer pads rgb24, gray8 and i420 rows; and 64,
 * which pads every format), fills every padding byte with 0xEE, and the
 * real `shmfb cat` must write exactly the tight frame the test builds from
 * the format definitions alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"
#include "shmfb.h"
#include "test.h"
#include "util.h"

#define W 350
#define H 10
#define PAD_BYTE 0xEE

/* A plane by the format's definition: row bytes = W * num / den, rows = H / rows_den. */
struct plane_def {
	uint32_t num, den, rows_den;
};

static const struct {
	shmfb_pixfmt f;
	struct plane_def planes[3];
	uint32_t count;
} formats[] = {
	{SHMFB_FMT_RGBA8, {{4, 1, 1}}, 1},
	{SHMFB_FMT_BGRA8, {{4, 1, 1}}, 1},
	{SHMFB_FMT_RGB24, {{3, 1, 1}}, 1},
	{SHMFB_FMT_GRAY8, {{1, 1, 1}}, 1},
	{SHMFB_FMT_NV12, {{1, 1, 1}, {1, 1, 2}}, 2},
	{SHMFB_FMT_I420, {{1, 1, 1}, {1, 2, 2}, {1, 2, 2}}, 3},
	{SHMFB_FMT_YUYV, {{2, 1, 1}}, 1},
};

/* The pixel byte at (plane, row, byte) of frame `seed`: never PAD_BYTE's pattern alone. */
static uint8_t pixel(uint32_t seed, uint32_t plane, uint32_t y, uint32_t x)
{
	return (uint8_t)(seed * 29 + plane * 71 + y * 13 + x * 7 + (x >> 8));
}

static uint32_t round_up(uint32_t n, uint32_t align)
{
	return align ? (n + align - 1) / align * align : n;
}

/* Publishes one frame whose pixels are pixel(seed, ...) and whose padding is PAD_BYTE. */
static void publish(shmfb_writer *w, size_t fi, uint32_t align, uint32_t seed)
{
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	ASSERT_EQ(p.plane_count, formats[fi].count);
	for (uint32_t i = 0; i < p.plane_count; i++) {
		const struct plane_def *d = &formats[fi].planes[i];
		uint32_t row = W * d->num / d->den;
		ASSERT_EQ(p.stride[i], round_up(row, align));
		for (uint32_t y = 0; y < H / d->rows_den; y++) {
			uint8_t *r = p.data[i] + (size_t)y * p.stride[i];
			for (uint32_t x = 0; x < p.stride[i]; x++)
				r[x] = x < row ? pixel(seed, i, y, x) : PAD_BYTE;
		}
	}
	shmfb_writer_publish(w, seed, shmfb_now_ns());
}

/* The frame as ffmpeg's rawvideo has it, from the definitions; its length in *len. */
static uint8_t *expected(size_t fi, uint32_t seed, size_t *len)
{
	uint8_t *buf = malloc((size_t)W * H * 4), *o = buf;
	ASSERT(buf);
	for (uint32_t i = 0; i < formats[fi].count; i++) {
		const struct plane_def *d = &formats[fi].planes[i];
		for (uint32_t y = 0; y < H / d->rows_den; y++)
			for (uint32_t x = 0; x < W * d->num / d->den; x++)
				*o++ = pixel(seed, i, y, x);
	}
	*len = (size_t)(o - buf);
	return buf;
}

/* Runs `shmfb cat NAME ARGS` and returns what it wrote on stdout; it must exit 0. */
static char *run_cat(const char *name, const char *args, size_t *len)
{
	char cmd[1024], err[512];
	snprintf(err, sizeof err, "%s/cat.err", test_tmpdir());
	snprintf(cmd, sizeof cmd, "'%s/shmfb' cat '%s' %s 2>'%s'", prog_bin_dir(), name, args, err);
	FILE *f = popen(cmd, "r");
	ASSERT(f);
	size_t cap = (size_t)W * H * 8, n = 0, k;
	char *buf = malloc(cap + 1);
	ASSERT(buf);
	while (n < cap && (k = fread(buf + n, 1, cap - n, f)) > 0)
		n += k;
	buf[n] = 0;
	int st = pclose(f);
	if (st != 0) {
		size_t elen;
		FAIL_AT("%s: exit status %d: %s", cmd, st, prog_slurp(err, &elen));
	}
	*len = n;
	return buf;
}

static void check(size_t fi, uint32_t align)
{
	const char *fname = shmfb_pixfmt_name(formats[fi].f);
	const char *name = test_unique_name("catpad");
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	o.format = formats[fi].f;
	o.row_align = align;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	uint32_t seed = (uint32_t)(fi * 10 + align);
	publish(w, fi, align, seed);
	size_t got_len, want_len;
	char *got = run_cat(name, "--frames 1 --timeout 5", &got_len);
	uint8_t *want = expected(fi, seed, &want_len);
	if (got_len != want_len)
		FAIL_AT("%s, rows aligned to %u: cat wrote %zu bytes, a tight frame is %zu", fname, align,
			got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		if ((uint8_t)got[i] != want[i])
			FAIL_AT("%s, rows aligned to %u: byte %zu is %u, want %u", fname, align, i,
				(uint8_t)got[i], want[i]);
	free(got);
	/* --info describes that tight frame: the size and ffmpeg's pix_fmt only. */
	char *info = run_cat(name, "--info", &got_len);
	char size[32];
	snprintf(size, sizeof size, "-video_size %ux%u", W, H);
	ASSERT_STR_CONTAINS(info, size);
	free(info);
	free(want);
	ASSERT_OK(shmfb_writer_close(w));
	printf("ok: %s rows aligned to %u: cat wrote the tight frame\n", fname, align);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	int rc = prog_init("shmfb");
	if (rc)
		return rc;
	for (size_t fi = 0; fi < sizeof formats / sizeof formats[0]; fi++) {
		check(fi, 0);
		check(fi, 4);
		check(fi, 64);
	}
	return 0;
}
