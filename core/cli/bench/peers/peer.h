/*
 * peer.h - what shmfb bench and its peer programs agree on (the peers link
 * neither the library nor the bench): the clock, CLOCK_MONOTONIC as
 * shmfb_now_ns(); the warm-up before every measured window; the file a
 * subscriber makes once it is connected.
 */
#ifndef SHMFB_BENCH_PEER_H
#define SHMFB_BENCH_PEER_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t peer_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void peer_sleep_until(uint64_t t)
{
	uint64_t n = peer_now_ns();
	if (t > n) {
		struct timespec ts = {(time_t)((t - n) / 1000000000ull), (long)((t - n) % 1000000000ull)};
		nanosleep(&ts, NULL);
	}
}

/*
 * Warm-up, the same for shmfb and every peer: unmeasured frames numbered 0
 * (readers skip them), a frame period apart but 5-20 ms, at least
 * PEER_WARMUP_FRAMES of them and for at least PEER_WARMUP_NS, so that
 * first touches of slots, pipes and buffers and the settling of new
 * processes are not timed.  (Without it a run's p99 was its first frame,
 * 15-20 ms at 30 f/s on a VM with slow page faults; with 6 frames in 30 ms,
 * four 1080p readers at 240 f/s still lost a frame in the first 100 ms in
 * 3 of 4 tries, and none in 4 after 100 ms.)
 */
#define PEER_WARMUP_FRAMES 6 /* each slot twice */
#define PEER_WARMUP_NS 100000000ull

static inline uint64_t peer_warmup_gap_ns(uint64_t period_ns)
{
	return period_ns < 5000000ull ? 5000000ull : period_ns > 20000000ull ? 20000000ull : period_ns;
}

/* 1 while warm-up frame i (from 0), begun at start, is still to be sent. */
static inline int peer_warming(int i, uint64_t start)
{
	return i < PEER_WARMUP_FRAMES || peer_now_ns() - start < PEER_WARMUP_NS;
}

/* The file a subscriber writing its results to `out` creates once it is connected. */
static inline void peer_ready_path(char *path, size_t size, const char *out)
{
	snprintf(path, size, "%s.ready", out);
}

#endif
