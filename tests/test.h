/*
 * test.h - assertions for shmfb's tests.  Each tests/test_*.c is one program
 * that exits 0 on success, 1 on failure, 77 when skipped.  The checks abort
 * with both values printed, also under NDEBUG.
 */
#ifndef SHMFB_TEST_H
#define SHMFB_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_SKIP 77

#define FAIL_AT(...)                                                           \
	do {                                                                   \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		exit(1);                                                       \
	} while (0)

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond))                                                   \
			FAIL_AT("assertion failed: %s", #cond);                \
	} while (0)

#define ASSERT_CMP(a, op, b)                                                   \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (!(a_ op b_))                                               \
			FAIL_AT("%s %s %s: %lld vs %lld", #a, #op, #b, a_, b_); \
	} while (0)
#define ASSERT_EQ(a, b) ASSERT_CMP(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_CMP(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_CMP(a, <, b)
#define ASSERT_LE(a, b) ASSERT_CMP(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_CMP(a, >, b)
#define ASSERT_GE(a, b) ASSERT_CMP(a, >=, b)

/* Asserts a shmfb call returned 0, printing its detail otherwise. */
#define ASSERT_OK(expr)                                                        \
	do {                                                                   \
		int rc_ = (expr);                                              \
		if (rc_ != 0)                                                  \
			FAIL_AT("%s returned %d (%s): %s", #expr, rc_,         \
				shmfb_strerror(rc_), shmfb_errdetail());       \
	} while (0)

#define ASSERT_STR_CONTAINS(hay, needle)                                       \
	do {                                                                   \
		const char *h_ = (hay), *n_ = (needle);                        \
		if (!h_ || !strstr(h_, n_))                                    \
			FAIL_AT("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
	} while (0)

#endif
