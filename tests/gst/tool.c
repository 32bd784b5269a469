/*
 * tool.c - helpers for the plugin's shell tests (tests/gst_*.sh):
 *
 *   gst_tool strip FORMAT WxH IN OUT
 *       GStreamer's default row layout (rows padded to 4 bytes) to tight
 *       frames, by the rule written out here, not by GStreamer's code.
 *   gst_tool frames LOCATION COUNT [PROPERTY=VALUE...]
 *       shmfbsrc into an appsink: one line per buffer
 *       "frame WIDTH HEIGHT FORMAT OFFSET PTS_NS STAMP" (STAMP -1 when none
 *       decodes), then "eos" or "error: MESSAGE".  Exit 0 at EOS or COUNT.
 *   gst_tool pcmmatch REF GOT FRAME_BYTES MIN_FRAMES
 *       GOT (at least MIN_FRAMES frames of FRAME_BYTES) is REF, looped,
 *       from some frame on: sample-exact, nothing lost or repeated.
 *   gst_tool avsync LOCATION SECONDS
 *       shmfbsrc and shmfbaudiosrc of one shmfb-producer --av-sync mapping
 *       (gray8, s16) in one pipeline: each white frame's PTS against its
 *       click's (first full-scale sample); exit 1 unless at least two pairs
 *       and every pair within 1 ms.
 */
#include <gst/app/gstappsink.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shmfb.h"

static int usage(void)
{
	fprintf(stderr, "usage: gst_tool strip FORMAT WxH IN OUT | frames LOCATION COUNT [P=V...] | "
			"pcmmatch REF GOT BPF MIN | avsync LOCATION SECONDS\n");
	return 2;
}

/* ------------------------------------------------------------------ strip */

#define RU4(x) (((x) + 3u) & ~3u)

typedef struct {
	unsigned planes, stride[3], rows[3], row_bytes[3];
} Layout;

/* GStreamer's default layout of a WxH frame (width and height even). */
static int padded_layout(const char *f, unsigned w, unsigned h, Layout *l)
{
	memset(l, 0, sizeof *l);
	l->planes = 1;
	l->rows[0] = h;
	if (!strcmp(f, "RGBA") || !strcmp(f, "BGRA"))
		l->row_bytes[0] = w * 4;
	else if (!strcmp(f, "RGB"))
		l->row_bytes[0] = w * 3;
	else if (!strcmp(f, "GRAY8"))
		l->row_bytes[0] = w;
	else if (!strcmp(f, "YUY2"))
		l->row_bytes[0] = w * 2;
	else if (!strcmp(f, "NV12")) {
		l->planes = 2;
		l->row_bytes[0] = w;
		l->row_bytes[1] = w;
		l->rows[1] = h / 2;
	} else if (!strcmp(f, "I420")) {
		l->planes = 3;
		l->row_bytes[0] = w;
		l->row_bytes[1] = l->row_bytes[2] = w / 2;
		l->rows[1] = l->rows[2] = h / 2;
	} else
		return -1;
	for (unsigned i = 0; i < l->planes; i++)
		l->stride[i] = RU4(l->row_bytes[i]);
	return 0;
}

static int strip(int argc, char **argv)
{
	unsigned w, h;
	Layout l;
	if (argc != 6 || sscanf(argv[3], "%ux%u", &w, &h) != 2 || padded_layout(argv[2], w, h, &l) < 0)
		return usage();
	FILE *in = fopen(argv[4], "rb"), *out = fopen(argv[5], "wb");
	if (!in || !out) {
		perror("gst_tool strip");
		return 1;
	}
	size_t padded = 0;
	for (unsigned i = 0; i < l.planes; i++)
		padded += (size_t)l.stride[i] * l.rows[i];
	unsigned char *frame = malloc(padded);
	size_t got, frames = 0;
	while ((got = fread(frame, 1, padded, in)) == padded) {
		const unsigned char *p = frame;
		for (unsigned i = 0; i < l.planes; i++)
			for (unsigned y = 0; y < l.rows[i]; y++, p += l.stride[i])
				fwrite(p, 1, l.row_bytes[i], out);
		frames++;
	}
	free(frame);
	fclose(in);
	if (fclose(out) != 0 || got != 0) {
		fprintf(stderr, "gst_tool strip: %zu bytes after %zu whole frames\n", got, frames);
		return 1;
	}
	return 0;
}

/* --------------------------------------------------------------- pcmmatch */

static unsigned char *slurp(const char *path, size_t *size)
{
	gchar *data;
	gsize n;
	if (!g_file_get_contents(path, &data, &n, NULL)) {
		fprintf(stderr, "gst_tool: cannot read %s\n", path);
		exit(1);
	}
	*size = n;
	return (unsigned char *)data;
}

/* Does got equal ref looped from frame k on? */
static int matches_at(const unsigned char *ref, size_t nref, const unsigned char *got, size_t ngot,
		      size_t start)
{
	for (size_t i = 0; i < ngot; i++)
		if (got[i] != ref[(start + i) % nref])
			return 0;
	return 1;
}

static int pcmmatch(int argc, char **argv)
{
	if (argc != 6)
		return usage();
	size_t nref, ngot, bpf = strtoul(argv[4], NULL, 10), min = strtoul(argv[5], NULL, 10);
	unsigned char *ref = slurp(argv[2], &nref), *got = slurp(argv[3], &ngot);
	if (!bpf || nref % bpf || ngot % bpf) {
		fprintf(stderr, "pcmmatch: %zu and %zu bytes are not whole frames of %zu\n", nref, ngot, bpf);
		return 1;
	}
	if (ngot / bpf < min) {
		fprintf(stderr, "pcmmatch: %zu frames, want at least %zu\n", ngot / bpf, min);
		return 1;
	}
	for (size_t k = 0; k < nref; k += bpf)
		if (matches_at(ref, nref, got, ngot, k)) {
			printf("%zu frames match the reference from its frame %zu\n", ngot / bpf, k / bpf);
			return 0;
		}
	fprintf(stderr, "pcmmatch: the %zu frames are not the reference's at any offset\n", ngot / bpf);
	return 1;
}

/* ----------------------------------------------------------------- frames */

/* Runs the pipeline until EOS or an error; prints the error. */
static GstElement *launch(const char *desc)
{
	GError *err = NULL;
	GstElement *p = gst_parse_launch(desc, &err);
	if (!p) {
		fprintf(stderr, "gst_tool: %s: %s\n", desc, err->message);
		exit(1);
	}
	gst_element_set_state(p, GST_STATE_PLAYING);
	return p;
}

/* 1 at EOS, -1 after printing an error, 0 if nothing happened. */
static int bus_check(GstElement *p, GstClockTime wait)
{
	GstBus *bus = gst_element_get_bus(p);
	GstMessage *m = gst_bus_timed_pop_filtered(bus, wait, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	gst_object_unref(bus);
	if (!m)
		return 0;
	int r = 1;
	if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
		GError *e;
		gchar *dbg;
		gst_message_parse_error(m, &e, &dbg);
		printf("error: %s\n", e->message);
		g_error_free(e);
		g_free(dbg);
		r = -1;
	} else {
		printf("eos\n");
	}
	gst_message_unref(m);
	return r;
}

static void print_frame(GstSample *s)
{
	GstVideoInfo vi;
	GstVideoFrame vf;
	GstBuffer *b = gst_sample_get_buffer(s);
	if (!gst_video_info_from_caps(&vi, gst_sample_get_caps(s)) ||
	    !gst_video_frame_map(&vf, &vi, b, GST_MAP_READ)) {
		printf("frame ? ? ? ? ? ?\n");
		return;
	}
	shmfb_stamp st;
	long long stamp = -1;
	shmfb_pixfmt f = shmfb_pixfmt_from_name(
		vi.finfo->format == GST_VIDEO_FORMAT_RGBA   ? "rgba"
		: vi.finfo->format == GST_VIDEO_FORMAT_BGRA ? "bgra"
		: vi.finfo->format == GST_VIDEO_FORMAT_RGB  ? "rgb24"
		: vi.finfo->format == GST_VIDEO_FORMAT_NV12 ? "nv12"
		: vi.finfo->format == GST_VIDEO_FORMAT_I420 ? "i420"
		: vi.finfo->format == GST_VIDEO_FORMAT_YUY2 ? "yuyv"
							    : "gray8");
	if (shmfb_stamp_decode(GST_VIDEO_FRAME_PLANE_DATA(&vf, 0), (uint32_t)vi.width,
			       (uint32_t)vi.height, (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0), f,
			       &st) == 0)
		stamp = (long long)st.frame_number;
	printf("frame %d %d %s %llu %llu %lld\n", vi.width, vi.height, GST_VIDEO_INFO_NAME(&vi),
	       (unsigned long long)GST_BUFFER_OFFSET(b), (unsigned long long)GST_BUFFER_PTS(b), stamp);
	gst_video_frame_unmap(&vf);
}

static int frames(int argc, char **argv)
{
	if (argc < 4)
		return usage();
	GString *d = g_string_new(NULL);
	g_string_printf(d, "shmfbsrc location=\"%s\"", argv[2]);
	for (int i = 4; i < argc; i++)
		g_string_append_printf(d, " %s", argv[i]);
	g_string_append(d, " ! appsink name=out sync=false max-buffers=100");
	GstElement *p = launch(d->str);
	GstAppSink *out = GST_APP_SINK(gst_bin_get_by_name(GST_BIN(p), "out"));
	long want = atol(argv[3]), n = 0;
	int r = 0;
	while (n < want && r == 0) {
		GstSample *s = gst_app_sink_try_pull_sample(out, 50 * GST_MSECOND);
		if (s) {
			print_frame(s);
			gst_sample_unref(s);
			n++;
			fflush(stdout);
		} else if (gst_app_sink_is_eos(out)) {
			r = bus_check(p, GST_SECOND);
		} else {
			r = bus_check(p, 0) < 0 ? -1 : 0;
		}
	}
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(out);
	gst_object_unref(p);
	g_string_free(d, TRUE);
	return r < 0;
}

/* ----------------------------------------------------------------- avsync */

#define MAX_EVENTS 64

typedef struct {
	GstClockTime t[MAX_EVENTS];
	int n;
} Events;

/* A white frame: the middle row (well below the stamp) is all above 200. */
static void find_flash(GstSample *s, Events *flashes)
{
	GstVideoInfo vi;
	GstVideoFrame vf;
	GstBuffer *b = gst_sample_get_buffer(s);
	if (!gst_video_info_from_caps(&vi, gst_sample_get_caps(s)) ||
	    !gst_video_frame_map(&vf, &vi, b, GST_MAP_READ))
		return;
	const guint8 *row = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&vf, 0) +
			    (gsize)(vi.height * 3 / 4) * (gsize)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0);
	int white = 1;
	for (int x = 0; x < vi.width; x++)
		white &= row[x] > 200;
	if (white && flashes->n < MAX_EVENTS)
		flashes->t[flashes->n++] = GST_BUFFER_PTS(b);
	gst_video_frame_unmap(&vf);
}

/* A click: a full-scale first channel sample after one that was not. */
static void find_clicks(GstSample *s, Events *clicks, int *prev_full)
{
	GstAudioInfo ai;
	GstBuffer *b = gst_sample_get_buffer(s);
	GstMapInfo m;
	if (!gst_audio_info_from_caps(&ai, gst_sample_get_caps(s)) || !gst_buffer_map(b, &m, GST_MAP_READ))
		return;
	gsize frames = m.size / (gsize)GST_AUDIO_INFO_BPF(&ai);
	for (gsize i = 0; i < frames; i++) {
		gint16 v;
		memcpy(&v, m.data + i * (gsize)GST_AUDIO_INFO_BPF(&ai), 2);
		int full = v == 32767;
		if (full && !*prev_full && clicks->n < MAX_EVENTS)
			clicks->t[clicks->n++] = GST_BUFFER_PTS(b) +
				gst_util_uint64_scale_int(i, GST_SECOND, GST_AUDIO_INFO_RATE(&ai));
		*prev_full = full;
	}
	gst_buffer_unmap(b, &m);
}

static int avsync(int argc, char **argv)
{
	if (argc != 4)
		return usage();
	gchar *d = g_strdup_printf("shmfbsrc location=\"%s\" ! appsink name=v sync=false max-buffers=500 "
				   "shmfbaudiosrc location=\"%s\" ! appsink name=a sync=false max-buffers=500",
				   argv[2], argv[2]);
	GstElement *p = launch(d);
	GstAppSink *v = GST_APP_SINK(gst_bin_get_by_name(GST_BIN(p), "v"));
	GstAppSink *a = GST_APP_SINK(gst_bin_get_by_name(GST_BIN(p), "a"));
	Events flashes = {0}, clicks = {0};
	int prev_full = 0;
	gint64 end = g_get_monotonic_time() + (gint64)(atof(argv[3]) * G_TIME_SPAN_SECOND);
	int r = 0;
	while (g_get_monotonic_time() < end && r == 0) {
		GstSample *s;
		while ((s = gst_app_sink_try_pull_sample(v, 0))) {
			find_flash(s, &flashes);
			gst_sample_unref(s);
		}
		while ((s = gst_app_sink_try_pull_sample(a, 0))) {
			find_clicks(s, &clicks, &prev_full);
			gst_sample_unref(s);
		}
		r = bus_check(p, 10 * GST_MSECOND);
	}
	gst_element_set_state(p, GST_STATE_NULL);
	int pairs = 0, bad = 0;
	for (int i = 0; i < flashes.n; i++) {
		int best = -1;
		for (int j = 0; j < clicks.n; j++)
			if (best < 0 || llabs((long long)clicks.t[j] - (long long)flashes.t[i]) <
						llabs((long long)clicks.t[best] - (long long)flashes.t[i]))
				best = j;
		if (best < 0)
			continue;
		long long diff = (long long)clicks.t[best] - (long long)flashes.t[i];
		printf("flash %" GST_TIME_FORMAT " click %" GST_TIME_FORMAT " diff %lld ns\n",
		       GST_TIME_ARGS(flashes.t[i]), GST_TIME_ARGS(clicks.t[best]), diff);
		pairs++;
		bad += llabs(diff) > 1000000;
	}
	printf("%d flashes, %d clicks, %d pairs, %d over 1 ms\n", flashes.n, clicks.n, pairs, bad);
	gst_object_unref(v);
	gst_object_unref(a);
	gst_object_unref(p);
	g_free(d);
	return r < 0 || pairs < 2 || bad;
}

int main(int argc, char **argv)
{
	gst_init(NULL, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "strip"))
		return strip(argc, argv);
	if (!strcmp(argv[1], "frames"))
		return frames(argc, argv);
	if (!strcmp(argv[1], "pcmmatch"))
		return pcmmatch(argc, argv);
	if (!strcmp(argv[1], "avsync"))
		return avsync(argc, argv);
	return usage();
}
