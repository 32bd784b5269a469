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
 * the check.
 *
 * YUV is BT.709 limited range, as the producer writes it, both in SDL (set
 * in main.c) and in the RGBA conversion here, so screen and screenshot agree.
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

static Uint32 texture_format(shmfb_pixfmt f)
{
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
	    p->format == info->format)
		return 0;
	picture_free(p);
	p->have_frame = 0;
	p->dirty = 0;
	p->width = info->width;
	p->height = info->height;
	p->format = info->format;
	p->layout = info->layout;
	const char *fname = shmfb_pixfmt_name(info->format);
	Uint32 tf = texture_format(info->format);
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
	if (info->format == SHMFB_FMT_GRAY8)
		p->expanded = malloc(pixels * 3);
	if (p->keep)
		p->kept = malloc(info->layout.frame_bytes);
	if ((info->format == SHMFB_FMT_GRAY8 && !p->expanded) || (p->keep && !p->kept)) {
		snprintf(err, errlen, "%s: out of memory for a %ux%u frame", info->name, info->width,
			 info->height);
		picture_free(p);
		return SHMFB_ENOMEM;
	}
	return 0;
}

static void expand_gray(const picture *p, const shmfb_frame *f)
{
	for (uint32_t y = 0; y < p->height; y++) {
		const uint8_t *src = f->data[0] + (size_t)y * f->stride[0];
		uint8_t *dst = p->expanded + (size_t)y * p->width * 3;
		for (uint32_t x = 0; x < p->width; x++, dst += 3)
			dst[0] = dst[1] = dst[2] = src[x];
	}
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
	if (p->format == SHMFB_FMT_GRAY8)
		expand_gray(p, f);
	else
		sdl_rc = upload_from_slot(p, f);
	if (p->keep)
		memcpy(p->kept, f->data[0], p->layout.frame_bytes); /* planes are packed from data[0] */
	p->white = looks_white(p, f);
	if (!shmfb_frame_valid(r, f)) {
		p->dirty |= p->format != SHMFB_FMT_GRAY8;
		return 0;
	}
	if (p->format == SHMFB_FMT_GRAY8)
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

/*
 * BT.709 limited range (what the producer writes, docs/FORMATS.md, and what
 * SDL is told to use), 16.16 fixed point: 255/219 for luma, and
 * 2(1-Kr)*255/224, 2(1-Kb)*Kb/Kg*255/224, ... for chroma.
 */
static void yuv_to_rgba(int y, int u, int v, uint8_t *out)
{
	int32_t c = 76309 * (y - 16), d = u - 128, e = v - 128;
	const int32_t half = 1 << 15;
	out[0] = clamp8((c + 117489 * e + half) >> 16);
	out[1] = clamp8((c - 13975 * d - 34925 * e + half) >> 16);
	out[2] = clamp8((c + 138438 * d + half) >> 16);
	out[3] = 255;
}

/* Chroma of pixel (x,y) for the three YUV layouts. */
static void chroma_at(const picture *p, uint32_t x, uint32_t y, int *u, int *v)
{
	const shmfb_layout *l = &p->layout;
	const uint8_t *k = p->kept;
	switch (p->format) {
	case SHMFB_FMT_NV12: {
		const uint8_t *uv = k + l->offset[1] + (size_t)(y / 2) * l->stride[1] + (x / 2) * 2;
		*u = uv[0];
		*v = uv[1];
		break;
	}
	case SHMFB_FMT_I420:
		*u = k[l->offset[1] + (size_t)(y / 2) * l->stride[1] + x / 2];
		*v = k[l->offset[2] + (size_t)(y / 2) * l->stride[2] + x / 2];
		break;
	default: { /* YUYV: Y0 U Y1 V per two pixels */
		const uint8_t *q = k + (size_t)y * l->stride[0] + (x / 2) * 4;
		*u = q[1];
		*v = q[3];
		break;
	}
	}
}

static int luma_at(const picture *p, uint32_t x, uint32_t y)
{
	const uint8_t *row = p->kept + p->layout.offset[0] + (size_t)y * p->layout.stride[0];
	return p->format == SHMFB_FMT_YUYV ? row[x * 2] : row[x];
}

int picture_rgba(const picture *p, uint8_t *rgba)
{
	if (!p->have_frame || !p->kept)
		return -1;
	const shmfb_layout *l = &p->layout;
	for (uint32_t y = 0; y < p->height; y++) {
		const uint8_t *src = p->kept + l->offset[0] + (size_t)y * l->stride[0];
		uint8_t *dst = rgba + (size_t)y * p->width * 4;
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
			case SHMFB_FMT_RGB24:
				memcpy(dst, src + x * 3, 3);
				dst[3] = 255;
				break;
			case SHMFB_FMT_GRAY8:
				dst[0] = dst[1] = dst[2] = src[x];
				dst[3] = 255;
				break;
			default: {
				int u, v;
				chroma_at(p, x, y, &u, &v);
				yuv_to_rgba(luma_at(p, x, y), u, v, dst);
				break;
			}
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
