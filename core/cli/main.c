/*
 * main.c - build/bin/shmfb: inspect, dump and benchmark shmfb mappings.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} commands[] = {
	{"info", cmd_info, "info NAME [--json]      describe a mapping and its producer"},
	{"ls", cmd_ls, "ls [--json]             list every shmfb mapping on this machine"},
	{"rm", cmd_rm, "rm NAME...              remove mapping names"},
	{"cat", cmd_cat, "cat NAME [--frames N] [--timeout S] [--info]\n"
			 "                          write each new frame's raw bytes to stdout"},
	{"bench", cmd_bench, "bench [--size WxH] [--format F] [--seconds S] [--readers K] [--json FILE] [--quick]\n"
			     "                          measure latency and throughput (docs/PERFORMANCE.md)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: shmfb COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
}

int cli_fail(int status, const char *fmt, ...)
{
	va_list ap;
	fputs("shmfb: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
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

int cli_parse_seconds(const char *s, int64_t *ns)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 1e6)
		return -1;
	*ns = (int64_t)(v * 1e9);
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
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	return cli_fail(2, "unknown command '%s' (try shmfb --help)", argv[1]);
}
