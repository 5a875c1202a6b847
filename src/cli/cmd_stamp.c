/* SPDX-License-Identifier: MIT */
/*
 * cmd_stamp.c - `ferry stamp V`: record migrations up to V as complete
 * without running them.
 */
#include "cli.h"

enum { OPT_DRY_RUN };

static const struct cli_opt opts[] = {
	[OPT_DRY_RUN] = { "dry-run", 0, CLI_FLAG, NULL,
		"list what would be recorded, record nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_help help = { "stamp TARGET [--dry-run] [--json]",
	"Record every pending migration up to TARGET (a version or a release)\n"
	"as complete, up and finish, without running any of its SQL: for a\n"
	"database that already has their schema. A migration that failed with\n"
	"'table already exists' because the table was made by hand; a\n"
	"database that grew without ferry, adopted. Migrations already applied\n"
	"are left alone. Each row gets the files' checksums, the release and\n"
	"who stamped it, and a 'stamp' entry in the history; all in one\n"
	"transaction, under the runner lock.\n"
	"\n"
	"Refuses (exit 5) a database ahead of the files, drift, and a\n"
	"migration up to TARGET that stopped half way.",
	opts,
	"  ferry stamp 20240301120000\n"
	"  ferry stamp 1.1 --dry-run\n" };

static int on_opt(void *data, int index, const char *value)
{
	(void)index;
	(void)value;
	*(int *)data = 1;
	return CLI_CONTINUE;
}

int cmd_stamp(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *c = NULL;
	ferry_error err;
	size_t i, n;
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, argc, argv, on_opt, &o.dry_run,
		     &npos)) != CLI_CONTINUE)
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
