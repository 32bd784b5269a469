/*
 * test_audio.c - the audio ring.  Samples carry their own position (a ramp
 * split over two channels), so a reader can check that every frame arrives
 * once and in order, and that what an overrun reports lost is exactly what
 * is missing.
 */
#include <stdlib.h>

#include "internal.h"
#include "ready.h"
#include "test.h"
#include "util.h"

/* Frame p of the ramp: channel 0 low 16 bits, channel 1 high 16 bits. */
static void ramp(int16_t *out, uint64_t pos, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		out[2 * i] = (int16_t)(uint16_t)((pos + i) & 0xffff);
		out[2 * i + 1] = (int16_t)(uint16_t)(((pos + i) >> 16) & 0xffff);
	}
}

static uint64_t pos_of(const int16_t *frame)
{
	return (uint64_t)(uint16_t)frame[0] | (uint64_t)(uint16_t)frame[1] << 16;
}

static shmfb_writer *audio_writer(const char *name, uint32_t rate, uint32_t cap_ms)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 16;
	o.height = 16;
	o.audio_rate = rate;
	o.audio_channels = 2;
	o.audio_format = SHMFB_SAMPLE_S16;
	o.audio_capacity_ms = cap_ms;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	return w;
}

static void single_process(void)
{
	const char *name = test_unique_name("audio");
	shmfb_writer *w = audio_writer(name, 8000, 50); /* 400 frames */
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(name, &r));
	const shmfb_info *in = shmfb_reader_info(r);
	ASSERT_EQ(in->audio_rate, 8000);
	ASSERT_EQ(in->audio_channels, 2);
	ASSERT_EQ(in->audio_capacity, 400);
	ASSERT_EQ(in->audio_frame_bytes, 4);
	ASSERT_EQ(in->audio_offset % 4096, 0);

	int16_t blk[2 * 400], got[2 * 400];
	shmfb_audio_block b;
	uint64_t pos = 0, ppos, pns;
	ASSERT_EQ(shmfb_audio_read(r, got, 400, &b), 0);
	ASSERT_EQ(shmfb_audio_clock(r, &ppos, &pns), SHMFB_ENOFRAME);
	ASSERT_EQ(shmfb_audio_wait(r, 10 * SHMFB_MS, 0), SHMFB_ETIMEDOUT);
	/* Odd block sizes so every wrap point is crossed. */
	for (int i = 0; i < 500; i++) {
		uint32_t n = 1 + (uint32_t)(i * 37 % 97);
		ramp(blk, pos, n);
		ASSERT_OK(shmfb_writer_audio_write(w, blk, n, 1000 + pos));
		ASSERT_OK(shmfb_audio_wait(r, 0, 0));
		ASSERT_EQ(shmfb_audio_available(r), n);
		ASSERT_EQ(shmfb_audio_read(r, got, 400, &b), (int)n);
		ASSERT_EQ(b.position, pos);
		ASSERT_EQ(b.lost, 0);
		for (uint32_t k = 0; k < n; k++)
			ASSERT_EQ(pos_of(got + 2 * k), pos + k);
		ASSERT_OK(shmfb_audio_clock(r, &ppos, &pns));
		ASSERT_EQ(ppos, pos);
		ASSERT_EQ(pns, 1000 + pos);
		pos += n;
	}
	ASSERT_EQ(shmfb_writer_audio_written(w), pos);

	/* A reader that stops reading for more than the capacity: told exactly. */
	for (int i = 0; i < 3; i++) {
		ramp(blk, pos, 300);
		ASSERT_OK(shmfb_writer_audio_write(w, blk, 300, 0));
		pos += 300;
	}
	ASSERT_EQ(shmfb_audio_read(r, got, 400, &b), 0);
	ASSERT_EQ(b.lost, 900);
	ASSERT_EQ(b.position, pos);
	ramp(blk, pos, 10);
	ASSERT_OK(shmfb_writer_audio_write(w, blk, 10, 0));
	ASSERT_EQ(shmfb_audio_read(r, got, 400, &b), 10);
	ASSERT_EQ(pos_of(got), pos);
	pos += 10;

	/* Lapped during the copy: the writer's claim runs past what was copied. */
	ramp(blk, pos, 20);
	ASSERT_OK(shmfb_writer_audio_write(w, blk, 20, 0));
	/* relaxed: writer and reader are this one thread; simulates a writer mid-copy. */
	atomic_store_explicit(&w->hdr->audio_claimed, pos + 20 + 400, memory_order_relaxed);
	ASSERT_EQ(shmfb_audio_read(r, got, 400, &b), 0);
	ASSERT_EQ(b.lost, 20);
	pos += 20;
	atomic_store_explicit(&w->hdr->audio_claimed, pos, memory_order_relaxed); /* relaxed: one thread */

	/* Bad calls. */
	ASSERT_EQ(shmfb_writer_audio_write(w, blk, 401, 0), SHMFB_EINVAL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "holds 400");
	shmfb_reader_close(r);
	ASSERT_OK(shmfb_writer_close(w));

	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.audio_rate = 4000;
	ASSERT_EQ(shmfb_create(test_unique_name("audio"), &o, &w), SHMFB_EINVAL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "4000 Hz");
	o.audio_rate = 48000;
	o.audio_channels = 9;
	ASSERT_EQ(shmfb_create(test_unique_name("audio"), &o, &w), SHMFB_EINVAL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "channels 9");
	o.audio_channels = 2;
	o.audio_format = 7;
	ASSERT_EQ(shmfb_create(test_unique_name("audio"), &o, &w), SHMFB_EINVAL);

	/* Video-only mappings refuse audio calls. */
	name = test_unique_name("audio");
	o.audio_rate = 0;
	ASSERT_OK(shmfb_create(name, &o, &w));
	ASSERT_OK(shmfb_open(name, &r));
	ASSERT_EQ(shmfb_writer_audio_write(w, blk, 1, 0), SHMFB_ENOAUDIO);
	ASSERT_EQ(shmfb_audio_read(r, got, 1, &b), SHMFB_ENOAUDIO);
	ASSERT_EQ(shmfb_audio_wait(r, 0, 0), SHMFB_ENOAUDIO);
	shmfb_reader_close(r);
	ASSERT_OK(shmfb_writer_close(w));
}

#define RATE 48000
#define BLOCK 480   /* 10 ms */
#define BLOCKS test_scale(1500, 150) /* 15 s of audio, written at 5x speed */

/* a: name readers dir */
static int run_writer(char **a)
{
	shmfb_writer *w = audio_writer(a[0], RATE, 200);
	int16_t blk[2 * BLOCK];
	if (test_wait_ready(a[2], a[0], atoi(a[1])) < 0)
		return 1;
	for (uint64_t i = 0; i < (uint64_t)BLOCKS; i++) {
		ramp(blk, i * BLOCK, BLOCK);
		if (shmfb_writer_audio_write(w, blk, BLOCK, shmfb_now_ns()) != 0)
			return 1;
		test_sleep_ms(2);
	}
	test_sleep_ms(200);
	shmfb_writer_close(w);
	return 0;
}

/* mode: fast (reads as soon as woken), slow (naps 20 ms: within capacity),
 * stall (naps 400 ms once, past the capacity: must report the loss). */
/* a: name mode index dir */
static int run_reader(char **a)
{
	const char *mode = a[1];
	shmfb_reader *r = NULL;
	for (int i = 0; i < 500 && shmfb_open(a[0], &r) != 0; i++)
		test_sleep_ms(10);
	if (!r)
		return 2;
	test_say_ready(a[3], a[0], atoi(a[2]));
	int16_t *buf = malloc(2 * 2 * 9600);
	uint64_t expect = 0, got = 0, lost = 0, overruns = 0;
	int stalled = 0;
	for (;;) {
		int rc = shmfb_audio_wait(r, 2 * SHMFB_SEC, 0);
		if (rc == SHMFB_ECLOSED && shmfb_audio_available(r) == 0)
			break;
		if (rc == SHMFB_ETIMEDOUT) {
			fprintf(stderr, "%s: no audio for 2 s\n", mode);
			return 1;
		}
		if (!strcmp(mode, "slow"))
			test_sleep_ms(20);
		if (!strcmp(mode, "stall") && !stalled && expect > RATE) {
			test_sleep_ms(400);
			stalled = 1;
		}
		shmfb_audio_block b;
		int n = shmfb_audio_read(r, buf, 9600, &b);
		if (n < 0)
			return 3;
		if (b.lost) {
			if (b.position != expect + b.lost) {
				fprintf(stderr, "%s: lost %llu but jumped from %llu to %llu\n", mode,
					(unsigned long long)b.lost, (unsigned long long)expect,
					(unsigned long long)b.position);
				return 1;
			}
			lost += b.lost;
			overruns++;
			expect = b.position;
		}
		for (int k = 0; k < n; k++) {
			if (pos_of(buf + 2 * k) != expect) {
				fprintf(stderr, "%s: frame %llu holds %llu\n", mode, (unsigned long long)expect,
					(unsigned long long)pos_of(buf + 2 * k));
				return 1;
			}
			expect++;
		}
		got += (uint64_t)n;
	}
	fprintf(stderr, "%s reader: %llu frames in order, %llu lost in %llu overruns\n", mode,
		(unsigned long long)got, (unsigned long long)lost, (unsigned long long)overruns);
	free(buf);
	shmfb_reader_close(r);
	if (expect != (uint64_t)BLOCKS * BLOCK)
		return 1;
	if (!strcmp(mode, "stall"))
		return overruns >= 1 && lost > 0 ? 0 : 1;
	return lost == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	static const test_role roles[] = {{"writer", run_writer}, {"reader", run_reader}, {NULL, NULL}};
	test_run_child_role(roles);
	single_process();

	const char *name = test_unique_name("audio-procs");
	test_proc wp, rp[3];
	const char *wargs[] = {name, "3", test_tmpdir(), NULL};
	ASSERT_EQ(test_spawn_self(&wp, "writer", wargs), 0);
	const char *modes[] = {"fast", "slow", "stall"}, *index[] = {"0", "1", "2"};
	for (int i = 0; i < 3; i++) {
		const char *args[] = {name, modes[i], index[i], test_tmpdir(), NULL};
		ASSERT_EQ(test_spawn_self(&rp[i], "reader", args), 0);
	}
	ASSERT_EQ(test_wait(&wp, 60000), 0);
	for (int i = 0; i < 3; i++) {
		int code = test_wait(&rp[i], 30000);
		if (code != 0)
			FAIL_AT("%s reader exited %d", modes[i], code);
	}
	return 0;
}
