/*
 * peer.h - the clock the peer programs of shmfb bench share (they link
 * neither the library nor the bench): CLOCK_MONOTONIC, as shmfb_now_ns().
 */
#ifndef SHMFB_BENCH_PEER_H
#define SHMFB_BENCH_PEER_H

#include <stdint.h>
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

#endif
