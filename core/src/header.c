/*
 * header.c - writing a fresh header, and validating one from another process.
 *
 * A reader treats the header as hostile input: it copies the fields that
 * are written once into its own memory, checks that copy, and from then on
 * uses only the copy, so a producer that rewrites them later cannot move a
 * reader outside the mapping.  The live fields are range-checked at each use
 * (slots.c).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define PAGE_ROUND(x) (((x) + SHMFB__PAGE - 1) / SHMFB__PAGE * SHMFB__PAGE)

uint32_t shmfb__sample_bytes(uint32_t format)
{
	return format == SHMFB_SAMPLE_S16 ? 2 : format == SHMFB_SAMPLE_F32 ? 4 : 0;
}

static int check_audio_options(const shmfb_writer_options *o)
{
	if (o->audio_rate < SHMFB_AUDIO_MIN_RATE || o->audio_rate > SHMFB_AUDIO_MAX_RATE)
		return shmfb__errorf(SHMFB_EINVAL, "audio rate %u Hz: must be %d to %d", o->audio_rate,
				     SHMFB_AUDIO_MIN_RATE, SHMFB_AUDIO_MAX_RATE);
	if (o->audio_channels < 1 || o->audio_channels > SHMFB_AUDIO_MAX_CHANNELS)
		return shmfb__errorf(SHMFB_EINVAL, "audio channels %u: must be 1 to %d", o->audio_channels,
				     SHMFB_AUDIO_MAX_CHANNELS);
	if (!shmfb__sample_bytes(o->audio_format))
		return shmfb__errorf(SHMFB_EINVAL, "audio sample format %u: must be s16 or f32", o->audio_format);
	if (o->audio_capacity_ms < 10 || o->audio_capacity_ms > SHMFB_AUDIO_MAX_CAPACITY_MS)
		return shmfb__errorf(SHMFB_EINVAL, "audio capacity %u ms: must be 10 to %d", o->audio_capacity_ms,
				     SHMFB_AUDIO_MAX_CAPACITY_MS);
	return 0;
}

int shmfb__plan(const shmfb_layout *l, const shmfb_writer_options *o, struct shmfb__plan *p)
{
	memset(p, 0, sizeof *p);
	p->slot_size = PAGE_ROUND(l->frame_bytes);
	p->total = SHMFB__HEADER_SIZE + SHMFB_SLOTS * p->slot_size;
	if (!o->audio_rate)
		return 0;
	int rc = check_audio_options(o);
	if (rc < 0)
		return rc;
	/* At most 192000 * 10 s * 8 ch * 4 B = 61 MB: no overflow below. */
	p->audio_frame_bytes = o->audio_channels * shmfb__sample_bytes(o->audio_format);
	p->audio_capacity = (uint32_t)((uint64_t)o->audio_rate * o->audio_capacity_ms / 1000);
	p->audio_offset = p->total;
	p->audio_size = PAGE_ROUND((uint64_t)p->audio_capacity * p->audio_frame_bytes);
	p->total += p->audio_size;
	return 0;
}

void shmfb__header_init(struct shmfb__header *h, const char *name,
			const shmfb_writer_options *o, const shmfb_layout *l,
			const struct shmfb__plan *p)
{
	uint64_t total_size = p->total, slot_size = p->slot_size;
	memcpy(h->magic, SHMFB__MAGIC, sizeof h->magic);
	h->version = SHMFB__VERSION;
	h->header_size = SHMFB__HEADER_SIZE;
	h->total_size = total_size;
	h->slot_count = SHMFB_SLOTS;
	h->flags = 0;
	for (uint32_t i = 0; i < SHMFB_SLOTS; i++) {
		h->slot[i].offset = SHMFB__HEADER_SIZE + i * slot_size;
		h->slot[i].size = slot_size;
	}
	h->width = o->width;
	h->height = o->height;
	h->pixel_format = (uint32_t)o->format;
	h->plane_count = l->plane_count;
	for (uint32_t i = 0; i < l->plane_count; i++) {
		h->plane[i].offset = l->offset[i];
		h->plane[i].stride = l->stride[i];
	}
	h->frame_bytes = l->frame_bytes;
	h->fps_num = o->fps_num;
	h->fps_den = o->fps_den;
	/* The writer's options were checked to fit (check_options): each < 256. */
	h->color_matrix = (uint8_t)o->color.matrix;
	h->color_range = (uint8_t)o->color.range;
	h->color_transfer = (uint8_t)o->color.transfer;
	h->color_primaries = (uint8_t)o->color.primaries;
	h->chroma_site = (uint8_t)o->color.chroma_site;
	h->producer_pid = shmfb__plat_getpid();
	h->heartbeat_timeout_ms = o->heartbeat_timeout_ms;
	h->generation = shmfb__plat_random64();
	h->create_ns = shmfb__plat_now_ns();
	if (p->audio_size) {
		h->audio_offset = p->audio_offset;
		h->audio_size = p->audio_size;
		h->audio_rate = o->audio_rate;
		h->audio_channels = o->audio_channels;
		h->audio_format = o->audio_format;
		h->audio_capacity = p->audio_capacity;
	}
	strncpy(h->name, name, sizeof h->name - 1);
}

/* Does [off, off + len) lie inside [0, limit) without wrapping? */
static int inside(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* Do two ranges, each already known to lie inside the mapping, overlap? */
static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int validate_slots(const struct shmfb__header *h, const char *name)
{
	for (uint32_t i = 0; i < SHMFB_SLOTS; i++) {
		uint64_t off = h->slot[i].offset, size = h->slot[i].size;
		if (off < SHMFB__HEADER_SIZE)
			return shmfb__errorf(SHMFB_EBADSLOT, "%s: slot %u at offset %llu lies over the header (a slot starts at %u or later)",
					     name, i, (unsigned long long)off, SHMFB__HEADER_SIZE);
		if (off % SHMFB__PAGE || size % SHMFB__PAGE)
			return shmfb__errorf(SHMFB_EBADSLOT, "%s: slot %u at offset %llu size %llu: offset and size must be multiples of %u",
					     name, i, (unsigned long long)off, (unsigned long long)size, SHMFB__PAGE);
		if (!inside(off, size, h->total_size))
			return shmfb__errorf(SHMFB_EBADSLOT, "%s: slot %u [%llu, +%llu) lies outside the %llu-byte mapping",
					     name, i, (unsigned long long)off, (unsigned long long)size,
					     (unsigned long long)h->total_size);
		if (size < h->frame_bytes)
			return shmfb__errorf(SHMFB_EBADSLOT, "%s: slot %u of %llu bytes cannot hold a %llu-byte frame",
					     name, i, (unsigned long long)size, (unsigned long long)h->frame_bytes);
		for (uint32_t j = 0; j < i; j++) {
			if (overlaps(off, size, h->slot[j].offset, h->slot[j].size))
				return shmfb__errorf(SHMFB_EBADSLOT, "%s: slots %u and %u overlap", name, j, i);
		}
	}
	return 0;
}

static int validate_video(const struct shmfb__header *h, const char *name, shmfb_layout *out)
{
	shmfb_layout want;
	int rc = shmfb_layout_compute(h->width, h->height, (shmfb_pixfmt)h->pixel_format, &want);
	if (rc < 0) {
		char prefix[SHMFB_PATH_MAX + 40];
		snprintf(prefix, sizeof prefix, "%s: video description is invalid", name);
		return shmfb__errprefix(SHMFB_EBADGEOMETRY, prefix);
	}
	if (h->plane_count != want.plane_count)
		return shmfb__errorf(SHMFB_EBADGEOMETRY, "%s: %s has %u planes, header says %u", name,
				     shmfb_pixfmt_name((shmfb_pixfmt)h->pixel_format), want.plane_count,
				     h->plane_count);
	if (h->frame_bytes > SHMFB_MAX_FRAME_BYTES)
		return shmfb__errorf(SHMFB_EBADGEOMETRY, "%s: frame_bytes %llu is over the limit of %llu (1 GiB)",
				     name, (unsigned long long)h->frame_bytes, (unsigned long long)SHMFB_MAX_FRAME_BYTES);
	if (h->frame_bytes < want.frame_bytes)
		return shmfb__errorf(SHMFB_EBADGEOMETRY, "%s: frame_bytes %llu is too small for %ux%u %s (at least %llu)",
				     name, (unsigned long long)h->frame_bytes, h->width, h->height,
				     shmfb_pixfmt_name((shmfb_pixfmt)h->pixel_format),
				     (unsigned long long)want.frame_bytes);
	*out = want;
	for (uint32_t i = 0; i < want.plane_count; i++) {
		uint64_t stride = h->plane[i].stride, rows = want.rows[i];
		if (stride < want.row_bytes[i])
			return shmfb__errorf(SHMFB_EBADPLANE, "%s: plane %u stride %llu is shorter than a row (%u)",
					     name, i, (unsigned long long)stride, want.row_bytes[i]);
		/* Both factors are < 2^32, so the product fits in 64 bits. */
		uint64_t span = stride * (rows - 1) + want.row_bytes[i];
		if (!inside(h->plane[i].offset, span, h->frame_bytes))
			return shmfb__errorf(SHMFB_EBADPLANE, "%s: plane %u at offset %u (%llu bytes) lies outside the %llu-byte frame",
					     name, i, h->plane[i].offset, (unsigned long long)span,
					     (unsigned long long)h->frame_bytes);
		out->offset[i] = h->plane[i].offset;
		out->stride[i] = h->plane[i].stride;
	}
	out->frame_bytes = h->frame_bytes;
	return 0;
}

static int validate_audio(const struct shmfb__header *h, const char *name)
{
	if (h->version < 2 || h->audio_offset == 0)
		return 0;
	uint64_t off = h->audio_offset, size = h->audio_size;
	uint32_t sb = shmfb__sample_bytes(h->audio_format);
	if (h->audio_rate < SHMFB_AUDIO_MIN_RATE || h->audio_rate > SHMFB_AUDIO_MAX_RATE ||
	    h->audio_channels < 1 || h->audio_channels > SHMFB_AUDIO_MAX_CHANNELS || !sb)
		return shmfb__errorf(SHMFB_EBADAUDIO, "%s: audio %u Hz, %u channels, format %u is not valid",
				     name, h->audio_rate, h->audio_channels, h->audio_format);
	if (off % SHMFB__PAGE || size % SHMFB__PAGE || off < SHMFB__HEADER_SIZE ||
	    !inside(off, size, h->total_size))
		return shmfb__errorf(SHMFB_EBADAUDIO, "%s: audio ring [%llu, +%llu) is misaligned or outside the mapping",
				     name, (unsigned long long)off, (unsigned long long)size);
	/* capacity < 2^32, frame bytes <= 32: the product fits. */
	uint64_t max_capacity = (uint64_t)h->audio_rate * SHMFB_AUDIO_MAX_CAPACITY_MS / 1000;
	if (h->audio_capacity == 0 || h->audio_capacity > max_capacity)
		return shmfb__errorf(SHMFB_EBADAUDIO, "%s: audio capacity of %u frames: must be 1 to %llu (%d ms at %u Hz)",
				     name, h->audio_capacity, (unsigned long long)max_capacity,
				     SHMFB_AUDIO_MAX_CAPACITY_MS, h->audio_rate);
	if ((uint64_t)h->audio_capacity * h->audio_channels * sb > size)
		return shmfb__errorf(SHMFB_EBADAUDIO, "%s: audio capacity of %u frames (%llu bytes) does not fit the %llu-byte ring",
				     name, h->audio_capacity,
				     (unsigned long long)h->audio_capacity * h->audio_channels * sb,
				     (unsigned long long)size);
	for (uint32_t i = 0; i < SHMFB_SLOTS; i++)
		if (overlaps(off, size, h->slot[i].offset, h->slot[i].size))
			return shmfb__errorf(SHMFB_EBADAUDIO, "%s: audio ring overlaps slot %u", name, i);
	return 0;
}

/*
 * The colour bytes, as docs/FORMAT.md's "Colour" says a reader takes them:
 * a value it does not know, or one that does not fit the pixel format, is
 * unspecified.  Never an error: a newer writer may use values this library
 * has not heard of, and the picture is still the picture.
 */
static void read_color(const struct shmfb__header *h, shmfb_info *info)
{
	shmfb_color raw = {
		.matrix = (shmfb_color_matrix)h->color_matrix,
		.range = (shmfb_color_range)h->color_range,
		.transfer = (shmfb_color_transfer)h->color_transfer,
		.primaries = (shmfb_color_primaries)h->color_primaries,
		.chroma_site = (shmfb_chroma_site)h->chroma_site,
	};
	uint32_t ignored;
	shmfb__color_fit((shmfb_pixfmt)h->pixel_format, &raw, &info->color, &ignored);
}

int shmfb__header_validate(const struct shmfb__header *shared, uint64_t mapped_size,
			   const char *name, shmfb_info *info)
{
	/* Work on a private copy of the write-once fields (see top of file). */
	struct shmfb__header h;
	memset(&h, 0, sizeof h);
	if (mapped_size < SHMFB__HEADER_SIZE)
		return shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: object is %llu bytes, smaller than a shmfb header",
				     name, (unsigned long long)mapped_size);
	memcpy(&h, shared, offsetof(struct shmfb__header, state));
	memcpy(h.name, shared->name, sizeof h.name);
	h.name[sizeof h.name - 1] = 0;

	if (memcmp(h.magic, SHMFB__MAGIC, sizeof h.magic))
		return shmfb__errorf(SHMFB_EBADMAGIC, "%s: not a shmfb mapping (magic bytes differ)", name);
	if (h.version < SHMFB__VERSION_MIN || h.version > SHMFB__VERSION)
		return shmfb__errorf(SHMFB_EBADVERSION, "%s: format version %u, this library reads versions %u to %u",
				     name, h.version, SHMFB__VERSION_MIN, SHMFB__VERSION);
	if (h.header_size != SHMFB__HEADER_SIZE)
		return shmfb__errorf(SHMFB_EBADHEADERSIZE, "%s: header_size %u, expected %u",
				     name, h.header_size, SHMFB__HEADER_SIZE);
	if (h.total_size != mapped_size)
		return shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: header says %llu bytes, the object has %llu",
				     name, (unsigned long long)h.total_size, (unsigned long long)mapped_size);
	if (h.total_size % SHMFB__PAGE)
		return shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: total_size %llu is not a multiple of %u",
				     name, (unsigned long long)h.total_size, SHMFB__PAGE);
	if (h.slot_count != SHMFB_SLOTS)
		return shmfb__errorf(SHMFB_EBADSLOTCOUNT, "%s: slot_count %u, expected %u",
				     name, h.slot_count, SHMFB_SLOTS);
	shmfb_layout layout;
	int rc = validate_video(&h, name, &layout);
	if (rc < 0)
		return rc;
	rc = validate_slots(&h, name);
	if (rc < 0)
		return rc;
	rc = validate_audio(&h, name);
	if (rc < 0)
		return rc;

	memset(info, 0, sizeof *info);
	memcpy(info->name, h.name, sizeof info->name);
	info->version = h.version;
	info->total_size = h.total_size;
	info->width = h.width;
	info->height = h.height;
	info->format = (shmfb_pixfmt)h.pixel_format;
	info->fps_num = h.fps_num;
	info->fps_den = h.fps_den;
	info->layout = layout;
	info->slot_count = h.slot_count;
	for (uint32_t i = 0; i < SHMFB_SLOTS; i++) {
		info->slot_offset[i] = h.slot[i].offset;
		info->slot_size[i] = h.slot[i].size;
	}
	info->producer_pid = h.producer_pid;
	info->generation = h.generation;
	info->create_ns = h.create_ns;
	info->heartbeat_timeout_ms = h.heartbeat_timeout_ms;
	read_color(&h, info);
	if (h.version >= 2 && h.audio_offset) {
		info->audio_rate = h.audio_rate;
		info->audio_channels = h.audio_channels;
		info->audio_format = h.audio_format;
		info->audio_capacity = h.audio_capacity;
		info->audio_frame_bytes = h.audio_channels * shmfb__sample_bytes(h.audio_format);
		info->audio_offset = h.audio_offset;
		info->audio_size = h.audio_size;
	}
	return 0;
}
