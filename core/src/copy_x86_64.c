/*
 * copy_x86_64.c - copying a whole frame into a slot, on x86-64.
 *
 * Three slots of a large frame (3 x 8 MB at 1080p RGBA, 3 x 33 MB at 4K)
 * plus the caller's source do not fit in the last-level cache, so a plain
 * memcpy into the slot first reads every destination line into the cache
 * and then evicts it again (and the source with it).  Non-temporal stores
 * write around the cache: at 1080p they measured 1.8x a memcpy into the
 * rotating slots (docs/PERFORMANCE.md).  Small frames, which do fit, keep
 * memcpy.
 *
 * Streaming stores are weakly ordered, even against ordinary stores on x86:
 * the sfence before keeps them after the slot's odd sequence number, the
 * sfence after makes them visible before the even one (the seqlock's full
 * barriers are in seqlock.h; slots.c calls this between them).
 *
 * copy_generic.c is the same interface for every other CPU; the Makefile
 * picks one.
 */
#include <emmintrin.h>
#include <string.h>

#include "internal.h"

#define STREAM_MIN ((size_t)4 << 20)

void shmfb__copy_frame(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (n < STREAM_MIN) {
		memcpy(dst, src, n);
		return;
	}
	_mm_sfence();
	size_t head = (16 - ((uintptr_t)dst & 15)) & 15; /* slots are page-aligned: 0 */
	memcpy(dst, src, head);
	size_t i = head;
	for (; i + 64 <= n; i += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)(src + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(src + i + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(src + i + 32));
		__m128i d = _mm_loadu_si128((const __m128i *)(src + i + 48));
		_mm_stream_si128((__m128i *)(dst + i), a);
		_mm_stream_si128((__m128i *)(dst + i + 16), b);
		_mm_stream_si128((__m128i *)(dst + i + 32), c);
		_mm_stream_si128((__m128i *)(dst + i + 48), d);
	}
	memcpy(dst + i, src + i, n - i);
	_mm_sfence();
}
