/*
 * takeover.c - what a new producer does with a name that already exists.
 *
 * shmfb_create creates its name exclusively.  When the name exists it calls
 * shmfb__take_over, which looks at what the name leads to (five facts),
 * finds the one row of the table below that matches them, does what the row
 * says, and lets shmfb_create try again.  The decision is a pure function of
 * the facts, so each row is tested on its own (tests/test_takeover_table.c);
 * the platforms differ only in the facts they report (shmfb__plat_name_persists,
 * the owner lock) and in how they carry out an action, never in the table.
 *
 * The rule behind the table: without the replace flag, remove only what is
 * certainly stale, a name whose creator is gone, and refuse the rest with
 * SHMFB_EEXIST and the reason; with it, remove whatever the name leads to.
 * A name that does not outlive its holders (a Windows section: it goes when
 * the last process holding it closes it) is never removed: the producer just
 * tries again.
 */
#include "internal.h"

#define ANY SHMFB__TAKEOVER_ANY
#define GONE (1u << SHMFB__FOUND_GONE)
#define MAPPING (1u << SHMFB__FOUND_MAPPING)
#define OTHER (1u << SHMFB__FOUND_OTHER)
#define UNREADABLE (1u << SHMFB__FOUND_UNREADABLE)

/*
 * Every combination of the facts matches exactly one row (the test checks
 * all of them).  owner is asked only without replace; path and persists
 * come from the name.
 */
const struct shmfb__takeover_row shmfb__takeover_table[] = {
	/* found              owner replace path persists  action */
	/* The name vanished since create failed: create again. */
	{GONE,                  ANY,  ANY,  ANY,  ANY,  SHMFB__TAKE_CREATE},
	/* Without replace.  What cannot even be opened (permissions) is not ours to judge. */
	{UNREADABLE,            ANY,    0,  ANY,  ANY,  SHMFB__TAKE_REFUSE_UNREADABLE},
	{MAPPING,                 1,    0,  ANY,  ANY,  SHMFB__TAKE_REFUSE_LIVE},
	{MAPPING,                 0,    0,  ANY,    1,  SHMFB__TAKE_UNLINK_UNOWNED},
	{MAPPING,                 0,    0,  ANY,    0,  SHMFB__TAKE_CREATE}, /* goes with its last holder */
	/* A plain name is in shmfb's own namespace: an unfinished object there
	 * is a creator's, alive (still creating it) or dead (stale). */
	{OTHER,                   1,    0,    0,  ANY,  SHMFB__TAKE_REFUSE_CREATING},
	{OTHER,                   0,    0,    0,    1,  SHMFB__TAKE_UNLINK_UNOWNED},
	{OTHER,                   0,    0,    0,    0,  SHMFB__TAKE_CREATE}, /* goes with its last holder */
	/* A file that is not a mapping may be someone else's. */
	{OTHER,                 ANY,    0,    1,  ANY,  SHMFB__TAKE_REFUSE_FOREIGN},
	/* With replace. */
	{UNREADABLE,            ANY,    1,  ANY,    1,  SHMFB__TAKE_UNLINK},
	{MAPPING | OTHER,       ANY,    1,  ANY,    1,  SHMFB__TAKE_REPLACE},
	{UNREADABLE | MAPPING | OTHER, ANY, 1, ANY, 0,  SHMFB__TAKE_CREATE}, /* goes with its last holder */
};
const size_t shmfb__takeover_rows = sizeof shmfb__takeover_table / sizeof shmfb__takeover_table[0];

static int fits(int column, int fact)
{
	return column == ANY || column == !!fact;
}

int shmfb__takeover_match(const struct shmfb__takeover_row *row, const struct shmfb__takeover_facts *f)
{
	return (row->found & (1u << f->found)) && fits(row->owner, f->owner) &&
	       fits(row->replace, f->replace) && fits(row->path, f->path) && fits(row->persists, f->persists);
}

enum shmfb__take shmfb__takeover_decide(const struct shmfb__takeover_facts *f)
{
	for (size_t i = 0; i < shmfb__takeover_rows; i++)
		if (shmfb__takeover_match(&shmfb__takeover_table[i], f))
			return shmfb__takeover_table[i].action;
	return SHMFB__TAKE_REFUSE_UNREADABLE; /* unreachable: every combination has its row */
}

/* What the name leads to now. */
struct sight {
	struct shmfb__takeover_facts facts;
	shmfb__seg old;  /* the object, when it could be mapped (mapped = 1) */
	int mapped;
	shmfb_info info; /* its header, when found is MAPPING */
};

static void look(const char *name, uint32_t flags, struct sight *s)
{
	struct shmfb__takeover_facts *f = &s->facts;
	int opened = shmfb__plat_seg_open(name, 0, &s->old);
	s->mapped = opened == 0;
	f->replace = (flags & SHMFB_CREATE_REPLACE) != 0;
	f->path = shmfb__name_is_path(name);
	f->persists = shmfb__plat_name_persists(name);
	f->owner = 0;
	if (opened == SHMFB_ENOENT) {
		f->found = SHMFB__FOUND_GONE;
		return;
	}
	/* Before the header is validated: a refusal quotes the detail of what was wrong with it. */
	if (!f->replace)
		f->owner = s->mapped ? shmfb__plat_owner_alive(&s->old) : shmfb__plat_name_owner_alive(name);
	if (opened != 0 && opened != SHMFB_EBADTOTALSIZE && opened != SHMFB_EBADMAGIC &&
	    opened != SHMFB_ENOTREG)
		f->found = SHMFB__FOUND_UNREADABLE;
	else if (s->mapped && shmfb__header_validate(s->old.base, s->old.size, name, &s->info) == 0)
		f->found = SHMFB__FOUND_MAPPING;
	else
		f->found = SHMFB__FOUND_OTHER;
}

/*
 * Replace: a name nobody owns is removed under its dead owner's lock, so a
 * replacer never removes the new mapping of another process taking it over
 * (a taker holding that lock is waited for).  A name whose lock stays held
 * (a live producer) is removed outright, if it still leads to what was seen.
 */
static int replace(const char *name, const struct sight *s)
{
	const shmfb__seg *seen = s->mapped ? &s->old : NULL;
	int rc = shmfb__plat_unlink_unowned(name, seen);
	if (rc == SHMFB_EEXIST)
		rc = !seen || shmfb__plat_seg_is_current(name, seen) ? shmfb__plat_unlink(name) : 0;
	return rc;
}

static int act(enum shmfb__take action, const char *name, const struct sight *s)
{
	switch (action) {
	case SHMFB__TAKE_CREATE:
		return 0;
	case SHMFB__TAKE_UNLINK_UNOWNED:
		return shmfb__plat_unlink_unowned(name, s->mapped ? &s->old : NULL);
	case SHMFB__TAKE_REPLACE:
		return replace(name, s);
	case SHMFB__TAKE_UNLINK:
		return shmfb__plat_unlink(name);
	case SHMFB__TAKE_REFUSE_LIVE:
		return shmfb__errorf(SHMFB_EEXIST, "%s: in use by running producer pid %u (use replace to take it over)",
				     name, s->info.producer_pid);
	case SHMFB__TAKE_REFUSE_CREATING:
		return shmfb__errorf(SHMFB_EEXIST, "%s: in use by a producer still creating it", name);
	case SHMFB__TAKE_REFUSE_FOREIGN:
		return shmfb__errprefix(SHMFB_EEXIST, "exists and is not a usable shmfb mapping; remove it or use replace");
	case SHMFB__TAKE_REFUSE_UNREADABLE:
		break;
	}
	return shmfb__errprefix(SHMFB_EEXIST, "exists and cannot be inspected");
}

int shmfb__take_over(const char *name, uint32_t flags)
{
	struct sight s;
	look(name, flags, &s);
	int rc = act(shmfb__takeover_decide(&s.facts), name, &s);
	shmfb__plat_seg_close(&s.old);
	return rc == SHMFB_ENOENT ? 0 : rc;
}
