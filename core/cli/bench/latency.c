/*
 * latency.c - section 1 of shmfb bench: how long from a publish until a
 * sleeping (futex) or polling reader notices it, beside the same two
 * hand-offs done bare (one futex word, one flag) with no frame work.
 *
 * One writer and one reader process, pinned to different CPUs, run every
 * mode in turn, in 50 rounds, so load from elsewhere on the machine falls
 * on all modes alike.  The writer sends one frame, waits for the reader's
 * acknowledgement, then waits a random 20-50 us so the reader is asleep in
 * the kernel (futex modes) before the next send: each sample is one real
 * wake-up, never a frame found already waiting.
 *
 * A sample is (reader's clock when the wait returns) - (writer's clock at
 * publish): for shmfb the slot's publish_ns, for the floors a stamp stored
 * right before the word is bumped.
 */
#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define ACK_TIMEOUT_NS (1 * SHMFB_SEC)
#define READY_TIMEOUT_NS (10 * SHMFB_SEC)
#define GAP_MIN_NS 20000
#define GAP_SPREAD_NS 30000
#define POLL_CHECK_EVERY 4096

struct lat_ctl {
	_Atomic uint32_t writer_ready; /* 1 = mapping made, 2 = failed */
	_Atomic uint32_t reader_ready; /* 1 = opened, 2 = failed */
	_Atomic uint32_t phase_seq;    /* writer: phase number now running */
	_Atomic uint32_t phase_mode;   /* writer: its LAT_* mode */
	_Atomic uint32_t phase_done;   /* writer: last phase finished */
	_Atomic uint32_t reader_phase; /* reader: ready for frames of this phase */
	_Atomic uint32_t quit;
	alignas(64) _Atomic uint64_t acks; /* reader: samples taken so far */
	alignas(64) _Atomic uint32_t floor_word;
	_Atomic uint64_t floor_stamp;
	alignas(64) uint64_t lost;
	uint32_t rounds;
	uint64_t per_phase;
	char name[SHMFB_NAME_MAX + 1];
	char err[256];
	bench_hist hist[LAT_MODES];
};

struct lat_args {
	const bench_opts *o;
	struct lat_ctl *ctl;
};

static int wait_flag(_Atomic uint32_t *flag, uint32_t want, int64_t timeout_ns)
{
	uint64_t end = shmfb_now_ns() + (uint64_t)timeout_ns;
	/* acquire: pairs with the other process's release store of the flag;
	 * what it did before (mapping made, reader opened) is visible. */
	while (atomic_load_explicit(flag, memory_order_acquire) != want) {
		if (shmfb_now_ns() > end)
			return -1;
		bench_sleep_ns(50000);
	}
	return 0;
}

/* ----------------------------------------------------------- writer */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void send_one(struct lat_ctl *c, shmfb_writer *w, uint32_t mode, uint64_t n)
{
	shmfb_planes p;
	switch (mode) {
	case LAT_SHMFB_FUTEX:
	case LAT_SHMFB_POLL:
		shmfb_writer_acquire(w, &p);
		shmfb_writer_publish(w, n, shmfb_now_ns());
		break;
	case LAT_FLOOR_FUTEX:
	case LAT_FLOOR_POLL:
		/* relaxed: published by the release add on floor_word below. */
		atomic_store_explicit(&c->floor_stamp, shmfb_now_ns(), memory_order_relaxed);
		/* release: the stamp is visible before the reader sees the new word. */
		atomic_fetch_add_explicit(&c->floor_word, 1, memory_order_release);
		if (mode == LAT_FLOOR_FUTEX)
			bench_futex_wake(&c->floor_word);
		break;
	}
}

/* Sends per_phase frames of one mode, each after the previous one's ack. */
static void writer_phase(struct lat_ctl *c, shmfb_writer *w, uint32_t mode, uint64_t *rng, uint64_t *n)
{
	for (uint64_t i = 0; i < c->per_phase; i++) {
		bench_spin_ns(GAP_MIN_NS + xorshift(rng) % GAP_SPREAD_NS);
		/* acquire: pairs with the reader's release add of acks: its
		 * sample is recorded before the next send. */
		uint64_t before = atomic_load_explicit(&c->acks, memory_order_acquire);
		send_one(c, w, mode, ++*n);
		uint64_t end = shmfb_now_ns() + ACK_TIMEOUT_NS;
		/* acquire: as above. */
		while (atomic_load_explicit(&c->acks, memory_order_acquire) == before) {
			if (shmfb_now_ns() > end) {
				c->lost++;
				break;
			}
			bench_cpu_relax();
		}
	}
}

static int lat_writer(void *arg)
{
	struct lat_args *a = arg;
	struct lat_ctl *c = a->ctl;
	shmfb_writer *w;
	if (bench_create_writer(a->o, c->name, "latency", c->err, sizeof c->err, &w) < 0) {
		/* release: pairs with the reader's acquire in wait_flag; err is set. */
		atomic_store_explicit(&c->writer_ready, 2, memory_order_release);
		return 1;
	}
	/* release: pairs with the reader's acquire in wait_flag; the name exists. */
	atomic_store_explicit(&c->writer_ready, 1, memory_order_release);
	if (wait_flag(&c->reader_ready, 1, READY_TIMEOUT_NS) < 0) {
		snprintf(c->err, sizeof c->err, "latency: the reader process did not start");
		shmfb_writer_close(w);
		return 1;
	}
	uint64_t rng = shmfb_now_ns() | 1, n = 0;
	uint32_t seq = 0;
	for (uint32_t round = 0; round < c->rounds; round++) {
		for (uint32_t k = 0; k < LAT_MODES; k++) {
			uint32_t mode = (k + round) % LAT_MODES; /* rotate: no mode always first */
			/* relaxed: published by the release store of phase_seq below. */
			atomic_store_explicit(&c->phase_mode, mode, memory_order_relaxed);
			/* release: pairs with the reader's acquire load; phase_mode is set. */
			atomic_store_explicit(&c->phase_seq, ++seq, memory_order_release);
			if (wait_flag(&c->reader_phase, seq, READY_TIMEOUT_NS) < 0) {
				snprintf(c->err, sizeof c->err, "latency: the reader stopped answering");
				shmfb_writer_close(w);
				return 1;
			}
			writer_phase(c, w, mode, &rng, &n);
			/* release: pairs with the reader's acquire in phase_over. */
			atomic_store_explicit(&c->phase_done, seq, memory_order_release);
		}
		if ((round + 1) % 5 == 0 || round + 1 == c->rounds)
			bench_progress("latency: round %u/%u done", round + 1, c->rounds);
	}
	/* release: pairs with the reader's acquire load of quit. */
	atomic_store_explicit(&c->quit, 1, memory_order_release);
	shmfb_writer_close(w); /* wakes the reader with SHMFB_ECLOSED */
	return 0;
}

/* ----------------------------------------------------------- reader */

static int phase_over(struct lat_ctl *c, uint32_t seq)
{
	/* acquire: pairs with the writer's release store of phase_done. */
	return atomic_load_explicit(&c->phase_done, memory_order_acquire) == seq;
}

/* One sample through the library: 1 taken, 0 none yet, -1 mapping closed. */
static int take_shmfb(struct lat_ctl *c, shmfb_reader *r, unsigned flags, uint64_t *seen)
{
	int rc = shmfb_reader_wait(r, *seen, 20 * SHMFB_MS, flags);
	uint64_t t = shmfb_now_ns();
	if (rc == SHMFB_ECLOSED)
		return -1;
	if (rc < 0)
		return 0;
	shmfb_frame f;
	while ((rc = shmfb_reader_latest(r, &f)) == SHMFB_ETORN)
		;
	if (rc < 0)
		return -1;
	bench_hist_add(&c->hist[flags ? LAT_SHMFB_POLL : LAT_SHMFB_FUTEX],
		       t > f.publish_ns ? t - f.publish_ns : 0);
	*seen = f.index;
	return 1;
}

/* One sample of a bare hand-off: 1 taken, 0 none yet. */
static int take_floor(struct lat_ctl *c, int futex, uint32_t *seen)
{
	uint32_t w;
	int spins = 0;
	/* acquire: pairs with the writer's release add; the stamp is read after. */
	while ((w = atomic_load_explicit(&c->floor_word, memory_order_acquire)) == *seen) {
		if (futex) {
			bench_futex_wait(&c->floor_word, w, 20 * SHMFB_MS);
			/* acquire: as above. */
			if (atomic_load_explicit(&c->floor_word, memory_order_acquire) == *seen)
				return 0;
		} else {
			bench_cpu_relax();
			if (++spins == POLL_CHECK_EVERY)
				return 0;
		}
	}
	uint64_t t = shmfb_now_ns();
	/* relaxed: ordered by the acquire load of floor_word above. */
	uint64_t s = atomic_load_explicit(&c->floor_stamp, memory_order_relaxed);
	bench_hist_add(&c->hist[futex ? LAT_FLOOR_FUTEX : LAT_FLOOR_POLL], t > s ? t - s : 0);
	*seen = w;
	return 1;
}

static int lat_reader(void *arg)
{
	struct lat_args *a = arg;
	struct lat_ctl *c = a->ctl;
	if (wait_flag(&c->writer_ready, 1, READY_TIMEOUT_NS) < 0)
		return 1;
	shmfb_reader *r;
	if (shmfb_open(c->name, &r) < 0) {
		snprintf(c->err, sizeof c->err, "latency: %s", shmfb_errdetail());
		/* release: pairs with the writer's acquire in wait_flag; err is set. */
		atomic_store_explicit(&c->reader_ready, 2, memory_order_release);
		return 1;
	}
	/* Only this process writes the histograms; touch them now, not while timing. */
	memset(c->hist, 0, sizeof c->hist);
	/* release: pairs with the writer's acquire in wait_flag; we are open. */
	atomic_store_explicit(&c->reader_ready, 1, memory_order_release);
	uint32_t seq = 0;
	for (;;) {
		/* acquire: pairs with the writer's release store of phase_seq. */
		while (atomic_load_explicit(&c->phase_seq, memory_order_acquire) == seq) {
			/* acquire: pairs with the writer's release store of quit. */
			if (atomic_load_explicit(&c->quit, memory_order_acquire))
				goto done;
			bench_sleep_ns(50000);
		}
		/* acquire: pairs with the writer's release store; phase_mode is set. */
		seq = atomic_load_explicit(&c->phase_seq, memory_order_acquire);
		/* relaxed: ordered by the acquire load of phase_seq above. */
		uint32_t mode = atomic_load_explicit(&c->phase_mode, memory_order_relaxed);
		uint64_t seen = shmfb_reader_latest_index(r);
		/* acquire: pairs with the writer's release add, as in take_floor. */
		uint32_t fseen = atomic_load_explicit(&c->floor_word, memory_order_acquire);
		/* release: pairs with the writer's acquire in wait_flag; seen and
		 * fseen are taken before it sends the phase's first frame. */
		atomic_store_explicit(&c->reader_phase, seq, memory_order_release);
		while (!phase_over(c, seq)) {
			int got;
			switch (mode) {
			case LAT_SHMFB_FUTEX: got = take_shmfb(c, r, 0, &seen); break;
			case LAT_SHMFB_POLL: got = take_shmfb(c, r, SHMFB_WAIT_SPIN, &seen); break;
			case LAT_FLOOR_FUTEX: got = take_floor(c, 1, &fseen); break;
			default: got = take_floor(c, 0, &fseen); break;
			}
			if (got < 0)
				goto done;
			if (got)
				/* release: the sample is recorded before the writer sends again. */
				atomic_fetch_add_explicit(&c->acks, 1, memory_order_release);
		}
	}
done:
	shmfb_reader_close(r);
	return 0;
}

/* ------------------------------------------------------------ driver */

int bench_latency(const bench_opts *o, bench_results *res)
{
	struct lat_ctl *c = bench_shared_alloc(sizeof *c);
	if (!c) {
		app_warn("bench: latency: out of memory");
		return 1;
	}
	/* Many short rounds: a burst of other work lands on every mode alike. */
	c->rounds = o->quick ? 2 : 50;
	c->per_phase = (o->latency_frames + c->rounds - 1) / c->rounds;
	bench_next_name(o, c->name, sizeof c->name);
	for (int i = 0; i < LAT_MODES; i++)
		bench_hist_clear(&c->hist[i]);

	bench_pins pins = bench_pins_of(res->machine.pinned);
	struct lat_args a = {o, c};
	bench_child w = {0}, r = {0};
	bench_progress("latency: %llu frames per mode, 4 modes, %u rounds",
		       (unsigned long long)(c->per_phase * c->rounds), c->rounds);
	int bad = bench_spawn(&w, pins.writer, lat_writer, &a) < 0 || bench_spawn(&r, pins.readers, lat_reader, &a) < 0;
	/* Generous: 4 modes x frames x 1 ms (ten times a slow wake), plus lost frames. */
	int limit_ms = (int)(c->per_phase * c->rounds * LAT_MODES) + 120000;
	int wrc = bad ? 1 : bench_join(&w, limit_ms);
	int rrc = bad ? 1 : bench_join(&r, 10000);
	bench_kill(&w);
	bench_kill(&r);
	shmfb_unlink(c->name); /* in case a child died before closing */
	int failed = bad || wrc != 0 || rrc != 0;
	if (failed)
		app_warn("bench: %s",
			c->err[0] ? c->err : bad ? "latency: could not start the processes"
						 : "latency: a child process failed or timed out");
	for (int i = 0; i < LAT_MODES; i++) {
		res->lat_hist[i] = c->hist[i];
		bench_hist_summary(&c->hist[i], &res->lat[i]);
	}
	res->lat_lost = c->lost;
	bench_shared_free(c, sizeof *c);
	return failed;
}
