/*
 * cli.h - the subcommands of build/bin/shmfb.  Each takes argc/argv with
 * argv[0] the subcommand's name and returns the exit status: 0 success,
 * 1 runtime error, 2 usage error.
 */
#ifndef SHMFB_CLI_H
#define SHMFB_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "app.h" /* app_fail: "shmfb: <message>"; app_parse_seconds */
#include "shmfb.h"

int cmd_info(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/*
 * Makes standard output fit for raw frames (os_posix.c, os_win32.c): a
 * closed pipe becomes an EPIPE error, the normal way a consumer says
 * "enough", instead of a signal; and no text-mode newline translation.
 */
void cli_stdout_for_frames(void);
/* Writes all of buf to standard output (os_posix.c, os_win32.c): 0, or -1
 * with errno set (EPIPE for a closed pipe). */
int cli_write_stdout(const uint8_t *buf, size_t n);
/* Whether standard output is a terminal (os_posix.c, os_win32.c). */
int cli_stdout_is_terminal(void);
/* Sleeps ns nanoseconds (os_posix.c, os_win32.c). */
void cli_sleep_ns(uint64_t ns);

/*
 * A NAME given on the command line against the naming rules: 0, or 2 (a
 * usage error) after "shmfb: CMD: <why>".  A name that obeys them and then
 * fails to open (missing, a refused symbolic link, permission) is a failure
 * at run time: exit status 1.
 */
int cli_check_name(const char *cmd, const char *name);
/* Parses a whole decimal number in [min, max]; 0 or -1. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
