/*
 * pacer.c - the producer's frame clock.
 *
 * Frames are paced on absolute CLOCK_MONOTONIC deadlines, start + n/fps, so
 * the rate does not drift however long it runs; a frame's pts is its
 * deadline.  While it waits the producer keeps the heartbeat and notices a
 * stop (HEARTBEAT_NS).
 */
#include "os.h"
#include "producer.h"

uint64_t pacer_deadline(const struct pacer *p, uint64_t tick)
{
	/* 128-bit so start + tick * 1e9 * den / num is exact for any run length. */
	unsigned __int128 t = (unsigned __int128)tick * (uint64_t)SHMFB_SEC * p->den / p->num;
	return p->start + (uint64_t)t;
}

/* Sleeps until t (CLOCK_MONOTONIC ns), in pieces, keeping the heartbeat. */
static void sleep_until(shmfb_writer *w, uint64_t t)
{
	for (;;) {
		uint64_t now = shmfb_now_ns();
		if (now >= t || producer_stopping())
			return;
		uint64_t until = t - now > HEARTBEAT_NS ? now + HEARTBEAT_NS : t;
		os_sleep_until(until);
		if (w && until < t)
			shmfb_writer_heartbeat(w);
	}
}

/*
 * The next frame's scheduled time.  While the producer keeps up, frame n is
 * due at start + n/fps exactly, however long it runs.  A frame that is
 * ready only after its deadline (a slow source, a stall) is published at
 * once and the schedule starts again from it, rather than catching up with
 * a burst: frames are never closer together than one period.  With
 * keep_grid (--av-sync, whose flashes are on the original schedule) the
 * late frame instead takes the next tick still ahead.
 */
uint64_t pacer_next(struct pacer *p, shmfb_writer *w)
{
	uint64_t now = shmfb_now_ns();
	if (!p->num)
		return now;
	if (p->tick == 0 && p->start == 0)
		p->start = now;
	uint64_t t = pacer_deadline(p, p->tick);
	if (now > t && p->keep_grid) {
		p->tick = (uint64_t)((unsigned __int128)(now - p->start) * p->num /
				     ((uint64_t)SHMFB_SEC * p->den)) + 1;
		t = pacer_deadline(p, p->tick);
	} else if (now > t) {
		p->start = t = now;
		p->tick = 0;
	}
	p->last_tick = p->tick++;
	sleep_until(w, t);
	return t;
}

