/*
 * main.c - build/bin/shmfb: inspect, dump and benchmark shmfb mappings.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "shmfb.h"

/*
 * Each command's usage, the one place its options are described: printed by
 * `shmfb COMMAND --help`, all of them by `shmfb --help`, and turned into
 * shmfb(1) by mk/man.sh (so the manual cannot drift from it).  The layout is
 * what mk/man.sh reads: a synopsis, a sentence, then option lines "  -x ARG"
 * with the description from column 22, continued by deeper indented lines.
 */
static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *synopsis, *summary, *options;
} commands[] = {
	{"info", cmd_info, "info [--json] NAME", "Describes a mapping and its producer.",
	 "  --json              one JSON object instead of text\n"},
	{"ls", cmd_ls, "ls [--json]", "Lists every shmfb mapping on this machine and its state.",
	 "  --json              a JSON array of objects instead of text\n"},
	{"rm", cmd_rm, "rm NAME... | rm --dead [NAME...]",
	 "Removes mapping names (a reader that has one open keeps it until it closes).\n"
	 "A plain NAME is always removed, even a half-made or corrupt mapping's. A NAME\n"
	 "with '/' is a file, removed only if it starts with shmfb's magic, so that rm\n"
	 "never deletes another file it is given; remove such files with rm(1).",
	 "  --dead              only names whose producer died without closing them, all\n"
	 "                      such names when none is given; never a name a producer\n"
	 "                      holds (running, stale, or taking it over meanwhile);\n"
	 "                      a NAME given and not removed is said, and exits 1\n"},
	{"cat", cmd_cat, "cat [--audio] [--frames N | --seconds S] [--timeout S] [--info] NAME",
	 "Writes each new frame's raw bytes to standard output, or with --info the\n"
	 "ffmpeg input options that read them:  shmfb cat cam0 | ffplay $(shmfb cat cam0 --info) -",
	 "  --frames N          stop after N frames (with --audio: audio frames)\n"
	 "  --timeout S         fail when nothing new arrives for S seconds\n"
	 "  --audio             the audio ring instead, as raw interleaved PCM\n"
	 "  --seconds S         with --audio: stop after S seconds of audio\n"
	 "  --info              print the ffmpeg/ffplay input options and exit\n"},
	{"bench", cmd_bench,
	 "bench [--size WxH] [--format F] [--seconds S] [--readers K] [--json FILE] [--svg FILE]\n"
	 "      [--latency-frames N] [--sections LIST] [--quick]",
	 "Measures latency and throughput (docs/PERFORMANCE.md).",
	 "  --size WxH          frame size for latency, readers and peers (1920x1080)\n"
	 "  --format F          pixel format: rgba bgra rgb24 gray8 nv12 i420 yuyv (rgba)\n"
	 "  --seconds S         length of each throughput, readers and peer run (2)\n"
	 "  --readers K         reader runs with 1, 2, 4, ... K readers (8, at most 32)\n"
	 "  --latency-frames N  frames per latency mode (100000)\n"
	 "  --json FILE         write the results as JSON (keys: docs/PERFORMANCE.md)\n"
	 "  --svg FILE          latency histogram picture (default: FILE.svg beside --json)\n"
	 "  --sections LIST     run only some of: latency,throughput,readers,peers,writecopy,\n"
	 "                      delivery,zerocopy\n"
	 "  --quick             a few seconds, to prove it works (numbers are rough)\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char common_options[] =
	"  -h, --help          this text (shmfb COMMAND --help: that command's)\n"
	"  --                  end of the options: what follows is a NAME even if it\n"
	"                      starts with -\n";

static const char exit_status[] =
	"Exit status: 0 success, 1 failure at run time, 2 usage error.\n";

static void usage(FILE *f)
{
	fprintf(f, "usage: shmfb COMMAND [OPTIONS] [NAME...]\n"
		   "Inspects, dumps and measures shmfb mappings: frames and audio that\n"
		   "producers share in named memory.\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "\nshmfb %s\n%s\n%s", commands[i].synopsis, commands[i].summary, commands[i].options);
	fprintf(f, "\noptions of every command:\n%s\n%s", common_options, exit_status);
}

static void command_usage(FILE *f, size_t i)
{
	fprintf(f, "usage: shmfb %s\n%s\n\n%s%s\n%s", commands[i].synopsis, commands[i].summary,
		commands[i].options, common_options, exit_status);
}

/* Is -h or --help among the options (before any "--")? */
static int asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

const char app_name[] = "shmfb";

int cli_check_name(const char *cmd, const char *name)
{
	return shmfb_name_check(name) < 0 ? app_fail(2, "%s: %s", cmd, shmfb_errdetail()) : 0;
}

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (asks_help(argc - 1, argv + 1)) {
			command_usage(stdout, i);
			return 0;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	return app_fail(2, "unknown command '%s' (try shmfb --help)", argv[1]);
}
