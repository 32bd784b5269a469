/*
 * test_writecopy.c - copy-on-write views (shmfb_reader_view_latest), with
 * the producer, the writing reader and a second reader in real processes.
 *
 *   isolation  a reader overwrites every byte of its view; the producer's
 *              own memory and a second reader process still see the frame
 *              bit-exact, while the writer keeps seeing its writes;
 *   fresh      after release, the next frame in the same slot has none of
 *              the old writes; while held, a second view of it is refused;
 *   torn       a producer lapping a view: shmfb_view_check says SHMFB_ETORN,
 *              the written pages are frozen copies of the old frame, and no
 *              view whose pixels disagree is ever accepted;
 *   memory     private memory is exactly the pages written (smaps on Linux,
 *              QueryWorkingSetEx on Windows), none for pages only read, and
 *              none after release.
 *
 * Frames are tests/frames.h's: word i of frame n is a function of both, so
 * a mixed frame fails the comparison anywhere.
 */
#include <stdlib.h>

#include "internal.h" /* white box: the producer's own slot memory */
#include "frames.h"
#include "test.h"
#include "util.h"

#define W 640
#define H 480
#define BYTES ((uint64_t)W * H * 4)
#define WORDS (BYTES / 8)
#define PAGE 4096
#define PAGES (BYTES / PAGE)
#define SCRIBBLE 0xA5

static void create(const char *name, shmfb_writer **w)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	ASSERT_OK(shmfb_create(name, &o, w));
}

static void publish(shmfb_writer *w, uint64_t n)
{
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	test_frame_fill((uint64_t *)p.data[0], WORDS, n);
	shmfb_writer_publish(w, n, shmfb_now_ns());
}

static shmfb_reader *attach(const char *name)
{
	shmfb_reader *r;
	for (int i = 0; i < 500; i++) {
		if (shmfb_open(name, &r) == 0)
			return r;
		test_sleep_ms(10);
	}
	FAIL_AT("open %s: %s", name, shmfb_errdetail());
}

/* The latest frame's view, once the producer has published one. */
static void view_latest(shmfb_reader *r, shmfb_view *v)
{
	for (int i = 0; i < 1000; i++) {
		int rc = shmfb_reader_view_latest(r, v);
		if (rc == 0)
			return;
		if (rc != SHMFB_ENOFRAME && rc != SHMFB_ETORN)
			FAIL_AT("view: %s", shmfb_errdetail());
		test_sleep_ms(5);
	}
	FAIL_AT("no view within 5 s");
}

static void touch_file(const char *path)
{
	FILE *f = fopen(path, "w");
	ASSERT(f != NULL);
	fclose(f);
}

static int file_appears(const char *path, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 5) {
		FILE *f = fopen(path, "r");
		if (f) {
			fclose(f);
			return 1;
		}
		test_sleep_ms(5);
	}
	return 0;
}

static int all_bytes(const uint8_t *p, uint64_t n, uint8_t value)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] != value)
			return 0;
	return 1;
}

/* ------------------------------------------------------------ children */

/* producer NAME PACE_MS FRAMES LINGER_MS: frames 1..FRAMES, then waits. */
static int run_producer(char **a)
{
	int pace = atoi(a[1]), linger = atoi(a[3]);
	uint64_t frames = strtoull(a[2], NULL, 10);
	shmfb_writer *w;
	create(a[0], &w);
	for (uint64_t n = 1; n <= frames; n++) {
		publish(w, n);
		if (pace)
			test_sleep_ms(pace);
	}
	test_sleep_ms(linger);
	shmfb_writer_close(w);
	return 0;
}

/* scribbler NAME WRITTEN SEEN: overwrites its whole view and holds it. */
static int run_scribbler(char **a)
{
	shmfb_reader *r = attach(a[0]);
	shmfb_view v;
	view_latest(r, &v);
	memset(v.data[0], SCRIBBLE, BYTES);
	ASSERT(all_bytes(v.data[0], BYTES, SCRIBBLE));
	ASSERT_OK(shmfb_view_check(r, &v));
	touch_file(a[1]);
	ASSERT(file_appears(a[2], 10000));
	/* Its writes are still its own after the others have looked. */
	ASSERT(all_bytes(v.data[0], BYTES, SCRIBBLE));
	shmfb_view_release(r, &v);
	shmfb_reader_close(r);
	return 0;
}

/* checker NAME N: a second reader sees frame N bit-exact, in place and copied. */
static int run_checker(char **a)
{
	uint64_t n = strtoull(a[1], NULL, 10);
	shmfb_reader *r = attach(a[0]);
	shmfb_frame f;
	ASSERT_OK(shmfb_reader_latest(r, &f));
	ASSERT_EQ(f.frame_number, n);
	ASSERT(test_frame_ok((const uint64_t *)f.data[0], WORDS, n));
	ASSERT(shmfb_frame_valid(r, &f));
	uint64_t *copy = malloc(BYTES);
	ASSERT(copy != NULL);
	ASSERT_OK(shmfb_reader_copy_latest(r, copy, BYTES, &f));
	ASSERT(test_frame_ok(copy, WORDS, n));
	free(copy);
	shmfb_reader_close(r);
	return 0;
}

static void spawn(test_proc *p, const char *role, const char *const args[])
{
	ASSERT_EQ(test_spawn_self(p, role, args), 0);
}

static test_proc spawn_producer(const char *name, const char *pace_ms, const char *frames,
				const char *linger_ms)
{
	test_proc p;
	const char *args[] = {name, pace_ms, frames, linger_ms, NULL};
	spawn(&p, "producer", args);
	return p;
}

/* --------------------------------------------------------------- tests */

static void test_isolation(void)
{
	const char *name = test_unique_name("wc-iso");
	char written[512], seen[512];
	snprintf(written, sizeof written, "%s/%s.written", test_tmpdir(), name);
	snprintf(seen, sizeof seen, "%s/%s.seen", test_tmpdir(), name);
	shmfb_writer *w;
	create(name, &w);
	publish(w, 7);
	const uint64_t *own = (const uint64_t *)((const uint8_t *)w->seg.base + w->slot_offset[w->last_slot]);

	test_proc scribbler, checker;
	const char *sargs[] = {name, written, seen, NULL};
	spawn(&scribbler, "scribbler", sargs);
	if (!file_appears(written, 10000))
		FAIL_AT("scribbler did not write its view (exit %d)", test_wait(&scribbler, 0));
	ASSERT(test_frame_ok(own, WORDS, 7));
	const char *cargs[] = {name, "7", NULL};
	spawn(&checker, "checker", cargs);
	ASSERT_EQ(test_wait(&checker, 10000), 0);
	touch_file(seen);
	ASSERT_EQ(test_wait(&scribbler, 10000), 0);
	ASSERT(test_frame_ok(own, WORDS, 7));
	shmfb_writer_close(w);
}

/* A view of the next frame the producer puts in `slot` (index > after). */
static void view_of_slot(shmfb_reader *r, uint32_t slot, uint64_t after, shmfb_view *v)
{
	for (int i = 0; i < 200; i++) {
		ASSERT_OK(shmfb_reader_wait(r, after, 2 * SHMFB_SEC, 0));
		view_latest(r, v);
		after = v->frame.index;
		if (v->frame.slot == slot)
			return;
		shmfb_view_release(r, v);
	}
	FAIL_AT("slot %u never came round again", slot);
}

static void test_fresh_after_release(void)
{
	const char *name = test_unique_name("wc-fresh");
	test_proc prod = spawn_producer(name, "30", "300", "0");
	shmfb_reader *r = attach(name);
	shmfb_view v, again;
	view_latest(r, &v);
	memset(v.data[0], SCRIBBLE, BYTES);
	ASSERT_OK(shmfb_view_check(r, &v));
	uint32_t slot = v.frame.slot;
	uint64_t index = v.frame.index;

	/* Held: the slot's next frame is refused, not shown through the old writes. */
	int busy = 0;
	for (uint64_t after = index; !busy && after < index + 60;) {
		ASSERT_OK(shmfb_reader_wait(r, after, 2 * SHMFB_SEC, 0));
		int rc = shmfb_reader_view_latest(r, &again);
		if (rc == SHMFB_EBUSY) {
			busy = 1;
			ASSERT_STR_CONTAINS(shmfb_errdetail(), "release it");
			break;
		}
		if (rc == 0) {
			ASSERT_NE(again.frame.slot, slot);
			after = again.frame.index;
			shmfb_view_release(r, &again);
		}
	}
	ASSERT(busy);
	shmfb_view_release(r, &v);
	ASSERT(v.data[0] == NULL);

	/* Released: the next frame in that slot is the producer's, bit-exact. */
	int fresh = 0;
	for (int tries = 0; !fresh && tries < 20; tries++) {
		view_of_slot(r, slot, index, &again);
		const uint64_t *words = (const uint64_t *)again.data[0];
		int ok = test_frame_ok(words, WORDS, again.frame.frame_number);
		if (shmfb_view_check(r, &again) == 0) {
			if (!ok)
				FAIL_AT("frame %llu in slot %u is not the producer's (word 1 is %016llx)",
					(unsigned long long)again.frame.index, slot,
					(unsigned long long)words[1]);
			fresh = 1;
		}
		index = again.frame.index;
		shmfb_view_release(r, &again);
	}
	ASSERT(fresh);
	shmfb_reader_close(r);
	test_kill(&prod);
	test_wait(&prod, 5000);
	shmfb_unlink(name); /* killed: its name stays behind */
}

/* Writes word 0 of every `every`-th page with the value it has: that page is copied. */
static void freeze_pages(uint64_t *words, uint64_t every)
{
	for (uint64_t page = 0; page < PAGES; page += every) {
		volatile uint64_t *p = &words[page * PAGE / 8];
		*p = *p;
	}
}

static void test_torn_reported(void)
{
	const char *name = test_unique_name("wc-torn");
	test_proc prod = spawn_producer(name, "0", "1000000", "0");
	shmfb_reader *r = attach(name);
	shmfb_view v;

	/* Lapped while held: reported, and the written page kept the old frame. */
	int lapped = 0;
	for (int tries = 0; !lapped && tries < 50; tries++) {
		view_latest(r, &v);
		uint64_t *words = (uint64_t *)v.data[0];
		freeze_pages(words, PAGES);      /* page 0 only */
		uint64_t frozen = words[0], index = v.frame.index;
		if (shmfb_view_check(r, &v) == 0) {
			ASSERT_EQ(frozen, v.frame.frame_number);
			while (shmfb_reader_latest_index(r) < index + 6)
				test_sleep_ms(1);
			int rc = shmfb_view_check(r, &v);
			ASSERT_EQ(rc, SHMFB_ETORN);
			ASSERT_STR_CONTAINS(shmfb_errdetail(), "overwritten");
			ASSERT_EQ(words[0], frozen);
			lapped = 1;
		}
		shmfb_view_release(r, &v);
	}
	ASSERT(lapped);

	/* Racing views: a view whose pixels are not one frame is never accepted. */
	uint64_t accepted = 0, torn = 0, end = shmfb_now_ns() + test_scale(1500, 300) * SHMFB_MS;
	while (shmfb_now_ns() < end) {
		int rc = shmfb_reader_view_latest(r, &v);
		if (rc == SHMFB_ETORN)
			continue;
		ASSERT_OK(rc);
		uint64_t *words = (uint64_t *)v.data[0];
		freeze_pages(words, 10);
		int ok = test_frame_ok(words, WORDS, v.frame.frame_number);
		rc = shmfb_view_check(r, &v);
		if (rc == 0 && !ok)
			FAIL_AT("a torn view of frame %llu was accepted",
				(unsigned long long)v.frame.frame_number);
		ASSERT(rc == 0 || rc == SHMFB_ETORN);
		accepted += rc == 0;
		torn += rc == SHMFB_ETORN;
		shmfb_view_release(r, &v);
	}
	printf("racing views: %llu accepted, %llu reported torn\n", (unsigned long long)accepted,
	       (unsigned long long)torn);
	shmfb_reader_close(r);
	test_kill(&prod);
	test_wait(&prod, 5000);
	shmfb_unlink(name); /* killed: its name stays behind */
}

static long long private_bytes(const shmfb_view *v)
{
	long long n = test_private_bytes(v->data[0], BYTES);
	ASSERT_GE(n, 0);
	return n;
}

/* Writes one byte, then another, into each `every`-th page from `first`. */
static uint64_t write_pages(uint8_t *p, uint64_t first, uint64_t every)
{
	uint64_t n = 0;
	for (uint64_t page = first; page < PAGES; page += every, n++) {
		p[page * PAGE + 17] ^= 0xff;
		p[page * PAGE + 4000] ^= 0xff;
	}
	return n;
}

static void test_memory(void)
{
	const char *name = test_unique_name("wc-mem");
	test_proc prod = spawn_producer(name, "0", "1", "20000");
	shmfb_reader *r = attach(name);
	shmfb_view v;
	view_latest(r, &v);
	ASSERT_EQ(private_bytes(&v), 0);

	uint64_t sum = 0;
	for (uint64_t i = 0; i < BYTES; i++) /* read every page */
		sum += v.data[0][i];
	ASSERT(test_frame_ok((const uint64_t *)v.data[0], WORDS, 1));
	ASSERT_EQ(private_bytes(&v), 0);

	uint64_t one = write_pages(v.data[0], 0, 100);  /* 1 % */
	ASSERT_EQ(one, 3);
	ASSERT_EQ(private_bytes(&v), one * PAGE);
	uint64_t ten = write_pages(v.data[0], 1, 10);   /* 10 %, other pages */
	ASSERT_EQ(private_bytes(&v), (one + ten) * PAGE);
	write_pages(v.data[0], 0, 100);                 /* the same pages again */
	ASSERT_EQ(private_bytes(&v), (one + ten) * PAGE);
	ASSERT_OK(shmfb_view_check(r, &v));
	shmfb_view_release(r, &v);

	view_latest(r, &v);                              /* same frame, same slot */
	ASSERT_EQ(private_bytes(&v), 0);
	ASSERT(test_frame_ok((const uint64_t *)v.data[0], WORDS, 1));
	memset(v.data[0], SCRIBBLE, BYTES);              /* 100 % */
	ASSERT_EQ(private_bytes(&v), PAGES * PAGE);
	shmfb_view_release(r, &v);
	view_latest(r, &v);
	ASSERT_EQ(private_bytes(&v), 0);
	shmfb_view_release(r, &v);
	printf("memory: %llu pages, private copies exactly the pages written (sum %llu)\n",
	       (unsigned long long)PAGES, (unsigned long long)sum);
	shmfb_reader_close(r);
	test_kill(&prod);
	test_wait(&prod, 5000);
	shmfb_unlink(name); /* killed: its name stays behind */
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	static const test_role roles[] = {
		{"producer", run_producer},
		{"scribbler", run_scribbler},
		{"checker", run_checker},
		{NULL, NULL}};
	test_run_child_role(roles);
	test_isolation();
	test_fresh_after_release();
	test_torn_reported();
	test_memory();
	printf("ok\n");
	return 0;
}
