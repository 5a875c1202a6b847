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
	size_t n = ferry_report_count(r);

	if (n == 0) {
		printf("nothing to do: no migration%s%s waits for finish\n",
			to ? " up to " : "", to ? to : "");
		return;
	}
	printf("finished %zu migration%s", n, n == 1 ? "" : "s");
	cli_report_where(r, stdout);
}

int cmd_finish(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_report *r = NULL;
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("to", 0, &o.to, "TARGET",
			"finish up to this version or release"),
		CLI_OPT_FLAG("single-transaction", 0, &o.single_transaction,
			"all finish sections in one transaction: all or none"),
		CLI_OPT_FLAG("dry-run", 0, &o.dry_run, CLI_TRIAL_HELP_DRY_RUN),
		CLI_OPT_FLAG("check", 0, &o.check, CLI_TRIAL_HELP_CHECK),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'finish' takes no arguments; to stop "
			"at a version, use --to %s",
			argv[0]);
	if ((rc = cli_trial_setup(ctx, o.dry_run, o.check)) != CLI_CONTINUE ||
		(rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_autobackup(ctx, ferry_finish, &o)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_finish(&r, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	return cli_print_run(ctx, r, print_summary, o.to);
}
