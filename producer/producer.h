/*
 * producer.h - what the files of shmfb-producer share.
 *
 * Every source renders or loads pictures as RGBA (R,G,B,A bytes, alpha 255,
 * stride width*4) and convert.c turns them into the mapping's format.
 */
#ifndef SHMFB_PRODUCER_H
#define SHMFB_PRODUCER_H

#include <signal.h>
#include <stdint.h>

#include "shmfb.h"

#define PROG "shmfb-producer"

/* Set by SIGINT/SIGTERM: every loop ends soon after. */
extern volatile sig_atomic_t producer_stop;

/* Prints "shmfb-producer: <message>" to stderr. */
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- convert.c: RGBA to the mapping's pixel format (docs/PRODUCER.md) */

/*
 * Converts rows [y0, y1) of an RGBA picture of width w into the planes of a
 * frame of the same size in format f.  For NV12/I420 y0 and y1 must be even.
 */
void convert_rgba_rows(const uint8_t *rgba, uint32_t w, uint32_t y0, uint32_t y1,
		       shmfb_pixfmt f, const shmfb_planes *dst);
/* Whole picture of height h. */
void convert_rgba(const uint8_t *rgba, uint32_t w, uint32_t h, shmfb_pixfmt f,
		  const shmfb_planes *dst);
/* Planes describing a packed frame buffer of format f (shmfb_layout_compute). */
void planes_of_buffer(uint8_t *buf, uint32_t w, uint32_t h, shmfb_pixfmt f, shmfb_planes *p);

/* ---- pattern.c: the moving test pattern */

enum pattern_kind { PATTERN_BARS, PATTERN_GRADIENT, PATTERN_CHECKER };
int pattern_from_name(const char *name, enum pattern_kind *out);

typedef struct pattern pattern;
pattern *pattern_new(enum pattern_kind kind, uint32_t w, uint32_t h);
void pattern_free(pattern *p);
/* Renders frame n (shown at time t_ns) without the stamp; returns the RGBA. */
const uint8_t *pattern_render(pattern *p, uint64_t n, uint64_t t_ns);
/*
 * Draws the stamp into the last rendered picture; returns the number of rows
 * it covers (rounded up to even), 0 if the picture is too small for it.
 */
uint32_t pattern_stamp(pattern *p, uint64_t n, uint64_t t_ns);

/* ---- image.c: pictures through stb_image */

/* A decoded image: one or more RGBA frames (animated GIF), alpha applied over black. */
typedef struct image {
	uint32_t w, h;
	uint32_t frames;
	uint8_t *rgba;        /* frames * w * h * 4 */
	uint32_t *delay_ms;   /* per frame; NULL for a still image */
	uint64_t total_ms;    /* sum of delays */
} image;

#define IMAGE_MAX_SIDE 16384
#define IMAGE_MAX_BYTES (256u << 20) /* decoded, all frames */

/* Loads path; on failure fills why (naming the file and the reason). 0 or -1. */
int image_load(const char *path, image *img, char *why, size_t why_size);
void image_free(image *img);
/* Which frame of an animation shows at ms into it. */
uint32_t image_frame_at(const image *img, uint64_t ms);
/* Scales RGBA frame `frame` to fit w x h (letterboxed on black, bilinear) into dst. */
void image_fit(const image *img, uint32_t frame, uint8_t *dst, uint32_t w, uint32_t h);

#endif
