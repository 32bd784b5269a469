/*
 * util_win32.c - tests/util.h on Windows: CreateProcess for the child
 * copies of a test, TerminateProcess for a hard kill.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#define PSAPI_VERSION 2 /* QueryWorkingSetEx is K32QueryWorkingSetEx, in kernel32 */
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *role;
static char **child_args;

/* One line instead of Wine's debugger dump; the exit code is the exception's. */
static LONG WINAPI report_crash(EXCEPTION_POINTERS *e)
{
	const EXCEPTION_RECORD *r = e->ExceptionRecord;
	fprintf(stderr, "exception 0x%08lx at %p\n", (unsigned long)r->ExceptionCode, r->ExceptionAddress);
	fflush(stderr);
	return EXCEPTION_EXECUTE_HANDLER;
}

void test_init(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--child")) {
		role = argv[2];
		child_args = argv + 3;
	}
	/* A crashing child exits with its exception code; no dialog, no debugger. */
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
	SetUnhandledExceptionFilter(report_crash);
}

const char *test_child_role(void) { return role; }
char **test_child_args(void) { return child_args; }

/* Appends one argument quoted the way the C runtime splits it again. */
static void append_arg(char *cmd, size_t cap, const char *arg)
{
	size_t n = strlen(cmd);
	if (n && n + 1 < cap)
		cmd[n++] = ' ';
	if (n + 1 < cap)
		cmd[n++] = '"';
	for (const char *s = arg; *s && n + 3 < cap; s++) {
		size_t slashes = 0;
		while (s[slashes] == '\\')
			slashes++;
		/* Backslashes double only before a quote or the closing quote. */
		int before_quote = s[slashes] == '"' || s[slashes] == 0;
		for (size_t i = 0; i < slashes * (before_quote ? 2 : 1) && n + 3 < cap; i++)
			cmd[n++] = '\\';
		s += slashes;
		if (!*s)
			break;
		if (*s == '"')
			cmd[n++] = '\\';
		cmd[n++] = *s;
	}
	if (n + 1 < cap)
		cmd[n++] = '"';
	cmd[n] = 0;
}

int test_spawn_self(test_proc *p, const char *r, const char *const args[])
{
	char exe[MAX_PATH];
	static char cmd[8192];
	if (!GetModuleFileNameA(NULL, exe, sizeof exe))
		return -1;
	cmd[0] = 0;
	append_arg(cmd, sizeof cmd, exe);
	append_arg(cmd, sizeof cmd, "--child");
	append_arg(cmd, sizeof cmd, r);
	for (int i = 0; args && args[i]; i++)
		append_arg(cmd, sizeof cmd, args[i]);
	fflush(NULL);
	/* The child writes to the same log: hand it our standard handles. */
	STARTUPINFOA si;
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
	si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
	HANDLE std[] = {si.hStdInput, si.hStdOutput, si.hStdError};
	for (int i = 0; i < 3; i++) {
		if (std[i] && std[i] != INVALID_HANDLE_VALUE)
			SetHandleInformation(std[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
	}
	PROCESS_INFORMATION pi;
	/* Wine now and then fails a start under load (ERROR_INTERNAL_ERROR): retry. */
	for (int attempt = 0; !CreateProcessA(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi); attempt++) {
		fprintf(stderr, "CreateProcess %s: Windows error %lu%s\n", exe, (unsigned long)GetLastError(),
			attempt < 4 ? ", retrying" : "");
		if (attempt == 4)
			return -1;
		Sleep(50);
	}
	CloseHandle(pi.hThread);
	p->handle = (intptr_t)pi.hProcess;
	p->pid = (uint32_t)pi.dwProcessId;
	return 0;
}

int test_wait(test_proc *p, int timeout_ms)
{
	HANDLE h = (HANDLE)p->handle;
	if (!h)
		return -1;
	if (WaitForSingleObject(h, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms) != WAIT_OBJECT_0)
		return -1;
	DWORD code = 0;
	GetExitCodeProcess(h, &code);
	CloseHandle(h);
	p->handle = 0;
	return (int)code; /* a crash gives its exception code, e.g. 0xC0000005 */
}

/* 128 + SIGKILL, the status the POSIX build reports for a killed child. */
#define KILLED_STATUS 137

void test_kill(test_proc *p)
{
	if (p->handle)
		TerminateProcess((HANDLE)p->handle, KILLED_STATUS);
}

void test_sleep_ms(int ms)
{
	Sleep((DWORD)ms);
}

int test_names_persist(void)
{
	return 0;
}

uint32_t test_proc_self_pid(void)
{
	return (uint32_t)GetCurrentProcessId();
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
	snprintf(b, sizeof buf[0], "%s-%lu-%d", base, (unsigned long)GetCurrentProcessId(), n);
	n++;
	return b;
}

/* With '/' separators: a shmfb name holding '/' is a file path. */
const char *test_tmpdir(void)
{
	static char dir[MAX_PATH + 64];
	if (dir[0])
		return dir;
	char tmp[MAX_PATH];
	DWORD n = GetTempPathA(sizeof tmp, tmp);
	if (n == 0 || n >= sizeof tmp)
		snprintf(tmp, sizeof tmp, "C:\\");
	snprintf(dir, sizeof dir, "%sshmfb-test-%lu-%lu", tmp, (unsigned long)GetCurrentProcessId(),
		 (unsigned long)GetTickCount());
	for (char *c = dir; *c; c++) {
		if (*c == '\\')
			*c = '/';
	}
	if (!CreateDirectoryA(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
		snprintf(dir, sizeof dir, "%s", tmp);
	return dir;
}

long long test_private_bytes(const void *p, size_t n)
{
	enum { PAGE = 4096, BATCH = 512 };
	PSAPI_WORKING_SET_EX_INFORMATION info[BATCH];
	long long total = 0;
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(PAGE - 1), end = (uintptr_t)p + n;
	while (a < end) {
		DWORD k = 0;
		for (; k < BATCH && a + (uintptr_t)k * PAGE < end; k++)
			info[k].VirtualAddress = (void *)(a + (uintptr_t)k * PAGE);
		if (!QueryWorkingSetEx(GetCurrentProcess(), info, k * (DWORD)sizeof info[0]))
			return -1;
		for (DWORD i = 0; i < k; i++)
			if (info[i].VirtualAttributes.Valid && !info[i].VirtualAttributes.Shared)
				total += PAGE;
		a += (uintptr_t)k * PAGE;
	}
	return total;
}
