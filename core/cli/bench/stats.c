/*
 * stats.c - latency histograms for shmfb bench.
 *
 * Values below 2 * BENCH_HIST_SUB ns get a bucket each; above, every power
 * of two is split into BENCH_HIST_SUB buckets, so a quantile read back from
 * a bucket's middle is within 1/(2*SUB) of a true sample.  Recording is a
 * few instructions and never allocates, so it does not disturb what it
 * measures; the exact minimum and maximum are kept beside.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define SUB_BITS 6 /* log2(BENCH_HIST_SUB) */
_Static_assert(1 << SUB_BITS == BENCH_HIST_SUB, "SUB_BITS matches BENCH_HIST_SUB");

void bench_hist_clear(bench_hist *h)
{
	memset(h, 0, sizeof *h);
}

static int log2_floor(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

uint32_t bench_hist_index(uint64_t ns)
{
	if (ns < 2 * BENCH_HIST_SUB)
		return (uint32_t)ns;
	int e = log2_floor(ns);
	if (e >= BENCH_HIST_TOP)
		return BENCH_HIST_BUCKETS - 1;
	int shift = e - SUB_BITS;
	return (uint32_t)(shift * BENCH_HIST_SUB + (ns >> shift));
}

void bench_hist_range(uint32_t index, uint64_t *lo, uint64_t *hi)
{
	if (index < 2 * BENCH_HIST_SUB) {
		*lo = index;
		*hi = index + 1;
		return;
	}
	/* index = shift*SUB + m with m in [SUB, 2*SUB). */
	uint32_t shift = index / BENCH_HIST_SUB - 1;
	uint64_t m = index - shift * BENCH_HIST_SUB;
	*lo = m << shift;
	*hi = (m + 1) << shift;
}

void bench_hist_add(bench_hist *h, uint64_t ns)
{
	if (h->count == 0 || ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	h->count++;
	h->sum += ns;
	h->bucket[bench_hist_index(ns)]++;
}

uint64_t bench_hist_quantile(const bench_hist *h, double q)
{
	if (h->count == 0)
		return 0;
	uint64_t rank = app_nearest_rank(h->count, q), seen = 0;
	for (uint32_t i = 0; i < BENCH_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t lo, hi;
			bench_hist_range(i, &lo, &hi);
			uint64_t mid = lo + (hi - lo - 1) / 2;
			/* Never report beyond the exact extremes. */
			if (mid > h->max)
				mid = h->max;
			if (mid < h->min)
				mid = h->min;
			return mid;
		}
	}
	return h->max;
}

void bench_hist_summary(const bench_hist *h, bench_lat *out)
{
	memset(out, 0, sizeof *out);
	out->frames = h->count;
	if (!h->count)
		return;
	out->min = h->min;
	out->max = h->max;
	out->p50 = bench_hist_quantile(h, 0.50);
	out->p90 = bench_hist_quantile(h, 0.90);
	out->p99 = bench_hist_quantile(h, 0.99);
	out->p999 = bench_hist_quantile(h, 0.999);
	out->mean = (double)h->sum / (double)h->count;
}

void bench_hist_merge(bench_hist *dst, const bench_hist *src)
{
	if (!src->count)
		return;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (uint32_t i = 0; i < BENCH_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------- spread */

double bench_spread_width(const bench_spread *s)
{
	if (s->median > 0)
		return (s->max - s->min) / s->median;
	/* A median of 0 (most rounds counted nothing) with some round above it
	 * spreads without bound: unstable, not steady. */
	return s->max > s->min ? INFINITY : 0;
}

/* Names what disturbed the rounds, from the counters around them. */
static void disturbance(const bench_disturb *a, const bench_disturb *b, char *out, size_t size)
{
	size_t n = 0;
	out[0] = 0;
	if (!a || !b) {
		snprintf(out, size, "nothing was counted around the rounds");
		return;
	}
	if (b->faults > a->faults)
		n += (size_t)snprintf(out + n, size - n, "%llu page faults (memory reclaimed by the host or the kernel); ",
				      (unsigned long long)(b->faults - a->faults));
	if (n < size && b->preempted > a->preempted)
		n += (size_t)snprintf(out + n, size - n, "preempted %llu times (another process ran); ",
				      (unsigned long long)(b->preempted - a->preempted));
	if (n < size && b->steal_ms > a->steal_ms)
		n += (size_t)snprintf(out + n, size - n, "the host stole %llu ms of CPU; ",
				      (unsigned long long)(b->steal_ms - a->steal_ms));
	if (n == 0)
		snprintf(out, size, "no fault, preemption or steal seen: CPU frequency or shared caches");
	else if (n < size)
		out[n - 2] = 0; /* the last "; " */
}

void bench_spread_of(const double *v, uint32_t n, const bench_disturb *before,
		     const bench_disturb *after, bench_spread *out)
{
	double sorted[BENCH_MAX_ROUNDS];
	memset(out, 0, sizeof *out);
	if (n > BENCH_MAX_ROUNDS)
		n = BENCH_MAX_ROUNDS;
	if (n == 0)
		return;
	memcpy(sorted, v, n * sizeof *v);
	out->median = bench_median(sorted, n); /* sorts */
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->rounds = n;
	out->unstable = bench_spread_width(out) > BENCH_UNSTABLE; /* a median of 0 too, when rounds differ */
	if (out->unstable)
		disturbance(before, after, out->why, sizeof out->why);
}
