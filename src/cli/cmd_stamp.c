/* SPDX-License-Identifier: MIT */
/*
 * cmd_stamp.c - `ferry stamp V`: record migrations up to V as complete
 * without running them.
 */
#include "cli.h"

static const struct cli_help help = {
	"stamp TARGET [--no-verify] [--dry-run] [--json]",
	"Record every pending migration up to TARGET (a version or a release)\n"
	"as complete, up and finish, without running any of its SQL: for a\n"
	"database that already has their schema. A migration that failed with\n"
	"'table already exists' because the table was made by hand; a\n"
	"database that grew without ferry, adopted. Migrations already applied\n"
	"are left alone. Each row gets the files' checksums, the release and\n"
	"who stamped it, and a 'stamp' entry in the history; all in one\n"
	"transaction, under the runner lock.\n"
	"\n"
	"First it reads the up and finish sections to stamp for the tables,\n"
	"views, indexes, sequences, types, functions, triggers and schemas\n"
	"they create, and refuses (exit 5), listing them, when the database\n"
	"lacks any; --no-verify records the migrations anyway.\n"
	"\n"
	"Refuses (exit 5) a database ahead of the files, drift, and a\n"
	"migration up to TARGET that stopped half way.",
	"  ferry stamp 20240301120000\n"
	"  ferry stamp 1.1 --dry-run\n"
};

int cmd_stamp(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *c = NULL;
	ferry_error err;
	size_t i, n;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("dry-run", 0, &o.dry_run,
			"list what would be recorded, record nothing"),
		CLI_OPT_FLAG("no-verify", 0, &o.no_verify,
			"do not check that the objects they create exist"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos == 0)
		return cli_usage(ctx, "'stamp' needs a version or a release");
	if (npos > 1)
		return cli_usage(ctx,
			"'stamp' takes one version or release, not '%s'",
			argv[1]);
	o.to = argv[0];
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_stamp(&c, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	n = ferry_changes_count(c);
	rc = CLI_EXIT_OK;
	if (ctx->json) {
		rc = cli_changes_json(ctx, c, o.dry_run);
	} else if (!ctx->quiet && n == 0) {
		printf("nothing to do: every migration up to %s is applied\n",
			o.to);
	} else if (!ctx->quiet) {
		for (i = 0; i < n; i++)
			printf("stamp  %s\n",
				ferry_changes_at(c, i)->migration->id);
		printf("%s %zu migration%s as complete, up to %s%s\n",
			o.dry_run ? "would record" : "recorded", n,
			n == 1 ? "" : "s", o.to,
			o.dry_run ? "; nothing changed" : "");
	}
	ferry_changes_free(c);
	return rc;
}
