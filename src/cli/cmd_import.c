/* SPDX-License-Identifier: MIT */
/*
 * cmd_import.c - `ferry import`, two jobs told apart by --from:
 *
 *	ferry import FILE|DIR|-            an export's rows into the database
 *	ferry import --from FORMAT SRC DEST  another tool's set as ferry's
 *	                                     own files, versions kept
 */
#include "cli.h"

#include <string.h>

static const struct cli_help help = {
	"import [--truncate] [--single-transaction] [--via-migrations] "
	"FILE|DIR|-\n"
	"       ferry import --from FORMAT SRC DEST",
	"Load what 'ferry export' wrote (one file, a directory of\n"
	"<table>.jsonl files, or - for stdin) into the database, which must\n"
	"be at the export's migration version and hold its tables and\n"
	"columns. Tables load parents first by their foreign keys, each in\n"
	"a transaction of its own (--single-transaction: all in one); a\n"
	"table that fails is left as it was. Tables that already hold rows\n"
	"are refused unless --truncate, which empties them first.\n"
	"PostgreSQL's sequences and identity columns are moved past the\n"
	"loaded values. Prints each table's rows and a checksum of them,\n"
	"the same on both engines. An export from an older version is\n"
	"refused, unless --via-migrations: it is then loaded into a scratch\n"
	"database at its version, migrated by the set (--dir) to the\n"
	"database's, and copied over. See docs/ferry-import.md.\n"
	"\n"
	"With --from: write the migration set in SRC, read in another tool's\n"
	"FORMAT, as ferry's own files in DEST, a new directory: each\n"
	"migration as <version>_<name>.sql with the same version and its up\n"
	"and down sections (no-transaction kept), repeatable migrations in\n"
	"repeatable/, the releases file. The versions stay the tool's, so\n"
	"'ferry adopt' still maps its ledger onto the new files. SRC is left\n"
	"as it is; DEST is written beside, read back, and only then put in\n"
	"place: a failure leaves nothing. FORMAT is golang-migrate, dbmate,\n"
	"goose, flyway, sql-migrate, diesel, sqlx, prisma, ferry or auto.",
	"  ferry -d new.db import shop.jsonl\n"
	"  ferry export | ferry -d postgres://db.example/shop import -\n"
	"  ferry import --from goose db/migrations migrations\n"
};

/* The data import needs the database, open for writing; through the
 * migrations, the set too. */
static const struct cli_command data_import = { "import", cmd_import,
	CLI_NEEDS_DB, NULL };
static const struct cli_command via_import = { "import", cmd_import,
	CLI_NEEDS_DB | CLI_NEEDS_SET, NULL };

static int import_set(
	struct cli_ctx *ctx, const char *from, int npos, char **argv)
{
	ferry_set_options so = FERRY_SET_OPTIONS_INIT;
	ferry_set *set = NULL;
	ferry_error err;

	if (npos != 2)
		return cli_usage(ctx,
			"'import --from' takes SRC and DEST, two "
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

static void on_progress(const char *table, uint64_t rows, uint64_t total,
	uint64_t bytes, void *payload)
{
	cli_rows_progress(payload, table, rows, total, bytes);
}

static int print_json(
	struct cli_ctx *ctx, const ferry_load_report *r, const char *path)
{
	json_t *tables = json_array();
	size_t i;

	for (i = 0; i < ferry_load_report_count(r); i++) {
		const ferry_load_table *t = ferry_load_report_at(r, i);

		json_array_append_new(tables,
			json_pack("{s:s,s:I,s:s}", "name", t->name, "rows",
				(json_int_t)t->rows, "checksum", t->checksum));
	}
	return cli_json_print(ctx,
		json_pack("{s:s,s:s,s:I,s:o}", "path", path, "engine",
			ferry_db_engine(ctx->db), "rows",
			(json_int_t)ferry_load_report_rows(r), "tables",
			tables));
}

static void print_text(
	struct cli_ctx *ctx, const ferry_load_report *r, const char *path)
{
	char count[32];
	size_t i;

	if (ctx->quiet)
		return;
	for (i = 0; i < ferry_load_report_count(r); i++) {
		const ferry_load_table *t = ferry_load_report_at(r, i);

		cli_format_count(
			count, sizeof(count), (unsigned long long)t->rows);
		printf("%-24s %12s row%s  checksum %.16s\n", t->name, count,
			t->rows == 1 ? " " : "s", t->checksum);
	}
	cli_format_count(count, sizeof(count),
		(unsigned long long)ferry_load_report_rows(r));
	printf("imported %zu table%s, %s row%s from %s\n",
		ferry_load_report_count(r),
		ferry_load_report_count(r) == 1 ? "" : "s", count,
		ferry_load_report_rows(r) == 1 ? "" : "s", path);
}

static int import_rows(struct cli_ctx *ctx, int npos, char **argv, int truncate,
	int single, int via)
{
	ferry_import_options o = FERRY_IMPORT_OPTIONS_INIT;
	ferry_load_report *r = NULL;
	struct cli_rows_progress p;
	const char *path;
	ferry_error err;
	int rc;

	/* SRC DEST: the set conversion, without its --from. */
	if (npos == 2)
		return cli_usage(ctx, "'import' needs --from FORMAT");
	if (npos != 1)
		return cli_usage(ctx,
			npos ? "'import' takes one FILE, DIR or -"
			     : "'import' needs what 'ferry export' wrote: a "
			       "FILE, a DIR, or - for stdin");
	path = strcmp(argv[0], "-") ? argv[0] : "/dev/stdin";
	ctx->cmd = via ? &via_import : &data_import;
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	o.path = path;
	o.truncate = truncate;
	o.single_transaction = single;
	o.via_migrations = via;
	o.set = ctx->set;
	o.progress = on_progress;
	o.payload = &p;
	cli_rows_progress_init(&p, ctx, "importing");
	ferry_error_init(&err);
	rc = ferry_import(&r, ctx->db, &o, &err);
	cli_rows_progress_end(&p);
	if (rc < 0)
		return cli_fail(ctx, &err);
	if (ctx->json)
		rc = print_json(ctx, r, argv[0]);
	else
		print_text(ctx, r, argv[0]);
	ferry_load_report_free(r);
	return ctx->json ? rc : CLI_EXIT_OK;
}

int cmd_import(int argc, char **argv, struct cli_ctx *ctx)
{
	const char *from = NULL;
	int truncate = 0, single = 0, via = 0, npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("truncate", 0, &truncate,
			"empty tables that hold rows first (their rows are "
			"lost)"),
		CLI_OPT_FLAG("single-transaction", 0, &single,
			"every table in one transaction"),
		CLI_OPT_FLAG("via-migrations", 0, &via,
			"an export from an older version: through a scratch "
			"database and the set's migrations"),
		CLI_OPT_STRING("from", 0, &from, "FORMAT",
			"convert another tool's set, in FORMAT"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (from && (truncate || single || via))
		return cli_usage(ctx,
			"--truncate, --single-transaction and --via-migrations "
			"load rows: not with --from");
	return from ? import_set(ctx, from, npos, argv)
		    : import_rows(ctx, npos, argv, truncate, single, via);
}
