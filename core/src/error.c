/*
 * error.c - error texts and the per-thread detail line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local char detail[512];

const char *shmfb_strerror(int code)
{
	switch (code) {
	case SHMFB_OK: return "success";
	case SHMFB_EPERM: return "operation not permitted";
	case SHMFB_ENOENT: return "no such mapping";
	case SHMFB_EINTR: return "interrupted";
	case SHMFB_EIO: return "input/output error";
	case SHMFB_EAGAIN: return "try again";
	case SHMFB_ENOMEM: return "out of memory";
	case SHMFB_EACCES: return "permission denied";
	case SHMFB_EBUSY: return "busy";
	case SHMFB_EEXIST: return "name in use by a running producer";
	case SHMFB_EINVAL: return "invalid argument";
	case SHMFB_ENOSPC: return "no space left for the mapping";
	case SHMFB_ENAMETOOLONG: return "name too long";
	case SHMFB_ETIMEDOUT: return "timed out";
	case SHMFB_EBADNAME: return "invalid mapping name";
	case SHMFB_EZEROSIZE: return "zero width or height";
	case SHMFB_ETOOBIG: return "frame too large";
	case SHMFB_EBADFORMAT: return "unsupported pixel format or size";
	case SHMFB_ECOLLISION: return "name used by another kind of object";
	case SHMFB_EBADMAGIC: return "not a shmfb mapping (bad magic)";
	case SHMFB_EBADVERSION: return "unsupported shmfb format version";
	case SHMFB_EBADHEADERSIZE: return "bad header size";
	case SHMFB_EBADTOTALSIZE: return "header size disagrees with the mapping's real size";
	case SHMFB_EBADSLOTCOUNT: return "bad slot count";
	case SHMFB_EBADSLOT: return "slot outside the mapping or misaligned";
	case SHMFB_EBADGEOMETRY: return "inconsistent video description";
	case SHMFB_EBADPLANE: return "plane outside its slot";
	case SHMFB_EBADSTATE: return "corrupt live state in header";
	case SHMFB_EBADAUDIO: return "invalid audio description or ring";
	case SHMFB_ENOFRAME: return "no frame published yet";
	case SHMFB_ETORN: return "frame rewritten while read";
	case SHMFB_ECLOSED: return "producer closed the mapping";
	case SHMFB_EDEAD: return "producer died";
	case SHMFB_ESTALE: return "producer stopped updating its heartbeat";
	case SHMFB_EREPLACED: return "name now belongs to a newer producer";
	case SHMFB_EBACKWARDS: return "frame counter went backwards";
	default: return "unknown error";
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
