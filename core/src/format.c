/*
 * format.c - pixel formats and the byte layout of a frame.
 *
 * Frames are tightly packed (stride = width * bytes per pixel) so a slot
 * holds exactly what ffmpeg calls rawvideo of the same pix_fmt, and a
 * copy-publish is one memcpy.
 */
#include <string.h>

#include "internal.h"

static const struct {
	const char *name;
	const char *alias;
} fmt_names[SHMFB_FMT_COUNT] = {
	[SHMFB_FMT_RGBA8] = {"rgba", "rgba8"},
	[SHMFB_FMT_BGRA8] = {"bgra", "bgra8"},
	[SHMFB_FMT_RGB24] = {"rgb24", "rgb"},
	[SHMFB_FMT_GRAY8] = {"gray8", "gray"},
	[SHMFB_FMT_NV12] = {"nv12", NULL},
	[SHMFB_FMT_I420] = {"i420", "yuv420p"},
	[SHMFB_FMT_YUYV] = {"yuyv", "yuyv422"},
};

const char *shmfb_pixfmt_name(shmfb_pixfmt f)
{
	if (f <= SHMFB_FMT_NONE || f >= SHMFB_FMT_COUNT)
		return NULL;
	return fmt_names[f].name;
}

shmfb_pixfmt shmfb_pixfmt_from_name(const char *name)
{
	if (!name)
		return SHMFB_FMT_NONE;
	for (int f = 1; f < SHMFB_FMT_COUNT; f++) {
		if (!strcmp(name, fmt_names[f].name) ||
		    (fmt_names[f].alias && !strcmp(name, fmt_names[f].alias)))
			return (shmfb_pixfmt)f;
	}
	return SHMFB_FMT_NONE;
}

static void add_plane(shmfb_layout *l, uint32_t row_bytes, uint32_t rows)
{
	uint32_t i = l->plane_count++;
	l->offset[i] = (uint32_t)l->frame_bytes;
	l->stride[i] = row_bytes;
	l->row_bytes[i] = row_bytes;
	l->rows[i] = rows;
	l->frame_bytes += (uint64_t)row_bytes * rows;
}

int shmfb_layout_compute(uint32_t w, uint32_t h, shmfb_pixfmt format,
			 shmfb_layout *l)
{
	memset(l, 0, sizeof *l);
	if (!shmfb_pixfmt_name(format))
		return shmfb__errorf(SHMFB_EBADFORMAT, "unknown pixel format %d", (int)format);
	if (w == 0 || h == 0)
		return shmfb__errorf(SHMFB_EZEROSIZE, "size %ux%u: width and height must be at least 1", w, h);
	if (w > SHMFB_MAX_DIM || h > SHMFB_MAX_DIM)
		return shmfb__errorf(SHMFB_ETOOBIG, "size %ux%u: width and height are limited to %u",
				     w, h, SHMFB_MAX_DIM);
	/* Chroma subsampling needs even sizes so every chroma sample is whole. */
	int even_w = format == SHMFB_FMT_NV12 || format == SHMFB_FMT_I420 || format == SHMFB_FMT_YUYV;
	int even_h = format == SHMFB_FMT_NV12 || format == SHMFB_FMT_I420;
	if ((even_w && (w & 1)) || (even_h && (h & 1)))
		return shmfb__errorf(SHMFB_EBADFORMAT, "size %ux%u: %s needs an even %s", w, h,
				     shmfb_pixfmt_name(format), (even_w && (w & 1)) ? "width" : "height");
	/* w, h <= 16384 so no product below overflows 32 bits except the total. */
	switch (format) {
	case SHMFB_FMT_RGBA8:
	case SHMFB_FMT_BGRA8: add_plane(l, w * 4, h); break;
	case SHMFB_FMT_RGB24: add_plane(l, w * 3, h); break;
	case SHMFB_FMT_GRAY8: add_plane(l, w, h); break;
	case SHMFB_FMT_YUYV: add_plane(l, w * 2, h); break;
	case SHMFB_FMT_NV12:
		add_plane(l, w, h);
		add_plane(l, w, h / 2);
		break;
	case SHMFB_FMT_I420:
		add_plane(l, w, h);
		add_plane(l, w / 2, h / 2);
		add_plane(l, w / 2, h / 2);
		break;
	default: break;
	}
	if (l->frame_bytes > SHMFB_MAX_FRAME_BYTES)
		return shmfb__errorf(SHMFB_ETOOBIG, "size %ux%u %s: %llu bytes a frame, over the limit of %llu",
				     w, h, shmfb_pixfmt_name(format),
				     (unsigned long long)l->frame_bytes,
				     (unsigned long long)SHMFB_MAX_FRAME_BYTES);
	return 0;
}
