/* SPDX-License-Identifier: MIT */
/*
 * cmd_bootstrap.c - `ferry bootstrap`: a new, empty database straight to
 * the newest migration, finished.
 */
#include "cli.h"

static const struct cli_help help = {
	"bootstrap [--single-transaction] [--json]",
	"Set up a new database: every migration's up and finish sections, in\n"
	"order, passing checkpoints, as 'ferry migrate' would. Refuses (exit 5)\n"
	"a database that holds any object (table, view; on PostgreSQL also\n"
	"sequence, type, function) or a ledger with rows, and\n"
	"names a few of them: an existing database is upgraded with 'ferry\n"
	"migrate' instead.",
	"  ferry -d sqlite:new.db bootstrap\n"
};

static const struct cli_runner bootstrap = {
	.help = &help,
	.run = ferry_bootstrap,
	.opts = CLI_RUN_SINGLE | CLI_RUN_LOCK_BUDGET | CLI_RUN_ALLOW_EMPTY,
	.single_help = "the whole run in one transaction: all or none",
	.summary = cli_print_phases,
};

int cmd_bootstrap(int argc, char **argv, struct cli_ctx *ctx)
{
	return cli_run(ctx, &bootstrap, argc, argv);
}
