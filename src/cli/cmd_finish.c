/* SPDX-License-Identifier: MIT */
/*
 * cmd_finish.c - `ferry finish`: apply the finish sections of migrations
 * that are up, once every node runs the release that needs them.
 */
#include "cli.h"

static const struct cli_help help = {
	"finish [--to TARGET] [--single-transaction] [--dry-run | --check]\n"
	"         [--json]",
	"Apply the finish sections of migrations in state 'up', oldest first:\n"
	"the destructive (contract) half of a blue-green upgrade, to run once\n"
	"no node runs the old release any more. Each runs in one transaction\n"
	"with its ledger row; the migration becomes 'complete'. A finished\n"
	"migration can be reverted only with 'ferry down --force'.",
	"  ferry finish\n"
	"  ferry finish --to 2.0\n"
};

static void print_summary(const ferry_report *r, const char *to)
{
	if (ferry_report_count(r) == 0)
		printf("nothing to do: no migration%s%s waits for finish\n",
			to ? " up to " : "", to ? to : "");
	else
		cli_print_migrations(r, "finished");
}

static const struct cli_runner finish = {
	.help = &help,
	.run = ferry_finish,
	.opts = CLI_RUN_TO | CLI_RUN_SINGLE | CLI_RUN_TRIAL | CLI_RUN_BACKUP |
		CLI_RUN_LOCK_BUDGET | CLI_RUN_EXCLUSIVE,
	.to_help = "finish up to this version or release",
	.single_help = "all finish sections in one transaction: all or none",
	.summary = print_summary,
};

int cmd_finish(int argc, char **argv, struct cli_ctx *ctx)
{
	return cli_run(ctx, &finish, argc, argv);
}
