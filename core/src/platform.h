/*
 * platform.h - everything shmfb asks of the operating system.
 *
 * platform_linux.c implements it for Linux (POSIX shared memory, flock,
 * futex, O_TMPFILE), platform_win32.c for Windows (named file-mapping
 * objects, MapViewOfFile, named events); the Makefile builds one of them.
 * No other file in core/src makes a system call or tests a platform macro
 * (the programs in core/cli keep theirs in their own os_*.c and
 * core/cli/bench/proc.c: docs/ARCHITECTURE.md).
 *
 * Every function returning int returns 0 or a negative SHMFB_E* code and,
 * on failure, has set the thread's error detail (shmfb__errorf).
 */
#ifndef SHMFB_PLATFORM_H
#define SHMFB_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "atomic.h"

/* An open, mapped segment. */
typedef struct shmfb__seg {
	intptr_t handle;   /* fd on POSIX, HANDLE on Win32 */
	void *base;        /* the mapping */
	size_t size;       /* bytes mapped: the object's real size */
	int writable;
	uintptr_t extra;   /* backend's own: Win32 event handle */
} shmfb__seg;

/*
 * Creates a new object `name` (a plain name, or a path when it holds '/')
 * exclusively, sizes it, maps it read-write with every page faulted in, and
 * marks the calling process its owner (see owner_alive).  SHMFB_EEXIST when
 * the name exists.
 */
int shmfb__plat_seg_create(const char *name, size_t size, uint32_t mode,
			   shmfb__seg *seg);
/*
 * Opens an existing object read-only (or read-write) and maps all of it.
 * Pages are faulted in now only where the creator has already populated
 * them all (a shared-memory object it reserved); a file, or a sparse
 * object, is faulted page by page as it is read, so opening costs the same
 * whatever the object's size.  On SHMFB_EBADTOTALSIZE (an object too small
 * to be a mapping) seg->size is the object's real size.
 */
int shmfb__plat_seg_open(const char *name, int writable, shmfb__seg *seg);
/*
 * 1 once the object was shrunk under this read-only mapping (someone
 * truncated it): the platform has replaced the mapping with zero pages so
 * the reader did not crash, and everything read since is meaningless.
 */
int shmfb__plat_seg_lost(const shmfb__seg *seg);
/* Unmaps and closes; safe on a zeroed seg. */
void shmfb__plat_seg_close(shmfb__seg *seg);
/* Removes the name; the object lives on while mapped. */
int shmfb__plat_unlink(const char *name);
/*
 * 1 when `name` still refers to the object of seg, 0 when it refers to
 * another object or nothing.
 */
int shmfb__plat_seg_is_current(const char *name, const shmfb__seg *seg);
/*
 * Removes `name` only if its object has no living owner and is still the
 * object `seen` (when seen is NULL, whatever object the name leads to now).
 * Two processes taking over one stale name at once cannot remove each
 * other's new object this way.  0 when removed, already gone or now leading
 * elsewhere (the caller creates again and re-inspects); SHMFB_EEXIST when
 * the object's lock stays held for 200 ms (its owner lives, or another
 * process taking it over has stopped midway).  Asked only of names that
 * persist; where the platform has no lock that a dead creator leaves behind
 * (Win32 files) it removes the name as shmfb__plat_unlink does.
 */
int shmfb__plat_unlink_unowned(const char *name, const shmfb__seg *seen);
/*
 * 1 when the name stays after every process has let go of its object, so a
 * producer that dies leaves it behind for the next one to take over (POSIX
 * names, files); 0 when it goes with the object's last holder (Win32
 * sections).
 */
int shmfb__plat_name_persists(const char *name);
/*
 * 1 while the process that created the object is alive and has not closed
 * it (a lock held by the creator, released by the kernel at its death),
 * 0 when not.
 */
int shmfb__plat_owner_alive(const shmfb__seg *seg);
/*
 * The same for an object that cannot be mapped (for example one left empty
 * by a creator that died before sizing it): 1 alive, 0 not, by name.
 */
int shmfb__plat_name_owner_alive(const char *name);
uint32_t shmfb__plat_getpid(void);

/*
 * Length of a namespace prefix this platform accepts in front of a plain
 * name, 0 when there is none: Win32's "Local\\" or "Global\\", never on
 * POSIX.  name.c checks the rest of the name with the usual rules.
 */
size_t shmfb__plat_name_prefix_len(const char *name);

/* Calls fn(name) for each shmfb object (plain names only). */
int shmfb__plat_list(void (*fn)(const char *name, void *ctx), void *ctx);

uint64_t shmfb__plat_now_ns(void);
/* Sleeps about ns nanoseconds (never less than the platform's tick). */
void shmfb__plat_sleep_ns(uint64_t ns);
uint64_t shmfb__plat_random64(void);

/*
 * Sleeps while *word == expected, at most timeout_ns (< 0: forever).
 * Returns 0 (woken, or the word had changed) or SHMFB_ETIMEDOUT.  Spurious
 * returns are allowed: callers re-check.
 */
int shmfb__plat_wait(const shmfb__seg *seg, shmfb_atomic_u32 *word,
		     uint32_t expected, int64_t timeout_ns);
/* Wakes every process sleeping on word. */
void shmfb__plat_wake(const shmfb__seg *seg, shmfb_atomic_u32 *word);

/*
 * A private copy-on-write view of part of an open object (view.c): pages
 * only read are the object's own; a page written becomes this process's
 * copy of it, taken at the first write.
 */
typedef struct shmfb__cow {
	uint8_t *data;     /* the first byte asked for; NULL while not mapped */
	void *base;        /* the mapping, which may begin before data */
	size_t size;       /* bytes mapped from base */
	uintptr_t extra;   /* backend's own: the POSIX truncation guard */
} shmfb__cow;

/* Maps bytes [offset, offset + size) of seg's object copy-on-write. */
int shmfb__plat_cow_map(const shmfb__seg *seg, uint64_t offset, size_t size,
			const char *name, shmfb__cow *cow);
/*
 * Drops every private page, so the view shows the object as it is now.
 * The mapping may go with them (data NULL): map again before the next use.
 */
void shmfb__plat_cow_discard(shmfb__cow *cow);
/* Unmaps; safe on a zeroed cow. */
void shmfb__plat_cow_unmap(shmfb__cow *cow);
/* 1 once the object was shrunk under the view (as seg_lost). */
int shmfb__plat_cow_lost(const shmfb__cow *cow);

#endif /* SHMFB_PLATFORM_H */
