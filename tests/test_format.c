/*
 * test_format.c - pixel formats and frame layouts, against sizes worked out
 * here from the format definitions (bytes per pixel, chroma subsampling).
 */
#include "shmfb.h"
#include "test.h"

struct expect {
	shmfb_pixfmt f;
	const char *name;
	double bytes_per_pixel; /* all planes together */
	int planes;
	int even_w, even_h;
};

static const struct expect table[] = {
	{SHMFB_FMT_RGBA8, "rgba", 4, 1, 0, 0},
	{SHMFB_FMT_BGRA8, "bgra", 4, 1, 0, 0},
	{SHMFB_FMT_RGB24, "rgb24", 3, 1, 0, 0},
	{SHMFB_FMT_GRAY8, "gray8", 1, 1, 0, 0},
	{SHMFB_FMT_NV12, "nv12", 1.5, 2, 1, 1},
	{SHMFB_FMT_I420, "i420", 1.5, 3, 1, 1},
	{SHMFB_FMT_YUYV, "yuyv", 2, 1, 1, 0},
};

static void check_sizes(const struct expect *e, uint32_t w, uint32_t h)
{
	shmfb_layout l;
	ASSERT_OK(shmfb_layout_compute(w, h, e->f, &l));
	ASSERT_EQ(l.plane_count, e->planes);
	ASSERT_EQ(l.frame_bytes, (uint64_t)(e->bytes_per_pixel * w * h));
	/* Planes are packed back to back, each inside the frame. */
	uint64_t end = 0;
	for (uint32_t i = 0; i < l.plane_count; i++) {
		ASSERT_EQ(l.offset[i], end);
		ASSERT_GE(l.stride[i], l.row_bytes[i]);
		end += (uint64_t)l.stride[i] * l.rows[i];
	}
	ASSERT_EQ(end, l.frame_bytes);
	/* Per-plane geometry from the definitions. */
	if (e->f == SHMFB_FMT_NV12) {
		ASSERT_EQ(l.stride[1], w);
		ASSERT_EQ(l.rows[1], h / 2);
	}
	if (e->f == SHMFB_FMT_I420) {
		ASSERT_EQ(l.stride[1], w / 2);
		ASSERT_EQ(l.rows[2], h / 2);
		ASSERT_EQ(l.offset[2], w * h + (w / 2) * (h / 2));
	}
}

/* GST_ROUND_UP_4: GStreamer's default stride for every plane of these formats. */
static uint32_t up4(uint32_t n)
{
	return (n + 3) / 4 * 4;
}

/*
 * Aligned rows at width 350, where GStreamer pads them, against GStreamer's
 * own video-info formulas (video-info.c: strides GST_ROUND_UP_4 of the row,
 * planes back to back).
 */
static void check_aligned(void)
{
	const uint32_t w = 350, h = 100;
	shmfb_layout l;
	ASSERT_OK(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_RGB24, 4, &l));
	ASSERT_EQ(l.stride[0], 1052);
	ASSERT_EQ(l.row_bytes[0], 1050);
	ASSERT_EQ(l.frame_bytes, 1052 * h);
	ASSERT_OK(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_I420, 4, &l));
	ASSERT_EQ(l.stride[0], up4(w));
	ASSERT_EQ(l.stride[1], up4(w / 2));
	ASSERT_EQ(l.stride[2], up4(w / 2));
	ASSERT_EQ(l.row_bytes[1], w / 2);
	ASSERT_EQ(l.offset[1], up4(w) * h);
	ASSERT_EQ(l.offset[2], up4(w) * h + up4(w / 2) * (h / 2));
	ASSERT_EQ(l.frame_bytes, up4(w) * h + 2 * up4(w / 2) * (h / 2));
	ASSERT_OK(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_NV12, 4, &l));
	ASSERT_EQ(l.stride[1], up4(w));
	ASSERT_EQ(l.frame_bytes, up4(w) * h + up4(w) * (h / 2));
	ASSERT_OK(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_GRAY8, 64, &l));
	ASSERT_EQ(l.stride[0], 384);
	/* 0 and 1 are tight: the same as shmfb_layout_compute. */
	shmfb_layout tight;
	ASSERT_OK(shmfb_layout_compute(w, h, SHMFB_FMT_I420, &tight));
	ASSERT_OK(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_I420, 0, &l));
	ASSERT(!memcmp(&l, &tight, sizeof l));
	ASSERT_OK(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_I420, 1, &l));
	ASSERT(!memcmp(&l, &tight, sizeof l));
	ASSERT_EQ(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_RGB24, 3, &l), SHMFB_EINVAL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "row alignment 3");
	ASSERT_EQ(shmfb_layout_compute_aligned(w, h, SHMFB_FMT_RGB24, 8192, &l), SHMFB_EINVAL);
	/* The largest padding at the largest size still fits 1 GiB exactly. */
	ASSERT_OK(shmfb_layout_compute_aligned(SHMFB_MAX_DIM - 1, SHMFB_MAX_DIM, SHMFB_FMT_RGBA8,
					       SHMFB_MAX_ROW_ALIGN, &l));
	ASSERT_EQ(l.frame_bytes, SHMFB_MAX_FRAME_BYTES);
}

int main(void)
{
	check_aligned();
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct expect *e = &table[i];
		ASSERT(!strcmp(shmfb_pixfmt_name(e->f), e->name));
		ASSERT_EQ(shmfb_pixfmt_from_name(e->name), e->f);
		check_sizes(e, 1920, 1080);
		check_sizes(e, 2, 2);
		check_sizes(e, 640, 480);
		shmfb_layout l;
		ASSERT_EQ(shmfb_layout_compute(0, 10, e->f, &l), SHMFB_EZEROSIZE);
		ASSERT_EQ(shmfb_layout_compute(10, 0, e->f, &l), SHMFB_EZEROSIZE);
		ASSERT_EQ(shmfb_layout_compute(SHMFB_MAX_DIM + 1, 2, e->f, &l), SHMFB_ETOOBIG);
		int rc = shmfb_layout_compute(3, 2, e->f, &l);
		ASSERT_EQ(rc, e->even_w ? SHMFB_EBADFORMAT : 0);
		rc = shmfb_layout_compute(2, 3, e->f, &l);
		ASSERT_EQ(rc, e->even_h ? SHMFB_EBADFORMAT : 0);
	}
	shmfb_layout l;
	ASSERT_EQ(shmfb_layout_compute(16, 16, SHMFB_FMT_NONE, &l), SHMFB_EBADFORMAT);
	ASSERT_EQ(shmfb_layout_compute(16, 16, (shmfb_pixfmt)99, &l), SHMFB_EBADFORMAT);
	ASSERT(shmfb_pixfmt_name((shmfb_pixfmt)99) == NULL);
	ASSERT_EQ(shmfb_pixfmt_from_name("rgba8"), SHMFB_FMT_RGBA8);
	ASSERT_EQ(shmfb_pixfmt_from_name("yuv420p"), SHMFB_FMT_I420);
	ASSERT_EQ(shmfb_pixfmt_from_name("argb"), SHMFB_FMT_NONE);
	/* The largest frame is exactly the limit; errors name the size. */
	ASSERT_OK(shmfb_layout_compute(SHMFB_MAX_DIM, SHMFB_MAX_DIM, SHMFB_FMT_RGBA8, &l));
	ASSERT_EQ(l.frame_bytes, (uint64_t)SHMFB_MAX_DIM * SHMFB_MAX_DIM * 4);
	ASSERT_EQ(shmfb_layout_compute(641, 480, SHMFB_FMT_NV12, &l), SHMFB_EBADFORMAT);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "641x480");
	/* Every code has its own text. */
	ASSERT(strcmp(shmfb_strerror(SHMFB_EBADMAGIC), shmfb_strerror(SHMFB_EBADVERSION)));
	ASSERT(!strcmp(shmfb_strerror(12345), "unknown error"));
	return 0;
}
