/*
 * app.c - what the shmfb programs share (app.h).
 */
#include "app.h"

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
