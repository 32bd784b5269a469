/*
 * util.h - what the tests need from the OS, kept out of the test bodies so
 * the same tests build for Windows (tests/util_win32.c) and Linux
 * (tests/util_posix.c).
 *
 * Cross-process tests re-run their own program as a child with a role in
 * argv (libuv's test runner does the same): main() checks test_child_role().
 */
#ifndef SHMFB_TEST_UTIL_H
#define SHMFB_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct test_proc {
	intptr_t handle; /* pid on POSIX, HANDLE on Win32 */
	uint32_t pid;
} test_proc;

/* Remembers argv[0] for test_spawn_self; call first in main. */
void test_init(int argc, char **argv);
/* In a child started by test_spawn_self: its role (argv[1] after "--child"), else NULL. */
const char *test_child_role(void);
/* The child's extra arguments (after the role), NULL-terminated. */
char **test_child_args(void);

/* A role a test starts its own program in, and what the child runs. */
typedef struct test_role {
	const char *name;
	int (*run)(char **args);
} test_role;

/*
 * In a child whose role is one of roles (ended by {NULL}): runs it with the
 * child's arguments and exits with what it returns.  Otherwise returns.
 */
static inline void test_run_child_role(const test_role *roles)
{
	const char *role = test_child_role();
	for (const test_role *r = roles; role && r->name; r++)
		if (!strcmp(role, r->name))
			exit(r->run(test_child_args()));
}

/* Starts this program again as `prog --child ROLE ARGS...`. 0 or -1. */
int test_spawn_self(test_proc *p, const char *role, const char *const args[]);
/* Waits up to timeout_ms (< 0 forever). Exit code, 128+signal, or -1 on timeout. */
int test_wait(test_proc *p, int timeout_ms);
/* Kills without letting it clean up (SIGKILL / TerminateProcess). */
void test_kill(test_proc *p);
void test_sleep_ms(int ms);
/* This process's id, as a producer's pid is stored in the header. */
uint32_t test_proc_self_pid(void);
/*
 * 1 where a plain name outlives every handle to it until unlinked (POSIX),
 * 0 where it goes with its last handle (Windows: no stale names to take over
 * while a reader holds one, no SHMFB_CREATE_KEEP, no replacing a live
 * producer's name; docs/WINDOWS.md).
 */
int test_names_persist(void);
/* full, or quick when SHMFB_TEST_QUICK is set (valgrind runs: 20-50x slower). */
int test_scale(int full, int quick);
/* "base-<pid>-<counter>": a mapping name no other test run uses. */
const char *test_unique_name(const char *base);
/* Creates a throwaway directory for file-backed mappings; its path. */
const char *test_tmpdir(void);

/*
 * Bytes of [p, p + n) that are this process's private copies (a
 * copy-on-write page it wrote), as the OS counts them: the Anonymous lines
 * of /proc/self/smaps for the mappings over the range (Linux), the working
 * set pages that are valid and not shared (QueryWorkingSetEx, Windows).
 * -1 when the OS cannot tell.
 */
long long test_private_bytes(const void *p, size_t n);

#endif
