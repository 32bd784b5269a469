/*
 * app.h - what the shmfb programs share: the shmfb command (with bench),
 * shmfb-producer and shmfb-viewer.  Not part of the library: the programs
 * link it beside libshmfb, and it sees only the public shmfb.h.  Portable C,
 * no operating-system call.
 */
#ifndef SHMFB_APP_H
#define SHMFB_APP_H

#include <stdint.h>
#include <stdio.h>

/* ---- JSON */

/* Writes s as a JSON string, quotes included; control characters escaped. */
void app_json_string(FILE *f, const char *s);

/* ---- statistics */

/*
 * The rank (1 to n) of the q-quantile of n sorted samples, 0 <= q <= 1, by
 * nearest rank: the smallest rank with at least ceil(q * n) samples at or
 * below it.  0 when n is 0.
 */
uint64_t app_nearest_rank(uint64_t n, double q);

#endif
