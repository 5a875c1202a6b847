/* SPDX-License-Identifier: MIT */
/*
 * cmd_migrate.c - `ferry migrate`: up and finish all the way, passing
 * checkpoints in order; the one-shot upgrade with downtime.
 */
#include "cli.h"

static const struct cli_help help = {
	"migrate [--to TARGET] [--allow-out-of-order] [--single-transaction]\n"
	"              [--baseline VERSION] [--dry-run | --check] [--json]",
	"Bring the database all the way to TARGET (default: the newest\n"
	"migration): the up sections of pending migrations, then the finish\n"
	"sections. At each checkpoint release on the way, everything up to it\n"
	"is finished before later migrations go up, so a database several\n"
	"releases behind gets every skipped release's migrations, in order.\n"
	"For an upgrade with downtime; for a blue-green rollout use 'up', then\n"
	"'finish' once the old release is gone. 'ferry plan' shows the steps.",
	"  ferry migrate\n"
	"  ferry migrate --to 2.0\n"
};

int cmd_migrate(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_report *r = NULL;
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("to", 0, &o.to, "TARGET",
			"stop after this version or release"),
		CLI_OPT_FLAG("allow-out-of-order", 0, &o.allow_out_of_order,
			"apply migrations older than the newest applied one"),
		CLI_OPT_FLAG("single-transaction", 0, &o.single_transaction,
			"the whole run in one transaction: all or none"),
		CLI_OPT_FLAG("dry-run", 0, &o.dry_run, CLI_TRIAL_HELP_DRY_RUN),
		CLI_OPT_FLAG("check", 0, &o.check, CLI_TRIAL_HELP_CHECK),
		CLI_OPT_STRING("baseline", 0, &o.baseline, "VERSION",
			"a database with objects but no ferry ledger: first "
			"record migrations up to VERSION as complete, without "
			"running them"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'migrate' takes no arguments; to stop "
			"at a version, use --to %s",
			argv[0]);
	if ((rc = cli_trial_setup(ctx, o.dry_run, o.check)) != CLI_CONTINUE ||
		(rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_autobackup(ctx, ferry_migrate, &o)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_migrate(&r, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	return cli_print_run(ctx, r, cli_print_phases, NULL);
}
