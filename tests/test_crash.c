/*
 * test_crash.c - producers die by SIGKILL at random moments, mid-frame
 * included, 200 times, while readers run.  Readers must never accept a torn
 * frame, must notice the producer is gone within a second, and must
 * reattach to the next producer, which takes over the stale name without
 * the replace flag.  Then the other way round: readers are killed and the
 * producer does not notice.
 */
#include <stdlib.h>

#include "shmfb.h"
#include "frames.h"
#include "test.h"
#include "util.h"

#define W 160
#define H 120
#define WORDS (W * H * 4 / 8)
#define KILLS test_scale(200, 20)

/*
 * shmfb_create of a name whose producer was just killed.  Windows: the name
 * is free once the readers have seen the death and let go of the old mapping.
 */
static int create_after_death(const char *name, const shmfb_writer_options *o, shmfb_writer **w)
{
	int rc = shmfb_create(name, o, w);
	for (int i = 0; rc == SHMFB_EEXIST && !test_names_persist() && i < 300; i++) {
		test_sleep_ms(10);
		rc = shmfb_create(name, o, w);
	}
	return rc;
}

/* Publishes as fast as it can until killed. */
static int run_producer(char **a)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	shmfb_writer *w;
	int rc = create_after_death(a[0], &o, &w);
	if (rc != 0) {
		fprintf(stderr, "producer: %s\n", shmfb_errdetail());
		return 1;
	}
	for (uint64_t n = 1;; n++) {
		shmfb_planes p;
		shmfb_writer_acquire(w, &p);
		test_frame_fill((uint64_t *)p.data[0], WORDS, n);
		shmfb_writer_publish(w, n, shmfb_now_ns());
	}
}

static int run_reader(char **a)
{
	const char *name = a[0];
	uint64_t *buf = malloc(W * H * 4);
	uint64_t generations = 0, frames = 0, worst_notice = 0;
	shmfb_reader *r = NULL;
	uint64_t last_gen = 0, deadline = shmfb_now_ns() + 120 * SHMFB_SEC;
	while (shmfb_now_ns() < deadline) {
		if (!r) {
			if (shmfb_open(name, &r) != 0) {
				test_sleep_ms(2);
				continue;
			}
			if (shmfb_reader_info(r)->generation == last_gen) { /* the dead one, still named */
				shmfb_reader_close(r);
				r = NULL;
				test_sleep_ms(2);
				continue;
			}
			last_gen = shmfb_reader_info(r)->generation;
			generations++;
		}
		uint64_t last_publish = 0, seen = 0;
		for (;;) {
			int rc = shmfb_reader_wait(r, seen, 100 * SHMFB_MS, 0);
			if (rc == 0) {
				shmfb_frame f;
				if (shmfb_reader_copy_latest(r, buf, W * H * 4, &f) == 0) {
					if (!test_frame_ok(buf, WORDS, f.frame_number)) {
						fprintf(stderr, "reader: torn frame %llu accepted\n",
							(unsigned long long)f.frame_number);
						return 1;
					}
					frames++;
					seen = f.index;
					last_publish = f.publish_ns;
				}
				continue;
			}
			int st = shmfb_reader_status(r);
			if (st == SHMFB_ECLOSED) {
				fprintf(stderr, "reader: %llu generations, %llu frames, producer death noticed within %.0f ms at worst\n",
					(unsigned long long)generations, (unsigned long long)frames,
					(double)worst_notice / 1e6);
				free(buf);
				shmfb_reader_close(r);
				return generations >= (uint64_t)KILLS / 10 ? 0 : 1;
			}
			if (st == 0)
				continue; /* alive, just quiet */
			if (last_publish) {
				uint64_t notice = shmfb_now_ns() - last_publish;
				if (notice > worst_notice)
					worst_notice = notice;
				if (notice > SHMFB_SEC) {
					fprintf(stderr, "reader: took %.0f ms to notice (%s)\n", (double)notice / 1e6,
						shmfb_errdetail());
					return 1;
				}
			}
			break;
		}
		shmfb_reader_close(r);
		r = NULL;
	}
	fprintf(stderr, "reader: never saw the final close\n");
	return 1;
}

/*
 * Waits until a producer of a generation other than *gen has published, so
 * every kill hits a live producer however slowly processes start (Wine,
 * valgrind).  0 when it never does.
 */
static int wait_until_publishing(const char *name, uint64_t *gen)
{
	for (int i = 0; i < 5000; i++, test_sleep_ms(1)) {
		shmfb_reader *r;
		if (shmfb_open(name, &r) != 0)
			continue;
		uint64_t g = shmfb_reader_info(r)->generation;
		int live = g != *gen && shmfb_reader_latest_index(r) > 0;
		shmfb_reader_close(r);
		if (live) {
			*gen = g;
			return 1;
		}
	}
	return 0;
}

static void kill_producers(const char *name)
{
	uint64_t seed = 88172645463325252ull, gen = 0;
	for (int i = 0; i < KILLS; i++) {
		test_proc p;
		const char *args[] = {name, NULL};
		ASSERT_EQ(test_spawn_self(&p, "producer", args), 0);
		if (!wait_until_publishing(name, &gen)) {
			test_kill(&p);
			FAIL_AT("producer %d never published (exit %d)", i, test_wait(&p, 5000));
		}
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		test_sleep_ms(5 + (int)(seed % 40));
		test_kill(&p);
		int code = test_wait(&p, 5000);
		if (code == 1)
			FAIL_AT("producer %d could not take over the stale name", i);
	}
}

/* Publishes 50 frames 2 ms apart; returns how long that took. */
static uint64_t publish_block(shmfb_writer *w, uint64_t *n)
{
	static uint8_t frame[W * H * 4];
	uint64_t start = shmfb_now_ns();
	for (int j = 0; j < 50; j++, (*n)++) {
		test_frame_fill((uint64_t *)frame, WORDS, *n);
		ASSERT_OK(shmfb_writer_publish_copy(w, frame, sizeof frame, *n, 0));
		test_sleep_ms(2);
	}
	return shmfb_now_ns() - start;
}

/*
 * Readers killed while a producer publishes every 2 ms: it keeps its pace.
 * The pace with readers coming and dying is compared with its pace alone,
 * measured the same way in the same run.
 */
static void kill_readers(void)
{
	const char *name = test_unique_name("crash-r");
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	test_proc readers[4];
	const char *args[] = {name, NULL};
	uint64_t n = 0, alone = 0, busy = 0;
	for (int k = 0; k < 3; k++)
		alone += publish_block(w, &n);
	for (int k = 0; k < 10; k++) {
		for (int i = 0; i < 4; i++)
			ASSERT_EQ(test_spawn_self(&readers[i], "reader", args), 0);
		busy += publish_block(w, &n);
		for (int i = 0; i < 4; i++) {
			test_kill(&readers[i]);
			test_wait(&readers[i], 5000);
		}
	}
	double per_alone = (double)alone / 3 / 1e6, per_busy = (double)busy / 10 / 1e6;
	fprintf(stderr, "producer: 50 frames in %.1f ms alone, %.1f ms while 40 readers came and were killed\n",
		per_alone, per_busy);
	ASSERT_EQ(shmfb_writer_published(w), n);
	/* Generous: the spawned readers share the CPUs, but nothing of theirs may block it. */
	ASSERT_LT(per_busy, 3 * per_alone + 50);
	ASSERT_OK(shmfb_writer_close(w));
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	static const test_role roles[] = {
		{"producer", run_producer}, {"reader", run_reader}, {NULL, NULL}};
	test_run_child_role(roles);

	const char *name = test_unique_name("crash");
	test_proc readers[2];
	const char *args[] = {name, NULL};
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(test_spawn_self(&readers[i], "reader", args), 0);
	kill_producers(name);
	/* A last producer that closes properly tells the readers to finish; it
	 * keeps the name so a reader that attaches late still sees it closed. */
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	o.flags = SHMFB_CREATE_KEEP;
	shmfb_writer *w;
	ASSERT_OK(create_after_death(name, &o, &w));
	static uint8_t frame[W * H * 4];
	for (int i = 0; i < 20; i++) {
		test_frame_fill((uint64_t *)frame, WORDS, 1000000 + i);
		ASSERT_OK(shmfb_writer_publish_copy(w, frame, sizeof frame, 1000000 + i, 0));
		test_sleep_ms(10);
	}
	ASSERT_OK(shmfb_writer_close(w));
	for (int i = 0; i < 2; i++) {
		int code = test_wait(&readers[i], 30000);
		if (code != 0) {
			test_kill(&readers[i]);
			FAIL_AT("reader %d exited %d", i, code);
		}
	}
	if (test_names_persist()) /* Windows: the name went with the last process */
		ASSERT_OK(shmfb_unlink(name));
	kill_readers();
	return 0;
}
