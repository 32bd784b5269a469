/*
 * prog.h - running one of shmfb's programs ($SHMFB_BIN/NAME) from a C test
 * as a real child process, and reading back what it wrote (POSIX only:
 * tests/prog_posix.c).
 */
#ifndef SHMFB_TEST_PROG_H
#define SHMFB_TEST_PROG_H

#include <stddef.h>
#include <sys/types.h>

#include "shmfb.h"

/*
 * Finds $SHMFB_BIN/program; 0, or TEST_SKIP with a line on stdout when it is
 * not there.  The child running at exit is killed.
 */
int prog_init(const char *program);
/* $SHMFB_BIN, for building other command lines. */
const char *prog_bin_dir(void);
/* Starts the program with args (NULL-terminated); stdin from in_fd (or
 * /dev/null when < 0), stderr to err_path. */
pid_t prog_spawn(const char *const *args, int in_fd, const char *err_path);
/* Its exit status (128 + signal when killed); fails the test after 10 s. */
int prog_wait(pid_t pid);
/* SIGTERM, and it must exit 0. */
void prog_stop(pid_t pid);
/* Opens the mapping NAME once the child has created it (5 s). */
shmfb_reader *prog_open_when_ready(const char *name);
/* The file's contents (up to 1 MiB), NUL-terminated; *len its length. */
char *prog_slurp(const char *path, size_t *len);

#endif
