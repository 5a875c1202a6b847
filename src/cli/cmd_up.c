/* SPDX-License-Identifier: MIT */
/*
 * cmd_up.c - `ferry up`: apply the up sections of pending migrations.
 */
#include "cli.h"

static const struct cli_help help = {
	"up [--to TARGET] [--allow-out-of-order] [--single-transaction]\n"
	"         [--baseline VERSION] [--dry-run | --check] [--strict] [--json]\n"
	"   or: ferry up --rerun VERSION [--yes]",
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
	"it with 'ferry stamp V' or --baseline V).\n"
	"\n"
	"A section marked '-- ferry:up confirm' asks before it runs (refused\n"
	"without --yes when nobody can answer). --rerun VERSION runs the up\n"
	"section of an applied migration again, in one transaction, and\n"
	"records it as a rerun; it asks first too.\n"
	"\n"
	"--strict refuses (exit 5), before anything is written, when 'ferry\n"
	"lint' finds an error no '-- ferry:allow' suppressed in a section the\n"
	"run would run.",
	"  ferry up\n"
	"  ferry up --to 20240301120000\n"
	"  ferry -d postgres://app@db/app up --lock-timeout 300\n"
};

static void print_summary(const ferry_report *r, const char *to)
{
	if (ferry_report_count(r) > 0)
		cli_print_migrations(r, "applied");
	else if (ferry_report_waited(r))
		printf("nothing to do: another ferry applied the migrations "
		       "while this one waited\n");
	else if (!ferry_report_checkpoint(r))
		printf("nothing to do: every migration%s%s is applied\n",
			to ? " up to " : "", to ? to : "");
}

static const struct cli_runner up = {
	.help = &help,
	.run = ferry_up,
	.opts = CLI_RUN_TO | CLI_RUN_OUT_OF_ORDER | CLI_RUN_SINGLE |
		CLI_RUN_TRIAL | CLI_RUN_RERUN | CLI_RUN_BASELINE |
		CLI_RUN_BACKUP | CLI_RUN_LOCK_BUDGET | CLI_RUN_EXCLUSIVE |
		CLI_RUN_STRICT | CLI_RUN_ALLOW_EMPTY,
	.to_help = "stop after this version or release",
	.single_help = "all pending migrations in one transaction: all or none",
	.summary = print_summary,
};

int cmd_up(int argc, char **argv, struct cli_ctx *ctx)
{
	return cli_run(ctx, &up, argc, argv);
}
