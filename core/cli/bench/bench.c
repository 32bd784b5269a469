/*
 * bench.c - `shmfb bench`: options, the order of the sections, and small
 * helpers the sections share.  What is measured and why is in
 * docs/PERFORMANCE.md; each section's file says how.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "bench.h"

static uint32_t name_counter;

void bench_progress(const char *fmt, ...)
{
	va_list ap;
	fputs("shmfb bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *bench_next_name(const bench_opts *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%u", o->name_base, name_counter++);
	bench_cleanup_names(o->name_base, name_counter);
	return buf;
}

int bench_wait_count(_Atomic uint32_t *v, uint32_t want, int64_t timeout_ns)
{
	uint64_t end = shmfb_now_ns() + (uint64_t)timeout_ns;
	/* acquire: pairs with the other process's release store or add of the
	 * counter; what it did before (mapping made, reader opened) is visible. */
	while (atomic_load_explicit(v, memory_order_acquire) < want) {
		if (shmfb_now_ns() > end)
			return -1;
		bench_sleep_ns(100000);
	}
	return 0;
}

void bench_spin_ns(uint64_t ns)
{
	uint64_t end = shmfb_now_ns() + ns;
	while (shmfb_now_ns() < end)
		bench_cpu_relax();
}

int bench_create_writer(const bench_opts *o, const char *name, const char *what,
			char *err, size_t errlen, shmfb_writer **w)
{
	shmfb_writer_options wo;
	shmfb_writer_options_init(&wo);
	wo.width = o->width;
	wo.height = o->height;
	wo.format = o->format;
	if (shmfb_create(name, &wo, w) < 0) {
		snprintf(err, errlen, "%s: %s", what, shmfb_errdetail());
		return -1;
	}
	return 0;
}

void bench_fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 24);
	}
}

/* ----------------------------------------------------------- options */

static int parse_size(const char *s, uint32_t *w, uint32_t *h)
{
	char *x = s ? strchr(s, 'x') : NULL;
	if (!x)
		return -1;
	char wbuf[16];
	size_t len = (size_t)(x - s);
	if (len == 0 || len >= sizeof wbuf)
		return -1;
	memcpy(wbuf, s, len);
	wbuf[len] = 0;
	uint64_t a, b;
	if (cli_parse_u64(wbuf, 1, SHMFB_MAX_DIM, &a) < 0 || cli_parse_u64(x + 1, 1, SHMFB_MAX_DIM, &b) < 0)
		return -1;
	*w = (uint32_t)a;
	*h = (uint32_t)b;
	return 0;
}

static int parse_sections(const char *s, unsigned *out)
{
	static const char *names[] = {"latency", "throughput", "readers", "peers", "writecopy", "delivery",
				      "zerocopy"};
	*out = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		unsigned bit = 0;
		for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i]) == len && !strncmp(s, names[i], len))
				bit = 1u << i;
		if (!bit)
			return -1;
		*out |= bit;
		s += len + (s[len] == ',');
	}
	return *out ? 0 : -1;
}

/* 0 parsed, 2 usage error printed (shmfb bench --help is main.c's). */
static int parse_options(int argc, char **argv, bench_opts *o)
{
	memset(o, 0, sizeof *o);
	o->width = 1920;
	o->height = 1080;
	o->format = SHMFB_FMT_RGBA8;
	int have_seconds = 0, have_frames = 0;
	uint64_t v;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--")) { /* the end of the options, and bench takes nothing else */
			if (i + 1 < argc)
				return app_fail(2, "bench: unexpected argument '%s'", argv[i + 1]);
			break;
		}
		int takes = strcmp(a, "--quick") != 0;
		if (takes && !val) {
			app_fail(2, "bench: %s needs a value", a);
			return 2;
		}
		if (!strcmp(a, "--quick")) {
			o->quick = 1;
		} else if (!strcmp(a, "--size")) {
			if (parse_size(val, &o->width, &o->height) < 0)
				return app_fail(2, "bench: --size '%s': want WxH, each 1..%d", val, SHMFB_MAX_DIM);
		} else if (!strcmp(a, "--format")) {
			o->format = shmfb_pixfmt_from_name(val);
			if (o->format == SHMFB_FMT_NONE)
				return app_fail(2, "bench: --format '%s': unknown pixel format", val);
		} else if (!strcmp(a, "--seconds")) {
			int64_t ns;
			if (app_parse_seconds(val, &ns) < 0 || ns < 10 * SHMFB_MS || ns > 600 * SHMFB_SEC)
				return app_fail(2, "bench: --seconds '%s': want 0.01 to 600", val);
			o->seconds = (double)ns / 1e9;
			have_seconds = 1;
		} else if (!strcmp(a, "--readers")) {
			if (cli_parse_u64(val, 1, BENCH_MAX_READERS, &v) < 0)
				return app_fail(2, "bench: --readers '%s': want 1 to %d", val, BENCH_MAX_READERS);
			o->max_readers = (uint32_t)v;
		} else if (!strcmp(a, "--latency-frames")) {
			if (cli_parse_u64(val, 100, 100000000, &v) < 0)
				return app_fail(2, "bench: --latency-frames '%s': want 100 to 100000000", val);
			o->latency_frames = v;
			have_frames = 1;
		} else if (!strcmp(a, "--sections")) {
			if (parse_sections(val, &o->sections) < 0)
				return app_fail(2, "bench: --sections '%s': want a comma list of latency, "
						   "throughput, readers, peers, writecopy, delivery, zerocopy", val);
		} else if (!strcmp(a, "--json")) {
			o->json_path = val;
		} else if (!strcmp(a, "--svg")) {
			o->svg_path = val;
		} else {
			return app_fail(2, "bench: unknown option '%s' (try shmfb bench --help)", a);
		}
		i += takes;
	}
	shmfb_layout l;
	if (shmfb_layout_compute(o->width, o->height, o->format, &l) < 0)
		return app_fail(2, "bench: --size %ux%u --format %s: %s", o->width, o->height,
				shmfb_pixfmt_name(o->format), shmfb_errdetail());
	if (!have_seconds)
		o->seconds = o->quick ? 0.2 : 2.0;
	if (!have_frames)
		o->latency_frames = o->quick ? 2000 : 100000;
	if (!o->sections)
		o->sections = BENCH_SEC_ALL;
	if (!o->max_readers)
		o->max_readers = 8;
	snprintf(o->name_base, sizeof o->name_base, "bench-%ld", bench_own_pid());
	return 0;
}

/* FILE.json -> FILE.svg; anything else -> FILE.svg appended. */
static void svg_beside(const char *json, char *out, size_t size)
{
	size_t n = strlen(json);
	if (n > 5 && !strcmp(json + n - 5, ".json"))
		snprintf(out, size, "%.*s.svg", (int)(n - 5), json);
	else
		snprintf(out, size, "%s.svg", json);
}

/* Checks the output files can be written before minutes of measuring. */
static int check_writable(const char *path)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	fclose(f);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	bench_opts o;
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return rc;
	char svg[4096] = "";
	if (o.svg_path)
		snprintf(svg, sizeof svg, "%s", o.svg_path);
	else if (o.json_path)
		svg_beside(o.json_path, svg, sizeof svg);
	if (o.json_path && check_writable(o.json_path) < 0)
		return app_fail(1, "bench: --json %s: cannot write there", o.json_path);
	if (svg[0] && check_writable(svg) < 0)
		return app_fail(1, "bench: svg %s: cannot write there", svg);

	static bench_results res; /* large: histograms */
	memset(&res, 0, sizeof res);
	bench_machine_describe(&res.machine);
	res.machine.load_start = bench_loadavg();
	res.machine.pinned = bench_cpu_count(bench_cpu_mask()) >= 2;
	uint64_t t0 = shmfb_now_ns(), c0 = t0, c1 = t0;
	for (int i = 0; i < 1000; i++)
		c1 = shmfb_now_ns();
	res.machine.clock_ns = (c1 - c0) / 1000;
	res.peers[PEER_SHMFB] = (bench_peer){"shmfb", "shmfb copy-publish -> copy"};
	res.peers[PEER_PIPE] = (bench_peer){"pipe", "pipe"};
	res.peers[PEER_SOCKET] = (bench_peer){"unix_socket", "unix stream socket"};
	res.peers[PEER_GST] = (bench_peer){"gstreamer_shm", "gstreamer shmsink -> shmsrc"};
	res.peers[PEER_GST_SHMFB] = (bench_peer){"gstreamer_shmfb", "gstreamer shmfbsink -> src"};
	bench_install_interrupt();

	res.machine.steal_share = -1;
	fputs("shmfb bench: ", stderr);
	bench_report_environment(stderr, &res.machine);
	bench_progress("%ux%u %s, %d CPUs%s, %.2g s per run%s", o.width, o.height,
		       shmfb_pixfmt_name(o.format), res.machine.cpus,
		       res.machine.pinned ? " (writer and readers pinned apart)" : "", o.seconds,
		       o.quick ? ", quick" : "");
	int failed = 0;
	if (o.sections & BENCH_SEC_LATENCY)
		failed |= bench_latency(&o, &res);
	if (o.sections & BENCH_SEC_THROUGHPUT)
		failed |= bench_throughput(&o, &res);
	/* Peers need the one-reader run for their shmfb row. */
	if (o.sections & (BENCH_SEC_READERS | BENCH_SEC_PEERS))
		failed |= bench_readers(&o, &res);
	if (o.sections & BENCH_SEC_PEERS)
		failed |= bench_peers(&o, &res);
	if (o.sections & BENCH_SEC_WRITECOPY)
		failed |= bench_writecopy(&o, &res);
	if (o.sections & BENCH_SEC_DELIVERY)
		failed |= bench_delivery(&o, &res);
	if (o.sections & BENCH_SEC_ZEROCOPY)
		failed |= bench_zerocopy(&o, &res);
	res.elapsed_s = (double)(shmfb_now_ns() - t0) / 1e9;
	res.machine.load_end = bench_loadavg();
	res.machine.steal_share = bench_steal_share(&res.machine.at_start);

	if (svg[0]) {
		if (bench_svg_write(svg, &o, &res) < 0)
			failed |= app_fail(1, "bench: %s: could not write the picture", svg);
		else
			snprintf(res.svg_written, sizeof res.svg_written, "%s", svg);
	}
	bench_report_table(stdout, &o, &res);
	if (o.json_path && bench_report_json(o.json_path, &o, &res) < 0)
		failed |= app_fail(1, "bench: %s: could not write the JSON", o.json_path);
	bench_progress("done in %.0f s%s", res.elapsed_s, failed ? " (with errors above)" : "");
	return failed ? 1 : 0;
}
