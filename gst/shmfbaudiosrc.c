/*
 * shmfbaudiosrc - a live source of a shmfb mapping's audio ring.
 *
 * It has its own reader and cursor, so it runs beside a shmfbsrc on the
 * same mapping.  Each buffer's PTS is the time of its first sample from the
 * writer's clock pair (position, CLOCK_MONOTONIC time), converted exactly as
 * shmfbsrc converts the frames' pts: the two stay in sync to the sample.
 * Samples lost to an overrun make the next buffer DISCONT.
 */
#include "elements.h"

struct _GstShmfbAudioSrc {
	GstShmfbBaseSrc parent;
	GstAudioInfo info; /* of the caps set */
};

G_DEFINE_TYPE(GstShmfbAudioSrc, gst_shmfb_audio_src, GST_TYPE_SHMFB_BASE_SRC)

/* At most this much audio in one buffer. */
#define MAX_BUFFER_MS 20

static GstStaticPadTemplate src_template =
	GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS,
				GST_STATIC_CAPS(GST_SHMFB_AUDIO_CAPS));

static gboolean caps_set(GstShmfbBaseSrc *bs, GstCaps *caps)
{
	return gst_audio_info_from_caps(&GST_SHMFB_AUDIO_SRC(bs)->info, caps);
}

static shmfb_reader *reader_of(GstShmfbAudioSrc *self)
{
	return gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(self))->reader;
}

/* The CLOCK_MONOTONIC time of frame position p, from the writer's clock pair. */
static gboolean position_time(GstShmfbAudioSrc *self, uint64_t p, uint64_t *t)
{
	uint64_t pos, ns;
	int rc;
	for (int attempt = 0; (rc = shmfb_audio_clock(reader_of(self), &pos, &ns)) == SHMFB_ETORN &&
			      attempt < 100; attempt++)
		;
	if (rc < 0)
		return FALSE;
	guint rate = (guint)GST_AUDIO_INFO_RATE(&self->info);
	if (p >= pos)
		*t = ns + gst_util_uint64_scale_int(p - pos, GST_SECOND, (gint)rate);
	else
		*t = ns - gst_util_uint64_scale_int(pos - p, GST_SECOND, (gint)rate);
	return TRUE;
}

/* Reads what is there (up to MAX_BUFFER_MS) into a new buffer; 0 frames = NULL. */
static GstFlowReturn read_audio(GstShmfbAudioSrc *self, GstBuffer **out)
{
	const shmfb_info *in = shmfb_reader_info(reader_of(self));
	guint rate = in->audio_rate;
	uint32_t max = MIN(in->audio_capacity, MAX(1u, rate * MAX_BUFFER_MS / 1000));
	GstBuffer *buf = gst_buffer_new_allocate(NULL, (gsize)max * in->audio_frame_bytes, NULL);
	GstMapInfo map;
	gst_buffer_map(buf, &map, GST_MAP_WRITE);
	shmfb_audio_block b;
	int n = shmfb_audio_read(reader_of(self), map.data, max, &b);
	gst_buffer_unmap(buf, &map);
	if (n <= 0) {
		gst_buffer_unref(buf);
		*out = NULL;
		if (n == 0)
			return GST_FLOW_OK;
		GST_SHMFB_ELEMENT_ERROR(self, RESOURCE, READ, n, "the audio ring went bad");
		return GST_FLOW_ERROR;
	}
	gst_buffer_set_size(buf, (gsize)n * in->audio_frame_bytes);
	if (b.lost) {
		GST_WARNING_OBJECT(self, "%" G_GUINT64_FORMAT " audio frames lost (fell behind the ring)",
				   (guint64)b.lost);
		gst_shmfb_base_src_set_discont(GST_SHMFB_BASE_SRC(self));
	}
	uint64_t t;
	if (!gst_base_src_get_do_timestamp(GST_BASE_SRC(self)) && position_time(self, b.position, &t))
		GST_BUFFER_PTS(buf) = gst_shmfb_base_src_pts(GST_SHMFB_BASE_SRC(self), t);
	GST_BUFFER_DURATION(buf) = gst_util_uint64_scale_int((guint64)n, GST_SECOND, (gint)rate);
	GST_BUFFER_OFFSET(buf) = b.position;
	GST_BUFFER_OFFSET_END(buf) = b.position + (guint64)n;
	gst_shmfb_base_src_mark_discont(GST_SHMFB_BASE_SRC(self), buf);
	*out = buf;
	return GST_FLOW_OK;
}

static GstFlowReturn create(GstPushSrc *ps, GstBuffer **out)
{
	GstShmfbAudioSrc *self = GST_SHMFB_AUDIO_SRC(ps);
	for (;;) {
		GstFlowReturn ret = gst_shmfb_base_src_wait(GST_SHMFB_BASE_SRC(self));
		if (ret == GST_FLOW_OK)
			ret = read_audio(self, out);
		if (ret != GST_FLOW_OK || *out)
			return ret;
	}
}

/* The producer writes blocks when their first sample is due; we take up to
 * MAX_BUFFER_MS at once. */
static GstClockTime min_latency(GstShmfbBaseSrc *bs)
{
	(void)bs;
	return MAX_BUFFER_MS * GST_MSECOND;
}

static void gst_shmfb_audio_src_class_init(GstShmfbAudioSrcClass *klass)
{
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstShmfbBaseSrcClass *sc = GST_SHMFB_BASE_SRC_CLASS(klass);
	gst_element_class_add_static_pad_template(ec, &src_template);
	gst_element_class_set_static_metadata(ec, "shmfb audio source", "Source/Audio",
		"Reads the audio ring of a named shmfb shared-memory mapping (live)", "shmfb project");
	GST_PUSH_SRC_CLASS(klass)->create = create;
	sc->mapping_caps = gst_shmfb_audio_caps;
	sc->caps_set = caps_set;
	sc->min_latency = min_latency;
}

static void gst_shmfb_audio_src_init(GstShmfbAudioSrc *self)
{
	gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(self))->audio = TRUE;
	gst_audio_info_init(&self->info);
}
