/*
 * test_every_frame.c - shmfb_reader_next / shmfb_reader_copy_next: a reader
 * that takes every frame, between real processes.
 *
 * The writer publishes frames in pairs, back to back, and waits for the
 * reader to say it took both: when the reader comes for a frame it is one
 * frame behind (latest is seen + 2).  Latest-wins would skip seen + 1; the
 * reader must get every frame, in order, each whole (its words are a
 * function of its frame number, frames.h).  Odd frames are copied
 * (copy_next), even ones read in place (next + frame_valid).
 *
 * Then a burst of five frames with no pause: the reader, five behind, gets
 * the oldest the slots still hold (the third of the burst, two lost), then
 * the fourth and the fifth, then SHMFB_ENOFRAME.
 *
 * The reader answers through a second mapping of its own (it cannot write to
 * the writer's): one frame there for each pair taken, one for the burst.
 */
#include <stdlib.h>

#include "shmfb.h"
#include "frames.h"
#include "test.h"
#include "util.h"

#define W 64
#define H 32
#define WORDS ((uint64_t)W * H * 4 / 8)
#define BURST 5

static shmfb_writer *create(const char *name)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	shmfb_writer *w = NULL;
	ASSERT_OK(shmfb_create(name, &o, &w));
	return w;
}

static shmfb_reader *open_when_ready(const char *name)
{
	shmfb_reader *r = NULL;
	for (int i = 0; i < 1000 && shmfb_open(name, &r) != 0; i++)
		test_sleep_ms(10);
	if (!r)
		FAIL_AT("%s never appeared: %s", name, shmfb_errdetail());
	return r;
}

static void publish(shmfb_writer *w, uint64_t n)
{
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	test_frame_fill((uint64_t *)p.data[0], WORDS, n);
	shmfb_writer_publish(w, n, 0);
}

/* Sleeps on the futex until r's publish counter reaches n (bounded: 10 s). */
static void wait_index(shmfb_reader *r, uint64_t n)
{
	for (int i = 0; i < 200 && shmfb_reader_latest_index(r) < n; i++)
		shmfb_reader_wait(r, n - 1, 50 * SHMFB_MS, 0);
	ASSERT_GE(shmfb_reader_latest_index(r), n);
}

static int run_writer(char **a)
{
	uint64_t pairs = strtoull(a[2], NULL, 10);
	shmfb_writer *w = create(a[0]);
	shmfb_reader *ack = open_when_ready(a[1]);
	uint64_t n = 0;
	for (uint64_t i = 0; i < pairs; i++) {
		publish(w, ++n);
		publish(w, ++n);
		wait_index(ack, i + 1); /* the reader's answer to this pair */
	}
	for (int i = 0; i < BURST; i++)
		publish(w, ++n);
	wait_index(ack, pairs + 1);
	shmfb_reader_close(ack);
	shmfb_writer_close(w);
	return 0;
}

/* Takes the frame after `seen`, by copy or in place; checks it is frame `want`, whole. */
static void take(shmfb_reader *r, uint64_t seen, uint64_t want, int copy)
{
	static uint64_t buf[WORDS];
	shmfb_frame f;
	if (copy) {
		ASSERT_OK(shmfb_reader_copy_next(r, seen, buf, sizeof buf, &f));
		ASSERT(test_frame_ok(buf, WORDS, want));
		ASSERT(f.data[0] == (const uint8_t *)buf);
	} else {
		int rc;
		for (int i = 0; i < 64 && (rc = shmfb_reader_next(r, seen, &f)) == SHMFB_ETORN; i++)
			;
		ASSERT_OK(rc);
		ASSERT(test_frame_ok((const uint64_t *)f.data[0], WORDS, want));
		ASSERT(shmfb_frame_valid(r, &f));
	}
	ASSERT_EQ(f.index, want);
	ASSERT_EQ(f.frame_number, want);
	ASSERT_EQ(f.bytes, WORDS * 8);
}

static int run_reader(char **a)
{
	uint64_t pairs = strtoull(a[2], NULL, 10);
	shmfb_writer *ack = create(a[1]);
	shmfb_reader *r = open_when_ready(a[0]);
	uint64_t seen = 0;
	for (uint64_t i = 0; i < pairs; i++) {
		wait_index(r, seen + 2); /* one frame behind now */
		take(r, seen, seen + 1, 1);
		take(r, seen + 1, seen + 2, 0);
		seen += 2;
		publish(ack, seen);
	}
	/* Five behind: the slots hold the last three of the burst. */
	wait_index(r, seen + BURST);
	take(r, seen, seen + BURST - 2, 1);
	take(r, seen + BURST - 2, seen + BURST - 1, 0);
	take(r, seen + BURST - 1, seen + BURST, 1);
	seen += BURST;
	static uint64_t buf[WORDS];
	ASSERT_EQ(shmfb_reader_copy_next(r, seen, buf, sizeof buf, NULL), SHMFB_ENOFRAME);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "no frame after");
	shmfb_frame f;
	ASSERT_EQ(shmfb_reader_next(r, seen, &f), SHMFB_ENOFRAME);
	/* The default is unchanged: latest-wins gives the newest. */
	ASSERT_OK(shmfb_reader_copy_latest(r, buf, sizeof buf, &f));
	ASSERT_EQ(f.index, seen);
	publish(ack, seen);
	shmfb_reader_close(r);
	test_sleep_ms(200); /* the writer reads the answer before it goes */
	shmfb_writer_close(ack);
	return 0;
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	static const test_role roles[] = {{"writer", run_writer}, {"reader", run_reader}, {NULL, NULL}};
	test_run_child_role(roles);

	char pairs[32];
	snprintf(pairs, sizeof pairs, "%d", test_scale(500, 50));
	const char *args[] = {test_unique_name("every"), test_unique_name("every-ack"), pairs, NULL};
	test_proc wp, rp;
	ASSERT_EQ(test_spawn_self(&wp, "writer", args), 0);
	ASSERT_EQ(test_spawn_self(&rp, "reader", args), 0);
	ASSERT_EQ(test_wait(&rp, 60000), 0);
	ASSERT_EQ(test_wait(&wp, 60000), 0);
	return 0;
}
