/*
 * shmfbsrc - a live source of a shmfb mapping's frames.
 *
 * Caps come from the header.  It sleeps on the mapping's futex and pushes
 * each newly published frame once (a slower pipeline gets the latest, as
 * shmfb cat does), with the slot's pts_ns as PTS in running time (strictly
 * increasing: gst_shmfb_base_src_pts).  A new
 * generation under the name (producer restart, caps change) is followed and
 * renegotiated; a close is EOS unless wait-for-new-producer is set
 * (shmfbbasesrc.c).
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
	GstShmfbBaseSrc parent;
	GstVideoInfo info; /* of the caps set */
};

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

typedef enum { READ_OK, READ_NONE, READ_ERROR } ReadResult;

/* Copies the latest frame into buf; READ_NONE when there is nothing new or whole. */
static ReadResult read_frame(GstShmfbSrc *self, shmfb_reader *r, uint64_t seen, GstBuffer *buf,
			     shmfb_frame *f)
{
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
	GST_DEBUG_OBJECT(self, "frame rewritten during %d copies: waiting for the next", COPY_ATTEMPTS);
	return READ_NONE;
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

static GstFlowReturn create(GstPushSrc *ps, GstBuffer **out)
{
	GstShmfbSrc *self = GST_SHMFB_SRC(ps);
	GstShmfbConn *c = gst_shmfb_base_src_conn(GST_SHMFB_BASE_SRC(self));
	for (;;) {
		GstFlowReturn ret = gst_shmfb_base_src_wait(GST_SHMFB_BASE_SRC(self));
		if (ret != GST_FLOW_OK)
			return ret;
		/* Made per frame: the caps may have changed with the producer. */
		GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&self->info), NULL);
		shmfb_frame f;
		ReadResult rr = read_frame(self, c->reader, c->seen, buf, &f);
		if (rr != READ_OK) {
			gst_buffer_unref(buf);
			if (rr == READ_ERROR)
				return GST_FLOW_ERROR;
			continue;
		}
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

static void gst_shmfb_src_class_init(GstShmfbSrcClass *klass)
{
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstShmfbBaseSrcClass *sc = GST_SHMFB_BASE_SRC_CLASS(klass);
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
}
