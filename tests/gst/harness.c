/*
 * harness.c - GstHarness unit tests of shmfbsink and shmfbsrc, against a
 * mapping this program writes or reads itself through shmfb.h.  Expected
 * pixels are computed here from the row rules (GStreamer pads rows to 4
 * bytes; shmfb's are tight), not taken from the elements.
 * Run through tests/gst_unit.sh (plugin path and a throwaway registry).
 */
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "shmfb.h"

static char name[64];

/* An error on the element's bus: its message, or NULL within `wait`. */
static gchar *pop_error(GstBus *bus, GstClockTime wait)
{
	GstMessage *m = gst_bus_timed_pop_filtered(bus, wait, GST_MESSAGE_ERROR);
	if (!m)
		return NULL;
	GError *e;
	gst_message_parse_error(m, &e, NULL);
	gchar *s = g_strdup(e->message);
	g_error_free(e);
	gst_message_unref(m);
	return s;
}

static GstHarness *harness_with_bus(const char *desc, GstBus **bus)
{
	GstHarness *h = gst_harness_new_parse(desc);
	*bus = gst_bus_new();
	gst_element_set_bus(h->element, *bus);
	return h;
}

/* Byte y*W+x of plane i of frame n: what the test draws and expects back. */
static guint8 pixel(unsigned n, unsigned i, unsigned y, unsigned x)
{
	return (guint8)(x * 7 + y * 13 + i * 101 + n * 29);
}

/* A 350x10 RGB frame n in GStreamer's layout: rows of 1050 bytes padded to 1052. */
static GstBuffer *rgb_350_frame(unsigned n)
{
	GstBuffer *b = gst_buffer_new_allocate(NULL, 1052 * 10, NULL);
	GstMapInfo m;
	gst_buffer_map(b, &m, GST_MAP_WRITE);
	memset(m.data, 0xEE, m.size);
	for (unsigned y = 0; y < 10; y++)
		for (unsigned x = 0; x < 1050; x++)
			m.data[y * 1052 + x] = pixel(n, 0, y, x);
	gst_buffer_unmap(b, &m);
	return b;
}

/* The latest frame of the mapping, checked against pixel(n): rows of 1050
 * bytes at the stride the header gives, GStreamer's 1052. */
static void expect_rgb_350(shmfb_reader *r, unsigned n, shmfb_frame *f)
{
	ASSERT_EQ(shmfb_reader_info(r)->layout.stride[0], 1052);
	ASSERT_EQ(shmfb_reader_info(r)->layout.row_bytes[0], 1050);
	ASSERT_OK(shmfb_reader_latest(r, f));
	ASSERT_EQ(f->stride[0], 1052);
	for (unsigned y = 0; y < 10; y++)
		for (unsigned x = 0; x < 1050; x++)
			if (f->data[0][y * 1052 + x] != pixel(n, 0, y, x))
				FAIL_AT("frame %u byte (%u,%u) is %u, want %u", n, x, y,
					f->data[0][y * 1052 + x], pixel(n, 0, y, x));
	ASSERT(shmfb_frame_valid(r, f));
}

/* Padded rows in, the mapping describes the same strides; offset is
 * frame_number; PTS is running time + base time on CLOCK_MONOTONIC;
 * colorimetry goes into the header. */
static void test_sink_strides_and_numbers(void)
{
	GstBus *bus;
	gchar *d = g_strdup_printf("shmfbsink location=%s sync=false", name);
	GstHarness *h = harness_with_bus(d, &bus);
	gst_harness_set_src_caps_str(h, "video/x-raw,format=RGB,width=350,height=10,framerate=30/1");
	for (unsigned n = 0; n < 3; n++) {
		GstBuffer *b = rgb_350_frame(n);
		GST_BUFFER_OFFSET(b) = 1000 + n;
		GST_BUFFER_PTS(b) = (n + 1) * GST_SECOND;
		uint64_t before = shmfb_now_ns();
		ASSERT_EQ(gst_harness_push(h, b), GST_FLOW_OK);
		uint64_t after = shmfb_now_ns();
		shmfb_reader *r;
		ASSERT_OK(shmfb_open(name, &r));
		const shmfb_info *in = shmfb_reader_info(r);
		ASSERT_EQ(in->width, 350);
		ASSERT_EQ(in->format, SHMFB_FMT_RGB24);
		ASSERT_EQ(in->fps_num, 30);
		ASSERT_EQ(in->color.matrix, SHMFB_MATRIX_RGB);
		ASSERT_EQ(in->color.range, SHMFB_RANGE_FULL);
		ASSERT_EQ(in->color.transfer, SHMFB_TRANSFER_SRGB);
		ASSERT_EQ(in->color.primaries, SHMFB_PRIMARIES_BT709);
		shmfb_frame f;
		expect_rgb_350(r, n, &f);
		ASSERT_EQ(f.frame_number, 1000 + n);
		/* The harness's test clock stands still at 0 and the base time
		 * is 0, so the frame is due (n+1) s after the monotonic now. */
		ASSERT_GE(f.pts_ns, before + (n + 1) * SHMFB_SEC - 50 * SHMFB_MS);
		ASSERT_LE(f.pts_ns, after + (n + 1) * SHMFB_SEC + 50 * SHMFB_MS);
		shmfb_reader_close(r);
	}
	ASSERT(!pop_error(bus, 0));
	gst_harness_teardown(h);
	ASSERT_EQ(shmfb_open(name, &(shmfb_reader *){NULL}), SHMFB_ENOENT);
	gst_object_unref(bus);
	g_free(d);
	printf("ok: sink: padded rows in and described, frame numbers, pts, colour\n");
}

/* Is [p, p+len) inside a mapping of the object /dev/shm/shmfb-NAME leads to?
 * (The writer mapped it before it had the name: maps knows it by inode.) */
static int in_shm_mapping(const void *p, size_t len)
{
	char path[128], line[512];
	snprintf(path, sizeof path, "/dev/shm/shmfb-%s", name);
	struct stat st;
	ASSERT_EQ(stat(path, &st), 0);
	FILE *maps = fopen("/proc/self/maps", "r");
	int inside = 0;
	while (fgets(line, sizeof line, maps)) {
		unsigned long lo, hi, inode;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &lo, &hi, &inode) == 3 &&
		    inode == (unsigned long)st.st_ino && (unsigned long)p >= lo &&
		    (unsigned long)p + len <= hi)
			inside = 1;
	}
	fclose(maps);
	return inside;
}

/* The pool's buffer is the slot: its bytes lie in the mapping, upstream
 * writes them through the GstVideoMeta strides, and the sink only publishes. */
static void test_sink_pool_is_the_slot(void)
{
	GstBus *bus;
	gchar *d = g_strdup_printf("shmfbsink location=%s sync=false", name);
	GstHarness *h = harness_with_bus(d, &bus);
	const char *caps_str = "video/x-raw,format=RGB,width=350,height=10,framerate=30/1";
	gst_harness_set_src_caps_str(h, caps_str);
	ASSERT_EQ(gst_harness_push(h, rgb_350_frame(0)), GST_FLOW_OK); /* creates the mapping */
	GstCaps *caps = gst_caps_from_string(caps_str);
	GstQuery *q = gst_query_new_allocation(caps, TRUE);
	ASSERT(gst_pad_peer_query(h->srcpad, q));
	ASSERT_EQ(gst_query_get_n_allocation_pools(q), 1);
	ASSERT(gst_query_find_allocation_meta(q, GST_VIDEO_META_API_TYPE, NULL));
	GstBufferPool *pool;
	guint size, min, max;
	gst_query_parse_nth_allocation_pool(q, 0, &pool, &size, &min, &max);
	ASSERT_EQ(size, 1052 * 10);
	/* The slot has GStreamer's rows: an upstream that cannot read
	 * GstVideoMeta is served too. */
	GstStructure *config = gst_structure_new_empty("GstBufferPoolConfig");
	gst_buffer_pool_config_set_params(config, caps, size, 1, 1);
	GstAllocationParams params;
	gst_allocation_params_init(&params);
	gst_buffer_pool_config_set_allocator(config, NULL, &params);
	ASSERT(gst_buffer_pool_set_config(pool, config));
	ASSERT(gst_buffer_pool_set_active(pool, TRUE));
	for (unsigned n = 1; n <= 4; n++) {
		GstBuffer *b;
		ASSERT_EQ(gst_buffer_pool_acquire_buffer(pool, &b, NULL), GST_FLOW_OK);
		GstVideoMeta *vm = gst_buffer_get_video_meta(b);
		ASSERT(vm);
		ASSERT_EQ(vm->stride[0], 1052);
		GstMapInfo m;
		ASSERT(gst_buffer_map(b, &m, GST_MAP_WRITE));
		ASSERT(in_shm_mapping(m.data, m.size));
		for (unsigned y = 0; y < 10; y++)
			for (unsigned x = 0; x < 1050; x++)
				m.data[y * vm->stride[0] + x] = pixel(n, 0, y, x);
		gst_buffer_unmap(b, &m);
		GST_BUFFER_OFFSET(b) = n;
		ASSERT_EQ(gst_harness_push(h, b), GST_FLOW_OK);
		shmfb_reader *r;
		ASSERT_OK(shmfb_open(name, &r));
		shmfb_frame f;
		expect_rgb_350(r, n, &f);
		ASSERT_EQ(f.frame_number, n);
		shmfb_reader_close(r);
	}
	/* A buffer dropped unrendered gives the slot back: the next acquire
	 * does not wait for ever. */
	GstBuffer *b;
	ASSERT_EQ(gst_buffer_pool_acquire_buffer(pool, &b, NULL), GST_FLOW_OK);
	gst_buffer_unref(b);
	ASSERT_EQ(gst_buffer_pool_acquire_buffer(pool, &b, NULL), GST_FLOW_OK);
	gst_buffer_unref(b);
	/* Other caps are not the mapping's: refused. */
	config = gst_buffer_pool_get_config(pool);
	GstCaps *other = gst_caps_from_string("video/x-raw,format=RGB,width=352,height=10");
	gst_buffer_pool_config_set_params(config, other, 352 * 3 * 10, 1, 1);
	gst_buffer_pool_set_active(pool, FALSE);
	ASSERT(!gst_buffer_pool_set_config(pool, config));
	gst_caps_unref(other);
	gst_object_unref(pool);
	gst_query_unref(q);
	gst_caps_unref(caps);
	ASSERT(!pop_error(bus, 0));
	gst_harness_teardown(h);
	gst_object_unref(bus);
	g_free(d);
	printf("ok: sink: the pool's buffers are the slot, written in place\n");
}

/* New caps: a new generation under the name, of the new size. */
static void test_sink_caps_change(void)
{
	GstBus *bus;
	gchar *d = g_strdup_printf("shmfbsink location=%s sync=false", name);
	GstHarness *h = harness_with_bus(d, &bus);
	gst_harness_set_src_caps_str(h, "video/x-raw,format=RGB,width=350,height=10,framerate=30/1");
	ASSERT_EQ(gst_harness_push(h, rgb_350_frame(0)), GST_FLOW_OK);
	shmfb_reader *old;
	ASSERT_OK(shmfb_open(name, &old));
	gst_harness_set_src_caps_str(h, "video/x-raw,format=GRAY8,width=64,height=48,framerate=5/1");
	GstBuffer *b = gst_buffer_new_allocate(NULL, 64 * 48, NULL);
	gst_buffer_memset(b, 0, 0x42, 64 * 48);
	ASSERT_EQ(gst_harness_push(h, b), GST_FLOW_OK);
	int st = shmfb_reader_status(old);
	ASSERT(st == SHMFB_EREPLACED || st == SHMFB_ECLOSED);
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(name, &r));
	ASSERT_NE(shmfb_reader_info(r)->generation, shmfb_reader_info(old)->generation);
	ASSERT_EQ(shmfb_reader_info(r)->width, 64);
	ASSERT_EQ(shmfb_reader_info(r)->format, SHMFB_FMT_GRAY8);
	ASSERT_EQ(shmfb_reader_info(r)->fps_num, 5);
	guint8 px[64 * 48];
	ASSERT_OK(shmfb_reader_copy_latest(r, px, sizeof px, NULL));
	ASSERT_EQ(px[64 * 48 - 1], 0x42);
	shmfb_reader_close(r);
	shmfb_reader_close(old);
	ASSERT(!pop_error(bus, 0));
	gst_harness_teardown(h);
	gst_object_unref(bus);
	g_free(d);
	printf("ok: sink: caps change makes a new generation\n");
}

static void expect_sink_error(const char *props, const char *caps, const char *want)
{
	GstBus *bus;
	gchar *d = g_strdup_printf("shmfbsink sync=false %s", props);
	GstHarness *h = harness_with_bus(d, &bus);
	gst_harness_set_src_caps_str(h, caps);
	GstFlowReturn ret = gst_harness_push(h, gst_buffer_new_allocate(NULL, 64 * 48 * 4, NULL));
	ASSERT_NE(ret, GST_FLOW_OK);
	gchar *e = pop_error(bus, GST_SECOND);
	ASSERT_STR_CONTAINS(e, want);
	g_free(e);
	gst_harness_teardown(h);
	gst_object_unref(bus);
	g_free(d);
}

static void test_sink_errors(void)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 64;
	o.height = 48;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	gchar *props = g_strdup_printf("location=%s", name), *want;
	want = g_strdup_printf("%s: in use by running producer pid %d", name, (int)getpid());
	expect_sink_error(props, "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1", want);
	g_free(want);
	ASSERT_OK(shmfb_writer_close(w));
	g_free(props);
	props = g_strdup_printf("location=%s-odd", name);
	expect_sink_error(props, "video/x-raw,format=I420,width=64,height=47,framerate=30/1",
			  "caps not accepted: size 64x47: i420 needs an even height");
	g_free(props);
	printf("ok: sink: errors name the producer and the caps\n");
}

/* A writer of 350x10 RGB the source tests publish from. */
static shmfb_writer *rgb_writer(const char *n, uint32_t width)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = width;
	o.height = 10;
	o.format = SHMFB_FMT_RGB24;
	o.fps_num = 25;
	o.fps_den = 1;
	o.flags = SHMFB_CREATE_REPLACE;
	o.color.transfer = SHMFB_TRANSFER_LINEAR;
	o.color.primaries = SHMFB_PRIMARIES_BT2020;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(n, &o, &w));
	return w;
}

/* Frame n (numbered 500 + n) with the capture time pts_ns (CLOCK_MONOTONIC). */
static void publish_rgb_at(shmfb_writer *w, uint32_t width, unsigned n, uint64_t pts_ns)
{
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	for (unsigned y = 0; y < 10; y++)
		for (unsigned x = 0; x < width * 3; x++)
			p.data[0][y * p.stride[0] + x] = pixel(n, 0, y, x);
	shmfb_writer_publish(w, 500 + n, pts_ns);
}

static void publish_rgb(shmfb_writer *w, uint32_t width, unsigned n)
{
	publish_rgb_at(w, width, n, shmfb_now_ns());
}

/* Pulls the next buffer (events and all) within a few seconds. */
static GstBuffer *pull(GstHarness *h)
{
	for (int i = 0; i < 500; i++) {
		GstBuffer *b = gst_harness_try_pull(h);
		if (b)
			return b;
		g_usleep(10 * 1000);
	}
	FAIL_AT("no buffer from shmfbsrc within 5 s");
}

static void expect_padded_rgb(GstBuffer *b, uint32_t width, unsigned n)
{
	unsigned stride = (width * 3 + 3) & ~3u;
	ASSERT_EQ(gst_buffer_get_size(b), stride * 10);
	GstMapInfo m;
	gst_buffer_map(b, &m, GST_MAP_READ);
	for (unsigned y = 0; y < 10; y++)
		for (unsigned x = 0; x < width * 3; x++)
			if (m.data[y * stride + x] != pixel(n, 0, y, x))
				FAIL_AT("frame %u byte (%u,%u) is %u, want %u", n, x, y, m.data[y * stride + x],
					pixel(n, 0, y, x));
	gst_buffer_unmap(b, &m);
	ASSERT_EQ(GST_BUFFER_OFFSET(b), 500 + n);
}

static void expect_caps_width(GstHarness *h, int width)
{
	GstCaps *c = gst_pad_get_current_caps(h->sinkpad);
	ASSERT(c);
	GstVideoInfo vi;
	ASSERT(gst_video_info_from_caps(&vi, c));
	ASSERT_EQ(vi.width, width);
	ASSERT_EQ(GST_VIDEO_INFO_FORMAT(&vi), GST_VIDEO_FORMAT_RGB);
	ASSERT_EQ(vi.fps_n, 25);
	/* The header's colour, not GStreamer's default for RGB (sRGB, BT.709). */
	ASSERT_EQ(vi.colorimetry.transfer, GST_VIDEO_TRANSFER_GAMMA10);
	ASSERT_EQ(vi.colorimetry.primaries, GST_VIDEO_COLOR_PRIMARIES_BT2020);
	gst_caps_unref(c);
}

/* Caps from the header, tight rows out as GStreamer's padded rows, frame
 * numbers as offsets; a new generation is renegotiated; close is EOS. */
static void test_src_frames_caps_eos(void)
{
	shmfb_writer *w = rgb_writer(name, 350);
	GstBus *bus;
	gchar *d = g_strdup_printf("shmfbsrc location=%s", name);
	GstHarness *h = harness_with_bus(d, &bus);
	gst_harness_play(h);
	publish_rgb(w, 350, 1);
	GstBuffer *b = pull(h);
	expect_caps_width(h, 350);
	expect_padded_rgb(b, 350, 1);
	ASSERT(GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DISCONT));
	gst_buffer_unref(b);
	publish_rgb(w, 350, 2);
	b = pull(h);
	expect_padded_rgb(b, 350, 2);
	gst_buffer_unref(b);
	/* The producer comes back at another size. */
	shmfb_writer *w2 = rgb_writer(name, 98);
	ASSERT_OK(shmfb_writer_close(w));
	publish_rgb(w2, 98, 3);
	b = pull(h);
	expect_caps_width(h, 98);
	expect_padded_rgb(b, 98, 3);
	gst_buffer_unref(b);
	/* Published before the close: still pushed; then EOS. */
	publish_rgb(w2, 98, 4);
	ASSERT_OK(shmfb_writer_close(w2));
	b = pull(h);
	expect_padded_rgb(b, 98, 4);
	gst_buffer_unref(b);
	GstEvent *e;
	int eos = 0;
	for (int i = 0; i < 500 && !eos; i++) {
		while ((e = gst_harness_try_pull_event(h))) {
			eos |= GST_EVENT_TYPE(e) == GST_EVENT_EOS;
			gst_event_unref(e);
		}
		g_usleep(10 * 1000);
	}
	ASSERT(eos);
	ASSERT(!pop_error(bus, 0));
	gst_harness_teardown(h);
	gst_object_unref(bus);
	g_free(d);
	printf("ok: src: caps with the header's colour, padded rows, renegotiation, EOS at close\n");
}

/*
 * A pipeline behind the producer: the source's push of frame 6 is held in a
 * blocking probe (downstream busy) while 7, 8 and 9 are published, so the
 * slots hold 7, 8, 9 when it goes on.  By default every one is pushed,
 * oldest first; with every-frame=false only the newest, 9.  The first
 * frame is the newest either way: 5 of the 1..5 published before the start.
 * Pixels are checked too: a pool buffer reused for the next frame must
 * carry its pixels.
 */
struct hold {
	GMutex lock;
	GCond cond;
	gboolean held;
};

static GstPadProbeReturn on_hold(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	(void)pad;
	(void)info;
	struct hold *x = data;
	g_mutex_lock(&x->lock);
	x->held = TRUE;
	g_cond_signal(&x->cond);
	g_mutex_unlock(&x->lock);
	return GST_PAD_PROBE_OK; /* a blocking probe: the push waits until it is removed */
}

static void src_behind(gboolean every, const unsigned *want, int nwant)
{
	shmfb_writer *w = rgb_writer(name, 350);
	for (unsigned n = 1; n <= 5; n++)
		publish_rgb(w, 350, n);
	gchar *d = g_strdup_printf("shmfbsrc location=%s every-frame=%s", name, every ? "true" : "false");
	GstHarness *h = gst_harness_new_parse(d);
	gst_harness_play(h);
	GstBuffer *b = pull(h);
	expect_padded_rgb(b, 350, 5);
	gst_buffer_unref(b);
	struct hold x = {.held = FALSE};
	g_mutex_init(&x.lock);
	g_cond_init(&x.cond);
	GstPad *pad = gst_element_get_static_pad(h->element, "src");
	gulong probe = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BLOCK, on_hold, &x, NULL);
	publish_rgb(w, 350, 6);
	g_mutex_lock(&x.lock);
	gint64 until = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
	while (!x.held)
		if (!g_cond_wait_until(&x.cond, &x.lock, until))
			FAIL_AT("shmfbsrc did not push frame 6 within 5 s");
	g_mutex_unlock(&x.lock);
	for (unsigned n = 7; n <= 9; n++)
		publish_rgb(w, 350, n);
	gst_pad_remove_probe(pad, probe);
	gst_object_unref(pad);
	b = pull(h);
	expect_padded_rgb(b, 350, 6);
	gst_buffer_unref(b);
	for (int i = 0; i < nwant; i++) {
		b = pull(h);
		expect_padded_rgb(b, 350, want[i]);
		gst_buffer_unref(b);
	}
	g_usleep(200 * 1000);
	GstBuffer *extra = gst_harness_try_pull(h);
	if (extra)
		FAIL_AT("every-frame=%d: a buffer after the last frame held (offset %" G_GUINT64_FORMAT ")", every,
			(guint64)GST_BUFFER_OFFSET(extra));
	gst_harness_teardown(h);
	ASSERT_OK(shmfb_writer_close(w));
	g_mutex_clear(&x.lock);
	g_cond_clear(&x.cond);
	g_free(d);
}

static void test_src_every_frame(void)
{
	static const unsigned held[] = {7, 8, 9}, newest[] = {9};
	src_behind(TRUE, held, 3);
	src_behind(FALSE, newest, 1);
	printf("ok: src: newest first, then every frame still held (7, 8, 9 after a stall), or only the newest "
	       "with every-frame=false\n");
}

/* Publishes frame n with pts_ns and pulls it: its PTS, which must be there. */
static GstClockTime pts_of(GstHarness *h, shmfb_writer *w, unsigned n, uint64_t pts_ns)
{
	publish_rgb_at(w, 350, n, pts_ns);
	GstBuffer *b = pull(h);
	ASSERT_EQ(GST_BUFFER_OFFSET(b), 500 + n);
	ASSERT(GST_BUFFER_PTS_IS_VALID(b));
	GstClockTime pts = GST_BUFFER_PTS(b);
	gst_buffer_unref(b);
	return pts;
}

/*
 * PTS is the frame's capture time in running time, and strictly increasing
 * whatever the mapping says: frames captured before the pipeline started
 * (a producer late to publish, the latest frame at the start) cannot go
 * before running time 0, and a producer's pts is not trusted to increase.
 * Parsers drop a PTS equal to the one before (h264parse), and mp4mux then
 * fails the pipeline on a buffer without PTS (gst_recipes.sh, loaded).
 */
static void test_src_pts_increase(void)
{
	shmfb_writer *w = rgb_writer(name, 350);
	gchar *d = g_strdup_printf("shmfbsrc location=%s", name);
	GstHarness *h = gst_harness_new_parse(d);
	gst_harness_use_systemclock(h); /* CLOCK_MONOTONIC, as the pts in the mapping */
	/* Running time 0 now, as a pipeline going to PLAYING makes it. */
	uint64_t start = shmfb_now_ns();
	ASSERT(start > 400 * GST_MSECOND);
	gst_element_set_base_time(h->element, start);
	gst_harness_play(h);
	/* Captured 300 and 200 ms before the start: the first at 0, the second after it. */
	GstClockTime a = pts_of(h, w, 1, start - 300 * GST_MSECOND);
	GstClockTime b = pts_of(h, w, 2, start - 200 * GST_MSECOND);
	ASSERT_EQ(a, 0);
	ASSERT(b > a);
	/* After the start: exactly the capture time's running time. */
	GstClockTime c = pts_of(h, w, 3, start + 40 * GST_MSECOND);
	ASSERT_EQ(c, 40 * GST_MSECOND);
	/* A producer's pts that goes back, or stands still: still after the last. */
	GstClockTime e = pts_of(h, w, 4, start + 20 * GST_MSECOND);
	ASSERT(e > c);
	GstClockTime f = pts_of(h, w, 5, start + 20 * GST_MSECOND);
	ASSERT(f > e);
	ASSERT_EQ(pts_of(h, w, 6, start + 80 * GST_MSECOND), 80 * GST_MSECOND);
	gst_harness_teardown(h);
	ASSERT_OK(shmfb_writer_close(w));
	g_free(d);
	printf("ok: src: PTS the capture time in running time, strictly increasing from 0\n");
}

/* src errors: no such name, a hostile file, a producer that dies, timeout. */
static void expect_src_error(const char *props, const char *want)
{
	GstBus *bus;
	gchar *d = g_strdup_printf("shmfbsrc %s", props);
	GstHarness *h = harness_with_bus(d, &bus);
	gst_element_set_state(h->element, GST_STATE_PLAYING); /* may fail: not gst_harness_play */
	gchar *e = pop_error(bus, 5 * GST_SECOND);
	ASSERT_STR_CONTAINS(e, want);
	g_free(e);
	gst_harness_teardown(h);
	gst_object_unref(bus);
	g_free(d);
}

static void test_src_errors(void)
{
	gchar *props = g_strdup_printf("location=%s-none", name);
	gchar *want = g_strdup_printf("no producer: %s-none", name);
	expect_src_error(props, want);
	g_free(props);
	g_free(want);

	char path[] = "/tmp/shmfb-gst-hostile-XXXXXX";
	int fd = mkstemp(path);
	char junk[8192];
	memset(junk, 'x', sizeof junk);
	ASSERT_EQ(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	close(fd);
	props = g_strdup_printf("location=%s", path);
	expect_src_error(props, "not a usable shmfb mapping");
	g_free(props);
	unlink(path);

	/* A producer (the real one) killed under the source. */
	gchar *dying = g_strdup_printf("%s-dying", name);
	gchar *prog = g_build_filename(g_getenv("SHMFB_BIN"), "shmfb-producer", NULL);
	gchar *argv[] = {prog, "--size", "64x48", "--fps", "30", dying, NULL};
	GPid pid;
	GError *err = NULL;
	if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
			   NULL, &pid, &err))
		FAIL_AT("%s: %s", prog, err->message);
	GstBus *bus;
	shmfb_reader *r = NULL;
	for (int i = 0; i < 500 && shmfb_open(dying, &r) < 0; i++)
		g_usleep(10 * 1000);
	ASSERT(r);
	shmfb_reader_close(r);
	props = g_strdup_printf("shmfbsrc location=%s", dying);
	GstHarness *h = harness_with_bus(props, &bus);
	gst_harness_play(h);
	gst_buffer_unref(pull(h));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	gchar *e = pop_error(bus, 5 * GST_SECOND);
	gchar *gone = g_strdup_printf("the producer vanished: %s: producer pid %d died without closing",
				      dying, pid);
	ASSERT_STR_CONTAINS(e, gone);
	g_free(e);
	g_free(gone);
	gst_harness_teardown(h);
	gst_object_unref(bus);
	g_free(props);
	g_free(prog);
	shmfb_unlink(dying);
	g_free(dying);

	/* timeout: a live producer that publishes nothing new. */
	shmfb_writer *w = rgb_writer(name, 350);
	props = g_strdup_printf("location=%s timeout=300000000", name);
	want = g_strdup_printf("%s: no new frame within 300 ms (timeout)", name);
	expect_src_error(props, want);
	g_free(want);
	g_free(props);
	ASSERT_OK(shmfb_writer_close(w));
	printf("ok: src: errors name the name, the mapping, the producer, the timeout\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	gst_init(NULL, NULL);
	if (!gst_registry_find_plugin(gst_registry_get(), "shmfb")) {
		fprintf(stderr, "plugin shmfb not found (GST_PLUGIN_PATH)\n");
		return 1;
	}
	snprintf(name, sizeof name, "t-gstunit-%d", (int)getpid());
	test_sink_strides_and_numbers();
	test_sink_pool_is_the_slot();
	test_sink_caps_change();
	test_sink_errors();
	test_src_frames_caps_eos();
	test_src_pts_increase();
	test_src_every_frame();
	test_src_errors();
	shmfb_unlink(name);
	printf("gst harness tests ok\n");
	return 0;
}
