/*
 * shmfbsrc - a live source of a shmfb mapping's frames.
 *
 * Caps come from the header.  It sleeps on the mapping's futex and pushes
 * each newly published frame once (a slower pipeline gets the latest, as
 * shmfb cat does), with the slot's pts_ns as PTS in running time.  A new
 * generation under the name (producer restart, caps change) is followed and
 * renegotiated; a close is EOS unless wait-for-new-producer is set.
 *
 * Zero copy: no.  A reader cannot pin a slot: the writer reuses it two
 * frames later whatever the reader does, and a GStreamer buffer lives as long
 * as downstream wants (queues, encoders' lookahead).  So each frame is copied
 * out of the slot once, into the buffer pushed, in GStreamer's default row
 * layout, and the seqlock is checked after the copy: a frame overwritten
 * during the copy is never pushed.
 */
#include "elements.h"

#include <string.h>

struct _GstShmfbSrc {
	GstPushSrc parent;
	GstShmfbConn conn;
	GstVideoInfo info; /* of the caps set; format UNKNOWN before */
	gboolean discont;
};

G_DEFINE_TYPE(GstShmfbSrc, gst_shmfb_src, GST_TYPE_PUSH_SRC)

/* Copies of one frame that the writer may spoil before one is whole. */
#define COPY_ATTEMPTS 4

static GstStaticPadTemplate src_template =
	GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS,
				GST_STATIC_CAPS(GST_SHMFB_VIDEO_CAPS));

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *ps)
{
	GST_OBJECT_LOCK(obj);
	if (!gst_shmfb_conn_set_property(&GST_SHMFB_SRC(obj)->conn, id, v))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	GST_OBJECT_UNLOCK(obj);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *ps)
{
	GST_OBJECT_LOCK(obj);
	if (!gst_shmfb_conn_get_property(&GST_SHMFB_SRC(obj)->conn, id, v))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	GST_OBJECT_UNLOCK(obj);
}

static gboolean start(GstBaseSrc *bs)
{
	GstShmfbSrc *self = GST_SHMFB_SRC(bs);
	gst_video_info_init(&self->info);
	self->discont = TRUE;
	return gst_shmfb_conn_start(&self->conn);
}

static gboolean stop(GstBaseSrc *bs)
{
	gst_shmfb_conn_close(&GST_SHMFB_SRC(bs)->conn);
	return TRUE;
}

static gboolean unlock(GstBaseSrc *bs)
{
	gst_shmfb_conn_set_flushing(&GST_SHMFB_SRC(bs)->conn, TRUE);
	return TRUE;
}

static gboolean unlock_stop(GstBaseSrc *bs)
{
	gst_shmfb_conn_set_flushing(&GST_SHMFB_SRC(bs)->conn, FALSE);
	return TRUE;
}

static GstCaps *get_caps(GstBaseSrc *bs, GstCaps *filter)
{
	GstShmfbSrc *self = GST_SHMFB_SRC(bs);
	GstCaps *caps = self->conn.reader ? gst_shmfb_video_caps(shmfb_reader_info(self->conn.reader))
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

/* Sets the caps of the mapping now open, if they are not those set already. */
static gboolean use_mapping_caps(GstShmfbSrc *self)
{
	GstCaps *caps = gst_shmfb_video_caps(shmfb_reader_info(self->conn.reader));
	GstVideoInfo info;
	if (!caps || !gst_video_info_from_caps(&info, caps)) {
		GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("%s: the mapping's format has no caps",
							self->conn.location), (NULL));
		if (caps)
			gst_caps_unref(caps);
		return FALSE;
	}
	gboolean ok = TRUE;
	if (!gst_video_info_is_equal(&info, &self->info)) {
		GST_INFO_OBJECT(self, "caps %" GST_PTR_FORMAT, caps);
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

/* Negotiation happens once a mapping is open; until then nothing to say. */
static gboolean negotiate(GstBaseSrc *bs)
{
	GstShmfbSrc *self = GST_SHMFB_SRC(bs);
	if (!self->conn.reader)
		return TRUE;
	gst_video_info_init(&self->info);
	return use_mapping_caps(self);
}

static void copy_planes(const shmfb_layout *l, const shmfb_frame *f, GstVideoFrame *vf)
{
	for (guint i = 0; i < l->plane_count; i++) {
		guint8 *dst = GST_VIDEO_FRAME_PLANE_DATA(vf, i);
		gint dst_stride = GST_VIDEO_FRAME_PLANE_STRIDE(vf, i);
		for (uint32_t y = 0; y < l->rows[i]; y++)
			memcpy(dst + (gssize)y * dst_stride, f->data[i] + (size_t)y * f->stride[i],
			       l->row_bytes[i]);
	}
}

typedef enum { READ_OK, READ_NONE, READ_ERROR } ReadResult;

/* Copies the latest frame into buf; READ_NONE when there is nothing new or whole. */
static ReadResult read_frame(GstShmfbSrc *self, GstBuffer *buf, shmfb_frame *f)
{
	shmfb_reader *r = self->conn.reader;
	const shmfb_layout *l = &shmfb_reader_info(r)->layout;
	for (int attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
		int rc = shmfb_reader_latest(r, f);
		if (rc == SHMFB_ETORN)
			continue;
		if (rc == SHMFB_ENOFRAME)
			return READ_NONE;
		if (rc < 0) {
			GST_SHMFB_ELEMENT_ERROR(self, RESOURCE, READ, rc, "the mapping went bad");
			return READ_ERROR;
		}
		if (f->index <= self->conn.seen)
			return READ_NONE;
		GstVideoFrame vf;
		if (!gst_video_frame_map(&vf, &self->info, buf, GST_MAP_WRITE))
			return READ_ERROR;
		copy_planes(l, f, &vf);
		gst_video_frame_unmap(&vf);
		if (shmfb_frame_valid(r, f))
			return READ_OK;
	}
	GST_DEBUG_OBJECT(self, "frame rewritten during %d copies: waiting for the next", COPY_ATTEMPTS);
	return READ_NONE;
}

static void stamp_buffer(GstShmfbSrc *self, GstBuffer *buf, const shmfb_frame *f)
{
	if (!gst_base_src_get_do_timestamp(GST_BASE_SRC(self)))
		GST_BUFFER_PTS(buf) = gst_shmfb_mono_to_running(GST_ELEMENT(self), f->pts_ns);
	if (self->info.fps_n > 0)
		GST_BUFFER_DURATION(buf) =
			gst_util_uint64_scale_int(GST_SECOND, self->info.fps_d, self->info.fps_n);
	GST_BUFFER_OFFSET(buf) = f->frame_number;
	if (self->discont)
		GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
	self->discont = FALSE;
}

static GstFlowReturn wait_result_flow(GstShmfbSrc *self, GstShmfbWaitResult w)
{
	switch (w) {
	case GST_SHMFB_FLUSHING: return GST_FLOW_FLUSHING;
	case GST_SHMFB_EOS:
		GST_INFO_OBJECT(self, "%s: producer closed: EOS", self->conn.location);
		return GST_FLOW_EOS;
	default: return GST_FLOW_ERROR;
	}
}

static GstFlowReturn create(GstPushSrc *ps, GstBuffer **out)
{
	GstShmfbSrc *self = GST_SHMFB_SRC(ps);
	GstBuffer *buf = NULL;
	for (;;) {
		GstShmfbWaitResult w = gst_shmfb_conn_wait(&self->conn);
		if (w == GST_SHMFB_NEW_PRODUCER) {
			self->discont = TRUE;
			if (!use_mapping_caps(self))
				break;
			gst_clear_buffer(&buf);
			continue;
		}
		if (w != GST_SHMFB_GOT) {
			gst_clear_buffer(&buf);
			return wait_result_flow(self, w);
		}
		if (GST_VIDEO_INFO_FORMAT(&self->info) == GST_VIDEO_FORMAT_UNKNOWN && !use_mapping_caps(self))
			break;
		if (!buf)
			buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&self->info), NULL);
		shmfb_frame f;
		ReadResult rr = read_frame(self, buf, &f);
		if (rr == READ_ERROR)
			break;
		if (rr == READ_NONE)
			continue;
		self->conn.seen = f.index;
		stamp_buffer(self, buf, &f);
		*out = buf;
		return GST_FLOW_OK;
	}
	gst_clear_buffer(&buf);
	return GST_FLOW_ERROR;
}

/* Live: a frame reaches us up to one frame period after its pts. */
static gboolean query(GstBaseSrc *bs, GstQuery *q)
{
	GstShmfbSrc *self = GST_SHMFB_SRC(bs);
	if (GST_QUERY_TYPE(q) != GST_QUERY_LATENCY)
		return GST_BASE_SRC_CLASS(gst_shmfb_src_parent_class)->query(bs, q);
	GstClockTime period = self->info.fps_n > 0 ? gst_util_uint64_scale_int(GST_SECOND, self->info.fps_d,
									      self->info.fps_n)
						   : 0;
	gst_query_set_latency(q, TRUE, period, GST_CLOCK_TIME_NONE);
	return TRUE;
}

static void finalize(GObject *obj)
{
	g_free(GST_SHMFB_SRC(obj)->conn.location);
	G_OBJECT_CLASS(gst_shmfb_src_parent_class)->finalize(obj);
}

static void gst_shmfb_src_class_init(GstShmfbSrcClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstBaseSrcClass *bc = GST_BASE_SRC_CLASS(klass);
	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	gst_shmfb_conn_install_properties(oc, "Post an error when no new frame comes for this many "
					     "nanoseconds (0 = wait for ever)");
	gst_element_class_add_static_pad_template(ec, &src_template);
	gst_element_class_set_static_metadata(ec, "shmfb video source", "Source/Video",
		"Reads the frames of a named shmfb shared-memory mapping (live)", "shmfb project");
	bc->start = start;
	bc->stop = stop;
	bc->unlock = unlock;
	bc->unlock_stop = unlock_stop;
	bc->get_caps = get_caps;
	bc->negotiate = negotiate;
	bc->query = query;
	GST_PUSH_SRC_CLASS(klass)->create = create;
}

static void gst_shmfb_src_init(GstShmfbSrc *self)
{
	gst_shmfb_conn_init(&self->conn, GST_ELEMENT(self), FALSE);
	gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
	gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
	gst_video_info_init(&self->info);
}
