#include "cli.h"
int cmd_cat(int argc, char **argv)
{
	(void)argc; (void)argv;
	return cli_fail(1, "cat: not built yet");
}
