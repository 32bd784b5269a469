/*
 * test_app.c - what the programs share (core/app): the JSON strings of
 * their --json and --stats-json output, the percentiles they report, and
 * the seconds their --timeout and --seconds options take.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "test.h"

const char app_name[] = "test_app";

/* What app_json_string writes for s. */
static const char *json_of(const char *s, char *out, size_t size)
{
	FILE *f = tmpfile();
	ASSERT(f != NULL);
	app_json_string(f, s);
	rewind(f);
	size_t n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

static void json_strings_are_escaped(void)
{
	char buf[128];
	ASSERT_EQ(strcmp(json_of("plain", buf, sizeof buf), "\"plain\""), 0);
	ASSERT_EQ(strcmp(json_of("", buf, sizeof buf), "\"\""), 0);
	/* RFC 8259: quote and backslash escaped, controls as \u00XX, UTF-8 as it is. */
	ASSERT_EQ(strcmp(json_of("a\"b\\c", buf, sizeof buf), "\"a\\\"b\\\\c\""), 0);
	ASSERT_EQ(strcmp(json_of("1\n2\t\x01\x1f", buf, sizeof buf), "\"1\\u000a2\\u0009\\u0001\\u001f\""), 0);
	ASSERT_EQ(strcmp(json_of("caf\xc3\xa9 /", buf, sizeof buf), "\"caf\xc3\xa9 /\""), 0);
}

/* Nearest rank: the ceil(q * n)-th smallest of n samples, at least the first. */
static void percentiles_are_nearest_rank(void)
{
	ASSERT_EQ(app_nearest_rank(0, 0.5), 0);
	ASSERT_EQ(app_nearest_rank(1, 0.0), 1);
	ASSERT_EQ(app_nearest_rank(1, 0.99), 1);
	ASSERT_EQ(app_nearest_rank(100, 0.0), 1);
	ASSERT_EQ(app_nearest_rank(100, 0.5), 50);
	ASSERT_EQ(app_nearest_rank(100, 0.99), 99);
	ASSERT_EQ(app_nearest_rank(100, 1.0), 100);
	ASSERT_EQ(app_nearest_rank(3, 0.5), 2);   /* ceil(1.5) */
	ASSERT_EQ(app_nearest_rank(10, 0.9), 9);
	ASSERT_EQ(app_nearest_rank(10, 0.91), 10); /* ceil(9.1), not 9.1 rounded */
	ASSERT_EQ(app_nearest_rank(1000, 0.999), 999);
	ASSERT_EQ(app_nearest_rank(7, 0.01), 1);  /* ceil(0.07) */
}

/* Decimal seconds, none negative, at most a million (11.6 days); NaN and infinity refused. */
static void seconds_are_parsed(void)
{
	int64_t ns = -7;
	ASSERT_EQ(app_parse_seconds("2.5", &ns), 0);
	ASSERT_EQ(ns, 2500000000LL);
	ASSERT_EQ(app_parse_seconds("0", &ns), 0);
	ASSERT_EQ(ns, 0);
	ASSERT_EQ(app_parse_seconds("0.001", &ns), 0);
	ASSERT_EQ(ns, 1000000);
	ASSERT_EQ(app_parse_seconds("1000000", &ns), 0);
	ASSERT_EQ(ns, 1000000LL * 1000000000LL);
	const char *bad[] = {"", "-1", "+1", "abc", "2s", "1000001", "inf", "nan"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ns = -7;
		if (app_parse_seconds(bad[i], &ns) != -1 || ns != -7)
			FAIL_AT("'%s' was accepted as %lld ns", bad[i], (long long)ns);
	}
	ASSERT_EQ(app_parse_seconds(NULL, &ns), -1);
}

int main(void)
{
	json_strings_are_escaped();
	percentiles_are_nearest_rank();
	seconds_are_parsed();
	printf("app: JSON strings escaped, percentiles by nearest rank, seconds parsed\n");
	return 0;
}
