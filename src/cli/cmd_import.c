/* SPDX-License-Identifier: MIT */
/*
 * cmd_import.c - `ferry import --from FORMAT SRC DEST`: another tool's
 * set written once as ferry's own files, versions kept.
 */
#include "cli.h"

static const struct cli_help help = { "import --from FORMAT SRC DEST",
	"Write the migration set in SRC, read in another tool's FORMAT, as\n"
	"ferry's own files in DEST, a new directory: each migration as\n"
	"<version>_<name>.sql with the same version and its up and down\n"
	"sections (no-transaction kept), repeatable migrations in\n"
	"repeatable/, the releases file. The versions stay the tool's, so\n"
	"'ferry adopt' still maps its ledger onto the new files. SRC is left\n"
	"as it is; DEST is written beside, read back, and only then put in\n"
	"place: a failure leaves nothing.\n"
	"\n"
	"FORMAT is golang-migrate, dbmate, goose, flyway, sql-migrate,\n"
	"diesel, sqlx, prisma, ferry or auto.",
	"  ferry import --from goose db/migrations migrations\n"
	"  ferry import --from flyway src/main/resources/db/migration "
	"migrations\n" };

int cmd_import(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_set_options so = FERRY_SET_OPTIONS_INIT;
	const char *from = NULL;
	ferry_set *set = NULL;
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = { CLI_OPT_STRING("from", 0, &from,
						"FORMAT",
						"the format SRC is written in"),
		CLI_OPT_END };

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (!from)
		return cli_usage(ctx, "'import' needs --from FORMAT");
	if (npos != 2)
		return cli_usage(ctx,
			"'import' takes SRC and DEST, two "
			"directories");
	ferry_error_init(&err);
	if (ferry_format_parse(&so.format, from, &err) < 0) {
		cli_fail(ctx, &err);
		return CLI_EXIT_USAGE;
	}
	if (ferry_set_open_with(&set, argv[0], &so, &err) < 0)
		return cli_fail(ctx, &err);
	if (ferry_set_write(set, argv[1], &err) < 0) {
		ferry_set_free(set);
		return cli_fail(ctx, &err);
	}
	if (!ctx->quiet)
		printf("imported %zu migration%s%s from %s '%s' into '%s'; "
		       "versions kept, so 'ferry adopt' maps %s's ledger onto "
		       "them\n",
			ferry_set_count(set),
			ferry_set_count(set) == 1 ? "" : "s",
			ferry_set_repeatable_count(set) ? " and repeatables"
							: "",
			ferry_format_name(ferry_set_format(set)), argv[0],
			argv[1], ferry_format_name(ferry_set_format(set)));
	ferry_set_free(set);
	return CLI_EXIT_OK;
}
