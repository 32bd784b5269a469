/*
 * test_live_posix.c - readers against hostile live fields, and the rules of
 * opening (issue 11, points 1-4, 6, 10, 11).
 *
 * The hostile mappings are made by a rogue writer built only from the
 * offsets in docs/FORMAT.md (typed in below, not taken from layout.h), and
 * read by the real programs: shmfb cat, shmfb info, shmfb-viewer.  Each
 * program runs as a child whose wall time, CPU time and memory are measured
 * with wait4.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shmfb.h"
#include "test.h"
#include "util.h"

/* ------------------------------------------------- docs/FORMAT.md offsets */

enum {
	OFF_VERSION = 8, OFF_HEADER_SIZE = 12, OFF_TOTAL_SIZE = 16, OFF_SLOT_COUNT = 24,
	OFF_SLOT = 32, /* + 16 i: offset u64, size u64 */
	OFF_WIDTH = 80, OFF_HEIGHT = 84, OFF_PIXEL_FORMAT = 88, OFF_PLANE_COUNT = 92,
	OFF_PLANE = 96, /* + 8 i: offset u32, stride u32 */
	OFF_FRAME_BYTES = 128, OFF_PRODUCER_PID = 144, OFF_HEARTBEAT_TIMEOUT = 148,
	OFF_GENERATION = 152, OFF_AUDIO_OFFSET = 168, OFF_AUDIO_SIZE = 176, OFF_AUDIO_RATE = 184,
	OFF_AUDIO_CHANNELS = 188, OFF_AUDIO_FORMAT = 192, OFF_AUDIO_CAPACITY = 196,
	OFF_STATE = 256, OFF_WAKE = 260, OFF_LATEST = 264, OFF_HEARTBEAT_NS = 272,
	OFF_META = 320, /* + 64 i */
	META_SEQ = 0, META_INDEX = 8, META_FRAME_NUMBER = 16, META_BYTES_USED = 40,
	OFF_AUDIO_WRITTEN = 512, OFF_AUDIO_CLAIMED = 520, OFF_AUDIO_WAKE = 528,
	OFF_NAME = 768,
};
static const uint8_t MAGIC[8] = {0x53, 0x48, 0x4d, 0x46, 0x42, 0x0d, 0x0a, 0x1a};

/* The rogue's mapping: 64x48 rgba (format 1), three slots, an audio ring. */
#define RW 64
#define RH 48
#define FRAME (RW * RH * 4)               /* 12288: three pages */
#define SLOT_AT(i) (4096 + (i) * FRAME)
#define AUDIO_AT SLOT_AT(3)
#define TOTAL (AUDIO_AT + 4096)
#define AUDIO_CAPACITY 1000               /* 2 channels of s16: 4000 bytes */

static void put32(uint8_t *m, size_t off, uint32_t v) { memcpy(m + off, &v, 4); }
static void put64(uint8_t *m, size_t off, uint64_t v) { memcpy(m + off, &v, 8); }

/* A live field, stored as a writer stores it. */
static void live64(uint8_t *m, size_t off, uint64_t v)
{
	/* release: whatever the rogue wrote before is visible to a reader that sees this. */
	atomic_store_explicit((_Atomic uint64_t *)(m + off), v, memory_order_release);
}

static void live32(uint8_t *m, size_t off, uint32_t v)
{
	/* release: as live64. */
	atomic_store_explicit((_Atomic uint32_t *)(m + off), v, memory_order_release);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void bump(uint8_t *m, size_t off)
{
	/* release: the live fields stored before the bump are seen by a reader it wakes. */
	atomic_fetch_add_explicit((_Atomic uint32_t *)(m + off), 1, memory_order_release);
	syscall(SYS_futex, (uint32_t *)(m + off), FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

/* The write-once fields of a valid version 2 mapping, state still 0. */
static void write_header(uint8_t *m, uint32_t heartbeat_timeout_ms)
{
	memcpy(m, MAGIC, 8);
	put32(m, OFF_VERSION, 2);
	put32(m, OFF_HEADER_SIZE, 4096);
	put64(m, OFF_TOTAL_SIZE, TOTAL);
	put32(m, OFF_SLOT_COUNT, 3);
	for (int i = 0; i < 3; i++) {
		put64(m, OFF_SLOT + 16 * i, SLOT_AT(i));
		put64(m, OFF_SLOT + 16 * i + 8, FRAME);
	}
	put32(m, OFF_WIDTH, RW);
	put32(m, OFF_HEIGHT, RH);
	put32(m, OFF_PIXEL_FORMAT, 1);
	put32(m, OFF_PLANE_COUNT, 1);
	put32(m, OFF_PLANE + 4, RW * 4);
	put64(m, OFF_FRAME_BYTES, FRAME);
	put32(m, OFF_PRODUCER_PID, (uint32_t)getpid());
	put32(m, OFF_HEARTBEAT_TIMEOUT, heartbeat_timeout_ms);
	put64(m, OFF_GENERATION, 0x5eed);
	put64(m, OFF_AUDIO_OFFSET, AUDIO_AT);
	put64(m, OFF_AUDIO_SIZE, 4096);
	put32(m, OFF_AUDIO_RATE, 48000);
	put32(m, OFF_AUDIO_CHANNELS, 2);
	put32(m, OFF_AUDIO_FORMAT, 1);
	put32(m, OFF_AUDIO_CAPACITY, AUDIO_CAPACITY);
	strcpy((char *)m + OFF_NAME, "rogue");
}

/* A frame published the documented way: seq odd, pixels, metadata, seq even, latest, wake. */
static void publish(uint8_t *m, uint32_t slot, uint64_t index)
{
	size_t meta = OFF_META + 64 * slot;
	/* relaxed: the rogue is the only writer of its own seq. */
	uint64_t seq = atomic_load_explicit((_Atomic uint64_t *)(m + meta + META_SEQ), memory_order_relaxed);
	live64(m, meta + META_SEQ, seq | 1);
	memset(m + SLOT_AT(slot), (int)(index & 0xff), FRAME);
	live64(m, meta + META_INDEX, index);
	live64(m, meta + META_FRAME_NUMBER, index);
	live64(m, meta + META_BYTES_USED, FRAME);
	live64(m, meta + META_SEQ, (seq | 1) + 1);
	live64(m, OFF_LATEST, index << 2 | slot);
	live64(m, OFF_HEARTBEAT_NS, now_ns());
	bump(m, OFF_WAKE);
}

typedef enum scenario {
	GOOD,         /* frame 1 published, then heartbeats */
	STUCK_ODD,    /* latest names slot 0, whose seq stays odd */
	STUCK_INDEX,  /* latest names frame 1 in slot 0, which holds frame 7 */
	BACKWARDS,    /* frames 3, 4, then 2 */
	STALE,        /* frame 1, then silence past a 300 ms heartbeat timeout */
	STATE3,       /* state word 3 */
	LATEST_SLOT3, /* latest: frame 3 in slot 3 */
	LATEST_ZERO,  /* latest: frame 0 in slot 2 */
	CLAIM_BELOW,  /* audio_claimed 500 below audio_written 1000 */
	AUDIO_BACK,   /* audio_written 2000, then 1000 */
} scenario;

static void rogue_setup(uint8_t *m, scenario sc)
{
	switch (sc) {
	case STUCK_ODD:
		live64(m, OFF_META + META_SEQ, 1);
		live64(m, OFF_META + META_INDEX, 1);
		live64(m, OFF_LATEST, 1 << 2 | 0);
		break;
	case STUCK_INDEX:
		live64(m, OFF_META + META_SEQ, 2);
		live64(m, OFF_META + META_INDEX, 7);
		live64(m, OFF_LATEST, 1 << 2 | 0);
		break;
	case STATE3: publish(m, 0, 1); live32(m, OFF_STATE, 3); break;
	case LATEST_SLOT3: publish(m, 0, 1); live64(m, OFF_LATEST, 3 << 2 | 3); break;
	case LATEST_ZERO: publish(m, 0, 1); live64(m, OFF_LATEST, 0 << 2 | 2); break;
	case CLAIM_BELOW:
		publish(m, 0, 1);
		live64(m, OFF_AUDIO_WRITTEN, 1000);
		live64(m, OFF_AUDIO_CLAIMED, 500);
		break;
	case AUDIO_BACK:
		publish(m, 0, 1);
		live64(m, OFF_AUDIO_CLAIMED, 2000);
		live64(m, OFF_AUDIO_WRITTEN, 2000);
		break;
	case GOOD: case STALE: publish(m, 0, 1); break;
	case BACKWARDS: break;
	}
}

/* After the reader has been started: the scenario's moves, then heartbeats until killed. */
static void rogue_run(uint8_t *m, scenario sc)
{
	if (sc == BACKWARDS) {
		publish(m, 0, 3);
		test_sleep_ms(400);
		publish(m, 1, 4);
		test_sleep_ms(400);
		publish(m, 2, 2);
	}
	if (sc == AUDIO_BACK) {
		test_sleep_ms(400);
		live64(m, OFF_AUDIO_WRITTEN, 1000);
		live64(m, OFF_AUDIO_CLAIMED, 1000);
		bump(m, OFF_AUDIO_WAKE);
	}
	for (;;) {
		if (sc != STALE)
			live64(m, OFF_HEARTBEAT_NS, now_ns());
		test_sleep_ms(100);
	}
}

typedef struct rogue {
	pid_t pid;
	char name[96];
} rogue;

/*
 * The rogue writer of NAME (a shared-memory name) playing sc, in this
 * process: it holds the creator's lock unless `dead`, writes a byte to
 * ready_fd once the mapping is complete, then heartbeats until killed.
 */
static _Noreturn void rogue_be(const char *name, scenario sc, int dead, int ready_fd)
{
	char obj[128];
	snprintf(obj, sizeof obj, "/shmfb-%s", name);
	int fd = shm_open(obj, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, TOTAL) < 0 || (!dead && flock(fd, LOCK_EX) < 0))
		_exit(3);
	uint8_t *m = mmap(NULL, TOTAL, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		_exit(3);
	write_header(m, sc == STALE ? 300 : 3000);
	live64(m, OFF_HEARTBEAT_NS, now_ns());
	live32(m, OFF_STATE, 1);
	rogue_setup(m, sc);
	if (write(ready_fd, "r", 1) != 1)
		_exit(3);
	rogue_run(m, sc);
	_exit(0); /* not reached: rogue_run heartbeats until killed */
}

/* Forks a rogue_be of a fresh name playing sc; returns once the mapping is complete. */
static rogue rogue_start(scenario sc, int dead)
{
	rogue g;
	snprintf(g.name, sizeof g.name, "%s", test_unique_name("live"));
	int ready[2];
	ASSERT_EQ(pipe(ready), 0);
	g.pid = fork();
	ASSERT(g.pid >= 0);
	if (g.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test leaves no rogue behind */
		rogue_be(g.name, sc, dead, ready[1]);
	}
	close(ready[1]);
	char c;
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return g;
}

static void rogue_stop(rogue *g)
{
	kill(g->pid, SIGKILL);
	waitpid(g->pid, NULL, 0);
	shmfb_unlink(g->name);
}

/* ------------------------------------------------------- running programs */

typedef struct run {
	int status;     /* exit status; 128 + signal when killed */
	double wall_s, cpu_s;
	long maxrss_kb;
	char out[8192], err[4096];
} run;

static char out_path[512], err_path[512];

/* Starts $SHMFB_BIN/argv[0] with stdin from in_fd (-1: /dev/null), stdout and stderr to files. */
static pid_t spawn(const char *const *argv, int in_fd, const char *out, const char *err)
{
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		char prog[1024];
		snprintf(prog, sizeof prog, "%s/%s", getenv("SHMFB_BIN"), argv[0]);
		int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (in < 0 || o < 0 || e < 0)
			_exit(126);
		dup2(in, 0), dup2(o, 1), dup2(e, 2);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static void slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t k = f ? fread(buf, 1, n - 1, f) : 0;
	buf[k] = 0;
	if (f)
		fclose(f);
}

/* Waits for pid, killing it after limit_s; fills r from wait4 and the files. */
static void finish(pid_t pid, double limit_s, uint64_t started, run *r)
{
	struct rusage ru;
	int st = 0;
	for (;;) {
		pid_t w = wait4(pid, &st, WNOHANG, &ru);
		ASSERT(w >= 0);
		if (w == pid)
			break;
		if ((now_ns() - started) / 1e9 > limit_s) {
			kill(pid, SIGKILL);
			ASSERT_EQ(wait4(pid, &st, 0, &ru), pid);
			break;
		}
		test_sleep_ms(5);
	}
	r->wall_s = (now_ns() - started) / 1e9;
	r->cpu_s = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	r->maxrss_kb = ru.ru_maxrss;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(out_path, r->out, sizeof r->out);
	slurp(err_path, r->err, sizeof r->err);
	printf("  status %d, %.2f s, %.3f s CPU, %ld KiB: %s", r->status, r->wall_s, r->cpu_s, r->maxrss_kb,
	       r->err[0] ? r->err : "(nothing on stderr)\n");
	fflush(stdout);
}

static void run_prog(const char *const *argv, double limit_s, run *r)
{
	uint64_t t0 = now_ns();
	pid_t pid = spawn(argv, -1, out_path, err_path);
	finish(pid, limit_s, t0, r);
}

static int has_viewer(void)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/shmfb-viewer", getenv("SHMFB_BIN"));
	return access(p, X_OK) == 0;
}

/* -------------------------------------------------------------- the cases */

/*
 * CPU time of the program starting and exiting at once (`shmfb cat
 * --help`), measured here: a sanitizer's start costs 15-60 ms of CPU
 * depending on the machine's load, which a short run would otherwise
 * count as waiting.  The worst of three runs.
 */
static double start_cpu_s(void)
{
	static double cached = -1;
	if (cached < 0) {
		const char *help[] = {"shmfb", "cat", "--help", NULL};
		for (int i = 0; i < 3; i++) {
			run h;
			run_prog(help, 5, &h);
			cached = h.cpu_s > cached ? h.cpu_s : cached;
		}
	}
	return cached;
}

/* Point 1: a latest slot that never reads whole costs no CPU, and --timeout holds. */
static void stuck(scenario sc, int dead)
{
	rogue g = rogue_start(sc, dead);
	run r;
	const char *cat[] = {"shmfb", "cat", g.name, "--timeout", "2", NULL};
	run_prog(cat, 6, &r);
	ASSERT_EQ(r.status, 1);
	ASSERT(r.wall_s <= 2.5);
	ASSERT(r.cpu_s < 0.05 * r.wall_s + start_cpu_s() + 0.02); /* under 5 % while waiting */
	if (dead)
		ASSERT_STR_CONTAINS(r.err, "died");
	else
		ASSERT_STR_CONTAINS(r.err, "no new frame within 2 s");
	if (has_viewer() && !dead) {
		/* The CPU of waiting 2 s more, so that SDL's start (slow under
		 * sanitizers) does not count. */
		const char *v1[] = {"shmfb-viewer", "--headless", "--no-audio", "--timeout", "1", g.name, NULL};
		const char *v3[] = {"shmfb-viewer", "--headless", "--no-audio", "--timeout", "3", g.name, NULL};
		run r1;
		run_prog(v1, 6, &r1);
		ASSERT(r1.wall_s <= 1.5);
		run_prog(v3, 8, &r);
		ASSERT(r.wall_s <= 3.5);
		ASSERT(r.cpu_s - r1.cpu_s < 0.05 * 2);
	}
	rogue_stop(&g);
}

static void stuck_all(void)
{
	stuck(STUCK_ODD, 0);
	stuck(STUCK_INDEX, 0);
	stuck(STUCK_ODD, 1);
}

/* Point 2: frames 3, 4, then 2. */
static void backwards(void)
{
	rogue g = rogue_start(BACKWARDS, 0);
	run r;
	const char *cat[] = {"shmfb", "cat", g.name, "--timeout", "5", NULL};
	run_prog(cat, 8, &r);
	ASSERT_EQ(r.status, 1);
	ASSERT(r.wall_s <= 2);
	ASSERT_STR_CONTAINS(r.err, "publish counter went backwards");
	rogue_stop(&g);
	if (!has_viewer())
		return;
	char json[600];
	snprintf(json, sizeof json, "%s/stats.json", test_tmpdir());
	for (int frames = 0; frames < 2; frames++) {
		g = rogue_start(BACKWARDS, 0);
		const char *v[] = {"shmfb-viewer", "--headless", "--no-audio", "--stats", "--stats-json", json,
				   frames ? "--frames" : "--timeout", frames ? "100" : "5", g.name, NULL};
		run_prog(v, 8, &r);
		ASSERT_EQ(r.status, 1);
		ASSERT(r.wall_s <= 2.5);
		ASSERT_STR_CONTAINS(r.err, "publish counter went backwards");
		ASSERT_STR_CONTAINS(r.out, "state=corrupt");
		char j[4096];
		slurp(json, j, sizeof j);
		ASSERT_STR_CONTAINS(j, "\"state\": \"corrupt\"");
		rogue_stop(&g);
	}
}

/* Point 3: alive (lock held) but silent past heartbeat_timeout_ms. */
static void stale(void)
{
	rogue g = rogue_start(STALE, 0);
	run r;
	const char *cat[] = {"shmfb", "cat", g.name, "--timeout", "5", NULL};
	run_prog(cat, 8, &r);
	ASSERT_EQ(r.status, 1);
	ASSERT(r.wall_s <= 2);
	ASSERT_STR_CONTAINS(r.err, "is stale");
	if (has_viewer()) {
		const char *v[] = {"shmfb-viewer", "--headless", "--no-audio", "--stats", "--timeout", "2.5",
				   g.name, NULL};
		run_prog(v, 6, &r);
		ASSERT_STR_CONTAINS(r.out, "state=stale");
	}
	rogue_stop(&g);
}

/*
 * Point 4: undefined live values are corrupt; shmfb info exits 1 naming the
 * field, and (text or JSON) shows no value read from the live fields: no
 * frames published, no audio written, no slot's frame, no heartbeat.
 */
static void info_corrupt(scenario sc, const char *says)
{
	rogue g = rogue_start(sc, 0);
	run r;
	const char *info[] = {"shmfb", "info", g.name, NULL};
	run_prog(info, 5, &r);
	ASSERT_EQ(r.status, 1);
	ASSERT_STR_CONTAINS(r.err, says);
	ASSERT_STR_CONTAINS(r.out, "corrupt");
	ASSERT_STR_CONTAINS(r.out, "generation"); /* the write-once description is there */
	static const char *live_text[] = {"published", "written", "frame 0", "empty", "heartbeat"};
	for (size_t i = 0; i < sizeof live_text / sizeof live_text[0]; i++)
		if (strstr(r.out, live_text[i]))
			FAIL_AT("info of a corrupt mapping shows '%s':\n%s", live_text[i], r.out);
	const char *json[] = {"shmfb", "info", "--json", g.name, NULL};
	run_prog(json, 5, &r);
	ASSERT_EQ(r.status, 1);
	ASSERT_STR_CONTAINS(r.out, "\"state\": \"corrupt\"");
	static const char *live_json[] = {"\"published\"", "\"written\"", "\"index\"", "\"ready\"",
					  "\"heartbeat_ns\""};
	for (size_t i = 0; i < sizeof live_json / sizeof live_json[0]; i++)
		if (strstr(r.out, live_json[i]))
			FAIL_AT("info --json of a corrupt mapping shows %s:\n%s", live_json[i], r.out);
	rogue_stop(&g);
}

static void live_values(void)
{
	rogue g = rogue_start(GOOD, 0);
	run r;
	const char *info[] = {"shmfb", "info", g.name, NULL};
	run_prog(info, 5, &r);
	ASSERT_EQ(r.status, 0); /* the rogue's good mapping is good */
	ASSERT_STR_CONTAINS(r.out, "running");
	rogue_stop(&g);

	info_corrupt(STATE3, "state word 3");
	info_corrupt(LATEST_SLOT3, "frame 3 in slot 3");
	info_corrupt(LATEST_ZERO, "frame 0 in slot 2");
	info_corrupt(CLAIM_BELOW, "audio_claimed 500 is below audio_written 1000");

	/* The same through the library, each with its code. */
	shmfb_reader *rd;
	shmfb_frame f;
	g = rogue_start(LATEST_ZERO, 0);
	ASSERT_OK(shmfb_open(g.name, &rd));
	ASSERT_EQ(shmfb_reader_latest(rd, &f), SHMFB_EBADLATEST);
	ASSERT_EQ(shmfb_reader_wait(rd, 0, 0, 0), SHMFB_EBADLATEST);
	shmfb_reader_close(rd);
	rogue_stop(&g);

	g = rogue_start(STATE3, 0);
	ASSERT_OK(shmfb_open(g.name, &rd));
	ASSERT_EQ(shmfb_reader_wait(rd, 1, 100 * SHMFB_MS, 0), SHMFB_EBADSTATE);
	ASSERT_EQ(shmfb_reader_status(rd), SHMFB_EBADSTATE);
	shmfb_reader_close(rd);
	rogue_stop(&g);

	uint8_t pcm[AUDIO_CAPACITY * 4];
	shmfb_audio_block b;
	g = rogue_start(CLAIM_BELOW, 0);
	ASSERT_OK(shmfb_open(g.name, &rd));
	ASSERT_EQ(shmfb_audio_read(rd, pcm, AUDIO_CAPACITY, &b), SHMFB_EBADCLAIM);
	ASSERT_EQ(shmfb_reader_status(rd), SHMFB_EBADCLAIM);
	shmfb_reader_close(rd);
	rogue_stop(&g);

	/* audio_written 2000 then 1000: still above the cursor, but back from what was seen. */
	g = rogue_start(AUDIO_BACK, 0);
	ASSERT_OK(shmfb_open(g.name, &rd));
	ASSERT_EQ(shmfb_audio_read(rd, pcm, AUDIO_CAPACITY, &b), 0);
	int rc = shmfb_audio_wait(rd, 2 * SHMFB_SEC, 0);
	ASSERT_EQ(rc, SHMFB_EBACKWARDS);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "from 2000 to 1000");
	shmfb_reader_close(rd);
	rogue_stop(&g);
	g = rogue_start(AUDIO_BACK, 0);
	const char *cat[] = {"shmfb", "cat", "--audio", g.name, "--timeout", "5", NULL};
	run_prog(cat, 8, &r);
	ASSERT_EQ(r.status, 1);
	ASSERT_STR_CONTAINS(r.err, "audio write counter went backwards");
	rogue_stop(&g);
}

/* Point 6: cat started 0.5 s before its producer gets every frame, bit-exact. */
static void reader_first(void)
{
	enum { N = 8 };
	const char *name = test_unique_name("first");
	char in_path[512];
	snprintf(in_path, sizeof in_path, "%s/frames.raw", test_tmpdir());
	static uint8_t frames[N][FRAME];
	uint64_t s = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < N; i++)
		for (int k = 0; k < FRAME; k++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			frames[i][k] = (uint8_t)s;
		}
	FILE *f = fopen(in_path, "wb");
	ASSERT(f);
	ASSERT_EQ(fwrite(frames, 1, sizeof frames, f), sizeof frames);
	fclose(f);

	char cat_out[512], cat_err[512], prod_err[512];
	snprintf(cat_out, sizeof cat_out, "%s/cat.out", test_tmpdir());
	snprintf(cat_err, sizeof cat_err, "%s/cat.err", test_tmpdir());
	snprintf(prod_err, sizeof prod_err, "%s/producer.err", test_tmpdir());
	const char *cat[] = {"shmfb", "cat", name, "--timeout", "10", NULL};
	uint64_t t0 = now_ns();
	pid_t cat_pid = spawn(cat, -1, cat_out, cat_err);
	test_sleep_ms(500);
	int in = open(in_path, O_RDONLY);
	ASSERT(in >= 0);
	const char *prod[] = {"shmfb-producer", "--raw", "--format", "rgba", "--size", "64x48", "--fps", "10",
			      name, NULL};
	pid_t prod_pid = spawn(prod, in, "/dev/null", prod_err);
	close(in);
	int st;
	ASSERT_EQ(waitpid(prod_pid, &st, 0), prod_pid);
	ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(out_path, sizeof out_path, "%s", cat_out);
	snprintf(err_path, sizeof err_path, "%s", cat_err);
	run r;
	finish(cat_pid, 15, t0, &r);
	snprintf(out_path, sizeof out_path, "%s/out", test_tmpdir());
	snprintf(err_path, sizeof err_path, "%s/err", test_tmpdir());
	ASSERT_EQ(r.status, 0);
	/* One line on stderr, saying it waits. */
	ASSERT_STR_CONTAINS(r.err, "waiting for");
	ASSERT(strchr(r.err, '\n') == r.err + strlen(r.err) - 1);
	size_t len;
	FILE *o = fopen(cat_out, "rb");
	ASSERT(o);
	static uint8_t got[N + 1][FRAME];
	len = fread(got, 1, sizeof got, o);
	fclose(o);
	ASSERT_EQ(len, sizeof frames);
	for (int i = 0; i < N; i++)
		if (memcmp(got[i], frames[i], FRAME))
			FAIL_AT("frame %d differs from the one the producer was given", i + 1);
}

/* Point 10: opening faults in no pixel page of a file. */
static void sparse_big(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/big.shmfb", test_tmpdir());
	const uint64_t gib = 1ull << 30, total = 4096 + 3 * gib;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT(fd >= 0);
	ASSERT_EQ(ftruncate(fd, (off_t)total), 0);
	static uint8_t h[4096];
	memset(h, 0, sizeof h);
	memcpy(h, MAGIC, 8);
	put32(h, OFF_VERSION, 2);
	put32(h, OFF_HEADER_SIZE, 4096);
	put64(h, OFF_TOTAL_SIZE, total);
	put32(h, OFF_SLOT_COUNT, 3);
	for (int i = 0; i < 3; i++) {
		put64(h, OFF_SLOT + 16 * i, 4096 + i * gib);
		put64(h, OFF_SLOT + 16 * i + 8, gib);
	}
	put32(h, OFF_WIDTH, 16384);
	put32(h, OFF_HEIGHT, 16384);
	put32(h, OFF_PIXEL_FORMAT, 1);
	put32(h, OFF_PLANE_COUNT, 1);
	put32(h, OFF_PLANE + 4, 16384 * 4);
	put64(h, OFF_FRAME_BYTES, gib);
	put32(h, OFF_STATE, 2); /* closed: a finished producer's file */
	ASSERT_EQ(pwrite(fd, h, sizeof h, 0), (ssize_t)sizeof h);
	close(fd);
	run r;
	const char *info[] = {"shmfb", "info", path, NULL};
	run_prog(info, 60, &r);
	ASSERT_EQ(r.status, 0);
	ASSERT_STR_CONTAINS(r.out, "16384x16384 rgba");
	ASSERT(r.cpu_s < 0.1);
	ASSERT_LT(r.maxrss_kb, 64 * 1024);
	unlink(path);
}

/* Point 11: the grace is for an object in creation, and only that. */
static double open_secs(const char *path, int *rc)
{
	shmfb_reader *rd = NULL;
	uint64_t t0 = now_ns();
	*rc = shmfb_open(path, &rd);
	double s = (now_ns() - t0) / 1e9;
	shmfb_reader_close(rd);
	return s;
}

/* A child that holds the lock on path (a creator at work) and, after
 * finish_ms (> 0), completes the mapping. */
static pid_t creator(const char *path, int finish_ms)
{
	int ready[2];
	ASSERT_EQ(pipe(ready), 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int fd = open(path, O_RDWR);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || write(ready[1], "r", 1) != 1)
			_exit(3);
		if (finish_ms > 0) {
			test_sleep_ms(finish_ms);
			if (ftruncate(fd, TOTAL) < 0)
				_exit(3);
			uint8_t *m = mmap(NULL, TOTAL, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (m == MAP_FAILED)
				_exit(3);
			write_header(m, 3000);
			live32(m, OFF_STATE, 1);
		}
		pause();
		_exit(0);
	}
	close(ready[1]);
	char c;
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void make_file(const char *path, const void *bytes, size_t n)
{
	FILE *f = fopen(path, "wb");
	ASSERT(f);
	ASSERT_EQ(fwrite(bytes, 1, n, f), n);
	fclose(f);
}

static void grace(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/grace.shmfb", test_tmpdir());
	int rc;
	/* Cannot be an object in creation: refused at once. */
	make_file(path, "not a map\n", 10);
	ASSERT(open_secs(path, &rc) < 0.25);
	ASSERT_EQ(rc, SHMFB_EBADTOTALSIZE);
	make_file(path, "", 0);
	ASSERT(open_secs(path, &rc) < 0.25); /* empty, and nobody holds it */
	ASSERT_EQ(rc, SHMFB_EBADTOTALSIZE);
	static uint8_t m[TOTAL];
	memset(m, 0, sizeof m);
	write_header(m, 3000); /* state 0 */
	make_file(path, m, sizeof m);
	ASSERT(open_secs(path, &rc) < 0.25);
	ASSERT_EQ(rc, SHMFB_EBADSTATE);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "no producer holds it");

	/* Held by its creator: waited for, 500 ms at most. */
	pid_t c = creator(path, 0);
	double s = open_secs(path, &rc);
	ASSERT_EQ(rc, SHMFB_EBADSTATE);
	ASSERT(s >= 0.45 && s < 1.5);
	reap(c);
	make_file(path, "", 0);
	c = creator(path, 0);
	s = open_secs(path, &rc);
	ASSERT_EQ(rc, SHMFB_EBADTOTALSIZE);
	ASSERT(s >= 0.45 && s < 1.5);
	reap(c);
	/* ... and opened when the creator finishes within it. */
	make_file(path, "", 0);
	c = creator(path, 200);
	s = open_secs(path, &rc);
	ASSERT_EQ(rc, 0);
	reap(c);

	/* Codes for what is not a regular file. */
	char link[600], fifo[600];
	snprintf(link, sizeof link, "%s/link.shmfb", test_tmpdir());
	snprintf(fifo, sizeof fifo, "%s/fifo.shmfb", test_tmpdir());
	ASSERT_EQ(symlink(path, link), 0);
	ASSERT_EQ(open_secs(link, &rc) < 0.25, 1);
	ASSERT_EQ(rc, SHMFB_ESYMLINK);
	ASSERT_EQ(mkfifo(fifo, 0600), 0);
	ASSERT_EQ(open_secs(fifo, &rc) < 0.25, 1);
	ASSERT_EQ(rc, SHMFB_ENOTREG);
	unlink(link);
	unlink(fifo);
	unlink(path);
}

/*
 * test_live_posix --child rogue NAME SCENARIO [dead]: the rogue alone, for
 * the shell tests of other readers (tests/gst_src.sh): "r" on stdout once
 * the mapping is complete, then heartbeats until killed.  SCENARIO is a
 * name of the enum above in lower case, e.g. stuck_odd.
 */
static int rogue_role(char **args)
{
	static const char *const names[] = {
		[GOOD] = "good", [STUCK_ODD] = "stuck_odd", [STUCK_INDEX] = "stuck_index",
		[BACKWARDS] = "backwards", [STALE] = "stale", [STATE3] = "state3",
		[LATEST_SLOT3] = "latest_slot3", [LATEST_ZERO] = "latest_zero",
		[CLAIM_BELOW] = "claim_below", [AUDIO_BACK] = "audio_back",
	};
	for (size_t i = 0; args[0] && args[1] && i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(args[1], names[i]))
			rogue_be(args[0], (scenario)i, args[2] && !strcmp(args[2], "dead"), 1);
	fprintf(stderr, "usage: test_live_posix --child rogue NAME SCENARIO [dead]\n");
	return 2;
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (test_child_role() && !strcmp(test_child_role(), "rogue"))
		return rogue_role(test_child_args());
	if (!getenv("SHMFB_BIN")) {
		puts("SHMFB_BIN not set (run through tests/run.sh)");
		return TEST_SKIP;
	}
	snprintf(out_path, sizeof out_path, "%s/out", test_tmpdir());
	snprintf(err_path, sizeof err_path, "%s/err", test_tmpdir());
	setenv("SDL_AUDIODRIVER", "dummy", 1);
	/* One section alone when named (to see each fail without its fix). */
	static const struct {
		const char *name;
		void (*fn)(void);
	} sections[] = {
		{"grace", grace}, {"stuck", stuck_all}, {"backwards", backwards}, {"stale", stale},
		{"live_values", live_values}, {"reader_first", reader_first}, {"sparse", sparse_big},
	};
	const char *only = argc > 1 ? argv[1] : NULL;
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (only && strcmp(only, sections[i].name))
			continue;
		printf("%s\n", sections[i].name);
		sections[i].fn();
	}
	return 0;
}
