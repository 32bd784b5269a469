/*
 * delivery_report.c - section 6 (paced delivery) as a table and as JSON.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "bench.h"

/* Same frame, format and reader count. */
static int same_group(const bench_delivery_run *a, const bench_delivery_run *b)
{
	return a->width == b->width && a->height == b->height && a->format == b->format &&
	       a->readers == b->readers;
}

/* 1 when run i is the first of its frame, format and reader count. */
static int first_of_group(const bench_results *r, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++)
		if (same_group(&r->delivery[j], &r->delivery[i]))
			return 0;
	return 1;
}

static double worst_fraction(const bench_delivery_run *r)
{
	double worst = 1;
	for (uint32_t k = 0; k < r->readers; k++) {
		double f = r->frames ? (double)r->received[k] / (double)r->frames : 0;
		worst = f < worst ? f : worst;
	}
	return worst;
}

/* The worst reader's p50 and p99. */
static void worst_latency(const bench_delivery_run *r, uint64_t *p50, uint64_t *p99, uint64_t *max)
{
	*p50 = *p99 = *max = 0;
	for (uint32_t k = 0; k < r->readers; k++) {
		*p50 = r->lat[k].p50 > *p50 ? r->lat[k].p50 : *p50;
		*p99 = r->lat[k].p99 > *p99 ? r->lat[k].p99 : *p99;
		*max = r->lat[k].max > *max ? r->lat[k].max : *max;
	}
}

const bench_delivery_run *bench_delivery_find(const bench_results *r, const bench_delivery_run *group,
					      uint32_t transport, double rate)
{
	for (uint32_t i = 0; i < r->delivery_count; i++) {
		const bench_delivery_run *d = &r->delivery[i];
		if (same_group(d, group) && d->transport == transport && d->rate_fps == rate)
			return d;
	}
	return NULL;
}

/*
 * The highest paced rate that was lossless.  The unpaced run is left out:
 * it measures a writer that may wait for its readers (a pipe's or socket's
 * does, shmfb's never does), which no camera is; its rate is in the table.
 */
double bench_delivery_max_lossless(const bench_results *r, const bench_delivery_run *group, uint32_t transport,
				   const bench_delivery_run **at)
{
	double best = 0;
	*at = NULL;
	for (uint32_t i = 0; i < r->delivery_count; i++) {
		const bench_delivery_run *d = &r->delivery[i];
		if (!same_group(d, group) || d->transport != transport || d->rate_fps <= 0 || !bench_delivery_lossless(d))
			continue;
		if (d->rate_fps > best) {
			best = d->rate_fps;
			*at = d;
		}
	}
	return best;
}

/* Distinct rates asked in the group, in order of first appearance (ascending). */
static uint32_t group_rates(const bench_results *r, const bench_delivery_run *g, double *rates, uint32_t max)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->delivery_count; i++) {
		const bench_delivery_run *d = &r->delivery[i];
		if (!same_group(d, g))
			continue;
		uint32_t j = 0;
		while (j < n && rates[j] != d->rate_fps)
			j++;
		if (j == n && n < max) {
			/* Unpaced (0) sorts last. */
			uint32_t at = n;
			while (at > 0 && (rates[at - 1] == 0 || (d->rate_fps > 0 && rates[at - 1] > d->rate_fps))) {
				rates[at] = rates[at - 1];
				at--;
			}
			rates[at] = d->rate_fps;
			n++;
		}
	}
	return n;
}

static void table_cell(FILE *f, const bench_delivery_run *d)
{
	char cell[40] = "";
	if (d && d->ran) {
		uint64_t p50, p99, max;
		worst_latency(d, &p50, &p99, &max);
		snprintf(cell, sizeof cell, "%5.1f%s%.1f/%.1f", 100 * worst_fraction(d),
			 bench_delivery_on_schedule(d) ? " " : "!", (double)p50 / 1e6, (double)p99 / 1e6);
	} else if (d) {
		snprintf(cell, sizeof cell, "failed");
	}
	fprintf(f, " %-19s", cell);
}

static void table_group(FILE *f, const bench_results *r, const bench_delivery_run *g)
{
	fprintf(f, "\n   %ux%u %s, %u reader%s\n   %-6s", g->width, g->height, shmfb_pixfmt_name(g->format), g->readers,
		g->readers > 1 ? "s" : "", "fps");
	int present[BENCH_TRANSPORTS] = {0};
	for (uint32_t i = 0; i < r->delivery_count; i++)
		if (same_group(&r->delivery[i], g))
			present[r->delivery[i].transport] = 1;
	for (uint32_t t = 0; t < BENCH_TRANSPORTS; t++)
		if (present[t])
			fprintf(f, " %-19s", bench_transport_label[t]);
	fputc('\n', f);
	double rates[16];
	uint32_t n = group_rates(r, g, rates, 16);
	for (uint32_t i = 0; i < n; i++) {
		char label[16];
		snprintf(label, sizeof label, rates[i] > 0 ? "%.0f" : "max", rates[i]);
		fprintf(f, "   %-6s", label);
		for (uint32_t t = 0; t < BENCH_TRANSPORTS; t++)
			if (present[t])
				table_cell(f, bench_delivery_find(r, g, t, rates[i]));
		fputc('\n', f);
		if (rates[i] == 0) {
			fprintf(f, "   %-6s", "  f/s");
			for (uint32_t t = 0; t < BENCH_TRANSPORTS; t++) {
				const bench_delivery_run *d = present[t] ? bench_delivery_find(r, g, t, 0) : NULL;
				char cell[24] = "";
				if (d && d->ran)
					snprintf(cell, sizeof cell, "%5.0f", d->achieved_fps);
				if (present[t])
					fprintf(f, " %-19s", cell);
			}
			fputc('\n', f);
		}
	}
	fprintf(f, "   %-6s", "lossls");
	for (uint32_t t = 0; t < BENCH_TRANSPORTS; t++) {
		if (!present[t])
			continue;
		const bench_delivery_run *at;
		double best = bench_delivery_max_lossless(r, g, t, &at);
		char cell[40] = "none";
		if (at) {
			uint64_t p50, p99, max;
			worst_latency(at, &p50, &p99, &max);
			snprintf(cell, sizeof cell, "%.0f f/s, p99 %.1f", best, (double)p99 / 1e6);
		}
		fprintf(f, " %-19s", cell);
	}
	fputc('\n', f);
}

void bench_delivery_table(FILE *f, const bench_results *r)
{
	fprintf(f, "\n6. paced delivery: readers each copying every frame they get; a cell is the worst reader's\n"
		   "   share of the frames due, %%, and its latency p50/p99, ms, from the frame's due time to its\n"
		   "   finished copy; !: the writer fell more than %d frame periods behind its schedule (a camera\n"
		   "   would have dropped frames); lossls: the highest paced rate at which every reader got\n"
		   "   >= 99.9 %% and the writer kept its schedule, and the worst p99 there; a rate above one that\n"
		   "   was not lossless is not run; max: unpaced, the writer as fast as it can (a pipe's or\n"
		   "   socket's waits for its readers, shmfb's never does); a run that was not lossless is run\n"
		   "   %d times in all and the median shown\n", BENCH_DL_LAG_PERIODS, BENCH_DL_ROUNDS);
	for (uint32_t i = 0; i < r->delivery_count; i++)
		if (first_of_group(r, i))
			table_group(f, r, &r->delivery[i]);
	for (uint32_t i = 0; i < r->delivery_count; i++) {
		const bench_delivery_run *d = &r->delivery[i];
		if (d->failures)
			fprintf(f, "   %s at %ux%u %s, %u readers, %.0f f/s: %u of %u tries failed%s%s\n",
				bench_transport_label[d->transport], d->width, d->height, shmfb_pixfmt_name(d->format),
				d->readers, d->rate_fps, d->failures, d->attempts, d->note[0] ? ": " : "", d->note);
	}
}

static void json_run(FILE *f, const bench_delivery_run *d)
{
	fprintf(f, "      {\"width\": %u, \"height\": %u, \"format\": \"%s\", \"readers\": %u, \"transport\": \"%s\", "
		   "\"rate_fps\": %.1f, \"window_s\": %.3f, \"ran\": %s, \"frames\": %llu, \"sent\": %llu, "
		   "\"achieved_fps\": %.1f, \"writer_lag_max_ns\": %llu, \"attempts\": %u, \"failures\": %u, "
		   "\"on_schedule\": %s, \"lossless\": %s, \"rounds\": %u, \"lossless_rounds\": %u, \"received\": [",
		d->width, d->height, shmfb_pixfmt_name(d->format), d->readers, bench_transport_key[d->transport],
		d->rate_fps, (double)d->window_ns / 1e9, d->ran ? "true" : "false", (unsigned long long)d->frames,
		(unsigned long long)d->sent, d->achieved_fps, (unsigned long long)d->writer_lag_max_ns, d->attempts,
		d->failures, bench_delivery_on_schedule(d) ? "true" : "false", bench_delivery_lossless(d) ? "true" : "false",
		d->rounds, d->lossless_rounds);
	for (uint32_t k = 0; k < d->readers; k++)
		fprintf(f, "%s%llu", k ? ", " : "", (unsigned long long)d->received[k]);
	fprintf(f, "], \"fraction\": [");
	for (uint32_t k = 0; k < d->readers; k++)
		fprintf(f, "%s%.5f", k ? ", " : "", d->frames ? (double)d->received[k] / (double)d->frames : 0);
	fprintf(f, "], \"latency\": [");
	for (uint32_t k = 0; k < d->readers; k++) {
		fprintf(f, "%s", k ? ", " : "");
		bench_json_lat(f, &d->lat[k]);
	}
	fprintf(f, "], \"note\": ");
	app_json_string(f, d->note);
	fputc('}', f);
}

void bench_delivery_json(FILE *f, const bench_results *r)
{
	fprintf(f, "  \"delivery\": {\n    \"runs\": [\n");
	for (uint32_t i = 0; i < r->delivery_count; i++) {
		json_run(f, &r->delivery[i]);
		fprintf(f, "%s\n", i + 1 < r->delivery_count ? "," : "");
	}
	fprintf(f, "    ],\n    \"lossless\": [\n");
	int first = 1;
	for (uint32_t i = 0; i < r->delivery_count; i++) {
		const bench_delivery_run *d = &r->delivery[i];
		int seen = 0; /* one entry per group and transport: its first run */
		for (uint32_t j = 0; j < i && !seen; j++)
			seen = same_group(&r->delivery[j], d) && r->delivery[j].transport == d->transport;
		if (seen)
			continue;
		const bench_delivery_run *at;
		double best = bench_delivery_max_lossless(r, d, d->transport, &at);
		uint64_t p50 = 0, p99 = 0, max = 0;
		if (at)
			worst_latency(at, &p50, &p99, &max);
		fprintf(f, "%s      {\"width\": %u, \"height\": %u, \"format\": \"%s\", \"readers\": %u, "
			   "\"transport\": \"%s\", \"max_fps\": %.1f, \"p50_ns\": %llu, \"p99_ns\": %llu, \"max_ns\": %llu}",
			first ? "" : ",\n", d->width, d->height, shmfb_pixfmt_name(d->format), d->readers,
			bench_transport_key[d->transport], best, (unsigned long long)p50, (unsigned long long)p99,
			(unsigned long long)max);
		first = 0;
	}
	fprintf(f, "\n    ]\n  },\n");
}

/* ------------------------------------------------ section 7: zero-copy */

static const char *zc_key[] = {[ZC_SHMFB] = "shmfb", [ZC_ICEORYX] = "iceoryx"};
static const char *zc_label[] = {[ZC_SHMFB] = "shmfb (futex wait)", [ZC_ICEORYX] = "iceoryx (WaitSet)"};

void bench_zerocopy_table(FILE *f, const bench_results *r)
{
	fprintf(f, "\n7. zero-copy hand-off, 1920x1080 rgba written in place and published; subscribers take the\n"
		   "   frame without copying.  latency: publish -> subscriber holds it, paced at 240 f/s;\n"
		   "   f/s: unpaced, what the slowest subscriber took and what the writer published\n");
	fprintf(f, "   %-20s %5s %10s %10s %10s %12s\n", "", "subs", "p50 us", "p99 us", "sub f/s", "writer f/s");
	for (uint32_t i = 0; i < r->zc_count; i++) {
		const bench_zc_row *z = &r->zc[i];
		if (!z->ran) {
			fprintf(f, "   %-20s %5u failed: %s\n", zc_label[z->transport], z->subscribers, z->note);
			continue;
		}
		fprintf(f, "   %-20s %5u %10.1f %10.1f %10.0f %12.0f   (sub f/s %.0f..%.0f)\n", zc_label[z->transport],
			z->subscribers, (double)z->lat.p50 / 1e3, (double)z->lat.p99 / 1e3, z->fps, z->writer_fps,
			z->fps_spread.min, z->fps_spread.max);
	}
	if (r->zc_note[0])
		fprintf(f, "   %s\n", r->zc_note);
}

void bench_zerocopy_json(FILE *f, const bench_results *r)
{
	fprintf(f, "  \"zerocopy\": {\"note\": ");
	app_json_string(f, r->zc_note);
	fprintf(f, ", \"runs\": [\n");
	for (uint32_t i = 0; i < r->zc_count; i++) {
		const bench_zc_row *z = &r->zc[i];
		fprintf(f, "    {\"transport\": \"%s\", \"subscribers\": %u, \"ran\": %s, \"fps\": %.1f, "
			   "\"writer_fps\": %.1f, \"latency\": ", zc_key[z->transport], z->subscribers,
			z->ran ? "true" : "false", z->fps, z->writer_fps);
		bench_json_lat(f, &z->lat);
		fprintf(f, ", \"fps_spread\": ");
		bench_json_spread(f, &z->fps_spread);
		fprintf(f, ", \"note\": ");
		app_json_string(f, z->note);
		fprintf(f, "}%s\n", i + 1 < r->zc_count ? "," : "");
	}
	fprintf(f, "  ]},\n");
}

/* ------------------------------------------------------------ targets */


/* The highest lossless rate of shmfb (every frame) at a frame, format and reader count. */
static double shmfb_rate(const bench_results *r, uint32_t w, uint32_t h, shmfb_pixfmt f, uint32_t k, int *found)
{
	bench_delivery_run g = {.width = w, .height = h, .format = f, .readers = k};
	const bench_delivery_run *at;
	*found = bench_delivery_find(r, &g, T_SHMFB_NEXT, 30) || bench_delivery_find(r, &g, T_SHMFB_NEXT, 60);
	return bench_delivery_max_lossless(r, &g, T_SHMFB_NEXT, &at);
}

/*
 * Over every configuration: shmfb's lossless rate over the best peer's
 * (the lowest ratio), and at shmfb's rate its worst p99 over each peer's
 * that was lossless there too (the highest ratio).
 */
static void versus_peers(const bench_results *r, double *rate_ratio, double *p99_ratio, char *where, size_t len)
{
	*rate_ratio = 1e9;
	*p99_ratio = 0;
	where[0] = 0;
	for (uint32_t i = 0; i < r->delivery_count; i++) {
		const bench_delivery_run *g = &r->delivery[i];
		if (!first_of_group(r, i))
			continue;
		const bench_delivery_run *mine;
		double own = bench_delivery_max_lossless(r, g, T_SHMFB_NEXT, &mine);
		for (uint32_t t = T_PIPE; t < BENCH_TRANSPORTS; t++) {
			const bench_delivery_run *theirs;
			double peer = bench_delivery_max_lossless(r, g, t, &theirs);
			if (!theirs)
				continue;
			double q = own / peer;
			if (q < *rate_ratio) {
				*rate_ratio = q;
				snprintf(where, len, "worst: %ux%u %s, %u readers, vs %s", g->width, g->height,
					 shmfb_pixfmt_name(g->format), g->readers, bench_transport_key[t]);
			}
			const bench_delivery_run *same = mine ? bench_delivery_find(r, g, t, mine->rate_fps) : NULL;
			if (mine && same && bench_delivery_lossless(same)) {
				uint64_t a50, a99, amax, b50, b99, bmax;
				worst_latency(mine, &a50, &a99, &amax);
				worst_latency(same, &b50, &b99, &bmax);
				if (b99 && (double)a99 / (double)b99 > *p99_ratio)
					*p99_ratio = (double)a99 / (double)b99;
			}
		}
	}
}

int bench_delivery_targets(const bench_results *r, target *t)
{
	int n = 0, hd, uhd;
	double hd4 = shmfb_rate(r, 1920, 1080, SHMFB_FMT_RGBA8, 4, &hd);
	double uhd2 = shmfb_rate(r, 3840, 2160, SHMFB_FMT_RGBA8, 2, &uhd);
	t[n++] = (target){"delivery_1080p_4_readers_fps", "every frame to 4 copying readers at 1080p >= 240 f/s",
			  hd4, 240, AT_LEAST, hd};
	t[n++] = (target){"delivery_4k_2_readers_fps", "every frame to 2 copying readers at 4K >= 120 f/s",
			  uhd2, 120, AT_LEAST, uhd};
	double rate_ratio, p99_ratio;
	char where[96];
	versus_peers(r, &rate_ratio, &p99_ratio, where, sizeof where);
	int peers = rate_ratio < 1e9;
	t[n] = (target){"delivery_rate_vs_peers", "lossless rate >= every peer's (lowest ratio)",
			peers ? rate_ratio : 0, 1, AT_LEAST, peers};
	snprintf(t[n++].note, sizeof t[0].note, "%s", where);
	t[n++] = (target){"delivery_p99_vs_peers", "p99 at that rate <= every peer's (highest ratio)",
			  p99_ratio, 1, AT_MOST, peers && p99_ratio > 0};
	double worst = 0;
	int both = 0;
	for (uint32_t i = 0; i < r->zc_count; i++) {
		const bench_zc_row *a = &r->zc[i];
		for (uint32_t j = 0; j < r->zc_count; j++) {
			const bench_zc_row *b = &r->zc[j];
			if (a->transport != ZC_SHMFB || b->transport != ZC_ICEORYX || a->subscribers != b->subscribers ||
			    !a->ran || !b->ran || !b->lat.p50)
				continue;
			double q = (double)a->lat.p50 / (double)b->lat.p50;
			worst = q > worst ? q : worst;
			both = 1;
		}
	}
	t[n++] = (target){"zerocopy_p50_vs_iceoryx", "zero-copy publish->wake p50 <= iceoryx's (worst)",
			  worst, 1, AT_MOST, both};
	return n;
}
