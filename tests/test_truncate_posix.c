/*
 * test_truncate_posix.c - the object is shrunk under a reader (ftruncate by
 * anyone with write access).  Reading the lost pages would raise SIGBUS; the
 * reader must instead report SHMFB_EBADTOTALSIZE and go on living, also
 * when it reads or writes them through a copy-on-write view, and a
 * SIGBUS that is not about a shmfb mapping must still kill the process.
 * Also when another SIGBUS handler was put in front of the library's after
 * its first open (as Python's faulthandler is when enabled later): the next
 * open puts the guard back in front, and a SIGBUS that is not the guard's
 * reaches that handler once and still ends the process.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmfb.h"
#include "test.h"
#include "util.h"

/* Under TSan, let SIGBUS reach the library's handler as it does in production. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "handle_sigbus=0";
}

#define W 256
#define H 256

static void shrink(const char *path)
{
	int fd = open(path, O_RDWR);
	ASSERT(fd >= 0);
	ASSERT_EQ(ftruncate(fd, 4096), 0);
	close(fd);
}

/*
 * A handler like Python's faulthandler: it says it ran (fd 1), puts back
 * the handler it displaced and raises the signal again.
 */
static struct sigaction displaced;
static void foreign_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	(void)ctx;
	ssize_t n = write(1, "foreign\n", 8);
	(void)n;
	sigaction(sig, &displaced, NULL);
	raise(sig);
}

/* A handler that returns without curing the fault, as faulthandler does once disabled. */
static void quiet_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
	ssize_t n = write(1, "quiet\n", 6);
	(void)n;
}

static void install_foreign_handler(int quiet)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = quiet ? quiet_handler : foreign_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(sigaction(SIGBUS, &sa, &displaced), 0);
}

/* A reader of a new mapping at dir/name, with one frame published. */
static shmfb_reader *open_new(const char *name, shmfb_writer **w, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", test_tmpdir(), name);
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	ASSERT_OK(shmfb_create(path, &o, w));
	static uint8_t src[W * H * 4];
	ASSERT_OK(shmfb_writer_publish_copy(*w, src, sizeof src, 1, 0));
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(path, &r));
	return r;
}

/* A SIGBUS outside any mapping of the library: reading a truncated file. */
static void fault_elsewhere(void)
{
	char p[256];
	snprintf(p, sizeof p, "%s/plain-%d", test_tmpdir(), (int)getpid());
	int fd = open(p, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, 8192) != 0)
		_exit(4);
	volatile uint8_t *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED || ftruncate(fd, 0) != 0)
		_exit(4);
	(void)m[4096];
}

enum elsewhere { NOT_ELSEWHERE, ELSEWHERE, ELSEWHERE_QUIET };

/*
 * Child: a handler goes in front of the guard after the first open; after
 * the next open a truncation is still the guard's (exit 0), and a SIGBUS
 * elsewhere reaches that handler and ends the child, also when the handler
 * returns without curing it (it would otherwise be called for ever; an
 * alarm ends such a child).
 */
static int handler_replaced_after_open(enum elsewhere elsewhere)
{
	char p1[256], p2[256];
	shmfb_writer *w1, *w2;
	shmfb_reader *r1 = open_new("first.shmfb", &w1, p1, sizeof p1);
	install_foreign_handler(elsewhere == ELSEWHERE_QUIET);
	shmfb_reader *r2 = open_new("second.shmfb", &w2, p2, sizeof p2);
	if (elsewhere) {
		alarm(10);
		fault_elsewhere();
		return 5; /* not reached: the fault ends the process */
	}
	static uint8_t dst[W * H * 4];
	shmfb_frame f;
	shrink(p1); /* the first reader's mapping: guarded since before the handler came */
	ASSERT_EQ(shmfb_reader_copy_latest(r1, dst, sizeof dst, &f), SHMFB_EBADTOTALSIZE);
	shrink(p2);
	ASSERT_EQ(shmfb_reader_copy_latest(r2, dst, sizeof dst, &f), SHMFB_EBADTOTALSIZE);
	shmfb_reader_close(r1);
	shmfb_reader_close(r2);
	shmfb_writer_close(w1);
	shmfb_writer_close(w2);
	return 0;
}

/* Runs handler_replaced_after_open in a child; its status, its output in out. */
static int run_child(enum elsewhere elsewhere, char *out, size_t cap)
{
	int pipefd[2];
	ASSERT_EQ(pipe(pipefd), 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		_exit(handler_replaced_after_open(elsewhere));
	}
	close(pipefd[1]);
	size_t len = 0;
	ssize_t n;
	while (len + 1 < cap && (n = read(pipefd[0], out + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(pipefd[0]);
	int st;
	waitpid(pid, &st, 0);
	return st;
}

/*
 * ThreadSanitizer interposes sigaction and calls every handler from a
 * handler of its own, so which handler sees a fault outside the library, and
 * how often, is its business there; the plain and ASan/UBSan builds check it.
 */
static int under_tsan(void)
{
#if defined(__SANITIZE_THREAD__)
	return 1;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
	return 1;
#endif
#endif
	return 0;
}

static void check_handler_replaced_after_open(void)
{
	char out[256];
	int st = run_child(NOT_ELSEWHERE, out, sizeof out);
	if (!WIFEXITED(st))
		FAIL_AT("a truncation after a handler replaced the guard killed the reader (signal %d)",
			WTERMSIG(st));
	ASSERT_EQ(WEXITSTATUS(st), 0);
	ASSERT(!strcmp(out, "")); /* the guard's faults never reached the other handler */

	if (under_tsan()) {
		printf("# a SIGBUS elsewhere: not checked under ThreadSanitizer, which runs every handler from its own\n");
		return;
	}
	for (int quiet = 0; quiet < 2; quiet++) {
		st = run_child(quiet ? ELSEWHERE_QUIET : ELSEWHERE, out, sizeof out);
		/* once: no loop between the two handlers, nor into a handler that returns */
		ASSERT(!strcmp(out, quiet ? "quiet\n" : "foreign\n"));
		if (WIFEXITED(st)) /* under a sanitizer, its own handler reports it and exits 1 */
			ASSERT_EQ(WEXITSTATUS(st), 1);
		else
			ASSERT_EQ(WTERMSIG(st), SIGBUS);
	}
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	char path[256];
	snprintf(path, sizeof path, "%s/shrink.shmfb", test_tmpdir());
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = W;
	o.height = H;
	o.audio_rate = 48000;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(path, &o, &w));
	static uint8_t src[W * H * 4], dst[W * H * 4];
	ASSERT_OK(shmfb_writer_publish_copy(w, src, sizeof src, 1, 0));
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(path, &r));
	shmfb_frame f;
	ASSERT_OK(shmfb_reader_latest(r, &f));
	const uint8_t *pixels = f.data[0];
	shmfb_view v;
	ASSERT_OK(shmfb_reader_view_latest(r, &v));
	v.data[0][0] = 1; /* one private page */

	shrink(path);
	/* The view first, so that it alone tells the reader: its lost pages
	 * read as zeros and take writes (the reader may be drawing). */
	volatile uint8_t *vp = v.data[0];
	ASSERT_EQ(vp[W * H * 4 - 1], 0);
	vp[W * H * 4 - 1] = 7;
	ASSERT_EQ(vp[W * H * 4 - 1], 7);
	ASSERT_EQ(shmfb_view_check(r, &v), SHMFB_EBADTOTALSIZE);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "truncated under the view");
	shmfb_view_release(r, &v);
	/* A zero-copy pointer taken before: reading it must not kill us. */
	volatile uint8_t sink = pixels[W * H * 4 - 1];
	(void)sink;
	ASSERT_EQ(shmfb_reader_copy_latest(r, dst, sizeof dst, &f), SHMFB_EBADTOTALSIZE);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), "truncated");
	ASSERT_EQ(shmfb_reader_status(r), SHMFB_EBADTOTALSIZE);
	/* A wait with no timeout must not sleep forever on the lost mapping. */
	ASSERT_EQ(shmfb_reader_wait(r, 0, -1, 0), SHMFB_EBADTOTALSIZE);
	ASSERT_EQ(shmfb_audio_wait(r, -1, 0), SHMFB_EBADTOTALSIZE);
	shmfb_audio_block b;
	int16_t pcm[64];
	ASSERT_EQ(shmfb_audio_read(r, pcm, 16, &b), SHMFB_EBADTOTALSIZE);
	shmfb_reader_close(r);
	shmfb_writer_close(w);

	/* A SIGBUS that is not about a shmfb mapping still ends the process. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char p2[256], p3[256];
		snprintf(p3, sizeof p3, "%s/guarded.shmfb", test_tmpdir());
		shmfb_writer *w2;
		shmfb_reader *r2;
		if (shmfb_create(p3, &o, &w2) != 0 || shmfb_open(p3, &r2) != 0)
			_exit(3); /* a guarded reader exists: the handler is installed */
		snprintf(p2, sizeof p2, "%s/plain", test_tmpdir());
		int fd = open(p2, O_RDWR | O_CREAT, 0600);
		if (ftruncate(fd, 8192) != 0)
			_exit(4);
		volatile uint8_t *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
		if (ftruncate(fd, 0) != 0)
			_exit(4);
		(void)m[4096];
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	/* Killed by SIGBUS; under a sanitizer, its own handler reports it and exits 1. */
	if (WIFEXITED(st))
		ASSERT_EQ(WEXITSTATUS(st), 1);
	else
		ASSERT_EQ(WTERMSIG(st), SIGBUS);
	check_handler_replaced_after_open();
	return 0;
}
