/*
 * test_rw.c - writer and reader through the public API: publishing, the
 * slot rotation, zero-copy and copying reads, close, keep, names that
 * exist, zero size, and that a reader cannot write the mapping.
 */
#include "shmfb.h"
#include "test.h"
#include "util.h"

#define W 32
#define H 8
#define BYTES (W * H * 4)

static shmfb_writer *make(const char *name, uint32_t flags)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	o.flags = flags;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	return w;
}

static void fill(uint8_t *p, uint8_t v)
{
	memset(p, v, BYTES);
}

/* The slot rule: never write the latest nor the one published before it. */
static void check_rotation(shmfb_writer *w, shmfb_reader *r)
{
	uint32_t prev = 99, latest = 99;
	for (int n = 0; n < 10; n++) {
		shmfb_planes p;
		shmfb_writer_acquire(w, &p);
		ASSERT_EQ(p.plane_count, 1);
		ASSERT_EQ(p.stride[0], W * 4);
		/* Page alignment of every slot. */
		ASSERT_EQ((uintptr_t)p.data[0] % 4096, 0);
		fill(p.data[0], (uint8_t)n);
		shmfb_writer_publish(w, 100 + n, 1000 + n);
		shmfb_frame f;
		ASSERT_OK(shmfb_reader_latest(r, &f));
		ASSERT_NE(f.slot, latest);
		ASSERT_NE(f.slot, prev);
		ASSERT_EQ(f.frame_number, 100 + n);
		ASSERT_EQ(f.pts_ns, 1000 + n);
		ASSERT_EQ(f.data[0][BYTES - 1], n);
		ASSERT(shmfb_frame_valid(r, &f));
		prev = latest;
		latest = f.slot;
	}
}

/* Zero-copy: a frame read while the writer rewrites its slot is rejected. */
static void check_torn_detection(shmfb_writer *w, shmfb_reader *r)
{
	shmfb_frame f;
	ASSERT_OK(shmfb_reader_latest(r, &f));
	for (int i = 0; i < 2; i++) { /* two publishes: the third acquire takes f's slot */
		shmfb_planes p;
		shmfb_writer_acquire(w, &p);
		shmfb_writer_publish(w, 0, 0);
	}
	ASSERT(shmfb_frame_valid(r, &f));
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	ASSERT(!shmfb_frame_valid(r, &f));
	shmfb_writer_publish(w, 7, 7);
	ASSERT(!shmfb_frame_valid(r, &f));
}

static void check_copy(shmfb_writer *w, shmfb_reader *r)
{
	uint8_t src[BYTES], dst[BYTES];
	for (int i = 0; i < BYTES; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	ASSERT_OK(shmfb_writer_publish_copy(w, src, sizeof src, 555, 1));
	ASSERT_EQ(shmfb_writer_publish_copy(w, src, sizeof src - 1, 556, 1), SHMFB_EINVAL);
	shmfb_frame f;
	ASSERT_OK(shmfb_reader_copy_latest(r, dst, sizeof dst, &f));
	ASSERT_EQ(memcmp(src, dst, BYTES), 0);
	ASSERT_EQ(f.frame_number, 555);
	ASSERT(f.data[0] == dst);
	ASSERT_EQ(f.index, shmfb_writer_published(w));
	ASSERT_EQ(shmfb_reader_latest_index(r), shmfb_writer_published(w));
	ASSERT_GT(f.publish_ns, 0);
	ASSERT_LE(f.publish_ns, shmfb_now_ns());
}

static int child_write(char **args)
{
	shmfb_reader *r;
	if (shmfb_open(args[0], &r) != 0)
		return 3;
	shmfb_frame f;
	if (shmfb_reader_latest(r, &f) != 0)
		return 4;
	*(volatile uint8_t *)f.data[0] = 1; /* must fault: the mapping is read-only */
	return 0;
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (test_child_role())
		return child_write(test_child_args());

	const char *name = test_unique_name("rw");
	shmfb_writer *w = make(name, 0);
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(name, &r));
	const shmfb_info *in = shmfb_reader_info(r);
	ASSERT_EQ(in->width, W);
	ASSERT_EQ(in->height, H);
	ASSERT_EQ(in->format, SHMFB_FMT_RGBA8);
	ASSERT_EQ(in->slot_count, 3);
	ASSERT_EQ(in->total_size, 4096 + 3 * 4096);
	ASSERT_EQ(in->producer_pid, test_proc_self_pid());
	ASSERT_EQ(in->generation, shmfb_writer_generation(w));
	ASSERT(!strcmp(in->name, name));

	shmfb_frame f;
	ASSERT_EQ(shmfb_reader_latest(r, &f), SHMFB_ENOFRAME);
	uint8_t dst[BYTES];
	ASSERT_EQ(shmfb_reader_copy_latest(r, dst, sizeof dst, &f), SHMFB_ENOFRAME);
	ASSERT_EQ(shmfb_reader_wait(r, 0, 20 * SHMFB_MS, 0), SHMFB_ETIMEDOUT);
	ASSERT_EQ(shmfb_reader_status(r), 0);

	check_rotation(w, r);
	check_torn_detection(w, r);
	check_copy(w, r);

	/* A reader cannot write: the child's store faults. */
	test_proc p;
	const char *args[] = {name, NULL};
	ASSERT_EQ(test_spawn_self(&p, "write", args), 0);
	int code = test_wait(&p, 10000);
	ASSERT_NE(code, 0);
	ASSERT_NE(code, 3);
	ASSERT_NE(code, 4);
	ASSERT_NE(code, -1);

	/* An existing name, live producer: refused, naming the pid. */
	shmfb_writer *w2;
	ASSERT_EQ(shmfb_create(name, NULL, &w2), SHMFB_EEXIST);
	char pid[32];
	snprintf(pid, sizeof pid, "pid %u", test_proc_self_pid());
	ASSERT_STR_CONTAINS(shmfb_errdetail(), pid);

	/* Zero size: refused before anything is created. */
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 0;
	ASSERT_EQ(shmfb_create(test_unique_name("zero"), &o, &w2), SHMFB_EZEROSIZE);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "0x720");

	/* A producer silent past its heartbeat timeout is stale until it speaks again. */
	{
		const char *hn = test_unique_name("hb");
		shmfb_writer_options ho;
		shmfb_writer_options_init(&ho);
		ho.width = 16;
		ho.height = 16;
		ho.heartbeat_timeout_ms = 100;
		shmfb_writer *hw;
		shmfb_reader *hr;
		ASSERT_OK(shmfb_create(hn, &ho, &hw));
		ASSERT_OK(shmfb_open(hn, &hr));
		ASSERT_EQ(shmfb_reader_info(hr)->heartbeat_timeout_ms, 100);
		ASSERT_EQ(shmfb_reader_status(hr), 0);
		test_sleep_ms(250);
		ASSERT_EQ(shmfb_reader_status(hr), SHMFB_ESTALE);
		ASSERT_STR_CONTAINS(shmfb_errdetail(), "silent for");
		shmfb_writer_heartbeat(hw);
		ASSERT_EQ(shmfb_reader_status(hr), 0);
		shmfb_reader_close(hr);
		ASSERT_OK(shmfb_writer_close(hw));
	}

	/* Close: readers see it, the name is gone. */
	ASSERT_OK(shmfb_writer_close(w));
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_ECLOSED);
	ASSERT_EQ(shmfb_reader_wait(r, shmfb_reader_latest_index(r), SHMFB_SEC, 0), SHMFB_ECLOSED);
	ASSERT_OK(shmfb_reader_copy_latest(r, dst, sizeof dst, &f)); /* the last frame stays readable */
	shmfb_reader_close(r);
	ASSERT_EQ(shmfb_open(name, &r), SHMFB_ENOENT);

	/* Keep: the name outlives the writer, and a new producer takes it over. */
	if (!test_names_persist())
		return 0; /* Windows: a name goes with its last handle, KEEP or not */
	w = make(name, SHMFB_CREATE_KEEP);
	uint64_t gen = shmfb_writer_generation(w);
	ASSERT_OK(shmfb_writer_close(w));
	ASSERT_OK(shmfb_open(name, &r));
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_ECLOSED);
	shmfb_reader_close(r);
	w = make(name, 0);
	ASSERT_NE(shmfb_writer_generation(w), gen);
	ASSERT_OK(shmfb_writer_close(w));
	ASSERT_EQ(shmfb_unlink(name), SHMFB_ENOENT);
	return 0;
}
