/* SPDX-License-Identifier: MIT */
/*
 * cmd_restore.c - `ferry restore FILE`: replace the whole database with a
 * backup, all or nothing.
 */
#include "cli.h"

#include <stdio.h>

static const struct cli_help help = {
	"restore FILE [--exclusive] [--yes] [--json]",
	"Replace the whole database with a backup that 'ferry backup' wrote:\n"
	"its tables, its data and its ledger, so 'ferry status' then shows\n"
	"the version the backup holds. All or nothing: SQLite copies the file\n"
	"in with the online backup API in one transaction; PostgreSQL drops\n"
	"what every schema holds and runs the archive (pg_restore into psql)\n"
	"in one transaction. A restore that fails or is killed leaves the\n"
	"database as it was. Takes the runner lock.\n"
	"\n"
	"Refuses a missing file, a file that is not a backup and a backup of\n"
	"the other engine before asking anything. Then asks; without a\n"
	"terminal, refuses (exit 5) unless --yes. With --exclusive (or\n"
	"'exclusive = true' in ferry.conf), refuses (exit 5) while another\n"
	"session is connected to a PostgreSQL database.",
	"  ferry restore shop-20261130T120000Z-v11.sqlite\n"
	"  ferry -d postgres://app@db/app restore app.pgdump --yes\n"
};

int cmd_restore(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_backup_options o = FERRY_BACKUP_OPTIONS_INIT;
	ferry_backup *b = NULL;
	const char *v, *rel;
	char question[600];
	ferry_error err;
	int npos, rc;

	struct cli_opt opts[] = { CLI_OPT_FLAG("exclusive", 0, &ctx->exclusive,
					  "refuse while another session is "
					  "connected (PostgreSQL)"),
		CLI_OPT_END };

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos != 1)
		return cli_usage(ctx,
			npos == 0 ? "'restore' needs the backup file to restore"
				  : "'restore' takes one backup file");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	cli_backup_options(ctx, &o);
	ferry_error_init(&err);
	/* What would refuse comes before the question. */
	if (ferry_restore_check(ctx->db, argv[0], &o, &err) < 0)
		return cli_fail(ctx, &err);
	snprintf(question, sizeof(question),
		"replace everything in %s with backup '%s'",
		ferry_db_display_url(ctx->db), argv[0]);
	if (!cli_confirm(ctx, question))
		return CLI_EXIT_REFUSED;
	rc = ferry_restore(&b, ctx->db, argv[0], &o, &err);
	cli_backup_progress_end(ctx);
	if (rc < 0)
		return cli_fail(ctx, &err);
	v = ferry_backup_version(b);
	rel = ferry_backup_release(b);
	if (ctx->json) {
		rc = cli_json_print(ctx,
			json_pack("{s:s,s:s,s:o,s:o,s:I}", "path", argv[0],
				"database", ferry_db_display_url(ctx->db),
				"version", cli_json_str(v), "release",
				cli_json_str(rel), "applied",
				(json_int_t)ferry_backup_applied(b)));
	} else {
		if (!ctx->quiet && v)
			printf("restored %s; database at %s%s%s%s\n", argv[0],
				v, rel ? " (release " : "", rel ? rel : "",
				rel ? ")" : "");
		else if (!ctx->quiet)
			printf("restored %s; no migration is applied\n",
				argv[0]);
		rc = CLI_EXIT_OK;
	}
	ferry_backup_free(b);
	return rc;
}
