/*
 * test_platform_win32.c - what the Windows backend promises beyond the
 * portable tests: read-only views, name collisions, Global\, every reader
 * woken by one publish, a dead producer's readers time out, mappings over
 * 4 GiB, names that go with their last handle, and the shmfb command.
 * Built only for Windows.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "test.h"
#include "util.h"

#define WAITERS 4
#define WROTE_EXIT 3       /* the child's store landed: the view was writable */
#define FAULTED_EXIT 42    /* the child's store faulted, as it must */

static shmfb_writer_options small(void)
{
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 16;
	o.height = 16;
	return o;
}

static shmfb_writer *make(const char *name)
{
	shmfb_writer_options o = small();
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	return w;
}

/* ------------------------------------------------------------ children */

static void *fault_target;

static LONG CALLBACK on_fault(EXCEPTION_POINTERS *e)
{
	const EXCEPTION_RECORD *r = e->ExceptionRecord;
	if (r->ExceptionCode == EXCEPTION_ACCESS_VIOLATION && r->ExceptionInformation[0] == 1 &&
	    (void *)r->ExceptionInformation[1] == fault_target)
		ExitProcess(FAULTED_EXIT); /* a write, at our address */
	return EXCEPTION_CONTINUE_SEARCH;
}

/* Child: open read-only and store into the header under a fault handler. */
static int run_writer(char **a)
{
	shmfb_reader *r;
	if (shmfb_open(a[0], &r) != 0) {
		fprintf(stderr, "write: %s\n", shmfb_errdetail());
		return 1;
	}
	fault_target = (uint8_t *)r->seg.base + offsetof(struct shmfb__header, reserved0); /* harmless if it lands */
	AddVectoredExceptionHandler(1, on_fault);
	*(volatile uint8_t *)fault_target = 0x5a;
	return WROTE_EXIT;
}

/* Child: say it is ready, then wait for frame 1 with a long timeout. */
static int run_waiter(char **a)
{
	shmfb_reader *r;
	if (shmfb_open(a[0], &r) != 0) {
		fprintf(stderr, "waiter: %s\n", shmfb_errdetail());
		return 1;
	}
	HANDLE ready = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, a[1]);
	if (!ready)
		return 2;
	ReleaseSemaphore(ready, 1, NULL);
	int rc = shmfb_reader_wait(r, 0, 20 * SHMFB_SEC, 0);
	if (rc != 0 || shmfb_reader_latest_index(r) != 1) {
		fprintf(stderr, "waiter: wait returned %d, latest %llu\n", rc,
			(unsigned long long)shmfb_reader_latest_index(r));
		return 3;
	}
	shmfb_reader_close(r);
	return 0;
}

/* Child: create, publish frame 1, live until killed. */
static int run_owner(char **a)
{
	shmfb_writer *w = make(a[0]);
	shmfb_planes p;
	shmfb_writer_acquire(w, &p);
	shmfb_writer_publish(w, 1, 0);
	for (;;)
		test_sleep_ms(1000);
	return 0;
}

/* --------------------------------------------------------------- tests */

static void reader_cannot_write(void)
{
	const char *name = test_unique_name("ro");
	shmfb_writer *w = make(name);
	test_proc p;
	const char *args[] = {name, NULL};
	ASSERT_EQ(test_spawn_self(&p, "write", args), 0);
	ASSERT_EQ(test_wait(&p, 20000), FAULTED_EXIT);
	ASSERT_OK(shmfb_writer_close(w));
}

static void existing_and_colliding_names(void)
{
	const char *name = test_unique_name("exists");
	shmfb__seg a, b;
	ASSERT_OK(shmfb__plat_seg_create(name, 2 * SHMFB__PAGE, 0600, &a));
	ASSERT_EQ(shmfb__plat_seg_create(name, 2 * SHMFB__PAGE, 0600, &b), SHMFB_EEXIST);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "Windows error 183"); /* ERROR_ALREADY_EXISTS */
	shmfb__plat_seg_close(&a);

	ASSERT_EQ(shmfb__plat_seg_create(name, 0, 0600, &a), SHMFB_EZEROSIZE);

	/* An event squatting on the section's name: the collision the docs warn of. */
	name = test_unique_name("clash");
	char obj[128];
	snprintf(obj, sizeof obj, "Local\\shmfb-%s", name);
	HANDLE ev = CreateEventA(NULL, TRUE, FALSE, obj);
	ASSERT(ev != NULL);
	shmfb_writer_options o = small();
	shmfb_writer *w;
	ASSERT_EQ(shmfb_create(name, &o, &w), SHMFB_ECOLLISION);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "another kind of object");
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "Windows error 6");
	shmfb_reader *r;
	ASSERT_EQ(shmfb_open(name, &r), SHMFB_ECOLLISION);
	CloseHandle(ev);
}

static void namespaces(void)
{
	char global[96];
	snprintf(global, sizeof global, "Global\\%s", test_unique_name("glob"));
	ASSERT_OK(shmfb_name_check(global));
	ASSERT_OK(shmfb_name_check("Local\\cam0"));
	ASSERT_EQ(shmfb_name_check("Global\\"), SHMFB_EBADNAME);
	ASSERT_EQ(shmfb_name_check("Other\\cam0"), SHMFB_EBADNAME);
	ASSERT_EQ(shmfb_name_check("Global\\a\\b"), SHMFB_EBADNAME);

	/* "Local\x" and "x" are one object. */
	const char *name = test_unique_name("local");
	char local[96];
	snprintf(local, sizeof local, "Local\\%s", name);
	shmfb_writer *w = make(local);
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(name, &r));
	ASSERT_EQ(shmfb_reader_info(r)->generation, shmfb_writer_generation(w));
	shmfb_reader_close(r);
	ASSERT_OK(shmfb_writer_close(w));

	/* Global\ works, or says which privilege is missing. */
	shmfb_writer_options o = small();
	int rc = shmfb_create(global, &o, &w);
	if (rc == 0) {
		ASSERT_OK(shmfb_open(global, &r));
		ASSERT_EQ(shmfb_reader_info(r)->generation, shmfb_writer_generation(w));
		shmfb_reader_close(r);
		ASSERT_OK(shmfb_writer_close(w));
	} else {
		ASSERT_EQ(rc, SHMFB_EPERM);
		ASSERT_STR_CONTAINS(shmfb_errdetail(), "SeCreateGlobalPrivilege");
	}
}

static void every_reader_is_woken(void)
{
	const char *name = test_unique_name("wake");
	char sem[96];
	snprintf(sem, sizeof sem, "Local\\%s-ready", name);
	HANDLE ready = CreateSemaphoreA(NULL, 0, WAITERS, sem);
	ASSERT(ready != NULL);
	shmfb_writer *w = make(name);
	test_proc p[WAITERS];
	const char *args[] = {name, sem, NULL};
	for (int i = 0; i < WAITERS; i++)
		ASSERT_EQ(test_spawn_self(&p[i], "waiter", args), 0);
	for (int i = 0; i < WAITERS; i++)
		ASSERT_EQ(WaitForSingleObject(ready, 20000), WAIT_OBJECT_0);
	test_sleep_ms(300); /* let them fall asleep in the wait */
	uint64_t t0 = shmfb_now_ns();
	shmfb_planes pl;
	shmfb_writer_acquire(w, &pl);
	shmfb_writer_publish(w, 1, 0);
	for (int i = 0; i < WAITERS; i++)
		ASSERT_EQ(test_wait(&p[i], 30000), 0);
	/* Woken by the publish, not by their 20 s timeout. */
	ASSERT_LT(shmfb_now_ns() - t0, 10 * SHMFB_SEC);
	ASSERT_OK(shmfb_writer_close(w));
	CloseHandle(ready);
}

static void dead_producer_times_out(void)
{
	const char *name = test_unique_name("dead");
	test_proc p;
	const char *args[] = {name, NULL};
	ASSERT_EQ(test_spawn_self(&p, "owner", args), 0);
	shmfb_reader *r = NULL;
	for (int i = 0; i < 1000 && !r; i++) {
		if (shmfb_open(name, &r) != 0 || shmfb_reader_latest_index(r) != 1) {
			shmfb_reader_close(r);
			r = NULL;
			test_sleep_ms(10);
		}
	}
	ASSERT(r != NULL);
	ASSERT_EQ(shmfb_reader_status(r), 0);
	ASSERT_EQ(shmfb_reader_wait(r, 0, SHMFB_SEC, 0), 0); /* frame 1 is there */
	/* A stale expected value returns at once: its event is gone. */
	uint64_t t0 = shmfb_now_ns();
	ASSERT_EQ(shmfb__plat_wait(&r->seg, &r->hdr->wake, 12345, 5 * SHMFB_SEC), 0);
	ASSERT_LT(shmfb_now_ns() - t0, 2 * SHMFB_SEC);

	test_kill(&p);
	ASSERT_EQ(test_wait(&p, 10000), 137);
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_EDEAD);
	/* Nothing will set the event: the wait ends with its timeout, not later. */
	t0 = shmfb_now_ns();
	ASSERT_EQ(shmfb_reader_wait(r, 1, 500 * SHMFB_MS, 0), SHMFB_ETIMEDOUT);
	uint64_t took = shmfb_now_ns() - t0;
	ASSERT_GE(took, 450 * SHMFB_MS);
	ASSERT_LT(took, 5 * SHMFB_SEC);
	shmfb_reader_close(r);
	/* Its last handle gone, the name is free again. */
	shmfb_writer *w = make(name);
	ASSERT_OK(shmfb_writer_close(w));
}

static void name_goes_with_last_handle(void)
{
	const char *name = test_unique_name("life");
	shmfb_writer *w = make(name);
	shmfb_reader *r, *r2;
	ASSERT_OK(shmfb_open(name, &r));
	ASSERT_OK(shmfb_unlink(name)); /* nothing to remove: the name stays */
	ASSERT_OK(shmfb_writer_close(w));
	ASSERT_OK(shmfb_open(name, &r2)); /* r still holds it */
	ASSERT_EQ(shmfb_reader_status(r2), SHMFB_ECLOSED);
	shmfb_reader_close(r2);
	shmfb_reader_close(r);
	ASSERT_EQ(shmfb_open(name, &r), SHMFB_ENOENT);
	ASSERT_EQ(shmfb_unlink(name), SHMFB_ENOENT);
}

struct seen {
	const char *want;
	int found;
};

static void on_name(const char *name, void *ctx)
{
	struct seen *s = ctx;
	if (!strcmp(name, s->want))
		s->found++;
}

static void listing(void)
{
	const char *name = test_unique_name("ls");
	shmfb_writer *w = make(name);
	struct seen s = {name, 0};
	ASSERT_OK(shmfb_list(on_name, &s));
	ASSERT_EQ(s.found, 1);
	ASSERT_OK(shmfb_writer_close(w));
	s.found = 0;
	ASSERT_OK(shmfb_list(on_name, &s));
	ASSERT_EQ(s.found, 0);
}

/*
 * Runs bin\shmfb.exe (beside this test's tests\ directory) with args;
 * its exit code, and its standard output and error in out.
 */
static int run_cli(const char *args, char *out, size_t cap)
{
	char exe[MAX_PATH], cmd[1024];
	GetModuleFileNameA(NULL, exe, sizeof exe);
	char *slash = strrchr(exe, '\\');
	ASSERT(slash != NULL);
	*slash = 0;
	slash = strrchr(exe, '\\');
	ASSERT(slash != NULL);
	snprintf(slash, sizeof exe - (size_t)(slash - exe), "\\bin\\shmfb.exe");
	snprintf(cmd, sizeof cmd, "\"%s\" %s", exe, args);
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
	HANDLE rd, wr;
	ASSERT(CreatePipe(&rd, &wr, &sa, 0));
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
	STARTUPINFOA si;
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = wr;
	si.hStdError = wr;
	PROCESS_INFORMATION pi;
	if (!CreateProcessA(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
		FAIL_AT("cannot start %s: Windows error %lu", exe, (unsigned long)GetLastError());
	CloseHandle(wr);
	size_t n = 0;
	DWORD k;
	while (n + 1 < cap && ReadFile(rd, out + n, (DWORD)(cap - 1 - n), &k, NULL) && k)
		n += k;
	out[n] = 0;
	CloseHandle(rd);
	ASSERT_EQ(WaitForSingleObject(pi.hProcess, 20000), WAIT_OBJECT_0);
	DWORD code;
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return (int)code;
}

/* The shmfb command on Windows: info, ls, rm, and bench saying it is absent. */
static void cli(void)
{
	static char out[16384];
	const char *name = test_unique_name("cli");
	shmfb_writer *w = make(name);
	char args[128];
	snprintf(args, sizeof args, "info %s", name);
	ASSERT_EQ(run_cli(args, out, sizeof out), 0);
	ASSERT_STR_CONTAINS(out, "16x16 rgba");
	ASSERT_STR_CONTAINS(out, "running");
	ASSERT_EQ(run_cli("ls", out, sizeof out), 0);
	ASSERT_STR_CONTAINS(out, name);
	snprintf(args, sizeof args, "info %s-none", name);
	ASSERT_EQ(run_cli(args, out, sizeof out), 1);
	ASSERT_STR_CONTAINS(out, "shmfb: ");
	ASSERT_STR_CONTAINS(out, "no such mapping");
	ASSERT_EQ(run_cli("info bad\\name", out, sizeof out), 2);
	ASSERT_EQ(run_cli("bench", out, sizeof out), 1);
	ASSERT_STR_CONTAINS(out, "not available");
	ASSERT_OK(shmfb_writer_close(w));
	snprintf(args, sizeof args, "rm %s", name);
	ASSERT_EQ(run_cli(args, out, sizeof out), 1);
	ASSERT_STR_CONTAINS(out, "no such mapping");
}

/* A file of 4 GiB + 8 KiB (sparse): the view and its size go past 32 bits. */
static void over_4gib(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/big.shmfb", test_tmpdir());
	HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
			       FILE_ATTRIBUTE_NORMAL, NULL);
	ASSERT(f != INVALID_HANDLE_VALUE);
	const uint64_t size = (4ull << 30) + 2 * SHMFB__PAGE;
	LARGE_INTEGER end;
	end.QuadPart = (LONGLONG)size;
	ASSERT(SetFilePointerEx(f, end, NULL, FILE_BEGIN) && SetEndOfFile(f));
	CloseHandle(f);
	shmfb__seg seg;
	ASSERT_OK(shmfb__plat_seg_open(path, 0, &seg));
	ASSERT_EQ(seg.size, size);
	ASSERT_EQ(((volatile uint8_t *)seg.base)[size - 1], 0);
	shmfb__plat_seg_close(&seg);
	ASSERT(DeleteFileA(path));

	/* Creating one faults in 4 GiB, so only on request. */
	if (!getenv("SHMFB_TEST_BIG"))
		return;
	const char *name = test_unique_name("big");
	ASSERT_OK(shmfb__plat_seg_create(name, size, 0600, &seg));
	ASSERT_EQ(seg.size, size);
	((volatile uint8_t *)seg.base)[size - 1] = 7;
	shmfb__seg other;
	ASSERT_OK(shmfb__plat_seg_open(name, 0, &other));
	ASSERT_EQ(other.size, size);
	ASSERT_EQ(((volatile uint8_t *)other.base)[size - 1], 7);
	shmfb__plat_seg_close(&other);
	shmfb__plat_seg_close(&seg);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	static const test_role roles[] = {
		{"write", run_writer}, {"waiter", run_waiter}, {"owner", run_owner}, {NULL, NULL}};
	test_run_child_role(roles);
	reader_cannot_write();
	existing_and_colliding_names();
	namespaces();
	every_reader_is_woken();
	dead_producer_times_out();
	name_goes_with_last_handle();
	listing();
	cli();
	over_4gib();
	return 0;
}
