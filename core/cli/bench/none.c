/*
 * none.c - `shmfb bench` where the benchmark is not built: Windows, whose
 * build links this file instead of the others in bench/ (they measure with
 * Linux's processes, futexes and CPU pinning).
 */
#include "cli.h"

int cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return app_fail(1, "bench: not available on this platform (the benchmark is Linux-only)");
}
