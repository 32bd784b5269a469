/*
 * shmfbsrc - a live source of a shmfb mapping's frames.
 *
 * Caps come from the header.  It sleeps on the mapping's futex and pushes
 * each published frame once, with the slot's pts_ns as PTS in running time
 * (strictly increasing: gst_shmfb_base_src_pts).  Which frames: the newest
 * first, then by default every frame the slots still hold after the last
 * one pushed, oldest first (shmfb_reader_next), so a pipeline up to one
 * frame behind loses nothing, which encoders and recorders want; with
 * every-frame=false only the newest (latest wins, as shmfb cat), for a
 * display that would rather skip than lag.  A new
 * generation under the name (producer restart, caps change) is followed and
 * renegotiated; a close is EOS unless wait-for-new-producer is set
 * (shmfbbasesrc.c).
 *
 * Zero copy: no.  A reader cannot pin a slot: the writer reuses it two
 * frames later whatever the reader does, and a GStreamer buffer lives as long
 * as downstream wants (queues, encoders' lookahead).  So each frame is copied
 * out of the slot once, into the buffer pushed, in GStreamer's default row
 * layout, and the seqlock is checked after the copy: a frame overwritten
 * during the copy is never pushed.  The buffers come from a pool of the
 * element's own, remade when the frame size changes: a fresh 8 MB buffer
 * per 1080p frame cost its page faults every frame (on a VM, several ms)
 * and, with four sources, most of a CPU.
 */
#include "elements.h"

#include <string.h>

struct _GstShmfbSrc {
	GstShmfbBaseSrc parent;
	GstVideoInfo info;   /* of the caps set */
	GstBufferPool *pool; /* of buffers of pool_size bytes; NULL until the first frame */
	gsize pool_size;     /* kept: reading the pool's config back would allocate per frame */
	gboolean every_frame; /* property: every frame still held, or only the newest */
};

enum { PROP_EVERY_FRAME = 100 }; /* after the base class's */
#define POOL_MIN_BUFFERS 2

G_DEFINE_TYPE(GstShmfbSrc, gst_shmfb_src, GST_TYPE_SHMFB_BASE_SRC)

/* Copies of one frame that the writer may spoil before one is whole. */
#define COPY_ATTEMPTS 4

static GstStaticPadTemplate src_template =
	GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS,
				GST_STATIC_CAPS(GST_SHMFB_VIDEO_CAPS));

static gboolean caps_set(GstShmfbBaseSrc *bs, GstCaps *caps)
{
	return gst_video_info_from_caps(&GST_SHMFB_SRC(bs)->info, caps);
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

typedef enum { READ_OK, READ_NONE, READ_SPOILED, READ_ERROR } ReadResult;

/*
 * Copies the next frame after seen (every-frame) or the newest into buf;
 * READ_NONE when there is nothing new, READ_SPOILED when no copy came out
 * whole: wait for a newer frame than the latest before trying again.
 */
static ReadResult read_frame(GstShmfbSrc *self, shmfb_reader *r, uint64_t seen, GstBuffer *buf,
			     shmfb_frame *f)
{
	const shmfb_layout *l = &shmfb_reader_info(r)->layout;
	for (int attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
		/* The first frame is the newest: those before we started are not ours to catch up. */
		int rc = self->every_frame && seen ? shmfb_reader_next(r, seen, f) : shmfb_reader_latest(r, f);
		if (rc == SHMFB_ETORN)
			continue;
		if (rc == SHMFB_ENOFRAME)
			return READ_NONE;
		if (rc < 0) {
			GST_SHMFB_ELEMENT_ERROR(self, RESOURCE, READ, rc, "the mapping went bad");
			return READ_ERROR;
		}
		if (f->index <= seen)
			return READ_NONE;
		GstVideoFrame vf;
		if (!gst_video_frame_map(&vf, &self->info, buf, GST_MAP_WRITE))
			return READ_ERROR;
		copy_planes(l, f, &vf);
		gst_video_frame_unmap(&vf);
		if (shmfb_frame_valid(r, f))
			return READ_OK;
	}
	GST_DEBUG_OBJECT(self, "no whole copy in %d attempts: waiting for a newer frame", COPY_ATTEMPTS);
	return READ_SPOILED;
}

static void stamp_buffer(GstShmfbSrc *self, GstBuffer *buf, const shmfb_frame *f)
{
	if (!gst_base_src_get_do_timestamp(GST_BASE_SRC(self)))
		GST_BUFFER_PTS(buf) = gst_shmfb_base_src_pts(GST_SHMFB_BASE_SRC(self), f->pts_ns);
	if (self->info.fps_n > 0)
		GST_BUFFER_DURATION(buf) =
			gst_util_uint64_scale_int(GST_SECOND, self->info.fps_d, self->info.fps_n);
	GST_BUFFER_OFFSET(buf) = f->frame_number;
	gst_shmfb_base_src_mark_discont(GST_SHMFB_BASE_SRC(self), buf);
}

static void drop_pool(GstShmfbSrc *self)
{
	if (self->pool) {
		gst_buffer_pool_set_active(self->pool, FALSE);
		gst_object_unref(self->pool);
		self->pool = NULL;
		self->pool_size = 0;
	}
}

/* A pool of buffers of the caps' size, made again when the caps changed with the producer. */
static gboolean ensure_pool(GstShmfbSrc *self)
{
	gsize size = GST_VIDEO_INFO_SIZE(&self->info);
	if (self->pool && self->pool_size == size)
		return TRUE;
	drop_pool(self);
	GstBufferPool *pool = gst_buffer_pool_new();
	GstStructure *cfg = gst_buffer_pool_get_config(pool);
	GstCaps *caps = gst_video_info_to_caps(&self->info);
	gst_buffer_pool_config_set_params(cfg, caps, (guint)size, POOL_MIN_BUFFERS, 0);
	gst_caps_unref(caps);
	if (!gst_buffer_pool_set_config(pool, cfg) || !gst_buffer_pool_set_active(pool, TRUE)) {
		gst_object_unref(pool);
		GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
				  ("no buffer pool for %" G_GSIZE_FORMAT "-byte frames", size), (NULL));
		return FALSE;
	}
	self->pool = pool;
	self->pool_size = size;
	return TRUE;
}

static GstFlowReturn new_buffer(GstShmfbSrc *self, GstBuffer **buf)
{
	if (!ensure_pool(self))
		return GST_FLOW_ERROR;
	return gst_buffer_pool_acquire_buffer(self->pool, buf, NULL);
}

static GstFlowReturn create(GstPushSrc *ps, GstBuffer **out)
{
	GstShmfbSrc *self = GST_SHMFB_SRC(ps);
	GstShmfbConn *c = gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(self));
	for (;;) {
		GstFlowReturn ret = gst_shmfb_base_src_wait(GST_SHMFB_BASE_SRC(self));
		if (ret != GST_FLOW_OK)
			return ret;
		GstBuffer *buf;
		ret = new_buffer(self, &buf); /* after the wait: the caps may have changed with the producer */
		if (ret != GST_FLOW_OK)
			return ret;
		shmfb_frame f;
		ReadResult rr = read_frame(self, c->reader, c->seen, buf, &f);
		if (rr != READ_OK) {
			gst_buffer_unref(buf);
			if (rr == READ_ERROR)
				return GST_FLOW_ERROR;
			/* Lapped every time, or the latest slot never reads whole (a
			 * broken producer): the next wait sleeps past the latest, so the
			 * timeout and the liveness checks run instead of a spin. */
			if (rr == READ_SPOILED)
				c->unreadable = shmfb_reader_latest_index(c->reader);
			continue;
		}
		if (c->seen && f.index > c->seen + 1)
			GST_DEBUG_OBJECT(self, "%" G_GUINT64_FORMAT " frames lost before frame %" G_GUINT64_FORMAT,
					 (guint64)(f.index - c->seen - 1), (guint64)f.frame_number);
		c->seen = f.index;
		stamp_buffer(self, buf, &f);
		*out = buf;
		return GST_FLOW_OK;
	}
}

/* Live: a frame reaches us up to one frame period after its pts. */
static GstClockTime min_latency(GstShmfbBaseSrc *bs)
{
	const GstVideoInfo *info = &GST_SHMFB_SRC(bs)->info;
	return info->fps_n > 0 ? gst_util_uint64_scale_int(GST_SECOND, info->fps_d, info->fps_n) : 0;
}

static GObjectSetPropertyFunc base_set_property;
static GObjectGetPropertyFunc base_get_property;

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *ps)
{
	if (id != PROP_EVERY_FRAME) {
		base_set_property(obj, id, v, ps);
		return;
	}
	GST_OBJECT_LOCK(obj);
	GST_SHMFB_SRC(obj)->every_frame = g_value_get_boolean(v);
	GST_OBJECT_UNLOCK(obj);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *ps)
{
	if (id != PROP_EVERY_FRAME) {
		base_get_property(obj, id, v, ps);
		return;
	}
	GST_OBJECT_LOCK(obj);
	g_value_set_boolean(v, GST_SHMFB_SRC(obj)->every_frame);
	GST_OBJECT_UNLOCK(obj);
}

static gboolean stop(GstBaseSrc *bs)
{
	drop_pool(GST_SHMFB_SRC(bs));
	return GST_BASE_SRC_CLASS(gst_shmfb_src_parent_class)->stop(bs);
}

static void gst_shmfb_src_class_init(GstShmfbSrcClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstShmfbBaseSrcClass *sc = GST_SHMFB_BASE_SRC_CLASS(klass);
	base_set_property = oc->set_property;
	base_get_property = oc->get_property;
	oc->set_property = set_property;
	oc->get_property = get_property;
	g_object_class_install_property(oc, PROP_EVERY_FRAME,
		g_param_spec_boolean("every-frame", "Every frame",
				     "Push every frame the slots still hold, oldest first, so that a pipeline "
				     "up to one frame behind loses none; false: only the newest (lower latency, "
				     "a slow pipeline skips frames)",
				     TRUE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
	GST_BASE_SRC_CLASS(klass)->stop = stop;
	gst_element_class_add_static_pad_template(ec, &src_template);
	gst_element_class_set_static_metadata(ec, "shmfb video source", "Source/Video",
		"Reads the frames of a named shmfb shared-memory mapping (live)", "shmfb project");
	GST_PUSH_SRC_CLASS(klass)->create = create;
	sc->mapping_caps = gst_shmfb_video_caps;
	sc->caps_set = caps_set;
	sc->min_latency = min_latency;
}

static void gst_shmfb_src_init(GstShmfbSrc *self)
{
	gst_video_info_init(&self->info);
	self->every_frame = TRUE;
}
