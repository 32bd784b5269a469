/*
 * test_truncate_posix.c - the object is shrunk under a reader (ftruncate by
 * anyone with write access).  Reading the lost pages would raise SIGBUS; the
 * reader must instead report SHMFB_EBADTOTALSIZE and go on living, also
 * when it reads or writes them through a copy-on-write view, and a
 * SIGBUS that is not about a shmfb mapping must still kill the process.
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
	return 0;
}
