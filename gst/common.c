/*
 * common.c - formats, clocks, the shared writer and the following reader of
 * the shmfb GStreamer elements (see common.h).
 */
#include "common.h"

#include <string.h>

GST_DEBUG_CATEGORY(gst_shmfb_debug);

const gchar *gst_shmfb_describe(int rc)
{
	const char *d = shmfb_errdetail(), *name = shmfb_errname(rc);
	static GPrivate line = G_PRIVATE_INIT(g_free);
	gchar *s = g_strdup_printf("%s (%s)", d && *d ? d : shmfb_strerror(rc), name ? name : "?");
	g_private_replace(&line, s);
	return s;
}

/* ------------------------------------------------------------ formats */

static const struct {
	shmfb_pixfmt shmfb;
	GstVideoFormat gst;
} video_formats[] = {
	{SHMFB_FMT_RGBA8, GST_VIDEO_FORMAT_RGBA}, {SHMFB_FMT_BGRA8, GST_VIDEO_FORMAT_BGRA},
	{SHMFB_FMT_RGB24, GST_VIDEO_FORMAT_RGB},  {SHMFB_FMT_GRAY8, GST_VIDEO_FORMAT_GRAY8},
	{SHMFB_FMT_NV12, GST_VIDEO_FORMAT_NV12},  {SHMFB_FMT_I420, GST_VIDEO_FORMAT_I420},
	{SHMFB_FMT_YUYV, GST_VIDEO_FORMAT_YUY2},
};

GstVideoFormat gst_shmfb_video_format(shmfb_pixfmt f)
{
	for (guint i = 0; i < G_N_ELEMENTS(video_formats); i++)
		if (video_formats[i].shmfb == f)
			return video_formats[i].gst;
	return GST_VIDEO_FORMAT_UNKNOWN;
}

shmfb_pixfmt gst_shmfb_pixfmt(GstVideoFormat f)
{
	for (guint i = 0; i < G_N_ELEMENTS(video_formats); i++)
		if (video_formats[i].gst == f)
			return video_formats[i].shmfb;
	return SHMFB_FMT_NONE;
}

GstAudioFormat gst_shmfb_audio_format(shmfb_sampfmt f)
{
	return f == SHMFB_SAMPLE_S16 ? GST_AUDIO_FORMAT_S16LE
	       : f == SHMFB_SAMPLE_F32 ? GST_AUDIO_FORMAT_F32LE
				       : GST_AUDIO_FORMAT_UNKNOWN;
}

shmfb_sampfmt gst_shmfb_sampfmt(GstAudioFormat f)
{
	return f == GST_AUDIO_FORMAT_S16LE ? SHMFB_SAMPLE_S16
	       : f == GST_AUDIO_FORMAT_F32LE ? SHMFB_SAMPLE_F32
					     : SHMFB_SAMPLE_NONE;
}

/*
 * Colour: shmfb's fields (docs/FORMAT.md, "Colour") against GStreamer's;
 * each row is {shmfb, GStreamer}.  What one side has and the other lacks is
 * unspecified (shmfb) or GStreamer's default for the caps (GStreamer).
 */
typedef const int ColourPairs[][2];

static ColourPairs matrices = {
	{SHMFB_MATRIX_RGB, GST_VIDEO_COLOR_MATRIX_RGB},
	{SHMFB_MATRIX_BT601, GST_VIDEO_COLOR_MATRIX_BT601},
	{SHMFB_MATRIX_BT709, GST_VIDEO_COLOR_MATRIX_BT709},
	{SHMFB_MATRIX_BT2020, GST_VIDEO_COLOR_MATRIX_BT2020},
};
static ColourPairs ranges = {
	{SHMFB_RANGE_LIMITED, GST_VIDEO_COLOR_RANGE_16_235},
	{SHMFB_RANGE_FULL, GST_VIDEO_COLOR_RANGE_0_255},
};
static ColourPairs transfers = {
	{SHMFB_TRANSFER_BT709, GST_VIDEO_TRANSFER_BT709},
	{SHMFB_TRANSFER_SRGB, GST_VIDEO_TRANSFER_SRGB},
	{SHMFB_TRANSFER_BT601, GST_VIDEO_TRANSFER_BT601},
	{SHMFB_TRANSFER_BT2020, GST_VIDEO_TRANSFER_BT2020_10},
	{SHMFB_TRANSFER_PQ, GST_VIDEO_TRANSFER_SMPTE2084},
	{SHMFB_TRANSFER_HLG, GST_VIDEO_TRANSFER_ARIB_STD_B67},
	{SHMFB_TRANSFER_LINEAR, GST_VIDEO_TRANSFER_GAMMA10},
};
static ColourPairs primaries = {
	{SHMFB_PRIMARIES_BT709, GST_VIDEO_COLOR_PRIMARIES_BT709},
	{SHMFB_PRIMARIES_BT601_625, GST_VIDEO_COLOR_PRIMARIES_BT470BG},
	{SHMFB_PRIMARIES_BT601_525, GST_VIDEO_COLOR_PRIMARIES_SMPTE170M},
	{SHMFB_PRIMARIES_BT2020, GST_VIDEO_COLOR_PRIMARIES_BT2020},
};
static ColourPairs chroma_sites = {
	{SHMFB_CHROMA_LEFT, GST_VIDEO_CHROMA_SITE_MPEG2},
	{SHMFB_CHROMA_CENTER, GST_VIDEO_CHROMA_SITE_JPEG},
	{SHMFB_CHROMA_TOPLEFT, GST_VIDEO_CHROMA_SITE_COSITED},
};

/* The other side of v (column `from`), or `none`. */
static int colour_lookup(ColourPairs t, size_t n, int from, int v, int none)
{
	for (size_t i = 0; i < n; i++)
		if (t[i][from] == v)
			return t[i][!from];
	return none;
}
#define TO_GST(t, v, none) colour_lookup(t, G_N_ELEMENTS(t), 0, (int)(v), (int)(none))
#define TO_SHMFB(t, v) colour_lookup(t, G_N_ELEMENTS(t), 1, (int)(v), 0)

/* The header's colour over GStreamer's defaults for the format and size. */
static void set_colorimetry(GstVideoInfo *vi, const shmfb_color *c)
{
	GstVideoColorimetry *g = &vi->colorimetry;
	g->matrix = TO_GST(matrices, c->matrix, g->matrix);
	g->range = TO_GST(ranges, c->range, g->range);
	g->transfer = TO_GST(transfers, c->transfer, g->transfer);
	g->primaries = TO_GST(primaries, c->primaries, g->primaries);
	vi->chroma_site = TO_GST(chroma_sites, c->chroma_site, vi->chroma_site);
}

void gst_shmfb_color_from_caps(const GstVideoInfo *vi, shmfb_color *c)
{
	const GstVideoColorimetry *g = &vi->colorimetry;
	memset(c, 0, sizeof *c);
	c->matrix = TO_SHMFB(matrices, g->matrix);
	/* The library refuses a matrix or a chroma site that does not fit the
	 * format (docs/FORMAT.md): such caps say nothing we can store. */
	if ((c->matrix == SHMFB_MATRIX_RGB) != !!GST_VIDEO_INFO_IS_RGB(vi))
		c->matrix = SHMFB_MATRIX_UNSPECIFIED;
	c->range = TO_SHMFB(ranges, g->range);
	c->transfer = TO_SHMFB(transfers, g->transfer);
	c->primaries = TO_SHMFB(primaries, g->primaries);
	if (GST_VIDEO_INFO_IS_YUV(vi) && !GST_VIDEO_INFO_IS_GRAY(vi))
		c->chroma_site = TO_SHMFB(chroma_sites, vi->chroma_site);
}

GstCaps *gst_shmfb_video_caps(const shmfb_info *info)
{
	GstVideoInfo vi;
	GstVideoFormat f = gst_shmfb_video_format(info->format);
	if (f == GST_VIDEO_FORMAT_UNKNOWN || !gst_video_info_set_format(&vi, f, info->width, info->height))
		return NULL;
	vi.fps_n = (gint)MIN(info->fps_num, (uint32_t)G_MAXINT);
	vi.fps_d = info->fps_num ? (gint)MIN(info->fps_den, (uint32_t)G_MAXINT) : 1;
	set_colorimetry(&vi, &info->color);
	return gst_video_info_to_caps(&vi);
}

GstCaps *gst_shmfb_audio_caps(const shmfb_info *info)
{
	GstAudioFormat f = gst_shmfb_audio_format((shmfb_sampfmt)info->audio_format);
	if (!info->audio_rate || f == GST_AUDIO_FORMAT_UNKNOWN)
		return NULL;
	GstAudioInfo ai;
	gst_audio_info_set_format(&ai, f, (gint)info->audio_rate, (gint)info->audio_channels, NULL);
	return gst_audio_info_to_caps(&ai);
}

/* -------------------------------------------------------------- clocks */

gint64 gst_shmfb_clock_offset(GstElement *e)
{
	GstClock *clock = gst_element_get_clock(e);
	if (!clock)
		return 0;
	gint64 offset = 0;
	GstClockType type = GST_CLOCK_TYPE_REALTIME;
	if (GST_IS_SYSTEM_CLOCK(clock))
		g_object_get(clock, "clock-type", &type, NULL);
	if (!GST_IS_SYSTEM_CLOCK(clock) || type != GST_CLOCK_TYPE_MONOTONIC) {
		/* Another clock: the midpoint of two monotonic readings around it. */
		uint64_t before = shmfb_now_ns();
		GstClockTime t = gst_clock_get_time(clock);
		uint64_t after = shmfb_now_ns();
		offset = (gint64)(before + (after - before) / 2) - (gint64)t;
	}
	gst_object_unref(clock);
	return offset;
}

guint64 gst_shmfb_running_to_mono(GstElement *e, GstClockTime running)
{
	GstClock *clock = gst_element_get_clock(e);
	if (!clock || !GST_CLOCK_TIME_IS_VALID(running)) {
		if (clock)
			gst_object_unref(clock);
		return shmfb_now_ns();
	}
	gst_object_unref(clock);
	gint64 t = (gint64)(running + gst_element_get_base_time(e)) + gst_shmfb_clock_offset(e);
	return t > 0 ? (guint64)t : 0;
}

GstClockTime gst_shmfb_mono_to_running(GstElement *e, guint64 mono_ns)
{
	gint64 clock_time = (gint64)mono_ns - gst_shmfb_clock_offset(e);
	gint64 running = clock_time - (gint64)gst_element_get_base_time(e);
	return running > 0 ? (GstClockTime)running : 0;
}

/* ------------------------------------------------------------- mapping */

struct GstShmfbMapping {
	gint refs; /* g_atomic_int: full barrier, so the last unref sees all use */
	shmfb_writer *writer;
	shmfb_writer_options options;
	GMutex lock; /* the writer's video calls and the fields below */
	GCond cond;
	guint64 ticket;    /* of the current hold of the slot; 0 = free */
	guint64 next_ticket;
	gboolean stopping;
	GThread *heartbeat;
};

/*
 * A paused pipeline publishes nothing: beat every second so readers do not
 * take the sink for stale (the writer's default timeout is 3 s).
 */
static gpointer heartbeat_thread(gpointer data)
{
	GstShmfbMapping *m = data;
	g_mutex_lock(&m->lock);
	while (!m->stopping) {
		gint64 until = g_get_monotonic_time() + G_TIME_SPAN_SECOND;
		if (!g_cond_wait_until(&m->cond, &m->lock, until) && !m->stopping)
			shmfb_writer_heartbeat(m->writer);
	}
	g_mutex_unlock(&m->lock);
	return NULL;
}

GstShmfbMapping *gst_shmfb_mapping_create(const gchar *location, const shmfb_writer_options *o,
					  int *rc)
{
	shmfb_writer *w;
	*rc = shmfb_create(location, o, &w);
	if (*rc < 0)
		return NULL;
	GstShmfbMapping *m = g_new0(GstShmfbMapping, 1);
	m->refs = 1;
	m->writer = w;
	m->options = *o;
	m->next_ticket = 1;
	g_mutex_init(&m->lock);
	g_cond_init(&m->cond);
	m->heartbeat = g_thread_new("shmfb-heartbeat", heartbeat_thread, m);
	return m;
}

GstShmfbMapping *gst_shmfb_mapping_ref(GstShmfbMapping *m)
{
	g_atomic_int_inc(&m->refs); /* full barrier (GLib); a holder exists already */
	return m;
}

void gst_shmfb_mapping_unref(GstShmfbMapping *m)
{
	if (!m || !g_atomic_int_dec_and_test(&m->refs)) /* full barrier (GLib) */
		return;
	g_mutex_lock(&m->lock);
	m->stopping = TRUE;
	g_cond_broadcast(&m->cond);
	g_mutex_unlock(&m->lock);
	g_thread_join(m->heartbeat);
	if (shmfb_writer_close(m->writer) < 0)
		GST_WARNING("closing the mapping: %s", shmfb_errdetail());
	g_cond_clear(&m->cond);
	g_mutex_clear(&m->lock);
	g_free(m);
}

const shmfb_writer_options *gst_shmfb_mapping_options(const GstShmfbMapping *m)
{
	return &m->options;
}

uint64_t gst_shmfb_mapping_generation(const GstShmfbMapping *m)
{
	return shmfb_writer_generation(m->writer);
}

gboolean gst_shmfb_mapping_take_slot(GstShmfbMapping *m, shmfb_planes *p, guint64 *ticket,
				     const gboolean *cancel)
{
	g_mutex_lock(&m->lock);
	while (m->ticket && !*cancel)
		g_cond_wait(&m->cond, &m->lock);
	gboolean ok = !*cancel;
	if (ok) {
		shmfb_writer_acquire(m->writer, p);
		m->ticket = *ticket = m->next_ticket++;
	}
	g_mutex_unlock(&m->lock);
	return ok;
}

gboolean gst_shmfb_mapping_publish(GstShmfbMapping *m, guint64 ticket, uint64_t frame_number,
				   uint64_t pts_ns)
{
	g_mutex_lock(&m->lock);
	gboolean held = ticket && m->ticket == ticket;
	if (held) {
		shmfb_writer_publish(m->writer, frame_number, pts_ns);
		m->ticket = 0;
		g_cond_broadcast(&m->cond);
	}
	g_mutex_unlock(&m->lock);
	return held;
}

void gst_shmfb_mapping_drop_slot(GstShmfbMapping *m, guint64 ticket)
{
	g_mutex_lock(&m->lock);
	if (m->ticket == ticket) {
		m->ticket = 0; /* the next acquire reuses the slot */
		g_cond_broadcast(&m->cond);
	}
	g_mutex_unlock(&m->lock);
}

void gst_shmfb_mapping_set_cancel(GstShmfbMapping *m, gboolean *cancel, gboolean value)
{
	g_mutex_lock(&m->lock);
	*cancel = value;
	g_cond_broadcast(&m->cond);
	g_mutex_unlock(&m->lock);
}

int gst_shmfb_mapping_audio_write(GstShmfbMapping *m, const void *frames, uint32_t count,
				  uint64_t pts_ns)
{
	/* The ring is written by this one thread; video goes on beside it, as
	 * the producer's audio thread does. */
	return shmfb_writer_audio_write(m->writer, frames, count, pts_ns);
}

/* -------------------------------------------------------------- shared */

static GMutex shared_lock;
static GHashTable *shared_table;

static GstShmfbShared *shared_get(const gchar *location)
{
	g_mutex_lock(&shared_lock);
	if (!shared_table)
		shared_table = g_hash_table_new(g_str_hash, g_str_equal);
	GstShmfbShared *s = g_hash_table_lookup(shared_table, location);
	if (!s) {
		s = g_new0(GstShmfbShared, 1);
		s->location = g_strdup(location);
		g_mutex_init(&s->lock);
		g_cond_init(&s->changed);
		g_hash_table_insert(shared_table, s->location, s);
	}
	s->users++;
	g_mutex_unlock(&shared_lock);
	return s;
}

static void shared_put(GstShmfbShared *s)
{
	g_mutex_lock(&shared_lock);
	gboolean last = --s->users == 0;
	if (last)
		g_hash_table_remove(shared_table, s->location);
	g_mutex_unlock(&shared_lock);
	if (!last)
		return;
	gst_shmfb_mapping_unref(s->mapping);
	g_cond_clear(&s->changed);
	g_mutex_clear(&s->lock);
	g_free(s->location);
	g_free(s);
}

GstShmfbShared *gst_shmfb_shared_claim(GstElement *sink, const gchar *location, gboolean audio)
{
	if (!location || !*location) {
		GST_ELEMENT_ERROR(sink, RESOURCE, NOT_FOUND,
				  ("no mapping given: set the location property"), (NULL));
		return NULL;
	}
	int rc = audio ? 0 : shmfb_name_check(location);
	if (rc < 0) {
		GST_SHMFB_ELEMENT_ERROR(sink, RESOURCE, SETTINGS, rc, "location");
		return NULL;
	}
	GstShmfbShared *s = shared_get(location);
	g_mutex_lock(&s->lock);
	gboolean *role = audio ? &s->has_audio : &s->has_video;
	gboolean taken = *role;
	*role = TRUE;
	g_mutex_unlock(&s->lock);
	if (!taken)
		return s;
	shared_put(s);
	GST_ELEMENT_ERROR(sink, RESOURCE, BUSY,
			  ("%s: another %s in this process writes its %s", location,
			   audio ? "shmfbaudiosink" : "shmfbsink", audio ? "audio" : "frames"), (NULL));
	return NULL;
}

void gst_shmfb_shared_release(GstShmfbShared *s, gboolean audio)
{
	if (!s)
		return;
	g_mutex_lock(&s->lock);
	if (audio)
		s->has_audio = s->audio_known = FALSE;
	else
		s->has_video = FALSE;
	g_mutex_unlock(&s->lock);
	shared_put(s);
}

/* ------------------------------------------------------------- reading */

/* Long enough to cost nothing, short enough that unlock() and a dead
 * producer (which wakes no futex) are noticed promptly. */
#define CONN_SLICE_NS (100 * SHMFB_MS)

void gst_shmfb_conn_init(GstShmfbConn *c, GstElement *element, gboolean audio)
{
	memset(c, 0, sizeof *c);
	c->element = element;
	c->audio = audio;
}

enum { PROP_0, PROP_LOCATION, PROP_TIMEOUT, PROP_WAIT_NEW };

void gst_shmfb_conn_install_properties(GObjectClass *oc, const gchar *timeout_blurb)
{
	GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
	g_object_class_install_property(oc, PROP_LOCATION,
		g_param_spec_string("location", "Location", GST_SHMFB_PROP_LOCATION_BLURB, NULL, rw));
	g_object_class_install_property(oc, PROP_TIMEOUT,
		g_param_spec_uint64("timeout", "Timeout", timeout_blurb, 0, G_MAXUINT64, 0, rw));
	g_object_class_install_property(oc, PROP_WAIT_NEW,
		g_param_spec_boolean("wait-for-new-producer", "Wait for a new producer",
				     "When the producer closes or dies (or before the name exists), "
				     "wait for a new one under the name instead of EOS or an error",
				     FALSE, rw));
}

gboolean gst_shmfb_conn_set_property(GstShmfbConn *c, guint id, const GValue *v)
{
	switch (id) {
	case PROP_LOCATION:
		g_free(c->location);
		c->location = g_value_dup_string(v);
		return TRUE;
	case PROP_TIMEOUT:
		c->timeout_ns = (gint64)MIN(g_value_get_uint64(v), (guint64)G_MAXINT64);
		return TRUE;
	case PROP_WAIT_NEW: c->wait_new = g_value_get_boolean(v); return TRUE;
	default: return FALSE;
	}
}

gboolean gst_shmfb_conn_get_property(GstShmfbConn *c, guint id, GValue *v)
{
	switch (id) {
	case PROP_LOCATION: g_value_set_string(v, c->location); return TRUE;
	case PROP_TIMEOUT: g_value_set_uint64(v, (guint64)c->timeout_ns); return TRUE;
	case PROP_WAIT_NEW: g_value_set_boolean(v, c->wait_new); return TRUE;
	default: return FALSE;
	}
}

void gst_shmfb_conn_set_flushing(GstShmfbConn *c, gboolean flushing)
{
	g_atomic_int_set(&c->flushing, flushing); /* full barrier (GLib): read by the streaming thread */
}

void gst_shmfb_conn_close(GstShmfbConn *c)
{
	if (c->reader)
		shmfb_reader_close(c->reader);
	c->reader = NULL;
	c->seen = 0;
	c->unreadable = 0;
}

static gboolean flushing(GstShmfbConn *c)
{
	return g_atomic_int_get(&c->flushing); /* full barrier (GLib): unlock() may run anywhere */
}

static void post_open_error(GstShmfbConn *c, int rc)
{
	if (rc == SHMFB_ENOENT)
		GST_SHMFB_ELEMENT_ERROR(c->element, RESOURCE, NOT_FOUND, rc, "no producer");
	else if (rc == SHMFB_EACCES || rc == SHMFB_EPERM)
		GST_SHMFB_ELEMENT_ERROR(c->element, RESOURCE, OPEN_READ, rc, "cannot open the mapping");
	else
		GST_SHMFB_ELEMENT_ERROR(c->element, RESOURCE, READ, rc, "not a usable shmfb mapping");
}

/* Opens the name; an audio reader needs a ring.  0 or a code. */
static int conn_open(GstShmfbConn *c, shmfb_reader **out)
{
	int rc = shmfb_open(c->location, out);
	if (rc < 0)
		return rc;
	if (c->audio && !shmfb_reader_info(*out)->audio_rate) {
		shmfb_reader_close(*out);
		*out = NULL;
		GST_ELEMENT_ERROR(c->element, STREAM, WRONG_TYPE,
				  ("%s: the mapping carries no audio", c->location), (NULL));
		return SHMFB_EINVAL;
	}
	return 0;
}

gboolean gst_shmfb_conn_start(GstShmfbConn *c)
{
	gst_shmfb_conn_set_flushing(c, FALSE);
	if (!c->location || !*c->location) {
		GST_ELEMENT_ERROR(c->element, RESOURCE, NOT_FOUND,
				  ("no mapping given: set the location property"), (NULL));
		return FALSE;
	}
	int rc = conn_open(c, &c->reader);
	if (rc == SHMFB_EINVAL && c->audio)
		return FALSE;
	if (rc < 0 && !(c->wait_new && rc == SHMFB_ENOENT)) {
		post_open_error(c, rc);
		return FALSE;
	}
	return TRUE;
}

/* Waits (in slices) for the name to lead to a new generation. */
static GstShmfbWaitResult wait_for_producer(GstShmfbConn *c, uint64_t old_generation)
{
	for (;;) {
		if (flushing(c))
			return GST_SHMFB_FLUSHING;
		shmfb_reader *r;
		int rc = shmfb_open(c->location, &r);
		if (rc == 0 && shmfb_reader_info(r)->generation != old_generation) {
			gst_shmfb_conn_close(c);
			if (c->audio && !shmfb_reader_info(r)->audio_rate) {
				shmfb_reader_close(r);
				GST_ELEMENT_ERROR(c->element, STREAM, WRONG_TYPE,
						  ("%s: the new producer's mapping carries no audio",
						   c->location), (NULL));
				return GST_SHMFB_ERROR;
			}
			c->reader = r;
			GST_INFO_OBJECT(c->element, "%s: producer pid %u, generation %" G_GINT64_MODIFIER "x",
					c->location, shmfb_reader_info(r)->producer_pid,
					shmfb_reader_info(r)->generation);
			return GST_SHMFB_NEW_PRODUCER;
		}
		if (rc == 0)
			shmfb_reader_close(r);
		else if (rc != SHMFB_ENOENT && rc != SHMFB_EBADTOTALSIZE && rc != SHMFB_EBADMAGIC) {
			/* A name mid-creation reads as empty or short; anything else is bad. */
			post_open_error(c, rc);
			return GST_SHMFB_ERROR;
		}
		/* No futex exists without a mapping: look again shortly. */
		g_usleep(20 * 1000);
	}
}

/*
 * The producer closed, died, went silent or was replaced.  A new generation
 * under the name is taken at once (a sink's caps change makes one before it
 * closes the old); otherwise EOS, an error, or waiting, as configured.
 */
static GstShmfbWaitResult producer_event(GstShmfbConn *c, int status)
{
	uint64_t gen = c->reader ? shmfb_reader_info(c->reader)->generation : 0;
	shmfb_reader *r;
	if (shmfb_open(c->location, &r) == 0) {
		gboolean newer = shmfb_reader_info(r)->generation != gen;
		shmfb_reader_close(r);
		if (newer)
			return wait_for_producer(c, gen);
	}
	if (status == SHMFB_ESTALE)
		return GST_SHMFB_GOT; /* alive: the caller's timeout decides */
	if (c->wait_new) {
		GST_INFO_OBJECT(c->element, "%s", shmfb_errdetail());
		return wait_for_producer(c, gen);
	}
	if (status == SHMFB_ECLOSED)
		return GST_SHMFB_EOS;
	if (status == SHMFB_EDEAD)
		GST_SHMFB_ELEMENT_ERROR(c->element, RESOURCE, READ, status, "the producer vanished");
	else if (status == SHMFB_EREPLACED)
		GST_SHMFB_ELEMENT_ERROR(c->element, RESOURCE, READ, status, "the mapping was replaced");
	else
		GST_SHMFB_ELEMENT_ERROR(c->element, RESOURCE, READ, status, "the mapping went bad");
	return GST_SHMFB_ERROR;
}

/*
 * Frames: one newer than the last given out, and than the latest when that
 * one never read whole (a slot lapped every time, or one a broken producer
 * never finishes): waiting past seen alone would return at once, and the
 * source would spin (shmfb.h, shmfb_reader_copy_latest).
 */
static int conn_wait_once(GstShmfbConn *c, int64_t slice)
{
	return c->audio ? shmfb_audio_wait(c->reader, slice, 0)
			: shmfb_reader_wait(c->reader, MAX(c->seen, c->unreadable), slice, 0);
}

GstShmfbWaitResult gst_shmfb_conn_wait(GstShmfbConn *c)
{
	if (!c->reader)
		return wait_for_producer(c, 0);
	uint64_t start = shmfb_now_ns();
	for (;;) {
		if (flushing(c))
			return GST_SHMFB_FLUSHING;
		int rc = conn_wait_once(c, CONN_SLICE_NS);
		if (rc == 0)
			return GST_SHMFB_GOT;
		int status = rc == SHMFB_ETIMEDOUT ? shmfb_reader_status(c->reader) : rc;
		if (status != 0) {
			GstShmfbWaitResult w = producer_event(c, status);
			if (w != GST_SHMFB_GOT)
				return w;
		}
		if (c->timeout_ns > 0 && shmfb_now_ns() - start >= (uint64_t)c->timeout_ns) {
			GST_ELEMENT_ERROR(c->element, RESOURCE, READ,
					  ("%s: no new %s within %" G_GINT64_FORMAT " ms (timeout)",
					   c->location, c->audio ? "audio" : "frame",
					   (gint64)(c->timeout_ns / SHMFB_MS)), (NULL));
			return GST_SHMFB_ERROR;
		}
	}
}
