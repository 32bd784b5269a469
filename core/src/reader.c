/*
 * reader.c - opening a mapping read-only and keeping an eye on its producer.
 *
 * The frame path (latest/valid/copy/wait) is in slots.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * One attempt.  *again is set when the mapping looks like one a producer is
 * creating right now: still empty, or its state word not yet RUNNING.
 */
static int open_once(shmfb_reader *r, const char *name, int *again)
{
	*again = 0;
	int rc = shmfb__plat_seg_open(name, 0, &r->seg);
	if (rc < 0) {
		*again = rc == SHMFB_EBADTOTALSIZE; /* not yet sized */
		return rc;
	}
	r->hdr = r->seg.base;
	/* acquire: pairs with the writer's release store of RUNNING at create;
	 * only after seeing it is the header complete, so it is checked first. */
	if (atomic_load_explicit(&r->hdr->state, memory_order_acquire) == 0) {
		*again = 1;
		/* Not accepted either way; the validation only picks the message:
		 * bad magic for a file that never was a mapping. */
		rc = shmfb__header_validate(r->hdr, r->seg.size, name, &r->info);
		return rc < 0 ? rc : shmfb__errorf(SHMFB_EBADSTATE, "%s: header never completed by its producer", name);
	}
	return shmfb__header_validate(r->hdr, r->seg.size, name, &r->info);
}

/* How long to wait for a producer that is creating the mapping right now. */
#define CREATE_GRACE_MS 500

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
	int again;
	for (int waited = 0;; waited += 5) {
		rc = open_once(r, name, &again);
		if (rc == 0 || !again || waited >= CREATE_GRACE_MS)
			break;
		shmfb__plat_seg_close(&r->seg);
		shmfb__plat_sleep_ns(5 * 1000000);
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

int shmfb_unlink(const char *name)
{
	int rc = shmfb_name_check(name);
	return rc < 0 ? rc : shmfb__plat_unlink(name);
}

int shmfb_list(void (*fn)(const char *name, void *ctx), void *ctx)
{
	return shmfb__plat_list(fn, ctx);
}
