/*
 * zerocopy.c - section 7 of shmfb bench: zero-copy hand-off of 1080p RGBA
 * frames beside iceoryx, the zero-copy IPC peer.
 *
 * Both write the frame in place and publish it; subscribers do not copy:
 *   shmfb    shmfb_writer_acquire, memcpy into the slot, shmfb_writer_publish;
 *            readers sleep in shmfb_reader_wait (futex) and take
 *            shmfb_reader_latest, then check shmfb_frame_valid;
 *   iceoryx  loan a chunk, memcpy into it, publish; subscribers sleep on a
 *            WaitSet and take the chunk (peers/iceoryx_peer.c, the program
 *            shmfb-bench-iceoryx, run beside an iox-roudi this section starts
 *            with a memory pool for the frames and stops afterwards).
 * With 1 and 4 subscribers, two phases each: paced at 240 frames/s, for the
 * latency from publish to the subscriber holding the frame (p50/p99); then
 * unpaced in BENCH_ROUNDS rounds, for the frames/s the slowest subscriber
 * takes (the median round, with the spread).  Writer and subscribers
 * on separate CPUs, as everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define PACED_FPS 240.0
#define READY_TIMEOUT_NS (10 * SHMFB_SEC)
#define W 1920
#define H 1080

struct zc_ctl {
	_Atomic uint32_t writer_ready, readers_ready;
	_Atomic uint32_t stop;
	uint32_t readers;
	uint64_t period_ns, window_ns, sent;
	char name[SHMFB_NAME_MAX + 1];
	char err[256];
	struct {
		uint64_t received;
		bench_hist lat;
	} rd[BENCH_DL_READERS];
};

struct zc_args {
	struct zc_ctl *ctl;
	uint32_t id;
};

/* A frame drawn in place (a memcpy into the slot) and published. */
static void write_in_place(shmfb_writer *w, const uint8_t *src, size_t n, uint64_t number)
{
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	memcpy(p.data[0], src, n);
	shmfb_writer_publish(w, number, 0);
}

static int zc_writer(void *arg)
{
	struct zc_ctl *c = ((struct zc_args *)arg)->ctl;
	bench_opts o = {.width = W, .height = H, .format = SHMFB_FMT_RGBA8};
	shmfb_writer *w;
	if (bench_create_writer(&o, c->name, "zero-copy", c->err, sizeof c->err, &w) < 0) {
		/* release: pairs with the readers' acquire; err is set. */
		atomic_store_explicit(&c->writer_ready, 2, memory_order_release);
		return 1;
	}
	size_t n = (size_t)W * H * 4;
	uint8_t *src = bench_alloc_faulted(n, 0);
	if (!src) {
		shmfb_writer_close(w);
		return 1;
	}
	bench_fill(src, n, 5);
	/* release: pairs with the readers' acquire; the mapping exists. */
	atomic_store_explicit(&c->writer_ready, 1, memory_order_release);
	int rc = bench_wait_count(&c->readers_ready, c->readers, READY_TIMEOUT_NS);
	/* The warm-up frames (peers/peer.h), as the iceoryx peer sends them. */
	uint64_t warm = shmfb_now_ns();
	for (int k = 0; rc == 0 && peer_warming(k, warm); k++) {
		write_in_place(w, src, n, 0);
		bench_sleep_ns(peer_warmup_gap_ns(c->period_ns));
	}
	uint64_t t0 = shmfb_now_ns() + 20 * SHMFB_MS, i = 0;
	while (rc == 0) {
		uint64_t due = t0 + i * c->period_ns;
		bench_sleep_ns(due > shmfb_now_ns() ? due - shmfb_now_ns() : 0);
		if (shmfb_now_ns() - t0 >= c->window_ns)
			break;
		write_in_place(w, src, n, ++i);
	}
	c->sent = i;
	/* release: pairs with the readers' acquire load; sent is set. */
	atomic_store_explicit(&c->stop, 1, memory_order_release);
	shmfb_writer_close(w); /* wakes the readers, which see stop */
	bench_free(src, n);
	return rc ? 1 : 0;
}

static int zc_reader(void *arg)
{
	struct zc_args *a = arg;
	struct zc_ctl *c = a->ctl;
	static bench_hist lat; /* private while measuring, copied out at the end */
	bench_hist_clear(&lat);
	uint64_t received = 0, seen = 0;
	shmfb_reader *r;
	/* relaxed: bench_wait_count's acquire load already saw the value. */
	if (bench_wait_count(&c->writer_ready, 1, READY_TIMEOUT_NS) < 0 ||
	    atomic_load_explicit(&c->writer_ready, memory_order_relaxed) != 1 ||
	    shmfb_open(c->name, &r) < 0)
		return 1;
	/* release: pairs with the writer's acquire in bench_wait_count; we are open. */
	atomic_fetch_add_explicit(&c->readers_ready, 1, memory_order_release);
	/* acquire: pairs with the writer's release store of stop. */
	while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
		if (shmfb_reader_wait(r, seen, 100 * SHMFB_MS, 0) < 0)
			continue;
		shmfb_frame f;
		if (shmfb_reader_latest(r, &f) < 0)
			continue;
		uint64_t t = shmfb_now_ns();
		volatile uint8_t first = f.data[0][0]; /* the subscriber touches its frame */
		(void)first;
		if (!shmfb_frame_valid(r, &f))
			continue;
		seen = f.index;
		if (f.frame_number == 0)
			continue; /* warm-up */
		received++;
		bench_hist_add(&lat, t > f.publish_ns ? t - f.publish_ns : 0);
	}
	c->rd[a->id].received = received;
	c->rd[a->id].lat = lat; /* read by the parent after it has reaped us */
	shmfb_reader_close(r);
	return 0;
}

/* One shmfb phase; fills the row's fps or latency. */
static int shmfb_phase(const bench_opts *o, bench_results *res, struct zc_ctl *c, uint32_t k, double rate,
		       double window, bench_zc_row *row)
{
	memset(c, 0, sizeof *c);
	c->readers = k;
	c->period_ns = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
	c->window_ns = (uint64_t)(window * 1e9);
	bench_next_name(o, c->name, sizeof c->name);
	bench_pins pins = bench_pins_of(res->machine.pinned);
	bench_child w = {0}, rd[BENCH_DL_READERS] = {{0}};
	struct zc_args wa = {c, 0}, ra[BENCH_DL_READERS];
	int bad = bench_spawn(&w, pins.writer, zc_writer, &wa) < 0;
	for (uint32_t i = 0; i < k && !bad; i++) {
		ra[i] = (struct zc_args){c, i};
		bad = bench_spawn(&rd[i], pins.readers, zc_reader, &ra[i]) < 0;
	}
	int failed = bad || bench_join(&w, (int)(window * 1000) + 20000) != 0;
	for (uint32_t i = 0; i < k; i++)
		failed |= bench_join(&rd[i], 10000) != 0;
	shmfb_unlink(c->name);
	if (failed) {
		snprintf(row->note, sizeof row->note, "%.100s", c->err[0] ? c->err : "a process failed");
		return 1;
	}
	if (rate > 0) {
		static bench_hist all_lat;
		bench_hist_clear(&all_lat);
		for (uint32_t i = 0; i < k; i++)
			bench_hist_merge(&all_lat, &c->rd[i].lat);
		bench_hist_summary(&all_lat, &row->lat);
	} else {
		row->writer_fps = (double)c->sent / window;
		row->fps = 1e18;
		for (uint32_t i = 0; i < k; i++) {
			double f = (double)c->rd[i].received / window;
			row->fps = f < row->fps ? f : row->fps;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- iceoryx */

struct roudi {
	bench_child proc;
	char dir[4096];
};

/* Starts iox-roudi with a pool of chunks for 1080p frames; 0, or -1 with note. */
static int roudi_start(struct roudi *rd, char *note, size_t len)
{
	char roudi[4096], conf[4200];
	if (bench_find_program("iox-roudi", roudi, sizeof roudi) < 0) {
		snprintf(note, len, "skipped: iox-roudi is not installed (package iceoryx)");
		return -1;
	}
	if (bench_tmpdir(rd->dir, sizeof rd->dir) < 0) {
		snprintf(note, len, "no temporary directory");
		return -1;
	}
	snprintf(conf, sizeof conf, "%s/roudi.toml", rd->dir);
	FILE *f = fopen(conf, "w");
	if (!f) {
		snprintf(note, len, "cannot write roudi.toml in %.100s", rd->dir);
		return -1;
	}
	/* Chunks: the frame plus iceoryx's chunk header; enough for 4 subscribers' queues. */
	fprintf(f, "[general]\nversion = 1\n\n[[segment]]\n\n[[segment.mempool]]\nsize = 128\ncount = 1000\n\n"
		   "[[segment.mempool]]\nsize = %u\ncount = 24\n", W * H * 4 + 64);
	fclose(f);
	char *argv[] = {roudi, "-c", conf, "-l", "off", NULL};
	if (bench_start_program(&rd->proc, 0, argv) < 0) {
		snprintf(note, len, "could not start iox-roudi");
		return -1;
	}
	bench_sleep_ns(700 * SHMFB_MS); /* it has no readiness signal; 0.7 s is plenty */
	return 0;
}

static void roudi_stop(struct roudi *rd)
{
	bench_terminate(&rd->proc, 5000);
	bench_rmtree_tmpdir(rd->dir);
}

/* "received N" / "sent N" and "lat NS" lines of one peer process. */
static int read_peer(const char *path, uint64_t *count, bench_hist *h)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[96];
	unsigned long long v;
	int ok = 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "received %llu", &v) == 1 || sscanf(line, "sent %llu", &v) == 1) {
			*count = v;
			ok = 1;
		} else if (h && sscanf(line, "lat %llu", &v) == 1) {
			bench_hist_add(h, v);
		}
	}
	fclose(f);
	return ok ? 0 : -1;
}

struct iox_ctx {
	const char *peer, *dir;
	uint64_t wcpu, rcpu; /* the publisher's CPUs and the subscribers', as shmfb's writer and readers */
};

static int iceoryx_phase(const struct iox_ctx *x, uint32_t k, double rate, double window, bench_zc_row *row)
{
	const char *peer = x->peer, *dir = x->dir;
	char rs[32], ws[32], bytes[32], out[BENCH_DL_READERS + 1][4200], id[BENCH_DL_READERS][8];
	snprintf(rs, sizeof rs, "%.3f", rate);
	snprintf(ws, sizeof ws, "%.3f", window);
	snprintf(bytes, sizeof bytes, "%u", W * H * 4);
	bench_child sub[BENCH_DL_READERS] = {{0}}, pub = {0};
	int failed = 0;
	for (uint32_t i = 0; i < k && !failed; i++) {
		snprintf(out[i], sizeof out[i], "%s/sub%u.txt", dir, i);
		snprintf(id[i], sizeof id[i], "%u", i % 10);
		char ready[4300];
		peer_ready_path(ready, sizeof ready, out[i]);
		remove(ready); /* the last phase's: this subscriber has not connected yet */
		char *argv[] = {(char *)peer, "sub", id[i], ws, out[i], NULL};
		failed = bench_start_program(&sub[i], x->rcpu, argv) < 0;
	}
	snprintf(out[k], sizeof out[k], "%s/pub.txt", dir);
	char *pargv[6 + BENCH_DL_READERS + 1] = {(char *)peer, "pub", rs, ws, bytes, out[k]};
	for (uint32_t i = 0; i < k; i++)
		pargv[6 + i] = out[i]; /* the publisher waits for each OUT.ready */
	failed = failed || bench_start_program(&pub, x->wcpu, pargv) < 0;
	int limit = (int)(window * 1000) + 20000, prc = bench_join(&pub, limit), src = 0;
	for (uint32_t i = 0; i < k; i++) {
		int rc = bench_join(&sub[i], limit);
		src = src ? src : rc;
	}
	if (failed || prc || src) {
		snprintf(row->note, sizeof row->note, "iceoryx: publisher exit %d, a subscriber %d", prc, src);
		return 1;
	}
	static bench_hist all_lat;
	bench_hist_clear(&all_lat);
	uint64_t sent = 0, got, least = UINT64_MAX;
	failed = failed || read_peer(out[k], &sent, NULL) < 0;
	for (uint32_t i = 0; i < k && !failed; i++) {
		failed = read_peer(out[i], &got, rate > 0 ? &all_lat : NULL) < 0;
		least = got < least ? got : least;
	}
	if (failed) {
		snprintf(row->note, sizeof row->note, "iceoryx: a process wrote no result");
		return 1;
	}
	if (rate > 0) {
		bench_hist_summary(&all_lat, &row->lat);
	} else {
		row->writer_fps = (double)sent / window;
		row->fps = (double)least / window;
	}
	return 0;
}

typedef int (*zc_phase_fn)(void *ctx, uint32_t k, double rate, double window, bench_zc_row *row);

/* The paced phase, then BENCH_ROUNDS unpaced rounds: the median frames/s with its spread. */
static int measure(zc_phase_fn phase, void *ctx, uint32_t k, double window, bench_zc_row *row)
{
	if (phase(ctx, k, PACED_FPS, window, row) != 0)
		return 1;
	double fps[BENCH_ROUNDS], wfps[BENCH_ROUNDS];
	bench_disturb d0, d1;
	bench_disturb_now(&d0);
	for (int i = 0; i < BENCH_ROUNDS; i++) {
		if (phase(ctx, k, 0, window / BENCH_ROUNDS, row) != 0)
			return 1;
		fps[i] = row->fps;
		wfps[i] = row->writer_fps;
	}
	bench_disturb_now(&d1);
	d0.faults = d1.faults = d0.preempted = d1.preempted = 0; /* the parent's, not the children's */
	bench_spread_of(fps, BENCH_ROUNDS, &d0, &d1, &row->fps_spread);
	row->fps = row->fps_spread.median;
	row->writer_fps = bench_median(wfps, BENCH_ROUNDS);
	return 0;
}

static int iceoryx_phase_fn(void *ctx, uint32_t k, double rate, double window, bench_zc_row *row)
{
	return iceoryx_phase(ctx, k, rate, window, row);
}

struct shmfb_ctx {
	const bench_opts *o;
	bench_results *res;
	struct zc_ctl *c;
};

static int shmfb_phase_fn(void *ctx, uint32_t k, double rate, double window, bench_zc_row *row)
{
	struct shmfb_ctx *x = ctx;
	return shmfb_phase(x->o, x->res, x->c, k, rate, window, row);
}

static void run_iceoryx(const bench_opts *o, bench_results *res, double window)
{
	char peer[4096], bindir[4096];
	bench_zc_row *rows = &res->zc[res->zc_count];
	if (bench_own_dir(bindir, sizeof bindir) < 0 ||
	    (size_t)snprintf(peer, sizeof peer, "%s/shmfb-bench-iceoryx", bindir) >= sizeof peer ||
	    !bench_path_exists(peer)) {
		snprintf(res->zc_note, sizeof res->zc_note, "iceoryx skipped: shmfb-bench-iceoryx is not built "
			 "(libiceoryx-binding-c-dev)");
		return;
	}
	if (o->quick) {
		snprintf(res->zc_note, sizeof res->zc_note, "iceoryx: not in --quick (RouDi takes a second to start)");
		return;
	}
	struct roudi rd = {0};
	if (roudi_start(&rd, res->zc_note, sizeof res->zc_note) < 0)
		return;
	static const uint32_t subs[] = {1, 4};
	for (int i = 0; i < 2; i++) {
		bench_zc_row *row = &rows[i];
		memset(row, 0, sizeof *row);
		row->transport = ZC_ICEORYX;
		row->subscribers = subs[i];
		bench_pins pins = bench_pins_of(res->machine.pinned);
		struct iox_ctx x = {peer, rd.dir, pins.writer, pins.readers};
		row->ran = measure(iceoryx_phase_fn, &x, subs[i], window, row) == 0;
		res->zc_count++;
		bench_progress("zero-copy: iceoryx, %u subscribers: p50 %.1f us, %.0f frames/s", subs[i],
			       (double)row->lat.p50 / 1e3, row->fps);
	}
	roudi_stop(&rd);
}

int bench_zerocopy(const bench_opts *o, bench_results *res)
{
	struct zc_ctl *c = bench_shared_alloc(sizeof *c);
	if (!c)
		return 1;
	double window = o->quick ? 0.25 : o->seconds / 2;
	bench_progress("zero-copy: shmfb and iceoryx, 1080p rgba, 1 and 4 subscribers, %.2g s a phase", window);
	res->zc_count = 0;
	static const uint32_t subs[] = {1, 4};
	int failed = 0;
	for (int i = 0; i < 2; i++) {
		bench_zc_row *row = &res->zc[res->zc_count++];
		memset(row, 0, sizeof *row);
		row->transport = ZC_SHMFB;
		row->subscribers = subs[i];
		struct shmfb_ctx x = {o, res, c};
		row->ran = measure(shmfb_phase_fn, &x, subs[i], window, row) == 0;
		failed |= !row->ran;
		bench_progress("zero-copy: shmfb, %u subscribers: p50 %.1f us, %.0f frames/s", subs[i],
			       (double)row->lat.p50 / 1e3, row->fps);
	}
	bench_shared_free(c, sizeof *c);
	run_iceoryx(o, res, window);
	return failed;
}
