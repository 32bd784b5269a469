/*
 * audio_ring.c - the lossless audio ring: one writer, any number of
 * read-only readers, each with its own cursor in its own memory.
 *
 * Positions count frames (one sample per channel) from 0, forever; frame p
 * lives at ring[p % capacity].  The writer keeps two counters in the header:
 *
 *   claimed   frames written or being written: raised BEFORE the data,
 *   written   frames complete: raised AFTER the data.
 *
 *   writer      claimed = c + n        relaxed store
 *               fence(release)         the claim is visible before any data
 *               ... copy n frames into the ring ...
 *               written = c + n        release: the data before
 *               wake += 1              release; futex wake
 *
 *   reader      w = written            acquire, pairs with the store above
 *               ... copy [cursor, min(w, cursor + max)) out ...
 *               fence(acquire)         the copy happens before the re-check
 *               k = claimed            relaxed; ordered by the fence
 *
 * Writing position q overwrites q - capacity, so the copied frames [cursor,
 * end) are intact exactly when k <= cursor + capacity.  If not, the writer
 * lapped the reader during the copy: the copy is thrown away, the cursor
 * jumps to `written` and the frames skipped are reported as lost.  The writer
 * never looks at readers, so none can stall it (Documentation/core-api/
 * circular-buffers.rst describes the single-producer ring this extends to
 * many readers).
 */
#include <string.h>

#include "internal.h"

const char *shmfb_sampfmt_name(shmfb_sampfmt f)
{
	return f == SHMFB_SAMPLE_S16 ? "s16" : f == SHMFB_SAMPLE_F32 ? "f32" : NULL;
}

shmfb_sampfmt shmfb_sampfmt_from_name(const char *name)
{
	if (name && (!strcmp(name, "s16") || !strcmp(name, "s16le")))
		return SHMFB_SAMPLE_S16;
	if (name && (!strcmp(name, "f32") || !strcmp(name, "f32le")))
		return SHMFB_SAMPLE_F32;
	return SHMFB_SAMPLE_NONE;
}

/* Copies count frames between the ring and a flat buffer, wrapping. */
static void ring_copy(uint8_t *ring, uint32_t capacity, uint32_t frame_bytes, uint64_t pos,
		      uint8_t *flat, uint32_t count, int to_ring)
{
	uint32_t at = (uint32_t)(pos % capacity);
	uint32_t first = count < capacity - at ? count : capacity - at;
	uint8_t *r1 = ring + (size_t)at * frame_bytes;
	size_t b1 = (size_t)first * frame_bytes, b2 = (size_t)(count - first) * frame_bytes;
	if (to_ring) {
		memcpy(r1, flat, b1);
		memcpy(ring, flat + b1, b2);
	} else {
		memcpy(flat, r1, b1);
		memcpy(flat + b1, ring, b2);
	}
}

/* ------------------------------------------------------------ writer side */

int shmfb_writer_audio_write(shmfb_writer *w, const void *frames, uint32_t count, uint64_t pts_ns)
{
	struct shmfb__header *h = w->hdr;
	if (!w->audio_capacity)
		return shmfb__errorf(SHMFB_ENOAUDIO, "%s: created without audio", w->name);
	if (count > w->audio_capacity)
		return shmfb__errorf(SHMFB_EINVAL, "%s: %u audio frames at once, the ring holds %u",
				     w->name, count, w->audio_capacity);
	uint64_t c = w->audio_written;
	/* relaxed store of the claim; the release fence orders it before the data. */
	atomic_store_explicit(&h->audio_claimed, c + count, memory_order_relaxed);
	/* seq_cst fence: pairs with the reader's acquire fence before it loads
	 * claimed; a full barrier, because memcpy may use non-temporal stores. */
	atomic_thread_fence(memory_order_seq_cst);
	ring_copy((uint8_t *)w->seg.base + w->audio_offset, w->audio_capacity, w->audio_frame_bytes,
		  c, (uint8_t *)frames, count, 1);
	/* seq_cst fence: any non-temporal stores of the copy before the count below. */
	atomic_thread_fence(memory_order_seq_cst);
	/* release: the frames are in the ring before a reader's acquire load sees them counted. */
	atomic_store_explicit(&h->audio_written, c + count, memory_order_release);
	w->audio_written = c + count;

	/* The clock pair under its own small seqlock (same recipe as slots.c). */
	uint64_t s = atomic_load_explicit(&h->audio_clock_seq, memory_order_relaxed); /* relaxed: sole writer */
	atomic_store_explicit(&h->audio_clock_seq, s + 1, memory_order_relaxed); /* relaxed: fence below orders it */
	/* release fence: odd seq is visible before the new pair. */
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&h->audio_clock_pos, c, memory_order_relaxed);    /* relaxed: inside seqlock */
	atomic_store_explicit(&h->audio_clock_ns, pts_ns, memory_order_relaxed); /* relaxed: inside seqlock */
	/* release: the pair before the even seq. */
	atomic_store_explicit(&h->audio_clock_seq, s + 2, memory_order_release);

	/* release: pairs with the acquire load of audio_wake in shmfb_audio_wait. */
	atomic_fetch_add_explicit(&h->audio_wake, 1, memory_order_release);
	shmfb__plat_wake(&w->seg, &h->audio_wake);
	return 0;
}

uint64_t shmfb_writer_audio_written(const shmfb_writer *w)
{
	return w->audio_written;
}

/* ------------------------------------------------------------ reader side */

static int mapping_lost(const shmfb_reader *r)
{
	return shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: the mapping was truncated under the reader",
			     r->open_name);
}

static int no_audio(const shmfb_reader *r)
{
	return shmfb__errorf(SHMFB_ENOAUDIO, "%s: the mapping carries no audio", r->open_name);
}

/*
 * audio_written, judged: it may never go below a value this reader has seen.
 * 0 with *w set, or SHMFB_EBACKWARDS.
 */
static int load_written(shmfb_reader *r, uint64_t *w)
{
	/* acquire: pairs with the writer's release store; the frames counted are in the ring. */
	*w = atomic_load_explicit(&r->hdr->audio_written, memory_order_acquire);
	if (*w < r->audio_seen)
		return shmfb__errorf(SHMFB_EBACKWARDS, "%s: the audio write counter went backwards, from %llu to %llu (mapping corrupt)",
				     r->open_name, (unsigned long long)r->audio_seen, (unsigned long long)*w);
	r->audio_seen = *w;
	return 0;
}

/* audio_claimed loaded after audio_written w can never be below it. */
static int claim_sane(const shmfb_reader *r, uint64_t w, uint64_t claimed)
{
	if (claimed >= w)
		return 0;
	return shmfb__errorf(SHMFB_EBADCLAIM, "%s: audio_claimed %llu is below audio_written %llu (mapping corrupt)",
			     r->open_name, (unsigned long long)claimed, (unsigned long long)w);
}

static uint64_t load_claimed(const shmfb_reader *r)
{
	/* acquire fence: whatever the caller read before (the copy, written)
	 * happens before this load; pairs with the writer's fence after it
	 * raises the claim. */
	atomic_thread_fence(memory_order_acquire);
	/* relaxed: ordered by the fence above. */
	return atomic_load_explicit(&r->hdr->audio_claimed, memory_order_relaxed);
}

int shmfb__audio_counters_sane(shmfb_reader *r)
{
	if (!r->info.audio_rate)
		return 0;
	uint64_t w;
	int rc = load_written(r, &w);
	return rc < 0 ? rc : claim_sane(r, w, load_claimed(r));
}

void shmfb__audio_reader_init(shmfb_reader *r)
{
	uint64_t w = 0;
	if (r->info.audio_rate)
		load_written(r, &w); /* the first value seen cannot go back */
	r->audio_cursor = w;
}

uint64_t shmfb_audio_written(shmfb_reader *r)
{
	uint64_t w = 0;
	return r->info.audio_rate && load_written(r, &w) == 0 ? w : 0;
}

uint64_t shmfb_audio_available(shmfb_reader *r)
{
	uint64_t w;
	if (!r->info.audio_rate || load_written(r, &w) < 0)
		return 0;
	return w > r->audio_cursor ? w - r->audio_cursor : 0;
}

/* The writer lapped the cursor: report what was lost, continue from w. */
static int overrun(shmfb_reader *r, uint64_t w, shmfb_audio_block *b)
{
	b->lost = w - r->audio_cursor;
	b->position = w;
	r->audio_cursor = w;
	return 0;
}

int shmfb_audio_read(shmfb_reader *r, void *dst, uint32_t max_frames, shmfb_audio_block *b)
{
	const shmfb_info *in = &r->info;
	if (!in->audio_rate)
		return no_audio(r);
	if (shmfb__plat_seg_lost(&r->seg))
		return mapping_lost(r);
	uint64_t cur = r->audio_cursor, w;
	b->position = cur;
	b->lost = 0;
	int rc = load_written(r, &w);
	if (rc < 0)
		return rc;
	/* w >= cur: the cursor only ever takes values of written seen before. */
	if (w - cur > in->audio_capacity)
		return overrun(r, w, b);
	uint32_t n = (uint32_t)(w - cur < max_frames ? w - cur : max_frames);
	ring_copy((uint8_t *)r->seg.base + in->audio_offset, in->audio_capacity, in->audio_frame_bytes,
		  cur, dst, n, 0);
	uint64_t k = load_claimed(r);
	if (shmfb__plat_seg_lost(&r->seg))
		return mapping_lost(r);
	if ((rc = claim_sane(r, w, k)) < 0)
		return rc;
	if (k > cur + in->audio_capacity) {
		/* Lapped during the copy: continue from where the writer is now. */
		if ((rc = load_written(r, &w)) < 0)
			return rc;
		return overrun(r, w, b);
	}
	r->audio_cursor = cur + n;
	return (int)n;
}

int shmfb_audio_wait(shmfb_reader *r, int64_t timeout_ns, unsigned flags)
{
	if (!r->info.audio_rate)
		return no_audio(r);
	uint64_t start = shmfb__plat_now_ns();
	for (;;) {
		if (shmfb__plat_seg_lost(&r->seg))
			return mapping_lost(r);
		/* acquire: pairs with the writer's release add; loaded before written
		 * so a write between the two makes the futex wait return at once. */
		uint32_t v = atomic_load_explicit(&r->hdr->audio_wake, memory_order_acquire);
		uint64_t w;
		int rc = load_written(r, &w);
		if (rc < 0)
			return rc;
		if (w > r->audio_cursor)
			return 0;
		/* acquire: pairs with the writer's release store of CLOSED. */
		if (atomic_load_explicit(&r->hdr->state, memory_order_acquire) == SHMFB_STATE_CLOSED)
			return shmfb__errorf(SHMFB_ECLOSED, "%s: producer closed the mapping", r->open_name);
		int64_t left = -1;
		if (timeout_ns >= 0) {
			left = timeout_ns - (int64_t)(shmfb__plat_now_ns() - start);
			if (left <= 0)
				return shmfb__errorf(SHMFB_ETIMEDOUT, "%s: no audio within %lld ms",
						     r->open_name, (long long)(timeout_ns / SHMFB_MS));
		}
		if (flags & SHMFB_WAIT_SPIN)
			shmfb__cpu_relax();
		else
			shmfb__plat_wait(&r->seg, &r->hdr->audio_wake, v, left);
	}
}

int shmfb_audio_clock(shmfb_reader *r, uint64_t *position, uint64_t *time_ns)
{
	if (!r->info.audio_rate)
		return no_audio(r);
	struct shmfb__header *h = r->hdr;
	/* acquire: pairs with the writer's release store of an even seq. */
	uint64_t s1 = atomic_load_explicit(&h->audio_clock_seq, memory_order_acquire);
	*position = atomic_load_explicit(&h->audio_clock_pos, memory_order_relaxed); /* relaxed: inside seqlock */
	*time_ns = atomic_load_explicit(&h->audio_clock_ns, memory_order_relaxed);   /* relaxed: inside seqlock */
	/* acquire fence: the two loads above happen before the re-check. */
	atomic_thread_fence(memory_order_acquire);
	/* relaxed: ordered by the fence above. */
	uint64_t s2 = atomic_load_explicit(&h->audio_clock_seq, memory_order_relaxed);
	if (s1 != s2 || (s1 & 1))
		return SHMFB_ETORN;
	return s1 == 0 ? shmfb__errorf(SHMFB_ENOFRAME, "%s: no audio written yet", r->open_name) : 0;
}
