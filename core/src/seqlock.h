/*
 * seqlock.h - the one seqlock and wake protocol of the mapping, in the
 * manner of the kernel's seqcount (Documentation/locking/seqlock.rst).
 * slots.c uses it for each slot's frame, audio_ring.c for the ring and the
 * audio clock, writer.c to wake readers at close.
 *
 * One writer process, any number of read-only readers in other processes.
 * The writer makes a counter odd before it writes the data it guards and
 * even after; a reader notes the counter, reads the data, and keeps what it
 * read only if the counter has not moved and was even:
 *
 *   writer  s = seq_write_begin(&seq)     seq odd, then a full barrier
 *           ... data ...
 *           seq_write_end(&seq)           a full barrier, then seq even (release)
 *           wake_bump(seg, &wake)         readers asleep in wait_until wake up
 *
 *   reader  s = seq_read_begin(&seq)      acquire: pairs with seq_write_end
 *           ... data ...
 *           if (seq_busy(s) || seq_read_retry(&seq, s))  throw the data away
 *
 * If any read of the data saw a store made after the writer's barrier in
 * write_begin, the reader's acquire fence in read_retry makes its re-load
 * see the odd value or a later one, so torn data is never kept.  The data
 * itself is plain memory, or relaxed atomics where it is a header field.
 *
 * Why full barriers (seq_cst fences), where the kernel's write side has
 * smp_wmb: the data may be written with non-temporal stores (the frame copy,
 * memcpy of large blocks), which a release fence or store does not order on
 * x86.  A full barrier (mfence) does, and costs little next to a frame.
 *
 * The two halves also work apart, on two counters instead of one (the
 * audio ring: `claimed` raised before the data, `written` after):
 * store_claim and store_commit for the writer, load_committed and
 * load_recheck for the reader.
 */
#ifndef SHMFB_SEQLOCK_H
#define SHMFB_SEQLOCK_H

#include "shmfb.h"
#include "atomic.h"
#include "platform.h"

/* ------------------------------------------------------------ the halves */

/* Stores v, then a full barrier: v is visible before any store that follows. */
static inline void shmfb__store_claim(shmfb_atomic_u64 *p, uint64_t v)
{
	/* relaxed: the fence below orders it before what follows. */
	atomic_store_explicit(p, v, memory_order_relaxed);
	/* seq_cst fence: pairs with the reader's acquire fence in load_recheck;
	 * full, so that non-temporal stores after it stay after it. */
	atomic_thread_fence(memory_order_seq_cst);
}

/* A full barrier, then v: whoever's acquire load sees v sees every store before. */
static inline void shmfb__store_commit(shmfb_atomic_u64 *p, uint64_t v)
{
	/* seq_cst fence: non-temporal stores before it, which the release
	 * store below would not order on x86, complete first. */
	atomic_thread_fence(memory_order_seq_cst);
	/* release: pairs with the reader's acquire load of p. */
	atomic_store_explicit(p, v, memory_order_release);
}

/* Loads p: what was stored before store_commit of this value is visible. */
static inline uint64_t shmfb__load_committed(shmfb_atomic_u64 *p)
{
	/* acquire: pairs with the release store in store_commit. */
	return atomic_load_explicit(p, memory_order_acquire);
}

/* Loads p after everything the caller read before (an acquire fence first). */
static inline uint64_t shmfb__load_recheck(shmfb_atomic_u64 *p)
{
	/* acquire fence: the caller's reads so far happen before the load;
	 * pairs with the writer's fence in store_claim. */
	atomic_thread_fence(memory_order_acquire);
	/* relaxed: ordered by the fence above. */
	return atomic_load_explicit(p, memory_order_relaxed);
}

/* ------------------------------------------------------------ the seqlock */

/* Writer: seq goes odd before any store of the data.  Returns the odd value. */
static inline uint64_t shmfb__seq_write_begin(shmfb_atomic_u64 *seq)
{
	/* relaxed: only the writer stores seq, so it reads back its own value. */
	uint64_t s = atomic_load_explicit(seq, memory_order_relaxed) | 1;
	shmfb__store_claim(seq, s);
	return s;
}

/* Writer: the data is complete; seq goes even after it. */
static inline void shmfb__seq_write_end(shmfb_atomic_u64 *seq)
{
	/* relaxed: only the writer stores seq. */
	uint64_t s = atomic_load_explicit(seq, memory_order_relaxed);
	shmfb__store_commit(seq, s + 1);
}

/* Reader: the value to compare against after reading the data. */
static inline uint64_t shmfb__seq_read_begin(shmfb_atomic_u64 *seq)
{
	return shmfb__load_committed(seq);
}

/* 1 when s was taken while the writer was inside: the data cannot be used. */
static inline int shmfb__seq_busy(uint64_t s)
{
	return (int)(s & 1);
}

/* Reader: 1 when the writer has been in since read_begin returned start. */
static inline int shmfb__seq_read_retry(shmfb_atomic_u64 *seq, uint64_t start)
{
	return shmfb__load_recheck(seq) != start;
}

/* ------------------------------------------------------------ waking */

/*
 * Writer: readers asleep on `word` in wait_until wake up.  Always called:
 * read-only readers cannot tell the writer that they are waiting.
 */
static inline void shmfb__wake_bump(const shmfb__seg *seg, shmfb_atomic_u32 *word)
{
	/* release: what was published before is visible to a reader whose
	 * acquire load in wait_until sees the new value. */
	atomic_fetch_add_explicit(word, 1, memory_order_release);
	shmfb__plat_wake(seg, word);
}

/*
 * Reader: sleeps on `word` until ready(ctx) returns 1 (returns 0) or < 0
 * (returns that code), at most timeout_ns (< 0: for ever; then
 * SHMFB_ETIMEDOUT, without a detail: the caller says what did not come).
 * `word` is loaded before ready() looks, so a wake_bump between the two
 * makes the sleep return at once: no wake-up is lost.  SHMFB_WAIT_SPIN
 * spins instead of sleeping.
 */
static inline int shmfb__wait_until(const shmfb__seg *seg, shmfb_atomic_u32 *word, int64_t timeout_ns,
				    unsigned flags, int (*ready)(void *ctx), void *ctx)
{
	uint64_t start = shmfb__plat_now_ns();
	for (;;) {
		/* acquire: pairs with the release add in wake_bump. */
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		int rc = ready(ctx);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		int64_t left = -1;
		if (timeout_ns >= 0) {
			left = timeout_ns - (int64_t)(shmfb__plat_now_ns() - start);
			if (left <= 0)
				return SHMFB_ETIMEDOUT;
		}
		if (flags & SHMFB_WAIT_SPIN)
			shmfb__cpu_relax();
		else
			shmfb__plat_wait(seg, word, seen, left);
	}
}

#endif /* SHMFB_SEQLOCK_H */
