/* SPDX-License-Identifier: MIT */
/*
 * cmd_up.c - `ferry up`: apply the up sections of pending migrations.
 */
#include "cli.h"

#include <string.h>

static const struct cli_help help = {
	"up [--to TARGET] [--allow-out-of-order] [--single-transaction]\n"
	"         [--baseline VERSION] [--dry-run | --check] [--json]",
	"Apply the up sections of pending migrations, oldest first. Each runs\n"
	"in one transaction with its ledger row, so a crash leaves it wholly\n"
	"applied or not at all; a section marked no-transaction runs statement\n"
	"by statement and, if it fails, resumes at the failed statement next\n"
	"time. A migration with a finish section stays 'up' until finished.\n"
	"\n"
	"up never goes past a checkpoint release that is not finished: it\n"
	"applies what comes before it and stops with exit 5; finish the\n"
	"checkpoint release once every node runs it, then run up again.\n"
	"\n"
	"Only one ferry works on a database at a time: others wait (see\n"
	"--lock-timeout), then find the work done and exit 0. Refuses (exit 5)\n"
	"a database ahead of the files, a file changed after it was applied,\n"
	"a migration older than the newest applied one, and a database that\n"
	"holds objects but no ferry ledger (another tool migrated it: adopt\n"
	"it with 'ferry stamp V' or --baseline V).",
	"  ferry up\n"
	"  ferry up --to 20240301120000\n"
	"  ferry -d postgres://app@db/app up --lock-timeout 300\n"
};

static void print_summary(const ferry_report *r, const char *to)
{
	size_t n = ferry_report_count(r);

	if (n == 0 && ferry_report_waited(r))
		printf("nothing to do: another ferry applied the migrations "
		       "while this one waited\n");
	else if (n == 0 && !ferry_report_checkpoint(r))
		printf("nothing to do: every migration%s%s is applied\n",
			to ? " up to " : "", to ? to : "");
	if (n == 0)
		return;
	printf("applied %zu migration%s", n, n == 1 ? "" : "s");
	cli_report_where(r, stdout);
}

int cmd_up(int argc, char **argv, struct cli_ctx *ctx)
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
			"all pending migrations in one transaction: all or "
			"none"),
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
			"'up' takes no arguments; to stop at a version, use "
			"--to %s",
			argv[0]);
	if ((rc = cli_trial_setup(ctx, o.dry_run, o.check)) != CLI_CONTINUE ||
		(rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_autobackup(ctx, ferry_up, &o)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_up(&r, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	return cli_print_run(ctx, r, print_summary, o.to);
}
