/*
 * os_posix.c - what the shmfb command needs from a POSIX system beyond C.
 */
#include <signal.h>
#include <time.h>

#include "cli.h"

void cli_stdout_for_frames(void)
{
	signal(SIGPIPE, SIG_IGN); /* write() then fails with EPIPE */
}

void cli_sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	nanosleep(&ts, NULL);
}
