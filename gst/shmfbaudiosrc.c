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
	GstPushSrc parent;
	GstShmfbConn conn;
	GstAudioInfo info; /* of the caps set; rate 0 before */
	gboolean discont;
};

G_DEFINE_TYPE(GstShmfbAudioSrc, gst_shmfb_audio_src, GST_TYPE_PUSH_SRC)

/* At most this much audio in one buffer. */
#define MAX_BUFFER_MS 20

static GstStaticPadTemplate src_template =
	GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS,
				GST_STATIC_CAPS(GST_SHMFB_AUDIO_CAPS));

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *ps)
{
	GST_OBJECT_LOCK(obj);
	if (!gst_shmfb_conn_set_property(&GST_SHMFB_AUDIO_SRC(obj)->conn, id, v))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	GST_OBJECT_UNLOCK(obj);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *ps)
{
	GST_OBJECT_LOCK(obj);
	if (!gst_shmfb_conn_get_property(&GST_SHMFB_AUDIO_SRC(obj)->conn, id, v))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	GST_OBJECT_UNLOCK(obj);
}

static gboolean start(GstBaseSrc *bs)
{
	GstShmfbAudioSrc *self = GST_SHMFB_AUDIO_SRC(bs);
	gst_audio_info_init(&self->info);
	self->discont = TRUE;
	return gst_shmfb_conn_start(&self->conn);
}

static gboolean stop(GstBaseSrc *bs)
{
	gst_shmfb_conn_close(&GST_SHMFB_AUDIO_SRC(bs)->conn);
	return TRUE;
}

static gboolean unlock(GstBaseSrc *bs)
{
	gst_shmfb_conn_set_flushing(&GST_SHMFB_AUDIO_SRC(bs)->conn, TRUE);
	return TRUE;
}

static gboolean unlock_stop(GstBaseSrc *bs)
{
	gst_shmfb_conn_set_flushing(&GST_SHMFB_AUDIO_SRC(bs)->conn, FALSE);
	return TRUE;
}

static GstCaps *get_caps(GstBaseSrc *bs, GstCaps *filter)
{
	GstShmfbAudioSrc *self = GST_SHMFB_AUDIO_SRC(bs);
	GstCaps *caps = self->conn.reader ? gst_shmfb_audio_caps(shmfb_reader_info(self->conn.reader))
					  : NULL;
	if (!caps)
		caps = gst_pad_get_pad_template_caps(GST_BASE_SRC_PAD(bs));
	if (filter) {
		GstCaps *both = gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
		gst_caps_unref(caps);
		caps = both;
	}
	return caps;
}

static gboolean use_mapping_caps(GstShmfbAudioSrc *self)
{
	GstCaps *caps = gst_shmfb_audio_caps(shmfb_reader_info(self->conn.reader));
	GstAudioInfo info;
	if (!caps || !gst_audio_info_from_caps(&info, caps)) {
		GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("%s: the mapping's audio format has no caps",
							self->conn.location), (NULL));
		if (caps)
			gst_caps_unref(caps);
		return FALSE;
	}
	gboolean ok = TRUE;
	if (!gst_audio_info_is_equal(&info, &self->info)) {
		ok = gst_base_src_set_caps(GST_BASE_SRC(self), caps);
		if (ok)
			self->info = info;
		else
			GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
					  ("%s: downstream refused the mapping's caps %" GST_PTR_FORMAT,
					   self->conn.location, caps), (NULL));
	}
	gst_caps_unref(caps);
	return ok;
}

static gboolean negotiate(GstBaseSrc *bs)
{
	GstShmfbAudioSrc *self = GST_SHMFB_AUDIO_SRC(bs);
	if (!self->conn.reader)
		return TRUE;
	gst_audio_info_init(&self->info);
	return use_mapping_caps(self);
}

/* The CLOCK_MONOTONIC time of frame position p, from the writer's clock pair. */
static gboolean position_time(GstShmfbAudioSrc *self, uint64_t p, uint64_t *t)
{
	uint64_t pos, ns;
	int rc;
	for (int attempt = 0; (rc = shmfb_audio_clock(self->conn.reader, &pos, &ns)) == SHMFB_ETORN &&
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
	const shmfb_info *in = shmfb_reader_info(self->conn.reader);
	guint rate = in->audio_rate;
	uint32_t max = MIN(in->audio_capacity, MAX(1u, rate * MAX_BUFFER_MS / 1000));
	GstBuffer *buf = gst_buffer_new_allocate(NULL, (gsize)max * in->audio_frame_bytes, NULL);
	GstMapInfo map;
	gst_buffer_map(buf, &map, GST_MAP_WRITE);
	shmfb_audio_block b;
	int n = shmfb_audio_read(self->conn.reader, map.data, max, &b);
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
		self->discont = TRUE;
	}
	uint64_t t;
	if (!gst_base_src_get_do_timestamp(GST_BASE_SRC(self)) && position_time(self, b.position, &t))
		GST_BUFFER_PTS(buf) = gst_shmfb_mono_to_running(GST_ELEMENT(self), t);
	GST_BUFFER_DURATION(buf) = gst_util_uint64_scale_int((guint64)n, GST_SECOND, (gint)rate);
	GST_BUFFER_OFFSET(buf) = b.position;
	GST_BUFFER_OFFSET_END(buf) = b.position + (guint64)n;
	if (self->discont)
		GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
	self->discont = FALSE;
	*out = buf;
	return GST_FLOW_OK;
}

static GstFlowReturn create(GstPushSrc *ps, GstBuffer **out)
{
	GstShmfbAudioSrc *self = GST_SHMFB_AUDIO_SRC(ps);
	for (;;) {
		GstShmfbWaitResult w = gst_shmfb_conn_wait(&self->conn);
		if (w == GST_SHMFB_NEW_PRODUCER) {
			self->discont = TRUE;
			if (!use_mapping_caps(self))
				return GST_FLOW_ERROR;
			continue;
		}
		if (w == GST_SHMFB_FLUSHING)
			return GST_FLOW_FLUSHING;
		if (w == GST_SHMFB_EOS)
			return GST_FLOW_EOS;
		if (w != GST_SHMFB_GOT)
			return GST_FLOW_ERROR;
		if (!GST_AUDIO_INFO_RATE(&self->info) && !use_mapping_caps(self))
			return GST_FLOW_ERROR;
		GstFlowReturn ret = read_audio(self, out);
		if (ret != GST_FLOW_OK || *out)
			return ret;
	}
}

static gboolean query(GstBaseSrc *bs, GstQuery *q)
{
	if (GST_QUERY_TYPE(q) != GST_QUERY_LATENCY)
		return GST_BASE_SRC_CLASS(gst_shmfb_audio_src_parent_class)->query(bs, q);
	/* The producer writes blocks when their first sample is due; we take
	 * up to MAX_BUFFER_MS at once. */
	gst_query_set_latency(q, TRUE, MAX_BUFFER_MS * GST_MSECOND, GST_CLOCK_TIME_NONE);
	return TRUE;
}

static void finalize(GObject *obj)
{
	g_free(GST_SHMFB_AUDIO_SRC(obj)->conn.location);
	G_OBJECT_CLASS(gst_shmfb_audio_src_parent_class)->finalize(obj);
}

static void gst_shmfb_audio_src_class_init(GstShmfbAudioSrcClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstBaseSrcClass *bc = GST_BASE_SRC_CLASS(klass);
	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	gst_shmfb_conn_install_properties(oc, "Post an error when no new audio comes for this many "
					      "nanoseconds (0 = wait for ever)");
	gst_element_class_add_static_pad_template(ec, &src_template);
	gst_element_class_set_static_metadata(ec, "shmfb audio source", "Source/Audio",
		"Reads the audio ring of a named shmfb shared-memory mapping (live)", "shmfb project");
	bc->start = start;
	bc->stop = stop;
	bc->unlock = unlock;
	bc->unlock_stop = unlock_stop;
	bc->get_caps = get_caps;
	bc->negotiate = negotiate;
	bc->query = query;
	GST_PUSH_SRC_CLASS(klass)->create = create;
}

static void gst_shmfb_audio_src_init(GstShmfbAudioSrc *self)
{
	gst_shmfb_conn_init(&self->conn, GST_ELEMENT(self), TRUE);
	gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
	gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
	gst_audio_info_init(&self->info);
}
