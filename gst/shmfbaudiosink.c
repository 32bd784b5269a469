/*
 * shmfbaudiosink - audio into the ring of the mapping a shmfbsink with the
 * same location in this process writes.  Its caps decide the ring's format:
 * the video sink waits for them before it creates the mapping, and makes the
 * mapping again if they change.  Each buffer's PTS becomes the pts of its
 * first sample, on the same CLOCK_MONOTONIC the video's frames carry.
 */
#include "elements.h"

struct _GstShmfbAudioSink {
	GstBaseSink parent;
	gchar *location;
	GstShmfbShared *shared;
	GstAudioInfo info;
	gboolean flushing; /* under shared->lock */
};

G_DEFINE_TYPE(GstShmfbAudioSink, gst_shmfb_audio_sink, GST_TYPE_BASE_SINK)

enum { PROP_0, PROP_LOCATION };

/* How long the first audio waits for the video sink's mapping. */
#define VIDEO_PARTNER_WAIT_US (5 * G_TIME_SPAN_SECOND)

static GstStaticPadTemplate sink_template =
	GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
				GST_STATIC_CAPS(GST_SHMFB_AUDIO_CAPS));

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *ps)
{
	GstShmfbAudioSink *self = GST_SHMFB_AUDIO_SINK(obj);
	if (id != PROP_LOCATION) {
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
		return;
	}
	GST_OBJECT_LOCK(self);
	g_free(self->location);
	self->location = g_value_dup_string(v);
	GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *ps)
{
	GstShmfbAudioSink *self = GST_SHMFB_AUDIO_SINK(obj);
	if (id != PROP_LOCATION) {
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
		return;
	}
	GST_OBJECT_LOCK(self);
	g_value_set_string(v, self->location);
	GST_OBJECT_UNLOCK(self);
}

static gboolean start(GstBaseSink *bs)
{
	GstShmfbAudioSink *self = GST_SHMFB_AUDIO_SINK(bs);
	self->shared = gst_shmfb_shared_claim(GST_ELEMENT(self), self->location, TRUE);
	return self->shared != NULL;
}

static gboolean stop(GstBaseSink *bs)
{
	GstShmfbAudioSink *self = GST_SHMFB_AUDIO_SINK(bs);
	gst_shmfb_shared_release(self->shared, TRUE);
	self->shared = NULL;
	return TRUE;
}

static gboolean ring_matches(const GstShmfbMapping *m, const GstAudioInfo *info)
{
	const shmfb_writer_options *o = gst_shmfb_mapping_options(m);
	return o->audio_rate == (uint32_t)GST_AUDIO_INFO_RATE(info) &&
	       o->audio_channels == (uint32_t)GST_AUDIO_INFO_CHANNELS(info) &&
	       o->audio_format == gst_shmfb_sampfmt(GST_AUDIO_INFO_FORMAT(info));
}

static gboolean set_caps(GstBaseSink *bs, GstCaps *caps)
{
	GstShmfbAudioSink *self = GST_SHMFB_AUDIO_SINK(bs);
	GstAudioInfo info;
	if (!gst_audio_info_from_caps(&info, caps) ||
	    gst_shmfb_sampfmt(GST_AUDIO_INFO_FORMAT(&info)) == SHMFB_SAMPLE_NONE) {
		GST_SHMFB_CAPS_REFUSED(self, caps);
		return FALSE;
	}
	self->info = info;
	GstShmfbShared *s = self->shared;
	g_mutex_lock(&s->lock);
	s->audio = info;
	s->audio_known = TRUE;
	s->audio_changed = s->mapping && !ring_matches(s->mapping, &info);
	g_cond_broadcast(&s->changed);
	g_mutex_unlock(&s->lock);
	return TRUE;
}

/*
 * The mapping with a ring for our caps, waited for; a new reference, or NULL
 * (flushing, the video ended, or after a wait; *timed_out if no mapping came).
 */
static GstShmfbMapping *get_mapping(GstShmfbAudioSink *self, gboolean *timed_out)
{
	GstShmfbShared *s = self->shared;
	gint64 until = g_get_monotonic_time() + VIDEO_PARTNER_WAIT_US;
	*timed_out = FALSE;
	g_mutex_lock(&s->lock);
	while (!self->flushing && !s->video_ended &&
	       !(s->mapping && ring_matches(s->mapping, &self->info))) {
		if (!g_cond_wait_until(&s->changed, &s->lock, until)) {
			*timed_out = !s->mapping; /* a mismatch waits for the next video frame */
			break;
		}
	}
	GstShmfbMapping *m = s->mapping && ring_matches(s->mapping, &self->info) && !self->flushing
				     ? gst_shmfb_mapping_ref(s->mapping)
				     : NULL;
	g_mutex_unlock(&s->lock);
	return m;
}

static GstFlowReturn write_ring(GstShmfbAudioSink *self, GstShmfbMapping *m, const guint8 *data,
				guint64 frames, uint64_t pts)
{
	guint rate = (guint)GST_AUDIO_INFO_RATE(&self->info);
	guint bpf = (guint)GST_AUDIO_INFO_BPF(&self->info);
	/* Pieces of at most 100 ms: well inside the ring (200 ms by default). */
	guint64 piece = rate / 10;
	for (guint64 done = 0; done < frames; done += piece) {
		guint64 n = MIN(piece, frames - done);
		uint64_t t = pts + gst_util_uint64_scale_int(done, GST_SECOND, (gint)rate);
		int rc = gst_shmfb_mapping_audio_write(m, data + done * bpf, (uint32_t)n, t);
		if (rc < 0) {
			GST_SHMFB_ELEMENT_ERROR(self, RESOURCE, WRITE, rc, "audio ring");
			return GST_FLOW_ERROR;
		}
	}
	return GST_FLOW_OK;
}

static GstFlowReturn render(GstBaseSink *bs, GstBuffer *buf)
{
	GstShmfbAudioSink *self = GST_SHMFB_AUDIO_SINK(bs);
	gboolean timed_out;
	GstShmfbMapping *m = get_mapping(self, &timed_out);
	if (!m) {
		if (self->flushing)
			return GST_FLOW_FLUSHING;
		if (timed_out) {
			GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
					  ("%s: no shmfbsink with this location in the process: "
					   "shmfbaudiosink writes the audio of a shmfbsink's mapping",
					   self->location), (NULL));
			return GST_FLOW_ERROR;
		}
		GST_DEBUG_OBJECT(self, "no mapping (video ended, or being made again): buffer dropped");
		return GST_FLOW_OK;
	}
	GstClockTime running = gst_segment_to_running_time(&bs->segment, GST_FORMAT_TIME,
							   GST_BUFFER_PTS(buf));
	uint64_t pts = gst_shmfb_running_to_mono(GST_ELEMENT(self), running);
	GstMapInfo map;
	GstFlowReturn ret = GST_FLOW_OK;
	if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
		guint bpf = (guint)GST_AUDIO_INFO_BPF(&self->info);
		if (map.size % bpf)
			GST_WARNING_OBJECT(self, "buffer of %" G_GSIZE_FORMAT " bytes: %" G_GSIZE_FORMAT
					   " bytes of a partial frame left out", map.size, map.size % bpf);
		ret = write_ring(self, m, map.data, map.size / bpf, pts);
		gst_buffer_unmap(buf, &map);
	}
	gst_shmfb_mapping_unref(m);
	return ret;
}

static void set_flushing(GstShmfbAudioSink *self, gboolean value)
{
	if (!self->shared) {
		self->flushing = value;
		return;
	}
	g_mutex_lock(&self->shared->lock);
	self->flushing = value;
	g_cond_broadcast(&self->shared->changed);
	g_mutex_unlock(&self->shared->lock);
}

static gboolean unlock(GstBaseSink *bs)
{
	set_flushing(GST_SHMFB_AUDIO_SINK(bs), TRUE);
	return TRUE;
}

static gboolean unlock_stop(GstBaseSink *bs)
{
	set_flushing(GST_SHMFB_AUDIO_SINK(bs), FALSE);
	return TRUE;
}

static void finalize(GObject *obj)
{
	g_free(GST_SHMFB_AUDIO_SINK(obj)->location);
	G_OBJECT_CLASS(gst_shmfb_audio_sink_parent_class)->finalize(obj);
}

static void gst_shmfb_audio_sink_class_init(GstShmfbAudioSinkClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstBaseSinkClass *bc = GST_BASE_SINK_CLASS(klass);
	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	g_object_class_install_property(oc, PROP_LOCATION,
		g_param_spec_string("location", "Location",
				    GST_SHMFB_PROP_LOCATION_BLURB
				    "; the shmfbsink with the same location creates it",
				    NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
						  GST_PARAM_MUTABLE_READY));
	gst_element_class_add_static_pad_template(ec, &sink_template);
	gst_element_class_set_static_metadata(ec, "shmfb audio sink", "Sink/Audio",
		"Writes audio into the ring of the shmfb mapping a shmfbsink in this process creates",
		"shmfb project");
	bc->start = start;
	bc->stop = stop;
	bc->set_caps = set_caps;
	bc->render = render;
	bc->unlock = unlock;
	bc->unlock_stop = unlock_stop;
}

static void gst_shmfb_audio_sink_init(GstShmfbAudioSink *self)
{
	(void)self;
}
