/* SPDX-License-Identifier: MIT */
/*
 * cmd_backup.c - `ferry backup`: not written yet (issue 5).
 */
#include "cli.h"

static const struct cli_opt opts[] = { { NULL, 0, 0, NULL, NULL } };

static const struct cli_help help = { "backup", "Not written yet.", opts,
	NULL };

int cmd_backup(int argc, char **argv, struct cli_ctx *ctx)
{
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, argc, argv, NULL, NULL, &npos)) >= 0)
		return rc;
	cli_error(ctx, "'backup' is not written yet");
	return CLI_EXIT_USAGE;
}
