/*
 * shmfbpool.h - the buffer pool shmfbsink offers upstream: each buffer's
 * memory is the mapping's slot being written, so upstream draws straight
 * into shared memory and the sink only publishes it.
 */
#ifndef GST_SHMFB_POOL_H
#define GST_SHMFB_POOL_H

#include "common.h"

G_BEGIN_DECLS

#define GST_TYPE_SHMFB_POOL (gst_shmfb_pool_get_type())
G_DECLARE_FINAL_TYPE(GstShmfbPool, gst_shmfb_pool, GST, SHMFB_POOL, GstBufferPool)

/* A pool for frames of info (which must be the mapping's size and format). */
GstBufferPool *gst_shmfb_pool_new(GstShmfbMapping *m, const GstVideoInfo *info);
/* The hold of m's slot this buffer's memory is, or 0 when it is not one. */
guint64 gst_shmfb_pool_buffer_ticket(GstBuffer *buf, GstShmfbMapping *m);

G_END_DECLS
#endif
