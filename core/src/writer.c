/*
 * writer.c - creating a mapping and closing it.
 *
 * A name that exists already is takeover.c's; the frame path
 * (acquire/publish) is in slots.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "seqlock.h"

void shmfb_writer_options_init(shmfb_writer_options *o)
{
	memset(o, 0, sizeof *o);
	o->width = 1280;
	o->height = 720;
	o->format = SHMFB_FMT_RGBA8;
	o->fps_num = 0;
	o->fps_den = 1;
	o->mode = 0600;
	o->heartbeat_timeout_ms = 3000;
	o->audio_channels = 2;
	o->audio_format = SHMFB_SAMPLE_S16;
	o->audio_capacity_ms = 200;
}

static int check_options(const char *name, const shmfb_writer_options *o, shmfb_layout *l)
{
	int rc = shmfb_name_check(name);
	if (rc < 0)
		return rc;
	if (o->mode & ~0777u)
		return shmfb__errorf(SHMFB_EINVAL, "%s: mode %o has bits beyond 0777", name, o->mode);
	if (o->fps_num && !o->fps_den)
		return shmfb__errorf(SHMFB_EINVAL, "%s: frame rate %u/0", name, o->fps_num);
	rc = shmfb_layout_compute_aligned(o->width, o->height, o->format, o->row_align, l);
	if (rc < 0)
		return shmfb__errprefix(rc, name);
	shmfb_color fit;
	uint32_t value;
	const char *bad = shmfb__color_fit(o->format, &o->color, &fit, &value);
	if (bad)
		return shmfb__errorf(SHMFB_EINVAL, "%s: colour %s %u is unknown or not for %s frames",
				     name, bad, value, shmfb_pixfmt_name(o->format));
	return 0;
}

int shmfb_create(const char *name, const shmfb_writer_options *o, shmfb_writer **out)
{
	shmfb_writer_options defaults;
	if (!o) {
		shmfb_writer_options_init(&defaults);
		o = &defaults;
	}
	*out = NULL;
	shmfb_layout layout;
	int rc = check_options(name, o, &layout);
	if (rc < 0)
		return rc;
	struct shmfb__plan plan;
	rc = shmfb__plan(&layout, o, &plan);
	if (rc < 0)
		return shmfb__errprefix(rc, name);

	shmfb_writer *w = calloc(1, sizeof *w);
	if (!w)
		return shmfb__errorf(SHMFB_ENOMEM, "%s: out of memory", name);
	for (int attempt = 0;; attempt++) {
		rc = shmfb__plat_seg_create(name, plan.total, o->mode ? o->mode : 0600, &w->seg);
		if (rc != SHMFB_EEXIST || attempt == 3)
			break;
		rc = shmfb__take_over(name, o->flags);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		free(w);
		return rc;
	}
	w->hdr = w->seg.base;
	w->layout = layout;
	w->flags = o->flags;
	w->last_slot = SHMFB_SLOTS - 1; /* so the first frame goes to slot 0 */
	strncpy(w->name, name, sizeof w->name - 1);
	for (uint32_t i = 0; i < SHMFB_SLOTS; i++)
		w->slot_offset[i] = SHMFB__HEADER_SIZE + i * plan.slot_size;
	w->audio_offset = plan.audio_offset;
	w->audio_capacity = plan.audio_capacity;
	w->audio_frame_bytes = plan.audio_frame_bytes;
	shmfb__header_init(w->hdr, name, o, &layout, &plan);
	/* relaxed: the release store of state below orders it for readers. */
	atomic_store_explicit(&w->hdr->heartbeat_ns, shmfb__plat_now_ns(), memory_order_relaxed);
	/* release: the header is complete before a reader's acquire load sees RUNNING. */
	atomic_store_explicit(&w->hdr->state, SHMFB_STATE_RUNNING, memory_order_release);
	*out = w;
	return 0;
}

uint64_t shmfb_writer_published(const shmfb_writer *w)
{
	return w->published;
}

uint64_t shmfb_writer_generation(const shmfb_writer *w)
{
	return w->hdr->generation;
}

int shmfb_writer_close(shmfb_writer *w)
{
	if (!w)
		return 0;
	int rc = 0;
	/* release: every frame published before is visible to whoever sees CLOSED. */
	atomic_store_explicit(&w->hdr->state, SHMFB_STATE_CLOSED, memory_order_release);
	shmfb__wake_bump(&w->seg, &w->hdr->wake);
	shmfb__wake_bump(&w->seg, &w->hdr->audio_wake);
	if (!(w->flags & SHMFB_CREATE_KEEP) && shmfb__plat_seg_is_current(w->name, &w->seg))
		rc = shmfb__plat_unlink(w->name);
	shmfb__plat_seg_close(&w->seg);
	free(w);
	return rc;
}
