/*
 * peers.c - section 4 of shmfb bench: the same frames through a pipe and a
 * Unix stream socket, and through GStreamer's shmsink -> shmsrc when it is
 * installed (by the peer program of section 6, gstpeer.c).  The shmfb row
 * comes from the one-reader run in readers.c.
 *
 * A pipe or socket frame is timed from just before the writer's first
 * write() (the stamp in its first 8 bytes) to when the reader holds every
 * byte in its own buffer: the span of shmfb's copy-publish + copy.  Frames
 * and bytes are the same as shmfb's; the kernel's default buffer sizes are
 * kept, as a program using a pipe would.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

struct peer_ctl {
	_Atomic uint32_t reader_ready;
	_Atomic uint64_t start_ns, stop_ns;
	uint64_t frames, written; /* received / sent inside the window */
	bench_hist hist;
	char err[256];
};

struct peer_args {
	const bench_opts *o;
	struct peer_ctl *ctl;
	bench_chan *chan;
	size_t bytes;
	double seconds; /* one round */
};

static int stream_writer(void *arg)
{
	struct peer_args *a = arg;
	struct peer_ctl *c = a->ctl;
	bench_chan_keep_writer(a->chan);
	uint8_t *src = bench_alloc_faulted(a->bytes, 0);
	if (!src) {
		snprintf(c->err, sizeof c->err, "peers: out of memory");
		return 1;
	}
	bench_fill(src, a->bytes, 3);
	uint64_t end = shmfb_now_ns() + 10 * SHMFB_SEC;
	/* acquire: pairs with the reader's release store; it is reading. */
	while (!atomic_load_explicit(&c->reader_ready, memory_order_acquire) && shmfb_now_ns() < end)
		bench_spin_ns(100000);
	uint64_t dur = (uint64_t)(a->seconds * 1e9), t0 = shmfb_now_ns(), t = t0;
	uint64_t warm = dur / 10 < 50 * SHMFB_MS ? dur / 10 : 50 * SHMFB_MS;
	int rc = 0;
	/* At least one frame inside the window, however slow the machine is.
	 * relaxed loads of start_ns here: only this process stores it. */
	while (rc == 0 && (t - t0 < warm + dur || !atomic_load_explicit(&c->start_ns, memory_order_relaxed))) {
		/* relaxed: our own store; release: pairs with the reader's acquire load. */
		if (t - t0 >= warm && !atomic_load_explicit(&c->start_ns, memory_order_relaxed))
			atomic_store_explicit(&c->start_ns, t, memory_order_release);
		uint64_t stamp = shmfb_now_ns();
		memcpy(src, &stamp, sizeof stamp);
		rc = bench_chan_write(a->chan, src, a->bytes);
		t = shmfb_now_ns();
		/* relaxed: our own store. */
		uint64_t start = atomic_load_explicit(&c->start_ns, memory_order_relaxed);
		if (start && stamp >= start)
			c->written++;
	}
	/* release: pairs with the reader's acquire load of stop_ns. */
	atomic_store_explicit(&c->stop_ns, t, memory_order_release);
	bench_chan_close(a->chan); /* the reader sees end of file */
	bench_free(src, a->bytes);
	if (rc)
		snprintf(c->err, sizeof c->err, "peers: write failed");
	return rc ? 1 : 0;
}

static int stream_reader(void *arg)
{
	struct peer_args *a = arg;
	struct peer_ctl *c = a->ctl;
	bench_chan_keep_reader(a->chan);
	uint8_t *dst = bench_alloc_faulted(a->bytes, 0);
	if (!dst)
		return 1;
	/* release: pairs with the writer's acquire load of reader_ready. */
	atomic_store_explicit(&c->reader_ready, 1, memory_order_release);
	while (bench_chan_read(a->chan, dst, a->bytes) == 0) {
		uint64_t t = shmfb_now_ns(), stamp;
		memcpy(&stamp, dst, sizeof stamp);
		/* acquire: pair with the writer's release stores of the window. */
		uint64_t start = atomic_load_explicit(&c->start_ns, memory_order_acquire);
		uint64_t stop = atomic_load_explicit(&c->stop_ns, memory_order_acquire);
		if (start && stamp >= start && (!stop || t <= stop)) {
			c->frames++;
			bench_hist_add(&c->hist, t > stamp ? t - stamp : 0);
		}
	}
	bench_chan_close(a->chan);
	bench_free(dst, a->bytes);
	return 0;
}

/* One round of `seconds`: frames/s received and sent into fps[2], latencies into hist. */
static int stream_round(const bench_opts *o, bench_results *res, int kind, double seconds, double fps[2],
			bench_hist *hist, char *err, size_t errlen)
{
	shmfb_layout l;
	shmfb_layout_compute(o->width, o->height, o->format, &l);
	struct peer_ctl *c = bench_shared_alloc(sizeof *c);
	bench_chan ch;
	if (!c || bench_chan_open(&ch, kind) < 0) {
		snprintf(err, errlen, "could not set up: out of memory or descriptors");
		bench_shared_free(c, c ? sizeof *c : 0);
		return 1;
	}
	struct peer_args a = {o, c, &ch, (size_t)l.frame_bytes, seconds};
	bench_pins pins = bench_pins_of(res->machine.pinned);
	bench_child w = {0}, r = {0};
	int bad = bench_spawn(&r, pins.readers, stream_reader, &a) < 0 || bench_spawn(&w, pins.writer, stream_writer, &a) < 0;
	bench_chan_close(&ch); /* only the children hold the ends now */
	int limit = (int)(seconds * 1000) + 30000;
	int failed = bad || bench_join(&w, limit) != 0;
	failed |= bench_join(&r, 10000) != 0;
	/* relaxed: both children have exited and been reaped; nothing races. */
	uint64_t start = atomic_load_explicit(&c->start_ns, memory_order_relaxed);
	uint64_t stop = atomic_load_explicit(&c->stop_ns, memory_order_relaxed);
	if (!failed && stop > start && start) {
		double window = (double)(stop - start) / 1e9;
		fps[0] = (double)c->frames / window;
		fps[1] = (double)c->written / window;
		bench_hist_merge(hist, &c->hist);
	} else {
		snprintf(err, errlen, "failed: %.140s",
			 c->err[0] ? c->err : failed ? "a child process failed or timed out" : "no frame timed");
		failed = 1;
	}
	bench_shared_free(c, sizeof *c);
	return failed;
}

/* BENCH_ROUNDS rounds, one after the other; the medians and the merged latencies. */
static int run_stream(const bench_opts *o, bench_results *res, int kind, bench_peer *p)
{
	static bench_hist hist;
	double got[BENCH_ROUNDS], sent[BENCH_ROUNDS], fps[2];
	bench_hist_clear(&hist);
	/* A round holds a few frames even of a slow stream in --quick. */
	double round_s = o->seconds / BENCH_ROUNDS < 0.2 ? 0.2 : o->seconds / BENCH_ROUNDS;
	bench_disturb d0, d1;
	bench_disturb_now(&d0);
	for (int i = 0; i < BENCH_ROUNDS; i++) {
		if (stream_round(o, res, kind, round_s, fps, &hist, p->note, sizeof p->note)) {
			app_warn("bench: %s %s", p->label, p->note);
			return 1;
		}
		got[i] = fps[0];
		sent[i] = fps[1];
	}
	bench_disturb_now(&d1);
	d0.faults = d1.faults = d0.preempted = d1.preempted = 0; /* the parent's, not the children's */
	p->ran = 1;
	bench_spread_of(got, BENCH_ROUNDS, &d0, &d1, &p->fps_spread);
	p->fps = p->fps_spread.median;
	p->writer_fps = bench_median(sent, BENCH_ROUNDS);
	bench_hist_summary(&hist, &p->lat);
	bench_progress("peers: %s: %.0f frames/s (%.0f..%.0f)", p->label, p->fps, p->fps_spread.min,
		       p->fps_spread.max);
	return 0;
}

/* ------------------------------------------------------------ GStreamer */

/*
 * shmsink -> shmsrc, or shmfbsink -> shmfbsrc, unpaced, one copying reader,
 * through the peer program of section 6 (gstpeer.c: in one process, bounded
 * tries, failures counted).
 */
static void run_gst(const bench_opts *o, bench_results *res, uint32_t transport, bench_peer *p)
{
	static bench_delivery_run run;
	memset(&run, 0, sizeof run);
	run.width = o->width;
	run.height = o->height;
	run.format = o->format;
	run.readers = 1;
	run.transport = transport;
	run.window_ns = (uint64_t)((o->quick ? 0.3 : o->seconds) * 1e9);
	if (o->format != SHMFB_FMT_RGBA8 && o->format != SHMFB_FMT_NV12) {
		snprintf(p->note, sizeof p->note, "skipped: only measured for rgba and nv12");
		return;
	}
	if (bench_gst_delivery(o, res, &run) != 0) {
		snprintf(p->note, sizeof p->note, "%s", run.note);
		return;
	}
	double window = (double)run.window_ns / 1e9;
	p->ran = 1;
	p->fps = (double)run.received[0] / window;
	p->writer_fps = (double)run.sent / window;
	p->lat = run.lat[0];
	snprintf(p->note, sizeof p->note, "in one process (shmfb-bench-gst), appsrc ! %s ! appsink "
		 "copying; %u of %u tries failed", transport == T_GST_SHM ? "shmsink -> shmsrc" : "shmfbsink -> shmfbsrc",
		 run.failures, run.attempts);
	bench_progress("peers: %s: %.0f frames/s (%u of %u tries failed)", p->label, p->fps, run.failures,
		       run.attempts);
}

int bench_peers(const bench_opts *o, bench_results *res)
{
	bench_peer *p = res->peers;
	if (!p[PEER_SHMFB].ran)
		snprintf(p[PEER_SHMFB].note, sizeof p[PEER_SHMFB].note, "the one-reader run did not complete");
	int failed = run_stream(o, res, CHAN_PIPE, &p[PEER_PIPE]);
	failed |= run_stream(o, res, CHAN_UNIX_SOCKET, &p[PEER_SOCKET]);
	run_gst(o, res, T_GST_SHM, &p[PEER_GST]);
	run_gst(o, res, T_GST_SHMFB, &p[PEER_GST_SHMFB]);
	for (int i = PEER_GST; i <= PEER_GST_SHMFB; i++)
		if (!p[i].ran)
			bench_progress("peers: %s: %s", p[i].label, p[i].note);
	return failed;
}
