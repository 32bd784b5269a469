/*
 * internal.h - what the core's files share and nothing outside core/ sees.
 */
#ifndef SHMFB_INTERNAL_H
#define SHMFB_INTERNAL_H

#include "shmfb.h"
#include "layout.h"
#include "platform.h"

#if defined(__GNUC__)
#define SHMFB__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SHMFB__PRINTF(a, b)
#endif

struct shmfb_writer {
	shmfb__seg seg;
	struct shmfb__header *hdr;
	shmfb_layout layout;
	uint64_t published;  /* frames published: the next index is published + 1 */
	uint32_t last_slot;  /* slot of the latest published frame */
	int acquired;        /* slot `cur` is odd (being written) */
	uint32_t cur;        /* slot being written */
	uint32_t flags;
	/* Private copies: anyone with write access could rewrite the header. */
	uint64_t slot_offset[SHMFB_SLOTS];
	uint64_t audio_offset;
	uint64_t audio_written;  /* frames written to the ring */
	uint32_t audio_capacity; /* 0 = no audio */
	uint32_t audio_frame_bytes;
	char name[SHMFB_PATH_MAX + 1];
};

struct shmfb_reader {
	shmfb__seg seg;
	struct shmfb__header *hdr; /* mapped PROT_READ: loads only */
	shmfb_info info;
	char open_name[SHMFB_PATH_MAX + 1]; /* the name it was opened by */
	/*
	 * Highest publish index seen, to catch the counter going back.  Atomic
	 * because one reader may wait in one thread while another reads frames
	 * (the viewer does): see seen_index/raise_seen in slots.c.
	 */
	shmfb_atomic_u64 last_index;
	uint64_t audio_cursor; /* next audio frame this reader will read */
	uint64_t audio_seen;   /* highest audio_written seen, to catch it going back */
	shmfb__cow cow[SHMFB_SLOTS];     /* copy-on-write views (view.c), mapped at first use */
	uint64_t view_held[SHMFB_SLOTS]; /* frame index of the view held of each slot; 0 = none */
};

/* Sets the thread's error detail and returns code. */
int shmfb__errorf(int code, const char *fmt, ...) SHMFB__PRINTF(2, 3);

/*
 * Copies a frame into a slot the writer owns (copy_<arch>.c): large frames
 * bypass the cache where the CPU allows.  Visible to readers once the
 * publish that follows is.
 */
void shmfb__copy_frame(uint8_t *dst, const uint8_t *src, size_t n);

/* Starts a new reader's audio cursor at the present write position. */
void shmfb__audio_reader_init(shmfb_reader *r);
/*
 * Checks the live audio counters (docs/FORMAT.md, "Live fields"):
 * audio_written never going back (SHMFB_EBACKWARDS), audio_claimed never
 * below it (SHMFB_EBADCLAIM).  0 for a mapping without audio.
 */
int shmfb__audio_counters_sane(shmfb_reader *r);

/*
 * The colour description `in` as a reader takes it for frames of format f:
 * each field that is unknown or does not fit the format (docs/FORMAT.md,
 * "Colour") becomes unspecified in `out`.  Returns the name of the first
 * such field (its value in *bad_value), or NULL when all of `in` holds.
 */
const char *shmfb__color_fit(shmfb_pixfmt f, const shmfb_color *in, shmfb_color *out,
			     uint32_t *bad_value);

/* Unmaps a closing reader's copy-on-write views. */
void shmfb__views_close(shmfb_reader *r);

/* Puts "prefix: " before the current detail and returns code. */
int shmfb__errprefix(int code, const char *prefix);

/* 1 when the name is a file path (holds '/'), not a shared-memory name. */
int shmfb__name_is_path(const char *name);

/*
 * Takeover (takeover.c): shmfb_create found its name taken.  Looks at what
 * the name leads to and removes it if the table allows (the caller creates
 * again), or refuses with SHMFB_EEXIST and the reason.
 */
int shmfb__take_over(const char *name, uint32_t flags);

/* What the name leads to. */
enum shmfb__found {
	SHMFB__FOUND_GONE,       /* nothing: it vanished meanwhile */
	SHMFB__FOUND_MAPPING,    /* a mapping with a valid header */
	SHMFB__FOUND_OTHER,      /* an object that opens but is no valid mapping (yet) */
	SHMFB__FOUND_UNREADABLE, /* an object this process cannot open to look */
};
/* The facts the decision rests on. */
struct shmfb__takeover_facts {
	enum shmfb__found found;
	int owner;    /* its creator's lock is held: a live producer, or one still creating it */
	int replace;  /* SHMFB_CREATE_REPLACE was given */
	int path;     /* the name is a file path */
	int persists; /* the name outlives its holders (shmfb__plat_name_persists) */
};
/* What to do about it. */
enum shmfb__take {
	SHMFB__TAKE_CREATE,         /* nothing to remove: create again */
	SHMFB__TAKE_UNLINK_UNOWNED, /* remove it under its dead creator's lock */
	SHMFB__TAKE_REPLACE,        /* as UNLINK_UNOWNED; if the lock stays held, remove it anyway */
	SHMFB__TAKE_UNLINK,         /* remove it */
	SHMFB__TAKE_REFUSE_LIVE,    /* EEXIST: a running producer has it */
	SHMFB__TAKE_REFUSE_CREATING, /* EEXIST: a producer is still creating it */
	SHMFB__TAKE_REFUSE_FOREIGN, /* EEXIST: a file that is no mapping, maybe someone else's */
	SHMFB__TAKE_REFUSE_UNREADABLE, /* EEXIST: cannot be inspected */
};
#define SHMFB__TAKEOVER_ANY (-1) /* a row's column that matches either value */
/* One row: found is a set (bit 1 << SHMFB__FOUND_*), the rest 0, 1 or ANY. */
struct shmfb__takeover_row {
	unsigned found;
	signed char owner, replace, path, persists;
	enum shmfb__take action;
};
extern const struct shmfb__takeover_row shmfb__takeover_table[];
extern const size_t shmfb__takeover_rows;
/* 1 when the row matches the facts. */
int shmfb__takeover_match(const struct shmfb__takeover_row *row, const struct shmfb__takeover_facts *f);
/* The action of the row that matches the facts. */
enum shmfb__take shmfb__takeover_decide(const struct shmfb__takeover_facts *f);

/* Where everything goes in a new mapping. */
struct shmfb__plan {
	uint64_t total, slot_size;
	uint64_t audio_offset, audio_size; /* 0, 0 without audio */
	uint32_t audio_capacity, audio_frame_bytes;
};
/* Plans a mapping for this layout and these options' audio. */
int shmfb__plan(const shmfb_layout *l, const shmfb_writer_options *o, struct shmfb__plan *p);
/* Bytes of one sample of an audio format; 0 for an unknown one. */
uint32_t shmfb__sample_bytes(uint32_t format);
/* Fills a fresh header for the writer. */
void shmfb__header_init(struct shmfb__header *h, const char *name,
			const shmfb_writer_options *o, const shmfb_layout *l,
			const struct shmfb__plan *p);
/*
 * Validates an untrusted header of a mapping whose real size is
 * mapped_size; fills info.  Each failure has its own code and detail.
 */
int shmfb__header_validate(const struct shmfb__header *h, uint64_t mapped_size,
			   const char *name, shmfb_info *info);

#endif /* SHMFB_INTERNAL_H */
