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

int cmd_bootstrap(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_report *r = NULL;
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("single-transaction", 0, &o.single_transaction,
			"the whole run in one transaction: all or none"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'bootstrap' takes no arguments");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_bootstrap(&r, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	return cli_print_run(ctx, r, cli_print_phases, NULL);
}
