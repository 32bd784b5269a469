/*
 * fuzz_header.c - libFuzzer target: an attacker controls every byte of a
 * mapping.  The input is the mapping (padded with zeros to a page and
 * rounded up to whole pages); the reader validates it and, if it is
 * accepted, reads frames and slot metadata as a real reader would.  Any
 * out-of-bounds access or undefined behaviour is a bug (ASan + UBSan).
 *
 *   make fuzz            builds build/fuzz/fuzz_header and runs it 60 s
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAGES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pages = (size + SHMFB__PAGE - 1) / SHMFB__PAGE;
	if (pages == 0)
		pages = 1;
	if (pages > MAX_PAGES)
		pages = MAX_PAGES;
	size_t mapped = pages * SHMFB__PAGE;
	uint8_t *map = aligned_alloc(SHMFB__PAGE, mapped);
	memset(map, 0, mapped);
	memcpy(map, data, size < mapped ? size : mapped);

	shmfb_reader r;
	memset(&r, 0, sizeof r);
	r.seg.base = map;
	r.seg.size = mapped;
	r.hdr = (struct shmfb__header *)map;
	strcpy(r.open_name, "fuzz");
	if (shmfb__header_validate(r.hdr, mapped, "fuzz", &r.info) == 0) {
		/* Accepted: everything a reader then does must stay inside `map`. */
		uint8_t *dst = malloc(r.info.layout.frame_bytes);
		shmfb_frame f;
		if (shmfb_reader_latest(&r, &f) == 0) {
			volatile uint8_t sink = 0;
			for (uint32_t p = 0; p < r.info.layout.plane_count; p++)
				for (uint32_t y = 0; y < r.info.layout.rows[p]; y++)
					sink ^= f.data[p][(size_t)y * f.stride[p] + r.info.layout.row_bytes[p] - 1];
			(void)sink;
			(void)shmfb_frame_valid(&r, &f);
		}
		(void)shmfb_reader_copy_latest(&r, dst, r.info.layout.frame_bytes, &f);
		for (uint32_t s = 0; s < SHMFB_SLOTS + 1; s++)
			(void)shmfb_reader_slot(&r, s, &f);
		(void)shmfb_reader_wait(&r, UINT64_MAX, 0, SHMFB_WAIT_SPIN);
		/* Audio: a cursor anywhere, reads of any size. */
		uint8_t pcm[4096];
		shmfb_audio_block b;
		uint64_t pos, ns;
		r.audio_cursor = 0;
		for (int i = 0; i < 3; i++)
			(void)shmfb_audio_read(&r, pcm, sizeof pcm / 32, &b);
		(void)shmfb_audio_clock(&r, &pos, &ns);
		(void)shmfb_audio_available(&r);
		free(dst);
	}
	free(map);
	return 0;
}
