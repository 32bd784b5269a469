/*
 * util_posix.c - tests/util.h on Linux.
 */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static char *self;
static const char *role;
static char **child_args;

void test_init(int argc, char **argv)
{
	/* The real path, not /proc/self/exe: under valgrind that is valgrind. */
	static char path[4096];
	self = realpath(argv[0], path) ? path : argv[0];
	if (argc >= 3 && !strcmp(argv[1], "--child")) {
		role = argv[2];
		child_args = argv + 3;
	}
	signal(SIGPIPE, SIG_IGN);
}

const char *test_child_role(void) { return role; }
char **test_child_args(void) { return child_args; }

int test_spawn_self(test_proc *p, const char *r, const char *const args[])
{
	char *argv[64];
	int n = 0;
	argv[n++] = self;
	argv[n++] = "--child";
	argv[n++] = (char *)r;
	for (int i = 0; args && args[i] && n < 63; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	p->handle = pid;
	p->pid = (uint32_t)pid;
	return 0;
}

int test_wait(test_proc *p, int timeout_ms)
{
	for (int waited = 0;; waited++) {
		int st;
		pid_t r = waitpid((pid_t)p->handle, &st, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == (pid_t)p->handle)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 && errno != EINTR)
			return -1;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -1;
		if (timeout_ms >= 0)
			test_sleep_ms(1);
	}
}

int test_names_persist(void)
{
	return 1;
}

uint32_t test_proc_self_pid(void)
{
	return (uint32_t)getpid();
}

void test_kill(test_proc *p)
{
	kill((pid_t)p->handle, SIGKILL);
}

void test_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int test_scale(int full, int quick)
{
	const char *q = getenv("SHMFB_TEST_QUICK");
	return q && *q && strcmp(q, "0") ? quick : full;
}

const char *test_unique_name(const char *base)
{
	static char buf[8][64];
	static int n;
	char *b = buf[n % 8];
	snprintf(b, sizeof buf[0], "%s-%d-%d", base, (int)getpid(), n);
	n++;
	return b;
}

static char tmpdir[64];
static pid_t tmpdir_owner;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	if (getpid() == tmpdir_owner) /* not in a forked child that inherited it */
		nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *test_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/shmfb-test-XXXXXX");
		if (!mkdtemp(tmpdir))
			return "/tmp";
		tmpdir_owner = getpid();
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

long long test_private_bytes(const void *p, size_t n)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	uintptr_t lo = (uintptr_t)p, hi = lo + n;
	unsigned long long total = 0, kb;
	unsigned long start, end;
	int inside = 0;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = start < hi && end > lo;
		else if (inside && sscanf(line, "Anonymous: %llu kB", &kb) == 1)
			total += kb * 1024;
	}
	fclose(f);
	return (long long)total;
}
