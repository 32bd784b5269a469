/*
 * platform_linux.c - the platform layer on Linux: POSIX shared memory (or a
 * file), mmap, flock for owner liveness, futex for wake-ups.
 *
 * A plain name NAME is the shared-memory object "/shmfb-NAME" (so shmfb ls
 * can tell ours from everyone else's in /dev/shm); a name holding '/' is a
 * file path, opened with O_NOFOLLOW so a symlink cannot redirect it.
 *
 * Liveness: the creator holds an exclusive flock on its descriptor for as
 * long as it lives.  The kernel drops it when the process dies however it
 * dies, which, unlike a pid, cannot be confused by pid reuse or a pid
 * namespace.  A probe takes a shared lock without blocking: it succeeds only
 * when no creator holds the object.  The creator locks the object before it
 * has a name (O_TMPFILE, then linkat), and whoever removes a stale name
 * holds that same lock while it does (unlink_unowned), so a name never leads
 * to a living producer's object that another process could remove.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define SHM_DIR "/dev/shm"
#define SHM_PREFIX "shmfb-"

/*
 * A reader's mapping shrunk under it (the object truncated by its producer
 * or anyone else with write access) would raise SIGBUS on the next read.
 * Read-only mappings are registered here; a SIGBUS inside one replaces the
 * whole mapping with zero pages (so the read completes) and marks it lost,
 * and the reader then reports SHMFB_EBADTOTALSIZE.  A reader's copy-on-write
 * views are registered too, and replaced with writable zero pages, since
 * the reader may be writing to them.  A SIGBUS anywhere else
 * goes to whatever handler was there before.  (Wayland compositors guard
 * client-shrunk pools the same way.)
 */
#define GUARDS 256
#define GUARD_BUSY 1 /* base value of an entry being filled or emptied */

static struct guard {
	_Atomic uintptr_t base; /* 0 = free entry */
	_Atomic size_t size;
	_Atomic int prot; /* of the zero pages that replace the mapping */
	_Atomic int lost;
} guards[GUARDS];
/*
 * The handler that was in place before on_sigbus, which gets every SIGBUS
 * that is not about a guarded mapping.  Someone may put their own handler
 * in front of ours after the first open (Python's faulthandler enabled
 * later); each open then puts ours back in front and chains to theirs
 * (sigbus_guard_ensure).  Two slots so the handler never reads one being
 * rewritten: chained_now names the one in use.
 */
static struct sigaction chained_sigbus[2];
static _Atomic int chained_now;
static _Atomic int chaining; /* on_sigbus calls the chained handler now */
static _Atomic uintptr_t returned_from; /* the fault address the chained handler last returned from */
static pthread_mutex_t sigbus_lock = PTHREAD_MUTEX_INITIALIZER;

/* Hands a SIGBUS that is not ours to the chained handler, or to the default. */
static void chain_sigbus(int sig, siginfo_t *si, void *ctx)
{
	/* acquire: pairs with the release store in sigbus_guard_ensure; the slot is written. */
	const struct sigaction *prev = &chained_sigbus[atomic_load_explicit(&chained_now, memory_order_acquire)];
	/*
	 * relaxed: a re-entry counter of this signal's path, no data hangs on it.
	 * A chained handler may send the signal back here (faulthandler puts
	 * back the handler it replaced, ours, and raises it again): then the
	 * fault takes its default course instead of going round for ever.
	 */
	int nested = atomic_fetch_add_explicit(&chaining, 1, memory_order_relaxed) > 0;
	/*
	 * relaxed: only compared with this fault's own address.  The chained
	 * handler returned from this very fault without curing it, so it comes
	 * back: a handler that has since stood down (faulthandler disabled,
	 * which put ours back in front) would be called for ever.
	 */
	uintptr_t a = si->si_code > 0 ? (uintptr_t)si->si_addr : 0;
	int again = a && atomic_load_explicit(&returned_from, memory_order_relaxed) == a;
	int call = !nested && !again;
	if (call && (prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction)
		prev->sa_sigaction(sig, si, ctx);
	else if (call && prev->sa_handler != SIG_IGN && prev->sa_handler != SIG_DFL)
		prev->sa_handler(sig);
	else /* not ours: let the fault happen again with the default action */
		signal(SIGBUS, SIG_DFL);
	if (call && a)
		atomic_store_explicit(&returned_from, a, memory_order_relaxed); /* relaxed: as above */
	atomic_fetch_sub_explicit(&chaining, 1, memory_order_relaxed); /* relaxed: as above */
}

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	/* si_code > 0: a fault of this thread's access (kill -BUS is <= 0). */
	for (int i = 0; si->si_code > 0 && i < GUARDS; i++) {
		/* acquire: pairs with the release store in guard_add; size is set. */
		uintptr_t b = atomic_load_explicit(&guards[i].base, memory_order_acquire);
		size_t n = atomic_load_explicit(&guards[i].size, memory_order_relaxed); /* relaxed: ordered by base */
		int prot = atomic_load_explicit(&guards[i].prot, memory_order_relaxed); /* relaxed: ordered by base */
		if (b > GUARD_BUSY && a >= b && a - b < n) {
			if (mmap((void *)b, n, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
				break; /* cannot repair: let the fault take its default course */
			/* relaxed: the reader checks it on its next call, no data hangs on it. */
			atomic_store_explicit(&guards[i].lost, 1, memory_order_relaxed);
			return;
		}
	}
	chain_sigbus(sig, si, ctx);
}

/*
 * Puts on_sigbus in front of SIGBUS unless it is there, keeping the handler
 * it displaces to chain to: at the first open, and again at any later open
 * if another handler has replaced it meanwhile.  (One that replaces it
 * after the last open takes the fault of a truncated mapping itself.)
 */
static void sigbus_guard_ensure(void)
{
	pthread_mutex_lock(&sigbus_lock);
	struct sigaction now;
	if (sigaction(SIGBUS, NULL, &now) == 0 &&
	    !((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_sigbus)) {
		/* relaxed: only this function, under the lock, stores it. */
		int spare = 1 - atomic_load_explicit(&chained_now, memory_order_relaxed);
		chained_sigbus[spare] = now;
		/* release: the slot is written before the handler may pick it. */
		atomic_store_explicit(&chained_now, spare, memory_order_release);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
	}
	pthread_mutex_unlock(&sigbus_lock);
}

static uintptr_t guard_add(void *base, size_t size, int prot)
{
	sigbus_guard_ensure();
	for (int i = 0; i < GUARDS; i++) {
		uintptr_t expect = 0;
		/* acq_rel: claim a free entry as busy; the handler skips busy entries. */
		if (atomic_compare_exchange_strong_explicit(&guards[i].base, &expect, GUARD_BUSY,
							    memory_order_acq_rel, memory_order_relaxed)) {
			atomic_store_explicit(&guards[i].size, size, memory_order_relaxed); /* relaxed: base below publishes it */
			atomic_store_explicit(&guards[i].prot, prot, memory_order_relaxed); /* relaxed: likewise */
			atomic_store_explicit(&guards[i].lost, 0, memory_order_relaxed); /* relaxed: likewise */
			/* release: pairs with the handler's acquire load of base. */
			atomic_store_explicit(&guards[i].base, (uintptr_t)base, memory_order_release);
			return (uintptr_t)i + 1;
		}
	}
	return 0; /* table full: this mapping goes unguarded */
}

static void guard_remove(uintptr_t id)
{
	if (!id)
		return;
	struct guard *g = &guards[id - 1];
	/* release: busy first, so the handler stops matching before size changes. */
	atomic_store_explicit(&g->base, GUARD_BUSY, memory_order_release);
	atomic_store_explicit(&g->size, 0, memory_order_relaxed); /* relaxed: entry is busy */
	/* release: free for the next guard_add, whose CAS acquires it. */
	atomic_store_explicit(&g->base, 0, memory_order_release);
}

static int guard_lost(uintptr_t id)
{
	/* relaxed: a flag set by the signal handler in this same thread or another; no data depends on it. */
	return id && atomic_load_explicit(&guards[id - 1].lost, memory_order_relaxed);
}

int shmfb__plat_seg_lost(const shmfb__seg *seg)
{
	return guard_lost(seg->extra);
}

/* errno to our code: identical numbers on Linux, kept explicit. */
static int code_of(int e)
{
	switch (e) {
	case EPERM: return SHMFB_EPERM;
	case ENOENT: return SHMFB_ENOENT;
	case EINTR: return SHMFB_EINTR;
	case EAGAIN: return SHMFB_EAGAIN;
	case ENOMEM: return SHMFB_ENOMEM;
	case EACCES: return SHMFB_EACCES;
	case EBUSY: return SHMFB_EBUSY;
	case EEXIST: return SHMFB_EEXIST;
	case ENOSPC: case EFBIG: return SHMFB_ENOSPC;
	case ENAMETOOLONG: return SHMFB_ENAMETOOLONG;
	case ETIMEDOUT: return SHMFB_ETIMEDOUT;
	case ELOOP: return SHMFB_ESYMLINK; /* O_NOFOLLOW met a symlink */
	default: return e > 0 && e < 1000 ? -e : SHMFB_EIO;
	}
}

static int sys_error(const char *what, const char *name)
{
	int e = errno;
	if (e == ELOOP)
		return shmfb__errorf(SHMFB_ESYMLINK, "%s: %s: is a symbolic link (refused, never followed)", name,
				     what);
	return shmfb__errorf(code_of(e), "%s: %s: %s", name, what, strerror(e));
}

static int open_object(const char *name, int flags, mode_t mode)
{
	if (shmfb__name_is_path(name))
		return open(name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	char obj[SHMFB_NAME_MAX + sizeof SHM_PREFIX + 2];
	snprintf(obj, sizeof obj, "/" SHM_PREFIX "%s", name);
	return shm_open(obj, flags, mode);
}

/* Removes the name: 0, or -1 with errno. */
static int unlink_object(const char *name)
{
	if (shmfb__name_is_path(name))
		return unlink(name);
	char obj[SHMFB_NAME_MAX + sizeof SHM_PREFIX + 2];
	snprintf(obj, sizeof obj, "/" SHM_PREFIX "%s", name);
	return shm_unlink(obj);
}

int shmfb__plat_unlink(const char *name)
{
	return unlink_object(name) < 0 ? sys_error("unlink", name) : 0;
}

/* Reserve the memory now so a full /dev/shm is an error here, not a SIGBUS later. */
static int reserve(int fd, size_t size, const char *name)
{
	if (ftruncate(fd, (off_t)size) < 0)
		return sys_error("ftruncate", name);
	int rc = posix_fallocate(fd, 0, (off_t)size);
	if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) {
		errno = rc;
		return sys_error("reserving memory", name);
	}
	return 0;
}

/* The object's path: NAME itself, or /dev/shm/shmfb-NAME (glibc's shm_open path). */
static void object_path(const char *name, char *path, size_t n)
{
	if (shmfb__name_is_path(name))
		snprintf(path, n, "%s", name);
	else
		snprintf(path, n, SHM_DIR "/" SHM_PREFIX "%s", name);
}

/*
 * An unnamed object in the directory that will hold `name` (O_TMPFILE), so
 * it can be locked before anyone can see it.  -1 where the file system
 * cannot (errno says why).
 */
static int open_unnamed(const char *name, mode_t mode)
{
	char dir[PATH_MAX];
	object_path(name, dir, sizeof dir);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0'; /* "/x": the root directory */
	else
		*slash = '\0';
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
}

/* Gives the unnamed object fd its name; fails with EEXIST if the name is taken. */
static int link_name(int fd, const char *name)
{
	char path[PATH_MAX], self[64];
	object_path(name, path, sizeof path);
	if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -1;
	/* Without CAP_DAC_READ_SEARCH, AT_EMPTY_PATH is refused: go through /proc. */
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

/* 1 when descriptors a and b are the same file. */
static int same_file(int a, int b)
{
	struct stat x, y;
	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* 1 when name leads to the file of fd. */
static int name_is_fd(const char *name, int fd)
{
	int now = open_object(name, O_RDONLY, 0);
	if (now < 0)
		return 0;
	int same = same_file(now, fd);
	close(now);
	return same;
}

/*
 * Where the file system has no O_TMPFILE: the name is created directly and
 * locked a system call later.  A process taking over a stale name can
 * remove it in that instant (its lock was still free), so the creator
 * checks that the name still leads to what it locked, and if not makes
 * another.
 */
static int create_named_locked(const char *name, mode_t mode)
{
	for (int tries = 0; tries < 3; tries++) {
		int fd = open_object(name, O_RDWR | O_CREAT | O_EXCL, mode);
		if (fd < 0)
			return -1;
		/* Blocking: a reader's liveness probe holds a shared lock for microseconds. */
		int locked = flock(fd, LOCK_EX) == 0 && fchmod(fd, mode) == 0;
		int e = errno, ours = name_is_fd(name, fd);
		if (locked && ours)
			return fd;
		if (!locked && ours)
			unlink_object(name);
		close(fd);
		if (!locked) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/*
 * A new object, locked by its creator before it has a name, so that no
 * process ever finds it under the name without a living owner.
 */
static int create_locked(const char *name, mode_t mode)
{
	int fd = open_unnamed(name, mode);
	if (fd >= 0) {
		/* fchmod: the exact mode, whatever the umask, before anyone can open it. */
		if (flock(fd, LOCK_EX) == 0 && fchmod(fd, mode) == 0 && link_name(fd, name) == 0)
			return fd;
		int e = errno;
		close(fd);
		errno = e;
		if (e != ENOENT && e != EPERM && e != EOPNOTSUPP)
			return -1;
	} else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT) {
		return -1;
	}
	return create_named_locked(name, mode);
}

/* Maps all of fd shared into seg, which then owns fd. */
static int map_shared(shmfb__seg *seg, int fd, size_t size, int writable, int flags, const char *name)
{
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);
	void *p = mmap(NULL, size, prot, MAP_SHARED | flags, fd, 0);
	if (p == MAP_FAILED)
		return sys_error("mmap", name);
	seg->handle = fd;
	seg->base = p;
	seg->size = size;
	seg->writable = writable;
	return 0;
}

int shmfb__plat_seg_create(const char *name, size_t size, uint32_t mode, shmfb__seg *seg)
{
	memset(seg, 0, sizeof *seg);
	int fd = create_locked(name, (mode_t)mode);
	if (fd < 0)
		return errno == EEXIST ? shmfb__errorf(SHMFB_EEXIST, "%s: name exists", name)
				       : sys_error("create", name);
	int rc = reserve(fd, size, name);
	if (rc < 0)
		goto fail;
	/* MAP_POPULATE: every page is faulted in now, none on the frame path. */
	rc = map_shared(seg, fd, size, 1, MAP_POPULATE, name);
	if (rc == 0)
		return 0;
fail:
	/* Remove what this call created, and only that; keep the error detail. */
	if (name_is_fd(name, fd))
		unlink_object(name);
	close(fd);
	return rc;
}

/*
 * Fault every page in at open?  Only for a shared-memory object whose
 * creator reserved all of it (posix_fallocate at create): then it costs a
 * page-table walk and saves the reader's first frames their page faults.
 * A file would be read from disk, and a sparse object's holes filled with
 * new zero pages, for pages the reader may never touch (shmfb info reads
 * page 0 only).
 */
static int populated(const char *name, const struct stat *st)
{
	return !shmfb__name_is_path(name) && (uint64_t)st->st_blocks * 512 >= (uint64_t)st->st_size;
}

/*
 * Opening was refused (EACCES): says whose the object is and its mode, so
 * that a user sees why (another user's 0600 mapping, say) rather than a
 * bare "Permission denied".
 */
static int access_denied(const char *name)
{
	char path[SHMFB_PATH_MAX + sizeof SHM_DIR + sizeof SHM_PREFIX + 2];
	object_path(name, path, sizeof path);
	struct stat st;
	if (lstat(path, &st) < 0)
		return shmfb__errorf(SHMFB_EACCES, "%s: access denied", name);
	char owner[64] = "", buf[1024];
	struct passwd pw, *found = NULL;
	if (getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &found) == 0 && found)
		snprintf(owner, sizeof owner, "%s, ", found->pw_name);
	return shmfb__errorf(SHMFB_EACCES, "%s: access denied: owned by %suid %u, mode %04o (this process is uid %u)",
			     name, owner, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			     (unsigned)geteuid());
}

int shmfb__plat_seg_open(const char *name, int writable, shmfb__seg *seg)
{
	memset(seg, 0, sizeof *seg);
	int fd = open_object(name, writable ? O_RDWR : O_RDONLY, 0);
	if (fd < 0 && errno == EACCES)
		return access_denied(name);
	if (fd < 0)
		return errno == ENOENT ? shmfb__errorf(SHMFB_ENOENT, "%s: no such mapping", name)
				       : sys_error("open", name);
	struct stat st;
	int rc;
	if (fstat(fd, &st) < 0) {
		rc = sys_error("fstat", name);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = shmfb__errorf(SHMFB_ENOTREG, "%s: not a regular file", name);
		goto fail;
	}
	if ((uint64_t)st.st_size < SHMFB__HEADER_SIZE || (uint64_t)st.st_size > SIZE_MAX / 2) {
		seg->size = (size_t)((uint64_t)st.st_size < SHMFB__HEADER_SIZE ? st.st_size : 0);
		rc = shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: object is %lld bytes, not a shmfb mapping size",
				   name, (long long)st.st_size);
		goto fail;
	}
	size_t size = (size_t)st.st_size;
	rc = map_shared(seg, fd, size, writable, populated(name, &st) ? MAP_POPULATE : 0, name);
	if (rc < 0)
		goto fail;
	seg->extra = writable ? 0 : guard_add(seg->base, size, PROT_READ);
	return 0;
fail:
	close(fd);
	return rc;
}

void shmfb__plat_seg_close(shmfb__seg *seg)
{
	guard_remove(seg->extra);
	if (seg->base)
		munmap(seg->base, seg->size);
	if (seg->base || seg->handle > 0)
		close((int)seg->handle);
	memset(seg, 0, sizeof *seg);
}

int shmfb__plat_seg_is_current(const char *name, const shmfb__seg *seg)
{
	return name_is_fd(name, (int)seg->handle);
}

/* Every name stays until it is unlinked, whoever holds it. */
int shmfb__plat_name_persists(const char *name)
{
	(void)name;
	return 1;
}

int shmfb__plat_owner_alive(const shmfb__seg *seg)
{
	int fd = (int)seg->handle;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK;
}

/*
 * A descriptor of name's object to lock: read-write where allowed, since
 * NFS emulates flock with fcntl locks, whose exclusive kind needs write
 * access; read-only otherwise (enough for flock on a local file system).
 */
static int open_for_lock(const char *name)
{
	int fd = open_object(name, O_RDWR, 0);
	if (fd < 0 && errno == EACCES)
		fd = open_object(name, O_RDONLY, 0);
	return fd;
}

int shmfb__plat_unlink_unowned(const char *name, const shmfb__seg *seen)
{
	int fd = open_for_lock(name);
	if (fd < 0)
		return errno == ENOENT ? 0 : sys_error("open", name);
	int rc = 0;
	if (seen && !same_file(fd, (int)seen->handle))
		goto out; /* the name has moved on: the caller looks again */
	/*
	 * The exclusive lock is what a creator holds for life.  Holding it here
	 * proves the owner is gone, and makes this process the only one that
	 * may remove this object: another process taking over the same name
	 * waits its turn (as this one waits out readers' shared probes), then
	 * finds that the name no longer leads here.
	 */
	uint64_t give_up = shmfb__plat_now_ns() + 200 * 1000000ull;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			rc = sys_error("flock", name);
			goto out;
		}
		if (shmfb__plat_now_ns() > give_up) { /* a taker stopped while holding it */
			rc = shmfb__errorf(SHMFB_EEXIST, "%s: being taken over by another process", name);
			goto out;
		}
		shmfb__plat_sleep_ns(100 * 1000);
	}
	/* Under the lock the name cannot be moved to a new object: creators
	 * name only locked objects, and other takers wait for this lock. */
	if (name_is_fd(name, fd) && unlink_object(name) < 0 && errno != ENOENT)
		rc = sys_error("unlink", name);
out:
	close(fd); /* and with it the lock */
	return rc;
}

int shmfb__plat_name_owner_alive(const char *name)
{
	int fd = open_object(name, O_RDONLY, 0);
	if (fd < 0)
		return 0;
	shmfb__seg probe = {.handle = fd};
	int alive = shmfb__plat_owner_alive(&probe);
	/* A creator locks its object a system call after creating it: an
	 * unlocked empty object may be that young, so look again a little later. */
	struct stat st;
	if (!alive && fstat(fd, &st) == 0 && st.st_size == 0) {
		shmfb__plat_sleep_ns(20 * 1000000);
		alive = shmfb__plat_owner_alive(&probe);
	}
	close(fd);
	return alive;
}

uint32_t shmfb__plat_getpid(void)
{
	return (uint32_t)getpid();
}

size_t shmfb__plat_name_prefix_len(const char *name)
{
	(void)name;
	return 0; /* one flat namespace: no prefixes */
}

int shmfb__plat_list(void (*fn)(const char *name, void *ctx), void *ctx)
{
	DIR *d = opendir(SHM_DIR);
	if (!d)
		return sys_error("opendir", SHM_DIR);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strncmp(e->d_name, SHM_PREFIX, strlen(SHM_PREFIX)) &&
		    shmfb_name_check(e->d_name + strlen(SHM_PREFIX)) == 0)
			fn(e->d_name + strlen(SHM_PREFIX), ctx);
	}
	closedir(d);
	return 0;
}

uint64_t shmfb__plat_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void shmfb__plat_sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	nanosleep(&ts, NULL);
}

uint64_t shmfb__plat_random64(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		v = shmfb__plat_now_ns() * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
	return v ? v : 1; /* 0 is never a generation */
}

int shmfb__plat_wait(const shmfb__seg *seg, shmfb_atomic_u32 *word, uint32_t expected,
		     int64_t timeout_ns)
{
	(void)seg;
	struct timespec ts, *tp = NULL;
	if (timeout_ns >= 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000);
		ts.tv_nsec = (long)(timeout_ns % 1000000000);
		tp = &ts;
	}
	/*
	 * Shared (not FUTEX_PRIVATE) so the key is the page of the object,
	 * the same in every process; FUTEX_WAIT only reads the word, so it
	 * works on the reader's PROT_READ mapping.
	 */
	long rc = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, tp, NULL, 0);
	if (rc < 0 && errno == ETIMEDOUT)
		return SHMFB_ETIMEDOUT;
	return 0; /* woken, value changed (EAGAIN) or EINTR: the caller re-checks */
}

void shmfb__plat_wake(const shmfb__seg *seg, shmfb_atomic_u32 *word)
{
	(void)seg;
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/*
 * Copy-on-write views.  MAP_PRIVATE of the reader's read-only descriptor:
 * the kernel maps a page the view only reads straight from the object's
 * page cache (shared, never copied, and changing as the producer writes
 * it), and copies a page into anonymous memory of this process at its
 * first write (a frozen copy).  No MAP_POPULATE: populating a private
 * writable mapping write-faults every page, copying the whole slot.
 */
int shmfb__plat_cow_map(const shmfb__seg *seg, uint64_t offset, size_t size, const char *name,
			shmfb__cow *cow)
{
	memset(cow, 0, sizeof *cow);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, (int)seg->handle, (off_t)offset);
	if (p == MAP_FAILED)
		return sys_error("mmap of a copy-on-write view", name);
	cow->base = p;
	cow->data = p;
	cow->size = size;
	cow->extra = guard_add(p, size, PROT_READ | PROT_WRITE);
	return 0;
}

/*
 * MADV_DONTNEED on a private file mapping frees the private copies and
 * unmaps the shared pages; the next access maps the object's current page
 * again.  It keeps the mapping, so a view costs no mmap after the first.
 * (MADV_FREE refuses file mappings; re-mmap with MAP_FIXED works too but
 * rebuilds the mapping each time.)  madvise fails on pages locked by
 * mlockall: then the mapping goes, and with it the copies.
 */
void shmfb__plat_cow_discard(shmfb__cow *cow)
{
	if (cow->base && madvise(cow->base, cow->size, MADV_DONTNEED) < 0)
		shmfb__plat_cow_unmap(cow);
}

void shmfb__plat_cow_unmap(shmfb__cow *cow)
{
	guard_remove(cow->extra);
	if (cow->base)
		munmap(cow->base, cow->size);
	memset(cow, 0, sizeof *cow);
}

int shmfb__plat_cow_lost(const shmfb__cow *cow)
{
	return guard_lost(cow->extra);
}
