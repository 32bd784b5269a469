/*
 * gstpeer.c - the GStreamer transports of section 6 (paced delivery):
 * shmsink -> shmsrc and shmfbsink -> shmfbsrc, measured by the peer program
 * shmfb-bench-gst (peers/gst_peer.c) beside this program, which runs the
 * pipelines in one process with gst_parse_launch.  Each run is tried at
 * most TRIES times: a try that fails or hangs (killed after its window and
 * 15 s) is counted in the run's failures, and the first that finishes is
 * kept.  shmfbsink and shmfbsrc come from the plugin built beside this
 * program (build/gst) when it is there, else from GStreamer's own path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define TRIES 3

/* The peer's output: "sent N due D lag L", "reader k R", "lat k NS" lines. */
static int parse_output(const char *path, bench_delivery_run *run)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	static bench_hist hist[BENCH_DL_READERS];
	for (uint32_t k = 0; k < BENCH_DL_READERS; k++)
		bench_hist_clear(&hist[k]);
	char line[128];
	unsigned long long a, b, c;
	int k, ok = 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "sent %llu due %llu lag %llu", &a, &b, &c) == 3) {
			run->sent = a;
			run->frames = b;
			run->writer_lag_max_ns = c;
			ok = 1;
		} else if (sscanf(line, "reader %d %llu", &k, &a) == 2 && k >= 0 && (uint32_t)k < run->readers) {
			run->received[k] = a;
		} else if (sscanf(line, "lat %d %llu", &k, &a) == 2 && k >= 0 && (uint32_t)k < run->readers) {
			bench_hist_add(&hist[k], a);
		}
	}
	fclose(f);
	for (uint32_t i = 0; i < run->readers; i++)
		bench_hist_summary(&hist[i], &run->lat[i]);
	run->achieved_fps = (double)run->sent / ((double)run->window_ns / 1e9);
	return ok ? 0 : -1;
}

/* The plugin directory built beside this program, exported for the peer. */
static void use_built_plugin(const char *bindir)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/../gst", bindir);
	if (bench_path_exists(dir))
		bench_export("GST_PLUGIN_PATH", dir);
}

int bench_gst_delivery(const bench_opts *o, bench_results *res, bench_delivery_run *run)
{
	(void)res;
	char peer[4096], bindir[4096];
	if (bench_own_dir(bindir, sizeof bindir) < 0 ||
	    (size_t)snprintf(peer, sizeof peer, "%s/shmfb-bench-gst", bindir) >= sizeof peer ||
	    !bench_path_exists(peer)) {
		run->skipped = 1;
		snprintf(run->note, sizeof run->note, "skipped: shmfb-bench-gst is not built (make gst)");
		return 1;
	}
	use_built_plugin(bindir);
	int shm = run->transport == T_GST_SHM;
	char dir[4096], sock[4200], out[4200], name[SHMFB_NAME_MAX + 1];
	if (bench_tmpdir(dir, sizeof dir) < 0) {
		snprintf(run->note, sizeof run->note, "no temporary directory");
		return 1;
	}
	snprintf(sock, sizeof sock, "%s/shm.sock", dir);
	snprintf(out, sizeof out, "%s/out.txt", dir);
	bench_next_name(o, name, sizeof name);
	char w[16], h[16], rate[32], win[32], k[8];
	snprintf(w, sizeof w, "%u", run->width);
	snprintf(h, sizeof h, "%u", run->height);
	snprintf(rate, sizeof rate, "%.3f", run->rate_fps);
	snprintf(win, sizeof win, "%.3f", (double)run->window_ns / 1e9);
	snprintf(k, sizeof k, "%u", run->readers);
	char *argv[] = {peer, shm ? "shm" : "shmfb", w, h, run->format == SHMFB_FMT_NV12 ? "NV12" : "RGBA",
			rate, win, k, shm ? sock : name, out, NULL};
	int rc = -1;
	for (run->attempts = 0; run->attempts < TRIES && rc != 0;) {
		run->attempts++;
		remove(out);
		remove(sock);
		bench_child c = {0};
		rc = bench_start_program(&c, 0, argv) /* it pins its own threads */ < 0 ? -1 : bench_join(&c, (int)(run->window_ns / 1000000) + 15000);
		shmfb_unlink(name);
		if (rc == 3) {
			run->skipped = 1;
			snprintf(run->note, sizeof run->note, "skipped: %s is not installed", shm ? "shmsink/shmsrc" : "shmfbsink/shmfbsrc");
			break;
		}
		if (rc == 0 && parse_output(out, run) < 0)
			rc = -1;
		if (rc != 0)
			run->failures++;
	}
	bench_rmtree_tmpdir(dir);
	if (rc != 0 && !run->skipped)
		snprintf(run->note, sizeof run->note, "%u tries failed or hung (last: %s)", run->attempts,
			 rc < 0 ? "killed after its time" : "exit status");
	return rc != 0;
}
