/*
 * slots.c - the triple-buffer protocol: how a frame is written, published,
 * found, read and waited for.
 *
 * Ownership.  Slot `latest` holds the newest complete frame.  The writer
 * always writes the slot it published longest ago (round robin), which is
 * neither the latest nor the one before it; so a reader that picked up the
 * latest frame has two whole frame periods before that slot is touched.
 *
 * Each slot's metadata carries a seqlock `seq` (seqlock.h, where the
 * barriers are explained): odd while the writer owns the slot.
 *
 *   writer (acquire)    seq_write_begin      seq odd before any pixel
 *                       ... pixels, metadata ...
 *   writer (publish)    seq_write_end        pixels+metadata before seq even
 *                       latest = idx<<2|slot release: the slot's seq before
 *                       wake_bump            latest before; readers woken
 *
 *   reader (latest)     v = latest           acquire, pairs with the store above
 *                       s = seq_read_begin   even, or the slot is being written
 *                       ... metadata, pixels (the caller) ...
 *   reader (valid)      seq_read_retry       the frame is good when seq is still s
 *
 * Everything read from the mapping here is untrusted: slot indices are
 * range-checked, and offsets come from the reader's validated copy of the
 * header (header.c), never from the live header.
 */
#include <string.h>

#include "internal.h"
#include "seqlock.h"

/* ------------------------------------------------------------ writer side */

void shmfb_writer_acquire(shmfb_writer *w, shmfb_planes *p)
{
	struct shmfb__header *h = w->hdr;
	if (!w->acquired) {
		uint32_t s = (w->last_slot + 1) % SHMFB_SLOTS;
		shmfb__seq_write_begin(&h->meta[s].seq);
		w->cur = s;
		w->acquired = 1;
	}
	uint8_t *base = (uint8_t *)w->seg.base + w->slot_offset[w->cur];
	memset(p, 0, sizeof *p);
	p->plane_count = w->layout.plane_count;
	p->frame_bytes = w->layout.frame_bytes;
	for (uint32_t i = 0; i < w->layout.plane_count; i++) {
		p->data[i] = base + w->layout.offset[i];
		p->stride[i] = w->layout.stride[i];
	}
}

void shmfb_writer_publish(shmfb_writer *w, uint64_t frame_number, uint64_t pts_ns)
{
	if (!w->acquired) {
		shmfb_planes unused;
		shmfb_writer_acquire(w, &unused);
	}
	struct shmfb__header *h = w->hdr;
	struct shmfb__slot_meta *m = &h->meta[w->cur];
	uint64_t index = w->published + 1;
	uint64_t now = shmfb__plat_now_ns();
	/* relaxed: metadata stores are inside the seqlock and ordered by the release below. */
	atomic_store_explicit(&m->index, index, memory_order_relaxed);
	atomic_store_explicit(&m->frame_number, frame_number, memory_order_relaxed);  /* relaxed: inside seqlock */
	atomic_store_explicit(&m->pts_ns, pts_ns, memory_order_relaxed);              /* relaxed: inside seqlock */
	atomic_store_explicit(&m->publish_ns, now, memory_order_relaxed);             /* relaxed: inside seqlock */
	atomic_store_explicit(&m->bytes_used, w->layout.frame_bytes, memory_order_relaxed); /* relaxed: inside seqlock */
	shmfb__seq_write_end(&m->seq);
	/* release: pairs with the reader's acquire load of latest; the slot is complete before. */
	atomic_store_explicit(&h->latest, SHMFB__LATEST(index, w->cur), memory_order_release);
	/* relaxed: a liveness hint compared against seconds; no data depends on it. */
	atomic_store_explicit(&h->heartbeat_ns, now, memory_order_relaxed);
	shmfb__wake_bump(&w->seg, &h->wake);
	w->published = index;
	w->last_slot = w->cur;
	w->acquired = 0;
}

int shmfb_writer_publish_copy(shmfb_writer *w, const void *src, size_t size,
			      uint64_t frame_number, uint64_t pts_ns)
{
	if (size != w->layout.frame_bytes)
		return shmfb__errorf(SHMFB_EINVAL, "%s: frame of %zu bytes, the mapping takes %llu",
				     w->name, size, (unsigned long long)w->layout.frame_bytes);
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	shmfb__copy_frame(p.data[0], src, size); /* planes are packed from offset 0 */
	shmfb_writer_publish(w, frame_number, pts_ns);
	return 0;
}

void shmfb_writer_heartbeat(shmfb_writer *w)
{
	/* relaxed: a liveness hint compared against seconds; no data depends on it. */
	atomic_store_explicit(&w->hdr->heartbeat_ns, shmfb__plat_now_ns(), memory_order_relaxed);
}

/* ------------------------------------------------------------ reader side */

static struct shmfb__slot_meta *meta_of(const shmfb_reader *r, uint32_t slot)
{
	return &r->hdr->meta[slot];
}

static int mapping_lost(const shmfb_reader *r)
{
	return shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: the mapping was truncated under the reader",
			     r->open_name);
}

/*
 * Judges a value of the live word `latest` (docs/FORMAT.md, "Live fields"):
 * 0 is "nothing yet"; otherwise the slot must be < 3, the index not 0, and
 * the index never lower than one this reader has seen.
 */
/*
 * The reader's high-water mark.  relaxed, both here and in raise_seen: it is
 * this process's private memory and orders nothing; the only concurrency is a
 * thread waiting (wait reads it) beside a thread taking frames (which raises
 * it), and a value one call old only makes that call's backwards check laxer.
 */
static uint64_t seen_index(const shmfb_reader *r)
{
	return atomic_load_explicit(&r->last_index, memory_order_relaxed); /* relaxed: above */
}

/* Raises the mark to index, never lowers it, whichever thread wins a race. */
static void raise_seen(shmfb_reader *r, uint64_t index)
{
	uint64_t cur = atomic_load_explicit(&r->last_index, memory_order_relaxed); /* relaxed: see seen_index */
	while (index > cur &&
	       !atomic_compare_exchange_weak_explicit(&r->last_index, &cur, index, memory_order_relaxed, /* relaxed: see seen_index */
						      memory_order_relaxed))
		;
}

static int check_latest(const shmfb_reader *r, uint64_t v, uint64_t *index, uint32_t *slot)
{
	*slot = SHMFB__LATEST_SLOT(v);
	*index = SHMFB__LATEST_INDEX(v);
	if (v == 0)
		return shmfb__errorf(SHMFB_ENOFRAME, "%s: no frame published yet", r->open_name);
	if (*slot >= SHMFB_SLOTS || *index == 0)
		return shmfb__errorf(SHMFB_EBADLATEST, "%s: latest names frame %llu in slot %u: the slot must be 0 to 2 and the frame at least 1",
				     r->open_name, (unsigned long long)*index, *slot);
	uint64_t seen = seen_index(r);
	if (*index < seen)
		return shmfb__errorf(SHMFB_EBACKWARDS, "%s: the publish counter went backwards, from frame %llu to %llu (mapping corrupt)",
				     r->open_name, (unsigned long long)seen,
				     (unsigned long long)*index);
	return 0;
}

static int load_latest(shmfb_reader *r, uint64_t *index, uint32_t *slot)
{
	if (shmfb__plat_seg_lost(&r->seg))
		return mapping_lost(r);
	/* acquire: pairs with the writer's release store of latest in publish. */
	uint64_t v = atomic_load_explicit(&r->hdr->latest, memory_order_acquire);
	return check_latest(r, v, index, slot);
}

/* 0 when latest is nothing yet or a good value, else its code (above). */
static int latest_sane(shmfb_reader *r)
{
	uint64_t index;
	uint32_t slot;
	int rc = load_latest(r, &index, &slot);
	return rc == SHMFB_ENOFRAME ? 0 : rc;
}

uint64_t shmfb_reader_latest_index(shmfb_reader *r)
{
	/* acquire: pairs with the writer's release store; callers go on to read the frame. */
	uint64_t v = atomic_load_explicit(&r->hdr->latest, memory_order_acquire);
	return SHMFB__LATEST_INDEX(v);
}

static void point_into(const shmfb_reader *r, const uint8_t *base, shmfb_frame *f)
{
	const shmfb_layout *l = &r->info.layout;
	for (uint32_t i = 0; i < SHMFB_MAX_PLANES; i++) {
		f->data[i] = i < l->plane_count ? base + l->offset[i] : NULL;
		f->stride[i] = i < l->plane_count ? l->stride[i] : 0;
	}
}

int shmfb_reader_latest(shmfb_reader *r, shmfb_frame *f)
{
	uint64_t index = 0;
	uint32_t slot = 0;
	int rc = load_latest(r, &index, &slot);
	if (rc < 0)
		return rc;
	struct shmfb__slot_meta *m = meta_of(r, slot);
	uint64_t s1 = shmfb__seq_read_begin(&m->seq);
	/* relaxed: inside the seqlock; shmfb_frame_valid re-checks seq after them. */
	uint64_t slot_index = atomic_load_explicit(&m->index, memory_order_relaxed);
	f->frame_number = atomic_load_explicit(&m->frame_number, memory_order_relaxed); /* relaxed: inside seqlock */
	f->pts_ns = atomic_load_explicit(&m->pts_ns, memory_order_relaxed);             /* relaxed: inside seqlock */
	f->publish_ns = atomic_load_explicit(&m->publish_ns, memory_order_relaxed);     /* relaxed: inside seqlock */
	/* Lapped: the writer has begun reusing the slot, or it holds another frame. */
	if (shmfb__seq_busy(s1) || slot_index != index)
		return SHMFB_ETORN;
	raise_seen(r, index);
	f->index = index;
	f->slot = slot;
	f->bytes = r->info.layout.frame_bytes;
	f->seq__ = s1;
	point_into(r, (const uint8_t *)r->seg.base + r->info.slot_offset[slot], f);
	return 0;
}

int shmfb_frame_valid(const shmfb_reader *r, const shmfb_frame *f)
{
	return !shmfb__seq_read_retry(&meta_of(r, f->slot % SHMFB_SLOTS)->seq, f->seq__);
}

int shmfb_reader_slot(shmfb_reader *r, uint32_t slot, shmfb_frame *f)
{
	memset(f, 0, sizeof *f);
	if (slot >= SHMFB_SLOTS)
		return shmfb__errorf(SHMFB_EINVAL, "%s: no slot %u", r->open_name, slot);
	struct shmfb__slot_meta *m = meta_of(r, slot);
	uint64_t s1 = shmfb__seq_read_begin(&m->seq);
	/* relaxed: inside the seqlock; shmfb_frame_valid re-checks seq after them. */
	f->index = atomic_load_explicit(&m->index, memory_order_relaxed);               /* relaxed: inside seqlock */
	f->frame_number = atomic_load_explicit(&m->frame_number, memory_order_relaxed); /* relaxed: inside seqlock */
	f->pts_ns = atomic_load_explicit(&m->pts_ns, memory_order_relaxed);             /* relaxed: inside seqlock */
	f->publish_ns = atomic_load_explicit(&m->publish_ns, memory_order_relaxed);     /* relaxed: inside seqlock */
	f->bytes = atomic_load_explicit(&m->bytes_used, memory_order_relaxed);          /* relaxed: inside seqlock */
	f->slot = slot;
	f->seq__ = s1;
	if (shmfb__seq_busy(s1) || !shmfb_frame_valid(r, f))
		return SHMFB_ETORN;
	return s1 == 0 ? SHMFB_ENOFRAME : 0;
}

#define COPY_TRIES 64
/*
 * A seqlock check per MiB copied.  Not smaller: glibc copies pieces of
 * 256 KiB with another routine that measured 3.7 times slower here on a
 * frame streamed to DRAM (3.8 ms against 1.0 ms for 1080p RGBA); from
 * 512 KiB up the pieces cost what one whole copy does.
 */
#define COPY_CHUNK ((size_t)1 << 20)

/*
 * Copies the frame f in pieces, checking its seqlock after each: a copy the
 * writer has begun to overwrite is abandoned at once instead of finished
 * for nothing, which matters to a reader that is being lapped (an 8 MB copy
 * from DRAM takes longer than two frame periods of an unpaced writer).
 * 1 when every byte was copied (the caller still validates the whole).
 */
static int copy_while_valid(shmfb_reader *r, const shmfb_frame *f, uint8_t *dst, size_t n)
{
	const uint8_t *src = (const uint8_t *)r->seg.base + r->info.slot_offset[f->slot];
	for (size_t off = 0; off < n; off += COPY_CHUNK) {
		size_t k = n - off < COPY_CHUNK ? n - off : COPY_CHUNK;
		memcpy(dst + off, src + off, k);
		if (off + k < n && !shmfb_frame_valid(r, f))
			return 0;
	}
	return 1;
}

/*
 * Every frame, not only the newest.  The slots hold the latest frame and,
 * complete, the one or two before it (the writer is in at most one slot):
 * the oldest of them newer than `after` is the frame a reader that took
 * `after` has not seen.  Each slot's metadata is read under its seqlock, and
 * a slot the writer is in or has moved on since is skipped; only frames no
 * newer than `latest` count, so the answer never runs ahead of what the
 * writer has published.  Nothing is assumed about which slot the writer
 * used for which frame: the indices alone decide.
 */
int shmfb_reader_next(shmfb_reader *r, uint64_t after, shmfb_frame *f)
{
	uint64_t latest = 0;
	uint32_t latest_slot = 0;
	int rc = load_latest(r, &latest, &latest_slot);
	if (rc < 0)
		return rc;
	if (latest <= after)
		return shmfb__errorf(SHMFB_ENOFRAME, "%s: no frame after %llu published yet (latest is %llu)",
				     r->open_name, (unsigned long long)after, (unsigned long long)latest);
	int found = 0;
	for (uint32_t slot = 0; slot < SHMFB_SLOTS; slot++) {
		shmfb_frame c;
		if (shmfb_reader_slot(r, slot, &c) != 0 || c.index <= after || c.index > latest)
			continue;
		if (!found || c.index < f->index)
			*f = c;
		found = 1;
	}
	if (!found) /* every frame in (after, latest] overwritten while we looked */
		return SHMFB_ETORN;
	raise_seen(r, latest);
	f->bytes = r->info.layout.frame_bytes;
	point_into(r, (const uint8_t *)r->seg.base + r->info.slot_offset[f->slot], f);
	return 0;
}

/* The frame to copy: the latest, or with `every` the oldest after `after`. */
static int pick_frame(shmfb_reader *r, int every, uint64_t after, shmfb_frame *f)
{
	return every ? shmfb_reader_next(r, after, f) : shmfb_reader_latest(r, f);
}

/* shmfb_reader_copy_latest and shmfb_reader_copy_next. */
static int copy_picked(shmfb_reader *r, int every, uint64_t after, void *dst, size_t size, shmfb_frame *out)
{
	const uint64_t bytes = r->info.layout.frame_bytes;
	if (size < bytes)
		return shmfb__errorf(SHMFB_EINVAL, "%s: buffer of %zu bytes, a frame is %llu",
				     r->open_name, size, (unsigned long long)bytes);
	for (int i = 0; i < COPY_TRIES; i++) {
		shmfb_frame f;
		int rc = pick_frame(r, every, after, &f);
		if (rc == SHMFB_ETORN)
			continue;
		if (rc < 0)
			return rc;
		int whole = copy_while_valid(r, &f, dst, (size_t)bytes);
		if (shmfb__plat_seg_lost(&r->seg))
			return mapping_lost(r);
		if (!whole || !shmfb_frame_valid(r, &f))
			continue;
		raise_seen(r, f.index);
		if (out) {
			*out = f;
			point_into(r, dst, out);
		}
		return 0;
	}
	return shmfb__errorf(SHMFB_EAGAIN, "%s: the producer overwrote the frame %d times during the copy",
			     r->open_name, COPY_TRIES);
}

int shmfb_reader_copy_latest(shmfb_reader *r, void *dst, size_t size, shmfb_frame *out)
{
	return copy_picked(r, 0, 0, dst, size, out);
}

int shmfb_reader_copy_next(shmfb_reader *r, uint64_t after, void *dst, size_t size, shmfb_frame *out)
{
	return copy_picked(r, 1, after, dst, size, out);
}

static uint32_t load_state(const shmfb_reader *r)
{
	/* acquire: pairs with the writer's release store of state at create and close. */
	return atomic_load_explicit(&r->hdr->state, memory_order_acquire);
}

/* The state word of an opened mapping is 1 or 2; anything else is corrupt. */
static int state_sane(const shmfb_reader *r, uint32_t st)
{
	if (st == SHMFB_STATE_RUNNING || st == SHMFB_STATE_CLOSED)
		return 0;
	return shmfb__errorf(SHMFB_EBADSTATE, "%s: state word %u: an opened mapping's is 1 (running) or 2 (closed)",
			     r->open_name, st);
}

struct frame_wait {
	shmfb_reader *r;
	uint64_t after;
};

/* 1 once a frame after `after` is published, < 0 when none can come, else 0. */
static int frame_ready(void *ctx)
{
	const struct frame_wait *fw = ctx;
	shmfb_reader *r = fw->r;
	int rc = latest_sane(r);
	if (rc < 0)
		return rc;
	if (shmfb_reader_latest_index(r) > fw->after)
		return 1;
	uint32_t st = load_state(r);
	if (st == SHMFB_STATE_CLOSED)
		return shmfb__errorf(SHMFB_ECLOSED, "%s: producer closed the mapping", r->open_name);
	return state_sane(r, st);
}

int shmfb_reader_wait(shmfb_reader *r, uint64_t after, int64_t timeout_ns, unsigned flags)
{
	struct frame_wait fw = {r, after};
	int rc = shmfb__wait_until(&r->seg, &r->hdr->wake, timeout_ns, flags, frame_ready, &fw);
	if (rc == SHMFB_ETIMEDOUT)
		return shmfb__errorf(SHMFB_ETIMEDOUT, "%s: no new frame within %lld ms", r->open_name,
				     (long long)(timeout_ns / SHMFB_MS));
	return rc;
}

uint64_t shmfb_reader_heartbeat(shmfb_reader *r)
{
	/* relaxed: a liveness hint; no data is read on its strength. */
	return atomic_load_explicit(&r->hdr->heartbeat_ns, memory_order_relaxed);
}

int shmfb_reader_status(shmfb_reader *r)
{
	const char *n = r->open_name;
	if (shmfb__plat_seg_lost(&r->seg))
		return mapping_lost(r);
	uint32_t st = load_state(r);
	int rc = state_sane(r, st);
	if (rc == 0)
		rc = latest_sane(r);
	if (rc == 0)
		rc = shmfb__audio_counters_sane(r);
	if (rc < 0)
		return rc;
	if (st == SHMFB_STATE_CLOSED)
		return shmfb__errorf(SHMFB_ECLOSED, "%s: producer closed the mapping", n);
	if (!shmfb__plat_owner_alive(&r->seg))
		return shmfb__errorf(SHMFB_EDEAD, "%s: producer pid %u died without closing", n,
				     r->info.producer_pid);
	if (!shmfb__plat_seg_is_current(r->open_name, &r->seg))
		return shmfb__errorf(SHMFB_EREPLACED, "%s: the name now refers to another mapping", n);
	uint64_t limit = (uint64_t)r->info.heartbeat_timeout_ms * SHMFB_MS;
	uint64_t hb = shmfb_reader_heartbeat(r), now = shmfb__plat_now_ns();
	if (limit && now > hb && now - hb > limit)
		return shmfb__errorf(SHMFB_ESTALE, "%s: producer pid %u is stale: alive but silent for %llu ms (its heartbeat timeout is %u ms)",
				     n, r->info.producer_pid, (unsigned long long)((now - hb) / SHMFB_MS),
				     r->info.heartbeat_timeout_ms);
	return 0;
}
