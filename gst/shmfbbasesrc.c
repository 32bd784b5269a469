/*
 * shmfbbasesrc.c - the live source both shmfb sources are (see shmfbbasesrc.h).
 */
#include "shmfbbasesrc.h"

typedef struct {
	GstShmfbConn conn;
	gboolean discont; /* the next buffer is DISCONT: the first, or after a break */
	GstClockTime last_pts; /* of the buffer pushed last; NONE before the first */
} GstShmfbBaseSrcPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(GstShmfbBaseSrc, gst_shmfb_base_src, GST_TYPE_PUSH_SRC)

static GstShmfbBaseSrcPrivate *private_of(GstShmfbBaseSrc *src)
{
	return gst_shmfb_base_src_get_instance_private(src);
}

GstShmfbConn *gst_shmfb_base_src_conn(GstShmfbBaseSrc *src)
{
	return &private_of(src)->conn;
}

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *ps)
{
	GST_OBJECT_LOCK(obj);
	if (!gst_shmfb_conn_set_property(gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(obj)), id, v))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	GST_OBJECT_UNLOCK(obj);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *ps)
{
	GST_OBJECT_LOCK(obj);
	if (!gst_shmfb_conn_get_property(gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(obj)), id, v))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	GST_OBJECT_UNLOCK(obj);
}

static gboolean start(GstBaseSrc *bs)
{
	gst_shmfb_base_src_set_discont(GST_SHMFB_BASE_SRC(bs));
	private_of(GST_SHMFB_BASE_SRC(bs))->last_pts = GST_CLOCK_TIME_NONE;
	return gst_shmfb_conn_start(gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(bs)));
}

static gboolean stop(GstBaseSrc *bs)
{
	gst_shmfb_conn_close(gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(bs)));
	return TRUE;
}

static gboolean unlock(GstBaseSrc *bs)
{
	gst_shmfb_conn_set_flushing(gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(bs)), TRUE);
	return TRUE;
}

static gboolean unlock_stop(GstBaseSrc *bs)
{
	gst_shmfb_conn_set_flushing(gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(bs)), FALSE);
	return TRUE;
}

/* The header's caps while a mapping is open, the template's before. */
static GstCaps *get_caps(GstBaseSrc *bs, GstCaps *filter)
{
	GstShmfbBaseSrc *self = GST_SHMFB_BASE_SRC(bs);
	GstShmfbConn *c = gst_shmfb_base_src_conn(self);
	GstCaps *caps = c->reader ? GST_SHMFB_BASE_SRC_GET_CLASS(self)->mapping_caps(shmfb_reader_info(c->reader))
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

/* Sets the open mapping's caps on the pad unless they are there already. */
static gboolean use_mapping_caps(GstShmfbBaseSrc *self)
{
	GstShmfbConn *c = gst_shmfb_base_src_conn(self);
	GstShmfbBaseSrcClass *klass = GST_SHMFB_BASE_SRC_GET_CLASS(self);
	GstCaps *caps = klass->mapping_caps(shmfb_reader_info(c->reader));
	if (!caps) {
		GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("%s: the mapping's format has no caps", c->location),
				  (NULL));
		return FALSE;
	}
	GstCaps *now = gst_pad_get_current_caps(GST_BASE_SRC_PAD(self));
	gboolean ok = TRUE;
	if (!now || !gst_caps_is_equal(now, caps)) {
		GST_INFO_OBJECT(self, "caps %" GST_PTR_FORMAT, caps);
		ok = gst_base_src_set_caps(GST_BASE_SRC(self), caps) && klass->caps_set(self, caps);
		if (!ok)
			GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
					  ("%s: downstream refused the mapping's caps %" GST_PTR_FORMAT,
					   c->location, caps), (NULL));
	}
	if (now)
		gst_caps_unref(now);
	gst_caps_unref(caps);
	return ok;
}

/* Negotiation happens once a mapping is open; until then there is nothing to say. */
static gboolean negotiate(GstBaseSrc *bs)
{
	GstShmfbBaseSrc *self = GST_SHMFB_BASE_SRC(bs);
	return !gst_shmfb_base_src_conn(self)->reader || use_mapping_caps(self);
}

/*
 * Everything captured before the pipeline started maps to running time 0:
 * the latest frame at the start, and any a loaded producer publishes late
 * (a frame's pts is its deadline).  The pts is also the producer's word,
 * untrusted.  A PTS that does not advance breaks downstream: a parser drops
 * a PTS equal to the one before (baseparse: h264parse) and mp4mux then
 * fails on a buffer without PTS.  So such a buffer goes 1 ns after the last.
 */
GstClockTime gst_shmfb_base_src_pts(GstShmfbBaseSrc *src, uint64_t mono_ns)
{
	GstShmfbBaseSrcPrivate *p = private_of(src);
	GstClockTime pts = gst_shmfb_mono_to_running(GST_ELEMENT(src), mono_ns);
	if (GST_CLOCK_TIME_IS_VALID(p->last_pts) && pts <= p->last_pts) {
		GST_DEBUG_OBJECT(src, "pts %" GST_TIME_FORMAT " not after the last %" GST_TIME_FORMAT,
				 GST_TIME_ARGS(pts), GST_TIME_ARGS(p->last_pts));
		pts = p->last_pts + 1;
	}
	p->last_pts = pts;
	return pts;
}

void gst_shmfb_base_src_set_discont(GstShmfbBaseSrc *src)
{
	private_of(src)->discont = TRUE;
}

void gst_shmfb_base_src_mark_discont(GstShmfbBaseSrc *src, GstBuffer *buf)
{
	if (private_of(src)->discont)
		GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
	private_of(src)->discont = FALSE;
}

GstFlowReturn gst_shmfb_base_src_wait(GstShmfbBaseSrc *src)
{
	GstShmfbConn *c = gst_shmfb_base_src_conn(src);
	for (;;) {
		switch (gst_shmfb_conn_wait(c)) {
		case GST_SHMFB_NEW_PRODUCER:
			gst_shmfb_base_src_set_discont(src);
			if (!use_mapping_caps(src))
				return GST_FLOW_NOT_NEGOTIATED;
			continue;
		case GST_SHMFB_GOT:
			if (!gst_pad_has_current_caps(GST_BASE_SRC_PAD(src)) && !use_mapping_caps(src))
				return GST_FLOW_NOT_NEGOTIATED;
			return GST_FLOW_OK;
		case GST_SHMFB_FLUSHING: return GST_FLOW_FLUSHING;
		case GST_SHMFB_EOS:
			GST_INFO_OBJECT(src, "%s: the producer closed: EOS", c->location);
			return GST_FLOW_EOS;
		default: return GST_FLOW_ERROR;
		}
	}
}

/* The latency query: live, the class's min_latency, no max. */
static gboolean query(GstBaseSrc *bs, GstQuery *q)
{
	if (GST_QUERY_TYPE(q) != GST_QUERY_LATENCY)
		return GST_BASE_SRC_CLASS(gst_shmfb_base_src_parent_class)->query(bs, q);
	GstShmfbBaseSrc *self = GST_SHMFB_BASE_SRC(bs);
	GstClockTime min = GST_SHMFB_BASE_SRC_GET_CLASS(self)->min_latency(self);
	gst_query_set_latency(q, TRUE, min, GST_CLOCK_TIME_NONE);
	return TRUE;
}

static void finalize(GObject *obj)
{
	g_free(gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(obj))->location);
	G_OBJECT_CLASS(gst_shmfb_base_src_parent_class)->finalize(obj);
}

static void gst_shmfb_base_src_class_init(GstShmfbBaseSrcClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstBaseSrcClass *bc = GST_BASE_SRC_CLASS(klass);
	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	gst_shmfb_conn_install_properties(oc, "Post an error when nothing new comes for this many "
					      "nanoseconds (0 = wait for ever)");
	bc->start = start;
	bc->stop = stop;
	bc->unlock = unlock;
	bc->unlock_stop = unlock_stop;
	bc->get_caps = get_caps;
	bc->negotiate = negotiate;
	bc->query = query;
}

static void gst_shmfb_base_src_init(GstShmfbBaseSrc *self)
{
	/* Frames; shmfbaudiosrc's init says audio (the class is not yet its own here). */
	gst_shmfb_conn_init(gst_shmfb_base_src_conn(self), GST_ELEMENT(self), FALSE);
	gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
	gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
}
