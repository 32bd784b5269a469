/*
 * name.c - what a mapping may be called.
 *
 * A plain name becomes a shared-memory object (one flat namespace per
 * machine), so it is kept to characters that are safe in every OS's object
 * namespace and in a file name: letters, digits, '.', '_' and '-', at most
 * SHMFB_NAME_MAX, not starting with '.' and never holding "..".  A name that
 * holds '/' is a path to a file that backs the mapping.  A platform may
 * accept a namespace prefix in front of a plain name (Win32: "Local\\",
 * "Global\\"); the rules apply to what follows it.
 */
#include <string.h>

#include "internal.h"

int shmfb__name_is_path(const char *name)
{
	return strchr(name, '/') != NULL;
}

static int name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int shmfb_name_check(const char *name)
{
	if (!name || !*name)
		return shmfb__errorf(SHMFB_EBADNAME, "empty mapping name");
	size_t len = strlen(name);
	if (shmfb__name_is_path(name)) {
		if (len > SHMFB_PATH_MAX)
			return shmfb__errorf(SHMFB_ENAMETOOLONG, "path of %zu characters: at most %d",
					     len, SHMFB_PATH_MAX);
		if (name[len - 1] == '/')
			return shmfb__errorf(SHMFB_EBADNAME, "%s: a path to a directory, not a file", name);
		return 0;
	}
	size_t skip = shmfb__plat_name_prefix_len(name);
	const char *rest = name + skip;
	len -= skip;
	if (!len)
		return shmfb__errorf(SHMFB_EBADNAME, "%s: nothing after the namespace prefix", name);
	if (len > SHMFB_NAME_MAX)
		return shmfb__errorf(SHMFB_ENAMETOOLONG, "name of %zu characters: at most %d",
				     len, SHMFB_NAME_MAX);
	for (size_t i = 0; i < len; i++) {
		if (!name_char_ok(rest[i]))
			return shmfb__errorf(SHMFB_EBADNAME,
					     "%s: character %zu (0x%02x) is not allowed; use letters, digits, '.', '_', '-'",
					     name, skip + i + 1, (unsigned char)rest[i]);
	}
	if (rest[0] == '.' || strstr(rest, ".."))
		return shmfb__errorf(SHMFB_EBADNAME, "%s: may not start with '.' or hold \"..\"", name);
	return 0;
}
