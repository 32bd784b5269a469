/*
 * proc.c - every operating-system call of shmfb bench (Linux): child
 * processes, CPU pinning, memory, a bare futex, pipes and sockets, external
 * programs and a description of the machine.  A port to another system
 * replaces this file; the rest of bench/ only uses what bench.h declares.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ------------------------------------------------------------- memory */

void *bench_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, size); /* faults every page in now */
	return p;
}

void bench_shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

void *bench_alloc_faulted(size_t size, int huge)
{
	size_t align = huge ? 2u << 20 : 0;
	size_t len = size + align;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (huge) {
		/* Align to 2 MiB so the whole buffer can be huge pages; give back the rest. */
		uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
		if (a > (uintptr_t)p)
			munmap(p, a - (uintptr_t)p);
		size_t tail = (uintptr_t)p + len - (a + size);
		if (tail)
			munmap((uint8_t *)a + size, tail);
		p = (uint8_t *)a;
		madvise(p, size, MADV_HUGEPAGE);
	}
	/* Writing (not reading) each page allocates it: no fault on the hot path. */
	long page = sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < size; i += (size_t)page)
		p[i] = 1;
	return p;
}

int bench_cow_floor_open(bench_cow_floor *c, size_t bytes)
{
	*c = (bench_cow_floor){NULL, NULL, bytes};
	int fd = memfd_create("shmfb-bench-cow-floor", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	int ok = ftruncate(fd, (off_t)bytes) == 0;
	uint8_t *s = ok ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0) : MAP_FAILED;
	uint8_t *p = s != MAP_FAILED ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd); /* the mappings keep the object */
	if (p == MAP_FAILED) {
		if (s != MAP_FAILED)
			munmap(s, bytes);
		return -1;
	}
	memset(s, 5, bytes);
	c->shared = s;
	c->priv = p;
	return 0;
}

void bench_cow_floor_drop(bench_cow_floor *c)
{
	madvise(c->priv, c->bytes, MADV_DONTNEED);
}

void bench_cow_floor_close(bench_cow_floor *c)
{
	if (c->priv)
		munmap(c->priv, c->bytes);
	if (c->shared)
		munmap(c->shared, c->bytes);
	*c = (bench_cow_floor){0};
}

void bench_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

/* ------------------------------------------------------------- CPUs */

uint64_t bench_cpu_mask(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 0;
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		if (CPU_ISSET(i, &set))
			m |= 1ull << i;
	return m;
}

int bench_cpu_count(uint64_t mask)
{
	return __builtin_popcountll(mask);
}

uint64_t bench_cpu_first(uint64_t mask)
{
	return mask & (~mask + 1);
}

bench_pins bench_pins_of(int pinned)
{
	uint64_t all = bench_cpu_mask(), first = bench_cpu_first(all);
	return pinned ? (bench_pins){first, all & ~first} : (bench_pins){0, 0};
}

static void pin_to(uint64_t mask)
{
	if (!mask)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int i = 0; i < 64; i++)
		if (mask >> i & 1)
			CPU_SET(i, &set);
	sched_setaffinity(0, sizeof set, &set);
}

void bench_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* ------------------------------------------------------- children */

/* Read by on_interrupt: lock-free atomics, so safe in a signal handler. */
#define MAX_CHILDREN 128
static _Atomic pid_t live_children[MAX_CHILDREN];
static char cleanup_base[SHMFB_NAME_MAX + 1];
static _Atomic uint32_t cleanup_count;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the interrupt handler needs lock-free atomics");

/* The handler only needs each entry whole (a pid or 0); no other data
 * hangs on one, so every access to live_children is relaxed. */
static void remember_child(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		/* relaxed: see above. */
		if (!atomic_load_explicit(&live_children[i], memory_order_relaxed)) {
			atomic_store_explicit(&live_children[i], pid, memory_order_relaxed); /* relaxed: likewise */
			return;
		}
	}
}

static void forget_child(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		/* relaxed: see remember_child. */
		if (atomic_load_explicit(&live_children[i], memory_order_relaxed) == pid)
			atomic_store_explicit(&live_children[i], 0, memory_order_relaxed); /* relaxed: likewise */
	}
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

/*
 * Maps every page of this process's code now.  A forked child maps its
 * parent's code lazily, page by page, the first time it runs each one; a
 * code path first taken in the middle of a measurement (a torn copy's
 * retry, say) would count as a page fault on the frame path.
 */
static void map_code_now(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && perms[2] == 'x')
			madvise((void *)lo, hi - lo, MADV_POPULATE_READ);
	}
	fclose(f);
}

/*
 * fork, for a child that dies with this process: 0 in the child, its pid in
 * the parent, -1.  The child takes the default action on SIGINT and SIGTERM.
 */
static pid_t fork_child(void)
{
	fflush(NULL); /* no buffered output duplicated into the child */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* the parent died before prctl */
			_exit(1);
	}
	return pid;
}

int bench_spawn(bench_child *c, uint64_t cpus, int (*fn)(void *), void *arg)
{
	pid_t pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		pin_to(cpus);
		map_code_now();
		int rc = fn(arg);
		fflush(NULL);
		_exit(rc);
	}
	c->pid = pid;
	remember_child(pid);
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int bench_join(bench_child *c, int timeout_ms)
{
	if (c->pid <= 0)
		return -1;
	uint64_t end = mono_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	int status;
	for (;;) {
		pid_t r = waitpid((pid_t)c->pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == (pid_t)c->pid)
			break;
		if (r < 0 && errno != EINTR) {
			forget_child((pid_t)c->pid);
			c->pid = 0;
			return -1;
		}
		if (timeout_ms >= 0 && mono_ms() >= end) {
			bench_kill(c);
			return -1;
		}
		bench_sleep_ns(2000000);
	}
	forget_child((pid_t)c->pid);
	c->pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void bench_kill(bench_child *c)
{
	if (c->pid <= 0)
		return;
	kill((pid_t)c->pid, SIGKILL);
	waitpid((pid_t)c->pid, NULL, 0);
	forget_child((pid_t)c->pid);
	c->pid = 0;
}

void bench_terminate(bench_child *c, int timeout_ms)
{
	if (c->pid <= 0)
		return;
	kill((pid_t)c->pid, SIGTERM);
	bench_join(c, timeout_ms); /* kills it on timeout */
}

void bench_cleanup_names(const char *base, uint32_t count)
{
	/* relaxed: the handler then ignores cleanup_base, which changes next. */
	atomic_store_explicit(&cleanup_count, 0, memory_order_relaxed);
	/* seq_cst: a full compiler barrier, so the base's stores stay after the
	 * 0 above as the handler (same thread) sees them; release would not
	 * hold later stores back. */
	atomic_signal_fence(memory_order_seq_cst);
	snprintf(cleanup_base, sizeof cleanup_base, "%s", base);
	/* release: pairs with the handler's acquire load; the base is written. */
	atomic_store_explicit(&cleanup_count, count, memory_order_release);
}

/* Appends s to buf at *n, within size (async-signal-safe, unlike snprintf). */
static void append(char *buf, size_t size, size_t *n, const char *s)
{
	while (*s && *n + 1 < size)
		buf[(*n)++] = *s++;
	buf[*n] = 0;
}

static void on_interrupt(int sig)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		/* relaxed: see remember_child. */
		pid_t pid = atomic_load_explicit(&live_children[i], memory_order_relaxed);
		if (pid > 0)
			kill(pid, SIGKILL);
	}
	/* shm_unlink of our own object names: what shmfb_unlink does, minus the checks.
	 * acquire: pairs with the release store in bench_cleanup_names. */
	uint32_t count = atomic_load_explicit(&cleanup_count, memory_order_acquire);
	for (uint32_t k = 0; k < count; k++) {
		char obj[SHMFB_NAME_MAX + 32], num[16];
		size_t n = 0, d = sizeof num - 1;
		num[d] = 0;
		uint32_t v = k;
		do {
			num[--d] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		append(obj, sizeof obj, &n, "/shmfb-");
		append(obj, sizeof obj, &n, cleanup_base);
		append(obj, sizeof obj, &n, "-");
		append(obj, sizeof obj, &n, num + d);
		shm_unlink(obj);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

uint64_t bench_minor_faults(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_minflt : 0;
}

uint64_t bench_cpu_time_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_preemptions(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_nivcsw : 0;
}

void bench_install_interrupt(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* --------------------------------------------------------- futex */

void bench_futex_wait(_Atomic uint32_t *word, uint32_t expected, int64_t timeout_ns)
{
	struct timespec ts, *tp = NULL;
	if (timeout_ns >= 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000);
		ts.tv_nsec = (long)(timeout_ns % 1000000000);
		tp = &ts;
	}
	/* Shared futex, as the library's: the word is in memory shared across fork. */
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, tp, NULL, 0);
}

void bench_futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* ------------------------------------------------------ byte streams */

int bench_chan_open(bench_chan *c, int kind)
{
	int fd[2];
	int rc = kind == CHAN_PIPE ? pipe2(fd, O_CLOEXEC)
				   : socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd);
	if (rc < 0)
		return -1;
	c->rd = fd[0];
	c->wr = fd[1];
	return 0;
}

void bench_chan_keep_reader(bench_chan *c)
{
	if (c->wr >= 0)
		close((int)c->wr);
	c->wr = -1;
}

void bench_chan_keep_writer(bench_chan *c)
{
	if (c->rd >= 0)
		close((int)c->rd);
	c->rd = -1;
}

void bench_chan_close(bench_chan *c)
{
	bench_chan_keep_reader(c);
	bench_chan_keep_writer(c);
}

/* All n bytes to (writing) or from fd, across short transfers and signals; 0 or -1. */
static int transfer_all(int fd, uint8_t *b, size_t n, int writing)
{
	while (n) {
		ssize_t k = writing ? write(fd, b, n) : read(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

int bench_chan_write(bench_chan *c, const void *p, size_t n)
{
	return transfer_all((int)c->wr, (uint8_t *)(uintptr_t)p, n, 1); /* write(2) only reads it */
}

int bench_chan_read(bench_chan *c, void *p, size_t n)
{
	return transfer_all((int)c->rd, p, n, 0);
}

/* ------------------------------------------------- external programs */

int bench_find_program(const char *name, char *path, size_t size)
{
	const char *env = getenv("PATH");
	if (!env)
		env = "/usr/bin:/bin";
	while (*env) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);
		if (len && (size_t)snprintf(path, size, "%.*s/%s", (int)len, env, name) < size &&
		    access(path, X_OK) == 0)
			return 0;
		env += len + (colon ? 1 : 0);
	}
	return -1;
}

int bench_start_program(bench_child *c, uint64_t cpus, char *const argv[])
{
	pid_t pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		pin_to(cpus); /* kept across execv */
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	c->pid = pid;
	remember_child(pid);
	return 0;
}

int bench_own_dir(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	if (n <= 0)
		return -1;
	path[n] = 0;
	char *slash = strrchr(path, '/');
	if (!slash)
		return -1;
	*slash = 0;
	return 0;
}

long bench_own_pid(void)
{
	return (long)getpid();
}

int bench_tmpdir(char *path, size_t size)
{
	const char *base = getenv("TMPDIR");
	if ((size_t)snprintf(path, size, "%s/shmfb-bench-XXXXXX", base && *base ? base : "/tmp") >= size)
		return -1;
	return mkdtemp(path) ? 0 : -1;
}

void bench_rmtree_tmpdir(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		char p[4096];
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof p, "%s/%s", path, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* --------------------------------------------------------- machine */

static void read_line(const char *file, char *out, size_t size)
{
	out[0] = 0;
	FILE *f = fopen(file, "r");
	if (!f)
		return;
	if (fgets(out, (int)size, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* "always [madvise] never" -> "madvise" */
static void selected_word(char *s)
{
	char *a = strchr(s, '['), *b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		memmove(s, a + 1, (size_t)(b - a - 1));
		s[b - a - 1] = 0;
	}
}

double bench_loadavg(void)
{
	char line[128];
	read_line("/proc/loadavg", line, sizeof line);
	double v;
	return sscanf(line, "%lf", &v) == 1 ? v : -1;
}

/* Steal time of all CPUs, ms (the 8th number of /proc/stat's "cpu" line); -1 if absent. */
static int64_t steal_ms(void)
{
	char line[256];
	read_line("/proc/stat", line, sizeof line);
	unsigned long long v[8];
	if (sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) != 8)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? (int64_t)(v[7] * 1000 / (unsigned long long)hz) : -1;
}

void bench_disturb_now(bench_disturb *d)
{
	struct rusage ru;
	memset(d, 0, sizeof *d);
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		d->faults = (uint64_t)ru.ru_minflt;
		d->preempted = (uint64_t)ru.ru_nivcsw;
	}
	int64_t st = steal_ms();
	d->steal_ms = st > 0 ? (uint64_t)st : 0;
	d->now_ns = shmfb_now_ns();
}

double bench_steal_share(const bench_disturb *since)
{
	bench_disturb now;
	bench_disturb_now(&now);
	int cpus = bench_cpu_count(bench_cpu_mask());
	double wall_ms = (double)(now.now_ns - since->now_ns) / 1e6 * (cpus > 0 ? cpus : 1);
	if (steal_ms() < 0 || wall_ms <= 0)
		return -1;
	return (double)(now.steal_ms - since->steal_ms) / wall_ms;
}

/* "MemAvailable:  22579680 kB" -> MiB, or 0. */
static uint64_t meminfo_mb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	char line[128];
	unsigned long long kb = 0;
	size_t n = strlen(key);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ':' && sscanf(line + n + 1, "%llu", &kb) == 1)
			break;
	fclose(f);
	return kb / 1024;
}

/* The first "cpu MHz" of /proc/cpuinfo, or the cpufreq driver's; 0 if neither. */
static double cpu_mhz(void)
{
	char line[64];
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", line, sizeof line);
	double khz;
	if (sscanf(line, "%lf", &khz) == 1)
		return khz / 1000;
	FILE *f = fopen("/proc/cpuinfo", "r");
	double mhz = 0;
	if (!f)
		return 0;
	char l[256];
	while (fgets(l, sizeof l, f))
		if (!strncmp(l, "cpu MHz", 7) && strchr(l, ':') && sscanf(strchr(l, ':') + 1, "%lf", &mhz) == 1)
			break;
	fclose(f);
	return mhz;
}

void bench_machine_describe(bench_machine *m)
{
	memset(m, 0, sizeof *m);
	m->cpus = bench_cpu_count(bench_cpu_mask());
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof m->kernel, "%.20s %.50s %.20s", u.sysname, u.release, u.machine);
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f)) {
			char *colon = strchr(line, ':');
			if (!strncmp(line, "model name", 10) && colon) {
				colon += 1 + (colon[1] == ' ');
				colon[strcspn(colon, "\n")] = 0;
				snprintf(m->cpu_model, sizeof m->cpu_model, "%s", colon);
				break;
			}
		}
		fclose(f);
	}
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", m->clocksource,
		  sizeof m->clocksource);
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", m->thp, sizeof m->thp);
	read_line("/sys/kernel/mm/transparent_hugepage/shmem_enabled", m->shmem_thp, sizeof m->shmem_thp);
	selected_word(m->thp);
	selected_word(m->shmem_thp);
	char line[128];
	read_line("/proc/loadavg", line, sizeof line);
	if (sscanf(line, "%*f %lf %lf", &m->load5, &m->load15) != 2)
		m->load5 = m->load15 = -1;
	m->cpu_mhz = cpu_mhz();
	m->steal_visible = steal_ms() >= 0;
	m->mem_free_mb = meminfo_mb("MemFree");
	m->mem_available_mb = meminfo_mb("MemAvailable");
	bench_disturb_now(&m->at_start);
}

void bench_sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	nanosleep(&ts, NULL);
}

int bench_path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

void bench_export(const char *name, const char *value)
{
	setenv(name, value, 1);
}
