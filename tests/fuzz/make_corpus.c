/*
 * make_corpus.c - writes the seed corpus for fuzz_header: valid mappings of
 * each pixel format, fresh and with a frame published.
 *   build/fuzz/make_corpus tests/fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void write_one(const char *dir, shmfb_pixfmt fmt, uint32_t w, uint32_t h, int published)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = w;
	o.height = h;
	o.format = fmt;
	o.audio_rate = published ? 8000 : 0;
	o.audio_capacity_ms = 50;
	shmfb_layout l;
	struct shmfb__plan plan;
	if (shmfb_layout_compute(w, h, fmt, &l) != 0 || shmfb__plan(&l, &o, &plan) != 0)
		exit(1);
	uint64_t total = plan.total;
	uint8_t *map = calloc(1, total);
	struct shmfb__header *hd = (struct shmfb__header *)map;
	shmfb__header_init(hd, "seed", &o, &l, &plan);
	/* relaxed throughout: a private image in one thread, written to a file. */
	atomic_store_explicit(&hd->state, SHMFB_STATE_RUNNING, memory_order_relaxed);
	if (published) {
		/* relaxed: as above. */
		atomic_store_explicit(&hd->meta[1].seq, 2, memory_order_relaxed);
		atomic_store_explicit(&hd->meta[1].index, 1, memory_order_relaxed);   /* relaxed */
		atomic_store_explicit(&hd->latest, SHMFB__LATEST(1, 1), memory_order_relaxed); /* relaxed */
		atomic_store_explicit(&hd->audio_written, 100, memory_order_relaxed); /* relaxed */
		atomic_store_explicit(&hd->audio_claimed, 100, memory_order_relaxed); /* relaxed */
		atomic_store_explicit(&hd->audio_clock_seq, 2, memory_order_relaxed); /* relaxed */
	}
	char path[512];
	snprintf(path, sizeof path, "%s/%s-%ux%u%s", dir, shmfb_pixfmt_name(fmt), w, h,
		 published ? "-published" : "");
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(map, 1, total, f) != total)
		exit(1);
	fclose(f);
	free(map);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	for (int fmt = 1; fmt < SHMFB_FMT_COUNT; fmt++)
		write_one(argv[1], (shmfb_pixfmt)fmt, 16, 8, fmt % 2);
	write_one(argv[1], SHMFB_FMT_RGBA8, 40, 30, 1);
	return 0;
}
