/*
 * test_validate.c - a reader meets hostile headers.  Each case writes a file
 * holding a valid mapping with one field broken and checks that shmfb_open
 * refuses it with that field's own code and a message naming it.
 */
#include <stdio.h>

#include "internal.h"
#include "test.h"
#include "util.h"

#define W 64
#define H 32

static uint8_t *image;
static uint64_t total;
static char path[256];

static struct shmfb__header *fresh_with(uint32_t audio_rate)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	o.audio_rate = audio_rate;
	shmfb_layout l;
	ASSERT_OK(shmfb_layout_compute(W, H, SHMFB_FMT_RGBA8, &l));
	struct shmfb__plan plan;
	ASSERT_OK(shmfb__plan(&l, &o, &plan));
	total = plan.total;
	free(image);
	image = calloc(1, total);
	struct shmfb__header *h = (struct shmfb__header *)image;
	shmfb__header_init(h, "crafted", &o, &l, &plan);
	/* relaxed: a private image in one thread, written to a file later. */
	atomic_store_explicit(&h->state, SHMFB_STATE_RUNNING, memory_order_relaxed);
	return h;
}

static struct shmfb__header *fresh(void)
{
	return fresh_with(0);
}

static int open_file(uint64_t bytes)
{
	FILE *f = fopen(path, "wb");
	ASSERT(f);
	ASSERT_EQ(fwrite(image, 1, bytes, f), bytes);
	fclose(f);
	shmfb_reader *r = NULL;
	int rc = shmfb_open(path, &r);
	if (rc == 0)
		shmfb_reader_close(r);
	return rc;
}

#define EXPECT(code, detail)                                                   \
	do {                                                                   \
		int rc__ = open_file(total);                                   \
		if (rc__ != (code))                                            \
			FAIL_AT("got %d (%s) want %s", rc__, shmfb_errdetail(), #code); \
		ASSERT_STR_CONTAINS(shmfb_errdetail(), detail);                \
	} while (0)

/* A valid header of `format` frames whose writer described them as `c`. */
static struct shmfb__header *fresh_color(shmfb_pixfmt format, shmfb_color c)
{
	struct shmfb__header *h = fresh();
	h->pixel_format = (uint32_t)format;
	shmfb_layout l;
	ASSERT_OK(shmfb_layout_compute(W, H, format, &l));
	h->plane_count = l.plane_count;
	for (uint32_t i = 0; i < l.plane_count; i++) {
		h->plane[i].offset = l.offset[i];
		h->plane[i].stride = l.stride[i];
	}
	h->frame_bytes = l.frame_bytes;
	h->color_matrix = (uint8_t)c.matrix;
	h->color_range = (uint8_t)c.range;
	h->color_transfer = (uint8_t)c.transfer;
	h->color_primaries = (uint8_t)c.primaries;
	h->chroma_site = (uint8_t)c.chroma_site;
	return h;
}

/* What a reader sees of the colour bytes of the crafted file. */
static shmfb_color read_color(void)
{
	FILE *f = fopen(path, "wb");
	ASSERT(f);
	ASSERT_EQ(fwrite(image, 1, total, f), total);
	fclose(f);
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(path, &r));
	shmfb_color c = shmfb_reader_info(r)->color;
	shmfb_reader_close(r);
	return c;
}

#define ASSERT_COLOR(c, m, r, t, p, s)                                          \
	do {                                                                   \
		shmfb_color c__ = (c);                                         \
		ASSERT_EQ(c__.matrix, m);                                      \
		ASSERT_EQ(c__.range, r);                                       \
		ASSERT_EQ(c__.transfer, t);                                    \
		ASSERT_EQ(c__.primaries, p);                                   \
		ASSERT_EQ(c__.chroma_site, s);                                 \
	} while (0)

/*
 * The colour bytes (docs/FORMAT.md, "Colour"): read as written when they fit;
 * a value a reader does not know, or one that does not fit the pixel format,
 * reads as unspecified and the mapping still opens.
 */
static void check_color(void)
{
	const shmfb_color bt709 = {SHMFB_MATRIX_BT709, SHMFB_RANGE_LIMITED, SHMFB_TRANSFER_BT709,
				   SHMFB_PRIMARIES_BT709, SHMFB_CHROMA_LEFT};
	const shmfb_color srgb = {SHMFB_MATRIX_RGB, SHMFB_RANGE_FULL, SHMFB_TRANSFER_SRGB,
				  SHMFB_PRIMARIES_BT709, SHMFB_CHROMA_UNSPECIFIED};
	const shmfb_color none = {0, 0, 0, 0, 0};
	fresh_color(SHMFB_FMT_NV12, bt709);
	ASSERT_COLOR(read_color(), 3, 1, 1, 1, 1);
	fresh_color(SHMFB_FMT_RGBA8, srgb);
	ASSERT_COLOR(read_color(), 1, 2, 2, 1, 0);
	/* A version 2 mapping from before the colour bytes: all zero. */
	fresh_color(SHMFB_FMT_I420, none);
	ASSERT_COLOR(read_color(), 0, 0, 0, 0, 0);
	fresh_color(SHMFB_FMT_RGBA8, none);
	ASSERT_COLOR(read_color(), 0, 0, 0, 0, 0);
	/* Unknown values: that field only is unspecified. */
	struct shmfb__header *h = fresh_color(SHMFB_FMT_YUYV, bt709);
	h->color_transfer = 200;
	ASSERT_COLOR(read_color(), 3, 1, 0, 1, 1);
	h->color_matrix = 5;
	h->color_range = 3;
	h->color_primaries = 255;
	h->chroma_site = 4;
	ASSERT_COLOR(read_color(), 0, 0, 0, 0, 0);
	/* Values that do not fit the format. */
	fresh_color(SHMFB_FMT_NV12, srgb); /* an RGB "matrix" for YUV */
	ASSERT_COLOR(read_color(), 0, 2, 2, 1, 0);
	fresh_color(SHMFB_FMT_RGB24, bt709); /* a YUV matrix, chroma siting for RGB */
	ASSERT_COLOR(read_color(), 0, 1, 1, 1, 0);
	fresh_color(SHMFB_FMT_GRAY8, bt709); /* gray: the luma's weights; no chroma */
	ASSERT_COLOR(read_color(), 3, 1, 1, 1, 0);

	/* The writer refuses what a reader would not take, naming the field. */
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	o.format = SHMFB_FMT_NV12;
	o.color = srgb;
	shmfb_writer *w;
	ASSERT_EQ(shmfb_create(path, &o, &w), SHMFB_EINVAL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "colour matrix 1");
	o.color = bt709;
	o.color.transfer = (shmfb_color_transfer)SHMFB_TRANSFER_COUNT;
	ASSERT_EQ(shmfb_create(path, &o, &w), SHMFB_EINVAL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "colour transfer");
	o.format = SHMFB_FMT_RGBA8;
	o.color = srgb;
	o.color.chroma_site = SHMFB_CHROMA_CENTER;
	ASSERT_EQ(shmfb_create(path, &o, &w), SHMFB_EINVAL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "chroma site 2");
	o.color.chroma_site = (shmfb_chroma_site)-1;
	ASSERT_EQ(shmfb_create(path, &o, &w), SHMFB_EINVAL);
	/* Unspecified fits every format. */
	o.color = none;
	ASSERT_OK(shmfb_create(path, &o, &w));
	ASSERT_OK(shmfb_writer_close(w));
	/* And what it takes, a reader reads back. */
	o.color = srgb;
	o.row_align = 4;
	o.width = 350;
	o.format = SHMFB_FMT_RGB24;
	remove(path);
	ASSERT_OK(shmfb_create(path, &o, &w));
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(path, &r));
	ASSERT_COLOR(shmfb_reader_info(r)->color, 1, 2, 2, 1, 0);
	ASSERT_EQ(shmfb_reader_info(r)->layout.stride[0], 1052);
	ASSERT_EQ(shmfb_reader_info(r)->layout.row_bytes[0], 1050);
	shmfb_reader_close(r);
	ASSERT_OK(shmfb_writer_close(w));
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	snprintf(path, sizeof path, "%s/crafted.shmfb", test_tmpdir());
	struct shmfb__header *h;

	h = fresh();
	ASSERT_OK(open_file(total));
	check_color();

	h = fresh(); h->magic[0] ^= 1;               EXPECT(SHMFB_EBADMAGIC, "magic");
	h = fresh(); h->version = 3;                 EXPECT(SHMFB_EBADVERSION, "version 3");
	h = fresh(); h->version = 0;                 EXPECT(SHMFB_EBADVERSION, "version 0");
	h = fresh(); h->version = 1;                 ASSERT_OK(open_file(total)); /* no audio: still readable */

	/* The audio ring (version 2). */
	h = fresh_with(48000);                       ASSERT_OK(open_file(total));
	h = fresh_with(48000); h->audio_rate = 7999; EXPECT(SHMFB_EBADAUDIO, "7999 Hz");
	h = fresh_with(48000); h->audio_channels = 9; EXPECT(SHMFB_EBADAUDIO, "9 channels");
	h = fresh_with(48000); h->audio_format = 3;  EXPECT(SHMFB_EBADAUDIO, "format 3");
	h = fresh_with(48000); h->audio_offset += 8; EXPECT(SHMFB_EBADAUDIO, "misaligned");
	h = fresh_with(48000); h->audio_offset = h->slot[2].offset; EXPECT(SHMFB_EBADAUDIO, "overlaps slot 2");
	h = fresh_with(48000); h->audio_size += 4096; EXPECT(SHMFB_EBADAUDIO, "outside");
	/* Each message states the rule that was broken (issue 11). */
	h = fresh_with(48000); h->audio_capacity = 0xffffffffu; EXPECT(SHMFB_EBADAUDIO, "must be 1 to 480000");
	h = fresh_with(48000); h->audio_capacity = 480001; EXPECT(SHMFB_EBADAUDIO, "must be 1 to 480000 (10000 ms at 48000 Hz)");
	h = fresh_with(48000); h->audio_capacity = 20000; EXPECT(SHMFB_EBADAUDIO, "(80000 bytes) does not fit the 40960-byte ring");
	h = fresh_with(48000); h->audio_capacity = 0; EXPECT(SHMFB_EBADAUDIO, "capacity of 0");
	h = fresh(); h->header_size = 8192;          EXPECT(SHMFB_EBADHEADERSIZE, "header_size 8192");
	h = fresh(); h->total_size += 4096;          EXPECT(SHMFB_EBADTOTALSIZE, "bytes");
	h = fresh(); h->total_size = total - 4000;
	ASSERT_EQ(open_file(total - 4000), SHMFB_EBADTOTALSIZE);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "total_size 24672 is not a multiple of 4096" /* 4096 + 3 x 8192 - 4000 */);
	/* A file that ends inside its last page is shorter than its header says
	 * (on Windows too, where a view of it is rounded up to the page). */
	h = fresh();
	ASSERT_EQ(open_file(total - 4000), SHMFB_EBADTOTALSIZE);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "header says 28672 bytes, the object has 24672");
	h = fresh(); h->slot_count = 4;              EXPECT(SHMFB_EBADSLOTCOUNT, "slot_count 4");
	h = fresh(); h->slot_count = 0;              EXPECT(SHMFB_EBADSLOTCOUNT, "slot_count 0");
	h = fresh(); h->slot[1].offset += 100;       EXPECT(SHMFB_EBADSLOT, "slot 1");
	h = fresh(); h->slot[2].offset = total;      EXPECT(SHMFB_EBADSLOT, "outside");
	h = fresh(); h->slot[2].offset = UINT64_MAX - 4095; EXPECT(SHMFB_EBADSLOT, "outside");
	h = fresh(); h->slot[1].size = UINT64_MAX - 4095;   EXPECT(SHMFB_EBADSLOT, "outside");
	h = fresh(); h->slot[0].offset = 0;          EXPECT(SHMFB_EBADSLOT, "slot 0 at offset 0 lies over the header");
	h = fresh(); h->slot[1].offset += 512;       EXPECT(SHMFB_EBADSLOT, "must be multiples of 4096");
	h = fresh(); h->frame_bytes = (1ull << 30) + 4096; EXPECT(SHMFB_EBADGEOMETRY, "over the limit of 1073741824 (1 GiB)");
	h = fresh(); h->frame_bytes = W * H * 4 - 1; EXPECT(SHMFB_EBADGEOMETRY, "too small for 64x32 rgba (at least 8192)");
	h = fresh(); h->slot[2].offset = h->slot[1].offset; EXPECT(SHMFB_EBADSLOT, "overlap");
	h = fresh(); h->frame_bytes = h->slot[0].size + 1; EXPECT(SHMFB_EBADSLOT, "cannot hold");
	h = fresh(); h->pixel_format = 99;           EXPECT(SHMFB_EBADGEOMETRY, "unknown pixel format 99");
	h = fresh(); h->width = 0;                   EXPECT(SHMFB_EBADGEOMETRY, "at least 1");
	h = fresh(); h->width = 70000;               EXPECT(SHMFB_EBADGEOMETRY, "limited");
	/* 16384 x 16384 x 4 does not fit the slots: frame_bytes cannot be made to agree. */
	h = fresh(); h->width = 16384; h->height = 16384; EXPECT(SHMFB_EBADGEOMETRY, "frame_bytes");
	h = fresh(); h->pixel_format = SHMFB_FMT_NV12; h->height = 31; EXPECT(SHMFB_EBADGEOMETRY, "even height");
	h = fresh(); h->plane_count = 3;             EXPECT(SHMFB_EBADGEOMETRY, "planes");
	h = fresh(); h->plane[0].stride = W * 4 - 1; EXPECT(SHMFB_EBADPLANE, "stride");
	h = fresh(); h->plane[0].offset = 4;         EXPECT(SHMFB_EBADPLANE, "plane 0");
	h = fresh(); h->plane[0].stride = 0xffffffffu; EXPECT(SHMFB_EBADPLANE, "plane 0");

	/* A file shorter than its header says, and shorter than a header at all. */
	fresh();
	ASSERT_EQ(open_file(total - 4096), SHMFB_EBADTOTALSIZE);
	ASSERT_EQ(open_file(100), SHMFB_EBADTOTALSIZE);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "100 bytes");

	/* Live fields out of range: opened, then refused at use. */
	h = fresh();
	ASSERT_OK(open_file(total));
	shmfb_reader *r;
	/* relaxed: a private image in one thread, written to the file below. */
	atomic_store_explicit(&h->latest, SHMFB__LATEST(5, 3), memory_order_relaxed);
	atomic_store_explicit(&h->state, 9, memory_order_relaxed); /* relaxed: likewise */
	FILE *f = fopen(path, "wb");
	fwrite(image, 1, total, f);
	fclose(f);
	ASSERT_OK(shmfb_open(path, &r));
	shmfb_frame fr;
	ASSERT_EQ(shmfb_reader_latest(r, &fr), SHMFB_EBADLATEST);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "slot 3");
	uint8_t buf[W * H * 4];
	ASSERT_EQ(shmfb_reader_copy_latest(r, buf, sizeof buf, &fr), SHMFB_EBADLATEST);
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_EBADSTATE);
	ASSERT_EQ(shmfb_reader_copy_latest(r, buf, sizeof buf - 1, &fr), SHMFB_EINVAL);
	shmfb_reader_close(r);

	/* A header its producer never finished (state 0) is refused after a grace period. */
	h = fresh();
	atomic_store_explicit(&h->state, 0, memory_order_relaxed); /* relaxed: private image, one thread */
	EXPECT(SHMFB_EBADSTATE, "never completed");
	remove(path);
	free(image);
	return 0;
}
