/* SPDX-License-Identifier: MIT */
/*
 * cmd_migrate.c - `ferry migrate`: up and finish all the way, passing
 * checkpoints in order; the one-shot upgrade with downtime.
 */
#include "cli.h"

enum {
	OPT_TO,
	OPT_OUT_OF_ORDER,
	OPT_SINGLE,
	OPT_DRY_RUN,
	OPT_CHECK,
	OPT_BASELINE
};

static const struct cli_opt opts[] = {
	[OPT_TO] = { "to", 0, CLI_VALUE, "TARGET",
		"stop after this version or release" },
	[OPT_OUT_OF_ORDER] = { "allow-out-of-order", 0, CLI_FLAG, NULL,
		"apply migrations older than the newest applied one" },
	[OPT_SINGLE] = { "single-transaction", 0, CLI_FLAG, NULL,
		"the whole run in one transaction: all or none" },
	[OPT_DRY_RUN] = { "dry-run", 0, CLI_FLAG, NULL,
		CLI_TRIAL_HELP_DRY_RUN },
	[OPT_CHECK] = { "check", 0, CLI_FLAG, NULL, CLI_TRIAL_HELP_CHECK },
	[OPT_BASELINE] = { "baseline", 0, CLI_VALUE, "VERSION",
		"a database with objects but no ferry ledger: first record "
		"migrations up to VERSION as complete, without running them" },
	{ NULL, 0, 0, NULL, NULL }
};

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
	opts,
	"  ferry migrate\n"
	"  ferry migrate --to 2.0\n"
};

static int on_opt(void *data, int index, const char *value)
{
	ferry_up_options *o = data;

	if (index == OPT_DRY_RUN)
		o->dry_run = 1;
	else if (index == OPT_CHECK)
		o->check = 1;
	else if (index == OPT_TO)
		o->to = value;
	else if (index == OPT_BASELINE)
		o->baseline = value;
	else if (index == OPT_OUT_OF_ORDER)
		o->allow_out_of_order = 1;
	else
		o->single_transaction = 1;
	return CLI_CONTINUE;
}

int cmd_migrate(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_report *r = NULL;
	ferry_error err;
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, argc, argv, on_opt, &o, &npos)) !=
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
