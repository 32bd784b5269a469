/*
 * shmfbpool.c - buffers that are the slot being written (see shmfbpool.h).
 *
 * The writer has one acquirable slot, so the pool hands out one buffer at a
 * time: acquire waits until the previous buffer was published by the sink
 * (or dropped unrendered).  A published buffer may live on (the sink's
 * last-sample): its memory stays mapped, because it holds a reference on the
 * mapping, but it may show a later frame once the writer reuses the slot.
 * Buffers are made per acquire and never return to the pool's queue.
 */
#include "shmfbpool.h"

#include <gst/video/gstvideopool.h>

struct _GstShmfbPool {
	GstBufferPool parent;
	GstShmfbMapping *mapping;
	GstVideoInfo info;
	shmfb_layout layout;
	gboolean flushing; /* under the mapping's lock (take_slot's cancel) */
};

G_DEFINE_TYPE(GstShmfbPool, gst_shmfb_pool, GST_TYPE_BUFFER_POOL)

/* What a buffer's memory carries: whose slot it is and which hold. */
typedef struct {
	GstShmfbMapping *mapping;
	guint64 ticket;
} SlotHold;

static GQuark hold_quark(void)
{
	static GQuark q;
	if (!q)
		q = g_quark_from_static_string("GstShmfbSlotHold");
	return q;
}

/* The memory is gone: a hold never published gives the slot back. */
static void hold_free(gpointer data)
{
	SlotHold *h = data;
	gst_shmfb_mapping_drop_slot(h->mapping, h->ticket);
	gst_shmfb_mapping_unref(h->mapping);
	g_free(h);
}

guint64 gst_shmfb_pool_buffer_ticket(GstBuffer *buf, GstShmfbMapping *m)
{
	if (gst_buffer_n_memory(buf) != 1)
		return 0;
	GstMemory *mem = gst_buffer_peek_memory(buf, 0);
	SlotHold *h = gst_mini_object_get_qdata(GST_MINI_OBJECT(mem), hold_quark());
	return h && h->mapping == m ? h->ticket : 0;
}

static gboolean tight_is_default(const GstShmfbPool *self)
{
	for (guint i = 0; i < self->layout.plane_count; i++)
		if (GST_VIDEO_INFO_PLANE_OFFSET(&self->info, i) != self->layout.offset[i] ||
		    GST_VIDEO_INFO_PLANE_STRIDE(&self->info, i) != (gint)self->layout.stride[i])
			return FALSE;
	return TRUE;
}

static const gchar **get_options(GstBufferPool *pool)
{
	(void)pool;
	static const gchar *options[] = {GST_BUFFER_POOL_OPTION_VIDEO_META, NULL};
	return options;
}

/*
 * Refuses what the slot cannot be: other caps, more than one buffer, or
 * (when the slot's rows are tighter than GStreamer's default) an upstream
 * that does not read GstVideoMeta.  Upstream then uses its own buffers and
 * the sink copies.
 */
static gboolean set_config(GstBufferPool *pool, GstStructure *config)
{
	GstShmfbPool *self = GST_SHMFB_POOL(pool);
	GstCaps *caps;
	guint size, min, max;
	GstVideoInfo info;
	if (!gst_buffer_pool_config_get_params(config, &caps, &size, &min, &max) || !caps ||
	    !gst_video_info_from_caps(&info, caps))
		return FALSE;
	if (GST_VIDEO_INFO_FORMAT(&info) != GST_VIDEO_INFO_FORMAT(&self->info) ||
	    info.width != self->info.width || info.height != self->info.height) {
		GST_DEBUG_OBJECT(pool, "refusing %" GST_PTR_FORMAT ": not the mapping's", caps);
		return FALSE;
	}
	if (min > 1) {
		GST_DEBUG_OBJECT(pool, "refusing min-buffers %u: one slot is writable at a time", min);
		return FALSE;
	}
	if (!tight_is_default(self) &&
	    !gst_buffer_pool_config_has_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META)) {
		GST_DEBUG_OBJECT(pool, "refusing: the slot's rows need GstVideoMeta");
		return FALSE;
	}
	return GST_BUFFER_POOL_CLASS(gst_shmfb_pool_parent_class)->set_config(pool, config);
}

static GstBuffer *wrap_slot(GstShmfbPool *self, const shmfb_planes *p, guint64 ticket)
{
	SlotHold *h = g_new(SlotHold, 1);
	h->mapping = gst_shmfb_mapping_ref(self->mapping);
	h->ticket = ticket;
	GstMemory *mem = gst_memory_new_wrapped(0, p->data[0], p->frame_bytes, 0, p->frame_bytes, h,
						hold_free);
	gst_mini_object_set_qdata(GST_MINI_OBJECT(mem), hold_quark(), h, NULL);
	GstBuffer *buf = gst_buffer_new();
	gst_buffer_append_memory(buf, mem);
	gsize offset[GST_VIDEO_MAX_PLANES] = {0};
	gint stride[GST_VIDEO_MAX_PLANES] = {0};
	for (guint i = 0; i < p->plane_count; i++) {
		offset[i] = (gsize)(p->data[i] - p->data[0]);
		stride[i] = (gint)p->stride[i];
	}
	gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(&self->info),
				       self->info.width, self->info.height, p->plane_count, offset,
				       stride);
	return buf;
}

static GstFlowReturn acquire_buffer(GstBufferPool *pool, GstBuffer **out,
				    GstBufferPoolAcquireParams *params)
{
	(void)params;
	GstShmfbPool *self = GST_SHMFB_POOL(pool);
	shmfb_planes p;
	guint64 ticket;
	if (!gst_shmfb_mapping_take_slot(self->mapping, &p, &ticket, &self->flushing))
		return GST_FLOW_FLUSHING;
	*out = wrap_slot(self, &p, ticket);
	return GST_FLOW_OK;
}

static void flush_start(GstBufferPool *pool)
{
	GstShmfbPool *self = GST_SHMFB_POOL(pool);
	gst_shmfb_mapping_set_cancel(self->mapping, &self->flushing, TRUE);
}

static void flush_stop(GstBufferPool *pool)
{
	GstShmfbPool *self = GST_SHMFB_POOL(pool);
	gst_shmfb_mapping_set_cancel(self->mapping, &self->flushing, FALSE);
}

/* Nothing to preallocate or free: buffers are made per acquire. */
static gboolean start_stop(GstBufferPool *pool)
{
	(void)pool;
	return TRUE;
}

static void finalize(GObject *obj)
{
	GstShmfbPool *self = GST_SHMFB_POOL(obj);
	gst_shmfb_mapping_unref(self->mapping);
	G_OBJECT_CLASS(gst_shmfb_pool_parent_class)->finalize(obj);
}

static void gst_shmfb_pool_class_init(GstShmfbPoolClass *klass)
{
	GstBufferPoolClass *pc = GST_BUFFER_POOL_CLASS(klass);
	G_OBJECT_CLASS(klass)->finalize = finalize;
	pc->get_options = get_options;
	pc->set_config = set_config;
	pc->acquire_buffer = acquire_buffer;
	pc->flush_start = flush_start;
	pc->flush_stop = flush_stop;
	pc->start = start_stop;
	pc->stop = start_stop;
}

static void gst_shmfb_pool_init(GstShmfbPool *self)
{
	(void)self;
}

GstBufferPool *gst_shmfb_pool_new(GstShmfbMapping *m, const GstVideoInfo *info)
{
	GstShmfbPool *self = g_object_new(GST_TYPE_SHMFB_POOL, NULL);
	gst_object_ref_sink(self);
	self->mapping = gst_shmfb_mapping_ref(m);
	self->info = *info;
	const shmfb_writer_options *o = gst_shmfb_mapping_options(m);
	shmfb_layout_compute_aligned(o->width, o->height, o->format, o->row_align, &self->layout);
	return GST_BUFFER_POOL(self);
}
