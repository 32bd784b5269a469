/*
 * test_errors.c - the error codes: every code listed in shmfb.h has its
 * name and text, the numbers published before the list was generated have
 * not moved, and the errno-shaped ones equal -errno on Linux.
 *
 * The list is read from the text of core/include/shmfb.h, not from the
 * macro, so a code the generated tables missed is caught.
 */
#include <errno.h>

#include "shmfb.h"
#include "test.h"

#define MAX_CODES 128

struct code {
	char name[48];
	int value;
	char text[128];
};

/* The XX(NAME, VALUE, "TEXT") rows of the header; returns how many. */
static int parse_header(struct code *out, int max)
{
	FILE *f = fopen("core/include/shmfb.h", "r");
	if (!f)
		FAIL_AT("cannot open core/include/shmfb.h (run from the top of the tree)");
	char line[512];
	int n = 0, in_map = 0;
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "#define SHMFB_ERRNO_MAP(XX)"))
			in_map = 1;
		if (!in_map)
			continue;
		char name[40];
		struct code c;
		if (sscanf(line, " XX(%39[A-Z0-9_], %d, \"%127[^\"]\")", name, &c.value, c.text) == 3) {
			ASSERT_LT(n, max);
			snprintf(c.name, sizeof c.name, "SHMFB_%s", name);
			out[n++] = c;
		}
		if (!strchr(line, '\\'))
			in_map = 0; /* the last line of the macro */
	}
	fclose(f);
	return n;
}

/* The numbers as published before the list existed: they may never change. */
#define PUBLISHED(c, v) {#c, c, v}
static const struct {
	const char *name;
	int compiled, published;
} published[] = {
	PUBLISHED(SHMFB_OK, 0),
	PUBLISHED(SHMFB_EPERM, -1),
	PUBLISHED(SHMFB_ENOENT, -2),
	PUBLISHED(SHMFB_EINTR, -4),
	PUBLISHED(SHMFB_EIO, -5),
	PUBLISHED(SHMFB_EAGAIN, -11),
	PUBLISHED(SHMFB_ENOMEM, -12),
	PUBLISHED(SHMFB_EACCES, -13),
	PUBLISHED(SHMFB_EBUSY, -16),
	PUBLISHED(SHMFB_EEXIST, -17),
	PUBLISHED(SHMFB_EINVAL, -22),
	PUBLISHED(SHMFB_ENOSPC, -28),
	PUBLISHED(SHMFB_ENAMETOOLONG, -36),
	PUBLISHED(SHMFB_ETIMEDOUT, -110),
	PUBLISHED(SHMFB_EBADNAME, -1000),
	PUBLISHED(SHMFB_EZEROSIZE, -1001),
	PUBLISHED(SHMFB_ETOOBIG, -1002),
	PUBLISHED(SHMFB_EBADFORMAT, -1003),
	PUBLISHED(SHMFB_ECOLLISION, -1004),
	PUBLISHED(SHMFB_EBADMAGIC, -1100),
	PUBLISHED(SHMFB_EBADVERSION, -1101),
	PUBLISHED(SHMFB_EBADHEADERSIZE, -1102),
	PUBLISHED(SHMFB_EBADTOTALSIZE, -1103),
	PUBLISHED(SHMFB_EBADSLOTCOUNT, -1104),
	PUBLISHED(SHMFB_EBADSLOT, -1105),
	PUBLISHED(SHMFB_EBADGEOMETRY, -1106),
	PUBLISHED(SHMFB_EBADPLANE, -1107),
	PUBLISHED(SHMFB_EBADSTATE, -1108),
	PUBLISHED(SHMFB_EBADAUDIO, -1109),
	PUBLISHED(SHMFB_ENOFRAME, -1200),
	PUBLISHED(SHMFB_ETORN, -1201),
	PUBLISHED(SHMFB_ECLOSED, -1202),
	PUBLISHED(SHMFB_EDEAD, -1203),
	PUBLISHED(SHMFB_ESTALE, -1204),
	PUBLISHED(SHMFB_EREPLACED, -1205),
	PUBLISHED(SHMFB_EBACKWARDS, -1206),
};

static const struct code *find(const struct code *c, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return &c[i];
	return NULL;
}

static void check_each_listed(const struct code *c, int n)
{
	for (int i = 0; i < n; i++) {
		const char *name = shmfb_errname(c[i].value);
		if (!name || strcmp(name, c[i].name))
			FAIL_AT("shmfb_errname(%d) is %s, shmfb.h lists %s", c[i].value, name ? name : "NULL",
				c[i].name);
		if (strcmp(shmfb_strerror(c[i].value), c[i].text))
			FAIL_AT("shmfb_strerror(%s) is '%s', shmfb.h says '%s'", c[i].name,
				shmfb_strerror(c[i].value), c[i].text);
		ASSERT(i == 0 || c[i].value < 0); /* only SHMFB_OK is not negative */
		for (int j = 0; j < i; j++) {
			if (c[j].value == c[i].value || !strcmp(c[j].name, c[i].name))
				FAIL_AT("%s and %s share a name or the number %d", c[j].name, c[i].name, c[i].value);
			if (!strcmp(c[j].text, c[i].text))
				FAIL_AT("%s and %s have the same text", c[j].name, c[i].name);
		}
	}
}

static void check_published(const struct code *c, int n)
{
	for (size_t i = 0; i < sizeof published / sizeof published[0]; i++) {
		const struct code *p = find(c, n, published[i].name);
		if (!p)
			FAIL_AT("%s is no longer listed in shmfb.h", published[i].name);
		ASSERT_EQ(p->value, published[i].published);
		ASSERT_EQ(published[i].compiled, published[i].published);
		ASSERT(!strcmp(shmfb_errname(published[i].compiled), published[i].name));
	}
}

/* Codes for failures outside the header validation table (docs/FORMAT.md). */
static void check_new_codes(const struct code *c, int n)
{
	static const char *const wanted[] = {"SHMFB_ESYMLINK", "SHMFB_ENOTREG", "SHMFB_ENOAUDIO",
					     "SHMFB_EBADLATEST", "SHMFB_EBADCLAIM"};
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		if (!find(c, n, wanted[i]))
			FAIL_AT("%s is not listed in shmfb.h", wanted[i]);
	ASSERT(!strcmp(shmfb_errname(SHMFB_ESYMLINK), "SHMFB_ESYMLINK"));
	ASSERT(!strcmp(shmfb_errname(SHMFB_ENOAUDIO), "SHMFB_ENOAUDIO"));
}

int main(void)
{
	struct code c[MAX_CODES];
	int n = parse_header(c, MAX_CODES);
	ASSERT_GE(n, (int)(sizeof published / sizeof published[0]));
	/* As many rows as the compiler sees in the macro: the parse missed none. */
#define COUNT(name, value, text) +1
	ASSERT_EQ(n, 0 SHMFB_ERRNO_MAP(COUNT));
	check_each_listed(c, n);
	check_published(c, n);
	check_new_codes(c, n);
	/* Numbers that are no code. */
	ASSERT(shmfb_errname(-3) == NULL);
	ASSERT(shmfb_errname(12345) == NULL);
	ASSERT(!strcmp(shmfb_strerror(-3), "unknown error"));
#ifdef __linux__
	/* "Where an errno means the same thing the code is -errno on Linux." */
	ASSERT_EQ(SHMFB_EPERM, -EPERM);
	ASSERT_EQ(SHMFB_ENOENT, -ENOENT);
	ASSERT_EQ(SHMFB_EINTR, -EINTR);
	ASSERT_EQ(SHMFB_EIO, -EIO);
	ASSERT_EQ(SHMFB_EAGAIN, -EAGAIN);
	ASSERT_EQ(SHMFB_ENOMEM, -ENOMEM);
	ASSERT_EQ(SHMFB_EACCES, -EACCES);
	ASSERT_EQ(SHMFB_EBUSY, -EBUSY);
	ASSERT_EQ(SHMFB_EEXIST, -EEXIST);
	ASSERT_EQ(SHMFB_EINVAL, -EINVAL);
	ASSERT_EQ(SHMFB_ENOSPC, -ENOSPC);
	ASSERT_EQ(SHMFB_ENAMETOOLONG, -ENAMETOOLONG);
	ASSERT_EQ(SHMFB_ETIMEDOUT, -ETIMEDOUT);
#endif
	return 0;
}
