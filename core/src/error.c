/*
 * error.c - error texts and the per-thread detail line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local char detail[512];

/* Both tables are generated from the one list in shmfb.h. */
#define STRERROR_CASE(name, value, text) case SHMFB_##name: return text;
#define ERRNAME_CASE(name, value, text) case SHMFB_##name: return "SHMFB_" #name;

const char *shmfb_strerror(int code)
{
	switch (code) {
	SHMFB_ERRNO_MAP(STRERROR_CASE)
	default: return "unknown error";
	}
}

const char *shmfb_errname(int code)
{
	switch (code) {
	SHMFB_ERRNO_MAP(ERRNAME_CASE)
	default: return NULL;
	}
}

int shmfb__errorf(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return code;
}

int shmfb__errprefix(int code, const char *prefix)
{
	char old[sizeof detail];
	memcpy(old, detail, sizeof old);
	return shmfb__errorf(code, "%s: %s", prefix, old);
}

const char *shmfb_errdetail(void)
{
	return detail[0] ? detail : "no error";
}
