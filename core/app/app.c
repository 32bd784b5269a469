/*
 * app.c - what the shmfb programs share (app.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "app.h"

static void vmessage(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", app_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int app_fail(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	return status;
}

void app_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

int app_parse_seconds(const char *s, int64_t *ns)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 1e6)
		return -1;
	*ns = (int64_t)(v * 1e9);
	return 0;
}

void app_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

uint64_t app_nearest_rank(uint64_t n, double q)
{
	if (n == 0)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)n + 0.999999);
	return rank < 1 ? 1 : rank > n ? n : rank;
}
