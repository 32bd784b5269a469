/*
 * ready.h - a writer process that waits until its reader processes have
 * attached, instead of for a guessed delay: under Wine on a loaded machine
 * a process takes a second or more to start, and a reader that attached
 * after the writer had begun missed what it was there to check.  Reader i
 * of a mapping says so with a file in a directory the parent gives both
 * (its test_tmpdir()).
 */
#ifndef SHMFB_TEST_READY_H
#define SHMFB_TEST_READY_H

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static inline void test_ready_path(char *out, size_t n, const char *dir, const char *name, int i)
{
	snprintf(out, n, "%s/%s.%d.ready", dir, name, i);
}

/* Reader `index` of mapping `name` has attached; exits 1 if it cannot say so. */
static inline void test_say_ready(const char *dir, const char *name, int index)
{
	char path[512];
	test_ready_path(path, sizeof path, dir, name, index);
	FILE *f = fopen(path, "w");
	if (!f || fclose(f) != 0) {
		fprintf(stderr, "reader: cannot write %s\n", path);
		exit(1);
	}
}

/*
 * Until readers 0 .. readers-1 of name have attached (60 s), then says on
 * stderr how long that took; 0, or -1 when one never did.
 */
static inline int test_wait_ready(const char *dir, const char *name, int readers)
{
	int waited = 0;
	for (int i = 0; i < readers;) {
		char path[512];
		test_ready_path(path, sizeof path, dir, name, i);
		FILE *f = fopen(path, "r");
		if (f) {
			fclose(f);
			i++;
		} else if (waited >= 60000) {
			fprintf(stderr, "writer: reader %d never attached\n", i);
			return -1;
		} else {
			test_sleep_ms(10);
			waited += 10;
		}
	}
	fprintf(stderr, "writer: %d readers attached within %d ms\n", readers, waited);
	return 0;
}

#endif
