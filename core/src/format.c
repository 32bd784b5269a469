/*
 * format.c - pixel formats and the byte layout of a frame.
 *
 * Frames are tightly packed (stride = width * bytes per pixel) unless the
 * writer asks for a row alignment, so a slot holds exactly what ffmpeg calls
 * rawvideo of the same pix_fmt, and a copy-publish is one memcpy.  The
 * colour description's rules (which values exist, which fit a format) are
 * here too, shared by the writer (which refuses a misfit) and the reader
 * (which reads it as unspecified).
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

/*
 * Appends a plane, its stride the row rounded up to `align` (a power of
 * two).  Rows are at most 4 x 16384 bytes and align at most 4096, so the
 * stride fits 32 bits; three planes of at most 2^16 x 2^14 bytes fit 64.
 */
static void add_plane(shmfb_layout *l, uint32_t row_bytes, uint32_t rows, uint32_t align)
{
	uint32_t i = l->plane_count++;
	uint32_t stride = (row_bytes + align - 1) & ~(align - 1);
	l->offset[i] = (uint32_t)l->frame_bytes;
	l->stride[i] = stride;
	l->row_bytes[i] = row_bytes;
	l->rows[i] = rows;
	l->frame_bytes += (uint64_t)stride * rows;
}

int shmfb_layout_compute(uint32_t w, uint32_t h, shmfb_pixfmt format,
			 shmfb_layout *l)
{
	return shmfb_layout_compute_aligned(w, h, format, 1, l);
}

int shmfb_layout_compute_aligned(uint32_t w, uint32_t h, shmfb_pixfmt format,
				 uint32_t align, shmfb_layout *l)
{
	memset(l, 0, sizeof *l);
	if (align == 0)
		align = 1;
	if (align > SHMFB_MAX_ROW_ALIGN || (align & (align - 1)))
		return shmfb__errorf(SHMFB_EINVAL, "row alignment %u: must be a power of two up to %u",
				     align, SHMFB_MAX_ROW_ALIGN);
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
	case SHMFB_FMT_BGRA8: add_plane(l, w * 4, h, align); break;
	case SHMFB_FMT_RGB24: add_plane(l, w * 3, h, align); break;
	case SHMFB_FMT_GRAY8: add_plane(l, w, h, align); break;
	case SHMFB_FMT_YUYV: add_plane(l, w * 2, h, align); break;
	case SHMFB_FMT_NV12:
		add_plane(l, w, h, align);
		add_plane(l, w, h / 2, align);
		break;
	case SHMFB_FMT_I420:
		add_plane(l, w, h, align);
		add_plane(l, w / 2, h / 2, align);
		add_plane(l, w / 2, h / 2, align);
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

static int is_yuv(shmfb_pixfmt f)
{
	return f == SHMFB_FMT_NV12 || f == SHMFB_FMT_I420 || f == SHMFB_FMT_YUYV;
}

static int is_rgb(shmfb_pixfmt f)
{
	return f == SHMFB_FMT_RGBA8 || f == SHMFB_FMT_BGRA8 || f == SHMFB_FMT_RGB24;
}

/* A matrix fits a format when it says how that format's values are made. */
static int matrix_fits(uint32_t m, shmfb_pixfmt f)
{
	if (m == SHMFB_MATRIX_UNSPECIFIED)
		return 1;
	if (m == SHMFB_MATRIX_RGB)
		return is_rgb(f);
	return m < SHMFB_MATRIX_COUNT && !is_rgb(f); /* gray8: the luma's weights */
}

/* Keeps `v` if `ok`, else remembers the first field that was not. */
static uint32_t keep_if(int ok, uint32_t v, const char *field, const char **bad, uint32_t *bad_value)
{
	if (ok)
		return v;
	if (!*bad) {
		*bad = field;
		*bad_value = v;
	}
	return 0;
}

const char *shmfb__color_fit(shmfb_pixfmt f, const shmfb_color *in, shmfb_color *out,
			     uint32_t *bad_value)
{
	const char *bad = NULL;
	uint32_t m = (uint32_t)in->matrix, r = (uint32_t)in->range, t = (uint32_t)in->transfer;
	uint32_t p = (uint32_t)in->primaries, c = (uint32_t)in->chroma_site;
	out->matrix = (shmfb_color_matrix)keep_if(matrix_fits(m, f), m, "matrix", &bad, bad_value);
	out->range = (shmfb_color_range)keep_if(r < SHMFB_RANGE_COUNT, r, "range", &bad, bad_value);
	out->transfer = (shmfb_color_transfer)keep_if(t < SHMFB_TRANSFER_COUNT, t, "transfer", &bad,
						      bad_value);
	out->primaries = (shmfb_color_primaries)keep_if(p < SHMFB_PRIMARIES_COUNT, p, "primaries",
							&bad, bad_value);
	out->chroma_site = (shmfb_chroma_site)keep_if(
		c == SHMFB_CHROMA_UNSPECIFIED || (c < SHMFB_CHROMA_COUNT && is_yuv(f)), c,
		"chroma site", &bad, bad_value);
	return bad;
}
