/*
 * pattern.c - the moving test pattern (docs/PATTERN.md): a background of
 * bars, a gradient or a checkerboard, a box that sweeps across it (so a
 * frozen display is obvious), the frame number and time as text, and the
 * machine-readable stamp along the top.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "producer.h"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb_easy_font.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

struct pattern {
	enum pattern_kind kind;
	uint32_t w, h;
	uint8_t *background; /* RGBA, drawn once */
	uint8_t *work;       /* RGBA of the current frame */
	int stamp_warned;
};

int pattern_from_name(const char *name, enum pattern_kind *out)
{
	static const char *names[] = {"bars", "gradient", "checker"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, names[i])) {
			*out = (enum pattern_kind)i;
			return 0;
		}
	return -1;
}

static void put(uint8_t *p, uint8_t r, uint8_t g, uint8_t b)
{
	p[0] = r;
	p[1] = g;
	p[2] = b;
	p[3] = 255;
}

static void fill_rect(uint8_t *rgba, uint32_t w, uint32_t h, int64_t x0, int64_t y0,
		      int64_t x1, int64_t y1, uint8_t r, uint8_t g, uint8_t b)
{
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	if (x1 > w) x1 = w;
	if (y1 > h) y1 = h;
	for (int64_t y = y0; y < y1; y++)
		for (int64_t x = x0; x < x1; x++)
			put(rgba + ((size_t)y * w + (size_t)x) * 4, r, g, b);
}

/* 100% colour bars: white, yellow, cyan, green, magenta, red, blue, black. */
static void draw_bars(uint8_t *rgba, uint32_t w, uint32_t h)
{
	static const uint8_t bars[8][3] = {
		{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
		{255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0},
	};
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *c = bars[(uint64_t)x * 8 / w];
			/* The bottom fifth is a grey ramp, for checking levels. */
			if (y >= h - h / 5) {
				uint8_t v = (uint8_t)((uint64_t)x * 255 / (w > 1 ? w - 1 : 1));
				put(rgba + ((size_t)y * w + x) * 4, v, v, v);
			} else {
				put(rgba + ((size_t)y * w + x) * 4, c[0], c[1], c[2]);
			}
		}
}

static void draw_gradient(uint8_t *rgba, uint32_t w, uint32_t h)
{
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t r = (uint8_t)((uint64_t)x * 255 / (w > 1 ? w - 1 : 1));
			uint8_t g = (uint8_t)((uint64_t)y * 255 / (h > 1 ? h - 1 : 1));
			put(rgba + ((size_t)y * w + x) * 4, r, g, (uint8_t)(255 - r));
		}
}

static void draw_checker(uint8_t *rgba, uint32_t w, uint32_t h)
{
	uint32_t sq = h / 9 ? h / 9 : 1;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t v = ((x / sq + y / sq) & 1) ? 200 : 55;
			put(rgba + ((size_t)y * w + x) * 4, v, v, v);
		}
}

pattern *pattern_new(enum pattern_kind kind, uint32_t w, uint32_t h)
{
	pattern *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->kind = kind;
	p->w = w;
	p->h = h;
	p->background = malloc((size_t)w * h * 4);
	p->work = malloc((size_t)w * h * 4);
	if (!p->background || !p->work) {
		pattern_free(p);
		return NULL;
	}
	switch (kind) {
	case PATTERN_BARS: draw_bars(p->background, w, h); break;
	case PATTERN_GRADIENT: draw_gradient(p->background, w, h); break;
	case PATTERN_CHECKER: draw_checker(p->background, w, h); break;
	}
	return p;
}

void pattern_free(pattern *p)
{
	if (!p)
		return;
	free(p->background);
	free(p->work);
	free(p);
}

/* Text with stb_easy_font's segment quads, each pixel scaled to a square of `scale`. */
static void draw_text(pattern *p, int64_t x, int64_t y, uint32_t scale, const char *text)
{
	static char vbuf[64 * 1024]; /* ~ 270 characters */
	char copy[256];
	snprintf(copy, sizeof copy, "%s", text);
	int tw = stb_easy_font_width(copy), th = stb_easy_font_height(copy);
	fill_rect(p->work, p->w, p->h, x - scale * 2, y - scale * 2, x + (int64_t)(tw + 2) * scale,
		  y + (int64_t)(th + 1) * scale, 255, 255, 255);
	unsigned char black[4] = {0, 0, 0, 255};
	int quads = stb_easy_font_print(0, 0, copy, black, vbuf, sizeof vbuf);
	for (int q = 0; q < quads; q++) {
		const float *v = (const float *)(vbuf + q * 64); /* 4 vertices of x, y, z, rgba */
		float x0 = v[0], y0 = v[1], x1 = v[8], y1 = v[9];
		fill_rect(p->work, p->w, p->h, x + (int64_t)(x0 * scale), y + (int64_t)(y0 * scale),
			  x + (int64_t)(x1 * scale), y + (int64_t)(y1 * scale), 0, 0, 0);
	}
}

/* The stamp's band height for this size, as docs/PATTERN.md defines it. */
static uint32_t stamp_rows(uint32_t w, uint32_t h)
{
	uint32_t cell = w / 60 < h / 16 ? w / 60 : h / 16;
	return 4 * cell;
}

const uint8_t *pattern_render(pattern *p, uint64_t n, uint64_t t_ns)
{
	uint32_t w = p->w, h = p->h;
	memcpy(p->work, p->background, (size_t)w * h * 4);
	/* A box sweeping left and right, one way in 2 s at 60 fps. */
	uint32_t side = h / 6 ? h / 6 : 1;
	uint64_t span = w > side ? w - side : 1, period = 2 * 120;
	uint64_t phase = n % period, pos = phase < 120 ? phase : period - phase;
	int64_t bx = (int64_t)(pos * span / 120), by = (int64_t)(h / 2 - side / 2);
	fill_rect(p->work, w, h, bx, by, bx + side, by + side, 0, 0, 0);
	fill_rect(p->work, w, h, bx + side / 8, by + side / 8, bx + side - side / 8,
		  by + side - side / 8, 255, 255, 255);
	/* The frame number and time, under the stamp. */
	uint32_t scale = h / 240 ? h / 240 : 1;
	char text[128];
	snprintf(text, sizeof text, "frame %llu   t %.6f s", (unsigned long long)n,
		 (double)t_ns / 1e9);
	draw_text(p, 8 * scale, stamp_rows(w, h) + 4 * scale, scale, text);
	return p->work;
}

uint32_t pattern_stamp(pattern *p, uint64_t n, uint64_t t_ns)
{
	shmfb_stamp s = {n, t_ns};
	if (shmfb_stamp_draw_rgba(p->work, p->w, p->h, p->w * 4, &s) < 0) {
		if (!p->stamp_warned)
			app_warn("%ux%u is too small for the frame stamp (see docs/PATTERN.md); drawing none",
			      p->w, p->h);
		p->stamp_warned = 1;
		return 0;
	}
	uint32_t rows = stamp_rows(p->w, p->h);
	rows += rows & 1;
	return rows < p->h ? rows : p->h;
}

const uint8_t *pattern_render_white(pattern *p)
{
	memset(p->work, 255, (size_t)p->w * p->h * 4);
	return p->work;
}
