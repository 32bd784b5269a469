/*
 * test_name.c - the rules for mapping names, through shmfb_create and
 * shmfb_open as a user meets them.
 */
#include "shmfb.h"
#include "test.h"
#include "util.h"

static void bad(const char *name, int code, const char *in_detail)
{
	shmfb_writer *w = (shmfb_writer *)1;
	ASSERT_EQ(shmfb_create(name, NULL, &w), code);
	ASSERT(w == NULL);
	ASSERT_STR_CONTAINS(shmfb_errdetail(), in_detail);
	shmfb_reader *r;
	ASSERT_EQ(shmfb_open(name, &r), code);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	char long_name[SHMFB_NAME_MAX + 2];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = 0;

	bad("", SHMFB_EBADNAME, "empty");
	bad(long_name, SHMFB_ENAMETOOLONG, "at most 64");
	bad("a b", SHMFB_EBADNAME, "0x20");
	bad("cam\\0", SHMFB_EBADNAME, "0x5c");
	bad("caf\xc3\xa9", SHMFB_EBADNAME, "0xc3");
	bad("..", SHMFB_EBADNAME, "\"..\"");
	bad("a..b", SHMFB_EBADNAME, "\"..\"");
	bad(".hidden", SHMFB_EBADNAME, "'.'");
	bad("dir/", SHMFB_EBADNAME, "directory");

	long_name[SHMFB_NAME_MAX] = 0; /* exactly the limit is fine */
	ASSERT_OK(shmfb_name_check(long_name));
	ASSERT_OK(shmfb_name_check("cam0.left_eye-2"));
	ASSERT_OK(shmfb_name_check("/tmp/x.shmfb"));

	/* A name at the limit really works end to end. */
	shmfb_writer_options o;
	shmfb_writer_options_init(&o);
	o.width = 16;
	o.height = 16;
	char name[SHMFB_NAME_MAX + 1];
	snprintf(name, sizeof name, "%s", test_unique_name("n"));
	memset(name + strlen(name), 'x', SHMFB_NAME_MAX - strlen(name));
	name[SHMFB_NAME_MAX] = 0;
	shmfb_writer *w;
	ASSERT_OK(shmfb_create(name, &o, &w));
	shmfb_reader *r;
	ASSERT_OK(shmfb_open(name, &r));
	shmfb_reader_close(r);
	ASSERT_OK(shmfb_writer_close(w));
	return 0;
}
