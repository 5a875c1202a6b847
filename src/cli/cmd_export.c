/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c - `ferry export`: the database's rows as JSON Lines, to
 * stdout, a file, or one file per table in a directory.
 *
 * The library writes the lines (ferry_export); this file chooses the
 * target, draws a progress line on a terminal after a second, and says
 * what was written: one summary line on stderr, or with -o and --json a
 * summary document on stdout (without -o, stdout is the export itself).
 */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct cli_help help = {
	"export [--table T]... [--where T:COND]... [-o FILE|DIR/] "
	"[--include-ledger] [--json]",
	"Write the rows of the database's tables as JSON Lines: a header\n"
	"line (engine, migration version and release, each table's columns\n"
	"and declared types), then one line per row, table by table, in\n"
	"primary key order. Values keep their exact form: integers past 2^53,\n"
	"decimals and NaN as strings, blobs as {\"base64\": ...}, NULL as null.\n"
	"Reads one consistent snapshot and streams it; takes no lock.\n"
	"\n"
	"Without -o the lines go to stdout. -o FILE writes one file; -o DIR/\n"
	"(ending in '/', or a directory that exists) writes DIR/<table>.jsonl\n"
	"per table, each with its own header. Files are written beside their\n"
	"names and renamed when the whole export worked: a failed export\n"
	"leaves no file behind. ferry's own tables are left out unless\n"
	"--include-ledger. The ledger's --table goes before 'export'.\n"
	"See docs/ferry-export.md for the format.",
	"  ferry export -o shop.jsonl\n"
	"  ferry export --table orders --where 'orders:created_at >= "
	"'\\''2026-01-01'\\''' | jq .\n"
	"  ferry export -o dump/ --json\n"
};

/* On a terminal, after a second: the table and its rows so far. */
static void on_progress(const char *table, uint64_t rows, void *payload)
{
	cli_rows_progress(payload, table, rows, 0, 0);
}

static int to_stdout(const char *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int print_json(
	struct cli_ctx *ctx, const ferry_export_report *r, const char *path)
{
	json_t *tables = json_array();
	size_t i;

	for (i = 0; i < ferry_export_report_count(r); i++) {
		const ferry_export_table *t = ferry_export_report_at(r, i);

		json_array_append_new(tables,
			json_pack("{s:s,s:I,s:o}", "name", t->name, "rows",
				(json_int_t)t->rows, "path",
				cli_json_str(t->path ? t->path : path)));
	}
	return cli_json_print(ctx,
		json_pack("{s:s,s:s,s:I,s:o}", "path", path, "engine",
			ferry_db_engine(ctx->db), "rows",
			(json_int_t)ferry_export_report_rows(r), "tables",
			tables));
}

int cmd_export(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_export_options o = FERRY_EXPORT_OPTIONS_INIT;
	struct cli_list tables = { NULL, 0, 0 }, wheres = { NULL, 0, 0 };
	const char *output = NULL;
	int include_ledger = 0, npos, rc;
	ferry_export_report *r = NULL;
	struct cli_rows_progress p;
	char count[32];
	ferry_error err;
	const struct cli_opt opts[] = {
		CLI_OPT_LIST("table", 0, &tables, "T",
			"export table T (repeatable); default: every table"),
		CLI_OPT_LIST("where", 0, &wheres, "T:COND",
			"only the rows of table T where the SQL condition "
			"COND holds"),
		CLI_OPT_STRING("output", 'o', &output, "FILE|DIR/",
			"write to FILE, or DIR/<table>.jsonl per table"),
		CLI_OPT_FLAG("include-ledger", 0, &include_ledger,
			"export ferry's own tables too"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		goto out;
	if (npos > 0) {
		rc = cli_usage(ctx,
			"'export' takes no arguments; to choose a table, use "
			"--table %s",
			argv[0]);
		goto out;
	}
	if (output && !*output) {
		rc = cli_usage(ctx, "-o needs a file or a directory");
		goto out;
	}
	if (ctx->json && !output) {
		rc = cli_usage(ctx,
			"--json needs -o: without it, stdout is the export");
		goto out;
	}
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		goto out;
	o.tables = tables.v;
	o.ntables = tables.n;
	o.wheres = wheres.v;
	o.nwheres = wheres.n;
	o.path = output;
	o.write = output ? NULL : to_stdout;
	o.progress = on_progress;
	o.payload = &p;
	o.include_ledger = include_ledger;
	cli_rows_progress_init(&p, ctx, "exporting");
	ferry_error_init(&err);
	rc = ferry_export(&r, ctx->db, &o, &err);
	cli_rows_progress_end(&p);
	if (rc == 0 && !output && fflush(stdout) != 0) {
		cli_error(ctx, "cannot write the export to stdout");
		rc = CLI_EXIT_FAILED;
		goto out;
	}
	if (rc < 0) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	cli_format_count(count, sizeof(count),
		(unsigned long long)ferry_export_report_rows(r));
	cli_note(ctx, "exported %zu table%s, %s row%s to %s",
		ferry_export_report_count(r),
		ferry_export_report_count(r) == 1 ? "" : "s", count,
		ferry_export_report_rows(r) == 1 ? "" : "s",
		output ? output : "stdout");
	rc = ctx->json ? print_json(ctx, r, output) : CLI_EXIT_OK;
out:
	ferry_export_report_free(r);
	free(tables.v);
	free(wheres.v);
	return rc;
}
