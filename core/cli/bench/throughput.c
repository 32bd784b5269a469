/*
 * throughput.c - section 2 of shmfb bench: copy-publish frames/s and GB/s
 * beside a plain memcpy of the same bytes, and the cost of the zero-copy
 * path (acquire + publish, no pixels).
 *
 * The baseline copies from the same source into three already-faulted
 * private buffers in turn: the same bytes and the same working set as
 * copy-publish writing three slots in turn, so the ratio shows only what
 * shmfb adds (the shared mapping, the seqlock, the futex wake).
 *
 * Each method is measured in a block of its own: an untimed warm-up that
 * writes every one of its buffers at least twice, then BENCH_ROUNDS timed
 * rounds of at least three copies each.  Methods are never interleaved in
 * short slices: a host that reclaims memory gone cold (a VM's balloon, a
 * proactive reclaimer) would charge whichever method touches its 33 MB
 * buffers next with faulting them back, and a 4K copy-publish could read as
 * a few percent of memcpy.  Each figure is the median round, with the
 * smallest and largest beside it; a spread over 20 % is reported unstable,
 * with the page faults, preemptions and steal time counted around it.
 *
 * Everything runs in one child process pinned to the writer's CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define ROUNDS BENCH_ROUNDS
#define MIN_COPIES 3 /* per round, however short the round */

struct tp_ctl {
	bench_copy_row rows[BENCH_MAX_SIZES];
	uint32_t nrows;
	double zero_copy_ns, futex_wake_ns;
	bench_spread zero_copy, futex_wake;
	uint64_t publish_faults; /* minor faults during the copy-publish loops */
	uint32_t thp_helps;
	_Atomic uint32_t wake_word;
	char names[BENCH_MAX_SIZES][SHMFB_NAME_MAX + 1];
	char zc_name[SHMFB_NAME_MAX + 1];
	char err[256];
};

struct tp_args {
	const bench_opts *o;
	struct tp_ctl *ctl;
};

/* Keeps the compiler from dropping copies nobody reads. */
static void clobber(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

struct method_ctx {
	shmfb_writer *w;
	const uint8_t *src;
	uint8_t *dst[3], *huge;
	size_t n;
	uint64_t frame;
};

/* One copy by method m; count is how many it has done so far. */
static void copy_once(struct method_ctx *x, int m, uint64_t count)
{
	switch (m) {
	case M_MEMCPY1:
		memcpy(x->dst[0], x->src, x->n);
		clobber(x->dst[0]);
		break;
	case M_MEMCPY3:
		memcpy(x->dst[count % 3], x->src, x->n);
		clobber(x->dst[count % 3]);
		break;
	case M_MEMCPY_HUGE:
		memcpy(x->huge, x->src, x->n);
		clobber(x->huge);
		break;
	case M_PUBLISH:
		shmfb_writer_publish_copy(x->w, x->src, x->n, ++x->frame, 0);
		break;
	}
}

/* Bytes per second of method m over dur_ns, and at least MIN_COPIES copies. */
static double rate(struct method_ctx *x, int m, uint64_t dur_ns)
{
	uint64_t t0 = shmfb_now_ns(), t, count = 0;
	do {
		copy_once(x, m, count);
		count++;
		t = shmfb_now_ns();
	} while (t - t0 < dur_ns || count < MIN_COPIES);
	return (double)count * (double)x->n / ((double)(t - t0) / 1e9);
}

/*
 * One method's block: warm-up (each of its buffers written twice, and a
 * quarter round), then its rounds.  GB/s per round into out.
 */
static void measure_method(struct method_ctx *x, int m, uint64_t round_ns, bench_spread *out,
			   uint64_t *faults)
{
	for (uint64_t k = 0; k < 6; k++)
		copy_once(x, m, k);
	rate(x, m, round_ns / 4);
	double v[ROUNDS];
	bench_disturb d0, d1;
	bench_disturb_now(&d0);
	for (int r = 0; r < ROUNDS; r++)
		v[r] = rate(x, m, round_ns) / 1e9;
	bench_disturb_now(&d1);
	*faults += d1.faults - d0.faults;
	bench_spread_of(v, ROUNDS, &d0, &d1, out);
}

static int measure_row(struct tp_args *a, uint32_t i)
{
	struct tp_ctl *c = a->ctl;
	bench_copy_row *row = &c->rows[i];
	shmfb_writer_options wo;
	shmfb_writer_options_init(&wo);
	wo.width = row->width;
	wo.height = row->height;
	wo.format = row->format;
	struct method_ctx x = {0};
	if (shmfb_create(c->names[i], &wo, &x.w) < 0) {
		snprintf(c->err, sizeof c->err, "throughput: %s", shmfb_errdetail());
		return 1;
	}
	size_t n = x.n = (size_t)row->frame_bytes;
	uint8_t *src = bench_alloc_faulted(n, 0);
	x.src = src;
	x.huge = bench_alloc_faulted(n, 1);
	int ok = src && x.huge;
	for (int k = 0; k < 3; k++) {
		x.dst[k] = ok ? bench_alloc_faulted(n, 0) : NULL;
		ok = ok && x.dst[k];
	}
	if (!ok) {
		snprintf(c->err, sizeof c->err, "throughput: out of memory for %zu-byte frames", n);
	} else {
		bench_fill(src, n, i);
		uint64_t round_ns = (uint64_t)(a->o->seconds * 1e9 / ROUNDS / COPY_METHODS);
		for (int m = 0; m < COPY_METHODS; m++) {
			uint64_t faults = 0;
			measure_method(&x, m, round_ns, &row->gbps[m], &faults);
			if (m == M_PUBLISH)
				c->publish_faults += faults;
		}
		row->memcpy_gbps = row->gbps[M_MEMCPY1].median;
		row->memcpy3_gbps = row->gbps[M_MEMCPY3].median;
		row->memcpy_thp_gbps = row->gbps[M_MEMCPY_HUGE].median;
		row->publish_gbps = row->gbps[M_PUBLISH].median;
		row->publish_fps = row->publish_gbps * 1e9 / (double)n;
		bench_progress("throughput: %ux%u %s: copy-publish %.1f GB/s, memcpy %.1f GB/s "
			       "(3 buffers %.1f, huge pages %.1f)",
			       row->width, row->height, shmfb_pixfmt_name(row->format), row->publish_gbps,
			       row->memcpy_gbps, row->memcpy3_gbps, row->memcpy_thp_gbps);
	}
	bench_free(src, n);
	bench_free(x.huge, n);
	for (int k = 0; k < 3; k++)
		bench_free(x.dst[k], n);
	shmfb_writer_close(x.w);
	return ok ? 0 : 1;
}

static void zero_copy_once(void *w)
{
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	shmfb_writer_publish(w, 0, 0);
}

static void futex_wake_once(void *word)
{
	bench_futex_wake(word);
}

/* ns per call of fn(arg), in batches of 1000 for round_ns. */
static double ns_per_call(uint64_t round_ns, void (*fn)(void *), void *arg)
{
	uint64_t t0 = shmfb_now_ns(), t, count = 0;
	do {
		for (int k = 0; k < 1000; k++)
			fn(arg);
		count += 1000;
		t = shmfb_now_ns();
	} while (t - t0 < round_ns);
	return (double)(t - t0) / (double)count;
}

/* ns per acquire+publish with no pixel writes, and per bare FUTEX_WAKE. */
static int measure_zero_copy(struct tp_args *a)
{
	struct tp_ctl *c = a->ctl;
	shmfb_writer *w;
	if (bench_create_writer(a->o, c->zc_name, "zero-copy", c->err, sizeof c->err, &w) < 0)
		return 1;
	uint64_t round_ns = (uint64_t)(a->o->seconds * 1e9 / 4 / ROUNDS);
	double zc[ROUNDS], fw[ROUNDS];
	bench_disturb d0, d1, d2;
	bench_disturb_now(&d0);
	for (int r = 0; r < ROUNDS; r++)
		zc[r] = ns_per_call(round_ns, zero_copy_once, w);
	bench_disturb_now(&d1);
	for (int r = 0; r < ROUNDS; r++)
		fw[r] = ns_per_call(round_ns, futex_wake_once, (void *)&c->wake_word);
	bench_disturb_now(&d2);
	bench_spread_of(zc, ROUNDS, &d0, &d1, &c->zero_copy);
	bench_spread_of(fw, ROUNDS, &d1, &d2, &c->futex_wake);
	c->zero_copy_ns = c->zero_copy.median;
	c->futex_wake_ns = c->futex_wake.median;
	shmfb_writer_close(w);
	return 0;
}

static int tp_child(void *arg)
{
	struct tp_args *a = arg;
	for (uint32_t i = 0; i < a->ctl->nrows; i++)
		if (measure_row(a, i))
			return 1;
	return measure_zero_copy(a);
}

static void add_row(struct tp_ctl *c, uint32_t w, uint32_t h, shmfb_pixfmt f)
{
	for (uint32_t i = 0; i < c->nrows; i++)
		if (c->rows[i].width == w && c->rows[i].height == h && c->rows[i].format == f)
			return;
	shmfb_layout l;
	if (c->nrows == BENCH_MAX_SIZES || shmfb_layout_compute(w, h, f, &l) < 0)
		return;
	bench_copy_row *r = &c->rows[c->nrows++];
	r->width = w;
	r->height = h;
	r->format = f;
	r->frame_bytes = l.frame_bytes;
}

int bench_throughput(const bench_opts *o, bench_results *res)
{
	struct tp_ctl *c = bench_shared_alloc(sizeof *c);
	if (!c) {
		app_warn("bench: throughput: out of memory");
		return 1;
	}
	add_row(c, 640, 480, SHMFB_FMT_RGBA8);
	add_row(c, 1920, 1080, SHMFB_FMT_RGBA8);
	add_row(c, 3840, 2160, SHMFB_FMT_RGBA8);
	add_row(c, o->width, o->height, o->format);
	for (uint32_t i = 0; i < c->nrows; i++)
		bench_next_name(o, c->names[i], sizeof c->names[i]);
	bench_next_name(o, c->zc_name, sizeof c->zc_name);
	bench_progress("throughput: %u sizes, %.1f s each", c->nrows, o->seconds);

	struct tp_args a = {o, c};
	uint64_t all = bench_cpu_mask();
	bench_child ch = {0};
	int rc = bench_spawn(&ch, res->machine.pinned ? bench_cpu_first(all) : 0, tp_child, &a);
	if (rc == 0)
		rc = bench_join(&ch, (int)(o->seconds * 1000 * (c->nrows + 1) * 3) + 60000);
	for (uint32_t i = 0; i < c->nrows; i++)
		shmfb_unlink(c->names[i]); /* only if the child died before closing */
	shmfb_unlink(c->zc_name);
	if (rc != 0)
		app_warn("bench: %s", c->err[0] ? c->err : "throughput: the child process failed");
	memcpy(res->copy, c->rows, sizeof c->rows);
	res->copy_rows = c->nrows;
	res->zero_copy_ns = c->zero_copy_ns;
	res->futex_wake_ns = c->futex_wake_ns;
	res->zero_copy_spread = c->zero_copy;
	res->futex_wake_spread = c->futex_wake;
	res->publish_faults = c->publish_faults;
	/* Huge pages for a reader's buffer only where they measurably help (> 3%). */
	res->thp_kept = 0;
	for (uint32_t i = 0; i < c->nrows; i++)
		if (c->rows[i].width == o->width && c->rows[i].height == o->height &&
		    c->rows[i].format == o->format &&
		    c->rows[i].memcpy_thp_gbps > 1.03 * c->rows[i].memcpy_gbps)
			res->thp_kept = 1;
	bench_shared_free(c, sizeof *c);
	return rc != 0;
}
