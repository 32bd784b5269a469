/*
 * frames.h - the frame contents the multi-process tests write and check.
 * Word i of frame n is a hash of both, and word 0 is n itself, so a frame
 * made of parts of two frames (a torn copy) fails the check anywhere.
 */
#ifndef SHMFB_TEST_FRAMES_H
#define SHMFB_TEST_FRAMES_H

#include <stdint.h>

static inline uint64_t test_frame_word(uint64_t frame, uint64_t i)
{
	return i == 0 ? frame : (frame * 0x9E3779B97F4A7C15ull) ^ (i * 0xBF58476D1CE4E5B9ull);
}

static inline void test_frame_fill(uint64_t *words, uint64_t count, uint64_t frame)
{
	for (uint64_t i = 0; i < count; i++)
		words[i] = test_frame_word(frame, i);
}

/* 1 when all count words are those of frame. */
static inline int test_frame_ok(const uint64_t *words, uint64_t count, uint64_t frame)
{
	for (uint64_t i = 0; i < count; i++)
		if (words[i] != test_frame_word(frame, i))
			return 0;
	return 1;
}

#endif
