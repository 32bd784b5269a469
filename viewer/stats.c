/*
 * stats.c - what the viewer measures: frames received (published by the
 * producer while we were attached), shown (presented) and dropped (gaps in
 * the publish counter between two frames shown), and the latency from
 * publish to the return of SDL_RenderPresent, both on CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "viewer.h"

/* Latencies kept for the exit percentiles: hours of video at 60 fps. */
#define LAT_MAX (1u << 24)

void stats_init(stats *st)
{
	memset(st, 0, sizeof *st);
	st->start_ns = st->win_ns = shmfb_now_ns();
	st->p50_ms = st->p99_ms = -1;
}

void stats_free(stats *st)
{
	free(st->lat_us);
	st->lat_us = NULL;
}

void stats_new_generation(stats *st)
{
	st->last_index = 0;
	st->last_latest = 0;
}

void stats_forget_index(stats *st)
{
	st->last_index = 0;
}

static void keep_latency(stats *st, uint32_t us)
{
	st->ring[st->ring_pos] = us;
	st->ring_pos = (st->ring_pos + 1) % STATS_RING;
	if (st->ring_n < STATS_RING)
		st->ring_n++;
	if (st->lat_n == st->lat_cap && st->lat_cap < LAT_MAX) {
		size_t cap = st->lat_cap ? st->lat_cap * 2 : 4096;
		uint32_t *grown = realloc(st->lat_us, cap * sizeof *grown);
		if (grown) {
			st->lat_us = grown;
			st->lat_cap = cap;
		}
	}
	if (st->lat_n < st->lat_cap)
		st->lat_us[st->lat_n++] = us;
}

void stats_shown(stats *st, const shmfb_frame *f, uint64_t now_ns)
{
	st->shown++;
	st->win_shown++;
	if (st->last_index && f->index > st->last_index)
		st->dropped += f->index - st->last_index - 1;
	if (st->last_latest == 0) {
		/* First frame of a generation: it counts as received. */
		st->received++;
		st->win_received++;
		st->last_latest = f->index;
	}
	stats_latest(st, f->index);
	st->last_index = f->index;
	uint64_t lat = now_ns > f->publish_ns ? now_ns - f->publish_ns : 0;
	uint64_t us = lat / 1000;
	keep_latency(st, us > UINT32_MAX ? UINT32_MAX : (uint32_t)us);
}

void stats_latest(stats *st, uint64_t latest_index)
{
	/* No baseline until the generation's first frame is shown. */
	if (!st->last_latest || latest_index <= st->last_latest)
		return;
	st->received += latest_index - st->last_latest;
	st->win_received += latest_index - st->last_latest;
	st->last_latest = latest_index;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* pct-th percentile of n sorted values, nearest rank. */
static double rank_ms(const uint32_t *sorted, size_t n, double pct)
{
	return sorted[app_nearest_rank(n, pct / 100.0) - 1] / 1000.0;
}

int stats_tick(stats *st, uint64_t now_ns)
{
	uint64_t dt = now_ns - st->win_ns;
	if (dt < SHMFB_SEC)
		return 0;
	st->recv_fps = st->win_received * 1e9 / (double)dt;
	st->shown_fps = st->win_shown * 1e9 / (double)dt;
	st->win_received = st->win_shown = 0;
	st->win_ns = now_ns;
	if (st->ring_n) {
		uint32_t tmp[STATS_RING];
		memcpy(tmp, st->ring, st->ring_n * sizeof *tmp);
		qsort(tmp, st->ring_n, sizeof *tmp, cmp_u32);
		st->p50_ms = rank_ms(tmp, st->ring_n, 50);
		st->p99_ms = rank_ms(tmp, st->ring_n, 99);
	}
	return 1;
}

double stats_percentile(stats *st, double pct)
{
	if (!st->lat_n)
		return -1;
	qsort(st->lat_us, st->lat_n, sizeof *st->lat_us, cmp_u32);
	return rank_ms(st->lat_us, st->lat_n, pct);
}

int stats_write_json(stats *st, const char *path, const source *src, const picture *pic,
		     const audio_out *ao)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	double secs = (shmfb_now_ns() - st->start_ns) / 1e9;
	const char *fmt = shmfb_pixfmt_name(pic->format);
	fprintf(f, "{\n  \"name\": ");
	app_json_string(f, src->name);
	fprintf(f, ",\n  \"width\": %u,\n  \"height\": %u,\n  \"format\": ", pic->width, pic->height);
	app_json_string(f, fmt ? fmt : "none");
	fprintf(f, ",\n  \"state\": \"%s\",\n", source_state_word(src->state));
	fprintf(f, "  \"generations\": %u,\n", src->attaches);
	fprintf(f, "  \"seconds\": %.3f,\n", secs);
	fprintf(f, "  \"frames_received\": %llu,\n", (unsigned long long)st->received);
	fprintf(f, "  \"frames_shown\": %llu,\n", (unsigned long long)st->shown);
	fprintf(f, "  \"frames_dropped\": %llu,\n", (unsigned long long)st->dropped);
	fprintf(f, "  \"uploads_redone\": %llu,\n", (unsigned long long)pic->torn);
	fprintf(f, "  \"latency_ms\": {");
	if (st->lat_n) {
		double sum = 0;
		for (size_t i = 0; i < st->lat_n; i++)
			sum += st->lat_us[i];
		fprintf(f, "\"count\": %zu, \"min\": %.3f, \"p50\": %.3f, \"p90\": %.3f, "
			   "\"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f",
			st->lat_n, stats_percentile(st, 0), stats_percentile(st, 50),
			stats_percentile(st, 90), stats_percentile(st, 99),
			stats_percentile(st, 100), sum / st->lat_n / 1000.0);
	} else {
		fprintf(f, "\"count\": 0");
	}
	fprintf(f, "},\n");
	audio_write_json(ao, f);
	fprintf(f, "\n}\n");
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
