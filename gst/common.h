/*
 * common.h - what the shmfb GStreamer elements share: format tables, the
 * clock that maps buffer times to CLOCK_MONOTONIC, the writer a video and an
 * audio sink share, and the reader connection both sources follow through
 * producer restarts.  Only the public shmfb.h is used.
 */
#ifndef GST_SHMFB_COMMON_H
#define GST_SHMFB_COMMON_H

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/video/video.h>

#include "shmfb.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN(gst_shmfb_debug);
#define GST_CAT_DEFAULT gst_shmfb_debug

#define GST_SHMFB_VIDEO_CAPS \
	GST_VIDEO_CAPS_MAKE("{ RGBA, BGRA, RGB, GRAY8, NV12, I420, YUY2 }")
#define GST_SHMFB_AUDIO_CAPS \
	"audio/x-raw, format = (string) { S16LE, F32LE }, layout = (string) interleaved, " \
	"rate = (int) [ 8000, 192000 ], channels = (int) [ 1, 8 ]"

/* The property every element names its mapping with ("name" is GstObject's). */
#define GST_SHMFB_PROP_LOCATION_BLURB \
	"The mapping: a plain name (letters, digits, '.', '_', '-'; /dev/shm/shmfb-NAME) " \
	"or a file path (any name containing '/')"

/* Posts GST_ELEMENT_ERROR whose text is shmfb's one-line detail of code rc. */
#define GST_SHMFB_ELEMENT_ERROR(el, domain, code, rc, what)                                  \
	GST_ELEMENT_ERROR(el, domain, code, ("%s: %s", what, gst_shmfb_describe(rc)), \
			  ("shmfb code %d", rc))

/* Posts the error of a sink's set_caps for caps it cannot write. */
#define GST_SHMFB_CAPS_REFUSED(el, caps) \
	GST_ELEMENT_ERROR(el, STREAM, FORMAT, ("caps not accepted: %" GST_PTR_FORMAT, caps), (NULL))

/* shmfb's detail of the last failure and the code's name, e.g.
 * "cam0: in use by running producer pid 7 (...) (SHMFB_EEXIST)"; per thread. */
const gchar *gst_shmfb_describe(int rc);

GstVideoFormat gst_shmfb_video_format(shmfb_pixfmt f);
shmfb_pixfmt gst_shmfb_pixfmt(GstVideoFormat f);
GstAudioFormat gst_shmfb_audio_format(shmfb_sampfmt f);
shmfb_sampfmt gst_shmfb_sampfmt(GstAudioFormat f);
/* The caps a mapping's header describes; NULL when it carries no audio. */
GstCaps *gst_shmfb_video_caps(const shmfb_info *info);
GstCaps *gst_shmfb_audio_caps(const shmfb_info *info);
/* The colour the caps describe, as far as shmfb can store it for the format. */
void gst_shmfb_color_from_caps(const GstVideoInfo *vi, shmfb_color *c);

/* CLOCK_MONOTONIC minus the element's clock time now (0 for the system clock). */
gint64 gst_shmfb_clock_offset(GstElement *e);
/* A running time as CLOCK_MONOTONIC ns, or now when there is no clock. */
guint64 gst_shmfb_running_to_mono(GstElement *e, GstClockTime running);
/* A CLOCK_MONOTONIC time as running time (0 when it is before the start). */
GstClockTime gst_shmfb_mono_to_running(GstElement *e, guint64 mono_ns);

/* ------------------------------------------------------------- writing */

/*
 * One created mapping, shared by the sink, its buffer pool's buffers and an
 * audio sink: closed when the last holder lets go, so a pool buffer upstream
 * still holds never points into an unmapped slot.  The writer's single
 * acquirable slot is handed to one holder at a time (take_slot).
 */
typedef struct GstShmfbMapping GstShmfbMapping;

GstShmfbMapping *gst_shmfb_mapping_create(const gchar *location, const shmfb_writer_options *o,
					  int *rc);
GstShmfbMapping *gst_shmfb_mapping_ref(GstShmfbMapping *m);
void gst_shmfb_mapping_unref(GstShmfbMapping *m);
const shmfb_writer_options *gst_shmfb_mapping_options(const GstShmfbMapping *m);
uint64_t gst_shmfb_mapping_generation(const GstShmfbMapping *m);
/*
 * Waits for the slot; FALSE once *cancel is set (by set_cancel).  *ticket
 * names this hold.
 */
gboolean gst_shmfb_mapping_take_slot(GstShmfbMapping *m, shmfb_planes *p, guint64 *ticket,
				     const gboolean *cancel);
/* Sets a cancel flag of take_slot's under the mapping's lock and wakes waiters. */
void gst_shmfb_mapping_set_cancel(GstShmfbMapping *m, gboolean *cancel, gboolean value);
/* Publishes the slot held under ticket; FALSE if that hold has ended. */
gboolean gst_shmfb_mapping_publish(GstShmfbMapping *m, guint64 ticket, uint64_t frame_number,
				   uint64_t pts_ns);
/* Gives the slot back unpublished (a buffer dropped before render). */
void gst_shmfb_mapping_drop_slot(GstShmfbMapping *m, guint64 ticket);
int gst_shmfb_mapping_audio_write(GstShmfbMapping *m, const void *frames, uint32_t count,
				  uint64_t pts_ns);

/*
 * What a shmfbsink and a shmfbaudiosink with the same location in one
 * process share: the current mapping (the video sink creates it) and the
 * audio format the audio sink announced, so the mapping gets a ring for it.
 */
typedef struct GstShmfbShared {
	gchar *location;
	gint users;
	GMutex lock;
	GCond changed;
	GstShmfbMapping *mapping; /* NULL before the video caps and after EOS */
	gboolean has_video;       /* a shmfbsink is started */
	gboolean video_ended;     /* it had EOS: audio after it goes nowhere */
	gboolean has_audio;       /* a shmfbaudiosink is started */
	GstAudioInfo audio;       /* valid when audio_known */
	gboolean audio_known;
	gboolean audio_changed;   /* the mapping must be made again for it */
} GstShmfbShared;

/*
 * A sink's start: checks location (the audio sink's is checked by its video
 * partner) and takes the video or the audio role in the shared state for it;
 * NULL with the error posted if the location is bad or the role is taken.
 */
GstShmfbShared *gst_shmfb_shared_claim(GstElement *sink, const gchar *location, gboolean audio);
/* A sink's stop: gives the role back (and what the audio sink announced). */
void gst_shmfb_shared_release(GstShmfbShared *s, gboolean audio);

/* ------------------------------------------------------------- reading */

typedef enum {
	GST_SHMFB_GOT,      /* something new (frame or audio) to read */
	GST_SHMFB_NEW_PRODUCER, /* reattached to a new generation: check caps */
	GST_SHMFB_FLUSHING,
	GST_SHMFB_EOS,
	GST_SHMFB_ERROR,    /* posted already */
} GstShmfbWaitResult;

/* A reader that follows the name through producer restarts. */
typedef struct GstShmfbConn {
	GstElement *element;
	gchar *location;
	shmfb_reader *reader;
	gboolean audio;           /* waits on the audio ring, not frames */
	gboolean wait_new;        /* at close or death wait for a new producer */
	gint64 timeout_ns;        /* no new data for this long is an error; 0 = never */
	uint64_t seen;            /* publish counter of the last frame given out */
	uint64_t unreadable;      /* latest index when no copy came out whole: waits sleep past it too */
	volatile gint flushing;   /* set by unlock() from another thread */
} GstShmfbConn;

void gst_shmfb_conn_init(GstShmfbConn *c, GstElement *element, gboolean audio);
/* The sources' properties location, timeout and wait-for-new-producer. */
void gst_shmfb_conn_install_properties(GObjectClass *oc, const gchar *timeout_blurb);
gboolean gst_shmfb_conn_set_property(GstShmfbConn *c, guint id, const GValue *v);
gboolean gst_shmfb_conn_get_property(GstShmfbConn *c, guint id, GValue *v);
/* unlock() and unlock_stop(): ends a wait in progress. */
void gst_shmfb_conn_set_flushing(GstShmfbConn *c, gboolean flushing);
void gst_shmfb_conn_close(GstShmfbConn *c);
/* Opens now; FALSE with the error posted unless waiting is allowed and it is absent. */
gboolean gst_shmfb_conn_start(GstShmfbConn *c);
/* Sleeps on the futex until there is something new or an event. */
GstShmfbWaitResult gst_shmfb_conn_wait(GstShmfbConn *c);

G_END_DECLS
#endif
