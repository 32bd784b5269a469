/*
 * platform_win32.c - the platform layer on Windows: named file-mapping
 * objects (or a file), MapViewOfFile, an owner token for liveness and one
 * named event per value of the wake counter for wake-ups.
 *
 * Names.  A plain name NAME is the section object "Local\shmfb-NAME", or
 * "Global\shmfb-NAME" when the caller wrote "Global\NAME" (shmfb_name_check
 * lets that prefix through, shmfb__plat_name_prefix_len).  A name holding
 * '/' is a file, opened with FILE_FLAG_OPEN_REPARSE_POINT so a symbolic link
 * cannot redirect it.  Every other kernel object of a mapping is named after
 * its BASE (the section's name, or "Local\shmfb:file:VOLUME:INDEX" for a
 * file, from its identity) plus ':' and a suffix; ':' is not allowed in a
 * plain name, so no mapping's objects can collide with another's:
 *
 *     BASE:owner     event held by the creator while it lives (liveness)
 *     BASE:wake:O:N  manual-reset event, set when the counter at byte
 *                    offset O of the header (video `wake`, `audio_wake`)
 *                    leaves N: one chain per counter, so audio writes never
 *                    disturb video waiters or the other way round
 *
 * Lifetime.  A kernel object lives while any process holds a handle to it;
 * a name cannot be removed or re-bound while the object lives.  So there are
 * no stale names to take over, unlink of a plain name does nothing, and the
 * name a reader holds always refers to the mapping it holds (never
 * SHMFB_EREPLACED).  A new producer gets SHMFB_EEXIST while readers still
 * hold a dead producer's mapping; they see SHMFB_EDEAD and let go.
 *
 * Liveness.  The creator holds the owner token for as long as it has the
 * mapping; Windows closes it when the process dies however it dies.  A probe
 * opens the token by name and closes it at once: not found means gone.
 * Unlike a pid this cannot be fooled by pid reuse, and unlike a mutex it is
 * not owned by one thread of the creator.
 *
 * Wake-ups.  Windows has no cross-process futex (WaitOnAddress is
 * per-process), and a reader cannot atomically compare the counter and go to
 * sleep.  So each counter value N has its own event, created by the writer
 * before the counter can reach N (the writer keeps the events of the current
 * value and the next one).  When the counter leaves N the writer sets event
 * N, which wakes every reader waiting on it, and closes its handle; the
 * event then vanishes with the last waiter's handle.  A reader that saw N
 * opens event N: found, it is either set (returns at once) or will be set;
 * not found, the counter has moved on (returns) or the producer died with
 * the counter at N (sleeps out its timeout, as a futex would).  The worst
 * case is that timeout, never a lost wake of a live producer.  docs/WINDOWS.md
 * says the same for people.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <bcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define OBJ_PREFIX "shmfb-"
#define LOCAL_NS "Local\\"
#define GLOBAL_NS "Global\\"
#define BASE_MAX 128 /* namespace + prefix + SHMFB_NAME_MAX, or a file's id */
#define WNAME_MAX 300

/* The counters readers wait on, by their offset in the header. */
#define WAKE_WORDS 2
static const uint32_t wake_words[WAKE_WORDS] = {
	offsetof(struct shmfb__header, wake),
	offsetof(struct shmfb__header, audio_wake),
};

/* The creator's events for one counter; the lock because video and audio
 * may be published from different threads of the producer. */
struct wake_chain {
	SRWLOCK lock;
	uint32_t val;  /* the counter value `cur` belongs to */
	HANDLE cur;    /* event of val */
	HANDLE next;   /* event of val + 1, made ahead */
};

/* What a seg holds besides the section handle and view (seg->extra). */
struct winseg {
	HANDLE file;     /* the backing file of a path, else NULL */
	HANDLE owner;    /* creator: its owner token; NULL in readers */
	struct wake_chain chain[WAKE_WORDS]; /* creator only */
	DWORD vol;       /* a file's identity, for seg_is_current */
	DWORD idx_hi, idx_lo;
	uint64_t small_size; /* a file refused as too small: its size */
	uint64_t file_size;  /* a file's real size (its view is rounded up to pages) */
	char base[BASE_MAX];
};

static struct winseg *winseg_of(const shmfb__seg *seg)
{
	return (struct winseg *)seg->extra;
}

/* ----------------------------------------------------------------- errors */

static int code_of(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND: case ERROR_PATH_NOT_FOUND: return SHMFB_ENOENT;
	case ERROR_ACCESS_DENIED: return SHMFB_EACCES;
	case ERROR_PRIVILEGE_NOT_HELD: return SHMFB_EPERM;
	case ERROR_SHARING_VIOLATION: case ERROR_LOCK_VIOLATION: case ERROR_BUSY: return SHMFB_EBUSY;
	case ERROR_ALREADY_EXISTS: case ERROR_FILE_EXISTS: return SHMFB_EEXIST;
	case ERROR_INVALID_HANDLE: return SHMFB_ECOLLISION; /* name held by another object type */
	case ERROR_NOT_ENOUGH_MEMORY: case ERROR_OUTOFMEMORY: case ERROR_COMMITMENT_LIMIT:
		return SHMFB_ENOMEM;
	case ERROR_DISK_FULL: case ERROR_HANDLE_DISK_FULL: return SHMFB_ENOSPC;
	case ERROR_FILENAME_EXCED_RANGE: case ERROR_BUFFER_OVERFLOW: return SHMFB_ENAMETOOLONG;
	case ERROR_INVALID_NAME: case ERROR_BAD_PATHNAME: case ERROR_DIRECTORY:
	case ERROR_NO_UNICODE_TRANSLATION: return SHMFB_EBADNAME;
	case ERROR_INVALID_PARAMETER: return SHMFB_EINVAL;
	case ERROR_FILE_INVALID: return SHMFB_EZEROSIZE;
	case ERROR_TIMEOUT: case WAIT_TIMEOUT: return SHMFB_ETIMEDOUT;
	default: return SHMFB_EIO;
	}
}

/* The system's text for e, one line, without the trailing period. */
static const char *text_of(DWORD e, char *buf, size_t size)
{
	DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e,
				 MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), buf, (DWORD)size, NULL);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == '.' || buf[n - 1] == ' '))
		n--;
	if (n == 0)
		snprintf(buf, size, "system error");
	else
		buf[n] = 0;
	return buf;
}

/* Maps GetLastError() (or e) onto our code; the message carries its number. */
static int win_error_code(DWORD e, const char *what, const char *name)
{
	char text[200];
	return shmfb__errorf(code_of(e), "%s: %s: %s (Windows error %lu)", name, what,
			     text_of(e, text, sizeof text), (unsigned long)e);
}

static int win_error(const char *what, const char *name)
{
	return win_error_code(GetLastError(), what, name);
}

static int collision(const char *what, const char *name)
{
	return shmfb__errorf(SHMFB_ECOLLISION,
			     "%s: %s: the name is taken by another kind of object (a mutex, event, semaphore or job; Windows error %lu)",
			     name, what, (unsigned long)ERROR_INVALID_HANDLE);
}

/* ------------------------------------------------------------------ names */

size_t shmfb__plat_name_prefix_len(const char *name)
{
	if (!strncmp(name, LOCAL_NS, strlen(LOCAL_NS)))
		return strlen(LOCAL_NS);
	if (!strncmp(name, GLOBAL_NS, strlen(GLOBAL_NS)))
		return strlen(GLOBAL_NS);
	return 0;
}

static int is_global(const char *name)
{
	return !shmfb__name_is_path(name) && !strncmp(name, GLOBAL_NS, strlen(GLOBAL_NS));
}

/* UTF-8 to UTF-16; 0 or SHMFB_EBADNAME/ENAMETOOLONG. */
static int widen(const char *s, WCHAR *out, int cap, const char *name)
{
	if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, out, cap) > 0)
		return 0;
	DWORD e = GetLastError();
	if (e == ERROR_INSUFFICIENT_BUFFER)
		return shmfb__errorf(SHMFB_ENAMETOOLONG, "%s: name too long for Windows", name);
	return shmfb__errorf(SHMFB_EBADNAME, "%s: not valid UTF-8 (Windows error %lu)", name,
			     (unsigned long)e);
}

/* The section's name for a plain name: "Local\shmfb-cam0". */
static void section_base(const char *name, char *base)
{
	size_t skip = shmfb__plat_name_prefix_len(name);
	snprintf(base, BASE_MAX, "%.*s" OBJ_PREFIX "%s", skip ? (int)skip : (int)strlen(LOCAL_NS),
		 skip ? name : LOCAL_NS, name + skip);
}

/* BASE:suffix as UTF-16 (always ASCII, always fits). */
static void object_name(const struct winseg *ws, const char *suffix, WCHAR *out)
{
	char n[BASE_MAX + 32];
	snprintf(n, sizeof n, "%s:%s", ws->base, suffix);
	MultiByteToWideChar(CP_UTF8, 0, n, -1, out, WNAME_MAX);
}

static void wake_name(const struct winseg *ws, uint32_t word_off, uint32_t value, WCHAR *out)
{
	char suffix[40];
	snprintf(suffix, sizeof suffix, "wake:%lu:%lu", (unsigned long)word_off, (unsigned long)value);
	object_name(ws, suffix, out);
}

/* Which wake_words[] entry a counter is, by its offset; -1 if none. */
static int word_index(const shmfb__seg *seg, const shmfb_atomic_u32 *word)
{
	uintptr_t off = (uintptr_t)word - (uintptr_t)seg->base;
	for (int i = 0; i < WAKE_WORDS; i++)
		if (off == wake_words[i])
			return i;
	return -1;
}

/* Learns a file's identity and derives BASE from it. */
static int file_identity(struct winseg *ws, const char *name)
{
	BY_HANDLE_FILE_INFORMATION fi;
	if (!GetFileInformationByHandle(ws->file, &fi))
		return win_error("GetFileInformationByHandle", name);
	if (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		return shmfb__errorf(SHMFB_ESYMLINK, "%s: is a symbolic link or junction (refused, never followed)", name);
	if (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
		return shmfb__errorf(SHMFB_ENOTREG, "%s: not a regular file", name);
	ws->vol = fi.dwVolumeSerialNumber;
	ws->idx_hi = fi.nFileIndexHigh;
	ws->idx_lo = fi.nFileIndexLow;
	snprintf(ws->base, sizeof ws->base, LOCAL_NS "shmfb:file:%08lx:%08lx%08lx",
		 (unsigned long)ws->vol, (unsigned long)ws->idx_hi, (unsigned long)ws->idx_lo);
	return 0;
}

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)

static HANDLE open_file(const WCHAR *path, DWORD access, DWORD disposition)
{
	return CreateFileW(path, access, SHARE_ALL, NULL, disposition,
			   FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
}

/* ------------------------------------------------------------ lifecycle */

static void winseg_free(struct winseg *ws)
{
	if (!ws)
		return;
	HANDLE hs[] = {ws->file, ws->owner};
	for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) {
		if (hs[i])
			CloseHandle(hs[i]);
	}
	for (int i = 0; i < WAKE_WORDS; i++) {
		if (ws->chain[i].cur)
			CloseHandle(ws->chain[i].cur);
		if (ws->chain[i].next)
			CloseHandle(ws->chain[i].next);
	}
	free(ws);
}

void shmfb__plat_seg_close(shmfb__seg *seg)
{
	if (seg->base)
		UnmapViewOfFile(seg->base);
	if (seg->handle)
		CloseHandle((HANDLE)seg->handle);
	winseg_free(winseg_of(seg));
	memset(seg, 0, sizeof *seg);
}

/* A manual-reset, unset event; NULL with the error set on failure. */
static HANDLE make_event(const WCHAR *wname, const char *what, const char *name, int *rc)
{
	HANDLE h = CreateEventW(NULL, TRUE, FALSE, wname);
	if (!h)
		*rc = GetLastError() == ERROR_INVALID_HANDLE ? collision(what, name) : win_error(what, name);
	return h;
}

/* The creator's objects: owner token, events of counter values 0 and 1. */
static int make_creator_objects(struct winseg *ws, const char *name)
{
	WCHAR w[WNAME_MAX];
	int rc = 0;
	object_name(ws, "owner", w);
	/* Already there only while a prober of a dead predecessor holds it: fine. */
	if (!(ws->owner = make_event(w, "owner token", name, &rc)))
		return rc;
	for (int i = 0; i < WAKE_WORDS; i++) {
		struct wake_chain *c = &ws->chain[i];
		InitializeSRWLock(&c->lock);
		c->val = 0; /* a fresh mapping is zero: every counter starts at 0 */
		wake_name(ws, wake_words[i], 0, w);
		if (!(c->cur = make_event(w, "wake event", name, &rc)))
			return rc;
		wake_name(ws, wake_words[i], 1, w);
		if (!(c->next = make_event(w, "wake event", name, &rc)))
			return rc;
	}
	return 0;
}

static HANDLE create_section(HANDLE file, size_t size, const WCHAR *wname, const char *name, int *rc)
{
	uint64_t sz = size;
	/* The size goes in two DWORDs, so mappings over 4 GiB work. */
	HANDLE m = CreateFileMappingW(file, NULL, PAGE_READWRITE, (DWORD)(sz >> 32),
				      (DWORD)(sz & 0xffffffffu), wname);
	DWORD e = GetLastError();
	if (m && e == ERROR_ALREADY_EXISTS) {
		CloseHandle(m);
		*rc = shmfb__errorf(SHMFB_EEXIST, "%s: name exists (a running producer, or readers still holding a finished producer's mapping; Windows error %lu)",
				    name, (unsigned long)e);
		return NULL;
	}
	if (m)
		return m;
	if (e == ERROR_INVALID_HANDLE)
		*rc = collision("CreateFileMapping", name);
	else if (e == ERROR_ACCESS_DENIED && is_global(name))
		*rc = shmfb__errorf(SHMFB_EPERM, "%s: creating a mapping in Global\\ needs the SeCreateGlobalPrivilege privilege (run as administrator or a service; Windows error %lu)",
				    name, (unsigned long)e);
	else
		*rc = win_error_code(e, "CreateFileMapping", name);
	return NULL;
}

/* Faults in every page now so none faults on the frame path. */
static void touch_pages(void *base, size_t size)
{
	volatile uint8_t *p = base;
	for (size_t off = 0; off < size; off += SHMFB__PAGE)
		p[off] = 0;
}

int shmfb__plat_seg_create(const char *name, size_t size, uint32_t mode, shmfb__seg *seg)
{
	(void)mode; /* Windows: the creator's default security descriptor applies */
	memset(seg, 0, sizeof *seg);
	if (size == 0)
		return shmfb__errorf(SHMFB_EZEROSIZE, "%s: a mapping of zero bytes", name);
	struct winseg *ws = calloc(1, sizeof *ws);
	if (!ws)
		return shmfb__errorf(SHMFB_ENOMEM, "%s: out of memory", name);
	WCHAR w[WNAME_MAX];
	int path = shmfb__name_is_path(name), created = 0, rc;
	HANDLE m = NULL;
	if (path) {
		if ((rc = widen(name, w, WNAME_MAX, name)) < 0)
			goto fail;
		ws->file = open_file(w, GENERIC_READ | GENERIC_WRITE, CREATE_NEW);
		if (ws->file == INVALID_HANDLE_VALUE) {
			ws->file = NULL;
			DWORD e = GetLastError();
			rc = e == ERROR_FILE_EXISTS || e == ERROR_ALREADY_EXISTS
				     ? shmfb__errorf(SHMFB_EEXIST, "%s: name exists", name)
				     : win_error_code(e, "create", name);
			goto fail;
		}
		created = 1;
		if ((rc = file_identity(ws, name)) < 0)
			goto fail;
		m = create_section(ws->file, size, NULL, name, &rc);
	} else {
		section_base(name, ws->base);
		MultiByteToWideChar(CP_UTF8, 0, ws->base, -1, w, WNAME_MAX);
		m = create_section(INVALID_HANDLE_VALUE, size, w, name, &rc);
	}
	if (!m)
		goto fail;
	seg->handle = (intptr_t)m;
	seg->extra = (uintptr_t)ws;
	if ((rc = make_creator_objects(ws, name)) < 0)
		goto fail;
	void *p = MapViewOfFile(m, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, size);
	if (!p) {
		rc = win_error("MapViewOfFile", name);
		goto fail;
	}
	touch_pages(p, size);
	seg->base = p;
	seg->size = size;
	seg->writable = 1;
	return 0;
fail:
	if (m)
		CloseHandle(m);
	seg->handle = 0;
	seg->extra = 0;
	winseg_free(ws); /* closes the file before it is deleted */
	if (created)
		DeleteFileW(w); /* w still holds the path */
	return rc;
}

/* The size of the view at p: the object's real size, rounded to pages. */
static size_t view_size(const void *p)
{
	MEMORY_BASIC_INFORMATION mbi;
	if (VirtualQuery(p, &mbi, sizeof mbi) != sizeof mbi)
		return 0;
	return mbi.RegionSize;
}

static HANDLE open_file_section(struct winseg *ws, const char *name, int writable, int *rc)
{
	WCHAR w[WNAME_MAX];
	if ((*rc = widen(name, w, WNAME_MAX, name)) < 0)
		return NULL;
	ws->file = open_file(w, GENERIC_READ | (writable ? GENERIC_WRITE : 0), OPEN_EXISTING);
	if (ws->file == INVALID_HANDLE_VALUE) {
		ws->file = NULL;
		DWORD e = GetLastError();
		*rc = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND
			      ? shmfb__errorf(SHMFB_ENOENT, "%s: no such mapping", name)
			      : win_error_code(e, "open", name);
		return NULL;
	}
	if ((*rc = file_identity(ws, name)) < 0)
		return NULL;
	LARGE_INTEGER sz;
	if (!GetFileSizeEx(ws->file, &sz)) {
		*rc = win_error("GetFileSizeEx", name);
		return NULL;
	}
	ws->file_size = (uint64_t)sz.QuadPart;
	if ((uint64_t)sz.QuadPart < SHMFB__HEADER_SIZE || (uint64_t)sz.QuadPart > SIZE_MAX / 2) {
		ws->small_size = (uint64_t)sz.QuadPart < SHMFB__HEADER_SIZE ? (uint64_t)sz.QuadPart : 0;
		*rc = shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: object is %lld bytes, not a shmfb mapping size",
				    name, (long long)sz.QuadPart);
		return NULL;
	}
	HANDLE m = CreateFileMappingW(ws->file, NULL, writable ? PAGE_READWRITE : PAGE_READONLY, 0, 0, NULL);
	if (!m)
		*rc = win_error("CreateFileMapping", name);
	return m;
}

static HANDLE open_named_section(struct winseg *ws, const char *name, int writable, int *rc)
{
	WCHAR w[WNAME_MAX];
	section_base(name, ws->base);
	MultiByteToWideChar(CP_UTF8, 0, ws->base, -1, w, WNAME_MAX);
	HANDLE m = OpenFileMappingW(FILE_MAP_READ | (writable ? FILE_MAP_WRITE : 0), FALSE, w);
	if (m)
		return m;
	DWORD e = GetLastError();
	if (e == ERROR_FILE_NOT_FOUND)
		*rc = shmfb__errorf(SHMFB_ENOENT, "%s: no such mapping", name);
	else if (e == ERROR_INVALID_HANDLE)
		*rc = collision("OpenFileMapping", name);
	else
		*rc = win_error_code(e, "OpenFileMapping", name);
	return NULL;
}

int shmfb__plat_seg_open(const char *name, int writable, shmfb__seg *seg)
{
	memset(seg, 0, sizeof *seg);
	struct winseg *ws = calloc(1, sizeof *ws);
	if (!ws)
		return shmfb__errorf(SHMFB_ENOMEM, "%s: out of memory", name);
	int rc = 0;
	HANDLE m = shmfb__name_is_path(name) ? open_file_section(ws, name, writable, &rc)
					     : open_named_section(ws, name, writable, &rc);
	if (!m) {
		seg->size = (size_t)ws->small_size;
		winseg_free(ws);
		return rc;
	}
	/* FILE_MAP_READ alone: a reader's stray write faults instead of landing. */
	void *p = MapViewOfFile(m, FILE_MAP_READ | (writable ? FILE_MAP_WRITE : 0), 0, 0, 0);
	if (!p) {
		rc = win_error("MapViewOfFile", name);
		CloseHandle(m);
		winseg_free(ws);
		return rc;
	}
	/* A file's own size, as on Linux: a view of a file that ends inside a
	 * page still spans the whole page, and a header claiming that page
	 * would pass as the object's size. */
	size_t size = ws->file ? (size_t)ws->file_size : view_size(p);
	seg->handle = (intptr_t)m;
	seg->base = p;
	seg->size = size;
	seg->writable = writable;
	seg->extra = (uintptr_t)ws;
	if (size < SHMFB__HEADER_SIZE) {
		rc = shmfb__errorf(SHMFB_EBADTOTALSIZE, "%s: object is %zu bytes, not a shmfb mapping size",
				   name, size);
		shmfb__plat_seg_close(seg);
		return rc;
	}
	return 0;
}

/*
 * Windows 10 1709+ can remove a file's name at once even while it is open
 * (POSIX semantics), as unlink does; mingw's headers hide the class behind
 * a Windows 10 version, so its values are spelled out here.
 */
#define FILE_DISPOSITION_INFO_EX_CLASS ((FILE_INFO_BY_HANDLE_CLASS)21)
#define DISPOSITION_DELETE_POSIX 0x3u /* FILE_DISPOSITION_FLAG_DELETE | _POSIX_SEMANTICS */

static int delete_now(const WCHAR *path)
{
	HANDLE h = CreateFileW(path, DELETE, SHARE_ALL, NULL, OPEN_EXISTING,
			       FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return 0;
	struct { DWORD flags; } info = {DISPOSITION_DELETE_POSIX};
	BOOL ok = SetFileInformationByHandle(h, FILE_DISPOSITION_INFO_EX_CLASS, &info, sizeof info);
	CloseHandle(h);
	return ok;
}

int shmfb__plat_unlink(const char *name)
{
	WCHAR w[WNAME_MAX];
	if (shmfb__name_is_path(name)) {
		int rc = widen(name, w, WNAME_MAX, name);
		if (rc < 0)
			return rc;
		/* Else the classic way: the name goes when the last handle closes. */
		if (delete_now(w) || DeleteFileW(w))
			return 0;
		DWORD e = GetLastError();
		return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND
			       ? shmfb__errorf(SHMFB_ENOENT, "%s: no such mapping", name)
			       : win_error_code(e, "DeleteFile", name);
	}
	/* A section's name goes with its last handle; only say whether it exists. */
	char base[BASE_MAX];
	section_base(name, base);
	MultiByteToWideChar(CP_UTF8, 0, base, -1, w, WNAME_MAX);
	HANDLE m = OpenFileMappingW(FILE_MAP_READ, FALSE, w);
	if (m) {
		CloseHandle(m);
		return 0;
	}
	DWORD e = GetLastError();
	if (e == ERROR_FILE_NOT_FOUND)
		return shmfb__errorf(SHMFB_ENOENT, "%s: no such mapping", name);
	return e == ERROR_ACCESS_DENIED ? 0 : win_error_code(e, "OpenFileMapping", name);
}

/* Never: Windows refuses to shrink a file while a view of it is mapped
 * (ERROR_USER_MAPPED_FILE), and a section's size is fixed. */
int shmfb__plat_seg_lost(const shmfb__seg *seg)
{
	(void)seg;
	return 0;
}

/*
 * Asked only of files (a section's name does not persist): removed as by
 * shmfb_unlink, since Windows has no lock a dead creator leaves behind to
 * arbitrate two processes taking over one file.
 */
int shmfb__plat_unlink_unowned(const char *name, const shmfb__seg *seen)
{
	(void)seen;
	return shmfb__plat_unlink(name);
}

int shmfb__plat_seg_is_current(const char *name, const shmfb__seg *seg)
{
	const struct winseg *ws = winseg_of(seg);
	if (!ws)
		return 0;
	/* A section's name stays bound to it while we hold it open. */
	if (!shmfb__name_is_path(name))
		return 1;
	WCHAR w[WNAME_MAX];
	if (widen(name, w, WNAME_MAX, name) < 0)
		return 0;
	HANDLE f = open_file(w, 0, OPEN_EXISTING); /* no access needed to ask its identity */
	if (f == INVALID_HANDLE_VALUE)
		return 0;
	BY_HANDLE_FILE_INFORMATION fi;
	int same = GetFileInformationByHandle(f, &fi) && fi.dwVolumeSerialNumber == ws->vol &&
		   fi.nFileIndexHigh == ws->idx_hi && fi.nFileIndexLow == ws->idx_lo;
	CloseHandle(f);
	return same;
}

/* ------------------------------------------------------------- liveness */

int shmfb__plat_owner_alive(const shmfb__seg *seg)
{
	const struct winseg *ws = winseg_of(seg);
	if (!ws)
		return 0;
	if (ws->owner)
		return 1; /* we are the creator */
	WCHAR w[WNAME_MAX];
	object_name(ws, "owner", w);
	HANDLE h = OpenEventW(SYNCHRONIZE, FALSE, w);
	if (h) {
		CloseHandle(h);
		return 1;
	}
	/* Gone with the creator's last handle; any other failure means it exists. */
	DWORD e = GetLastError();
	return e != ERROR_FILE_NOT_FOUND && e != ERROR_PATH_NOT_FOUND;
}

/* A section's name goes with its last handle; a file's stays until deleted. */
int shmfb__plat_name_persists(const char *name)
{
	return shmfb__name_is_path(name);
}

/* The owner token of the object a name leads to, found without mapping it. */
int shmfb__plat_name_owner_alive(const char *name)
{
	struct winseg probe;
	memset(&probe, 0, sizeof probe);
	if (shmfb__name_is_path(name)) {
		WCHAR w[WNAME_MAX];
		if (widen(name, w, WNAME_MAX, name) < 0)
			return 0;
		probe.file = open_file(w, 0, OPEN_EXISTING); /* its identity names the token */
		if (probe.file == INVALID_HANDLE_VALUE)
			return 0;
		int rc = file_identity(&probe, name);
		CloseHandle(probe.file);
		if (rc < 0)
			return 0;
	} else {
		section_base(name, probe.base);
	}
	shmfb__seg seg = {.extra = (uintptr_t)&probe};
	return shmfb__plat_owner_alive(&seg);
}

uint32_t shmfb__plat_getpid(void)
{
	return (uint32_t)GetCurrentProcessId();
}

/* ---------------------------------------------------------------- listing */

/*
 * Named objects live in the object manager's directory of the session,
 * which only the native API lists.  ntdll is always loaded; its two calls
 * are looked up at run time because the SDK keeps them out of its headers.
 */
typedef struct {
	USHORT Length, MaximumLength;
	PWSTR Buffer;
} nt_unicode_string;
typedef struct {
	ULONG Length;
	HANDLE RootDirectory;
	nt_unicode_string *ObjectName;
	ULONG Attributes;
	PVOID SecurityDescriptor, SecurityQualityOfService;
} nt_object_attributes;
typedef struct {
	nt_unicode_string Name, TypeName;
} nt_directory_entry;
typedef LONG(NTAPI *nt_open_dir_fn)(HANDLE *, ACCESS_MASK, nt_object_attributes *);
typedef LONG(NTAPI *nt_query_dir_fn)(HANDLE, PVOID, ULONG, BOOLEAN, BOOLEAN, PULONG, PULONG);
#define NT_DIRECTORY_QUERY 1

/* Calls fn for each section "shmfb-NAME" with a valid NAME in one directory. */
static int list_directory(const WCHAR *dir, const char *ns, void (*fn)(const char *, void *), void *ctx)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	nt_open_dir_fn open_dir = ntdll ? (nt_open_dir_fn)(void (*)(void))GetProcAddress(ntdll, "NtOpenDirectoryObject") : NULL;
	nt_query_dir_fn query_dir = ntdll ? (nt_query_dir_fn)(void (*)(void))GetProcAddress(ntdll, "NtQueryDirectoryObject") : NULL;
	if (!open_dir || !query_dir)
		return shmfb__errorf(SHMFB_EIO, "listing mappings: ntdll lacks NtQueryDirectoryObject");
	nt_unicode_string us = {(USHORT)(wcslen(dir) * 2), (USHORT)(wcslen(dir) * 2 + 2), (PWSTR)dir};
	nt_object_attributes oa = {sizeof oa, NULL, &us, 0, NULL, NULL};
	HANDLE d;
	LONG st = open_dir(&d, NT_DIRECTORY_QUERY, &oa);
	if (st < 0)
		return shmfb__errorf(SHMFB_EIO, "listing mappings: cannot open the object directory (NTSTATUS 0x%08lx)",
				     (unsigned long)st);
	ULONG context = 0, len;
	union {
		nt_directory_entry e;
		char bytes[4096];
	} buf;
	/* One entry per call (ReturnSingleEntry): simple, and the lists are short. */
	while (query_dir(d, &buf, sizeof buf, TRUE, context == 0, &context, &len) >= 0) {
		const nt_directory_entry *e = &buf.e;
		if (e->TypeName.Length != 7 * 2 || wcsncmp(e->TypeName.Buffer, L"Section", 7))
			continue;
		char n[BASE_MAX];
		int k = WideCharToMultiByte(CP_UTF8, 0, e->Name.Buffer, e->Name.Length / 2, n,
					    (int)sizeof n - 1, NULL, NULL);
		if (k <= 0)
			continue;
		n[k] = 0;
		if (strncmp(n, OBJ_PREFIX, strlen(OBJ_PREFIX)))
			continue;
		char full[BASE_MAX + 8];
		snprintf(full, sizeof full, "%s%s", ns, n + strlen(OBJ_PREFIX));
		if (shmfb_name_check(full) == 0)
			fn(full, ctx);
	}
	CloseHandle(d);
	return 0;
}

int shmfb__plat_list(void (*fn)(const char *name, void *ctx), void *ctx)
{
	DWORD session = 0;
	ProcessIdToSessionId(GetCurrentProcessId(), &session);
	WCHAR dir[64];
	_snwprintf(dir, 64, L"\\Sessions\\%lu\\BaseNamedObjects", (unsigned long)session);
	dir[63] = 0;
	int rc = list_directory(dir, "", fn, ctx);
	if (rc < 0)
		return rc;
	/* Session 0 (services) uses the global directory as its local one. */
	if (session != 0)
		list_directory(L"\\BaseNamedObjects", GLOBAL_NS, fn, ctx);
	return 0;
}

/* ------------------------------------------------------------ time, random */

uint64_t shmfb__plat_now_ns(void)
{
	static LARGE_INTEGER freq; /* constant from boot; a racy first fill is harmless */
	if (!freq.QuadPart)
		QueryPerformanceFrequency(&freq);
	LARGE_INTEGER t;
	QueryPerformanceCounter(&t);
	uint64_t f = (uint64_t)freq.QuadPart, c = (uint64_t)t.QuadPart;
	return c / f * 1000000000u + c % f * 1000000000u / f;
}

uint64_t shmfb__plat_random64(void)
{
	uint64_t v = 0;
	if (BCryptGenRandom(NULL, (PUCHAR)&v, sizeof v, BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0)
		v = shmfb__plat_now_ns() * 0x9E3779B97F4A7C15ull ^ GetCurrentProcessId();
	return v ? v : 1; /* 0 is never a generation */
}

/* -------------------------------------------------------------- wake-ups */

/* timeout_ns to milliseconds, rounded up so a wait never ends early. */
static DWORD ms_of(int64_t timeout_ns)
{
	if (timeout_ns < 0)
		return INFINITE;
	int64_t ms = (timeout_ns + 999999) / 1000000;
	return ms >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)ms;
}

void shmfb__plat_sleep_ns(uint64_t ns)
{
	Sleep(ms_of(ns > INT64_MAX ? INT64_MAX : (int64_t)ns));
}

int shmfb__plat_wait(const shmfb__seg *seg, shmfb_atomic_u32 *word, uint32_t expected,
		     int64_t timeout_ns)
{
	const struct winseg *ws = winseg_of(seg);
	WCHAR w[WNAME_MAX];
	int k = word_index(seg, word);
	if (k < 0) {
		Sleep(ms_of(timeout_ns)); /* not a counter anyone wakes */
		return SHMFB_ETIMEDOUT;
	}
	wake_name(ws, wake_words[k], expected, w);
	HANDLE h = OpenEventW(SYNCHRONIZE, FALSE, w);
	if (!h) {
		/* relaxed: only compared; the caller re-reads with acquire. */
		if (atomic_load_explicit(word, memory_order_relaxed) != expected)
			return 0; /* the writer set and dropped the event: moved on */
		/* The producer died (or could not make the event): nothing will wake us. */
		Sleep(ms_of(timeout_ns));
		return SHMFB_ETIMEDOUT;
	}
	DWORD r = WaitForSingleObject(h, ms_of(timeout_ns));
	CloseHandle(h);
	return r == WAIT_TIMEOUT ? SHMFB_ETIMEDOUT : 0;
}

void shmfb__plat_wake(const shmfb__seg *seg, shmfb_atomic_u32 *word)
{
	struct winseg *ws = winseg_of(seg);
	int k = word_index(seg, word);
	if (!ws || !ws->owner || k < 0)
		return; /* only the creator has events to set */
	struct wake_chain *c = &ws->chain[k];
	AcquireSRWLockExclusive(&c->lock);
	/* relaxed: this process is the only writer of the word; it reads its own store. */
	uint32_t now = atomic_load_explicit(word, memory_order_relaxed);
	/* One step per publish; the bound only guards against a corrupt word. */
	for (int i = 0; i < 4 && c->val != now; i++) {
		if (c->cur) {
			SetEvent(c->cur); /* wakes every reader waiting on val */
			CloseHandle(c->cur);
		}
		c->cur = c->next;
		c->val++;
		WCHAR w[WNAME_MAX];
		wake_name(ws, wake_words[k], c->val + 1, w);
		/* Failure leaves NULL: readers of that value time out, nothing worse. */
		c->next = CreateEventW(NULL, TRUE, FALSE, w);
	}
	ReleaseSRWLockExclusive(&c->lock);
}

/*
 * Copy-on-write views: FILE_MAP_COPY views of the reader's section handle
 * (read access is all they need).  A page the view only reads is the
 * section's page; a page written becomes this process's copy.  Windows
 * cannot give the private pages of a view back and keep the view, so they
 * are dropped by unmapping it, and the next view maps it afresh.  A view
 * begins on the allocation granularity (64 KiB), so it may start with the
 * end of the page or slot before the one asked for.
 */
int shmfb__plat_cow_map(const shmfb__seg *seg, uint64_t offset, size_t size, const char *name,
			shmfb__cow *cow)
{
	memset(cow, 0, sizeof *cow);
	SYSTEM_INFO si;
	GetSystemInfo(&si);
	uint64_t start = offset - offset % si.dwAllocationGranularity;
	size_t lead = (size_t)(offset - start);
	void *p = MapViewOfFile((HANDLE)seg->handle, FILE_MAP_COPY, (DWORD)(start >> 32),
				(DWORD)(start & 0xffffffffu), lead + size);
	if (!p)
		return win_error("MapViewOfFile (copy-on-write)", name);
	cow->base = p;
	cow->data = (uint8_t *)p + lead;
	cow->size = lead + size;
	return 0;
}

void shmfb__plat_cow_discard(shmfb__cow *cow)
{
	shmfb__plat_cow_unmap(cow);
}

void shmfb__plat_cow_unmap(shmfb__cow *cow)
{
	if (cow->base)
		UnmapViewOfFile(cow->base);
	memset(cow, 0, sizeof *cow);
}

/* Never, as seg_lost. */
int shmfb__plat_cow_lost(const shmfb__cow *cow)
{
	(void)cow;
	return 0;
}
