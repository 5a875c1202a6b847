/* SPDX-License-Identifier: MIT */
/*
 * cmd_rollback.c - `ferry rollback`: revert every migration in state up,
 * the safe abort of a rollout that went wrong.
 */
#include "cli.h"

enum { OPT_DRY_RUN, OPT_CHECK };

static const struct cli_opt opts[] = { [OPT_DRY_RUN] = { "dry-run", 0, CLI_FLAG,
					       NULL, CLI_TRIAL_HELP_DRY_RUN },
	[OPT_CHECK] = { "check", 0, CLI_FLAG, NULL, CLI_TRIAL_HELP_CHECK },
	{ NULL, 0, 0, NULL, NULL } };

static const struct cli_help help = { "rollback [--dry-run | --check] [--json]",
	"Revert the unfinished rollout with the down sections, newest first,\n"
	"each in one transaction with the removal of its ledger row: every\n"
	"migration after the last release older than the oldest migration in\n"
	"state 'up' (applied, finish not run). The abort of a blue-green\n"
	"rollout: the old release finds the database as it left it. Refuses\n"
	"(exit 5), before anything runs, when one of them has no down section,\n"
	"was finished, or stopped half way.",
	opts, "  ferry rollback --dry-run\n  ferry rollback\n" };

static int on_opt(void *data, int index, const char *value)
{
	ferry_up_options *o = data;

	(void)value;
	if (index == OPT_DRY_RUN)
		o->dry_run = 1;
	else
		o->check = 1;
	return CLI_CONTINUE;
}

int cmd_rollback(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_report *r = NULL;
	ferry_error err;
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, argc, argv, on_opt, &o, &npos)) !=
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
