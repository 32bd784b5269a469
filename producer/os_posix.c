/*
 * os_posix.c - producer/os.h on Linux and other POSIX systems.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "os.h"
#include "producer.h"

static _Thread_local char last_error[256];

static void remember_errno(void)
{
	snprintf(last_error, sizeof last_error, "%s", strerror(errno));
}

const char *os_error(void)
{
	return last_error;
}

static void on_signal(int sig)
{
	(void)sig;
	producer_request_stop(); /* a lock-free atomic store: safe in a handler */
}

void os_catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read or sleep returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void os_sleep_until(uint64_t t_ns)
{
	/* shmfb_now_ns() is CLOCK_MONOTONIC; EINTR simply returns early. */
	struct timespec ts = {(time_t)(t_ns / SHMFB_SEC), (long)(t_ns % SHMFB_SEC)};
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

int os_stdin_wait(int64_t timeout_ns)
{
	struct pollfd pfd = {.fd = 0, .events = POLLIN};
	int pr = poll(&pfd, 1, timeout_ns < 0 ? -1 : (int)(timeout_ns / SHMFB_MS));
	if (pr < 0) {
		if (errno == EINTR)
			return 0;
		remember_errno();
		return -1;
	}
	return pr > 0;
}

long os_stdin_read(void *buf, size_t n)
{
	for (;;) {
		ssize_t k = read(0, buf, n);
		if (k >= 0)
			return (long)k;
		if (errno != EINTR && errno != EAGAIN) {
			remember_errno();
			return -1;
		}
		if (producer_stopping())
			return -1;
	}
}

int os_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int os_list_dir(const char *dir, int (*fn)(char *path, void *ctx), void *ctx)
{
	DIR *d = opendir(dir);
	if (!d) {
		remember_errno();
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *path = malloc(n);
		struct stat st;
		if (!path) {
			snprintf(last_error, sizeof last_error, "out of memory");
			rc = -1;
			break;
		}
		snprintf(path, n, "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		rc = fn(path, ctx) < 0 ? -1 : 0;
	}
	closedir(d);
	return rc;
}

struct os_thread {
	pthread_t id;
	void (*fn)(void *);
	void *arg;
};

static void *thread_main(void *p)
{
	os_thread *t = p;
	t->fn(t->arg);
	return NULL;
}

int os_thread_start(os_thread **out, void (*fn)(void *), void *arg)
{
	os_thread *t = malloc(sizeof *t);
	if (!t)
		return -1;
	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->id, NULL, thread_main, t) != 0) {
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void os_thread_join(os_thread *t)
{
	pthread_join(t->id, NULL);
	free(t);
}

int os_has_permission_bits(void)
{
	return 1; /* the mode of the shared-memory object or file */
}
