/*
 * shmfbbasesrc.h - what shmfbsrc and shmfbaudiosrc share: a live push
 * source on a GstShmfbConn with the properties location, timeout and
 * wait-for-new-producer, caps from the mapping's header, renegotiated when
 * a new producer appears under the name.
 */
#ifndef GST_SHMFB_BASE_SRC_H
#define GST_SHMFB_BASE_SRC_H

#include <gst/base/gstpushsrc.h>

#include "common.h"

G_BEGIN_DECLS

#define GST_TYPE_SHMFB_BASE_SRC (gst_shmfb_base_src_get_type())
G_DECLARE_DERIVABLE_TYPE(GstShmfbBaseSrc, gst_shmfb_base_src, GST, SHMFB_BASE_SRC, GstPushSrc)

struct _GstShmfbBaseSrcClass {
	GstPushSrcClass parent_class;
	/* The caps of the header; NULL when it describes nothing of this kind. */
	GstCaps *(*mapping_caps)(const shmfb_info *info);
	/* The caps now set on the pad: keep what the reading needs of them. */
	gboolean (*caps_set)(GstShmfbBaseSrc *src, GstCaps *caps);
	/* How late after its time a buffer can be pushed: the latency query's min. */
	GstClockTime (*min_latency)(GstShmfbBaseSrc *src);
};

/* The reader connection (reader, location, seen) of a source. */
GstShmfbConn *gst_shmfb_base_src_conn(GstShmfbBaseSrc *src);
/*
 * Sleeps until there is something new to read, renegotiating for a new
 * producer on the way (the next buffer is then DISCONT).  GST_FLOW_OK, or
 * what create returns: FLUSHING, EOS at a close, ERROR (posted).
 */
GstFlowReturn gst_shmfb_base_src_wait(GstShmfbBaseSrc *src);
/* A capture time (CLOCK_MONOTONIC ns) as the next buffer's PTS: its running
 * time, or 1 ns after the last buffer's when that is not later. */
GstClockTime gst_shmfb_base_src_pts(GstShmfbBaseSrc *src, uint64_t mono_ns);
/* The stream broke here (data lost): the next buffer is DISCONT. */
void gst_shmfb_base_src_set_discont(GstShmfbBaseSrc *src);
/* Flags buf DISCONT if the stream broke since the last buffer, which buf follows. */
void gst_shmfb_base_src_mark_discont(GstShmfbBaseSrc *src, GstBuffer *buf);

G_END_DECLS
#endif
