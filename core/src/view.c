/*
 * view.c - copy-on-write views: the latest frame as memory a reader may
 * write, whose writes stay in the reader.
 *
 * Each slot gets its own private mapping (shmfb__plat_cow_map), made at
 * the first view of that slot.  A view is the seqlock read of
 * shmfb_reader_latest with the plane pointers moved into that mapping, so
 * shmfb_frame_valid's argument holds for it unchanged: a page not yet
 * written is the slot's page, and a page written was copied from it in the
 * kernel's fault handler, in this thread, before the check's fence; if the
 * producer touched the slot before either, the re-load of seq sees it.
 *
 * One view per slot at a time: a second would share the first's private
 * pages (the mapping is the slot's, not the view's), so it is refused with
 * SHMFB_EBUSY instead of showing the first one's writes.  Release discards
 * the slot's private pages, which bounds the memory to the pages written
 * into the views held now.
 */
#include <string.h>

#include "internal.h"

static int held_elsewhere(const shmfb_reader *r, const shmfb_frame *f)
{
	return shmfb__errorf(SHMFB_EBUSY,
			     "%s: a view of slot %u (frame %llu) is still held; release it before taking frame %llu",
			     r->open_name, f->slot, (unsigned long long)r->view_held[f->slot],
			     (unsigned long long)f->index);
}

static int lost_under_view(const shmfb_reader *r)
{
	return shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: the mapping was truncated under the view",
			     r->open_name);
}

/* The slot's private mapping, made at its first view. */
static int slot_view(shmfb_reader *r, uint32_t slot, uint8_t **data)
{
	shmfb__cow *c = &r->cow[slot];
	if (shmfb__plat_cow_lost(c))
		return lost_under_view(r);
	if (!c->data) {
		int rc = shmfb__plat_cow_map(&r->seg, r->info.slot_offset[slot],
					     (size_t)r->info.slot_size[slot], r->open_name, c);
		if (rc < 0)
			return rc;
	}
	*data = c->data;
	return 0;
}

int shmfb_reader_view_latest(shmfb_reader *r, shmfb_view *v)
{
	memset(v, 0, sizeof *v);
	shmfb_frame f;
	int rc = shmfb_reader_latest(r, &f);
	if (rc < 0)
		return rc;
	if (r->view_held[f.slot])
		return held_elsewhere(r, &f);
	uint8_t *base = NULL;
	if ((rc = slot_view(r, f.slot, &base)) < 0)
		return rc;
	const shmfb_layout *l = &r->info.layout;
	v->frame = f;
	for (uint32_t i = 0; i < l->plane_count; i++) {
		v->data[i] = base + l->offset[i];
		v->frame.data[i] = v->data[i];
	}
	r->view_held[f.slot] = f.index;
	return 0;
}

int shmfb_view_check(shmfb_reader *r, const shmfb_view *v)
{
	uint32_t s = v->frame.slot;
	if (!v->data[0] || s >= SHMFB_SLOTS || r->view_held[s] != v->frame.index)
		return shmfb__errorf(SHMFB_EINVAL, "%s: not a view this reader holds", r->open_name);
	if (shmfb__plat_seg_lost(&r->seg) || shmfb__plat_cow_lost(&r->cow[s]))
		return lost_under_view(r);
	if (!shmfb_frame_valid(r, &v->frame))
		return shmfb__errorf(SHMFB_ETORN, "%s: frame %llu was overwritten by the producer while viewed",
				     r->open_name, (unsigned long long)v->frame.index);
	return 0;
}

void shmfb_view_release(shmfb_reader *r, shmfb_view *v)
{
	uint32_t s = v->frame.slot;
	if (v->data[0] && s < SHMFB_SLOTS && r->view_held[s] == v->frame.index) {
		shmfb__plat_cow_discard(&r->cow[s]);
		r->view_held[s] = 0;
	}
	memset(v, 0, sizeof *v);
}

void shmfb__views_close(shmfb_reader *r)
{
	for (uint32_t s = 0; s < SHMFB_SLOTS; s++)
		shmfb__plat_cow_unmap(&r->cow[s]);
}
