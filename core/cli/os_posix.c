/*
 * os_posix.c - what the shmfb command needs from a POSIX system beyond C.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

void cli_stdout_for_frames(void)
{
	signal(SIGPIPE, SIG_IGN); /* write() then fails with EPIPE */
}

int cli_write_stdout(const uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t k = write(1, buf, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

int cli_stdout_is_terminal(void)
{
	return isatty(1);
}

void cli_sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	nanosleep(&ts, NULL);
}
