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

int cmd_rollback(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_report *r = NULL;
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = { CLI_OPT_FLAG("dry-run", 0, &o.dry_run,
						CLI_TRIAL_HELP_DRY_RUN),
		CLI_OPT_FLAG("check", 0, &o.check, CLI_TRIAL_HELP_CHECK),
		CLI_OPT_END };

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'rollback' takes no arguments");
	if ((rc = cli_trial_setup(ctx, o.dry_run, o.check)) != CLI_CONTINUE ||
		(rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_rollback(&r, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	return cli_print_run(
		ctx, r, cli_print_reverted, "no migration is in state 'up'");
}
