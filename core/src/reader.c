/*
 * reader.c - opening a mapping read-only and keeping an eye on its producer.
 *
 * The frame path (latest/valid/copy/wait) is in slots.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * The grace (docs/FORMAT.md, "Opening"): a creator names its object before
 * it sizes it and writes the header, so a reader may find it empty, or with
 * its state still 0.  Only such an object, and only while its creator's
 * lock is held, is waited for: from the reader's first attempt, for at most
 * CREATE_GRACE_MS.  Anything else is judged at once.
 */
#define CREATE_GRACE_MS 500
#define CREATE_RETRY_NS (5 * SHMFB_MS)

/* state still 0: being created while the lock is held, else never finished. */
static int open_unfinished(shmfb_reader *r, const char *name, int *creating)
{
	*creating = shmfb__plat_owner_alive(&r->seg);
	/* The validation only picks the message: bad magic for a file that
	 * never was a mapping. */
	int rc = shmfb__header_validate(r->hdr, r->seg.size, name, &r->info);
	if (rc < 0)
		return rc;
	return shmfb__errorf(SHMFB_EBADSTATE, "%s: header never completed by its producer (state 0%s)", name,
			     *creating ? ", its lock held past the 500 ms grace" : ", and no producer holds it");
}

/* One attempt.  *creating is set when the object may be in creation (above). */
static int open_once(shmfb_reader *r, const char *name, int *creating)
{
	*creating = 0;
	int rc = shmfb__plat_seg_open(name, 0, &r->seg);
	if (rc == SHMFB_EBADTOTALSIZE && r->seg.size == 0 && shmfb__plat_name_owner_alive(name)) {
		*creating = 1;
		return shmfb__errorf(rc, "%s: object still empty: its producer holds it but has not sized it in 500 ms",
				     name);
	}
	if (rc < 0)
		return rc;
	r->hdr = r->seg.base;
	/* acquire: pairs with the writer's release store of RUNNING at create;
	 * only after seeing it is the header complete, so it is checked first. */
	if (atomic_load_explicit(&r->hdr->state, memory_order_acquire) == 0)
		return open_unfinished(r, name, creating);
	return shmfb__header_validate(r->hdr, r->seg.size, name, &r->info);
}

int shmfb_open(const char *name, shmfb_reader **out)
{
	*out = NULL;
	int rc = shmfb_name_check(name);
	if (rc < 0)
		return rc;
	shmfb_reader *r = calloc(1, sizeof *r);
	if (!r)
		return shmfb__errorf(SHMFB_ENOMEM, "%s: out of memory", name);
	strncpy(r->open_name, name, sizeof r->open_name - 1);
	uint64_t give_up = shmfb__plat_now_ns() + CREATE_GRACE_MS * SHMFB_MS;
	for (;;) {
		int creating;
		rc = open_once(r, name, &creating);
		if (rc == 0 || !creating || shmfb__plat_now_ns() >= give_up)
			break;
		shmfb__plat_seg_close(&r->seg);
		shmfb__plat_sleep_ns(CREATE_RETRY_NS);
	}
	if (rc < 0) {
		shmfb__plat_seg_close(&r->seg);
		free(r);
		return rc;
	}
	shmfb__audio_reader_init(r);
	*out = r;
	return 0;
}

void shmfb_reader_close(shmfb_reader *r)
{
	if (!r)
		return;
	shmfb__views_close(r);
	shmfb__plat_seg_close(&r->seg);
	free(r);
}

const shmfb_info *shmfb_reader_info(const shmfb_reader *r)
{
	return &r->info;
}

uint64_t shmfb_now_ns(void)
{
	return shmfb__plat_now_ns();
}

static int not_a_mapping_file(const char *path)
{
	return shmfb__errorf(SHMFB_EBADMAGIC,
			     "%s: not a shmfb mapping (the file does not start with shmfb's magic): refused;"
			     " remove other files with rm(1)", path);
}

/*
 * An explicit path is removed only while it leads to a regular file that
 * starts with shmfb's magic (shmfb.h says why), checked on the same open
 * file that the name still leads to just before the unlink.
 */
static int unlink_mapping_file(const char *path)
{
	shmfb__seg seg;
	int rc = shmfb__plat_seg_open(path, 0, &seg);
	if (rc == SHMFB_EBADTOTALSIZE) /* too small to hold a header */
		return not_a_mapping_file(path);
	if (rc < 0)
		return rc;
	if (memcmp(seg.base, SHMFB__MAGIC, sizeof ((struct shmfb__header *)0)->magic))
		rc = not_a_mapping_file(path);
	else if (!shmfb__plat_seg_is_current(path, &seg))
		rc = shmfb__errorf(SHMFB_EREPLACED, "%s: replaced by another file while being checked: not removed",
				   path);
	else
		rc = shmfb__plat_unlink(path);
	shmfb__plat_seg_close(&seg);
	return rc;
}

int shmfb_unlink(const char *name)
{
	int rc = shmfb_name_check(name);
	if (rc < 0)
		return rc;
	return shmfb__name_is_path(name) ? unlink_mapping_file(name) : shmfb__plat_unlink(name);
}

int shmfb_unlink_dead(const char *name)
{
	shmfb_reader *r;
	int rc = shmfb_open(name, &r);
	if (rc < 0)
		return rc;
	rc = shmfb_reader_status(r);
	if (rc == SHMFB_EDEAD)
		rc = shmfb__plat_unlink_unowned(name, &r->seg);
	else if (rc == 0 || rc == SHMFB_ESTALE)
		rc = shmfb__errorf(SHMFB_EEXIST, "%s: producer pid %u is alive", name, r->info.producer_pid);
	shmfb_reader_close(r);
	return rc;
}

int shmfb_list(void (*fn)(const char *name, void *ctx), void *ctx)
{
	return shmfb__plat_list(fn, ctx);
}
