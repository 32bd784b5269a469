/*
 * shmfbsink - video frames into a shmfb mapping.
 *
 * The mapping is created at the first caps and made again (a new
 * generation, which readers follow) when the caps change.  A buffer from the
 * pool it offers upstream is the slot itself and is only published; any
 * other buffer is copied row by row into the slot, honouring its
 * GstVideoMeta strides.  A shmfbaudiosink with the same location adds an
 * audio ring to the mapping.  At EOS the mapping is closed (readers see the
 * end) and its name removed unless keep is set.
 */
#include "elements.h"

#include "shmfbpool.h"

#include <string.h>

struct _GstShmfbSink {
	GstBaseSink parent;
	gchar *location;
	guint mode;
	gboolean replace;
	gboolean keep;
	GstShmfbShared *shared;
	GstShmfbMapping *mapping; /* own reference to shared->mapping */
	GstVideoInfo info;
	shmfb_layout layout;
	guint64 frames;
	gboolean caps_refused; /* said once: upstream may offer the caps again */
	gboolean flushing; /* take_slot's cancel, under the mapping's lock */
};

G_DEFINE_TYPE(GstShmfbSink, gst_shmfb_sink, GST_TYPE_BASE_SINK)

enum { PROP_0, PROP_LOCATION, PROP_MODE, PROP_REPLACE, PROP_KEEP };

/*
 * Rows padded to 4 bytes: GStreamer's default layout, so every upstream can
 * write into the pool's buffers, GstVideoMeta or not.  Readers get the
 * strides from the header (shmfb cat still writes tight frames).
 */
#define GST_SHMFB_ROW_ALIGN 4

/* How long a video sink waits for its audio partner's caps before creating. */
#define AUDIO_PARTNER_WAIT_US (2 * G_TIME_SPAN_SECOND)

static GstStaticPadTemplate sink_template =
	GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
				GST_STATIC_CAPS(GST_SHMFB_VIDEO_CAPS));

static void set_property(GObject *obj, guint id, const GValue *v, GParamSpec *ps)
{
	GstShmfbSink *self = GST_SHMFB_SINK(obj);
	GST_OBJECT_LOCK(self);
	switch (id) {
	case PROP_LOCATION:
		g_free(self->location);
		self->location = g_value_dup_string(v);
		break;
	case PROP_MODE: self->mode = g_value_get_uint(v); break;
	case PROP_REPLACE: self->replace = g_value_get_boolean(v); break;
	case PROP_KEEP: self->keep = g_value_get_boolean(v); break;
	default: G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	}
	GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *ps)
{
	GstShmfbSink *self = GST_SHMFB_SINK(obj);
	GST_OBJECT_LOCK(self);
	switch (id) {
	case PROP_LOCATION: g_value_set_string(v, self->location); break;
	case PROP_MODE: g_value_set_uint(v, self->mode); break;
	case PROP_REPLACE: g_value_set_boolean(v, self->replace); break;
	case PROP_KEEP: g_value_set_boolean(v, self->keep); break;
	default: G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps);
	}
	GST_OBJECT_UNLOCK(self);
}

static gboolean start(GstBaseSink *bs)
{
	GstShmfbSink *self = GST_SHMFB_SINK(bs);
	if (self->mode & ~0777u || (self->mode & 0600u) != 0600u) {
		GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
				  ("mode %04o: only permission bits, and the owner needs read and write",
				   self->mode), (NULL));
		return FALSE;
	}
	self->shared = gst_shmfb_shared_claim(GST_ELEMENT(self), self->location, FALSE);
	if (!self->shared)
		return FALSE;
	self->frames = 0;
	self->caps_refused = FALSE;
	gst_video_info_init(&self->info);
	return TRUE;
}

/*
 * Lets go of the mapping: it closes once pool buffers upstream are gone too.
 * ended: at EOS, when an audio partner's later buffers are dropped quietly.
 */
static void drop_mapping(GstShmfbSink *self, gboolean ended)
{
	if (self->shared) {
		g_mutex_lock(&self->shared->lock);
		if (self->shared->mapping == self->mapping) {
			gst_shmfb_mapping_unref(self->shared->mapping);
			self->shared->mapping = NULL;
		}
		self->shared->video_ended = ended;
		g_cond_broadcast(&self->shared->changed);
		g_mutex_unlock(&self->shared->lock);
	}
	gst_shmfb_mapping_unref(self->mapping);
	self->mapping = NULL;
}

static gboolean stop(GstBaseSink *bs)
{
	GstShmfbSink *self = GST_SHMFB_SINK(bs);
	drop_mapping(self, FALSE);
	gst_shmfb_shared_release(self->shared, FALSE);
	self->shared = NULL;
	return TRUE;
}

/* The audio ring the partner asked for, waiting briefly for its caps. */
static void audio_options(GstShmfbSink *self, shmfb_writer_options *o)
{
	GstShmfbShared *s = self->shared;
	gint64 until = g_get_monotonic_time() + AUDIO_PARTNER_WAIT_US;
	while (s->has_audio && !s->audio_known && !self->flushing)
		if (!g_cond_wait_until(&s->changed, &s->lock, until))
			break;
	if (!s->has_audio || !s->audio_known) {
		if (s->has_audio)
			GST_WARNING_OBJECT(self, "no caps from the shmfbaudiosink yet: a mapping without audio");
		return;
	}
	o->audio_rate = (uint32_t)GST_AUDIO_INFO_RATE(&s->audio);
	o->audio_channels = (uint32_t)GST_AUDIO_INFO_CHANNELS(&s->audio);
	o->audio_format = gst_shmfb_sampfmt(GST_AUDIO_INFO_FORMAT(&s->audio));
	s->audio_changed = FALSE;
}

static void post_create_error(GstShmfbSink *self, int rc)
{
	if (rc == SHMFB_EEXIST || rc == SHMFB_EACCES || rc == SHMFB_EPERM || rc == SHMFB_ECOLLISION)
		GST_SHMFB_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, rc, "cannot create the mapping");
	else if (rc == SHMFB_EBADFORMAT || rc == SHMFB_EZEROSIZE || rc == SHMFB_ETOOBIG ||
		 rc == SHMFB_EINVAL)
		GST_SHMFB_ELEMENT_ERROR(self, STREAM, FORMAT, rc, "caps not accepted");
	else
		GST_SHMFB_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT, rc, "cannot create the mapping");
}

/*
 * Creates the mapping for self->info.  A mapping of ours already under the
 * name is replaced, not closed first: its readers find the new generation
 * there when they see the old one end.
 */
static gboolean create_mapping(GstShmfbSink *self)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = (uint32_t)self->info.width;
	o.height = (uint32_t)self->info.height;
	o.format = gst_shmfb_pixfmt(GST_VIDEO_INFO_FORMAT(&self->info));
	if (self->info.fps_n > 0 && self->info.fps_d > 0) {
		o.fps_num = (uint32_t)self->info.fps_n;
		o.fps_den = (uint32_t)self->info.fps_d;
	}
	o.row_align = GST_SHMFB_ROW_ALIGN;
	gst_shmfb_color_from_caps(&self->info, &o.color);
	o.mode = self->mode;
	o.flags = (self->replace || self->mapping ? SHMFB_CREATE_REPLACE : 0) |
		  (self->keep ? SHMFB_CREATE_KEEP : 0);
	GstShmfbShared *s = self->shared;
	g_mutex_lock(&s->lock);
	audio_options(self, &o);
	int rc;
	GstShmfbMapping *m = gst_shmfb_mapping_create(self->location, &o, &rc);
	if (m) {
		gst_shmfb_mapping_unref(s->mapping);
		s->mapping = gst_shmfb_mapping_ref(m);
		s->video_ended = FALSE;
		g_cond_broadcast(&s->changed);
	}
	g_mutex_unlock(&s->lock);
	if (!m) {
		post_create_error(self, rc);
		return FALSE;
	}
	gst_shmfb_mapping_unref(self->mapping);
	self->mapping = m;
	GST_INFO_OBJECT(self, "%s: %ux%u %s, generation %" G_GINT64_MODIFIER "x", self->location,
			o.width, o.height, shmfb_pixfmt_name(o.format),
			gst_shmfb_mapping_generation(m));
	return TRUE;
}

static gboolean set_caps(GstBaseSink *bs, GstCaps *caps)
{
	GstShmfbSink *self = GST_SHMFB_SINK(bs);
	GstVideoInfo info;
	if (!gst_video_info_from_caps(&info, caps)) {
		GST_SHMFB_CAPS_REFUSED(self, caps);
		return FALSE;
	}
	if (self->mapping && gst_video_info_is_equal(&info, &self->info))
		return TRUE;
	if (self->caps_refused && gst_video_info_is_equal(&info, &self->info))
		return FALSE;
	shmfb_layout layout;
	int rc = shmfb_layout_compute_aligned((uint32_t)info.width, (uint32_t)info.height,
					      gst_shmfb_pixfmt(GST_VIDEO_INFO_FORMAT(&info)),
					      GST_SHMFB_ROW_ALIGN, &layout);
	self->info = info;
	self->layout = layout;
	self->caps_refused = rc < 0 || !create_mapping(self);
	if (rc < 0)
		GST_SHMFB_ELEMENT_ERROR(self, STREAM, FORMAT, rc, "caps not accepted");
	return !self->caps_refused;
}

/* Our pool when upstream asks for the caps the mapping has. */
static gboolean propose_allocation(GstBaseSink *bs, GstQuery *query)
{
	GstShmfbSink *self = GST_SHMFB_SINK(bs);
	gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
	GstCaps *caps;
	gboolean need_pool;
	GstVideoInfo info;
	gst_query_parse_allocation(query, &caps, &need_pool);
	if (!need_pool || !caps || !self->mapping || !gst_video_info_from_caps(&info, caps) ||
	    !gst_video_info_is_equal(&info, &self->info))
		return TRUE;
	GstBufferPool *pool = gst_shmfb_pool_new(self->mapping, &info);
	GstStructure *config = gst_buffer_pool_get_config(pool);
	guint size = (guint)self->layout.frame_bytes;
	gst_buffer_pool_config_set_params(config, caps, size, 1, 1);
	gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
	if (gst_buffer_pool_set_config(pool, config))
		gst_query_add_allocation_pool(query, pool, size, 1, 1);
	gst_object_unref(pool);
	return TRUE;
}

static GstFlowReturn copy_into_slot(GstShmfbSink *self, GstBuffer *buf, guint64 *ticket)
{
	GstVideoFrame vf;
	if (!gst_video_frame_map(&vf, &self->info, buf, GST_MAP_READ)) {
		GST_ELEMENT_ERROR(self, STREAM, FORMAT,
				  ("a buffer of %" G_GSIZE_FORMAT " bytes does not hold a %dx%d %s frame",
				   gst_buffer_get_size(buf), self->info.width, self->info.height,
				   GST_VIDEO_INFO_NAME(&self->info)), (NULL));
		return GST_FLOW_ERROR;
	}
	shmfb_planes p;
	if (!gst_shmfb_mapping_take_slot(self->mapping, &p, ticket, &self->flushing)) {
		gst_video_frame_unmap(&vf);
		return GST_FLOW_FLUSHING;
	}
	for (guint i = 0; i < self->layout.plane_count; i++) {
		const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA(&vf, i);
		gint src_stride = GST_VIDEO_FRAME_PLANE_STRIDE(&vf, i);
		for (uint32_t y = 0; y < self->layout.rows[i]; y++)
			memcpy(p.data[i] + (size_t)y * p.stride[i], src + (gssize)y * src_stride,
			       self->layout.row_bytes[i]);
	}
	gst_video_frame_unmap(&vf);
	return GST_FLOW_OK;
}

/* The buffer's PTS as CLOCK_MONOTONIC: running time + base time on the clock. */
static uint64_t buffer_mono(GstShmfbSink *self, GstBuffer *buf)
{
	GstClockTime pts = GST_BUFFER_PTS(buf);
	GstClockTime running = gst_segment_to_running_time(&GST_BASE_SINK(self)->segment,
							   GST_FORMAT_TIME, pts);
	return gst_shmfb_running_to_mono(GST_ELEMENT(self), running);
}

static gboolean audio_changed(GstShmfbSink *self)
{
	g_mutex_lock(&self->shared->lock);
	gboolean changed = self->shared->audio_changed;
	g_mutex_unlock(&self->shared->lock);
	return changed;
}

static GstFlowReturn render(GstBaseSink *bs, GstBuffer *buf)
{
	GstShmfbSink *self = GST_SHMFB_SINK(bs);
	if (!self->mapping || audio_changed(self)) {
		if (GST_VIDEO_INFO_FORMAT(&self->info) == GST_VIDEO_FORMAT_UNKNOWN) {
			GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("a buffer before any caps"), (NULL));
			return GST_FLOW_NOT_NEGOTIATED;
		}
		if (!create_mapping(self))
			return GST_FLOW_ERROR;
	}
	uint64_t number = GST_BUFFER_OFFSET_IS_VALID(buf) ? GST_BUFFER_OFFSET(buf) : self->frames;
	uint64_t pts = buffer_mono(self, buf);
	guint64 ticket = gst_shmfb_pool_buffer_ticket(buf, self->mapping);
	if (!ticket) {
		GstFlowReturn ret = copy_into_slot(self, buf, &ticket);
		if (ret != GST_FLOW_OK)
			return ret;
	}
	GST_DEBUG_OBJECT(self, "frame %" G_GUINT64_FORMAT ": %s", number,
			 ticket == gst_shmfb_pool_buffer_ticket(buf, self->mapping) ? "published in place"
										  : "copied");
	if (!gst_shmfb_mapping_publish(self->mapping, ticket, number, pts)) {
		GST_ELEMENT_ERROR(self, STREAM, FAILED,
				  ("a buffer of the sink's pool was rendered twice"), (NULL));
		return GST_FLOW_ERROR;
	}
	self->frames++;
	return GST_FLOW_OK;
}

static gboolean event(GstBaseSink *bs, GstEvent *ev)
{
	GstShmfbSink *self = GST_SHMFB_SINK(bs);
	if (GST_EVENT_TYPE(ev) == GST_EVENT_EOS)
		drop_mapping(self, TRUE); /* readers see the producer close */
	return GST_BASE_SINK_CLASS(gst_shmfb_sink_parent_class)->event(bs, ev);
}

static void set_flushing(GstShmfbSink *self, gboolean value)
{
	if (self->mapping)
		gst_shmfb_mapping_set_cancel(self->mapping, &self->flushing, value);
	else
		self->flushing = value;
	if (self->shared) {
		g_mutex_lock(&self->shared->lock);
		g_cond_broadcast(&self->shared->changed);
		g_mutex_unlock(&self->shared->lock);
	}
}

static gboolean unlock(GstBaseSink *bs)
{
	set_flushing(GST_SHMFB_SINK(bs), TRUE);
	return TRUE;
}

static gboolean unlock_stop(GstBaseSink *bs)
{
	set_flushing(GST_SHMFB_SINK(bs), FALSE);
	return TRUE;
}

static void finalize(GObject *obj)
{
	GstShmfbSink *self = GST_SHMFB_SINK(obj);
	g_free(self->location);
	G_OBJECT_CLASS(gst_shmfb_sink_parent_class)->finalize(obj);
}

static void gst_shmfb_sink_class_init(GstShmfbSinkClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstBaseSinkClass *bc = GST_BASE_SINK_CLASS(klass);
	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
	g_object_class_install_property(oc, PROP_LOCATION,
		g_param_spec_string("location", "Location", GST_SHMFB_PROP_LOCATION_BLURB, NULL, rw));
	g_object_class_install_property(oc, PROP_MODE,
		g_param_spec_uint("mode", "Mode",
				  "Permission bits of the mapping (e.g. 0640 = 416 lets the group read)",
				  0, 0777, 0600, rw));
	g_object_class_install_property(oc, PROP_REPLACE,
		g_param_spec_boolean("replace", "Replace",
				     "Take the name over even from a running producer", FALSE, rw));
	g_object_class_install_property(oc, PROP_KEEP,
		g_param_spec_boolean("keep", "Keep",
				     "Leave the name in place at EOS and stop (closed, readable)", FALSE,
				     rw));
	gst_element_class_add_static_pad_template(ec, &sink_template);
	gst_element_class_set_static_metadata(ec, "shmfb video sink", "Sink/Video",
		"Publishes video frames into a named shmfb shared-memory mapping",
		"shmfb project");
	bc->start = start;
	bc->stop = stop;
	bc->set_caps = set_caps;
	bc->propose_allocation = propose_allocation;
	bc->render = render;
	bc->event = event;
	bc->unlock = unlock;
	bc->unlock_stop = unlock_stop;
}

static void gst_shmfb_sink_init(GstShmfbSink *self)
{
	self->mode = 0600;
	gst_video_info_init(&self->info);
}
