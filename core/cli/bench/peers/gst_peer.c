/*
 * gst_peer.c - shmfb-bench-gst: the GStreamer transports of shmfb bench's
 * paced delivery (section 6), in one process with gst_parse_launch, so that
 * shmsink -> shmsrc starts and stops under our control instead of as two
 * gst-launch-1.0 processes racing for the socket.  Its own program: neither
 * the library nor the shmfb command links GStreamer.
 *
 *   shmfb-bench-gst KIND W H FORMAT RATE WINDOW_S READERS NAME OUT
 *
 * KIND is shm (shmsink -> shmsrc, NAME a socket path) or shmfb (shmfbsink
 * -> shmfbsrc, NAME a mapping name).  The main thread pushes frames into an
 * appsrc on the schedule of delivery.c (frame i due at t0 + i/RATE; RATE 0:
 * as fast as it can for the window), each stamped with its number and due
 * time in its first 16 bytes.  READERS source pipelines end in an appsink
 * whose callback copies every buffer into its own memory and notes the time.
 * The writer runs on the first CPU, the readers' streaming threads on the
 * others, as in delivery.c.
 *
 * OUT gets "sent N due D lag L" and then, per reader k, "reader k R" and one
 * "lat k NS" line for each frame it received by the end (the last due time
 * + 100 ms).  Exit 0; 1 failure (the message on stderr); 3 an element is
 * missing (the bench skips the transport); a run that hangs is killed by
 * the bench, which retries a bounded number of times and counts failures.
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peer.h"

#define MAX_READERS 4
#define GRACE_NS 100000000ull
#define MAX_FRAMES 100000

struct reader {
	GstElement *pipe;
	guint8 *buf;
	gsize size;
	int pinned;
	guint64 received;
	guint64 *lat; /* one per frame received in time */
};

static struct {
	guint64 t0, end, frame_bytes;
	int cpus;
	struct reader rd[MAX_READERS];
	GMutex lock;
	int connected;
} g;

/* This thread onto the first CPU (writer) or onto the others (readers). */
static void pin_self(int writer)
{
	cpu_set_t all, set;
	if (sched_getaffinity(0, sizeof all, &all) < 0 || CPU_COUNT(&all) < 2)
		return;
	CPU_ZERO(&set);
	int first = -1;
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &all))
			continue;
		if (first < 0) {
			first = i;
			if (writer)
				CPU_SET(i, &set);
		} else if (!writer) {
			CPU_SET(i, &set);
		}
	}
	sched_setaffinity(0, sizeof set, &set);
}

static GstFlowReturn on_sample(GstAppSink *sink, gpointer data)
{
	struct reader *r = data;
	GstSample *s = gst_app_sink_pull_sample(sink);
	if (!s)
		return GST_FLOW_EOS;
	if (!r->pinned) {
		pin_self(0);
		r->pinned = 1;
	}
	GstBuffer *b = gst_sample_get_buffer(s);
	GstMapInfo m;
	if (b && gst_buffer_map(b, &m, GST_MAP_READ)) {
		gsize n = m.size < r->size ? m.size : r->size;
		memcpy(r->buf, m.data, n);
		guint64 t = peer_now_ns(), stamp[2] = {0, 0};
		gst_buffer_unmap(b, &m);
		if (n >= sizeof stamp)
			memcpy(stamp, r->buf, sizeof stamp);
		g_mutex_lock(&g.lock);
		if (stamp[0] && g.end && t <= g.end && r->received < MAX_FRAMES)
			r->lat[r->received++] = t > stamp[1] ? t - stamp[1] : 0;
		g_mutex_unlock(&g.lock);
	}
	gst_sample_unref(s);
	return GST_FLOW_OK;
}

static void on_client(GstElement *sink, gint fd, gpointer data)
{
	(void)sink;
	(void)fd;
	(void)data;
	g_mutex_lock(&g.lock);
	g.connected++;
	g_mutex_unlock(&g.lock);
}

/* The warm-up frames (peer.h) before the window, as delivery.c sends them. */
static int warm_up(GstElement *src, GstBufferPool *pool, guint8 *frame, guint64 bytes, guint64 period)
{
	guint64 gap = peer_warmup_gap_ns(period), start = peer_now_ns();
	memset(frame, 0, 16); /* frame number 0 */
	for (int i = 0; peer_warming(i, start); i++) {
		GstBuffer *b = NULL;
		if (gst_buffer_pool_acquire_buffer(pool, &b, NULL) != GST_FLOW_OK)
			return -1;
		gst_buffer_fill(b, 0, frame, bytes);
		if (gst_app_src_push_buffer(GST_APP_SRC(src), b) != GST_FLOW_OK)
			return -1;
		peer_sleep_until(peer_now_ns() + gap);
	}
	return 0;
}

static GstElement *launch(const char *desc)
{
	GError *err = NULL;
	GstElement *p = gst_parse_launch(desc, &err);
	if (!p || err) {
		fprintf(stderr, "shmfb-bench-gst: %s: %s\n", desc, err ? err->message : "failed");
		if (err)
			g_error_free(err);
		return NULL;
	}
	return p;
}

static int playing(GstElement *p)
{
	return gst_element_set_state(p, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
}

/* Waits (bounded) until every reader is connected; shmfbsrc has no signal, it waits for frames. */
static int wait_connected(int kind_shm, int readers)
{
	for (int i = 0; i < 500; i++) {
		g_mutex_lock(&g.lock);
		int n = g.connected;
		g_mutex_unlock(&g.lock);
		if (!kind_shm || n >= readers)
			return 0;
		g_usleep(10000);
	}
	fprintf(stderr, "shmfb-bench-gst: only %d of %d shmsrc connected within 5 s\n", g.connected, readers);
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 10) {
		fprintf(stderr, "usage: shmfb-bench-gst shm|shmfb W H FORMAT RATE WINDOW_S READERS NAME OUT\n");
		return 2;
	}
	gst_init(NULL, NULL);
	int shm = !strcmp(argv[1], "shm");
	unsigned w = (unsigned)atoi(argv[2]), h = (unsigned)atoi(argv[3]);
	const char *fmt = argv[4];
	double rate = atof(argv[5]), window = atof(argv[6]);
	int readers = atoi(argv[7]);
	const char *name = argv[8], *out = argv[9];
	if (readers < 1 || readers > MAX_READERS || !w || !h)
		return 2;
	const char *need[] = {shm ? "shmsink" : "shmfbsink", shm ? "shmsrc" : "shmfbsrc", "appsrc", "appsink"};
	for (int i = 0; i < 4; i++) {
		GstElementFactory *f = gst_element_factory_find(need[i]);
		if (!f) {
			fprintf(stderr, "shmfb-bench-gst: no element %s\n", need[i]);
			return 3;
		}
		gst_object_unref(f);
	}
	char caps[256];
	snprintf(caps, sizeof caps, "video/x-raw,format=%s,width=%u,height=%u,framerate=0/1", fmt, w, h);
	guint64 bytes = !strcmp(fmt, "NV12") ? (guint64)w * h * 3 / 2 : (guint64)w * h * 4;
	g.frame_bytes = bytes;
	g_mutex_init(&g.lock);

	char desc[1024];
	if (shm)
		snprintf(desc, sizeof desc,
			 "appsrc name=src is-live=true format=time caps=%s ! shmsink name=sink socket-path=%s "
			 "shm-size=%llu wait-for-connection=false sync=false async=false",
			 caps, name, (unsigned long long)(bytes * 6 + (1 << 20)));
	else
		snprintf(desc, sizeof desc,
			 "appsrc name=src is-live=true format=time caps=%s ! shmfbsink name=sink location=%s "
			 "sync=false async=false", caps, name);
	GstElement *wp = launch(desc);
	if (!wp)
		return 1;
	GstElement *src = gst_bin_get_by_name(GST_BIN(wp), "src");
	GstElement *sink = gst_bin_get_by_name(GST_BIN(wp), "sink");
	if (shm)
		g_signal_connect(sink, "client-connected", G_CALLBACK(on_client), NULL);
	if (!playing(wp))
		return 1;
	/* One frame first: shmfbsink makes its mapping at its first caps. */
	GstBuffer *first = gst_buffer_new_allocate(NULL, bytes, NULL);
	gst_buffer_memset(first, 0, 0, bytes);
	gst_app_src_push_buffer(GST_APP_SRC(src), first);
	g_usleep(shm ? 50000 : 200000);
	for (int k = 0; k < readers; k++) {
		struct reader *r = &g.rd[k];
		r->size = bytes;
		r->buf = g_malloc0(bytes);
		r->lat = g_malloc0(sizeof(guint64) * MAX_FRAMES);
		if (shm)
			snprintf(desc, sizeof desc, "shmsrc socket-path=%s is-live=true ! %s ! appsink name=out sync=false "
				 "max-buffers=8 drop=false", name, caps);
		else
			snprintf(desc, sizeof desc, "shmfbsrc location=%s ! appsink name=out sync=false max-buffers=8 "
				 "drop=false", name);
		r->pipe = launch(desc);
		if (!r->pipe)
			return 1;
		GstElement *as = gst_bin_get_by_name(GST_BIN(r->pipe), "out");
		GstAppSinkCallbacks cb = {0};
		cb.new_sample = on_sample;
		gst_app_sink_set_callbacks(GST_APP_SINK(as), &cb, r, NULL);
		gst_object_unref(as);
		if (!playing(r->pipe))
			return 1;
	}
	if (wait_connected(shm, readers) < 0)
		return 1;
	g_usleep(100000); /* the sources are streaming */

	pin_self(1);
	/* Buffers from a pool, as a real upstream's: no 8 MB allocation per frame. */
	GstBufferPool *pool = gst_buffer_pool_new();
	GstStructure *cfg = gst_buffer_pool_get_config(pool);
	GstCaps *pool_caps = gst_caps_from_string(caps);
	gst_buffer_pool_config_set_params(cfg, pool_caps, (guint)bytes, 4, 0);
	gst_caps_unref(pool_caps);
	if (!gst_buffer_pool_set_config(pool, cfg) || !gst_buffer_pool_set_active(pool, TRUE)) {
		fprintf(stderr, "shmfb-bench-gst: no buffer pool\n");
		return 1;
	}
	guint8 *frame = g_malloc(bytes);
	for (guint64 i = 0; i < bytes; i++)
		frame[i] = (guint8)(i * 2654435761u >> 24);
	guint64 period = rate > 0 ? (guint64)(1e9 / rate) : 0, win = (guint64)(window * 1e9);
	guint64 due_n = period ? win / period : 0, sent = 0, lag = 0;
	if (warm_up(src, pool, frame, bytes, period) < 0) {
		fprintf(stderr, "shmfb-bench-gst: the warm-up frames were refused\n");
		return 1;
	}
	g_mutex_lock(&g.lock);
	g.t0 = peer_now_ns() + 20000000ull;
	g.end = g.t0 + win + GRACE_NS;
	g_mutex_unlock(&g.lock);
	for (guint64 i = 0;; i++) {
		guint64 due = g.t0 + i * period;
		if (period && i >= due_n)
			break;
		peer_sleep_until(due); /* unpaced: only the first frame waits, for t0 */
		guint64 t = peer_now_ns();
		if (t > g.end || (!period && t - g.t0 >= win))
			break;
		if (t > due && t - due > lag)
			lag = t - due;
		guint64 stamp[2] = {i + 1, period ? due : t};
		memcpy(frame, stamp, sizeof stamp);
		GstBuffer *b = NULL;
		if (gst_buffer_pool_acquire_buffer(pool, &b, NULL) != GST_FLOW_OK)
			break;
		gst_buffer_fill(b, 0, frame, bytes);
		if (gst_app_src_push_buffer(GST_APP_SRC(src), b) != GST_FLOW_OK)
			break;
		sent++;
	}
	peer_sleep_until(g.end);
	FILE *f = fopen(out, "w");
	if (!f)
		return 1;
	fprintf(f, "sent %llu due %llu lag %llu\n", (unsigned long long)sent,
		(unsigned long long)(period ? due_n : sent), (unsigned long long)lag);
	for (int k = 0; k < readers; k++) {
		g_mutex_lock(&g.lock); /* frames after end are not added: the count is final */
		guint64 n = g.rd[k].received;
		g_mutex_unlock(&g.lock);
		fprintf(f, "reader %d %llu\n", k, (unsigned long long)n);
		for (guint64 j = 0; j < n; j++)
			fprintf(f, "lat %d %llu\n", k, (unsigned long long)g.rd[k].lat[j]);
	}
	if (fclose(f) != 0)
		return 1;
	/* Teardown: the readers first, then the writer; the bench kills us if it hangs. */
	for (int k = 0; k < readers; k++)
		gst_element_set_state(g.rd[k].pipe, GST_STATE_NULL);
	gst_element_set_state(wp, GST_STATE_NULL);
	return 0;
}
