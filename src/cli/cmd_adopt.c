/* SPDX-License-Identifier: MIT */
/*
 * cmd_adopt.c - `ferry adopt`: take over a database another tool
 * migrated, from that tool's ledger.
 */
#include "cli.h"

static const struct cli_help help = { "adopt [--from TOOL] [--dry-run] "
				      "[--json]",
	"Take over a database another tool migrated. Reads that tool's\n"
	"ledger table, maps each migration it ran onto these files, and\n"
	"records them in ferry's ledger as complete, each with an 'adopt'\n"
	"entry in the history: in one transaction, under the runner lock.\n"
	"The other tool's table is left as it was. From then on 'ferry up'\n"
	"applies only what is new.\n"
	"\n"
	"TOOL is golang-migrate, dbmate, goose, flyway, diesel, sqlx, prisma\n"
	"or sql-migrate; without --from, the one ledger found. Refuses\n"
	"(exit 5), writing nothing, a ledger row in a bad state (dirty,\n"
	"failed, rolled back), a migration no file has, and a file that no\n"
	"longer matches the checksum the tool kept (Flyway, sqlx, Prisma).",
	"  ferry adopt --dry-run\n"
	"  ferry adopt --from flyway\n" };

int cmd_adopt(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_adopt_options o = FERRY_ADOPT_OPTIONS_INIT;
	ferry_changes *c = NULL;
	ferry_error err;
	char *tool = NULL;
	size_t i, n;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("from", 0, &o.from, "TOOL",
			"the tool whose ledger to read"),
		CLI_OPT_FLAG("dry-run", 0, &o.dry_run,
			"list what would be recorded, record nothing"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(
			ctx, "'adopt' takes no argument, not '%s'", argv[0]);
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_adopt(&c, ctx->db, ctx->set, &o, &tool, &err) < 0)
		return cli_fail(ctx, &err);
	n = ferry_changes_count(c);
	rc = CLI_EXIT_OK;
	if (ctx->json) {
		rc = cli_changes_json(ctx, c, o.dry_run);
	} else if (!ctx->quiet && n == 0) {
		printf("nothing to do: ferry's ledger has every migration %s "
		       "ran\n",
			tool ? tool : "the other tool");
	} else if (!ctx->quiet) {
		for (i = 0; i < n; i++)
			printf("adopt  %s\n",
				ferry_changes_at(c, i)->migration->id);
		printf("%s %zu migration%s as complete, as %s ran them%s\n",
			o.dry_run ? "would record" : "recorded", n,
			n == 1 ? "" : "s", tool ? tool : "?",
			o.dry_run ? "; nothing changed" : "");
	}
	ferry_free(tool);
	ferry_changes_free(c);
	return rc;
}
