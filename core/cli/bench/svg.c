/*
 * svg.c - the latency histogram picture of shmfb bench: the four latency
 * distributions (shmfb futex and poll, and their bare floors) on one
 * logarithmic time axis, as the share of frames per bin (20 bins a decade).
 * Plain SVG written by hand, viewable in any browser.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define W 960
#define H 520
#define LEFT 70
#define RIGHT 20
#define TOP 50
#define BOTTOM 70
#define BINS_PER_DECADE 20
#define MAX_BINS (BINS_PER_DECADE * 9)

static const char *color[LAT_MODES] = {
	[LAT_SHMFB_FUTEX] = "#d62728", [LAT_FLOOR_FUTEX] = "#ff9896",
	[LAT_SHMFB_POLL] = "#1f77b4", [LAT_FLOOR_POLL] = "#9ecae1",
};
static const char *label[LAT_MODES] = {
	[LAT_SHMFB_FUTEX] = "shmfb futex wait", [LAT_FLOOR_FUTEX] = "bare futex (floor)",
	[LAT_SHMFB_POLL] = "shmfb poll", [LAT_FLOOR_POLL] = "bare flag poll (floor)",
};

/* Share of frames per bin; bins start at 10^lo_decade ns. */
static void bin_series(const bench_hist *h, int lo_decade, int nbins, double *share)
{
	memset(share, 0, sizeof(double) * (size_t)nbins);
	if (!h->count)
		return;
	for (uint32_t i = 0; i < BENCH_HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		uint64_t lo, hi;
		bench_hist_range(i, &lo, &hi);
		double mid = (double)(lo + hi) / 2;
		int b = (int)floor((log10(mid) - lo_decade) * BINS_PER_DECADE);
		if (b < 0)
			b = 0;
		if (b >= nbins)
			b = nbins - 1;
		share[b] += (double)h->bucket[i] / (double)h->count;
	}
}

static double x_of(double ns, int lo_decade, int decades)
{
	return LEFT + (log10(ns) - lo_decade) / decades * (W - LEFT - RIGHT);
}

static void axis_label(char *buf, size_t n, int decade)
{
	static const char *unit[] = {"ns", "us", "ms", "s"};
	int u = decade / 3;
	if (u > 3)
		u = 3;
	double v = pow(10, decade - 3 * u);
	snprintf(buf, n, "%g %s", v, unit[u]);
}

static void draw_axes(FILE *f, int lo, int decades, double ymax)
{
	int y0 = H - BOTTOM;
	fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>\n", LEFT, y0, W - RIGHT, y0);
	fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>\n", LEFT, TOP, LEFT, y0);
	for (int d = 0; d <= decades; d++) {
		for (int m = 1; m < 10 && (m == 1 || d < decades); m++) {
			double x = x_of(pow(10, lo + d) * m, lo, decades);
			fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s'/>\n", x, TOP, x, y0,
				m == 1 ? "#bbb" : "#eee");
		}
		char t[32];
		axis_label(t, sizeof t, lo + d);
		fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>\n", x_of(pow(10, lo + d), lo, decades),
			y0 + 18, t);
	}
	for (int k = 0; k <= 4; k++) {
		double v = ymax * k / 4, y = y0 - (double)k / 4 * (y0 - TOP);
		fprintf(f, "<text x='%d' y='%.1f' text-anchor='end'>%.1f%%</text>\n", LEFT - 6, y + 4, v * 100);
		fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>\n", LEFT, y, W - RIGHT, y);
	}
	fprintf(f, "<text x='%d' y='%d' text-anchor='middle'>publish to wake/notice (log scale)</text>\n",
		(LEFT + W - RIGHT) / 2, H - BOTTOM + 40);
	fprintf(f, "<text x='16' y='%d' transform='rotate(-90 16 %d)' text-anchor='middle'>frames per bin "
		   "(%d bins a decade)</text>\n", (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, BINS_PER_DECADE);
}

static void draw_series(FILE *f, const double *share, int nbins, int lo, int decades, double ymax,
			const char *col)
{
	int y0 = H - BOTTOM;
	fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' points='", col);
	double prev_y = y0;
	for (int b = 0; b < nbins; b++) {
		double x1 = x_of(pow(10, lo + (double)b / BINS_PER_DECADE), lo, decades);
		double x2 = x_of(pow(10, lo + (double)(b + 1) / BINS_PER_DECADE), lo, decades);
		double y = y0 - share[b] / ymax * (y0 - TOP);
		fprintf(f, "%.1f,%.1f %.1f,%.1f %.1f,%.1f ", x1, prev_y, x1, y, x2, y);
		prev_y = y;
	}
	fprintf(f, "%.1f,%d'/>\n", x_of(pow(10, lo + decades), lo, decades), y0);
}

int bench_svg_write(const char *path, const bench_opts *o, const bench_results *r)
{
	uint64_t lo_ns = UINT64_MAX, hi_ns = 0;
	for (int m = 0; m < LAT_MODES; m++) {
		if (!r->lat_hist[m].count)
			continue;
		lo_ns = r->lat_hist[m].min < lo_ns ? r->lat_hist[m].min : lo_ns;
		hi_ns = r->lat_hist[m].max > hi_ns ? r->lat_hist[m].max : hi_ns;
	}
	if (!hi_ns)
		lo_ns = 100, hi_ns = 1000000;
	int lo = (int)floor(log10(lo_ns ? (double)lo_ns : 1.0));
	int hi = (int)ceil(log10((double)hi_ns + 1));
	if (hi <= lo)
		hi = lo + 1;
	if (hi - lo > 9)
		lo = hi - 9;
	int decades = hi - lo, nbins = decades * BINS_PER_DECADE;
	static double share[LAT_MODES][MAX_BINS];
	double ymax = 0;
	for (int m = 0; m < LAT_MODES; m++) {
		bin_series(&r->lat_hist[m], lo, nbins, share[m]);
		for (int b = 0; b < nbins; b++)
			ymax = share[m][b] > ymax ? share[m][b] : ymax;
	}
	ymax = ymax > 0 ? ymax * 1.08 : 1;

	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' "
		   "font-size='12'>\n<rect width='100%%' height='100%%' fill='white'/>\n", W, H);
	fprintf(f, "<text x='%d' y='24' font-size='15'>shmfb bench: publish-to-reader latency, %ux%u %s, "
		   "%llu frames a mode, %d CPUs%s</text>\n", LEFT, o->width, o->height, shmfb_pixfmt_name(o->format),
		(unsigned long long)r->lat[LAT_SHMFB_FUTEX].frames, r->machine.cpus, o->quick ? " (quick)" : "");
	draw_axes(f, lo, decades, ymax);
	for (int m = 0; m < LAT_MODES; m++)
		draw_series(f, share[m], nbins, lo, decades, ymax, color[m]);
	for (int m = 0; m < LAT_MODES; m++) {
		int y = TOP + 10 + 18 * m, x = W - RIGHT - 330;
		const bench_lat *l = &r->lat[m];
		fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='3'/>\n", x, y - 4,
			x + 22, y - 4, color[m]);
		fprintf(f, "<text x='%d' y='%d'>%s: p50 %.2f us, p99 %.2f us</text>\n", x + 28, y, label[m],
			(double)l->p50 / 1e3, (double)l->p99 / 1e3);
	}
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}
