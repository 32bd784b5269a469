/*
 * os_win32.c - what the shmfb command needs from Windows beyond C.
 */
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include "cli.h"

void cli_stdout_for_frames(void)
{
	/* Text mode would turn every 0x0a byte of a frame into 0x0d 0x0a.
	 * Windows has no SIGPIPE: a closed pipe already fails with EPIPE. */
	_setmode(1, _O_BINARY);
}

void cli_sleep_ns(uint64_t ns)
{
	Sleep((DWORD)((ns + 999999) / 1000000));
}
