/*
 * prog_posix.c - tests/prog.h with fork/exec.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"
#include "test.h"

static char bin_dir[1024];
static char path[1100];
static const char *prog_name;
static pid_t child = -1;

static void kill_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
}

int prog_init(const char *program)
{
	const char *bin = getenv("SHMFB_BIN");
	if (!bin) {
		printf("SHMFB_BIN not set (run through tests/run.sh)\n");
		return TEST_SKIP;
	}
	snprintf(bin_dir, sizeof bin_dir, "%s", bin);
	snprintf(path, sizeof path, "%s/%s", bin, program);
	if (access(path, X_OK) != 0) {
		printf("%s not built\n", path);
		return TEST_SKIP;
	}
	prog_name = program;
	atexit(kill_child);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

const char *prog_bin_dir(void)
{
	return bin_dir;
}

pid_t prog_spawn(const char *const *args, int in_fd, const char *err_path)
{
	const char *argv[32] = {prog_name};
	int n = 1;
	for (; args[n - 1] && n < 31; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		int fd = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(e, 2);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	child = pid;
	return pid;
}

int prog_wait(pid_t pid)
{
	int st;
	for (int i = 0; i < 1000; i++) { /* 10 s */
		if (waitpid(pid, &st, WNOHANG) == pid) {
			child = -1;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	kill_child();
	FAIL_AT("%s %d did not exit", prog_name, (int)pid);
}

void prog_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	ASSERT_EQ(prog_wait(pid), 0);
}

shmfb_reader *prog_open_when_ready(const char *name)
{
	shmfb_reader *r;
	for (int i = 0; i < 500; i++) { /* 5 s */
		int rc = shmfb_open(name, &r);
		if (rc == 0)
			return r;
		if (rc != SHMFB_ENOENT)
			FAIL_AT("open %s: %s", name, shmfb_errdetail());
		usleep(10000);
	}
	FAIL_AT("%s never appeared", name);
}

char *prog_slurp(const char *file, size_t *len)
{
	static char buf[1 << 20];
	size_t n = 0;
	FILE *f = fopen(file, "rb");
	if (f) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}
