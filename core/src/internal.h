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
	char name[SHMFB_PATH_MAX + 1];
};

struct shmfb_reader {
	shmfb__seg seg;
	struct shmfb__header *hdr; /* mapped PROT_READ: loads only */
	shmfb_info info;
	char open_name[SHMFB_PATH_MAX + 1]; /* the name it was opened by */
	uint64_t last_index; /* highest publish index seen, to catch it going back */
};

/* Sets the thread's error detail and returns code. */
int shmfb__errorf(int code, const char *fmt, ...) SHMFB__PRINTF(2, 3);

/* Name rules; 0 or SHMFB_EBADNAME / SHMFB_ENAMETOOLONG with detail set. */
int shmfb__name_is_path(const char *name);

/* Fills a fresh header for the writer. */
void shmfb__header_init(struct shmfb__header *h, const char *name,
			const shmfb_writer_options *o, const shmfb_layout *l,
			uint64_t total_size, uint64_t slot_size);
/* Total bytes of a mapping for this layout, and the size of one slot. */
int shmfb__mapping_size(const shmfb_layout *l, uint64_t *total, uint64_t *slot);
/*
 * Validates an untrusted header of a mapping whose real size is
 * mapped_size; fills info.  Each failure has its own code and detail.
 */
int shmfb__header_validate(const struct shmfb__header *h, uint64_t mapped_size,
			   const char *name, shmfb_info *info);

#endif /* SHMFB_INTERNAL_H */
