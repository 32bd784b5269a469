/*
 * test_hostile.c - a rogue process with write access scribbles over the
 * header (live fields and write-once fields alike: latest slot out of range,
 * counters going backwards, odd sequence numbers, sizes and offsets) while a
 * real writer publishes and three readers use every reader call.  Readers
 * must report errors, never crash, never hang, never read outside the
 * mapping (run under ASan in CI).
 */
#include <stdlib.h>

#include "internal.h"
#include "test.h"
#include "util.h"

#define W 64
#define H 48
#define RUN_MS 2000

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

static int run_rogue(char **a)
{
	shmfb__seg seg;
	if (shmfb__plat_seg_open(a[0], 1, &seg) != 0)
		return 2;
	struct shmfb__header *h = seg.base;
	uint64_t s = 0x1234567 ^ shmfb_now_ns(), end = shmfb_now_ns() + RUN_MS * SHMFB_MS;
	/* relaxed stores throughout: a vandal, not a protocol; it publishes
	 * nothing, so no reader can rely on an order among its writes. */
#define SCRIBBLE(obj, v) atomic_store_explicit(obj, v, memory_order_relaxed)
	while (shmfb_now_ns() < end) {
		uint64_t v = rnd(&s);
		switch (v % 12) {
		case 0: SCRIBBLE(&h->latest, rnd(&s)); break;
		case 1: SCRIBBLE(&h->latest, SHMFB__LATEST(1, 3)); break;
		case 2: SCRIBBLE(&h->meta[v % 3].seq, rnd(&s)); break;
		case 3: SCRIBBLE(&h->meta[v % 3].index, rnd(&s) % 4); break;
		case 4: SCRIBBLE(&h->state, (uint32_t)(rnd(&s) % 5)); break;
		case 5:
			atomic_fetch_add_explicit(&h->wake, 1, memory_order_relaxed); /* relaxed: the wake syscall follows */
			shmfb__plat_wake(&seg, &h->wake);
			break;
		case 6: h->slot[v % 3].offset = rnd(&s); break;
		case 7: h->plane[0].stride = (uint32_t)rnd(&s); h->width = (uint32_t)rnd(&s); break;
		case 8: SCRIBBLE(&h->audio_written, rnd(&s) % 100000); break;
		case 9: SCRIBBLE(&h->audio_claimed, rnd(&s)); break;
		case 10: SCRIBBLE(&h->audio_clock_seq, rnd(&s)); break;
		case 11:
			atomic_fetch_add_explicit(&h->audio_wake, 1, memory_order_relaxed); /* relaxed: the wake syscall follows */
			shmfb__plat_wake(&seg, &h->audio_wake);
			break;
		}
	}
#undef SCRIBBLE
	shmfb__plat_seg_close(&seg);
	return 0;
}

static int run_reader(char **a)
{
	shmfb_reader *r = NULL;
	for (int i = 0; i < 500 && shmfb_open(a[0], &r) != 0; i++)
		test_sleep_ms(10);
	if (!r)
		return 2;
	static uint8_t buf[W * H * 4];
	int16_t pcm[2 * 512];
	uint64_t calls = 0, errors = 0, corrupt = 0, seed = (uint64_t)test_proc_self_pid();
	uint64_t end = shmfb_now_ns() + (uint64_t)test_scale(RUN_MS + 300, RUN_MS + 4000) * SHMFB_MS;
	while (shmfb_now_ns() < end) {
		shmfb_frame f;
		int rc = shmfb_reader_copy_latest(r, buf, sizeof buf, &f);
		errors += rc < 0;
		corrupt += rc == SHMFB_EBADSTATE || rc == SHMFB_EBACKWARDS;
		if (shmfb_reader_latest(r, &f) == 0) {
			volatile uint8_t sink = 0;
			for (uint64_t i = 0; i < f.bytes; i += 61)
				sink ^= f.data[0][i];
			(void)sink;
			(void)shmfb_frame_valid(r, &f);
		}
		for (uint32_t s = 0; s < 4; s++)
			(void)shmfb_reader_slot(r, s, &f);
		(void)shmfb_reader_wait(r, rnd(&seed) % 8, 2 * SHMFB_MS, 0);
		(void)shmfb_reader_status(r);
		shmfb_audio_block b;
		rc = shmfb_audio_read(r, pcm, 512, &b);
		corrupt += rc == SHMFB_EBACKWARDS;
		(void)shmfb_audio_wait(r, SHMFB_MS, 0);
		uint64_t pos, ns;
		(void)shmfb_audio_clock(r, &pos, &ns);
		calls++;
	}
	fprintf(stderr, "reader: %llu rounds, %llu copy errors, %llu corruption reports\n",
		(unsigned long long)calls, (unsigned long long)errors, (unsigned long long)corrupt);
	shmfb_reader_close(r);
	return corrupt > 0 ? 0 : 1; /* the vandalism must have been noticed */
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	static const test_role roles[] = {{"rogue", run_rogue}, {"reader", run_reader}, {NULL, NULL}};
	test_run_child_role(roles);

	const char *name = test_unique_name("hostile");
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	o.audio_rate = 8000;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	static uint8_t frame[W * H * 4];
	test_proc rogue, readers[3];
	const char *args[] = {name, NULL};
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(test_spawn_self(&readers[i], "reader", args), 0);
	test_sleep_ms(test_scale(100, 3000)); /* readers open the intact mapping first */
	ASSERT_EQ(test_spawn_self(&rogue, "rogue", args), 0);
	int16_t pcm[2 * 80] = {0};
	uint64_t end = shmfb_now_ns() + (RUN_MS + 300) * SHMFB_MS;
	for (uint64_t n = 0; shmfb_now_ns() < end; n++) {
		ASSERT_OK(shmfb_writer_publish_copy(w, frame, sizeof frame, n, 0));
		ASSERT_OK(shmfb_writer_audio_write(w, pcm, 80, 0));
		test_sleep_ms(1);
	}
	ASSERT_EQ(test_wait(&rogue, 10000), 0);
	for (int i = 0; i < 3; i++) {
		int code = test_wait(&readers[i], 20000);
		if (code != 0) {
			test_kill(&readers[i]);
			FAIL_AT("reader %d exited %d (-1: hung)", i, code);
		}
	}
	shmfb_writer_close(w);
	return 0;
}
