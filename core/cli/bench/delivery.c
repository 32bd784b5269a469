/*
 * delivery.c - section 6 of shmfb bench: paced delivery, the question a
 * user with a camera asks: at my frame rate, does every reader get every
 * frame, and how late?
 *
 * A writer process publishes frames on a schedule (30, 60, 120, 240, 480,
 * 960 frames/s, then unpaced: as fast as it can) to 1, 2 or 4 reader
 * processes, each of which copies every frame it gets into its own buffer.
 * The writer sleeps until each frame's due time and stamps the frame with
 * its number and due time; a frame it could not start on time is simply
 * late (a blocking pipe writer falls behind, shmfb's never blocks).
 *
 * Per reader: the share of the frames due that it received whole by the
 * end of the run (the last due time + 100 ms: a frame delivered later than
 * that is lost to a live viewer), and the latency from the frame's due
 * time to its finished copy (p50/p99/max): from publish, when the writer
 * keeps up; a writer that falls behind adds its delay.  The highest rate at
 * which every reader gets at least 99.9 % is the transport's lossless rate.
 *
 * Transports, with the same frames and CPUs (writer on one, readers on the
 * rest): shmfb with shmfb_reader_copy_next (every frame still held) and with
 * shmfb_reader_copy_latest (latest wins), a pipe and a Unix stream socket
 * per reader (the writer writes each frame to each in turn), and, in the
 * peer program shmfb-bench-gst when built, GStreamer's shmsink -> shmsrc and
 * shmfbsink -> shmfbsrc (gstpeer.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bench.h"

#define GRACE_NS (100 * SHMFB_MS)
#define READY_TIMEOUT_NS (10 * SHMFB_SEC)

static const double full_rates[] = {30, 60, 120, 240, 480, 960, 0};
static const double quick_rates[] = {60, 240};

const char *const bench_transport_key[BENCH_TRANSPORTS] = {
	[T_SHMFB_NEXT] = "shmfb", [T_SHMFB_LATEST] = "shmfb_latest", [T_PIPE] = "pipe",
	[T_SOCKET] = "unix_socket", [T_GST_SHM] = "gst_shm", [T_GST_SHMFB] = "gst_shmfb",
};
const char *const bench_transport_label[BENCH_TRANSPORTS] = {
	[T_SHMFB_NEXT] = "shmfb (every frame)", [T_SHMFB_LATEST] = "shmfb (latest wins)", [T_PIPE] = "pipe",
	[T_SOCKET] = "unix socket", [T_GST_SHM] = "gst shmsink>shmsrc", [T_GST_SHMFB] = "gst shmfbsink>src",
};

/* One reader's tally, kept in its private memory while it runs. */
struct dl_tally {
	uint64_t received;
	bench_hist lat;
};

struct dl_ctl {
	_Atomic uint32_t writer_ready; /* 1 = ready, 2 = failed */
	_Atomic uint32_t readers_ready;
	_Atomic uint32_t readers_done;
	_Atomic uint64_t t0;           /* the first frame's due time; 0 until set */
	uint64_t end_ns;               /* nothing counts after it (set with t0) */
	uint64_t sent;                 /* frames the writer started, all readers */
	uint64_t due;                  /* paced: frames due; unpaced: frames sent */
	uint64_t lag_max_ns;           /* how far the writer fell behind its schedule */
	uint32_t transport, readers;
	uint64_t period_ns;            /* 0: unpaced */
	uint64_t window_ns;
	uint32_t width, height;
	shmfb_pixfmt format;
	char name[SHMFB_NAME_MAX + 1];
	char err[256];
	struct dl_tally tally[BENCH_DL_READERS];
};

/* Private to each process (copied by fork): its descriptors change as it closes them. */
struct dl_args {
	struct dl_ctl *ctl;
	bench_chan *chan; /* one per reader (streams) */
	uint32_t id;
};

static size_t frame_bytes(const struct dl_ctl *c)
{
	shmfb_layout l;
	shmfb_layout_compute(c->width, c->height, c->format, &l);
	return (size_t)l.frame_bytes;
}

static int is_shmfb(uint32_t t)
{
	return t == T_SHMFB_NEXT || t == T_SHMFB_LATEST;
}

static void sleep_until(uint64_t t)
{
	uint64_t now = shmfb_now_ns();
	if (t > now)
		bench_sleep_ns(t - now);
}

/* ------------------------------------------------------------- writer */

/* Sends frame i (stamped) to every reader; 0, or -1 when a stream broke. */
static int send_frame(const struct dl_args *a, shmfb_writer *w, uint8_t *src, size_t n, uint64_t i, uint64_t due)
{
	uint64_t stamp[2] = {i, due};
	memcpy(src, stamp, sizeof stamp);
	if (w)
		return shmfb_writer_publish_copy(w, src, n, i, due) == 0 ? 0 : -1;
	for (uint32_t k = 0; k < a->ctl->readers; k++)
		if (bench_chan_write(&a->chan[k], src, n) < 0)
			return -1;
	return 0;
}

/* The warm-up frames (peers/peer.h) before the window, to every reader. */
static int warm_up(const struct dl_args *a, shmfb_writer *w, uint8_t *src, size_t n)
{
	uint64_t gap = peer_warmup_gap_ns(a->ctl->period_ns), start = shmfb_now_ns();
	for (int i = 0; peer_warming(i, start); i++) {
		if (send_frame(a, w, src, n, 0, shmfb_now_ns()) < 0)
			return -1;
		bench_sleep_ns(gap);
	}
	return 0;
}

/* The schedule: frame i due at t0 + (i-1) period, until the window ends. */
static void run_schedule(const struct dl_args *a, shmfb_writer *w, uint8_t *src, size_t n)
{
	struct dl_ctl *c = a->ctl;
	if (warm_up(a, w, src, n) < 0)
		return;
	uint64_t t0 = shmfb_now_ns() + 20 * SHMFB_MS;
	uint64_t due_n = c->period_ns ? c->window_ns / c->period_ns : 0;
	c->end_ns = t0 + c->window_ns + GRACE_NS;
	/* release: pairs with the readers' acquire load; end_ns is set. */
	atomic_store_explicit(&c->t0, t0, memory_order_release);
	uint64_t i = 0;
	for (;;) {
		uint64_t due = t0 + i * c->period_ns;
		if (c->period_ns && i >= due_n)
			break;
		sleep_until(due); /* unpaced: only the first frame waits, for t0 */
		uint64_t now = shmfb_now_ns();
		if (now > c->end_ns || (!c->period_ns && now - t0 >= c->window_ns))
			break;
		if (now - due > c->lag_max_ns && now > due)
			c->lag_max_ns = now - due;
		if (send_frame(a, w, src, n, i + 1, c->period_ns ? due : now) < 0)
			break;
		i++;
	}
	c->sent = i;
	c->due = c->period_ns ? due_n : i;
}

static int dl_writer(void *arg)
{
	struct dl_args *a = arg;
	struct dl_ctl *c = a->ctl;
	size_t n = frame_bytes(c);
	shmfb_writer *w = NULL;
	if (is_shmfb(c->transport)) {
		shmfb_writer_options wo;
		shmfb_writer_options_init(&wo);
		wo.width = c->width;
		wo.height = c->height;
		wo.format = c->format;
		if (shmfb_create(c->name, &wo, &w) < 0) {
			snprintf(c->err, sizeof c->err, "delivery: %s", shmfb_errdetail());
			/* release: pairs with the readers' acquire; err is set. */
			atomic_store_explicit(&c->writer_ready, 2, memory_order_release);
			return 1;
		}
	} else {
		for (uint32_t k = 0; k < c->readers; k++)
			bench_chan_keep_writer(&a->chan[k]);
	}
	uint8_t *src = bench_alloc_faulted(n, 0);
	int rc = 0;
	if (!src) {
		snprintf(c->err, sizeof c->err, "delivery: out of memory");
		rc = 1;
	} else {
		bench_fill(src, n, 11);
		/* release: pairs with the readers' acquire; the mapping exists. */
		atomic_store_explicit(&c->writer_ready, 1, memory_order_release);
		if (bench_wait_count(&c->readers_ready, c->readers, READY_TIMEOUT_NS) < 0) {
			snprintf(c->err, sizeof c->err, "delivery: the readers did not start");
			rc = 1;
		} else {
			run_schedule(a, w, src, n);
		}
	}
	if (w) {
		/* Readers drain what is held before the name goes (bounded by their end). */
		bench_wait_count(&c->readers_done, c->readers, READY_TIMEOUT_NS);
		shmfb_writer_close(w);
	}
	for (uint32_t k = 0; k < c->readers; k++)
		bench_chan_close(&a->chan[k]);
	bench_free(src, n);
	return rc;
}

/* ------------------------------------------------------------- readers */

static void record(struct dl_tally *t, uint64_t end, uint64_t now, uint64_t number, uint64_t due)
{
	if (number == 0 || now > end) /* a warm-up frame, or too late */
		return;
	t->received++;
	bench_hist_add(&t->lat, now > due ? now - due : 0);
}

static uint64_t window_end(struct dl_ctl *c)
{
	/* acquire: pairs with the writer's release store of t0; end_ns is set. */
	return atomic_load_explicit(&c->t0, memory_order_acquire) ? c->end_ns : UINT64_MAX;
}

/* Copies every frame it can until the run's end; latest: only the newest. */
static void shmfb_loop(struct dl_ctl *c, shmfb_reader *r, uint8_t *dst, size_t n, struct dl_tally *t, int every)
{
	uint64_t seen = 0;
	while (shmfb_now_ns() <= window_end(c)) {
		int rc = shmfb_reader_wait(r, seen, 20 * SHMFB_MS, 0);
		if (rc == SHMFB_ECLOSED)
			break;
		if (rc < 0)
			continue;
		for (;;) {
			shmfb_frame f;
			rc = every ? shmfb_reader_copy_next(r, seen, dst, n, &f) : shmfb_reader_copy_latest(r, dst, n, &f);
			if (rc < 0)
				break; /* nothing newer, or lapped 64 times: wait for the next */
			seen = f.index;
			record(t, window_end(c), shmfb_now_ns(), f.frame_number, f.pts_ns);
			if (!every)
				break;
		}
	}
}

static void stream_loop(struct dl_ctl *c, bench_chan *ch, uint8_t *dst, size_t n, struct dl_tally *t)
{
	while (bench_chan_read(ch, dst, n) == 0) {
		uint64_t now = shmfb_now_ns(), stamp[2];
		memcpy(stamp, dst, sizeof stamp);
		record(t, window_end(c), now, stamp[0], stamp[1]);
	}
}

static int dl_reader(void *arg)
{
	struct dl_args *a = arg;
	struct dl_ctl *c = a->ctl;
	static struct dl_tally mine; /* private: see readers.c */
	memset(&mine, 0, sizeof mine);
	size_t n = frame_bytes(c);
	shmfb_reader *r = NULL;
	bench_chan *ch = &a->chan[a->id];
	if (!is_shmfb(c->transport)) {
		for (uint32_t k = 0; k < c->readers; k++)
			if (k != a->id)
				bench_chan_close(&a->chan[k]);
		bench_chan_keep_reader(ch);
	}
	uint8_t *dst = bench_alloc_faulted(n, 0);
	/* relaxed: bench_wait_count's acquire load already saw the value. */
	if (!dst || bench_wait_count(&c->writer_ready, 1, READY_TIMEOUT_NS) < 0 ||
	    atomic_load_explicit(&c->writer_ready, memory_order_relaxed) != 1 ||
	    (is_shmfb(c->transport) && shmfb_open(c->name, &r) < 0)) {
		bench_free(dst, n);
		return 1;
	}
	/* release: pairs with the writer's acquire in bench_wait_count; we are open. */
	atomic_fetch_add_explicit(&c->readers_ready, 1, memory_order_release);
	if (r)
		shmfb_loop(c, r, dst, n, &mine, c->transport == T_SHMFB_NEXT);
	else
		stream_loop(c, ch, dst, n, &mine);
	c->tally[a->id] = mine;
	/* release: pairs with the writer's acquire; the tally is copied out. */
	atomic_fetch_add_explicit(&c->readers_done, 1, memory_order_release);
	shmfb_reader_close(r);
	bench_chan_close(ch);
	bench_free(dst, n);
	return 0;
}

/* ------------------------------------------------------------- driver */

static void fill_run(const struct dl_ctl *c, bench_delivery_run *run)
{
	run->frames = c->due;
	run->sent = c->sent;
	run->writer_lag_max_ns = c->lag_max_ns;
	run->achieved_fps = (double)c->sent / ((double)c->window_ns / 1e9);
	for (uint32_t k = 0; k < c->readers; k++) {
		run->received[k] = c->tally[k].received;
		bench_hist_summary(&c->tally[k].lat, &run->lat[k]);
	}
}

/* One run of a C transport (shmfb, pipe, socket); 0, or 1 with run->note. */
static int run_local(const bench_opts *o, bench_results *res, struct dl_ctl *c, bench_delivery_run *run)
{
	memset(c, 0, sizeof *c);
	c->transport = run->transport;
	c->readers = run->readers;
	c->width = run->width;
	c->height = run->height;
	c->format = run->format;
	c->period_ns = run->rate_fps > 0 ? (uint64_t)(1e9 / run->rate_fps) : 0;
	c->window_ns = run->window_ns;
	bench_next_name(o, c->name, sizeof c->name);
	bench_chan chan[BENCH_DL_READERS];
	for (uint32_t k = 0; k < BENCH_DL_READERS; k++)
		chan[k].rd = chan[k].wr = -1;
	for (uint32_t k = 0; k < c->readers; k++) {
		if (!is_shmfb(c->transport) &&
		    bench_chan_open(&chan[k], c->transport == T_PIPE ? CHAN_PIPE : CHAN_UNIX_SOCKET) < 0) {
			for (uint32_t j = 0; j < k; j++)
				bench_chan_close(&chan[j]);
			snprintf(run->note, sizeof run->note, "could not open a %s", bench_transport_label[c->transport]);
			return 1;
		}
	}
	bench_pins pins = bench_pins_of(res->machine.pinned);
	bench_child w = {0}, rd[BENCH_DL_READERS] = {{0}};
	struct dl_args wa = {c, chan, 0}, ra[BENCH_DL_READERS];
	int bad = bench_spawn(&w, pins.writer, dl_writer, &wa) < 0;
	for (uint32_t k = 0; k < c->readers && !bad; k++) {
		ra[k] = (struct dl_args){c, chan, k};
		bad = bench_spawn(&rd[k], pins.readers, dl_reader, &ra[k]) < 0;
	}
	for (uint32_t k = 0; k < c->readers; k++)
		bench_chan_close(&chan[k]); /* only the children hold the ends now */
	int limit = (int)(run->window_ns / 1000000) + 20000;
	int failed = bad || bench_join(&w, limit) != 0;
	for (uint32_t k = 0; k < c->readers; k++)
		failed |= bench_join(&rd[k], 10000) != 0;
	shmfb_unlink(c->name);
	if (failed) {
		snprintf(run->note, sizeof run->note, "%.90s", c->err[0] ? c->err : "a process failed or timed out");
		return 1;
	}
	fill_run(c, run);
	return 0;
}

/*
 * 1 when the writer kept its schedule: never more than BENCH_DL_LAG_PERIODS
 * frame periods behind.  A camera buffers a few frames and drops the rest,
 * so a transport whose writer blocks that long (a pipe or socket waiting
 * for its slowest reader, shmsink waiting for free space) would have lost
 * frames at the source, however many reached the readers later.
 */
int bench_delivery_on_schedule(const bench_delivery_run *run)
{
	if (run->rate_fps <= 0)
		return 1; /* unpaced: there is no schedule */
	return (double)run->writer_lag_max_ns <= BENCH_DL_LAG_PERIODS * 1e9 / run->rate_fps;
}

/* 1 when every reader received at least 99.9 % of the frames due and the writer kept its schedule. */
int bench_delivery_lossless(const bench_delivery_run *run)
{
	if (!run->ran || !run->frames || !bench_delivery_on_schedule(run))
		return 0;
	for (uint32_t k = 0; k < run->readers; k++)
		if ((double)run->received[k] < 0.999 * (double)run->frames)
			return 0;
	return 1;
}

struct dl_config {
	uint32_t w, h;
	shmfb_pixfmt f;
	uint32_t readers[3];
};

static uint64_t window_for(const bench_opts *o, double rate)
{
	/* Enough frames at low rates to say something; o->seconds scales the rest. */
	double min_frames = o->quick ? 20 : 60, s = o->seconds * 0.25;
	if (rate > 0 && min_frames / rate > s)
		s = min_frames / rate;
	return (uint64_t)(s * 1e9);
}

static int run_one(const bench_opts *o, bench_results *res, struct dl_ctl *c, bench_delivery_run *run)
{
	int failed;
	if (run->transport == T_GST_SHM || run->transport == T_GST_SHMFB)
		failed = bench_gst_delivery(o, res, run);
	else
		failed = run_local(o, res, c, run);
	run->ran = !failed;
	return failed;
}

/* Orders runs by lossless first, then by the worst reader's share received. */
static int run_rank(const bench_delivery_run *d)
{
	uint64_t least = UINT64_MAX;
	for (uint32_t k = 0; k < d->readers; k++)
		least = d->received[k] < least ? d->received[k] : least;
	/* Shares to 1e-6, after lossless: integer ranks compare exactly. */
	return bench_delivery_lossless(d) * 2000000 + (int)(d->frames ? 1e6 * (double)least / (double)d->frames : 0);
}

/*
 * A run that was not lossless is run twice more and the median of the
 * three is kept (by lossless, then the worst reader's share): one stall of
 * the machine (a vCPU descheduled for 10 ms loses a 3-slot reader two frames
 * at 240 f/s) no longer decides a rate, and a rate that loses frames twice
 * in three runs is not lossless.  Every transport gets the same.  Not in
 * --quick.  0, or 1 when a rerun failed (run->note says why).
 */
static int median_of_rounds(const bench_opts *o, bench_results *res, struct dl_ctl *c, bench_delivery_run *run)
{
	run->rounds = 1;
	run->lossless_rounds = (uint32_t)bench_delivery_lossless(run);
	if (o->quick || run->lossless_rounds)
		return 0;
	static bench_delivery_run round[BENCH_DL_ROUNDS];
	round[0] = *run;
	for (int i = 1; i < BENCH_DL_ROUNDS; i++) {
		round[i] = *run;
		memset(round[i].received, 0, sizeof round[i].received);
		if (run_one(o, res, c, &round[i])) {
			snprintf(run->note, sizeof run->note, "%s", round[i].note);
			return 1;
		}
		run->lossless_rounds += (uint32_t)bench_delivery_lossless(&round[i]);
	}
	/* The median of three: neither the best nor the worst. */
	_Static_assert(BENCH_DL_ROUNDS == 3, "the median below is of three");
	int r0 = run_rank(&round[0]), r1 = run_rank(&round[1]), r2 = run_rank(&round[2]);
	int mid = (r0 <= r1) == (r1 <= r2) ? 1 : (r1 <= r0) == (r0 <= r2) ? 0 : 2;
	uint32_t lossless = run->lossless_rounds;
	*run = round[mid];
	run->rounds = BENCH_DL_ROUNDS;
	run->lossless_rounds = lossless;
	return 0;
}

/* The rates of one transport, climbing until a rate loses frames. */
static void climb(const bench_opts *o, bench_results *res, struct dl_ctl *c, const bench_delivery_run *proto)
{
	const double *rates = o->quick ? quick_rates : full_rates;
	size_t nrates = o->quick ? sizeof quick_rates / sizeof *quick_rates : sizeof full_rates / sizeof *full_rates;
	for (size_t i = 0; i < nrates && res->delivery_count < BENCH_DL_RUNS; i++) {
		bench_delivery_run *run = &res->delivery[res->delivery_count++];
		*run = *proto;
		run->rate_fps = rates[i];
		run->window_ns = window_for(o, rates[i]);
		if (run_one(o, res, c, run) || median_of_rounds(o, res, c, run)) {
			if (run->skipped) {
				res->delivery_count--; /* not available here: one note is enough */
				return;
			}
			bench_progress("delivery: %s: %s", bench_transport_label[run->transport], run->note);
			return;
		}
		if (!bench_delivery_lossless(run))
			return;
	}
}

int bench_delivery(const bench_opts *o, bench_results *res)
{
	static const struct dl_config full[] = {
		{1920, 1080, SHMFB_FMT_RGBA8, {1, 2, 4}},
		{3840, 2160, SHMFB_FMT_RGBA8, {1, 2, 4}},
		{1920, 1080, SHMFB_FMT_NV12, {1, 2, 4}},
	};
	static const struct dl_config quick[] = {{1920, 1080, SHMFB_FMT_RGBA8, {1, 2, 0}}};
	const struct dl_config *cfg = o->quick ? quick : full;
	size_t ncfg = o->quick ? 1 : sizeof full / sizeof *full;
	struct dl_ctl *c = bench_shared_alloc(sizeof *c);
	if (!c) {
		app_warn("bench: delivery: out of memory");
		return 1;
	}
	bench_progress("delivery: paced to %s readers copying every frame", o->quick ? "1 and 2" : "1, 2 and 4");
	res->delivery_count = 0;
	for (size_t i = 0; i < ncfg; i++) {
		for (int k = 0; k < 3 && cfg[i].readers[k]; k++) {
			/* --quick leaves out the GStreamer peer (seconds of start-up per run). */
			uint32_t transports = o->quick ? T_GST_SHM : BENCH_TRANSPORTS;
			for (uint32_t t = 0; t < transports; t++) {
				bench_delivery_run proto = {0};
				proto.width = cfg[i].w;
				proto.height = cfg[i].h;
				proto.format = cfg[i].f;
				proto.readers = cfg[i].readers[k];
				proto.transport = t;
				climb(o, res, c, &proto);
			}
			bench_progress("delivery: %ux%u %s, %u readers done", cfg[i].w, cfg[i].h,
				       shmfb_pixfmt_name(cfg[i].f), cfg[i].readers[k]);
		}
	}
	bench_shared_free(c, sizeof *c);
	return 0;
}
