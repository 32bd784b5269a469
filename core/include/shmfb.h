/*
 * shmfb.h - hand video frames, and the audio beside them, from one process to
 * many through named shared memory.
 *
 * A producer creates a named mapping: page 0 is a header that describes it
 * (docs/FORMAT.md), followed by three 4 KiB-aligned frame slots (triple
 * buffering) and, if asked, a lossless audio ring.  Readers open the mapping
 * read-only, take the latest completed frame and can sleep until a newer one
 * is published; each reads the audio with its own cursor.  Nothing a reader
 * does is visible to the producer, so a slow or dead reader never stalls it.
 *
 * Producer loop:
 *
 *     shmfb_writer_options o;
 *     shmfb_writer_options_init(&o);
 *     o.width = 1280; o.height = 720; o.format = SHMFB_FMT_RGBA8;
 *     shmfb_writer *w;
 *     int rc = shmfb_create("cam0", &o, &w);
 *     if (rc < 0) die("%s", shmfb_errdetail());
 *     for (uint64_t n = 0;; n++) {
 *         shmfb_planes p;
 *         shmfb_writer_acquire(w, &p);        // in-place: draw into p.data[]
 *         draw(p.data[0], p.stride[0]);
 *         shmfb_writer_publish(w, n, pts_ns); // readers are woken
 *     }
 *     shmfb_writer_close(w);
 *
 * Reader loop:
 *
 *     shmfb_reader *r;
 *     if (shmfb_open("cam0", &r) < 0) die("%s", shmfb_errdetail());
 *     uint64_t seen = 0;
 *     for (;;) {
 *         int rc = shmfb_reader_wait(r, seen, 250 * SHMFB_MS, 0);
 *         if (rc == SHMFB_ETIMEDOUT) { check shmfb_reader_status(r); continue; }
 *         shmfb_frame f;
 *         if (shmfb_reader_copy_latest(r, buf, size, &f) == 0) { use(buf); seen = f.index; }
 *     }
 *
 * Real-time safe (no allocation, no locks, no system call other than the
 * futex wake): shmfb_writer_acquire, shmfb_writer_publish,
 * shmfb_writer_publish_copy, shmfb_writer_heartbeat,
 * shmfb_writer_audio_write, shmfb_reader_latest, shmfb_frame_valid,
 * shmfb_reader_copy_latest, shmfb_reader_next, shmfb_reader_copy_next,
 * shmfb_audio_read, shmfb_audio_available.
 *
 * Errors: every function that can fail returns int: 0 (or a count) on
 * success, a negative SHMFB_E* code on failure.  shmfb_strerror(code) gives
 * the fixed text of a code; shmfb_errdetail() gives a one-line message about
 * the last failure in the calling thread that names the thing that was wrong
 * (the mapping's name, the field, the owner's pid).
 *
 * Handles: pass only a handle the library gave you and you have not yet
 * closed.  NULL, a closed handle or a pointer of the other role is a
 * programming error the library does not check for (the frame path stays
 * free of such tests): expect a crash.  The close functions alone accept
 * NULL and do nothing.  The two roles are distinct types, so the compiler
 * catches a reader passed as a writer.
 *
 * Threads: a handle is used by one thread at a time, with one exception a
 * viewer needs: one thread may sleep in shmfb_reader_wait (or ask
 * shmfb_reader_status) while another takes frames from the same reader.
 */
#ifndef SHMFB_H
#define SHMFB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SHMFB_BUILDING_DLL)
#define SHMFB_API __declspec(dllexport)
#elif defined(_WIN32) && defined(SHMFB_USING_DLL)
#define SHMFB_API __declspec(dllimport)
#elif defined(__GNUC__)
#define SHMFB_API __attribute__((visibility("default")))
#else
#define SHMFB_API
#endif

#define SHMFB_VERSION_MAJOR 0
#define SHMFB_VERSION_MINOR 1
#define SHMFB_VERSION_PATCH 0

/* Time is in nanoseconds of CLOCK_MONOTONIC everywhere. */
#define SHMFB_US 1000LL
#define SHMFB_MS 1000000LL
#define SHMFB_SEC 1000000000LL

/*
 * Error codes: SHMFB_ERRNO_MAP is the one list of them.  XX(name, value,
 * text) for each; the enum, shmfb_strerror() and shmfb_errname() are all
 * generated from it (the way libuv's UV_ERRNO_MAP is), so a binding can
 * build its own table the same way.  Where an errno means the same thing
 * the code is -errno on Linux; the numbers are fixed, the same on every
 * platform, and never reused.
 */
#define SHMFB_ERRNO_MAP(XX)                                                       \
	XX(OK, 0, "success")                                                      \
	XX(EPERM, -1, "operation not permitted")                                  \
	XX(ENOENT, -2, "no such mapping")                                         \
	XX(EINTR, -4, "interrupted")                                              \
	XX(EIO, -5, "input/output error")                                         \
	XX(EAGAIN, -11, "try again")                                              \
	XX(ENOMEM, -12, "out of memory")                                          \
	XX(EACCES, -13, "permission denied")                                      \
	XX(EBUSY, -16, "busy")                                                    \
	XX(EEXIST, -17, "name in use by a running producer")                      \
	XX(EINVAL, -22, "invalid argument")                                       \
	XX(ENOSPC, -28, "no space left for the mapping")                          \
	XX(ENAMETOOLONG, -36, "name too long")                                    \
	XX(ETIMEDOUT, -110, "timed out")                                          \
	/* Our own: naming, creating and opening. */                              \
	XX(EBADNAME, -1000, "invalid mapping name")                               \
	/* width or height is zero (also Win32's ERROR_FILE_INVALID) */           \
	XX(EZEROSIZE, -1001, "zero width or height")                              \
	/* sizes overflow or exceed SHMFB_MAX_* */                                \
	XX(ETOOBIG, -1002, "frame too large")                                     \
	/* unknown pixel format, or an odd size for 4:2:x */                      \
	XX(EBADFORMAT, -1003, "unsupported pixel format or size")                 \
	/* name taken by another kind of object (Win32) */                        \
	XX(ECOLLISION, -1004, "name used by another kind of object")              \
	/* a file path that is a symbolic link (refused, never followed) */       \
	XX(ESYMLINK, -1005, "the name is a symbolic link")                        \
	/* a file path that is a directory, device, pipe, ... */                  \
	XX(ENOTREG, -1006, "not a regular file")                                  \
	/* Header validation: each a distinct failure of an untrusted mapping. */ \
	XX(EBADMAGIC, -1100, "not a shmfb mapping (bad magic)")                   \
	XX(EBADVERSION, -1101, "unsupported shmfb format version")                \
	XX(EBADHEADERSIZE, -1102, "bad header size")                              \
	/* total_size disagrees with the object's real size */                    \
	XX(EBADTOTALSIZE, -1103, "header size disagrees with the mapping's real size") \
	XX(EBADSLOTCOUNT, -1104, "bad slot count")                                \
	/* slot offset/size unaligned, overlapping or outside */                  \
	XX(EBADSLOT, -1105, "slot outside the mapping or misaligned")             \
	/* width/height/format/planes inconsistent */                             \
	XX(EBADGEOMETRY, -1106, "inconsistent video description")                 \
	XX(EBADPLANE, -1107, "plane outside its slot")                            \
	/* the live state word is not 0, 1 or 2, or never left 0 */               \
	XX(EBADSTATE, -1108, "corrupt live state in header")                      \
	/* audio description or ring region invalid */                            \
	XX(EBADAUDIO, -1109, "invalid audio description or ring")                 \
	/* latest names slot 3, or index 0 with a slot */                         \
	XX(EBADLATEST, -1110, "corrupt latest-frame word in header")              \
	/* audio_claimed below audio_written */                                   \
	XX(EBADCLAIM, -1111, "audio claimed counter below the written counter")   \
	/* Reader status. */                                                      \
	XX(ENOFRAME, -1200, "no frame published yet")                             \
	XX(ETORN, -1201, "frame rewritten while read")                            \
	XX(ECLOSED, -1202, "producer closed the mapping")                         \
	XX(EDEAD, -1203, "producer died")                                         \
	/* producer alive but silent past its heartbeat timeout */                \
	XX(ESTALE, -1204, "producer stopped updating its heartbeat")              \
	/* the name now refers to a newer mapping */                              \
	XX(EREPLACED, -1205, "name now belongs to a newer producer")              \
	/* the publish or audio write counter went backwards: mapping corrupt */  \
	XX(EBACKWARDS, -1206, "a counter went backwards: mapping corrupt")       \
	/* an audio call on a mapping that carries no audio */                    \
	XX(ENOAUDIO, -1207, "the mapping carries no audio")

#define SHMFB__ERRNO_ENUM(name, value, text) SHMFB_##name = value,
enum { SHMFB_ERRNO_MAP(SHMFB__ERRNO_ENUM) };
#undef SHMFB__ERRNO_ENUM

/* Fixed text for a code; never NULL ("unknown error" for a number that is no code). */
SHMFB_API const char *shmfb_strerror(int code);
/* The code's symbolic name, "SHMFB_ENOENT" for SHMFB_ENOENT; NULL for a number that is no code. */
SHMFB_API const char *shmfb_errname(int code);
/* One line about the last failure in this thread, naming what was wrong. */
SHMFB_API const char *shmfb_errdetail(void);

/* ---------------------------------------------------------------- formats */

typedef enum shmfb_pixfmt {
	SHMFB_FMT_NONE = 0,
	SHMFB_FMT_RGBA8 = 1, /* bytes R,G,B,A */
	SHMFB_FMT_BGRA8 = 2, /* bytes B,G,R,A */
	SHMFB_FMT_RGB24 = 3, /* bytes R,G,B */
	SHMFB_FMT_GRAY8 = 4, /* one byte of luma */
	SHMFB_FMT_NV12 = 5,  /* Y plane, then interleaved U,V at half size */
	SHMFB_FMT_I420 = 6,  /* Y plane, U plane, V plane, chroma at half size */
	SHMFB_FMT_YUYV = 7,  /* packed Y0 U Y1 V, 4:2:2 */
	SHMFB_FMT_COUNT
} shmfb_pixfmt;

#define SHMFB_MAX_PLANES 4
#define SHMFB_MAX_DIM 16384                      /* width and height */
#define SHMFB_MAX_FRAME_BYTES (1024ULL << 20)    /* one slot, 1 GiB */
#define SHMFB_NAME_MAX 64                        /* shm names, without prefix */
#define SHMFB_PATH_MAX 255                       /* stored path of file-backed */
#define SHMFB_SLOTS 3

/* "rgba", "nv12", ... ; NULL for an unknown format. */
SHMFB_API const char *shmfb_pixfmt_name(shmfb_pixfmt f);
/* Parses a name as printed by shmfb_pixfmt_name (also "rgba8", "bgra8"). */
SHMFB_API shmfb_pixfmt shmfb_pixfmt_from_name(const char *name);

/* The byte layout of one frame of a format: tight, or with rows padded to an alignment. */
typedef struct shmfb_layout {
	uint32_t plane_count;
	uint32_t offset[SHMFB_MAX_PLANES]; /* from the start of the slot */
	uint32_t stride[SHMFB_MAX_PLANES]; /* bytes per row */
	uint32_t rows[SHMFB_MAX_PLANES];
	uint32_t row_bytes[SHMFB_MAX_PLANES]; /* bytes of pixels per row */
	uint64_t frame_bytes;
} shmfb_layout;

/*
 * Computes the packed layout of a width x height frame.
 * Returns 0, SHMFB_EZEROSIZE, SHMFB_EBADFORMAT (unknown format, or an odd
 * width/height where the format subsamples), or SHMFB_ETOOBIG.
 */
SHMFB_API int shmfb_layout_compute(uint32_t width, uint32_t height,
				   shmfb_pixfmt format, shmfb_layout *out);

#define SHMFB_MAX_ROW_ALIGN 4096

/*
 * The same with every plane's stride rounded up to a multiple of row_align
 * (0 or 1: tight, as shmfb_layout_compute; otherwise a power of two up to
 * SHMFB_MAX_ROW_ALIGN), planes back to back, frame_bytes the sum of
 * stride x rows.  row_align 4 gives GStreamer's default video layout (its
 * rows are padded to 4 bytes: rgb24 or i420 at width 350).  The padding
 * bytes carry nothing.  Returns the codes above, or SHMFB_EINVAL (row_align).
 */
SHMFB_API int shmfb_layout_compute_aligned(uint32_t width, uint32_t height,
					   shmfb_pixfmt format, uint32_t row_align,
					   shmfb_layout *out);

/* ----------------------------------------------------------------- colour */

/*
 * What the numbers of a frame mean as colour (docs/FORMAT.md, "Colour"),
 * stored in the header.  0 is "unspecified" in every field: a mapping made
 * before these fields existed reads as all unspecified, and a reader takes
 * any value it does not know, or one that does not fit the pixel format, as
 * unspecified too.  The ITU-T H.273 code point of each value is given for
 * mapping to ffmpeg (AVCOL_*), GStreamer (gst_video_*_from_iso) or Vulkan.
 */
typedef enum shmfb_color_matrix {
	SHMFB_MATRIX_UNSPECIFIED = 0,
	SHMFB_MATRIX_RGB = 1,    /* the values are R',G',B' themselves (H.273 0); RGB formats */
	SHMFB_MATRIX_BT601 = 2,  /* Y'CbCr with Kr 0.299, Kb 0.114 (H.273 5 and 6) */
	SHMFB_MATRIX_BT709 = 3,  /* Kr 0.2126, Kb 0.0722 (H.273 1) */
	SHMFB_MATRIX_BT2020 = 4, /* non-constant luminance, Kr 0.2627, Kb 0.0593 (H.273 9) */
	SHMFB_MATRIX_COUNT
} shmfb_color_matrix;

typedef enum shmfb_color_range {
	SHMFB_RANGE_UNSPECIFIED = 0,
	SHMFB_RANGE_LIMITED = 1, /* 8-bit Y' 16..235, Cb Cr 16..240, R'G'B' 16..235 ("tv") */
	SHMFB_RANGE_FULL = 2,    /* 0..255 ("pc", JPEG) */
	SHMFB_RANGE_COUNT
} shmfb_color_range;

typedef enum shmfb_color_transfer {
	SHMFB_TRANSFER_UNSPECIFIED = 0,
	SHMFB_TRANSFER_BT709 = 1,  /* H.273 1 */
	SHMFB_TRANSFER_SRGB = 2,   /* IEC 61966-2-1 (H.273 13) */
	SHMFB_TRANSFER_BT601 = 3,  /* SMPTE 170M (H.273 6; the BT.709 curve) */
	SHMFB_TRANSFER_BT2020 = 4, /* BT.2020 10-bit (H.273 14; the BT.709 curve) */
	SHMFB_TRANSFER_PQ = 5,     /* SMPTE ST 2084 (H.273 16) */
	SHMFB_TRANSFER_HLG = 6,    /* ARIB STD-B67 (H.273 18) */
	SHMFB_TRANSFER_LINEAR = 7, /* H.273 8 */
	SHMFB_TRANSFER_COUNT
} shmfb_color_transfer;

typedef enum shmfb_color_primaries {
	SHMFB_PRIMARIES_UNSPECIFIED = 0,
	SHMFB_PRIMARIES_BT709 = 1,     /* also sRGB's (H.273 1) */
	SHMFB_PRIMARIES_BT601_625 = 2, /* BT.470 BG, PAL (H.273 5) */
	SHMFB_PRIMARIES_BT601_525 = 3, /* SMPTE 170M, NTSC (H.273 6) */
	SHMFB_PRIMARIES_BT2020 = 4,    /* H.273 9 */
	SHMFB_PRIMARIES_COUNT
} shmfb_color_primaries;

/* Where a chroma sample of nv12, i420 and yuyv sits among the luma samples it covers. */
typedef enum shmfb_chroma_site {
	SHMFB_CHROMA_UNSPECIFIED = 0,
	SHMFB_CHROMA_LEFT = 1,    /* with the left luma sample, halfway between the rows (MPEG-2) */
	SHMFB_CHROMA_CENTER = 2,  /* halfway between both ways (JPEG, MPEG-1) */
	SHMFB_CHROMA_TOPLEFT = 3, /* with the top-left luma sample (BT.2020) */
	SHMFB_CHROMA_COUNT
} shmfb_chroma_site;

typedef struct shmfb_color {
	shmfb_color_matrix matrix;
	shmfb_color_range range;
	shmfb_color_transfer transfer;
	shmfb_color_primaries primaries;
	shmfb_chroma_site chroma_site;
} shmfb_color;

/* --------------------------------------------------------------- producer */

enum {
	SHMFB_CREATE_REPLACE = 1u << 0, /* take over the name even from a live producer */
	SHMFB_CREATE_KEEP = 1u << 1,    /* do not unlink the name at close */
};

typedef struct shmfb_writer_options {
	uint32_t width, height;
	shmfb_pixfmt format;
	uint32_t fps_num, fps_den;     /* nominal rate, 0/1 = unknown */
	uint32_t mode;                 /* permission bits, default 0600 */
	uint32_t flags;                /* SHMFB_CREATE_* */
	uint32_t heartbeat_timeout_ms; /* readers call a silent producer stale
					  after this; 0 = never; default 3000 */
	/* Audio beside the video (0 = none): see "audio" below. */
	uint32_t audio_rate;           /* frames per second, 8000..192000 */
	uint32_t audio_channels;       /* 1..8, interleaved; default 2 */
	uint32_t audio_format;         /* shmfb_sampfmt; default SHMFB_SAMPLE_S16 */
	uint32_t audio_capacity_ms;    /* ring length; default 200 */
	/* Video layout and meaning. */
	uint32_t row_align;            /* see shmfb_layout_compute_aligned; default 0
					  (tight, ffmpeg's rawvideo) */
	shmfb_color color;             /* what the values mean; default all unspecified.
					  A field that is out of range or does not fit
					  the format (RGB matrix for YUV, chroma site
					  for a format without subsampling) is
					  SHMFB_EINVAL. */
} shmfb_writer_options;

typedef struct shmfb_writer shmfb_writer;

/* Pointers into the acquired slot, one per plane. */
typedef struct shmfb_planes {
	uint8_t *data[SHMFB_MAX_PLANES];
	uint32_t stride[SHMFB_MAX_PLANES];
	uint32_t plane_count;
	uint64_t frame_bytes;
} shmfb_planes;

SHMFB_API void shmfb_writer_options_init(shmfb_writer_options *o);

/*
 * Creates the mapping NAME: a shared-memory object for a plain name
 * (letters, digits, '.', '_', '-'; at most SHMFB_NAME_MAX), a file when the
 * name contains '/'.  All pages are faulted in before this returns.
 * Returns 0, SHMFB_EBADNAME, SHMFB_ENAMETOOLONG, SHMFB_EZEROSIZE,
 * SHMFB_EBADFORMAT, SHMFB_ETOOBIG, SHMFB_EINVAL (mode, frame rate, row
 * alignment, colour or audio options out of range), SHMFB_EEXIST (a live producer owns it;
 * shmfb_errdetail() names its pid), SHMFB_EACCES/EPERM, SHMFB_ENOMEM/ENOSPC,
 * SHMFB_EIO.  A name whose producer is dead is taken over; when several
 * processes take over one name at once, one gets it and the others get
 * SHMFB_EEXIST.  Bound: at most 4 attempts to create, each takeover waiting
 * at most 200 ms for another process holding the dead producer's lock.
 */
SHMFB_API int shmfb_create(const char *name, const shmfb_writer_options *o,
			   shmfb_writer **out);

/*
 * Starts writing a frame in place.  The slot is never the latest published
 * one nor the one before it was, so a reader of the latest frame has two
 * frame periods.  Calling acquire twice without publishing reuses the slot.
 */
SHMFB_API void shmfb_writer_acquire(shmfb_writer *w, shmfb_planes *p);
/* Publishes the acquired slot; frame_number and pts_ns are the caller's. */
SHMFB_API void shmfb_writer_publish(shmfb_writer *w, uint64_t frame_number,
				    uint64_t pts_ns);
/*
 * acquire + copy + publish.  size must equal the frame size, and src must
 * have the mapping's layout (with its row padding, if row_align asked for
 * some).
 * Returns 0 or SHMFB_EINVAL.
 */
SHMFB_API int shmfb_writer_publish_copy(shmfb_writer *w, const void *src,
					size_t size, uint64_t frame_number,
					uint64_t pts_ns);
/* Tells readers the producer is alive while it publishes nothing. */
SHMFB_API void shmfb_writer_heartbeat(shmfb_writer *w);
/* Number of frames published so far. */
SHMFB_API uint64_t shmfb_writer_published(const shmfb_writer *w);
/* The generation id chosen at create. */
SHMFB_API uint64_t shmfb_writer_generation(const shmfb_writer *w);
/*
 * Marks the mapping closed, wakes readers, unlinks the name (unless
 * SHMFB_CREATE_KEEP, or the name was since taken by another producer),
 * unmaps and frees.  Returns 0 or the unlink error.
 */
SHMFB_API int shmfb_writer_close(shmfb_writer *w);

/* ----------------------------------------------------------------- reader */

typedef struct shmfb_reader shmfb_reader;

/* What the header says, validated, copied once at open. */
typedef struct shmfb_info {
	char name[SHMFB_PATH_MAX + 1];
	uint32_t version;
	uint64_t total_size;
	uint32_t width, height;
	shmfb_pixfmt format;
	uint32_t fps_num, fps_den;
	shmfb_layout layout;    /* offsets are from the start of a slot */
	uint32_t slot_count;
	uint64_t slot_offset[SHMFB_SLOTS];
	uint64_t slot_size[SHMFB_SLOTS];
	uint32_t producer_pid;
	uint64_t generation;
	uint64_t create_ns;
	uint32_t heartbeat_timeout_ms;
	/* Audio: audio_rate == 0 when the mapping carries none. */
	uint32_t audio_rate, audio_channels, audio_format;
	uint32_t audio_capacity;   /* frames the ring holds */
	uint32_t audio_frame_bytes;/* bytes of one frame (all channels) */
	uint64_t audio_offset, audio_size;
	/* Colour: a field the header leaves unspecified, or whose value this
	   library does not know or that does not fit the format, is 0. */
	shmfb_color color;
} shmfb_info;

/* One frame as seen by a reader. */
typedef struct shmfb_frame {
	uint64_t index;        /* publish counter: 1 for the first frame */
	uint64_t frame_number; /* the producer's own number */
	uint64_t pts_ns;       /* capture time */
	uint64_t publish_ns;   /* when it was published */
	uint64_t bytes;        /* frame size */
	uint32_t slot;
	const uint8_t *data[SHMFB_MAX_PLANES]; /* zero-copy: inside the mapping */
	uint32_t stride[SHMFB_MAX_PLANES];
	uint64_t seq__;        /* private: seqlock value seen */
} shmfb_frame;

/*
 * Opens NAME read-only and validates its header (every failure its own code,
 * see the SHMFB_EBAD* list).  Also SHMFB_ENOENT, SHMFB_EACCES, SHMFB_EBADNAME,
 * SHMFB_ESYMLINK, SHMFB_ENOTREG.  Bound: it waits (sleeping) at most 500 ms,
 * and only for an object its creator is still making: empty, or its state
 * still 0, while the creator's lock is held (docs/FORMAT.md, "Opening").
 * Faults in no page but the header's unless the producer populated them all.
 */
SHMFB_API int shmfb_open(const char *name, shmfb_reader **out);
SHMFB_API void shmfb_reader_close(shmfb_reader *r);
SHMFB_API const shmfb_info *shmfb_reader_info(const shmfb_reader *r);

/*
 * Zero-copy: describes the latest completed frame.  The pointers are into
 * the mapping; the pixels are only known good if shmfb_frame_valid() is true
 * after you have finished reading them.
 * Returns 0, SHMFB_ENOFRAME, SHMFB_EBADLATEST, SHMFB_EBACKWARDS, SHMFB_ETORN
 * (the slot was being rewritten: see shmfb_reader_copy_latest for when to
 * stop calling again), SHMFB_EBADTOTALSIZE (the object was truncated under
 * the reader).  Does not loop.
 */
SHMFB_API int shmfb_reader_latest(shmfb_reader *r, shmfb_frame *f);
/* 1 when the slot has not been rewritten since shmfb_reader_latest(). */
SHMFB_API int shmfb_frame_valid(const shmfb_reader *r, const shmfb_frame *f);

/*
 * Copies the latest completed frame into dst (size >= frame bytes),
 * retrying while the copy races the producer, so it never returns a torn
 * frame.  f (may be NULL) gets the metadata; its data[] point into dst.
 * Returns 0, SHMFB_EINVAL (dst too small), SHMFB_ENOFRAME, SHMFB_EBADLATEST,
 * SHMFB_EBACKWARDS, SHMFB_EAGAIN, SHMFB_EBADTOTALSIZE (truncated under the
 * reader).
 * Bound: at most 64 attempts, without sleeping.  SHMFB_EAGAIN says none
 * gave a whole frame: the reader is too slow for the producer, or the
 * latest slot never becomes readable (a broken producer).  Then wait for a
 * newer frame, shmfb_reader_wait(r, shmfb_reader_latest_index(r), ...),
 * before calling again, and look at shmfb_reader_status() when that wait
 * times out; calling again at once would spin.
 */
SHMFB_API int shmfb_reader_copy_latest(shmfb_reader *r, void *dst,
				       size_t size, shmfb_frame *f);

/*
 * Every frame instead of the newest (latest-wins stays the default above):
 * describes the oldest complete frame published after `after` that the
 * slots still hold.  Pass the index of the last frame you took (0 at
 * first).  The slots hold the latest frame and one or two before it, so a
 * reader up to one frame behind loses nothing; further behind, it gets the
 * oldest frame still held, and f->index - after - 1 frames were lost.
 * Zero-copy as shmfb_reader_latest: check shmfb_frame_valid() after reading.
 * Returns 0, SHMFB_ENOFRAME (nothing after `after` yet), SHMFB_EBADLATEST,
 * SHMFB_EBACKWARDS, SHMFB_ETORN (every such frame was being overwritten:
 * call again, and you get a newer one), SHMFB_EBADTOTALSIZE.  Does not loop.
 *
 *     uint64_t seen = 0;
 *     for (;;) {
 *         if (shmfb_reader_wait(r, seen, 250 * SHMFB_MS, 0) < 0) continue;
 *         shmfb_frame f;
 *         while (shmfb_reader_copy_next(r, seen, buf, size, &f) == 0) {
 *             lost += f.index - seen - 1;
 *             use(buf);
 *             seen = f.index;
 *         }
 *     }
 */
SHMFB_API int shmfb_reader_next(shmfb_reader *r, uint64_t after, shmfb_frame *f);
/*
 * shmfb_reader_copy_latest for the frame shmfb_reader_next describes: the
 * oldest still held after `after`, copied whole (retried, as copy_latest,
 * at most 64 times).  Returns what shmfb_reader_copy_latest does, and
 * SHMFB_ENOFRAME when nothing after `after` has been published yet.
 */
SHMFB_API int shmfb_reader_copy_next(shmfb_reader *r, uint64_t after, void *dst,
				     size_t size, shmfb_frame *f);

/*
 * Metadata of one slot (no pixels: f->data[] are NULL), read consistently
 * under its seqlock; for inspection tools.  Returns 0, SHMFB_EINVAL (slot
 * out of range), SHMFB_ENOFRAME (never written), SHMFB_ETORN (being written).
 */
SHMFB_API int shmfb_reader_slot(shmfb_reader *r, uint32_t slot, shmfb_frame *f);

/* Publish counter of the latest frame (0 = none yet). */
SHMFB_API uint64_t shmfb_reader_latest_index(shmfb_reader *r);

/* ------------------------------------------------- copy-on-write views */

/*
 * The latest frame as a private, writable view (Win32's PAGE_WRITECOPY):
 * draw on it, blank it, filter it in place.  The producer and every other
 * reader see nothing of what this process writes, and only the pages it
 * writes are copied (from the slot, at the first write to each page); a
 * page it only reads stays the shared page.
 *
 *     shmfb_view v;
 *     if (shmfb_reader_view_latest(r, &v) == 0) {
 *         draw_box(v.data[0], v.frame.stride[0]);
 *         save(v.data[0]);                        // reads the frame
 *         if (shmfb_view_check(r, &v) == 0)       // after the last read
 *             keep_what_was_saved();
 *         shmfb_view_release(r, &v);
 *     }
 *
 * The seqlock holds as for shmfb_reader_latest: a page not yet written is
 * the slot itself, and a written page was copied from it at that moment,
 * so what was read and written is one frame only if shmfb_view_check() is 0
 * after the last read.  A producer that laps the reader leaves the view a
 * mix of the old frame (in its written pages) and the new one (in the
 * rest): shmfb_view_check() says SHMFB_ETORN.
 *
 * Memory: one view per slot at a time, so at most three; each holds at most
 * the pages written since it was taken (4 KiB each).  Releasing gives them
 * back, and the next view of that slot shows the slot as it is then, none
 * of the old writes.  How each platform does it: docs/FORMAT.md,
 * "Copy-on-write views".  Not real-time safe: release is a system call
 * (madvise on Linux, unmapping on Windows), and a view maps its slot the
 * first time on Linux, every time on Windows; each page written faults.
 */
typedef struct shmfb_view {
	shmfb_frame frame;               /* index, times, slot, strides; frame.data[] == data[] */
	uint8_t *data[SHMFB_MAX_PLANES]; /* the planes, writable, this process's own */
} shmfb_view;

/*
 * Takes a view of the latest completed frame.  Returns 0, SHMFB_ENOFRAME,
 * SHMFB_ETORN (the slot was being rewritten: call again), SHMFB_EBUSY (this
 * reader still holds a view of that slot: release it first),
 * SHMFB_EBADSTATE, SHMFB_EBACKWARDS, SHMFB_EBADTOTALSIZE, SHMFB_ENOMEM (no
 * address space for the view).
 */
SHMFB_API int shmfb_reader_view_latest(shmfb_reader *r, shmfb_view *v);
/*
 * 0 when everything read from and written to the view so far belongs to
 * frame v->frame.index alone; SHMFB_ETORN when the producer has rewritten
 * the slot since the view was taken; SHMFB_EBADTOTALSIZE when the mapping
 * was truncated under the reader; SHMFB_EINVAL for a view this reader does
 * not hold (released, or another's).  Call it after the last read you rely on.
 */
SHMFB_API int shmfb_view_check(shmfb_reader *r, const shmfb_view *v);
/* Drops the view's private pages and zeroes *v.  A zeroed view is ignored. */
SHMFB_API void shmfb_view_release(shmfb_reader *r, shmfb_view *v);

enum {
	SHMFB_WAIT_SPIN = 1u << 0, /* poll the counter instead of sleeping */
};

/*
 * Waits until a frame with index > after is published.
 * Sleeps on a futex (or spins with SHMFB_WAIT_SPIN) for at most timeout_ns
 * (< 0 = forever): it returns by then whatever the mapping holds.  Returns
 * 0, SHMFB_ETIMEDOUT, SHMFB_ECLOSED, SHMFB_EBADTOTALSIZE (truncated under
 * the reader), or a corrupt live field: SHMFB_EBADLATEST, SHMFB_EBACKWARDS,
 * SHMFB_EBADSTATE.  It does not check that the producer lives: call
 * shmfb_reader_status() when it times out.
 */
SHMFB_API int shmfb_reader_wait(shmfb_reader *r, uint64_t after,
				int64_t timeout_ns, unsigned flags);

/*
 * Is the producer still there?  0 while it runs; SHMFB_ECLOSED,
 * SHMFB_EDEAD, SHMFB_ESTALE, SHMFB_EREPLACED (the name now holds another
 * generation: open it again), SHMFB_EBADTOTALSIZE (truncated under the
 * reader), or a corrupt live field (docs/FORMAT.md, "Live fields"):
 * SHMFB_EBADSTATE (state word), SHMFB_EBADLATEST (latest word),
 * SHMFB_EBACKWARDS (publish or audio counter went back), SHMFB_EBADCLAIM.
 * Makes system calls; call it when a wait times out, not per frame.
 */
SHMFB_API int shmfb_reader_status(shmfb_reader *r);

/* Current heartbeat time written by the producer. */
SHMFB_API uint64_t shmfb_reader_heartbeat(shmfb_reader *r);

/* Producer state words as stored in the header. */
enum { SHMFB_STATE_RUNNING = 1, SHMFB_STATE_CLOSED = 2 };

/* ------------------------------------------------------------------ audio */

/*
 * A lossless single-writer ring of PCM frames beside the video slots
 * (docs/FORMAT.md, "Audio ring").  The writer never blocks; each reader keeps
 * its own cursor, starting at the write position when it opened.  A reader
 * that keeps within the ring's capacity gets every frame once, in order; one
 * that falls further behind is told how many frames it lost and continues
 * from the present.
 */
typedef enum shmfb_sampfmt {
	SHMFB_SAMPLE_NONE = 0,
	SHMFB_SAMPLE_S16 = 1, /* signed 16-bit little-endian */
	SHMFB_SAMPLE_F32 = 2, /* 32-bit float little-endian */
} shmfb_sampfmt;

#define SHMFB_AUDIO_MIN_RATE 8000
#define SHMFB_AUDIO_MAX_RATE 192000
#define SHMFB_AUDIO_MAX_CHANNELS 8
#define SHMFB_AUDIO_MAX_CAPACITY_MS 10000

/* "s16", "f32"; NULL for others. */
SHMFB_API const char *shmfb_sampfmt_name(shmfb_sampfmt f);
SHMFB_API shmfb_sampfmt shmfb_sampfmt_from_name(const char *name);

/*
 * Appends count frames (interleaved) whose first frame is meant to sound at
 * pts_ns, and wakes audio waiters.  count may not exceed the capacity.
 * Real-time safe.  Returns 0, SHMFB_ENOAUDIO, or SHMFB_EINVAL (count too big).
 */
SHMFB_API int shmfb_writer_audio_write(shmfb_writer *w, const void *frames, uint32_t count,
				       uint64_t pts_ns);
/* Frames written so far. */
SHMFB_API uint64_t shmfb_writer_audio_written(const shmfb_writer *w);

typedef struct shmfb_audio_block {
	uint64_t position; /* frame position of the first frame returned */
	uint64_t lost;     /* frames skipped by an overrun just before them */
} shmfb_audio_block;

/*
 * Copies up to max_frames new frames into dst and advances the cursor.
 * Returns the number of frames copied (0 when none are new), or
 * SHMFB_ENOAUDIO, SHMFB_EBACKWARDS (the write counter went back),
 * SHMFB_EBADCLAIM (audio_claimed below audio_written), SHMFB_EBADTOTALSIZE
 * (truncated under the reader).  Does not loop.
 * After an overrun b->lost > 0 and the cursor has jumped to the present.
 */
SHMFB_API int shmfb_audio_read(shmfb_reader *r, void *dst, uint32_t max_frames,
			       shmfb_audio_block *b);
/* Frames the writer has written so far (its position). */
SHMFB_API uint64_t shmfb_audio_written(shmfb_reader *r);
/* Frames written but not yet read by this reader (may exceed the capacity). */
SHMFB_API uint64_t shmfb_audio_available(shmfb_reader *r);
/*
 * Waits until a frame is available, at most timeout_ns (< 0 = forever);
 * 0, SHMFB_ETIMEDOUT, SHMFB_ECLOSED, SHMFB_ENOAUDIO, SHMFB_EBACKWARDS,
 * SHMFB_EBADTOTALSIZE.
 */
SHMFB_API int shmfb_audio_wait(shmfb_reader *r, int64_t timeout_ns, unsigned flags);
/*
 * A recent (frame position, CLOCK_MONOTONIC time) pair from the writer, to
 * place samples against the video's pts.  0, SHMFB_ENOFRAME (nothing written
 * yet), SHMFB_ETORN (being updated: call again), SHMFB_ENOAUDIO.  Does not loop.
 */
SHMFB_API int shmfb_audio_clock(shmfb_reader *r, uint64_t *position, uint64_t *time_ns);

/* ------------------------------------------------------------ frame stamp */

/*
 * The test pattern's machine-readable stamp (docs/PATTERN.md): a row of
 * large black/white blocks near the top of the picture coding a frame number
 * and a publish time, readable after scaling and YUV conversion.
 * Implemented in core/src/stamp.c.
 */
typedef struct shmfb_stamp {
	uint64_t frame_number;
	uint64_t time_ns; /* CLOCK_MONOTONIC ns */
} shmfb_stamp;

/* Draws the stamp into the top rows of an RGBA8 picture. 0 or SHMFB_EINVAL (too small). */
SHMFB_API int shmfb_stamp_draw_rgba(uint8_t *rgba, uint32_t width, uint32_t height,
				    uint32_t stride, const shmfb_stamp *s);
/*
 * Reads a stamp from a picture of any size in any format; `plane0` is the
 * first plane (for NV12/I420 the luma plane, which is all it needs).
 * Returns 0, or SHMFB_ENOFRAME when no valid stamp is found (checksum).
 */
SHMFB_API int shmfb_stamp_decode(const uint8_t *plane0, uint32_t width, uint32_t height,
				 uint32_t stride, shmfb_pixfmt format, shmfb_stamp *out);

/* ------------------------------------------------------------- utilities */

/* CLOCK_MONOTONIC in nanoseconds, the clock of every time in the mapping. */
SHMFB_API uint64_t shmfb_now_ns(void);

/* Checks a name against the rules of shmfb_create; 0 or a code. */
SHMFB_API int shmfb_name_check(const char *name);

/*
 * Removes a name (for shmfb rm).  A plain name lives in shmfb's own part of
 * the shared-memory namespace ("shmfb-NAME"), so it is removed whatever its
 * object holds: a half-made or corrupt mapping goes the same way as a good
 * one.  An explicit path (a name with '/') may lead to any file, and a
 * program run as root could otherwise delete anything it is given; it is
 * removed only when it is a regular file that starts with shmfb's 8-byte
 * magic, however corrupt the rest (SHMFB_EBADMAGIC otherwise, and the file
 * stays).  A file without the magic never held a usable mapping: remove it
 * with rm(1), which makes its user name it as a file.  Symbolic links are
 * refused (SHMFB_ESYMLINK), not followed.  0, SHMFB_ENOENT, SHMFB_EBADNAME,
 * SHMFB_EBADMAGIC, SHMFB_ENOTREG, SHMFB_EACCES, ...
 */
SHMFB_API int shmfb_unlink(const char *name);
/*
 * Removes a name only if its producer died without closing the mapping
 * (state running, the creator's lock free: what shmfb_reader_status calls
 * SHMFB_EDEAD), for shmfb rm --dead.  It holds the dead creator's lock while
 * it removes the name, the rule a takeover follows, so a producer that takes
 * the name over meanwhile keeps it.  0 when removed (or gone, or taken over
 * meanwhile); SHMFB_EEXIST when a producer holds it (running, stale, or
 * being created); SHMFB_ECLOSED when its producer closed it and kept the name
 * on purpose; whatever shmfb_open returns for a name it cannot open.  Bound:
 * it waits (sleeping) at most about 700 ms, up to shmfb_open's 500 ms for a
 * mapping still being created, then up to 200 ms for the dead producer's
 * lock while another process taking the name over holds it (SHMFB_EEXIST).
 */
SHMFB_API int shmfb_unlink_dead(const char *name);

/* Calls fn for each shmfb mapping name visible on this machine. */
SHMFB_API int shmfb_list(void (*fn)(const char *name, void *ctx), void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* SHMFB_H */
