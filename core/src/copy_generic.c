/*
 * copy_generic.c - copying a whole frame into a slot, on CPUs without a
 * tuned copy (copy_x86_64.c explains what the tuned one does and why).
 */
#include <string.h>

#include "internal.h"

void shmfb__copy_frame(uint8_t *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
}
