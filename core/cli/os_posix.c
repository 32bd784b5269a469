/*
 * os_posix.c - what the shmfb command needs from a POSIX system beyond C.
 */
#include <signal.h>

#include "cli.h"

void cli_stdout_for_frames(void)
{
	signal(SIGPIPE, SIG_IGN); /* write() then fails with EPIPE */
}
