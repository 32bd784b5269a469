/*
 * plugin.c - the shmfb GStreamer plugin: shmfbsink and shmfbaudiosink write
 * a shmfb mapping, shmfbsrc and shmfbaudiosrc read one (docs/GSTREAMER.md).
 */
#include "elements.h"

static gboolean plugin_init(GstPlugin *plugin)
{
	GST_DEBUG_CATEGORY_INIT(gst_shmfb_debug, "shmfb", 0, "shmfb shared-memory frames");
	return gst_element_register(plugin, "shmfbsink", GST_RANK_NONE, GST_TYPE_SHMFB_SINK) &&
	       gst_element_register(plugin, "shmfbaudiosink", GST_RANK_NONE, GST_TYPE_SHMFB_AUDIO_SINK) &&
	       gst_element_register(plugin, "shmfbsrc", GST_RANK_NONE, GST_TYPE_SHMFB_SRC) &&
	       gst_element_register(plugin, "shmfbaudiosrc", GST_RANK_NONE, GST_TYPE_SHMFB_AUDIO_SRC);
}

#define PACKAGE "shmfb"
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, shmfb,
		  "Video and audio through named shmfb shared-memory mappings", plugin_init,
		  "0.1.0", GST_LICENSE_UNKNOWN, "shmfb", "shmfb")
