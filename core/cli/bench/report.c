/*
 * report.c - the results of shmfb bench as a table (stdout) and as JSON
 * whose keys are documented in docs/PERFORMANCE.md: add keys freely, never
 * rename or remove one without changing "schema".
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define SCHEMA "shmfb-bench/1"

/* ------------------------------------------------------------ targets */


/* The first unstable input of t, or NULL: its verdict is "unstable", not met or MISS. */
static const bench_spread *unstable_input(const target *t)
{
	for (int i = 0; i < 2; i++)
		if (t->evaluated && t->in[i] && t->in[i]->unstable)
			return t->in[i];
	return NULL;
}

static const bench_copy_row *copy_row(const bench_results *r, uint32_t w, uint32_t h)
{
	for (uint32_t i = 0; i < r->copy_rows; i++)
		if (r->copy[i].width == w && r->copy[i].height == h && r->copy[i].format == SHMFB_FMT_RGBA8)
			return &r->copy[i];
	return NULL;
}

static const bench_reader_run *reader_run(const bench_results *r, uint32_t k)
{
	for (uint32_t i = 0; i < r->reader_run_count; i++)
		if (r->reader_runs[i].readers == k)
			return &r->reader_runs[i];
	return NULL;
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static int targets(const bench_opts *o, const bench_results *r, target *t)
{
	int n = 0;
	const bench_copy_row *hd = copy_row(r, 1920, 1080), *uhd = copy_row(r, 3840, 2160);
	t[n++] = (target){"copy_publish_1080p_vs_memcpy", "copy-publish >= 90% of memcpy GB/s at 1080p",
			  hd ? ratio(hd->publish_gbps, hd->memcpy_gbps) : 0, 0.90, AT_LEAST, hd && hd->memcpy_gbps > 0,
			  "", {hd ? &hd->gbps[M_PUBLISH] : NULL, hd ? &hd->gbps[M_MEMCPY1] : NULL}};
	t[n++] = (target){"copy_publish_4k_vs_memcpy", "copy-publish >= 90% of memcpy GB/s at 4K",
			  uhd ? ratio(uhd->publish_gbps, uhd->memcpy_gbps) : 0, 0.90, AT_LEAST, uhd && uhd->memcpy_gbps > 0,
			  "", {uhd ? &uhd->gbps[M_PUBLISH] : NULL, uhd ? &uhd->gbps[M_MEMCPY1] : NULL}};
	t[n++] = (target){"zero_copy_ns", "zero-copy acquire+publish <= 2 us",
			  r->zero_copy_ns, 2000, AT_MOST, r->zero_copy_ns > 0, "", {&r->zero_copy_spread, NULL}};
	const bench_lat *fx = &r->lat[LAT_SHMFB_FUTEX], *ff = &r->lat[LAT_FLOOR_FUTEX];
	int lat_ok = fx->frames && ff->frames;
	t[n++] = (target){"futex_p50_vs_floor", "futex-mode p50 <= 1.5x the bare futex p50",
			  ratio((double)fx->p50, (double)ff->p50), 1.5, AT_MOST, lat_ok};
	t[n++] = (target){"futex_p99_vs_floor", "futex-mode p99 <= 1.5x the bare futex p99",
			  ratio((double)fx->p99, (double)ff->p99), 1.5, AT_MOST, lat_ok};
	t[n++] = (target){"poll_p50_ns", "poll-mode p50 <= 2 us", (double)r->lat[LAT_SHMFB_POLL].p50, 2000,
			  AT_MOST, r->lat[LAT_SHMFB_POLL].frames > 0};
	const bench_peer *sh = &r->peers[PEER_SHMFB], *pipe = &r->peers[PEER_PIPE];
	const bench_reader_run *one = reader_run(r, 1), *eight = reader_run(r, 8);
	int is_hd = o->width == 1920 && o->height == 1080 && o->format == SHMFB_FMT_RGBA8;
	/* shmfb's frames/s here is what the writer hands over with a copying reader attached
	 * (the issue's own arithmetic: one memcpy a frame); what that reader received is
	 * printed beside it. */
	t[n++] = (target){"frames_vs_pipe_1080p", "frames/s handed over >= 10x a pipe's at 1080p",
			  ratio(sh->writer_fps, pipe->fps), 10, AT_LEAST, is_hd && sh->ran && pipe->ran, "",
			  {one ? &one->writer_spread : NULL, &pipe->fps_spread}};
	t[n] = (target){"writer_8_readers_vs_1", "writer's rate with 8 readers >= 95% of with 1",
			one && eight ? ratio(eight->writer_fps, one->writer_fps) : 0, 0.95, AT_LEAST, one && eight,
			"", {one ? &one->writer_spread : NULL, eight ? &eight->writer_spread : NULL}};
	if (one && eight)
		snprintf(t[n].note, sizeof t[n].note, "per CPU-second it got: %.2f",
			 ratio(eight->writer_fps_per_cpu, one->writer_fps_per_cpu));
	n++;
	t[n++] = (target){"frame_path_page_faults", "no page fault on the frame path",
			  (double)(r->publish_faults + r->reader_faults), 0, AT_MOST,
			  r->copy_rows > 0 && r->reader_run_count > 0};
	t[n] = (target){"writecopy_1pct_vs_copy", "view with 1% of pages written < 10% of a copy",
			bench_writecopy_one_percent(r), 0.10, AT_MOST, r->writecopy.ran};
	if (r->writecopy.ran && r->writecopy.floor_ns[1] > 0)
		snprintf(t[n].note, sizeof t[n].note, "%.2fx the kernel's floor for the same writes, itself %.0f%% of the copy",
			 r->writecopy.view_ns[1] / r->writecopy.floor_ns[1],
			 100 * r->writecopy.floor_ns[1] / r->writecopy.copy_ns);
	n++;
	n += bench_delivery_targets(r, t + n);
	return n;
}

static int met(const target *t)
{
	return t->op == AT_LEAST ? t->value >= t->limit : t->value <= t->limit;
}

/* -------------------------------------------------------------- table */

static const char *lat_label[LAT_MODES] = {
	[LAT_SHMFB_FUTEX] = "shmfb futex wait (publish->wake)",
	[LAT_FLOOR_FUTEX] = "  floor: bare futex wake",
	[LAT_SHMFB_POLL] = "shmfb poll (publish->notice)",
	[LAT_FLOOR_POLL] = "  floor: bare flag poll",
};

static void us(FILE *f, uint64_t ns)
{
	fprintf(f, " %9.2f", (double)ns / 1e3);
}

static void table_latency(FILE *f, const bench_results *r)
{
	fprintf(f, "\n1. latency, us (%llu frames per mode; writer and reader on separate CPUs)\n",
		(unsigned long long)r->lat[LAT_SHMFB_FUTEX].frames);
	fprintf(f, "   %-34s %9s %9s %9s %9s %9s\n", "", "p50", "p90", "p99", "p99.9", "max");
	for (int m = 0; m < LAT_MODES; m++) {
		const bench_lat *l = &r->lat[m];
		fprintf(f, "   %-34s", lat_label[m]);
		us(f, l->p50);
		us(f, l->p90);
		us(f, l->p99);
		us(f, l->p999);
		us(f, l->max);
		fputc('\n', f);
		if (m == LAT_FLOOR_FUTEX || m == LAT_FLOOR_POLL) {
			const bench_lat *s = &r->lat[m - 1];
			fprintf(f, "   %-34s %8.2fx %8.2fx %8.2fx %8.2fx\n", "  shmfb / floor",
				ratio((double)s->p50, (double)l->p50), ratio((double)s->p90, (double)l->p90),
				ratio((double)s->p99, (double)l->p99), ratio((double)s->p999, (double)l->p999));
		}
	}
	if (r->lat_lost)
		fprintf(f, "   (%llu frames not acknowledged within 1 s)\n", (unsigned long long)r->lat_lost);
}

static const char *method_name[COPY_METHODS] = {
	[M_MEMCPY1] = "memcpy", [M_MEMCPY3] = "memcpy3", [M_MEMCPY_HUGE] = "memcpy_huge",
	[M_PUBLISH] = "publish",
};

/* "   unstable: <what> spread 35 % (min..max): <why>" when it is. */
static void table_unstable(FILE *f, const char *what, const bench_spread *s, const char *unit)
{
	if (s->unstable)
		fprintf(f, "   unstable: %s spread %.0f %% (%.2f..%.2f %s): %s\n", what, 100 * bench_spread_width(s),
			s->min, s->max, unit, s->why);
}

static void table_copy_spread(FILE *f, const bench_copy_row *c)
{
	fprintf(f, "   %-16s   min..max GB/s: publish %.2f..%.2f, memcpy %.2f..%.2f, x3 %.2f..%.2f, huge %.2f..%.2f\n",
		"", c->gbps[M_PUBLISH].min, c->gbps[M_PUBLISH].max, c->gbps[M_MEMCPY1].min,
		c->gbps[M_MEMCPY1].max, c->gbps[M_MEMCPY3].min, c->gbps[M_MEMCPY3].max,
		c->gbps[M_MEMCPY_HUGE].min, c->gbps[M_MEMCPY_HUGE].max);
	for (int m = 0; m < COPY_METHODS; m++) {
		char what[64];
		snprintf(what, sizeof what, "%ux%u %s", c->width, c->height, method_name[m]);
		table_unstable(f, what, &c->gbps[m], "GB/s");
	}
}

static void table_throughput(FILE *f, const bench_results *r)
{
	fprintf(f, "\n2. throughput of copy-publish (one writer, no reader) beside memcpy of the same bytes, GB/s\n");
	fprintf(f, "   %-16s %9s %7s %7s %6s %10s %6s %7s\n", "frame", "frames/s", "GB/s", "memcpy",
		"ratio", "memcpy x3", "ratio", "(huge)");
	for (uint32_t i = 0; i < r->copy_rows; i++) {
		const bench_copy_row *c = &r->copy[i];
		char size[40];
		snprintf(size, sizeof size, "%ux%u %s", c->width, c->height, shmfb_pixfmt_name(c->format));
		fprintf(f, "   %-16s %9.0f %7.2f %7.2f %5.0f%% %10.2f %5.0f%% %7.2f\n", size,
			c->publish_fps, c->publish_gbps, c->memcpy_gbps,
			100 * ratio(c->publish_gbps, c->memcpy_gbps), c->memcpy3_gbps,
			100 * ratio(c->publish_gbps, c->memcpy3_gbps), c->memcpy_thp_gbps);
		table_copy_spread(f, c);
	}
	fprintf(f, "   each GB/s: the median of %u rounds, its method measured alone after its own warm-up\n",
		(unsigned)BENCH_ROUNDS);
	fprintf(f, "   memcpy: into one buffer; x3: into three in turn, as the slots; huge: one buffer in\n"
		   "   huge pages.  copy-publish streams frames of 4 MiB and more around the cache (x86-64)\n");
	fprintf(f, "   zero-copy acquire+publish: %.0f ns a frame (%.0f..%.0f; a bare FUTEX_WAKE alone: %.0f ns)\n",
		r->zero_copy_ns, r->zero_copy_spread.min, r->zero_copy_spread.max, r->futex_wake_ns);
	table_unstable(f, "zero-copy acquire+publish", &r->zero_copy_spread, "ns");
	fprintf(f, "   page faults while copy-publishing: %llu; readers' buffers in huge pages: %s\n",
		(unsigned long long)r->publish_faults, r->thp_kept ? "yes (they helped)" : "no (no gain)");
}

static void table_readers(FILE *f, const bench_opts *o, const bench_results *r)
{
	fprintf(f, "\n3. readers copying every frame they see (%ux%u %s; writer alone on one CPU)\n",
		o->width, o->height, shmfb_pixfmt_name(o->format));
	fprintf(f, "   %-7s %10s %6s %8s %9s %6s %20s %20s\n", "readers", "writer f/s", "vs 1", "its CPU",
		"f/CPU-s", "vs 1", "reader f/s min..max", "p99 age us min..max");
	const bench_reader_run *one = reader_run(r, 1);
	for (uint32_t i = 0; i < r->reader_run_count; i++) {
		const bench_reader_run *run = &r->reader_runs[i];
		double fmin = 1e18, fmax = 0;
		uint64_t pmin = UINT64_MAX, pmax = 0;
		for (uint32_t k = 0; k < run->readers; k++) {
			fmin = run->reader_fps[k] < fmin ? run->reader_fps[k] : fmin;
			fmax = run->reader_fps[k] > fmax ? run->reader_fps[k] : fmax;
			pmin = run->reader_p99_ns[k] < pmin ? run->reader_p99_ns[k] : pmin;
			pmax = run->reader_p99_ns[k] > pmax ? run->reader_p99_ns[k] : pmax;
		}
		char fr[40], pr[40];
		snprintf(fr, sizeof fr, "%.0f..%.0f", fmin, fmax);
		snprintf(pr, sizeof pr, "%.0f..%.0f", (double)pmin / 1e3, (double)pmax / 1e3);
		fprintf(f, "   %-7u %10.0f %5.0f%% %7.0f%% %9.0f %5.0f%% %20s %20s\n", run->readers, run->writer_fps,
			one ? 100 * ratio(run->writer_fps, one->writer_fps) : 0, 100 * run->writer_cpu_share,
			run->writer_fps_per_cpu, one ? 100 * ratio(run->writer_fps_per_cpu, one->writer_fps_per_cpu) : 0,
			fr, pr);
	}
	for (uint32_t i = 0; i < r->reader_run_count; i++) {
		const bench_spread *ws = &r->reader_runs[i].writer_spread;
		char what[64];
		snprintf(what, sizeof what, "writer f/s with %u readers", r->reader_runs[i].readers);
		fprintf(f, "   %-7u writer f/s over %u rounds: %.0f..%.0f\n", r->reader_runs[i].readers, ws->rounds,
			ws->min, ws->max);
		table_unstable(f, what, ws, "f/s");
	}
	fprintf(f, "   its CPU: the share of its CPU the writer got (the rest went to other processes);\n"
		   "   f/CPU-s: frames per second of CPU time it got\n");
	fprintf(f, "   page faults in the readers' frame loops: %llu\n", (unsigned long long)r->reader_faults);
}

static void table_peers(FILE *f, const bench_opts *o, const bench_results *r)
{
	fprintf(f, "\n4. peers: the same %ux%u %s frames, writer and reader on separate CPUs; frames/s\n"
		   "   received whole by the reader and sent by the writer; latency from the writer's start\n"
		   "   to the whole frame in the reader's buffer\n",
		o->width, o->height, shmfb_pixfmt_name(o->format));
	fprintf(f, "   %-28s %9s %9s %9s %9s %9s %9s\n", "", "received", "shmfb is", "sent f/s", "shmfb is",
		"p50 us", "p99 us");
	const bench_peer *sh = &r->peers[PEER_SHMFB];
	for (int i = 0; i < PEERS; i++) {
		const bench_peer *p = &r->peers[i];
		if (!p->ran) {
			fprintf(f, "   %-28s %s\n", p->label, p->note);
			continue;
		}
		fprintf(f, "   %-28s %9.0f", p->label, p->fps);
		if (i == PEER_SHMFB)
			fprintf(f, " %9s %9.0f %9s", "", p->writer_fps, "");
		else
			fprintf(f, " %8.1fx %9.0f %8.1fx", ratio(sh->fps, p->fps), p->writer_fps,
				ratio(sh->writer_fps, p->writer_fps));
		if (p->lat.frames)
			fprintf(f, " %9.1f %9.1f\n", (double)p->lat.p50 / 1e3, (double)p->lat.p99 / 1e3);
		else
			fprintf(f, "   %s\n", p->note);
		if (p->fps_spread.rounds)
			fprintf(f, "   %-28s received f/s over %u rounds: %.0f..%.0f\n", "", p->fps_spread.rounds,
				p->fps_spread.min, p->fps_spread.max);
		table_unstable(f, p->label, &p->fps_spread, "f/s");
	}
}

void bench_report_environment(FILE *f, const bench_machine *m)
{
	fprintf(f, "what may distort it: load %.2f %.2f %.2f (1, 5, 15 min; %d CPUs)", m->load_start, m->load5,
		m->load15, m->cpus);
	if (m->cpu_mhz > 0)
		fprintf(f, "; CPU %.0f MHz as reported", m->cpu_mhz);
	if (m->steal_visible && m->steal_share >= 0)
		fprintf(f, "; steal %.1f %% of CPU time so far", 100 * m->steal_share);
	else if (!m->steal_visible)
		fprintf(f, "; steal time not visible");
	fprintf(f, "\n   transparent huge pages %s (shmem %s); memory %.1f GiB free, %.1f GiB available\n",
		m->thp[0] ? m->thp : "?", m->shmem_thp[0] ? m->shmem_thp : "?", (double)m->mem_free_mb / 1024,
		(double)m->mem_available_mb / 1024);
}

void bench_report_table(FILE *f, const bench_opts *o, const bench_results *r)
{
	const bench_machine *m = &r->machine;
	fprintf(f, "shmfb bench%s: %d CPUs (%s), %s, clock %s (%llu ns a read)\n", o->quick ? " --quick" : "",
		m->cpus, m->cpu_model, m->kernel, m->clocksource, (unsigned long long)m->clock_ns);
	bench_report_environment(f, m);
	fprintf(f, "load average %.2f at end; %.0f s\n", m->load_end, r->elapsed_s);
	if (o->sections & BENCH_SEC_LATENCY)
		table_latency(f, r);
	if (o->sections & BENCH_SEC_THROUGHPUT)
		table_throughput(f, r);
	if (o->sections & BENCH_SEC_READERS)
		table_readers(f, o, r);
	if (o->sections & BENCH_SEC_PEERS)
		table_peers(f, o, r);
	if (o->sections & BENCH_SEC_WRITECOPY)
		bench_writecopy_table(f, r);
	if (o->sections & BENCH_SEC_DELIVERY)
		bench_delivery_table(f, r);
	if (o->sections & BENCH_SEC_ZEROCOPY)
		bench_zerocopy_table(f, r);
	target t[BENCH_MAX_TARGETS];
	int n = targets(o, r, t);
	fprintf(f, "\ntargets%s:\n", o->quick ? " (quick mode: rough numbers)" : "");
	for (int i = 0; i < n; i++) {
		const bench_spread *u = unstable_input(&t[i]);
		const char *v = !t[i].evaluated ? "n/a " : u ? "unstable" : met(&t[i]) ? "met " : "MISS";
		if (t[i].limit >= 100 || t[i].limit == 0)
			fprintf(f, "   [%s] %-54s %.0f", v, t[i].text, t[i].value);
		else
			fprintf(f, "   [%s] %-54s %.2f", v, t[i].text, t[i].value);
		fprintf(f, "%s%s%s\n", t[i].note[0] ? " (" : "", t[i].note, t[i].note[0] ? ")" : "");
		if (u)
			fprintf(f, "          an input spread %.0f %% over its rounds: %s\n", 100 * bench_spread_width(u),
				u->why);
	}
	if (r->svg_written[0])
		fprintf(f, "\nlatency histogram: %s\n", r->svg_written);
	fflush(f);
}

/* --------------------------------------------------------------- JSON */

void bench_json_lat(FILE *f, const bench_lat *l)
{
	fprintf(f, "{\"frames\": %llu, \"min_ns\": %llu, \"p50_ns\": %llu, \"p90_ns\": %llu, \"p99_ns\": %llu, "
		   "\"p999_ns\": %llu, \"max_ns\": %llu, \"mean_ns\": %.1f}",
		(unsigned long long)l->frames, (unsigned long long)l->min, (unsigned long long)l->p50,
		(unsigned long long)l->p90, (unsigned long long)l->p99, (unsigned long long)l->p999,
		(unsigned long long)l->max, l->mean);
}

/* {"median": .., "min": .., "max": .., "rounds": .., "unstable": .., "why": ".."} */
void bench_json_spread(FILE *f, const bench_spread *s)
{
	fprintf(f, "{\"median\": %.4f, \"min\": %.4f, \"max\": %.4f, \"rounds\": %u, \"unstable\": %s, \"why\": ",
		s->median, s->min, s->max, s->rounds, s->unstable ? "true" : "false");
	app_json_string(f, s->why);
	fputc('}', f);
}

static void json_machine(FILE *f, const bench_opts *o, const bench_results *r)
{
	const bench_machine *m = &r->machine;
	fprintf(f, "  \"machine\": {\"cpus\": %d, \"cpu_model\": ", m->cpus);
	app_json_string(f, m->cpu_model);
	fprintf(f, ", \"kernel\": ");
	app_json_string(f, m->kernel);
	fprintf(f, ", \"clocksource\": ");
	app_json_string(f, m->clocksource);
	fprintf(f, ", \"thp\": ");
	app_json_string(f, m->thp);
	fprintf(f, ", \"shmem_thp\": ");
	app_json_string(f, m->shmem_thp);
	fprintf(f, ", \"pinned\": %s, \"clock_read_ns\": %llu, \"load_start\": %.2f, \"load_end\": %.2f, "
		   "\"load5\": %.2f, \"load15\": %.2f, \"cpu_mhz\": %.0f, \"steal_visible\": %s, \"steal_share\": %.4f, "
		   "\"mem_free_mb\": %llu, \"mem_available_mb\": %llu},\n",
		m->pinned ? "true" : "false", (unsigned long long)m->clock_ns, m->load_start, m->load_end,
		m->load5, m->load15, m->cpu_mhz, m->steal_visible ? "true" : "false", m->steal_share,
		(unsigned long long)m->mem_free_mb, (unsigned long long)m->mem_available_mb);
	shmfb_layout l;
	shmfb_layout_compute(o->width, o->height, o->format, &l);
	fprintf(f, "  \"config\": {\"width\": %u, \"height\": %u, \"format\": \"%s\", \"frame_bytes\": %llu, "
		   "\"seconds\": %.3f, \"max_readers\": %u, \"latency_frames\": %llu, \"quick\": %s},\n",
		o->width, o->height, shmfb_pixfmt_name(o->format), (unsigned long long)l.frame_bytes,
		o->seconds, o->max_readers, (unsigned long long)o->latency_frames, o->quick ? "true" : "false");
}

static void json_latency(FILE *f, const bench_results *r)
{
	static const char *key[LAT_MODES] = {
		[LAT_SHMFB_FUTEX] = "futex", [LAT_FLOOR_FUTEX] = "futex_floor",
		[LAT_SHMFB_POLL] = "poll", [LAT_FLOOR_POLL] = "poll_floor",
	};
	fprintf(f, "  \"latency\": {\n");
	for (int m = 0; m < LAT_MODES; m++) {
		fprintf(f, "    \"%s\": ", key[m]);
		bench_json_lat(f, &r->lat[m]);
		fprintf(f, ",\n");
	}
	const bench_lat *fx = &r->lat[LAT_SHMFB_FUTEX], *ff = &r->lat[LAT_FLOOR_FUTEX];
	fprintf(f, "    \"futex_p50_ratio\": %.4f, \"futex_p99_ratio\": %.4f, \"lost_frames\": %llu\n  },\n",
		ratio((double)fx->p50, (double)ff->p50), ratio((double)fx->p99, (double)ff->p99),
		(unsigned long long)r->lat_lost);
}

static void json_throughput(FILE *f, const bench_results *r)
{
	fprintf(f, "  \"throughput\": {\n    \"sizes\": [\n");
	for (uint32_t i = 0; i < r->copy_rows; i++) {
		const bench_copy_row *c = &r->copy[i];
		fprintf(f, "      {\"width\": %u, \"height\": %u, \"format\": \"%s\", \"frame_bytes\": %llu, "
			   "\"publish_fps\": %.1f, \"publish_gbps\": %.4f, \"memcpy_gbps\": %.4f, "
			   "\"ratio\": %.4f, \"memcpy3_gbps\": %.4f, \"ratio3\": %.4f, \"memcpy_huge_gbps\": %.4f, "
			   "\"gbps\": {",
			c->width, c->height, shmfb_pixfmt_name(c->format), (unsigned long long)c->frame_bytes,
			c->publish_fps, c->publish_gbps, c->memcpy_gbps, ratio(c->publish_gbps, c->memcpy_gbps),
			c->memcpy3_gbps, ratio(c->publish_gbps, c->memcpy3_gbps), c->memcpy_thp_gbps);
		for (int m = 0; m < COPY_METHODS; m++) {
			fprintf(f, "%s\"%s\": ", m ? ", " : "", method_name[m]);
			bench_json_spread(f, &c->gbps[m]);
		}
		fprintf(f, "}}%s\n", i + 1 < r->copy_rows ? "," : "");
	}
	fprintf(f, "    ],\n    \"zero_copy_ns\": %.1f, \"futex_wake_ns\": %.1f, \"publish_page_faults\": %llu, "
		   "\"reader_huge_pages\": %s,\n    \"zero_copy_spread_ns\": ",
		r->zero_copy_ns, r->futex_wake_ns, (unsigned long long)r->publish_faults,
		r->thp_kept ? "true" : "false");
	bench_json_spread(f, &r->zero_copy_spread);
	fprintf(f, ", \"futex_wake_spread_ns\": ");
	bench_json_spread(f, &r->futex_wake_spread);
	fprintf(f, "\n  },\n");
}

static void json_readers(FILE *f, const bench_results *r)
{
	const bench_reader_run *one = reader_run(r, 1);
	fprintf(f, "  \"readers\": [\n");
	for (uint32_t i = 0; i < r->reader_run_count; i++) {
		const bench_reader_run *run = &r->reader_runs[i];
		fprintf(f, "    {\"readers\": %u, \"writer_fps\": %.1f, \"writer_vs_one\": %.4f, "
			   "\"writer_cpu_share\": %.4f, \"writer_fps_per_cpu\": %.1f, \"writer_per_cpu_vs_one\": %.4f, "
			   "\"writer_preempted\": %llu, \"reader_fps\": [",
			run->readers, run->writer_fps, one ? ratio(run->writer_fps, one->writer_fps) : 0,
			run->writer_cpu_share, run->writer_fps_per_cpu,
			one ? ratio(run->writer_fps_per_cpu, one->writer_fps_per_cpu) : 0,
			(unsigned long long)run->writer_preempted);
		for (uint32_t k = 0; k < run->readers; k++)
			fprintf(f, "%s%.1f", k ? ", " : "", run->reader_fps[k]);
		fprintf(f, "], \"reader_p99_ns\": [");
		for (uint32_t k = 0; k < run->readers; k++)
			fprintf(f, "%s%llu", k ? ", " : "", (unsigned long long)run->reader_p99_ns[k]);
		fprintf(f, "], \"writer_fps_spread\": ");
		bench_json_spread(f, &run->writer_spread);
		fprintf(f, ", \"copies_torn\": %llu, \"copies_lapped\": %llu}%s\n",
			(unsigned long long)run->torn, (unsigned long long)run->gave_up,
			i + 1 < r->reader_run_count ? "," : "");
	}
	fprintf(f, "  ],\n  \"reader_page_faults\": %llu,\n", (unsigned long long)r->reader_faults);
}

static void json_peers(FILE *f, const bench_results *r)
{
	const bench_peer *sh = &r->peers[PEER_SHMFB];
	fprintf(f, "  \"peers\": {\n");
	for (int i = 0; i < PEERS; i++) {
		const bench_peer *p = &r->peers[i];
		fprintf(f, "    \"%s\": {\"ran\": %s, \"fps\": %.1f, \"writer_fps\": %.1f, \"shmfb_ratio\": %.4f, "
			   "\"shmfb_writer_ratio\": %.4f, \"latency\": ", p->key, p->ran ? "true" : "false", p->fps,
			p->writer_fps, ratio(sh->fps, p->fps), ratio(sh->writer_fps, p->writer_fps));
		bench_json_lat(f, &p->lat);
		fprintf(f, ", \"fps_spread\": ");
		bench_json_spread(f, &p->fps_spread);
		fprintf(f, ", \"note\": ");
		app_json_string(f, p->note);
		fprintf(f, "}%s\n", i + 1 < PEERS ? "," : "");
	}
	fprintf(f, "  },\n");
}

static void json_targets(FILE *f, const bench_opts *o, const bench_results *r)
{
	target t[BENCH_MAX_TARGETS];
	int n = targets(o, r, t);
	fprintf(f, "  \"targets\": [\n");
	for (int i = 0; i < n; i++) {
		fprintf(f, "    {\"name\": \"%s\", \"text\": ", t[i].key);
		app_json_string(f, t[i].text);
		const bench_spread *u = unstable_input(&t[i]);
		fprintf(f, ", \"value\": %.4f, \"limit\": %.4f, \"op\": \"%s\", \"evaluated\": %s, \"met\": %s, "
			   "\"unstable\": %s, \"unstable_why\": ", t[i].value, t[i].limit, t[i].op == AT_LEAST ? ">=" : "<=",
			t[i].evaluated ? "true" : "false", !t[i].evaluated ? "null" : met(&t[i]) ? "true" : "false",
			u ? "true" : "false");
		app_json_string(f, u ? u->why : "");
		fprintf(f, ", \"note\": ");
		app_json_string(f, t[i].note);
		fprintf(f, "}%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "  ],\n");
}

int bench_report_json(const char *path, const bench_opts *o, const bench_results *r)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"schema\": \"%s\",\n", SCHEMA);
	json_machine(f, o, r);
	json_latency(f, r);
	json_throughput(f, r);
	json_readers(f, r);
	json_peers(f, r);
	bench_writecopy_json(f, r);
	bench_delivery_json(f, r);
	bench_zerocopy_json(f, r);
	json_targets(f, o, r);
	fprintf(f, "  \"svg\": ");
	app_json_string(f, r->svg_written);
	fprintf(f, ",\n  \"elapsed_s\": %.1f\n}\n", r->elapsed_s);
	return fclose(f) == 0 ? 0 : -1;
}
