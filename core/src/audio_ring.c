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
 * They are the two halves of a seqlock on two counters (seqlock.h, where
 * the barriers are explained):
 *
 *   writer      store_claim(claimed, c + n)   the claim before any data
 *               ... copy n frames into the ring ...
 *               store_commit(written, c + n)  the data before the count
 *               wake_bump
 *
 *   reader      w = load_committed(written)
 *               ... copy [cursor, min(w, cursor + max)) out ...
 *               k = load_recheck(claimed)     the copy happens before
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
#include "seqlock.h"

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
	shmfb__store_claim(&h->audio_claimed, c + count);
	ring_copy((uint8_t *)w->seg.base + w->audio_offset, w->audio_capacity, w->audio_frame_bytes,
		  c, (uint8_t *)frames, count, 1);
	shmfb__store_commit(&h->audio_written, c + count);
	w->audio_written = c + count;

	/* The clock pair under its own seqlock. */
	shmfb__seq_write_begin(&h->audio_clock_seq);
	atomic_store_explicit(&h->audio_clock_pos, c, memory_order_relaxed);    /* relaxed: inside seqlock */
	atomic_store_explicit(&h->audio_clock_ns, pts_ns, memory_order_relaxed); /* relaxed: inside seqlock */
	shmfb__seq_write_end(&h->audio_clock_seq);

	shmfb__wake_bump(&w->seg, &h->audio_wake);
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
	*w = shmfb__load_committed(&r->hdr->audio_written); /* the frames counted are in the ring */
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

/* claimed, loaded after whatever the caller read before (the copy, written). */
static uint64_t load_claimed(const shmfb_reader *r)
{
	return shmfb__load_recheck(&r->hdr->audio_claimed);
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

/* 1 once there is audio past the cursor, < 0 when none can come, else 0. */
static int audio_ready(void *ctx)
{
	shmfb_reader *r = ctx;
	if (shmfb__plat_seg_lost(&r->seg))
		return mapping_lost(r);
	uint64_t w;
	int rc = load_written(r, &w);
	if (rc < 0)
		return rc;
	if (w > r->audio_cursor)
		return 1;
	/* acquire: pairs with the writer's release store of CLOSED. */
	if (atomic_load_explicit(&r->hdr->state, memory_order_acquire) == SHMFB_STATE_CLOSED)
		return shmfb__errorf(SHMFB_ECLOSED, "%s: producer closed the mapping", r->open_name);
	return 0;
}

int shmfb_audio_wait(shmfb_reader *r, int64_t timeout_ns, unsigned flags)
{
	if (!r->info.audio_rate)
		return no_audio(r);
	int rc = shmfb__wait_until(&r->seg, &r->hdr->audio_wake, timeout_ns, flags, audio_ready, r);
	if (rc == SHMFB_ETIMEDOUT)
		return shmfb__errorf(SHMFB_ETIMEDOUT, "%s: no audio within %lld ms", r->open_name,
				     (long long)(timeout_ns / SHMFB_MS));
	return rc;
}

int shmfb_audio_clock(shmfb_reader *r, uint64_t *position, uint64_t *time_ns)
{
	if (!r->info.audio_rate)
		return no_audio(r);
	struct shmfb__header *h = r->hdr;
	uint64_t s1 = shmfb__seq_read_begin(&h->audio_clock_seq);
	*position = atomic_load_explicit(&h->audio_clock_pos, memory_order_relaxed); /* relaxed: inside seqlock */
	*time_ns = atomic_load_explicit(&h->audio_clock_ns, memory_order_relaxed);   /* relaxed: inside seqlock */
	if (shmfb__seq_busy(s1) || shmfb__seq_read_retry(&h->audio_clock_seq, s1))
		return SHMFB_ETORN;
	return s1 == 0 ? shmfb__errorf(SHMFB_ENOFRAME, "%s: no audio written yet", r->open_name) : 0;
}
