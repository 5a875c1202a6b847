/* SPDX-License-Identifier: MIT */
/*
 * cmd_rollback.c - `ferry rollback`: revert every migration in state up,
 * the safe abort of a rollout that went wrong.
 */
#include "cli.h"

static const struct cli_help help = { "rollback [--dry-run | --check] [--json]",
	"Revert the unfinished rollout with the down sections, newest first,\n"
	"each in one transaction with the removal of its ledger row: every\n"
	"migration after the last release older than the oldest migration in\n"
	"state 'up' (applied, finish not run). The abort of a blue-green\n"
	"rollout: the old release finds the database as it left it. Refuses\n"
	"(exit 5), before anything runs, when one of them has no down section,\n"
	"was finished, or stopped half way.",
	"  ferry rollback --dry-run\n  ferry rollback\n" };

static const struct cli_runner rollback = {
	.help = &help,
	.run = ferry_rollback,
	.opts = CLI_RUN_TRIAL | CLI_RUN_LOCK_BUDGET,
	.summary = cli_print_reverted,
	.nothing = "no migration is in state 'up'",
};

int cmd_rollback(int argc, char **argv, struct cli_ctx *ctx)
{
	return cli_run(ctx, &rollback, argc, argv);
}
