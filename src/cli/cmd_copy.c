/* SPDX-License-Identifier: MIT */
/*
 * cmd_copy.c - `ferry copy --from URL --to URL`: every table of one
 * database into another, either engine to either (ferry_copy), with a
 * progress line on a terminal and both sides' counts and checksums at
 * the end.
 */
#include "cli.h"

#include <string.h>

static const struct cli_help help = {
	"copy --from URL --to URL [--truncate] [--json]",
	"Copy every table of the database at --from into the one at --to,\n"
	"SQLite or PostgreSQL either way. The target is first brought to the\n"
	"source's migration version with the migration set (--dir), then\n"
	"each table, parents first, streams from one snapshot of the source\n"
	"into one transaction of the target, is read back, and is committed\n"
	"only when its row count and checksum are the source's. ferry's own\n"
	"tables are not copied. A copy that stopped (killed, failed) is run\n"
	"again as it was: tables already equal are skipped. Target tables\n"
	"holding other rows are refused unless --truncate. The source is\n"
	"only read, and stays usable. See docs/ferry-copy.md for the type\n"
	"mapping.",
	"  ferry copy --from app.db --to postgres://db.example/app\n"
	"  ferry --dir migrations copy --from \"$OLD_URL\" --to new.db --json\n"
};

static const struct cli_command copy_cmd = { "copy", cmd_copy,
	CLI_NEEDS_SET | CLI_NEEDS_DB, NULL };

static void on_progress(const char *table, uint64_t rows, uint64_t total,
	uint64_t bytes, void *payload)
{
	cli_rows_progress(payload, table, rows, total, bytes);
}

static int print_json(struct cli_ctx *ctx, const ferry_load_report *r,
	const char *from, ferry_db *src)
{
	json_t *tables = json_array();
	size_t i;

	for (i = 0; i < ferry_load_report_count(r); i++) {
		const ferry_load_table *t = ferry_load_report_at(r, i);

		json_array_append_new(tables,
			json_pack("{s:s,s:I,s:I,s:s,s:s,s:b,s:b}", "name",
				t->name, "rows", (json_int_t)t->rows,
				"source_rows", (json_int_t)t->source_rows,
				"checksum", t->checksum, "source_checksum",
				t->source_checksum, "equal",
				t->rows == t->source_rows &&
					!strcmp(t->checksum,
						t->source_checksum),
				"skipped", t->skipped));
	}
	(void)from;
	return cli_json_print(ctx,
		json_pack("{s:s,s:s,s:I,s:o}", "from", ferry_db_engine(src),
			"to", ferry_db_engine(ctx->db), "rows",
			(json_int_t)ferry_load_report_rows(r), "tables",
			tables));
}

static void print_text(struct cli_ctx *ctx, const ferry_load_report *r)
{
	char count[32];
	size_t i;

	if (ctx->quiet)
		return;
	printf("%-24s %12s  %-16s  %s\n", "table", "rows", "checksum", "");
	for (i = 0; i < ferry_load_report_count(r); i++) {
		const ferry_load_table *t = ferry_load_report_at(r, i);

		cli_format_count(
			count, sizeof(count), (unsigned long long)t->rows);
		printf("%-24s %12s  %.16s  %s\n", t->name, count, t->checksum,
			t->skipped ? "equal, there before" : "equal");
	}
	cli_format_count(count, sizeof(count),
		(unsigned long long)ferry_load_report_rows(r));
	printf("copied %zu table%s, %s row%s; each the same in both "
	       "databases\n",
		ferry_load_report_count(r),
		ferry_load_report_count(r) == 1 ? "" : "s", count,
		ferry_load_report_rows(r) == 1 ? "" : "s");
}

int cmd_copy(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_copy_options o = FERRY_COPY_OPTIONS_INIT;
	ferry_db_options dbo = FERRY_DB_OPTIONS_INIT;
	const char *from = NULL, *to = NULL;
	ferry_load_report *r = NULL;
	struct cli_rows_progress p;
	ferry_db *src = NULL;
	int truncate = 0, npos, rc;
	ferry_error err;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("from", 0, &from, "URL",
			"the database to copy (only read)"),
		CLI_OPT_STRING(
			"to", 0, &to, "URL", "the database to copy into"),
		CLI_OPT_FLAG("truncate", 0, &truncate,
			"replace the rows of target tables that hold others"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'copy' takes no arguments: give --from "
			"URL and --to URL");
	if (!from || !to)
		return cli_usage(ctx, "'copy' needs --from URL and --to URL");
	if (ctx->database)
		return cli_usage(ctx,
			"'copy' takes its databases from --from "
			"and --to, not -d");
	ctx->database = to;
	ctx->cmd = &copy_cmd;
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	dbo.table = ctx->table_name;
	dbo.schema = ctx->schema_name;
	dbo.lock_timeout_ms = ctx->lock_timeout_ms;
	dbo.read_only = 1;
	if (cli_db_open_waiting(ctx, &src, from, &dbo, &err) < 0)
		return cli_fail(ctx, &err);
	o.set = ctx->set;
	o.truncate = truncate;
	o.progress = on_progress;
	o.payload = &p;
	cli_rows_progress_init(&p, ctx, "copying");
	rc = ferry_copy(&r, src, ctx->db, &o, &err);
	cli_rows_progress_end(&p);
	if (rc < 0) {
		rc = cli_fail(ctx, &err);
	} else if (ctx->json) {
		rc = print_json(ctx, r, from, src);
	} else {
		print_text(ctx, r);
		rc = CLI_EXIT_OK;
	}
	ferry_load_report_free(r);
	ferry_db_close(src);
	return rc;
}
