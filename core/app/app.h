/*
 * app.h - what the shmfb programs share: the shmfb command (with bench),
 * shmfb-producer and shmfb-viewer.  Not part of the library: the programs
 * link it beside libshmfb, and it sees only the public shmfb.h.  Portable C,
 * no operating-system call.
 */
#ifndef SHMFB_APP_H
#define SHMFB_APP_H

#include <stdint.h>
#include <stdio.h>

#include "shmfb.h"

#if defined(__GNUC__)
#define APP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define APP_PRINTF(a, b)
#endif

/* ---- messages: one line on stderr, prefixed with the program's name */

/* The name the program's messages start with: each program defines it. */
extern const char app_name[];
/* Prints "<app_name>: <message>" and returns status (1 failure, 2 usage error). */
int app_fail(int status, const char *fmt, ...) APP_PRINTF(2, 3);
/* The same for a warning, after which the program goes on. */
void app_warn(const char *fmt, ...) APP_PRINTF(1, 2);

/* ---- parsing */

/* Seconds as a decimal ("2.5", at most 1e6) into nanoseconds; 0, or -1. */
int app_parse_seconds(const char *s, int64_t *ns);

/* ---- JSON */

/* Writes s as a JSON string, quotes included; control characters escaped. */
void app_json_string(FILE *f, const char *s);

/* ---- statistics */

/*
 * The rank (1 to n) of the q-quantile of n sorted samples, 0 <= q <= 1, by
 * nearest rank: the smallest rank with at least ceil(q * n) samples at or
 * below it.  0 when n is 0.
 */
uint64_t app_nearest_rank(uint64_t n, double q);

/* ---- colour in ffmpeg's words (color.c) */

/* One field of a colour description. */
struct app_color_field {
	const char *field;  /* "matrix", "range", ... as in docs/FORMAT.md */
	const char *option; /* ffmpeg's input option: "-colorspace", ... */
	const char *value;  /* ffmpeg's name of the value; NULL = unspecified */
};
#define APP_COLOR_FIELDS 5
void app_color_fields(const shmfb_color *c, struct app_color_field out[APP_COLOR_FIELDS]);
/*
 * Sets the field of c that ffmpeg's option (e.g. "-colorspace") describes
 * to the value ffmpeg calls name (e.g. "bt709"): 0; -1 when the option is
 * not one of the five, -2 when the name is not one of its values.
 */
int app_color_set(shmfb_color *c, const char *option, const char *name);
/* The names app_color_set takes for option, ", " between them, into buf. */
void app_color_values(const char *option, char *buf, size_t n);

#endif
