/*
 * test_cli_posix.c - the shmfb command (info, ls, rm) run as a user runs it,
 * against a producer process this test controls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "shmfb.h"
#include "test.h"
#include "util.h"

#define FRAMES 5

static int run_producer(char **a)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 320;
	o.height = 240;
	o.format = SHMFB_FMT_NV12;
	o.fps_num = 30;
	shmfb_writer *w;
	if (shmfb_create(a[0], &o, &w) != 0)
		return 1;
	for (int n = 0; n < FRAMES; n++) {
		shmfb_planes p;
		shmfb_writer_acquire(w, &p);
		shmfb_writer_publish(w, 1000 + n, 0);
	}
	for (;;)
		test_sleep_ms(1000);
}

static char out[65536];

/* Runs `shmfb ARGS`, keeps stdout+stderr in out, returns the exit status. */
static int shmfb(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "\"%s/shmfb\" %s 2>&1", getenv("SHMFB_BIN"), args);
	FILE *p = popen(cmd, "r");
	ASSERT(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (test_child_role())
		return run_producer(test_child_args());
	if (!getenv("SHMFB_BIN")) {
		puts("SHMFB_BIN not set (run through tests/run.sh)");
		return TEST_SKIP;
	}
	const char *name = test_unique_name("cli");
	test_proc p;
	const char *args[] = {name, NULL};
	ASSERT_EQ(test_spawn_self(&p, "producer", args), 0);
	shmfb_reader *r = NULL;
	for (int i = 0; i < 500 && !(r && shmfb_reader_latest_index(r) == FRAMES); i++) {
		shmfb_reader_close(r);
		r = NULL;
		shmfb_open(name, &r);
		test_sleep_ms(10);
	}
	ASSERT(r);
	shmfb_reader_close(r);

	char cmd[256], want[128];
	snprintf(cmd, sizeof cmd, "info %s --json", name);
	ASSERT_EQ(shmfb(cmd), 0);
	snprintf(want, sizeof want, "\"producer_pid\": %u, \"state\": \"running\"", p.pid);
	ASSERT_STR_CONTAINS(out, want);
	ASSERT_STR_CONTAINS(out, "\"width\": 320, \"height\": 240, \"format\": \"nv12\"");
	ASSERT_STR_CONTAINS(out, "\"frame_bytes\": 115200"); /* 320*240*3/2 */
	ASSERT_STR_CONTAINS(out, "\"published\": 5");
	ASSERT_STR_CONTAINS(out, "\"frame_number\": 1004"); /* the last frame */
	ASSERT_STR_CONTAINS(out, "\"fps_num\": 30");

	snprintf(cmd, sizeof cmd, "info %s", name);
	ASSERT_EQ(shmfb(cmd), 0);
	snprintf(want, sizeof want, "pid %u, running", p.pid);
	ASSERT_STR_CONTAINS(out, want);
	ASSERT_STR_CONTAINS(out, "320x240 nv12");

	ASSERT_EQ(shmfb("ls"), 0);
	ASSERT_STR_CONTAINS(out, name);
	ASSERT_EQ(shmfb("ls --json"), 0);
	snprintf(want, sizeof want, "{\"name\": \"%s\", \"state\": \"running\"", name);
	ASSERT_STR_CONTAINS(out, want);

	test_kill(&p);
	test_wait(&p, 5000);
	snprintf(cmd, sizeof cmd, "info %s", name);
	ASSERT_EQ(shmfb(cmd), 0);
	ASSERT_STR_CONTAINS(out, ", dead,");

	snprintf(cmd, sizeof cmd, "rm %s", name);
	ASSERT_EQ(shmfb(cmd), 0);
	snprintf(cmd, sizeof cmd, "info %s", name);
	ASSERT_EQ(shmfb(cmd), 1);
	ASSERT_STR_CONTAINS(out, "shmfb: ");
	ASSERT_STR_CONTAINS(out, "no such mapping");
	snprintf(cmd, sizeof cmd, "rm %s", name);
	ASSERT_EQ(shmfb(cmd), 1);

	/* Usage errors: exit 2, one line, prefixed. */
	ASSERT_EQ(shmfb("info"), 2);
	ASSERT_STR_CONTAINS(out, "shmfb: usage");
	ASSERT_EQ(shmfb("frobnicate"), 2);
	ASSERT_STR_CONTAINS(out, "unknown command 'frobnicate'");
	ASSERT_EQ(shmfb("info 'bad name'"), 2);
	ASSERT_STR_CONTAINS(out, "0x20");
	ASSERT_EQ(shmfb("info x --bogus"), 2);
	ASSERT_STR_CONTAINS(out, "--bogus");
	ASSERT_EQ(shmfb("ls extra"), 2);
	ASSERT_EQ(shmfb("rm"), 2);
	return 0;
}
