/*
 * os_win32.c - what the shmfb command needs from Windows beyond C.
 */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <limits.h>
#include <windows.h>

#include "cli.h"

void cli_stdout_for_frames(void)
{
	/* Text mode would turn every 0x0a byte of a frame into 0x0d 0x0a.
	 * Windows has no SIGPIPE: a closed pipe fails the write instead
	 * (cli_write_stdout). */
	_setmode(1, _O_BINARY);
}

int cli_write_stdout(const uint8_t *buf, size_t n)
{
	while (n) {
		/* _write takes an unsigned int count and returns an int. */
		int k = _write(1, buf, (unsigned)(n > INT_MAX ? INT_MAX : n));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			/* The CRT says EINVAL for a pipe whose reader has gone
			 * (ERROR_NO_DATA on Windows, ERROR_PIPE_NOT_CONNECTED
			 * under Wine): what EPIPE means elsewhere. */
			DWORD why = GetLastError();
			if (why == ERROR_NO_DATA || why == ERROR_PIPE_NOT_CONNECTED || why == ERROR_BROKEN_PIPE)
				errno = EPIPE;
			return -1;
		}
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

int cli_stdout_is_terminal(void)
{
	return _isatty(1) != 0;
}

void cli_sleep_ns(uint64_t ns)
{
	Sleep((DWORD)((ns + 999999) / 1000000));
}
