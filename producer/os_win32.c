/*
 * os_win32.c - producer/os.h on Windows.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "producer.h"

/* Windows 10 1803 and later: a timer that is not rounded to the 15.6 ms tick. */
#ifndef CREATE_WAITABLE_TIMER_HIGH_RESOLUTION
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002
#endif

static _Thread_local char last_error[256];

static void remember_win_error(const char *what)
{
	snprintf(last_error, sizeof last_error, "%s: Windows error %lu", what,
		 (unsigned long)GetLastError());
}

const char *os_error(void)
{
	return last_error;
}

static BOOL WINAPI on_console_event(DWORD event)
{
	producer_request_stop();
	/* Windows ends the process when this returns from a close, logoff or
	 * shutdown event: give main a moment to close the mapping. */
	if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT)
		Sleep(1000);
	return TRUE;
}

void os_catch_stop(void)
{
	SetConsoleCtrlHandler(on_console_event, TRUE);
}

/* One timer per thread (the video loop and the audio thread each sleep). */
static _Thread_local HANDLE timer;

void os_sleep_until(uint64_t t_ns)
{
	uint64_t now = shmfb_now_ns();
	if (now >= t_ns)
		return;
	if (!timer) {
		timer = CreateWaitableTimerExW(NULL, NULL, CREATE_WAITABLE_TIMER_HIGH_RESOLUTION,
					       TIMER_ALL_ACCESS);
		if (!timer) /* before Windows 10 1803, and under some Wine versions */
			timer = CreateWaitableTimerW(NULL, TRUE, NULL);
	}
	/* Relative due time in 100 ns units, negative. */
	LARGE_INTEGER due;
	due.QuadPart = -(LONGLONG)((t_ns - now + 99) / 100);
	if (timer && SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE))
		WaitForSingleObject(timer, INFINITE);
	else
		Sleep((DWORD)((t_ns - now + SHMFB_MS - 1) / SHMFB_MS));
}

int os_stdin_wait(int64_t timeout_ns)
{
	HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
	DWORD ms = timeout_ns < 0 ? INFINITE : (DWORD)(timeout_ns / SHMFB_MS);
	switch (GetFileType(in)) {
	case FILE_TYPE_PIPE: {
		/* Pipes cannot be waited on: peek every millisecond or so. */
		uint64_t end = shmfb_now_ns() + (uint64_t)ms * SHMFB_MS;
		for (;;) {
			DWORD avail = 0;
			if (!PeekNamedPipe(in, NULL, 0, NULL, &avail, NULL))
				return 1; /* broken pipe (end of input) or an error: the read tells */
			if (avail)
				return 1;
			if (producer_stopping() || shmfb_now_ns() >= end)
				return 0;
			Sleep(1);
		}
	}
	case FILE_TYPE_CHAR:
		return WaitForSingleObject(in, ms) == WAIT_OBJECT_0;
	default:
		return 1; /* a file is always readable */
	}
}

long os_stdin_read(void *buf, size_t n)
{
	HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
	DWORD got = 0;
	DWORD want = n > 0x40000000 ? 0x40000000 : (DWORD)n;
	if (!ReadFile(in, buf, want, &got, NULL)) {
		if (GetLastError() == ERROR_BROKEN_PIPE || GetLastError() == ERROR_HANDLE_EOF)
			return 0; /* the writer closed its end */
		remember_win_error("ReadFile");
		return -1;
	}
	return (long)got;
}

int os_is_dir(const char *path)
{
	DWORD a = GetFileAttributesA(path);
	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

int os_list_dir(const char *dir, int (*fn)(char *path, void *ctx), void *ctx)
{
	char glob[MAX_PATH + 4];
	if (snprintf(glob, sizeof glob, "%s\\*", dir) >= (int)sizeof glob) {
		snprintf(last_error, sizeof last_error, "path too long");
		return -1;
	}
	WIN32_FIND_DATAA e;
	HANDLE h = FindFirstFileA(glob, &e);
	if (h == INVALID_HANDLE_VALUE) {
		remember_win_error("FindFirstFile");
		return -1;
	}
	int rc = 0;
	do {
		if (e.cFileName[0] == '.' ||
		    (e.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_HIDDEN)))
			continue;
		size_t n = strlen(dir) + strlen(e.cFileName) + 2;
		char *path = malloc(n);
		if (!path) {
			snprintf(last_error, sizeof last_error, "out of memory");
			rc = -1;
			break;
		}
		snprintf(path, n, "%s/%s", dir, e.cFileName);
		rc = fn(path, ctx) < 0 ? -1 : 0;
	} while (rc == 0 && FindNextFileA(h, &e));
	FindClose(h);
	return rc;
}

struct os_thread {
	HANDLE handle;
	void (*fn)(void *);
	void *arg;
};

static unsigned __stdcall thread_main(void *p)
{
	os_thread *t = p;
	t->fn(t->arg);
	return 0;
}

int os_thread_start(os_thread **out, void (*fn)(void *), void *arg)
{
	os_thread *t = malloc(sizeof *t);
	if (!t)
		return -1;
	t->fn = fn;
	t->arg = arg;
	t->handle = (HANDLE)_beginthreadex(NULL, 0, thread_main, t, 0, NULL);
	if (!t->handle) {
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void os_thread_join(os_thread *t)
{
	WaitForSingleObject(t->handle, INFINITE);
	CloseHandle(t->handle);
	free(t);
}

int os_has_permission_bits(void)
{
	return 0; /* access is an ACL, left at the session's default */
}
