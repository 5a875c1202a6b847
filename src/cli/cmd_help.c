/* SPDX-License-Identifier: MIT */
/*
 * cmd_help.c - `ferry help [COMMAND]`: the same text as `--help`.
 */
#include "cli.h"

#include <string.h>

static const struct cli_help help = { "help [COMMAND]",
	"Show the list of commands, or the help of one command.",
	"  ferry help up\n" };

int cmd_help(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *c;
	char *args[2] = { (char *)"--help", NULL };
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, NULL, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos == 0) {
		cli_print_main_help(stdout);
		return CLI_EXIT_OK;
	}
	if (npos > 1)
		return cli_usage(ctx, "'help' takes one command name");
	for (c = cli_commands; c->name; c++) {
		if (strcmp(c->name, argv[0]) != 0)
			continue;
		ctx->cmd = c;
		return c->fn(1, args, ctx);
	}
	return cli_unknown_command(ctx, argv[0]);
}
