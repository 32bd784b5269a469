/*
 * image.c - pictures through stb_image: loading with size limits checked
 * before anything is decoded, animated GIFs, and fitting a picture into the
 * mapping (letterboxed on black, bilinear).
 *
 * stb_image's implementation comes from Debian's libstb (-lstb); nothing here
 * defines STB_IMAGE_IMPLEMENTATION.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "producer.h"

#define MAX_FILE_BYTES (1024u << 20) /* compressed input; more is not a picture we want */

static int read_file(const char *path, uint8_t **out, size_t *size, char *why, size_t n)
{
	FILE *f;
	long len;
	int rc = file_open_sized(path, &f, &len);
	if (rc == -1) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (rc < 0) {
		snprintf(why, n, "%s: not a regular file", path);
		return -1;
	}
	if ((unsigned long)len > MAX_FILE_BYTES) {
		snprintf(why, n, "%s: file of %ld bytes is over the limit of %u MiB", path, len,
			 MAX_FILE_BYTES >> 20);
		fclose(f);
		return -1;
	}
	uint8_t *buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		snprintf(why, n, "%s: %s", path, buf ? "read error" : "out of memory");
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = buf;
	*size = (size_t)len;
	return 0;
}

/* Skips GIF data sub-blocks (length byte, bytes; a 0 length ends them). */
static size_t gif_skip_blocks(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && p[i])
		i += 1 + (size_t)p[i];
	return i + 1;
}

/*
 * Counts the frames of a GIF by walking its blocks, so that memory for all
 * frames (stb decodes every one at full canvas size) can be refused before
 * it is allocated.  A truncated file counts the frames that start in it.
 */
static uint32_t gif_count_frames(const uint8_t *p, size_t n)
{
	if (n < 13)
		return 1;
	size_t i = 13;
	if (p[10] & 0x80)
		i += 3u << ((p[10] & 7) + 1);
	uint32_t frames = 0;
	while (i < n) {
		if (p[i] == 0x21) { /* extension: label, sub-blocks */
			i = gif_skip_blocks(p, n, i + 2);
		} else if (p[i] == 0x2c) { /* image: descriptor, colour table, LZW size, data */
			if (i + 10 > n)
				break;
			frames++;
			uint8_t packed = p[i + 9];
			i += 10;
			if (packed & 0x80)
				i += 3u << ((packed & 7) + 1);
			i = gif_skip_blocks(p, n, i + 1);
		} else {
			break; /* 0x3b trailer, or garbage stb will complain about */
		}
	}
	return frames ? frames : 1;
}

/* stb composites nothing: put the picture over black, as the letterbox is. */
static void over_black(uint8_t *rgba, size_t pixels)
{
	for (size_t i = 0; i < pixels; i++, rgba += 4) {
		unsigned a = rgba[3];
		if (a == 255)
			continue;
		for (int c = 0; c < 3; c++)
			rgba[c] = (uint8_t)((rgba[c] * a + 127) / 255);
		rgba[3] = 255;
	}
}

/* Delays under 20 ms mean "as fast as possible" in old GIFs; browsers show them at 100 ms. */
#define GIF_MIN_DELAY_MS 20
#define GIF_DEFAULT_DELAY_MS 100

int image_load(const char *path, image *img, char *why, size_t n)
{
	memset(img, 0, sizeof *img);
	uint8_t *file;
	size_t size;
	if (read_file(path, &file, &size, why, n) < 0)
		return -1;
	int w, h, comp;
	if (size > 0x7fffffff || !stbi_info_from_memory(file, (int)size, &w, &h, &comp)) {
		snprintf(why, n, "%s: %s", path, size > 0x7fffffff ? "too large" : stbi_failure_reason());
		free(file);
		return -1;
	}
	int is_gif = size >= 6 && !memcmp(file, "GIF8", 4);
	uint64_t frames = is_gif ? gif_count_frames(file, size) : 1;
	if (w <= 0 || h <= 0 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE ||
	    (uint64_t)w * (uint64_t)h * 4 * frames > IMAGE_MAX_BYTES) {
		snprintf(why, n, "%s: %dx%d%s image is over the limit (%d pixels a side, %u MiB decoded)",
			 path, w, h, frames > 1 ? " animated" : "", IMAGE_MAX_SIDE, IMAGE_MAX_BYTES >> 20);
		free(file);
		return -1;
	}
	int x, y, z = 1;
	int *delays = NULL;
	uint8_t *pixels;
	if (is_gif)
		pixels = stbi_load_gif_from_memory(file, (int)size, &delays, &x, &y, &z, &comp, 4);
	else
		pixels = stbi_load_from_memory(file, (int)size, &x, &y, &comp, 4);
	free(file);
	if (!pixels) {
		snprintf(why, n, "%s: %s", path, stbi_failure_reason());
		return -1;
	}
	img->w = (uint32_t)x;
	img->h = (uint32_t)y;
	img->frames = (uint32_t)(z > 0 ? z : 1);
	img->rgba = pixels;
	over_black(pixels, (size_t)x * (size_t)y * img->frames);
	if (img->frames > 1) {
		img->delay_ms = malloc(img->frames * sizeof *img->delay_ms);
		if (!img->delay_ms) {
			snprintf(why, n, "%s: out of memory", path);
			image_free(img);
			stbi_image_free(delays);
			return -1;
		}
		for (uint32_t i = 0; i < img->frames; i++) {
			int d = delays ? delays[i] : 0;
			img->delay_ms[i] = d < GIF_MIN_DELAY_MS ? GIF_DEFAULT_DELAY_MS : (uint32_t)d;
			img->total_ms += img->delay_ms[i];
		}
	}
	stbi_image_free(delays);
	return 0;
}

void image_free(image *img)
{
	stbi_image_free(img->rgba);
	free(img->delay_ms);
	memset(img, 0, sizeof *img);
}

uint32_t image_frame_at(const image *img, uint64_t ms)
{
	if (img->frames < 2 || !img->total_ms)
		return 0;
	ms %= img->total_ms;
	for (uint32_t i = 0; i < img->frames; i++) {
		if (ms < img->delay_ms[i])
			return i;
		ms -= img->delay_ms[i];
	}
	return img->frames - 1;
}

/* Bilinear sample of one output row; source coordinates of pixel centres. */
static void fit_row(const uint8_t *src, uint32_t sw, uint32_t sh, double fy, uint8_t *dst,
		    uint32_t dw, double scale_x)
{
	if (fy < 0)
		fy = 0;
	uint32_t y0 = (uint32_t)fy, y1 = y0 + 1 < sh ? y0 + 1 : y0;
	double ty = fy - y0;
	const uint8_t *r0 = src + (size_t)y0 * sw * 4, *r1 = src + (size_t)y1 * sw * 4;
	for (uint32_t x = 0; x < dw; x++, dst += 4) {
		double fx = (x + 0.5) * scale_x - 0.5;
		if (fx < 0)
			fx = 0;
		uint32_t x0 = (uint32_t)fx, x1 = x0 + 1 < sw ? x0 + 1 : x0;
		if (x0 >= sw)
			x0 = x1 = sw - 1;
		double tx = fx - x0;
		for (int c = 0; c < 4; c++) {
			double top = r0[x0 * 4 + c] * (1 - tx) + r0[x1 * 4 + c] * tx;
			double bot = r1[x0 * 4 + c] * (1 - tx) + r1[x1 * 4 + c] * tx;
			dst[c] = (uint8_t)(top * (1 - ty) + bot * ty + 0.5);
		}
	}
}

void image_fit(const image *img, uint32_t frame, uint8_t *dst, uint32_t w, uint32_t h)
{
	const uint8_t *src = img->rgba + (size_t)frame * img->w * img->h * 4;
	/* The largest size of the image's aspect that fits, centred. */
	uint64_t fw = w, fh = (uint64_t)img->h * w / img->w;
	if (fh > h) {
		fh = h;
		fw = (uint64_t)img->w * h / img->h;
	}
	if (fw == 0) fw = 1;
	if (fh == 0) fh = 1;
	uint32_t ox = (uint32_t)((w - fw) / 2), oy = (uint32_t)((h - fh) / 2);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		dst[i * 4] = dst[i * 4 + 1] = dst[i * 4 + 2] = 0;
		dst[i * 4 + 3] = 255;
	}
	double sx = (double)img->w / fw, sy = (double)img->h / fh;
	for (uint32_t y = 0; y < fh; y++)
		fit_row(src, img->w, img->h, (y + 0.5) * sy - 0.5,
			dst + ((size_t)(oy + y) * w + ox) * 4, (uint32_t)fw, sx);
}
