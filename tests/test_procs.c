/*
 * test_procs.c - one writer and several readers, all real processes.
 *
 * Phase 1 (torn frames): the writer publishes 100,000 frames as fast as it
 * can; each frame's words are a function of its frame number, so a frame
 * mixed from two writes is detectable.  Three readers: one copies
 * (shmfb_reader_copy_latest), one reads in place (zero-copy + valid), one
 * reads in place slowly, sleeping mid-frame so the writer laps it.  No
 * reader may ever accept a frame whose words disagree.
 *
 * Phase 1 again with 1080p frames published by copy (shmfb_writer_publish_copy
 * streams large frames around the cache, with its own fences).
 *
 * Phase 2 (wake-ups): the writer publishes every 3 ms; futex readers must
 * be woken for (nearly) every frame and never sit out their timeout.
 *
 * The writer starts publishing once every reader has attached (ready.h).
 */
#include <stdlib.h>

#include "shmfb.h"
#include "frames.h"
#include "ready.h"
#include "test.h"
#include "util.h"

/* Small frames (copied with memcpy), or 1080p ones ("big": the streaming copy). */
static uint32_t W = 128, H = 128;
#define WORDS ((uint64_t)W * H * 4 / 8)

static void set_size(const char *size)
{
	if (!strcmp(size, "big"))
		W = 1920, H = 1080;
}

/* a: name frames pace_us size readers dir */
static int run_writer(char **a)
{
	uint64_t frames = strtoull(a[1], NULL, 10), pace_us = strtoull(a[2], NULL, 10);
	set_size(a[3]);
	uint64_t *copy = !strcmp(a[3], "big") ? malloc(WORDS * 8) : NULL; /* publish by copy */
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	shmfb_writer *w;
	if (shmfb_create(a[0], &o, &w) != 0) {
		fprintf(stderr, "writer: %s\n", shmfb_errdetail());
		return 1;
	}
	if (test_wait_ready(a[5], a[0], atoi(a[4])) < 0)
		return 1;
	for (uint64_t n = 1; n <= frames; n++) {
		if (copy) {
			test_frame_fill(copy, WORDS, n);
			shmfb_writer_publish_copy(w, copy, WORDS * 8, n, shmfb_now_ns());
		} else {
			shmfb_planes p;
			shmfb_writer_acquire(w, &p);
			test_frame_fill((uint64_t *)p.data[0], WORDS, n);
			shmfb_writer_publish(w, n, shmfb_now_ns());
		}
		if (pace_us)
			test_sleep_ms((int)(pace_us / 1000));
	}
	test_sleep_ms(100);
	shmfb_writer_close(w);
	free(copy);
	return 0;
}

static shmfb_reader *attach(const char *name)
{
	shmfb_reader *r;
	for (int i = 0; i < 500; i++) {
		if (shmfb_open(name, &r) == 0)
			return r;
		test_sleep_ms(10);
	}
	fprintf(stderr, "reader: %s\n", shmfb_errdetail());
	exit(1);
}

/* Reads in place; returns 1 accepted, 0 rejected, exits on a torn accept. */
static int read_in_place(shmfb_reader *r, int slow, uint64_t *index)
{
	shmfb_frame f;
	int rc = shmfb_reader_latest(r, &f);
	if (rc == SHMFB_ETORN)
		return 0;
	*index = f.index;
	if (rc != 0) {
		fprintf(stderr, "reader: latest: %s\n", shmfb_errdetail());
		exit(1);
	}
	const uint64_t *words = (const uint64_t *)f.data[0];
	int ok = words[0] == f.frame_number;
	if (slow)
		test_sleep_ms(1);
	ok = ok && test_frame_ok(words, WORDS, f.frame_number);
	if (!shmfb_frame_valid(r, &f))
		return 0;
	if (!ok) {
		fprintf(stderr, "reader: accepted torn frame %llu\n", (unsigned long long)f.frame_number);
		exit(1);
	}
	return 1;
}

/* a: name mode frames size index dir */
static int run_reader(char **a)
{
	const char *mode = a[1];
	set_size(a[3]);
	shmfb_reader *r = attach(a[0]);
	test_say_ready(a[5], a[0], atoi(a[4]));
	uint64_t *buf = malloc(W * H * 4);
	uint64_t seen = 0, accepted = 0, rejected = 0, timeouts = 0, last_frame = 0;
	for (;;) {
		int rc = shmfb_reader_wait(r, seen, 2 * SHMFB_SEC, 0);
		if (rc == SHMFB_ECLOSED)
			break;
		if (rc == SHMFB_ETIMEDOUT) {
			timeouts++;
			continue;
		}
		if (!strcmp(mode, "copy")) {
			shmfb_frame f;
			if (shmfb_reader_copy_latest(r, buf, W * H * 4, &f) != 0) {
				rejected++;
				continue;
			}
			if (!test_frame_ok(buf, WORDS, f.frame_number)) {
				fprintf(stderr, "reader: copy returned torn frame %llu\n", (unsigned long long)f.frame_number);
				return 1;
			}
			if (f.frame_number <= last_frame) {
				fprintf(stderr, "reader: frame %llu after %llu\n", (unsigned long long)f.frame_number,
					(unsigned long long)last_frame);
				return 1;
			}
			last_frame = f.frame_number;
			seen = f.index;
			accepted++;
		} else if (read_in_place(r, !strcmp(mode, "slow"), &seen)) {
			accepted++;
		} else {
			rejected++;
		}
	}
	fprintf(stderr, "%s reader: %llu accepted, %llu rejected, %llu timeouts\n", mode,
		(unsigned long long)accepted, (unsigned long long)rejected, (unsigned long long)timeouts);
	printf("%llu %llu %llu\n", (unsigned long long)accepted, (unsigned long long)rejected,
	       (unsigned long long)timeouts);
	free(buf);
	shmfb_reader_close(r);
	if (!strcmp(mode, "slow") && rejected == 0) {
		fprintf(stderr, "slow reader was never lapped: the test did not exercise tearing\n");
		return 1;
	}
	return accepted > 0 && timeouts == 0 ? 0 : 1;
}

/*
 * Futex reader of a paced writer: must see nearly every frame.  Its
 * arguments are a reader's (run_phase): name mode frames size index dir.
 */
static int run_waker(char **a)
{
	uint64_t frames = strtoull(a[2], NULL, 10);
	shmfb_reader *r = attach(a[0]);
	test_say_ready(a[5], a[0], atoi(a[4]));
	uint64_t seen = 0, got = 0, late = 0;
	for (;;) {
		int rc = shmfb_reader_wait(r, seen, 2 * SHMFB_SEC, 0);
		if (rc == SHMFB_ECLOSED)
			break;
		if (rc != 0) {
			fprintf(stderr, "waker: %s after %llu frames\n", shmfb_errdetail(), (unsigned long long)got);
			return 1;
		}
		uint64_t now = shmfb_now_ns();
		shmfb_frame f;
		if (shmfb_reader_latest(r, &f) != 0)
			continue;
		late += now - f.publish_ns > 20 * SHMFB_MS;
		seen = f.index;
		got++;
	}
	shmfb_reader_close(r);
	fprintf(stderr, "waker: woken for %llu of %llu frames, %llu later than 20 ms\n",
		(unsigned long long)got, (unsigned long long)frames, (unsigned long long)late);
	return got * 10 >= frames * 9 && late * 10 <= got ? 0 : 1;
}

/* The writer of name (frames, pace, size) and one reader of role per mode. */
static void run_phase(const char *name, const char *frames, const char *pace_us, const char *size,
		      const char *role, const char *modes[], int n)
{
	test_proc wp, rp[8];
	char readers[16], index[8][16];
	snprintf(readers, sizeof readers, "%d", n);
	const char *writer_args[] = {name, frames, pace_us, size, readers, test_tmpdir(), NULL};
	ASSERT_EQ(test_spawn_self(&wp, "writer", writer_args), 0);
	for (int i = 0; i < n; i++) {
		snprintf(index[i], sizeof index[i], "%d", i);
		const char *args[] = {name, modes[i], frames, size, index[i], test_tmpdir(), NULL};
		ASSERT_EQ(test_spawn_self(&rp[i], role, args), 0);
	}
	ASSERT_EQ(test_wait(&wp, 120000), 0);
	for (int i = 0; i < n; i++) {
		int code = test_wait(&rp[i], 30000);
		if (code != 0)
			FAIL_AT("%s reader %s exited %d", role, modes[i], code);
	}
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	static const test_role roles[] = {
		{"writer", run_writer}, {"reader", run_reader}, {"waker", run_waker}, {NULL, NULL}};
	test_run_child_role(roles);

	char frames[32];
	snprintf(frames, sizeof frames, "%d", test_scale(100000, 2000));
	const char *modes[] = {"copy", "zero", "slow"};
	run_phase(test_unique_name("procs"), frames, "0", "small", "reader", modes, 3);

	/* 1080p frames published by copy: the copy that bypasses the cache. */
	run_phase(test_unique_name("procs-big"), test_scale(1, 0) ? "300" : "10", "0", "big", "reader", modes, 2);

	const char *wmodes[] = {"a", "b", "c"};
	run_phase(test_unique_name("wake"), test_scale(1, 0) ? "300" : "50", "3000", "small", "waker", wmodes, 3);
	return 0;
}
