/*
 * test_takeover.c - what happens to a name when its producer dies, is
 * still alive, or is replaced; and file-backed mappings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shmfb.h"
#include "test.h"
#include "util.h"

static shmfb_writer_options small(uint32_t flags)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 16;
	o.height = 16;
	o.flags = flags;
	return o;
}

/* Child: create, publish one frame, then live until killed. */
static int run_owner(char **a)
{
	shmfb_writer_options o = small(0);
	shmfb_writer *w;
	if (shmfb_create(a[0], &o, &w) != 0) {
		fprintf(stderr, "owner: %s\n", shmfb_errdetail());
		return 1;
	}
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	shmfb_writer_publish(w, 1, 0);
	for (;;)
		test_sleep_ms(1000);
}

static shmfb_reader *start_owner(const char *name, test_proc *p)
{
	const char *args[] = {name, NULL};
	ASSERT_EQ(test_spawn_self(p, "owner", args), 0);
	for (int i = 0; i < 500; i++) {
		shmfb_reader *r;
		if (shmfb_open(name, &r) == 0) {
			if (shmfb_reader_latest_index(r) == 1)
				return r;
			shmfb_reader_close(r);
		}
		test_sleep_ms(10);
	}
	FAIL_AT("owner of %s never published", name);
}

static void stale_name_is_taken_over(void)
{
	const char *name = test_unique_name("stale");
	test_proc p;
	shmfb_reader *old = start_owner(name, &p);
	ASSERT_EQ(shmfb_reader_status(old), 0);

	shmfb_writer_options o = small(0);
	shmfb_writer *w;
	ASSERT_EQ(shmfb_create(name, &o, &w), SHMFB_EEXIST);
	char pid[32];
	snprintf(pid, sizeof pid, "pid %u", p.pid);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), pid);

	test_kill(&p);
	test_wait(&p, 5000);
	ASSERT_EQ(shmfb_reader_status(old), SHMFB_EDEAD);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), pid);
	if (!test_names_persist()) {
		/* Windows: our handle keeps the dead mapping's name until we let go. */
		ASSERT_EQ(shmfb_create(name, &o, &w), SHMFB_EEXIST);
		shmfb_reader_close(old);
		ASSERT_OK(shmfb_create(name, &o, &w));
		ASSERT_OK(shmfb_writer_close(w));
		return;
	}

	ASSERT_OK(shmfb_create(name, &o, &w)); /* no replace flag needed */
	shmfb_reader *cur;
	ASSERT_OK(shmfb_open(name, &cur));
	ASSERT_NE(shmfb_reader_info(cur)->generation, shmfb_reader_info(old)->generation);
	ASSERT_EQ(shmfb_reader_info(cur)->generation, shmfb_writer_generation(w));
	ASSERT_EQ(shmfb_reader_status(cur), 0);
	shmfb_reader_close(cur);
	shmfb_reader_close(old);
	ASSERT_OK(shmfb_writer_close(w));
}

static void live_name_is_replaced_on_request(void)
{
	const char *name = test_unique_name("replace");
	test_proc p;
	shmfb_reader *old = start_owner(name, &p);
	shmfb_writer_options o = small(SHMFB_CREATE_REPLACE);
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	ASSERT_EQ(shmfb_reader_status(old), SHMFB_EREPLACED);
	test_kill(&p);
	test_wait(&p, 5000);
	shmfb_reader_close(old);
	ASSERT_OK(shmfb_writer_close(w));
}

static int file_exists(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

static void file_backed(void)
{
	char path[256];
	snprintf(path, sizeof path, "%s/fb.shmfb", test_tmpdir());
	shmfb_writer_options o = small(0);
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(path, &o, &w));
	ASSERT(file_exists(path));
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(path, &r));
	ASSERT_OK(shmfb_writer_close(w));
	if (test_names_persist()) /* Windows may keep a deleted file's name until r lets go */
		ASSERT(!file_exists(path));
	shmfb_reader_close(r);
	ASSERT(!file_exists(path));

	o.flags = SHMFB_CREATE_KEEP;
	ASSERT_OK(shmfb_create(path, &o, &w));
	ASSERT_OK(shmfb_writer_close(w));
	ASSERT(file_exists(path));
	ASSERT_OK(shmfb_open(path, &r));
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_ECLOSED);
	shmfb_reader_close(r);
	ASSERT_OK(shmfb_unlink(path));

	/* Someone else's file is never taken over without replace. */
	FILE *f = fopen(path, "wb");
	fputs("precious user data\n", f);
	fclose(f);
	o.flags = 0;
	ASSERT_EQ(shmfb_create(path, &o, &w), SHMFB_EEXIST);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "not a usable shmfb mapping");
	f = fopen(path, "rb");
	char line[64] = "";
	ASSERT(fgets(line, sizeof line, f));
	fclose(f);
	ASSERT(!strcmp(line, "precious user data\n"));
	o.flags = SHMFB_CREATE_REPLACE;
	ASSERT_OK(shmfb_create(path, &o, &w));
	ASSERT_OK(shmfb_writer_close(w));
	ASSERT(!file_exists(path));
}

static void write_file(const char *path, const char *bytes, size_t n, size_t times)
{
	FILE *f = fopen(path, "wb");
	ASSERT(f);
	for (size_t i = 0; i < times; i++)
		ASSERT_EQ(fwrite(bytes, 1, n, f), n);
	ASSERT_EQ(fclose(f), 0);
}

/* The first 8 bytes of path, or "" when unreadable. */
static void file_head(const char *path, char out[9])
{
	memset(out, 0, 9);
	FILE *f = fopen(path, "rb");
	if (f) {
		if (fread(out, 1, 8, f) != 8)
			out[0] = 0;
		fclose(f);
	}
}

/*
 * shmfb_unlink of an explicit path removes only a shmfb mapping's file (one
 * starting with the magic, however corrupt the rest) and leaves every other
 * file as it was, small or large.
 */
static void unlink_path_checks_magic(void)
{
	char path[256], head[9];
	snprintf(path, sizeof path, "%s/notamapping.bin", test_tmpdir());
	write_file(path, "precious", 8, 1);
	ASSERT_EQ(shmfb_unlink(path), SHMFB_EBADMAGIC);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "not a shmfb mapping");
	file_head(path, head);
	ASSERT(!strcmp(head, "precious"));

	write_file(path, "precious", 8, 2048); /* 16 KiB: the size of a mapping */
	ASSERT_EQ(shmfb_unlink(path), SHMFB_EBADMAGIC);
	file_head(path, head);
	ASSERT(!strcmp(head, "precious"));
	remove(path);

	/* A kept mapping whose header is then scribbled over past the magic. */
	shmfb_writer_options o = small(SHMFB_CREATE_KEEP);
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(path, &o, &w));
	ASSERT_OK(shmfb_writer_close(w));
	FILE *f = fopen(path, "r+b");
	ASSERT(f);
	ASSERT_EQ(fseek(f, 8, SEEK_SET), 0);
	ASSERT_EQ(fwrite("\xff\xff\xff\xff", 1, 4, f), 4);
	ASSERT_EQ(fclose(f), 0);
	shmfb_reader *r;
	ASSERT_NE(shmfb_open(path, &r), 0); /* corrupt indeed */
	ASSERT_OK(shmfb_unlink(path));
	ASSERT(!file_exists(path));
}

/*
 * Child: waits for the start time, then tries to take the stale name (with
 * the replace flag when a[2] is "replace").  Exit 0: won, and the name
 * still leads to its own mapping half a second later; 3: won but another
 * racer removed its name; 10: told the name is in use (the right answer
 * for all but one); 1: any other error.
 */
static int run_racer(char **a)
{
	uint64_t start = strtoull(a[1], NULL, 10);
	while (shmfb_now_ns() < start)
		;
	shmfb_writer_options o = small(!strcmp(a[2], "replace") ? SHMFB_CREATE_REPLACE : 0);
	shmfb_writer *w;
	int rc = shmfb_create(a[0], &o, &w);
	if (rc == SHMFB_EEXIST)
		return 10;
	if (rc != 0) {
		fprintf(stderr, "racer: %s\n", shmfb_errdetail());
		return 1;
	}
	test_sleep_ms(500);
	shmfb_reader *r = NULL;
	int intact = shmfb_open(a[0], &r) == 0 &&
		     shmfb_reader_info(r)->generation == shmfb_writer_generation(w);
	shmfb_reader_close(r);
	if (!intact)
		fprintf(stderr, "racer: won %s, then lost it to another racer\n", a[0]);
	shmfb_writer_close(w);
	return intact ? 0 : 3;
}

/*
 * Six processes try to take over the same stale name at the same instant,
 * 20 times: one wins and keeps its name, the others are told it is in use.
 * In every other round the first racer has the replace flag: it always
 * ends up with the name (a taker that won first loses it to the replace,
 * as asked), and no taker can remove the replacer's.
 */
static void racing_takeovers(void)
{
	enum { RACERS = 6, ROUNDS = 20 };
	int won = 0, replaced = 0;
	for (int round = 0; round < test_scale(ROUNDS, 3); round++) {
		const char *name = test_unique_name("race");
		test_proc owner, racers[RACERS];
		shmfb_reader_close(start_owner(name, &owner));
		test_kill(&owner);
		test_wait(&owner, 5000);
		char start[32];
		snprintf(start, sizeof start, "%llu",
			 (unsigned long long)(shmfb_now_ns() + (uint64_t)test_scale(100, 3000) * SHMFB_MS));
		int replacing = round % 2;
		for (int i = 0; i < RACERS; i++) {
			const char *args[] = {name, start, i == 0 && replacing ? "replace" : "take", NULL};
			ASSERT_EQ(test_spawn_self(&racers[i], "racer", args), 0);
		}
		int winners = 0;
		for (int i = 0; i < RACERS; i++) {
			int code = test_wait(&racers[i], 30000);
			int fine = code == 0 || code == 10 || (code == 3 && replacing && i > 0);
			if (!fine || (i == 0 && replacing && code != 0))
				FAIL_AT("round %d: %s %d exited %d", round, i == 0 && replacing ? "replacer" : "racer",
					i, code);
			winners += code == 0;
			replaced += code == 3;
		}
		ASSERT_GE(winners, 1);
		won += winners;
		shmfb_unlink(name);
	}
	fprintf(stderr, "racing takeovers: %d winners in %d rounds kept their names; %d lost theirs to a replace\n",
		won, test_scale(ROUNDS, 3), replaced);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	const char *role = test_child_role();
	if (role && !strcmp(role, "racer"))
		return run_racer(test_child_args());
	if (role)
		return run_owner(test_child_args());
	stale_name_is_taken_over();
	if (test_names_persist()) /* Windows cannot re-bind a live object's name */
		live_name_is_replaced_on_request();
	if (test_names_persist()) /* Windows: no stale names to race for */
		racing_takeovers();
	file_backed();
	unlink_path_checks_magic();
	return 0;
}
