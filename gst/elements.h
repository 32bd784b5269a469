/* elements.h - the element types of the shmfb GStreamer plugin. */
#ifndef GST_SHMFB_ELEMENTS_H
#define GST_SHMFB_ELEMENTS_H

#include <gst/base/gstbasesink.h>
#include <gst/base/gstpushsrc.h>

#include "common.h"
#include "shmfbbasesrc.h"

G_BEGIN_DECLS

#define GST_TYPE_SHMFB_SINK (gst_shmfb_sink_get_type())
G_DECLARE_FINAL_TYPE(GstShmfbSink, gst_shmfb_sink, GST, SHMFB_SINK, GstBaseSink)
#define GST_TYPE_SHMFB_AUDIO_SINK (gst_shmfb_audio_sink_get_type())
G_DECLARE_FINAL_TYPE(GstShmfbAudioSink, gst_shmfb_audio_sink, GST, SHMFB_AUDIO_SINK, GstBaseSink)
#define GST_TYPE_SHMFB_SRC (gst_shmfb_src_get_type())
G_DECLARE_FINAL_TYPE(GstShmfbSrc, gst_shmfb_src, GST, SHMFB_SRC, GstShmfbBaseSrc)
#define GST_TYPE_SHMFB_AUDIO_SRC (gst_shmfb_audio_src_get_type())
G_DECLARE_FINAL_TYPE(GstShmfbAudioSrc, gst_shmfb_audio_src, GST, SHMFB_AUDIO_SRC, GstShmfbBaseSrc)

G_END_DECLS
#endif
