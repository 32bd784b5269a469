/*
 * test_takeover_table.c - the takeover decision (core/src/takeover.c), one
 * test per situation a new producer can meet under a taken name, on every
 * platform's facts.  test_takeover.c plays the same situations with real
 * processes.
 */
#include "internal.h"
#include "test.h"

#define ANY SHMFB__TAKEOVER_ANY
#define GONE SHMFB__FOUND_GONE
#define MAPPING SHMFB__FOUND_MAPPING
#define OTHER SHMFB__FOUND_OTHER
#define UNREADABLE SHMFB__FOUND_UNREADABLE

static const char *action_name(enum shmfb__take a)
{
	static const char *const names[] = {"create", "unlink unowned", "replace", "unlink",
					    "refuse live", "refuse creating", "refuse foreign", "refuse unreadable"};
	return (unsigned)a < sizeof names / sizeof names[0] ? names[a] : "?";
}

/* Each value a column may take: both where the situation does not care. */
static int first(int column) { return column == ANY ? 0 : column; }
static int last(int column) { return column == ANY ? 1 : column; }

/* The decision is `want` for `found` and every value of the other facts given as ANY. */
static void expect_at(int line, enum shmfb__found found, int owner, int replace, int path, int persists,
		      enum shmfb__take want)
{
	struct shmfb__takeover_facts f = {.found = found};
	for (f.owner = first(owner); f.owner <= last(owner); f.owner++)
		for (f.replace = first(replace); f.replace <= last(replace); f.replace++)
			for (f.path = first(path); f.path <= last(path); f.path++)
				for (f.persists = first(persists); f.persists <= last(persists); f.persists++) {
					enum shmfb__take got = shmfb__takeover_decide(&f);
					if (got != want)
						FAIL_AT("line %d: found %d owner %d replace %d path %d persists %d: "
							"%s, want %s", line, found, f.owner, f.replace, f.path,
							f.persists, action_name(got), action_name(want));
				}
}
#define expect(...) expect_at(__LINE__, __VA_ARGS__)

/*                                  found  owner replace path persists */

/* Create failed, but the name vanished before we looked: create again. */
static void vanished_name_is_created_again(void)
{
	expect(GONE, ANY, ANY, ANY, ANY, SHMFB__TAKE_CREATE);
}

/* An object we may not even open (another user's, mode 0600) is not ours to judge. */
static void unreadable_object_is_refused(void)
{
	expect(UNREADABLE, ANY, 0, ANY, ANY, SHMFB__TAKE_REFUSE_UNREADABLE);
}

/* A running producer keeps its name; the message names its pid. */
static void live_producer_is_refused(void)
{
	expect(MAPPING, 1, 0, ANY, ANY, SHMFB__TAKE_REFUSE_LIVE);
}

/* A producer killed with -9 left its name: removed under its dead lock. */
static void dead_producers_name_is_removed_under_its_lock(void)
{
	expect(MAPPING, 0, 0, ANY, 1, SHMFB__TAKE_UNLINK_UNOWNED);
}

/* Windows: a dead producer's section lives on only while readers hold it. */
static void dead_producers_section_is_left_to_its_holders(void)
{
	expect(MAPPING, 0, 0, ANY, 0, SHMFB__TAKE_CREATE);
}

/* Another producer is between creating its object and writing its header. */
static void producer_still_creating_is_refused(void)
{
	expect(OTHER, 1, 0, 0, ANY, SHMFB__TAKE_REFUSE_CREATING);
}

/* A producer died before finishing its object: stale in shmfb's own namespace. */
static void unfinished_object_of_dead_producer_is_removed_under_its_lock(void)
{
	expect(OTHER, 0, 0, 0, 1, SHMFB__TAKE_UNLINK_UNOWNED);
}

/* The same on Windows: the section goes with whoever still holds it. */
static void unfinished_section_of_dead_producer_is_left_to_its_holders(void)
{
	expect(OTHER, 0, 0, 0, 0, SHMFB__TAKE_CREATE);
}

/* A file that is not a mapping may be anyone's data: never removed unasked. */
static void file_that_is_no_mapping_is_refused(void)
{
	expect(OTHER, ANY, 0, 1, ANY, SHMFB__TAKE_REFUSE_FOREIGN);
}

/* Replace removes what it cannot inspect. */
static void replace_removes_unreadable_object(void)
{
	expect(UNREADABLE, ANY, 1, ANY, 1, SHMFB__TAKE_UNLINK);
}

/* Replace removes a mapping or an unfinished object, dead or alive. */
static void replace_removes_what_it_inspected(void)
{
	expect(MAPPING, ANY, 1, ANY, 1, SHMFB__TAKE_REPLACE);
	expect(OTHER, ANY, 1, ANY, 1, SHMFB__TAKE_REPLACE);
}

/* Windows: nothing removes a section; replace tries again in case its holders let go. */
static void replace_cannot_remove_a_section(void)
{
	expect(UNREADABLE, ANY, 1, ANY, 0, SHMFB__TAKE_CREATE);
	expect(MAPPING, ANY, 1, ANY, 0, SHMFB__TAKE_CREATE);
	expect(OTHER, ANY, 1, ANY, 0, SHMFB__TAKE_CREATE);
}

/* No combination of facts falls between rows or on two of them. */
static void every_combination_has_one_row(void)
{
	struct shmfb__takeover_facts f;
	int combinations = 0;
	for (int found = GONE; found <= UNREADABLE; found++)
		for (int bits = 0; bits < 16; bits++, combinations++) {
			f = (struct shmfb__takeover_facts){(enum shmfb__found)found, bits & 1, bits >> 1 & 1,
							   bits >> 2 & 1, bits >> 3 & 1};
			int rows = 0;
			for (size_t i = 0; i < shmfb__takeover_rows; i++)
				rows += shmfb__takeover_match(&shmfb__takeover_table[i], &f);
			if (rows != 1)
				FAIL_AT("found %d owner %d replace %d path %d persists %d: %d rows", found, f.owner,
					f.replace, f.path, f.persists, rows);
		}
	ASSERT_EQ(combinations, 64);
}

int main(void)
{
	vanished_name_is_created_again();
	unreadable_object_is_refused();
	live_producer_is_refused();
	dead_producers_name_is_removed_under_its_lock();
	dead_producers_section_is_left_to_its_holders();
	producer_still_creating_is_refused();
	unfinished_object_of_dead_producer_is_removed_under_its_lock();
	unfinished_section_of_dead_producer_is_left_to_its_holders();
	file_that_is_no_mapping_is_refused();
	replace_removes_unreadable_object();
	replace_removes_what_it_inspected();
	replace_cannot_remove_a_section();
	every_combination_has_one_row();
	printf("takeover table: %zu rows, each situation decided as specified\n", shmfb__takeover_rows);
	return 0;
}
