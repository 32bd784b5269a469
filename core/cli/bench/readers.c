/*
 * readers.c - section 3 of shmfb bench: one writer copy-publishing as fast
 * as it can while 1, 2, 4, 8 ... reader processes each copy every frame
 * they see into their own (pre-faulted, reused) buffer.
 *
 * The writer has a CPU of its own and the readers share the others: the
 * question is whether readers slow the writer through the protocol (they
 * cannot: they never write to the mapping), not whether a 2-CPU machine
 * can run nine busy processes at full speed.
 *
 * Per reader: distinct frames copied per second, and the age of each frame
 * when its copy is complete (reader's clock after the copy - publish_ns).
 * The one-reader run also gives section 4's shmfb row: the age measured
 * from when the writer started its copy (the frame's pts), the same span a
 * pipe or socket peer is measured over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_READERS BENCH_MAX_READERS
#define READER_ROUNDS BENCH_ROUNDS

struct rd_slot {
	uint64_t frames;      /* distinct frames copied inside the window */
	uint64_t faults;      /* minor page faults inside the frame loop */
	uint64_t gave_up;     /* copies abandoned (lapped by the writer 64 times) */
	uint64_t torn;        /* copies the writer overwrote midway, retried */
	bench_hist age;       /* publish -> copied */
	bench_hist handoff;   /* writer's copy start (pts) -> copied */
};

struct rd_ctl {
	_Atomic uint32_t writer_ready;
	_Atomic uint32_t readers_ready;
	_Atomic uint32_t readers_failed;
	_Atomic uint32_t readers_done;
	_Atomic uint64_t start_ns, stop_ns; /* measuring window, set by the writer */
	uint64_t window_frames;             /* published inside the window */
	uint64_t window_cpu_ns;             /* CPU time the writer got inside it */
	uint64_t window_preempted;          /* times the writer was preempted inside it */
	uint32_t readers;
	int huge;                           /* readers' buffers in huge pages */
	double seconds;
	char name[SHMFB_NAME_MAX + 1];
	char err[256];
	struct rd_slot slot[MAX_READERS];
};

struct rd_args {
	const bench_opts *o;
	struct rd_ctl *ctl;
	uint32_t id;
};

static int rd_writer(void *arg)
{
	struct rd_args *a = arg;
	struct rd_ctl *c = a->ctl;
	shmfb_writer *w;
	if (bench_create_writer(a->o, c->name, "readers", c->err, sizeof c->err, &w) < 0) {
		/* release: pairs with the readers' acquire in bench_wait_count; err is set. */
		atomic_store_explicit(&c->writer_ready, 2, memory_order_release);
		return 1;
	}
	shmfb_layout l;
	shmfb_layout_compute(a->o->width, a->o->height, a->o->format, &l);
	size_t n = (size_t)l.frame_bytes;
	uint8_t *src = bench_alloc_faulted(n, 0);
	if (!src) {
		snprintf(c->err, sizeof c->err, "readers: out of memory");
		shmfb_writer_close(w);
		return 1;
	}
	bench_fill(src, n, 7);
	/* release: pairs with the readers' acquire in bench_wait_count; the name exists. */
	atomic_store_explicit(&c->writer_ready, 1, memory_order_release);
	int rc = 0;
	if (bench_wait_count(&c->readers_ready, c->readers, 10 * SHMFB_SEC) < 0) {
		/* relaxed: only a count for the message. */
		uint32_t started = atomic_load_explicit(&c->readers_ready, memory_order_relaxed);
		snprintf(c->err, sizeof c->err, "readers: only %u of %u readers started", started,
			 c->readers);
		rc = 1;
	} else {
		uint64_t frame = 0, dur = (uint64_t)(c->seconds * 1e9);
		/* A short unmeasured run first: every reader is in its loop when the window opens. */
		uint64_t t0 = shmfb_now_ns(), warm = dur / 10 < 50 * SHMFB_MS ? dur / 10 : 50 * SHMFB_MS;
		while (shmfb_now_ns() - t0 < warm)
			shmfb_writer_publish_copy(w, src, n, ++frame, shmfb_now_ns());
		uint64_t start = shmfb_now_ns(), first = frame, t;
		uint64_t cpu0 = bench_cpu_time_ns(), pre0 = bench_preemptions();
		/* release: pairs with the readers' acquire load of start_ns. */
		atomic_store_explicit(&c->start_ns, start, memory_order_release);
		do {
			shmfb_writer_publish_copy(w, src, n, ++frame, shmfb_now_ns());
			t = shmfb_now_ns();
		} while (t - start < dur);
		c->window_frames = frame - first;
		c->window_cpu_ns = bench_cpu_time_ns() - cpu0;
		c->window_preempted = bench_preemptions() - pre0;
		/* release: pairs with the readers' acquire loads of stop_ns. */
		atomic_store_explicit(&c->stop_ns, t, memory_order_release);
		/* Wake the readers until all have seen the stop (none ends on SHMFB_ECLOSED). */
		uint64_t give_up = t + 5 * SHMFB_SEC;
		/* acquire: pairs with each reader's release add of readers_done. */
		while (atomic_load_explicit(&c->readers_done, memory_order_acquire) < c->readers &&
		       shmfb_now_ns() < give_up) {
			shmfb_writer_publish_copy(w, src, n, ++frame, shmfb_now_ns());
			bench_spin_ns(SHMFB_MS);
		}
	}
	shmfb_writer_close(w); /* readers see SHMFB_ECLOSED */
	bench_free(src, n);
	return rc;
}

/*
 * shmfb_reader_copy_latest spelled out with the zero-copy calls, so that
 * the copies the writer overwrote midway (torn) can be counted: the same
 * copy in 1 MiB pieces, abandoned as soon as the seqlock says the writer
 * is back in the slot.
 */
static int copy_latest(shmfb_reader *r, uint8_t *dst, size_t n, shmfb_frame *f, struct rd_slot *s)
{
	const size_t chunk = (size_t)1 << 20;
	for (int tries = 0; tries < 64; tries++) {
		int rc = shmfb_reader_latest(r, f);
		if (rc == SHMFB_ETORN) {
			s->torn++;
			continue;
		}
		if (rc < 0)
			return rc;
		size_t off = 0; /* planes are packed from the slot's start */
		for (; off < n && shmfb_frame_valid(r, f); off += chunk)
			memcpy(dst + off, f->data[0] + off, n - off < chunk ? n - off : chunk);
		if (off >= n && shmfb_frame_valid(r, f))
			return 0;
		s->torn++;
	}
	return SHMFB_EAGAIN;
}

static int rd_reader(void *arg)
{
	struct rd_args *a = arg;
	struct rd_ctl *c = a->ctl;
	/*
	 * Results are kept in private memory and copied out at the end: shared
	 * memory can be unmapped behind our back (a proactive reclaimer such as
	 * DAMON's pageout does so to cold pages), and a fault taken while
	 * recording a sample is not one of the frame path.
	 */
	static struct rd_slot mine;
	struct rd_slot *s = &mine;
	shmfb_reader *r = NULL;
	/* relaxed: set once, and bench_wait_count's acquire load already saw it set. */
	if (bench_wait_count(&c->writer_ready, 1, 10 * SHMFB_SEC) < 0 ||
	    atomic_load_explicit(&c->writer_ready, memory_order_relaxed) != 1 ||
	    shmfb_open(c->name, &r) < 0) {
		/* relaxed: a count; nothing is published with it. */
		atomic_fetch_add_explicit(&c->readers_failed, 1, memory_order_relaxed);
		return 1;
	}
	size_t n = (size_t)shmfb_reader_info(r)->layout.frame_bytes;
	uint8_t *dst = bench_alloc_faulted(n, c->huge);
	if (!dst) {
		shmfb_reader_close(r);
		/* relaxed: a count; nothing is published with it. */
		atomic_fetch_add_explicit(&c->readers_failed, 1, memory_order_relaxed);
		return 1;
	}
	memset(s, 0, sizeof *s); /* touched now, not while measuring */
	/* release: pairs with the writer's acquire in bench_wait_count; we are open. */
	atomic_fetch_add_explicit(&c->readers_ready, 1, memory_order_release);
	/* Faults are counted from the first frame in the window: by then the code and
	 * stack this process runs per frame are mapped (a fork maps them lazily). */
	uint64_t seen = 0, faults0 = 0;
	/* Until the writer ends the window: it keeps publishing until every reader is out.
	 * acquire: pairs with the writer's release store of stop_ns. */
	while (!atomic_load_explicit(&c->stop_ns, memory_order_acquire)) {
		int rc = shmfb_reader_wait(r, seen, 100 * SHMFB_MS, 0);
		if (rc == SHMFB_ECLOSED)
			break;
		if (rc < 0)
			continue;
		shmfb_frame f;
		rc = copy_latest(r, dst, n, &f, s);
		uint64_t t = shmfb_now_ns();
		if (rc == SHMFB_EAGAIN) {
			s->gave_up++;
			continue;
		}
		if (rc < 0)
			break;
		seen = f.index;
		/* acquire: pair with the writer's release stores of the window. */
		uint64_t start = atomic_load_explicit(&c->start_ns, memory_order_acquire);
		uint64_t stop = atomic_load_explicit(&c->stop_ns, memory_order_acquire);
		/* Inside the window: published after it opened, copied before it closed. */
		if (start && f.publish_ns >= start && (!stop || t <= stop)) {
			if (!s->frames)
				faults0 = bench_minor_faults();
			s->frames++;
			bench_hist_add(&s->age, t - f.publish_ns);
			bench_hist_add(&s->handoff, t - f.pts_ns);
		}
	}
	/* Counted before any exit path runs code for the first time. */
	s->faults = s->frames ? bench_minor_faults() - faults0 : 0;
	c->slot[a->id] = *s;
	/* release: pairs with the writer's acquire load; the slot is copied out. */
	atomic_fetch_add_explicit(&c->readers_done, 1, memory_order_release);
	bench_free(dst, n);
	shmfb_reader_close(r);
	return 0;
}

/* One run with k readers for `seconds`; the results stay in c. */
static int run_once(const bench_opts *o, bench_results *res, struct rd_ctl *c, uint32_t k, double seconds)
{
	memset(c, 0, sizeof *c);
	c->readers = k;
	c->huge = (int)res->thp_kept;
	c->seconds = seconds;
	bench_next_name(o, c->name, sizeof c->name);

	bench_pins pins = bench_pins_of(res->machine.pinned);
	bench_child w = {0}, rd[MAX_READERS] = {{0}};
	struct rd_args wa = {o, c, 0}, ra[MAX_READERS];
	int bad = bench_spawn(&w, pins.writer, rd_writer, &wa) < 0;
	for (uint32_t i = 0; i < k && !bad; i++) {
		ra[i] = (struct rd_args){o, c, i};
		bad = bench_spawn(&rd[i], pins.readers, rd_reader, &ra[i]) < 0;
	}
	int limit = (int)(seconds * 1000) + 30000;
	int failed = bad || bench_join(&w, limit) != 0;
	for (uint32_t i = 0; i < k; i++)
		failed |= bench_join(&rd[i], 10000) != 0;
	bench_kill(&w);
	shmfb_unlink(c->name);
	/* relaxed: the children have exited and been reaped; nothing races. */
	uint64_t start = atomic_load_explicit(&c->start_ns, memory_order_relaxed);
	uint64_t stop = atomic_load_explicit(&c->stop_ns, memory_order_relaxed);
	if (failed || stop <= start) {
		app_warn("bench: %s",
			c->err[0] ? c->err : "readers: a child process failed or timed out");
		return 1;
	}
	return 0;
}

/* What the rounds of one reader count add up to. */
struct rd_acc {
	uint32_t readers, rounds;
	double writer_fps[READER_ROUNDS], cpu_share[READER_ROUNDS], per_cpu[READER_ROUNDS];
	double first_reader_fps[READER_ROUNDS];
	double window;
	bench_disturb before, after;
	uint64_t preempted, gave_up, torn, frames[MAX_READERS];
	bench_hist *age;     /* one per reader */
	bench_hist handoff;  /* reader 0 */
};

static void accumulate(struct rd_acc *a, const struct rd_ctl *c, bench_results *res)
{
	/* relaxed: the round's processes have exited; nothing races. */
	uint64_t start = atomic_load_explicit(&c->start_ns, memory_order_relaxed);
	uint64_t stop = atomic_load_explicit(&c->stop_ns, memory_order_relaxed);
	double window = (double)(stop - start) / 1e9;
	uint32_t r = a->rounds++;
	a->writer_fps[r] = (double)c->window_frames / window;
	a->cpu_share[r] = (double)c->window_cpu_ns / 1e9 / window;
	a->per_cpu[r] = c->window_cpu_ns ? (double)c->window_frames / ((double)c->window_cpu_ns / 1e9) : 0;
	a->window += window;
	a->first_reader_fps[r] = (double)c->slot[0].frames / window;
	a->preempted += c->window_preempted;
	for (uint32_t i = 0; i < a->readers; i++) {
		a->frames[i] += c->slot[i].frames;
		a->gave_up += c->slot[i].gave_up;
		a->torn += c->slot[i].torn;
		bench_hist_merge(&a->age[i], &c->slot[i].age);
		res->reader_faults += c->slot[i].faults;
	}
	bench_hist_merge(&a->handoff, &c->slot[0].handoff);
}

/* Medians of the writer's rounds; readers' totals over all rounds. */
static void finish(struct rd_acc *a, bench_reader_run *run, bench_results *res)
{
	run->readers = a->readers;
	bench_spread_of(a->writer_fps, a->rounds, &a->before, &a->after, &run->writer_spread);
	run->writer_fps = run->writer_spread.median;
	run->writer_cpu_share = bench_median(a->cpu_share, a->rounds);
	run->writer_fps_per_cpu = bench_median(a->per_cpu, a->rounds);
	run->writer_preempted = a->preempted;
	run->gave_up = a->gave_up;
	run->torn = a->torn;
	for (uint32_t i = 0; i < a->readers; i++) {
		bench_lat l;
		bench_hist_summary(&a->age[i], &l);
		run->reader_fps[i] = (double)a->frames[i] / a->window;
		run->reader_p99_ns[i] = l.p99;
	}
	if (a->readers == 1) {
		bench_peer *p = &res->peers[PEER_SHMFB];
		p->ran = 1;
		bench_spread_of(a->first_reader_fps, a->rounds, &a->before, &a->after, &p->fps_spread);
		p->fps = run->reader_fps[0];
		p->writer_fps = run->writer_fps;
		bench_hist_summary(&a->handoff, &p->lat);
	}
	bench_progress("readers: %u: writer %.0f frames/s (%.0f%% of its CPU), reader 1 %.0f frames/s, "
		       "p99 age %.1f us", a->readers, run->writer_fps, 100 * run->writer_cpu_share,
		       run->reader_fps[0], (double)run->reader_p99_ns[0] / 1e3);
}

/*
 * Each reader count runs its READER_ROUNDS rounds in a block, each round
 * with fresh processes and its own warm-up; the writer's rate is the median
 * round.  What may have disturbed it: the writer's preemptions, the
 * readers' page faults in their frame loops, and the machine's steal time.
 */
int bench_readers(const bench_opts *o, bench_results *res)
{
	uint32_t counts[BENCH_MAX_READER_RUNS], nruns = 0;
	for (uint32_t k = 1; k < o->max_readers && nruns < BENCH_MAX_READER_RUNS - 1; k *= 2)
		counts[nruns++] = k;
	counts[nruns++] = o->max_readers;
	if (!(o->sections & BENCH_SEC_READERS))
		nruns = 1; /* only the one-reader run, for the peers' shmfb row */
	uint32_t rounds = READER_ROUNDS;
	struct rd_ctl *c = bench_shared_alloc(sizeof *c);
	struct rd_acc *acc = calloc(nruns, sizeof *acc);
	int failed = !c || !acc;
	for (uint32_t i = 0; i < nruns && !failed; i++) {
		acc[i].readers = counts[i];
		acc[i].age = calloc(counts[i], sizeof(bench_hist));
		failed = !acc[i].age;
	}
	if (failed)
		app_warn("bench: readers: out of memory");
	bench_progress("readers: %u round%s of %.2g s for each of 1..%u readers", rounds, rounds > 1 ? "s" : "",
		       o->seconds / rounds, o->max_readers);
	for (uint32_t i = 0; i < nruns && !failed; i++) {
		uint64_t faults0 = res->reader_faults;
		bench_disturb_now(&acc[i].before);
		acc[i].before.faults = acc[i].before.preempted = 0;
		for (uint32_t r = 0; r < rounds && !failed; r++) {
			failed = run_once(o, res, c, counts[i], o->seconds / rounds);
			if (!failed)
				accumulate(&acc[i], c, res);
		}
		bench_disturb_now(&acc[i].after);
		acc[i].after.faults = res->reader_faults - faults0;
		acc[i].after.preempted = acc[i].preempted;
	}
	res->reader_run_count = 0;
	for (uint32_t i = 0; i < nruns && !failed; i++)
		finish(&acc[i], &res->reader_runs[res->reader_run_count++], res);
	for (uint32_t i = 0; acc && i < nruns; i++)
		free(acc[i].age);
	free(acc);
	bench_shared_free(c, sizeof *c);
	return failed;
}
