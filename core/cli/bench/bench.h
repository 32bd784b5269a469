/*
 * bench.h - what the files of `shmfb bench` share.
 *
 * The benchmark is split by concern:
 *   proc.c      every operating-system call of the shmfb program's bench
 *               (processes, CPU pinning, futexes, pipes, sockets, memory),
 *               so a port swaps that one file;
 *   sections    latency.c, throughput.c, readers.c, peers.c, writecopy.c,
 *               delivery.c (with gstpeer.c) and zerocopy.c run child
 *               processes and fill a bench_results;
 *   stats.c     latency histograms and spreads of rounds;
 *   report.c    the table, the targets and the JSON (delivery_report.c for
 *               section 6); svg.c draws the latency picture;
 *   bench.c     parses the options and runs the lot;
 *   peers/      the GStreamer and iceoryx peers, programs of their own.
 */
#ifndef SHMFB_BENCH_H
#define SHMFB_BENCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app.h"
#include "peers/peer.h"
#include "shmfb.h"

/* ------------------------------------------------------------ histograms */

/*
 * A log-linear histogram of nanosecond values: exact below 128 ns, then 64
 * buckets per power of two (at most 0.8% between a value and its bucket's
 * middle), up to 2^40 ns (18 minutes).  Fixed size, no allocation, so a
 * child process fills one in memory shared with the parent.
 */
#define BENCH_HIST_SUB 64
#define BENCH_HIST_TOP 40
#define BENCH_HIST_BUCKETS ((BENCH_HIST_TOP - 5) * BENCH_HIST_SUB)

typedef struct bench_hist {
	uint64_t count, min, max, sum;
	uint64_t bucket[BENCH_HIST_BUCKETS];
} bench_hist;

/* The summary of one histogram, in ns. */
typedef struct bench_lat {
	uint64_t frames, min, p50, p90, p99, p999, max;
	double mean;
} bench_lat;

void bench_hist_clear(bench_hist *h);
void bench_hist_add(bench_hist *h, uint64_t ns);
/* Value below which a fraction q of the samples lie (a bucket's middle). */
uint64_t bench_hist_quantile(const bench_hist *h, double q);
void bench_hist_summary(const bench_hist *h, bench_lat *out);
/* The median of n values (sorting them); 0 for none. */
double bench_median(double *v, size_t n);
/* Adds src's samples to dst. */
void bench_hist_merge(bench_hist *dst, const bench_hist *src);
/* Bucket index of a value and the [lo, hi) range of a bucket. */
uint32_t bench_hist_index(uint64_t ns);
void bench_hist_range(uint32_t index, uint64_t *lo, uint64_t *hi);

/* ---------------------------------------------------------------- spread */

/*
 * Every rate is measured in BENCH_ROUNDS rounds (or more) and reported as
 * the median with the smallest and largest round beside it.  A figure whose
 * rounds spread by more than BENCH_UNSTABLE of the median is unstable: the
 * machine disturbed it, and `why` says what was seen while it ran.
 */
#define BENCH_ROUNDS 5
#define BENCH_MAX_ROUNDS 16
#define BENCH_UNSTABLE 0.20

typedef struct bench_spread {
	double median, min, max;
	uint32_t rounds;
	int unstable;
	char why[128];
} bench_spread;

/* What can disturb a measurement, counted at one moment (proc.c). */
typedef struct bench_disturb {
	uint64_t faults;    /* minor page faults of this process */
	uint64_t preempted; /* times it was preempted */
	uint64_t steal_ms;  /* time the hypervisor gave this machine's CPUs to others */
	uint64_t now_ns;
} bench_disturb;

void bench_disturb_now(bench_disturb *d);
/*
 * The spread of n rounds (n <= BENCH_MAX_ROUNDS); before and after (may be
 * NULL) bracket them and name the likely cause when they spread too far.
 */
void bench_spread_of(const double *v, uint32_t n, const bench_disturb *before,
		     const bench_disturb *after, bench_spread *out);
/* Width of the spread as a share of the median: (max - min) / median;
 * infinite when the median is 0 and the rounds differ. */
double bench_spread_width(const bench_spread *s);

/* --------------------------------------------------------------- options */

typedef struct bench_opts {
	uint32_t width, height;
	shmfb_pixfmt format;
	double seconds;           /* per throughput, readers and peers run */
	uint32_t max_readers;     /* readers runs: 1, 2, 4, ... up to this */
	uint64_t latency_frames;  /* per latency mode */
	int quick;
	unsigned sections;        /* BENCH_SEC_* bits to run */
	const char *json_path;
	const char *svg_path;
	char name_base[48];       /* mapping names: "<base>-<n>" */
} bench_opts;

enum {
	BENCH_SEC_LATENCY = 1u << 0,
	BENCH_SEC_THROUGHPUT = 1u << 1,
	BENCH_SEC_READERS = 1u << 2,
	BENCH_SEC_PEERS = 1u << 3,
	BENCH_SEC_WRITECOPY = 1u << 4,
	BENCH_SEC_DELIVERY = 1u << 5,
	BENCH_SEC_ZEROCOPY = 1u << 6,
	BENCH_SEC_ALL = 127u,
};

/* ---------------------------------------------------------------- results */

enum { LAT_SHMFB_FUTEX, LAT_FLOOR_FUTEX, LAT_SHMFB_POLL, LAT_FLOOR_POLL, LAT_MODES };

#define BENCH_MAX_SIZES 4
#define BENCH_MAX_READER_RUNS 8
#define BENCH_MAX_READERS 32

/* The copy methods of section 2, in the order they are measured. */
enum { M_MEMCPY1, M_MEMCPY3, M_MEMCPY_HUGE, M_PUBLISH, COPY_METHODS };

typedef struct bench_copy_row {
	uint32_t width, height;
	shmfb_pixfmt format;
	uint64_t frame_bytes;
	double publish_fps, publish_gbps; /* copy-publish (medians) */
	double memcpy_gbps;               /* the same bytes, plain memcpy into one buffer */
	double memcpy3_gbps;              /* ... into three buffers in turn, like the slots */
	double memcpy_thp_gbps;           /* ... into one buffer of transparent huge pages */
	bench_spread gbps[COPY_METHODS];  /* each method's rounds, GB/s */
} bench_copy_row;

typedef struct bench_reader_run {
	uint32_t readers;
	double writer_fps;
	bench_spread writer_spread; /* the writer's frames/s over the rounds */
	double writer_cpu_share;   /* CPU time the writer got / wall time */
	double writer_fps_per_cpu; /* frames per second of CPU time it got */
	uint64_t writer_preempted; /* involuntary context switches of the writer */
	double reader_fps[BENCH_MAX_READERS];
	uint64_t reader_p99_ns[BENCH_MAX_READERS]; /* age of a frame when copied */
	uint64_t gave_up;                          /* copies lapped 64 times, all readers */
	uint64_t torn;                             /* copies overwritten midway and retried */
} bench_reader_run;

typedef struct bench_peer {
	const char *key;   /* JSON key */
	const char *label; /* table */
	int ran;
	double fps;        /* frames the reader received whole, per second */
	bench_spread fps_spread; /* fps over the rounds */
	double writer_fps; /* frames the writer handed over, per second */
	bench_lat lat;     /* handoff start -> whole frame in the reader's buffer */
	char note[160];    /* why it was skipped */
} bench_peer;

enum { PEER_SHMFB, PEER_PIPE, PEER_SOCKET, PEER_GST, PEER_GST_SHMFB, PEERS };

/* Copy-on-write views beside a full copy (writecopy.c). */
#define BENCH_WRITECOPY_SHARES 4 /* 0, 1, 10 and 100 % of the pages written */
typedef struct bench_writecopy {
	int ran;
	uint32_t width, height, rounds;
	uint64_t frame_bytes, pages;
	uint64_t pages_written[BENCH_WRITECOPY_SHARES];
	double copy_ns;                          /* medians */
	double view_ns[BENCH_WRITECOPY_SHARES];
	double floor_ns[BENCH_WRITECOPY_SHARES]; /* the same writes into a bare private mapping */
	double read_in_place_ns, read_view_ns;
} bench_cow_result;

/* Paced delivery (delivery.c): one transport at one rate to k copying readers. */
enum { T_SHMFB_NEXT, T_SHMFB_LATEST, T_PIPE, T_SOCKET, T_GST_SHM, T_GST_SHMFB, BENCH_TRANSPORTS };
extern const char *const bench_transport_key[BENCH_TRANSPORTS];
extern const char *const bench_transport_label[BENCH_TRANSPORTS];
#define BENCH_DL_READERS 4
#define BENCH_DL_RUNS 320
#define BENCH_DL_ROUNDS 3 /* a rate that was not lossless is run again up to this many times in all */

typedef struct bench_delivery_run {
	uint32_t width, height;
	shmfb_pixfmt format;
	uint32_t readers, transport;
	double rate_fps;          /* asked; 0 = unpaced */
	uint64_t window_ns;
	int ran, skipped;         /* skipped: the transport is not available here */
	uint64_t frames;          /* due (unpaced: sent) */
	uint64_t sent;            /* frames the writer started */
	double achieved_fps;      /* sent / window */
	uint64_t writer_lag_max_ns;
	uint32_t attempts, failures; /* external peers: tries, and tries that failed */
	uint32_t rounds, lossless_rounds; /* runs at this rate (1, or BENCH_DL_ROUNDS), and how many were lossless */
	uint64_t received[BENCH_DL_READERS];
	bench_lat lat[BENCH_DL_READERS]; /* due -> copy finished */
	char note[128];
} bench_delivery_run;

/* Zero-copy hand-off beside iceoryx (zerocopy.c). */
enum { ZC_SHMFB, ZC_ICEORYX };
typedef struct bench_zc_row {
	uint32_t transport, subscribers;
	int ran;
	bench_lat lat;     /* paced at 240 f/s: publish -> subscriber holds the frame */
	double fps;        /* unpaced: frames/s the slowest subscriber took (median round) */
	bench_spread fps_spread;
	double writer_fps; /* unpaced: frames/s published */
	char note[128];
} bench_zc_row;

typedef struct bench_machine {
	int cpus;
	char cpu_model[96];
	char kernel[96];
	char clocksource[32];
	char thp[96], shmem_thp[96];
	int pinned;         /* writer and readers on separate CPUs */
	uint64_t clock_ns;  /* cost of one shmfb_now_ns() */
	double load_start, load_end; /* 1-minute load average: others using the machine */
	double load5, load15;        /* at start */
	double cpu_mhz;              /* as the kernel reports it now; 0 if not visible */
	int steal_visible;           /* the kernel counts steal time (a VM) */
	double steal_share;          /* of the run's CPU time, taken by the host */
	uint64_t mem_free_mb, mem_available_mb; /* at start */
	bench_disturb at_start;
} bench_machine;

typedef struct bench_results {
	bench_machine machine;
	bench_hist lat_hist[LAT_MODES];
	bench_lat lat[LAT_MODES];
	uint64_t lat_lost; /* frames the reader never acknowledged within 1 s */
	bench_copy_row copy[BENCH_MAX_SIZES];
	uint32_t copy_rows;
	double zero_copy_ns;   /* acquire + publish, no pixels */
	double futex_wake_ns;  /* a bare FUTEX_WAKE with no waiter */
	bench_spread zero_copy_spread, futex_wake_spread;
	uint64_t publish_faults; /* page faults during the copy-publish loops */
	uint64_t reader_faults;  /* page faults in readers' frame loops */
	uint32_t thp_kept;     /* huge pages measurably helped the reader's buffer */
	bench_reader_run reader_runs[BENCH_MAX_READER_RUNS];
	uint32_t reader_run_count;
	bench_peer peers[PEERS];
	bench_cow_result writecopy;
	bench_delivery_run delivery[BENCH_DL_RUNS];
	uint32_t delivery_count;
	bench_zc_row zc[4];
	uint32_t zc_count;
	char zc_note[160];
	double elapsed_s;
	char svg_written[4096];
} bench_results;

/* ------------------------------------------------------------ targets */

enum { AT_LEAST, AT_MOST };

typedef struct target {
	const char *key, *text;
	double value, limit;
	int op;
	int evaluated; /* 0: the run did not measure it (size, readers, failure) */
	char note[96];  /* a second view of the same number, for the reader of the table */
	const bench_spread *in[2]; /* the figures it divides; unstable if either is */
} target;
#define BENCH_MAX_TARGETS 24

/* The targets of sections 6 and 7 into t; how many. */
int bench_delivery_targets(const bench_results *r, target *t);

/* ------------------------------------------------------------ the sections */

/* Each returns 0, or 1 with a message already printed. */
int bench_latency(const bench_opts *o, bench_results *res);
int bench_throughput(const bench_opts *o, bench_results *res);
int bench_readers(const bench_opts *o, bench_results *res);
int bench_peers(const bench_opts *o, bench_results *res);
int bench_writecopy(const bench_opts *o, bench_results *res);
int bench_delivery(const bench_opts *o, bench_results *res);
int bench_zerocopy(const bench_opts *o, bench_results *res);
void bench_zerocopy_table(FILE *f, const bench_results *r);
void bench_zerocopy_json(FILE *f, const bench_results *r);
/* 1 when every reader of the run received at least 99.9 % of the frames due. */
int bench_delivery_lossless(const bench_delivery_run *run);
/* A camera's buffering: a writer further behind its schedule would have dropped frames. */
#define BENCH_DL_LAG_PERIODS 4
int bench_delivery_on_schedule(const bench_delivery_run *run);
void bench_delivery_table(FILE *f, const bench_results *r);
/* The run of `transport` at `rate` in group's frame, format and reader count, or NULL. */
const bench_delivery_run *bench_delivery_find(const bench_results *r, const bench_delivery_run *group,
					      uint32_t transport, double rate);
/* The highest lossless rate of transport in group's configuration (0: none), and its run. */
double bench_delivery_max_lossless(const bench_results *r, const bench_delivery_run *group, uint32_t transport,
				   const bench_delivery_run **at);
void bench_delivery_json(FILE *f, const bench_results *r);
/*
 * A GStreamer transport through the peer program shmfb-bench-gst (gstpeer.c):
 * fills run, or sets run->skipped / run->note.  0, or 1.
 */
int bench_gst_delivery(const bench_opts *o, bench_results *res, bench_delivery_run *run);
void bench_writecopy_table(FILE *f, const bench_results *r);
void bench_writecopy_json(FILE *f, const bench_results *r);
/* A view with 1 % of its pages written, as a share of the full copy's time. */
double bench_writecopy_one_percent(const bench_results *r);

void bench_report_table(FILE *f, const bench_opts *o, const bench_results *res);
/* {"frames": .., "min_ns": .., "p50_ns": .., ...} */
void bench_json_lat(FILE *f, const bench_lat *l);
/* {"median": .., "min": .., "max": .., "rounds": .., "unstable": .., "why": ".."} */
void bench_json_spread(FILE *f, const bench_spread *s);
/* What may distort the run (load, CPU frequency, steal, huge pages, memory): two lines. */
void bench_report_environment(FILE *f, const bench_machine *m);
int bench_report_json(const char *path, const bench_opts *o, const bench_results *res);
int bench_svg_write(const char *path, const bench_opts *o, const bench_results *res);

/* Progress line on stderr: "shmfb bench: ...". */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<base>-<n>": a fresh mapping name for one run. */
const char *bench_next_name(const bench_opts *o, char *buf, size_t size);
/* Sleeps in 0.1 ms steps until *v >= want (0), or timeout_ns passes (-1). */
int bench_wait_count(_Atomic uint32_t *v, uint32_t want, int64_t timeout_ns);
/* Busy-waits for ns nanoseconds. */
void bench_spin_ns(uint64_t ns);
/*
 * Creates the mapping `name` with the frame of o (size and format).  On
 * failure: -1, with "<what>: <detail>" in err.
 */
int bench_create_writer(const bench_opts *o, const char *name, const char *what,
			char *err, size_t errlen, shmfb_writer **w);
/* Fills a frame with a non-constant pattern (so nothing can shortcut a copy). */
void bench_fill(uint8_t *p, size_t n, uint32_t seed);

/* --------------------------------------------------- OS layer (proc.c) */

/* Zeroed memory shared with every child forked after the call. */
void *bench_shared_alloc(size_t size);
void bench_shared_free(void *p, size_t size);

/* Private memory with every page touched; huge: ask for huge pages. */
void *bench_alloc_faulted(size_t size, int huge);
void bench_free(void *p, size_t size);

/*
 * The floor under a copy-on-write view: a private mapping of a filled
 * shared-memory object of `bytes`, outside shmfb, whose written pages the
 * kernel copies and bench_cow_floor_drop gives back (MADV_DONTNEED), as a
 * view's release does.  What it costs is the kernel's and the machine's.
 */
typedef struct bench_cow_floor {
	uint8_t *shared, *priv;
	size_t bytes;
} bench_cow_floor;
int bench_cow_floor_open(bench_cow_floor *c, size_t bytes);
void bench_cow_floor_drop(bench_cow_floor *c);
void bench_cow_floor_close(bench_cow_floor *c);

/* The CPUs this process may run on, as a bit mask (CPU i = bit i; up to 64). */
uint64_t bench_cpu_mask(void);
int bench_cpu_count(uint64_t mask);
/* The lowest CPU in mask as a mask of its own, and the rest. */
uint64_t bench_cpu_first(uint64_t mask);

/*
 * Where a run's processes go: the writer alone on the first CPU this
 * process may use and its readers on the others, so that a reader never
 * takes the writer's CPU; both 0 (anywhere) when the run is not pinned.
 */
typedef struct bench_pins {
	uint64_t writer, readers;
} bench_pins;
bench_pins bench_pins_of(int pinned);

typedef struct bench_child {
	intptr_t pid;
} bench_child;

/*
 * Runs fn(arg) in a new process restricted to the CPUs in cpus (0 = no
 * restriction); its return value is the exit status.  The child dies
 * with the parent.  0 or -1.
 */
int bench_spawn(bench_child *c, uint64_t cpus, int (*fn)(void *), void *arg);
/* Exit status, 128+signal, or -1 after timeout_ms (the child is killed then). */
int bench_join(bench_child *c, int timeout_ms);
void bench_kill(bench_child *c);
/* SIGTERM, then SIGKILL if it has not exited within timeout_ms; reaped. */
void bench_terminate(bench_child *c, int timeout_ms);

/* Names "<base>-0" .. "<base>-<count-1>" are removed on an interrupt. */
void bench_cleanup_names(const char *base, uint32_t count);
/* Minor page faults of this process so far. */
uint64_t bench_minor_faults(void);
/* CPU time this process has used, ns; times it was preempted (involuntarily). */
uint64_t bench_cpu_time_ns(void);
uint64_t bench_preemptions(void);
/* Installs the SIGINT/SIGTERM handler that kills children and removes names. */
void bench_install_interrupt(void);

/* Sleeps about ns nanoseconds. */
void bench_sleep_ns(uint64_t ns);
/* 1 when something exists at path. */
int bench_path_exists(const char *path);
/* Sets an environment variable the programs started after it inherit. */
void bench_export(const char *name, const char *value);

/* A bare futex on a word in bench_shared_alloc memory. */
void bench_futex_wait(_Atomic uint32_t *word, uint32_t expected, int64_t timeout_ns);
void bench_futex_wake(_Atomic uint32_t *word);
/* One CPU pause inside a spin loop. */
void bench_cpu_relax(void);

/* Byte streams between two processes. */
enum { CHAN_PIPE, CHAN_UNIX_SOCKET };
typedef struct bench_chan {
	intptr_t rd, wr;
} bench_chan;
int bench_chan_open(bench_chan *c, int kind);
/* After fork: each side closes the end it does not use. */
void bench_chan_keep_reader(bench_chan *c);
void bench_chan_keep_writer(bench_chan *c);
void bench_chan_close(bench_chan *c);
/* Whole buffer; 0, or -1 on error/EOF. */
int bench_chan_write(bench_chan *c, const void *p, size_t n);
int bench_chan_read(bench_chan *c, void *p, size_t n);

/* Path of an executable found on PATH, or -1. */
int bench_find_program(const char *name, char *path, size_t size);
/* Starts argv[0] with stdout/stderr to /dev/null, on the CPUs of mask cpus (0: any). 0 or -1. */
int bench_start_program(bench_child *c, uint64_t cpus, char *const argv[]);
/* The directory of this program's executable (peer programs live beside it). 0 or -1. */
int bench_own_dir(char *path, size_t size);
/* This process's id: what makes the run's mapping names its own. */
long bench_own_pid(void);
/* A private scratch directory (for sockets of external programs). */
int bench_tmpdir(char *path, size_t size);
void bench_rmtree_tmpdir(const char *path);

void bench_machine_describe(bench_machine *m);
/* The 1-minute load average, or -1. */
double bench_loadavg(void);
/* The share of the CPUs' time since `since` the host took (steal), or -1. */
double bench_steal_share(const bench_disturb *since);

#endif
