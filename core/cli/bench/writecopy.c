/*
 * writecopy.c - section 5 of shmfb bench: what a copy-on-write view costs
 * (shmfb_reader_view_latest) beside the full copy a reader makes today to
 * get a frame it may change (shmfb_reader_copy_latest), at 1080p RGBA.
 *
 * One round takes the latest frame each way, in turn, so a change in the
 * machine's load falls on all of them alike:
 *   copy        shmfb_reader_copy_latest into a buffer whose pages are faulted;
 *   view N %    view_latest, one byte written into N % of the pages (spread
 *               evenly: each is copied by the kernel), view_check, release;
 *   read        every 64th byte of the frame read in place (from the slot),
 *               and through a fresh view (which maps each page on first use):
 *               what a reader that reads the whole frame pays on top.
 *   floor N %   the same pages written into a bare private mapping of a
 *               shared-memory object outside shmfb, and dropped as a release
 *               drops them: the kernel's price for those copies, which no
 *               view can go below.
 * The table shows the medians, each view's time as a share of the copy's
 * and as a multiple of its floor; the target is under 10 % of the copy with
 * 1 % of the pages written.
 *
 * The producer is this process: a view's cost does not depend on who wrote
 * the slot, and its pages are the same shared pages either way.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define PAGE 4096u
#define LINE 64u

static const uint32_t shares[BENCH_WRITECOPY_SHARES] = {0, 1, 10, 100};

/* Pages of a frame written for a share (percent), spread evenly. */
static uint64_t pages_for(uint64_t pages, uint32_t percent)
{
	return (pages * percent + 50) / 100;
}

static int take_view(shmfb_reader *r, shmfb_view *v, char *err, size_t errlen)
{
	for (int i = 0; i < 64; i++) {
		int rc = shmfb_reader_view_latest(r, v);
		if (rc == 0)
			return 0;
		if (rc != SHMFB_ETORN)
			break;
	}
	snprintf(err, errlen, "view: %s", shmfb_errdetail());
	return -1;
}

/* One view with `count` of `pages` pages written; ns, or 0 on failure. */
static uint64_t time_view(shmfb_reader *r, uint64_t pages, uint64_t count, char *err, size_t errlen)
{
	shmfb_view v;
	uint64_t t0 = shmfb_now_ns();
	if (take_view(r, &v, err, errlen) < 0)
		return 0;
	for (uint64_t i = 0; i < count; i++)
		v.data[0][(i * pages / count) * PAGE + LINE] = (uint8_t)i;
	int rc = shmfb_view_check(r, &v);
	shmfb_view_release(r, &v);
	uint64_t t1 = shmfb_now_ns();
	if (rc < 0) {
		snprintf(err, errlen, "view check: %s", shmfb_errdetail());
		return 0;
	}
	return t1 - t0;
}

/* The same writes as time_view's into the bare mapping, then dropped. */
static uint64_t time_floor(bench_cow_floor *fl, uint64_t pages, uint64_t count)
{
	uint64_t t0 = shmfb_now_ns();
	for (uint64_t i = 0; i < count; i++)
		fl->priv[(i * pages / count) * PAGE + LINE] = (uint8_t)i;
	bench_cow_floor_drop(fl);
	return shmfb_now_ns() - t0;
}

/* Reads one byte of every cache line; the sum keeps the loads. */
static uint64_t read_lines(const uint8_t *p, uint64_t bytes, volatile uint64_t *sink)
{
	uint64_t t0 = shmfb_now_ns(), sum = 0;
	for (uint64_t i = 0; i < bytes; i += LINE)
		sum += p[i];
	*sink += sum;
	return shmfb_now_ns() - t0;
}

static uint64_t time_read_in_place(shmfb_reader *r, uint64_t bytes, volatile uint64_t *sink)
{
	shmfb_frame f;
	if (shmfb_reader_latest(r, &f) < 0)
		return 0;
	return read_lines(f.data[0], bytes, sink);
}

static uint64_t time_read_view(shmfb_reader *r, uint64_t bytes, volatile uint64_t *sink, char *err,
			       size_t errlen)
{
	shmfb_view v;
	uint64_t t0 = shmfb_now_ns();
	if (take_view(r, &v, err, errlen) < 0)
		return 0;
	read_lines(v.data[0], bytes, sink);
	shmfb_view_release(r, &v);
	return shmfb_now_ns() - t0;
}

typedef struct samples {
	double *copy, *view[BENCH_WRITECOPY_SHARES], *floor[BENCH_WRITECOPY_SHARES], *in_place,
		*view_read; /* ns */
} samples;

/* Rounds of every measurement in turn; 0, or -1 with err set. */
static int measure(shmfb_reader *r, uint8_t *dst, bench_cow_floor *fl, bench_cow_result *wc, samples *s,
		   char *err, size_t errlen)
{
	volatile uint64_t sink = 0;
	uint64_t bytes = wc->frame_bytes;
	for (uint32_t k = 0; k < wc->rounds; k++) {
		uint64_t t0 = shmfb_now_ns();
		if (shmfb_reader_copy_latest(r, dst, bytes, NULL) < 0) {
			snprintf(err, errlen, "copy: %s", shmfb_errdetail());
			return -1;
		}
		s->copy[k] = (double)(shmfb_now_ns() - t0);
		for (int i = 0; i < BENCH_WRITECOPY_SHARES; i++) {
			if (!(s->view[i][k] = time_view(r, wc->pages, wc->pages_written[i], err, errlen)))
				return -1;
			s->floor[i][k] = (double)time_floor(fl, wc->pages, wc->pages_written[i]);
		}
		s->in_place[k] = time_read_in_place(r, bytes, &sink);
		if (!(s->view_read[k] = time_read_view(r, bytes, &sink, err, errlen)))
			return -1;
	}
	return 0;
}

static void summarize(bench_cow_result *wc, samples *s)
{
	wc->copy_ns = bench_median(s->copy, wc->rounds);
	for (int i = 0; i < BENCH_WRITECOPY_SHARES; i++) {
		wc->view_ns[i] = bench_median(s->view[i], wc->rounds);
		wc->floor_ns[i] = bench_median(s->floor[i], wc->rounds);
	}
	wc->read_in_place_ns = bench_median(s->in_place, wc->rounds);
	wc->read_view_ns = bench_median(s->view_read, wc->rounds);
}

static int run(const bench_opts *o, bench_cow_result *wc, char *err, size_t errlen)
{
	bench_opts hd = *o;
	hd.width = 1920;
	hd.height = 1080;
	hd.format = SHMFB_FMT_RGBA8;
	char name[96];
	bench_next_name(o, name, sizeof name);
	shmfb_writer *w;
	if (bench_create_writer(&hd, name, "writecopy", err, errlen, &w) < 0)
		return -1;
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	bench_fill(p.data[0], (size_t)p.frame_bytes, 5);
	shmfb_writer_publish(w, 1, shmfb_now_ns());
	shmfb_reader *r = NULL;
	uint8_t *dst = NULL;
	double *all = NULL;
	bench_cow_floor fl = {0};
	int rc = -1;
	if (shmfb_open(name, &r) < 0) {
		snprintf(err, errlen, "open: %s", shmfb_errdetail());
		goto out;
	}
	wc->width = hd.width;
	wc->height = hd.height;
	wc->frame_bytes = p.frame_bytes;
	wc->pages = (p.frame_bytes + PAGE - 1) / PAGE;
	wc->rounds = o->quick ? 15 : 101;
	for (int i = 0; i < BENCH_WRITECOPY_SHARES; i++)
		wc->pages_written[i] = pages_for(wc->pages, shares[i]);
	dst = bench_alloc_faulted((size_t)wc->frame_bytes, 0);
	all = calloc((size_t)wc->rounds * (2 * BENCH_WRITECOPY_SHARES + 3), sizeof *all);
	if (!dst || !all || bench_cow_floor_open(&fl, (size_t)wc->frame_bytes) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	samples s = {all, {0}, {0}, all + wc->rounds, all + 2 * (size_t)wc->rounds};
	for (int i = 0; i < BENCH_WRITECOPY_SHARES; i++) {
		s.view[i] = all + (3 + (size_t)i) * wc->rounds;
		s.floor[i] = all + (3 + BENCH_WRITECOPY_SHARES + (size_t)i) * wc->rounds;
	}
	/* A first round unmeasured: the view's mapping is made once, at its first use. */
	uint32_t rounds = wc->rounds;
	wc->rounds = 1;
	rc = measure(r, dst, &fl, wc, &s, err, errlen);
	wc->rounds = rounds;
	if (rc == 0)
		rc = measure(r, dst, &fl, wc, &s, err, errlen);
	if (rc == 0)
		summarize(wc, &s);
out:
	bench_cow_floor_close(&fl);
	free(all);
	if (dst)
		bench_free(dst, (size_t)wc->frame_bytes);
	shmfb_reader_close(r);
	shmfb_writer_close(w);
	return rc;
}

int bench_writecopy(const bench_opts *o, bench_results *res)
{
	bench_progress("writecopy: copy-on-write views beside a full copy, 1920x1080 rgba");
	char err[512];
	bench_cow_result *wc = &res->writecopy;
	memset(wc, 0, sizeof *wc);
	if (run(o, wc, err, sizeof err) < 0) {
		app_warn("bench: writecopy: %s", err);
		return 1;
	}
	wc->ran = 1;
	return 0;
}

static double share_of_copy(const bench_cow_result *wc, double ns)
{
	return wc->copy_ns > 0 ? ns / wc->copy_ns : 0;
}

void bench_writecopy_table(FILE *f, const bench_results *r)
{
	const bench_cow_result *wc = &r->writecopy;
	fprintf(f, "\n5. copy-on-write view of the latest frame beside a full copy (%ux%u rgba, %llu pages; "
		   "medians of %u rounds)\n",
		wc->width, wc->height, (unsigned long long)wc->pages, wc->rounds);
	if (!wc->ran) {
		fprintf(f, "   (did not run)\n");
		return;
	}
	fprintf(f, "   %-44s %10s %9s %10s %9s\n", "", "us", "of copy", "floor us", "x floor");
	fprintf(f, "   %-44s %10.1f %8.0f%%\n", "full copy (shmfb_reader_copy_latest)", wc->copy_ns / 1e3, 100.0);
	for (int i = 0; i < BENCH_WRITECOPY_SHARES; i++) {
		char label[64];
		snprintf(label, sizeof label, "view, %3u %% of pages written (%llu)", shares[i],
			 (unsigned long long)wc->pages_written[i]);
		fprintf(f, "   %-44s %10.1f %8.1f%% %10.1f %9.2f\n", label, wc->view_ns[i] / 1e3,
			100 * share_of_copy(wc, wc->view_ns[i]), wc->floor_ns[i] / 1e3,
			wc->floor_ns[i] > 0 ? wc->view_ns[i] / wc->floor_ns[i] : 0);
	}
	fprintf(f, "   %-44s %10.1f %8.1f%%\n", "every line read in place (zero-copy)",
		wc->read_in_place_ns / 1e3, 100 * share_of_copy(wc, wc->read_in_place_ns));
	fprintf(f, "   %-44s %10.1f %8.1f%%\n", "every line read through a fresh view",
		wc->read_view_ns / 1e3, 100 * share_of_copy(wc, wc->read_view_ns));
}

void bench_writecopy_json(FILE *f, const bench_results *r)
{
	const bench_cow_result *wc = &r->writecopy;
	fprintf(f, "  \"writecopy\": {\"ran\": %s, \"width\": %u, \"height\": %u, \"frame_bytes\": %llu, "
		   "\"pages\": %llu, \"rounds\": %u, \"copy_ns\": %.0f, \"views\": [",
		wc->ran ? "true" : "false", wc->width, wc->height, (unsigned long long)wc->frame_bytes,
		(unsigned long long)wc->pages, wc->rounds, wc->copy_ns);
	for (int i = 0; i < BENCH_WRITECOPY_SHARES; i++)
		fprintf(f,
			"%s{\"percent\": %u, \"pages_written\": %llu, \"ns\": %.0f, \"of_copy\": %.4f, "
			"\"floor_ns\": %.0f}",
			i ? ", " : "", shares[i], (unsigned long long)wc->pages_written[i], wc->view_ns[i],
			share_of_copy(wc, wc->view_ns[i]), wc->floor_ns[i]);
	fprintf(f, "], \"read_in_place_ns\": %.0f, \"read_view_ns\": %.0f},\n", wc->read_in_place_ns,
		wc->read_view_ns);
}

double bench_writecopy_one_percent(const bench_results *r)
{
	return share_of_copy(&r->writecopy, r->writecopy.view_ns[1]);
}
