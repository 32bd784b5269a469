/*
 * layout.h - the bytes of a shmfb mapping, version 2.
 *
 * docs/FORMAT.md describes the same bytes; keep the two identical.  All
 * integers are little-endian (the native order of every supported target;
 * a big-endian build fails below).  The header occupies page 0; slot i's
 * pixels occupy [slot[i].offset, slot[i].offset + slot[i].size).
 *
 * Who writes what: the producer writes everything.  Readers map the whole
 * object PROT_READ and never write.  Fields above `live` are written once
 * before the producer first publishes and never again; fields from `live`
 * on change while readers read them and are atomics.
 */
#ifndef SHMFB_LAYOUT_H
#define SHMFB_LAYOUT_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "atomic.h"

#define SHMFB__MAGIC "SHMFB\r\n\x1a" /* 8 bytes, no NUL needed */
#define SHMFB__VERSION 2u        /* 2 added audio; readers also accept 1 */
#define SHMFB__VERSION_MIN 1u
#define SHMFB__PAGE 4096u
#define SHMFB__HEADER_SIZE SHMFB__PAGE

/* Static description of one slot. */
struct shmfb__slot_desc {
	uint64_t offset; /* from the start of the mapping, multiple of 4096 */
	uint64_t size;   /* multiple of 4096, >= frame_bytes */
};

/* Per-plane layout inside a slot. */
struct shmfb__plane_desc {
	uint32_t offset; /* from the start of the slot */
	uint32_t stride; /* bytes per row */
};

/*
 * Per-slot metadata, one cache line each, guarded by its seqlock `seq`:
 * odd while the producer writes the slot, even when it is complete.  The
 * other fields are atomics only so that a racing read is defined; they are
 * accessed relaxed inside the seqlock.
 */
struct shmfb__slot_meta {
	shmfb_atomic_u64 seq;          /* seqlock: odd = being written */
	shmfb_atomic_u64 index;        /* publish counter of the frame held */
	shmfb_atomic_u64 frame_number; /* producer's own frame number */
	shmfb_atomic_u64 pts_ns;       /* capture time, CLOCK_MONOTONIC ns */
	shmfb_atomic_u64 publish_ns;   /* publish time, CLOCK_MONOTONIC ns */
	shmfb_atomic_u64 bytes_used;   /* bytes of the frame in the slot */
	uint64_t reserved[2];
};

struct shmfb__header {
	/* --- identity, written once ------------------------------- 0 */
	char magic[8];            /*   0 SHMFB__MAGIC */
	uint32_t version;         /*   8 SHMFB__VERSION */
	uint32_t header_size;     /*  12 4096 */
	uint64_t total_size;      /*  16 bytes of the whole mapping */
	uint32_t slot_count;      /*  24 3 */
	uint32_t flags;           /*  28 0, reserved */
	struct shmfb__slot_desc slot[3]; /* 32 */
	/* --- video description ----------------------------------- 80 */
	uint32_t width;           /*  80 */
	uint32_t height;          /*  84 */
	uint32_t pixel_format;    /*  88 shmfb_pixfmt */
	uint32_t plane_count;     /*  92 1..4 */
	struct shmfb__plane_desc plane[4]; /* 96 */
	uint64_t frame_bytes;     /* 128 bytes of one frame, all planes */
	uint32_t fps_num;         /* 136 */
	uint32_t fps_den;         /* 140 */
	/* --- producer identity ---------------------------------- 144 */
	uint32_t producer_pid;    /* 144 */
	uint32_t heartbeat_timeout_ms; /* 148 0 = never stale */
	uint64_t generation;      /* 152 random, new at every create */
	uint64_t create_ns;       /* 160 CLOCK_MONOTONIC at create */
	/* --- audio description (version 2; all zero = no audio) --- 168 */
	uint64_t audio_offset;    /* 168 ring region, multiple of 4096; 0 = none */
	uint64_t audio_size;      /* 176 bytes of the region, multiple of 4096 */
	uint32_t audio_rate;      /* 184 frames per second, 8000..192000 */
	uint32_t audio_channels;  /* 188 1..8, interleaved */
	uint32_t audio_format;    /* 192 shmfb_sampfmt */
	uint32_t audio_capacity;  /* 196 frames the ring holds */
	/* --- colour (in version 2's reserved bytes; 0 = unspecified) -- 200 */
	uint8_t color_matrix;     /* 200 shmfb_color_matrix */
	uint8_t color_range;      /* 201 shmfb_color_range */
	uint8_t color_transfer;   /* 202 shmfb_color_transfer */
	uint8_t color_primaries;  /* 203 shmfb_color_primaries */
	uint8_t chroma_site;      /* 204 shmfb_chroma_site */
	uint8_t reserved0[51];    /* 205 */
	/* --- live fields, written by the producer while readers read - 256 */
	alignas(64) shmfb_atomic_u32 state; /* 256 SHMFB_STATE_* */
	shmfb_atomic_u32 wake;    /* 260 futex word: +1 on every publish and close */
	shmfb_atomic_u64 latest;  /* 264 (index << 2) | slot; 0 = nothing yet */
	shmfb_atomic_u64 heartbeat_ns; /* 272 CLOCK_MONOTONIC of last sign of life */
	uint8_t reserved1[40];    /* 280 */
	/* --- per-slot metadata ----------------------------------- 320 */
	alignas(64) struct shmfb__slot_meta meta[3]; /* 320, 64 bytes each */
	/* --- audio ring, live ---------------------------------- 512 */
	alignas(64) shmfb_atomic_u64 audio_written; /* 512 frames written, ever */
	shmfb_atomic_u64 audio_claimed; /* 520 frames written or being written */
	shmfb_atomic_u32 audio_wake;    /* 528 futex word: +1 after every write and at close */
	uint32_t reserved_a;            /* 532 */
	shmfb_atomic_u64 audio_clock_seq; /* 536 seqlock over the two below */
	shmfb_atomic_u64 audio_clock_pos; /* 544 a frame position ... */
	shmfb_atomic_u64 audio_clock_ns;  /* 552 ... and its CLOCK_MONOTONIC time */
	uint8_t reserved2[208];   /* 560 */
	/* --- name, for humans and shmfb ls --------------------- 768 */
	char name[256];           /* 768 NUL-terminated */
	uint8_t reserved3[3072];  /* 1024 up to the page end */
};

/* Slot index field of `latest`. */
#define SHMFB__LATEST_SLOT(v) ((uint32_t)((v) & 3u))
#define SHMFB__LATEST_INDEX(v) ((v) >> 2)
#define SHMFB__LATEST(index, slot) (((uint64_t)(index) << 2) | (slot))

#define SHMFB__CHECK(field, off)                                               \
	_Static_assert(offsetof(struct shmfb__header, field) == (off),         \
		       "offset of " #field)

_Static_assert(sizeof(struct shmfb__header) == SHMFB__HEADER_SIZE, "header is one page");
_Static_assert(sizeof(struct shmfb__slot_desc) == 16, "slot_desc");
_Static_assert(sizeof(struct shmfb__plane_desc) == 8, "plane_desc");
_Static_assert(sizeof(struct shmfb__slot_meta) == 64, "slot_meta is one cache line");
_Static_assert(offsetof(struct shmfb__slot_meta, seq) == 0, "meta.seq");
_Static_assert(offsetof(struct shmfb__slot_meta, index) == 8, "meta.index");
_Static_assert(offsetof(struct shmfb__slot_meta, frame_number) == 16, "meta.frame_number");
_Static_assert(offsetof(struct shmfb__slot_meta, pts_ns) == 24, "meta.pts_ns");
_Static_assert(offsetof(struct shmfb__slot_meta, publish_ns) == 32, "meta.publish_ns");
_Static_assert(offsetof(struct shmfb__slot_meta, bytes_used) == 40, "meta.bytes_used");
_Static_assert(offsetof(struct shmfb__slot_meta, reserved) == 48, "meta.reserved");
SHMFB__CHECK(magic, 0);
SHMFB__CHECK(version, 8);
SHMFB__CHECK(header_size, 12);
SHMFB__CHECK(total_size, 16);
SHMFB__CHECK(slot_count, 24);
SHMFB__CHECK(flags, 28);
SHMFB__CHECK(slot, 32);
SHMFB__CHECK(width, 80);
SHMFB__CHECK(height, 84);
SHMFB__CHECK(pixel_format, 88);
SHMFB__CHECK(plane_count, 92);
SHMFB__CHECK(plane, 96);
SHMFB__CHECK(frame_bytes, 128);
SHMFB__CHECK(fps_num, 136);
SHMFB__CHECK(fps_den, 140);
SHMFB__CHECK(producer_pid, 144);
SHMFB__CHECK(heartbeat_timeout_ms, 148);
SHMFB__CHECK(generation, 152);
SHMFB__CHECK(create_ns, 160);
SHMFB__CHECK(audio_offset, 168);
SHMFB__CHECK(audio_size, 176);
SHMFB__CHECK(audio_rate, 184);
SHMFB__CHECK(audio_channels, 188);
SHMFB__CHECK(audio_format, 192);
SHMFB__CHECK(audio_capacity, 196);
SHMFB__CHECK(color_matrix, 200);
SHMFB__CHECK(color_range, 201);
SHMFB__CHECK(color_transfer, 202);
SHMFB__CHECK(color_primaries, 203);
SHMFB__CHECK(chroma_site, 204);
SHMFB__CHECK(reserved0, 205);
SHMFB__CHECK(state, 256);
SHMFB__CHECK(wake, 260);
SHMFB__CHECK(latest, 264);
SHMFB__CHECK(heartbeat_ns, 272);
SHMFB__CHECK(reserved1, 280);
SHMFB__CHECK(meta, 320);
SHMFB__CHECK(audio_written, 512);
SHMFB__CHECK(audio_claimed, 520);
SHMFB__CHECK(audio_wake, 528);
SHMFB__CHECK(reserved_a, 532);
SHMFB__CHECK(audio_clock_seq, 536);
SHMFB__CHECK(audio_clock_pos, 544);
SHMFB__CHECK(audio_clock_ns, 552);
SHMFB__CHECK(reserved2, 560);
SHMFB__CHECK(name, 768);
SHMFB__CHECK(reserved3, 1024);

#endif /* SHMFB_LAYOUT_H */
