/*
 * os.h - everything shmfb-producer asks of the operating system beyond the C
 * library and shmfb.h, so the other producer files build unchanged for Linux
 * (os_posix.c) and Windows (os_win32.c); the Makefile links one of the two.
 */
#ifndef SHMFB_PRODUCER_OS_H
#define SHMFB_PRODUCER_OS_H

#include <stddef.h>
#include <stdint.h>

/*
 * SIGINT/SIGTERM (POSIX), Ctrl-C, Ctrl-Break and console close (Windows)
 * set producer_stop.  A blocked wait or sleep may end early; callers wait
 * in pieces anyway.
 */
void os_catch_stop(void);

/* Sleeps until t_ns on the clock of shmfb_now_ns() (absolute deadline). */
void os_sleep_until(uint64_t t_ns);

/*
 * Waits up to timeout_ns for standard input to have bytes (or end of input,
 * or an error: the read says which).  1 ready, 0 timed out or interrupted,
 * -1 error (os_error() says why).
 */
int os_stdin_wait(int64_t timeout_ns);
/* Reads up to n bytes of standard input, unbuffered: > 0, 0 at end of input, -1 error. */
long os_stdin_read(void *buf, size_t n);
/* Text of the last failed os_* call in this thread. */
const char *os_error(void);

/* 1 where a mapping has permission bits (--mode), 0 where it has not (Windows). */
int os_has_permission_bits(void);

/* 1 when path names a directory. */
int os_is_dir(const char *path);
/*
 * Calls fn(path) for each regular, non-hidden file of dir (any order; path
 * is "dir/name", malloc'd and owned by fn).  0, or -1 when dir cannot be
 * read (os_error() says why) or fn returns < 0.
 */
int os_list_dir(const char *dir, int (*fn)(char *path, void *ctx), void *ctx);

/* A second thread (the audio writer).  0, or -1. */
typedef struct os_thread os_thread;
int os_thread_start(os_thread **t, void (*fn)(void *), void *arg);
void os_thread_join(os_thread *t);

#endif
