/*
 * picture.c - the frame on screen: a streaming texture filled straight from
 * the mapping's slot, and the copy of the shown frame kept for screenshots.
 *
 * Zero-copy upload: SDL_Update*Texture reads the pixels from the slot
 * (GL and the software renderer both copy them before returning), then
 * shmfb_frame_valid tells whether the producer touched the slot meanwhile.
 * If it did, the texture holds a torn picture: it is marked dirty, never
 * drawn, and the upload is redone from the newest frame.  gray8, which SDL
 * has no texture format for, is expanded to RGB24 first and uploaded after
 * the check; so is YUV whose colour SDL has no conversion mode for.
 *
 * YUV is converted with the matrix and range the header gives (BT.601,
 * BT.709, BT.2020; limited or full), BT.709 limited range when it says
 * nothing (what shmfb-producer always wrote).  SDL converts BT.601 and
 * BT.709 limited and BT.601 full (its JPEG mode); the others are converted
 * here, with the same code that makes screenshots, so screen and
 * screenshot agree.
 */
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "viewer.h"

/* Upload attempts before giving up on a producer that always laps us. */
#define UPLOAD_TRIES 64

void picture_init(picture *p, SDL_Renderer *ren, int keep)
{
	memset(p, 0, sizeof *p);
	p->ren = ren;
	p->keep = keep;
}

void picture_free(picture *p)
{
	if (p->tex)
		SDL_DestroyTexture(p->tex);
	free(p->expanded);
	free(p->kept);
	p->tex = NULL;
	p->expanded = p->kept = NULL;
}

static int is_yuv(shmfb_pixfmt f)
{
	return f == SHMFB_FMT_NV12 || f == SHMFB_FMT_I420 || f == SHMFB_FMT_YUYV;
}

/*
 * The conversion of a matrix and range to R'G'B' (0..255): luma scaled by
 * 255/219 in limited range, chroma by 255/224; R = Y + 2(1-Kr) Cr,
 * B = Y + 2(1-Kb) Cb, G from the two by Kg = 1 - Kr - Kb.  An unspecified
 * matrix is BT.709; an unspecified range limited for YUV, full for gray8
 * (what shmfb-producer always wrote).
 */
static yuv_coeffs coeffs_for(const shmfb_color *c, shmfb_pixfmt f)
{
	double kr = 0.2126, kb = 0.0722;
	if (c->matrix == SHMFB_MATRIX_BT601)
		kr = 0.299, kb = 0.114;
	else if (c->matrix == SHMFB_MATRIX_BT2020)
		kr = 0.2627, kb = 0.0593;
	int full = c->range == SHMFB_RANGE_FULL ||
		   (c->range == SHMFB_RANGE_UNSPECIFIED && f == SHMFB_FMT_GRAY8);
	double ys = full ? 1.0 : 255.0 / 219, cs = full ? 1.0 : 255.0 / 224, kg = 1 - kr - kb;
	yuv_coeffs k;
	k.y = (int32_t)(ys * 65536 + 0.5);
	k.y_off = full ? 0 : 16;
	k.r_cr = (int32_t)(2 * (1 - kr) * cs * 65536 + 0.5);
	k.b_cb = (int32_t)(2 * (1 - kb) * cs * 65536 + 0.5);
	k.g_cb = (int32_t)(2 * (1 - kb) * kb / kg * cs * 65536 + 0.5);
	k.g_cr = (int32_t)(2 * (1 - kr) * kr / kg * cs * 65536 + 0.5);
	return k;
}

/* SDL's mode for the colour of YUV frames; 0 when SDL has none and picture.c converts. */
static int sdl_yuv_mode(const shmfb_color *c, SDL_YUV_CONVERSION_MODE *mode)
{
	int full = c->range == SHMFB_RANGE_FULL;
	switch (c->matrix) {
	case SHMFB_MATRIX_BT601:
		*mode = full ? SDL_YUV_CONVERSION_JPEG : SDL_YUV_CONVERSION_BT601;
		return 1;
	case SHMFB_MATRIX_UNSPECIFIED:
	case SHMFB_MATRIX_BT709:
		*mode = SDL_YUV_CONVERSION_BT709;
		return !full;
	default:
		return 0;
	}
}

static Uint32 texture_format(shmfb_pixfmt f, int expand)
{
	if (expand)
		return SDL_PIXELFORMAT_RGB24;
	switch (f) {
	case SHMFB_FMT_RGBA8: return SDL_PIXELFORMAT_RGBA32; /* bytes R,G,B,A */
	case SHMFB_FMT_BGRA8: return SDL_PIXELFORMAT_BGRA32; /* bytes B,G,R,A */
	case SHMFB_FMT_RGB24: return SDL_PIXELFORMAT_RGB24;
	case SHMFB_FMT_GRAY8: return SDL_PIXELFORMAT_RGB24;  /* expanded */
	case SHMFB_FMT_NV12: return SDL_PIXELFORMAT_NV12;
	case SHMFB_FMT_I420: return SDL_PIXELFORMAT_IYUV;
	case SHMFB_FMT_YUYV: return SDL_PIXELFORMAT_YUY2;
	default: return SDL_PIXELFORMAT_UNKNOWN;
	}
}

/* Makes the texture and buffers fit the mapping's geometry. */
static int fit_geometry(picture *p, const shmfb_info *info, char *err, size_t errlen)
{
	if (p->tex && p->width == info->width && p->height == info->height &&
	    p->format == info->format && !memcmp(&p->layout, &info->layout, sizeof p->layout) &&
	    !memcmp(&p->color, &info->color, sizeof p->color))
		return 0;
	picture_free(p);
	p->have_frame = 0;
	p->dirty = 0;
	p->width = info->width;
	p->height = info->height;
	p->format = info->format;
	p->layout = info->layout;
	p->color = info->color;
	p->yuv = coeffs_for(&info->color, info->format);
	SDL_YUV_CONVERSION_MODE mode = SDL_YUV_CONVERSION_BT709;
	p->expand = info->format == SHMFB_FMT_GRAY8 ||
		    (is_yuv(info->format) && !sdl_yuv_mode(&info->color, &mode));
	/* SDL reads its one global mode when it converts or draws: one mapping is shown at a time. */
	SDL_SetYUVConversionMode(mode);
	const char *fname = shmfb_pixfmt_name(info->format);
	Uint32 tf = texture_format(info->format, p->expand);
	if (tf == SDL_PIXELFORMAT_UNKNOWN) {
		snprintf(err, errlen, "%s: pixel format %d is not supported", info->name, info->format);
		return SHMFB_EBADFORMAT;
	}
	p->tex = SDL_CreateTexture(p->ren, tf, SDL_TEXTUREACCESS_STREAMING, (int)info->width,
				   (int)info->height);
	if (!p->tex) {
		snprintf(err, errlen, "%s: cannot make a %ux%u %s texture: %s", info->name,
			 info->width, info->height, fname ? fname : "?", SDL_GetError());
		return SHMFB_EIO;
	}
	/* The picture is opaque on screen: alpha is data, not a blend factor. */
	SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_NONE);
	size_t pixels = (size_t)info->width * info->height;
	if (p->expand)
		p->expanded = malloc(pixels * 3);
	if (p->keep)
		p->kept = malloc(info->layout.frame_bytes);
	if ((p->expand && !p->expanded) || (p->keep && !p->kept)) {
		snprintf(err, errlen, "%s: out of memory for a %ux%u frame", info->name, info->width,
			 info->height);
		picture_free(p);
		return SHMFB_ENOMEM;
	}
	return 0;
}

static void yuv_row(const picture *p, const uint8_t *const *data, const uint32_t *stride,
		    uint32_t y, uint8_t *out, uint32_t px_bytes);

static void expand_frame(const picture *p, const shmfb_frame *f)
{
	for (uint32_t y = 0; y < p->height; y++)
		yuv_row(p, f->data, f->stride, y, p->expanded + (size_t)y * p->width * 3, 3);
}

/* Copies pixels from the slot into the texture; SDL's return code. */
static int upload_from_slot(picture *p, const shmfb_frame *f)
{
	switch (p->format) {
	case SHMFB_FMT_NV12:
		return SDL_UpdateNVTexture(p->tex, NULL, f->data[0], (int)f->stride[0], f->data[1],
					   (int)f->stride[1]);
	case SHMFB_FMT_I420:
		return SDL_UpdateYUVTexture(p->tex, NULL, f->data[0], (int)f->stride[0], f->data[1],
					    (int)f->stride[1], f->data[2], (int)f->stride[2]);
	default:
		return SDL_UpdateTexture(p->tex, NULL, f->data[0], (int)f->stride[0]);
	}
}

/*
 * Is the frame all white (shmfb-producer --av-sync's flash)?  Samples every
 * 8th pixel of five rows below the stamp (the top quarter): at least 98% of
 * them must have every colour (or the luma) at 200 or more.  Luma alone is
 * enough for the YUV formats: no row of the pattern is bright throughout.
 */
static int looks_white(const picture *p, const shmfb_frame *f)
{
	static const unsigned eighths[5] = {3, 4, 5, 6, 7};
	uint32_t bytes = p->format == SHMFB_FMT_RGBA8 || p->format == SHMFB_FMT_BGRA8 ? 4
			 : p->format == SHMFB_FMT_RGB24 ? 3
			 : p->format == SHMFB_FMT_YUYV ? 2
							 : 1;
	uint32_t colours = bytes >= 3 ? 3 : 1;
	uint64_t seen = 0, bright = 0;
	for (int i = 0; i < 5; i++) {
		uint32_t y = (uint32_t)((uint64_t)p->height * eighths[i] / 8);
		if (y >= p->height)
			y = p->height - 1;
		const uint8_t *row = f->data[0] + (size_t)y * f->stride[0];
		for (uint32_t x = 0; x < p->width; x += 8) {
			const uint8_t *px = row + (size_t)x * bytes;
			int ok = 1;
			for (uint32_t c = 0; c < colours; c++)
				ok &= px[c] >= 200;
			bright += (uint64_t)ok;
			seen++;
		}
	}
	return seen && bright * 100 >= seen * 98;
}

/* Reads one frame out of its slot; 1 if it was intact, 0 if torn, <0 SDL error. */
static int read_slot(picture *p, const shmfb_frame *f, shmfb_reader *r)
{
	int sdl_rc = 0;
	if (p->expand)
		expand_frame(p, f);
	else
		sdl_rc = upload_from_slot(p, f);
	/* The whole frame from the slot's start: plane offsets are from there. */
	if (p->keep)
		memcpy(p->kept, f->data[0] - p->layout.offset[0], p->layout.frame_bytes);
	p->white = looks_white(p, f);
	if (!shmfb_frame_valid(r, f)) {
		p->dirty |= !p->expand;
		return 0;
	}
	if (p->expand)
		sdl_rc = SDL_UpdateTexture(p->tex, NULL, p->expanded, (int)p->width * 3);
	return sdl_rc < 0 ? -1 : 1;
}

int picture_update(picture *p, shmfb_reader *r, shmfb_frame *out, char *err, size_t errlen)
{
	const shmfb_info *info = shmfb_reader_info(r);
	for (int tries = 0; tries < UPLOAD_TRIES; tries++) {
		shmfb_frame f;
		int rc = shmfb_reader_latest(r, &f);
		if (rc == SHMFB_ETORN)
			continue;
		if (rc < 0)
			return rc;
		if (p->have_frame && !p->dirty && p->generation == info->generation &&
		    f.index == p->shown.index)
			return 0;
		rc = fit_geometry(p, info, err, errlen);
		if (rc < 0)
			return rc;
		rc = read_slot(p, &f, r);
		if (rc < 0) {
			snprintf(err, errlen, "%s: texture upload failed: %s", info->name, SDL_GetError());
			return SHMFB_EIO;
		}
		if (rc == 0) {
			p->torn++;
			continue;
		}
		p->dirty = 0;
		p->have_frame = 1;
		p->generation = info->generation;
		p->shown = f;
		memset(p->shown.data, 0, sizeof p->shown.data);
		*out = p->shown;
		return 1;
	}
	snprintf(err, errlen, "%s: the producer rewrote the frame during %d uploads in a row",
		 info->name, UPLOAD_TRIES);
	return SHMFB_EAGAIN;
}

/* ------------------------------------------------------------ conversion */

static uint8_t clamp8(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/* One pixel of Y'CbCr (or of gray, cb = cr = 128) as R'G'B' with the picture's coefficients. */
static void yuv_to_rgb(const yuv_coeffs *k, int y, int cb, int cr, uint8_t *out)
{
	int32_t c = k->y * (y - k->y_off), d = cb - 128, e = cr - 128;
	const int32_t half = 1 << 15;
	out[0] = clamp8((c + k->r_cr * e + half) >> 16);
	out[1] = clamp8((c - k->g_cb * d - k->g_cr * e + half) >> 16);
	out[2] = clamp8((c + k->b_cb * d + half) >> 16);
}

/*
 * Row y of a gray8 or YUV frame whose planes start at data[] with stride[]
 * as R'G'B' (px_bytes 3) or R'G'B'A (4, opaque) pixels into out.
 */
static void yuv_row(const picture *p, const uint8_t *const *data, const uint32_t *stride,
		    uint32_t y, uint8_t *out, uint32_t px_bytes)
{
	const uint8_t *luma = data[0] + (size_t)y * stride[0];
	const uint8_t *c1 = p->format == SHMFB_FMT_NV12 || p->format == SHMFB_FMT_I420
				    ? data[1] + (size_t)(y / 2) * stride[1] : NULL;
	const uint8_t *c2 = p->format == SHMFB_FMT_I420 ? data[2] + (size_t)(y / 2) * stride[2] : NULL;
	for (uint32_t x = 0; x < p->width; x++, out += px_bytes) {
		int lv, cb = 128, cr = 128;
		switch (p->format) {
		case SHMFB_FMT_NV12:
			lv = luma[x], cb = c1[(x / 2) * 2], cr = c1[(x / 2) * 2 + 1];
			break;
		case SHMFB_FMT_I420:
			lv = luma[x], cb = c1[x / 2], cr = c2[x / 2];
			break;
		case SHMFB_FMT_YUYV: /* Y0 U Y1 V per two pixels */
			lv = luma[x * 2], cb = luma[(x / 2) * 4 + 1], cr = luma[(x / 2) * 4 + 3];
			break;
		default: /* gray8 */
			lv = luma[x];
			break;
		}
		yuv_to_rgb(&p->yuv, lv, cb, cr, out);
		if (px_bytes == 4)
			out[3] = 255;
	}
}

int picture_rgba(const picture *p, uint8_t *rgba)
{
	if (!p->have_frame || !p->kept)
		return -1;
	const shmfb_layout *l = &p->layout;
	const uint8_t *data[SHMFB_MAX_PLANES];
	for (uint32_t i = 0; i < l->plane_count; i++)
		data[i] = p->kept + l->offset[i];
	for (uint32_t y = 0; y < p->height; y++) {
		const uint8_t *src = data[0] + (size_t)y * l->stride[0];
		uint8_t *dst = rgba + (size_t)y * p->width * 4;
		if (p->format == SHMFB_FMT_GRAY8 || is_yuv(p->format)) {
			yuv_row(p, data, l->stride, y, dst, 4);
			continue;
		}
		for (uint32_t x = 0; x < p->width; x++, dst += 4) {
			switch (p->format) {
			case SHMFB_FMT_RGBA8:
				memcpy(dst, src + x * 4, 4);
				break;
			case SHMFB_FMT_BGRA8:
				dst[0] = src[x * 4 + 2];
				dst[1] = src[x * 4 + 1];
				dst[2] = src[x * 4 + 0];
				dst[3] = src[x * 4 + 3];
				break;
			default: /* rgb24 */
				memcpy(dst, src + x * 3, 3);
				dst[3] = 255;
				break;
			}
		}
	}
	return 0;
}

int picture_save_png(const picture *p, const char *path, char *err, size_t errlen)
{
	if (!p->have_frame || !p->kept) {
		snprintf(err, errlen, "%s: no frame received to save", path);
		return -1;
	}
	size_t bytes = (size_t)p->width * p->height * 4;
	uint8_t *rgba = malloc(bytes);
	if (!rgba) {
		snprintf(err, errlen, "%s: out of memory for the screenshot", path);
		return -1;
	}
	picture_rgba(p, rgba);
	int ok = stbi_write_png(path, (int)p->width, (int)p->height, 4, rgba, (int)p->width * 4);
	free(rgba);
	if (!ok) {
		snprintf(err, errlen, "%s: cannot write the PNG", path);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- drawing */

void picture_draw(picture *p, int exact)
{
	if (!p->have_frame || p->dirty || !p->tex)
		return;
	int ow = 0, oh = 0;
	SDL_GetRendererOutputSize(p->ren, &ow, &oh);
	int w = (int)p->width, h = (int)p->height;
	SDL_Rect dst;
	if (!exact) {
		/* Largest size with the picture's aspect that fits: letterbox. */
		double sx = (double)ow / w, sy = (double)oh / h, s = sx < sy ? sx : sy;
		int dw = (int)(w * s + 0.5), dh = (int)(h * s + 0.5);
		w = dw > 0 ? dw : 1;
		h = dh > 0 ? dh : 1;
	}
	dst.x = (ow - w) / 2;
	dst.y = (oh - h) / 2;
	dst.w = w;
	dst.h = h;
	int unscaled = w == (int)p->width && h == (int)p->height;
	SDL_SetTextureScaleMode(p->tex, unscaled ? SDL_ScaleModeNearest : SDL_ScaleModeLinear);
	SDL_RenderCopy(p->ren, p->tex, NULL, &dst);
}
