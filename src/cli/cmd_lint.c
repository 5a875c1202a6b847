/* SPDX-License-Identifier: MIT */
/*
 * cmd_lint.c - `ferry lint`: the statements of the migration files that
 * would hurt an application running on the database, one per line, with
 * why and what to write instead. Reads the files only.
 */
#include "cli.h"

#include <string.h>

static const struct cli_help help = {
	"lint [--engine sqlite|postgres] [--json]",
	"Read every section of every migration for statements that hurt an\n"
	"application running on the database while they run (the blue-green\n"
	"model: the previous release still runs during 'up'). Offline: no\n"
	"database is opened. The engine is --engine, else the scheme of the\n"
	"configured database URL; with neither, both engines' rules run.\n"
	"A table is taken as having traffic unless the same migration created\n"
	"it.\n"
	"\n"
	"Errors: in an up section, up-drop-table, up-drop-column, up-drop-view,\n"
	"up-rename-table, up-rename-column, up-alter-type, up-set-not-null,\n"
	"up-truncate, up-add-column-not-null (they belong in finish); in any\n"
	"section, pg-create-index-blocking, pg-drop-index-blocking,\n"
	"pg-volatile-default, pg-alter-type-rewrite, pg-constraint-not-valid,\n"
	"pg-set-not-null-scan, pg-vacuum-full, pg-cluster,\n"
	"sqlite-table-rebuild, allow-without-reason, allow-unknown-rule.\n"
	"Warnings: unbounded-write, pg-lock-table,\n"
	"sqlite-pragma-in-transaction.\n"
	"\n"
	"'-- ferry:allow RULE REASON' on the line before a statement, or on\n"
	"its first line, allows it: the finding is listed as allowed and does\n"
	"not count. Exit 5 when an error is not allowed, else 0.",
	"  ferry lint\n"
	"  ferry lint --engine postgres --json | jq '.findings[].rule'\n"
};

int cli_lint_engine(struct cli_ctx *ctx, const char *flag, const char **out)
{
	if (flag && strcmp(flag, "sqlite") != 0 &&
		strcmp(flag, "postgres") != 0)
		return cli_usage(ctx,
			"unknown engine '%s'; give 'sqlite' or 'postgres'",
			flag);
	*out = flag ? flag : ferry_url_engine(ctx->database_url);
	return CLI_CONTINUE;
}

json_t *cli_lint_json(const ferry_lint_result *r)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ferry_lint_result_count(r); i++) {
		const ferry_lint_finding *f = ferry_lint_result_at(r, i);

		json_array_append_new(arr,
			json_pack("{s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:b,"
				  "s:s?}",
				"file", f->file, "line", f->line, "column",
				f->column, "rule", f->rule, "level",
				f->level == FERRY_LINT_ERROR ? "error"
							     : "warning",
				"engine", f->engine, "message", f->message,
				"why", f->why, "fix", f->fix, "allowed",
				f->allowed, "reason", f->reason));
	}
	return arr;
}

static void print_finding(const ferry_lint_finding *f, int both)
{
	int tag = both && strcmp(f->engine, "any") != 0;

	printf("%s:%d:%d: %s: [%s] %s%s%s%s\n", f->file, f->line, f->column,
		f->level == FERRY_LINT_ERROR ? "error" : "warning", f->rule,
		f->message, tag ? " (" : "", tag ? f->engine : "",
		tag ? ")" : "");
	if (f->allowed) {
		printf("    allowed: %s\n", f->reason);
		return;
	}
	printf("    why: %s\n    fix: %s\n", f->why, f->fix);
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void print_summary(
	struct cli_ctx *ctx, const ferry_lint_result *r, const char *engine)
{
	size_t i, n = ferry_lint_result_count(r), errors = 0, warnings = 0;
	size_t allowed = 0;
	const char *on = engine ? engine : "sqlite and postgres";

	for (i = 0; i < n; i++) {
		const ferry_lint_finding *f = ferry_lint_result_at(r, i);

		if (f->allowed)
			allowed++;
		else if (f->level == FERRY_LINT_ERROR)
			errors++;
		else
			warnings++;
	}
	if (ctx->quiet)
		return;
	if (n == 0)
		printf("ok: nothing that would hurt live traffic in %zu "
		       "migration%s (%s)\n",
			ferry_set_count(ctx->set),
			plural(ferry_set_count(ctx->set)), on);
	else
		printf("%zu error%s, %zu warning%s, %zu allowed (%s)\n", errors,
			plural(errors), warnings, plural(warnings), allowed,
			on);
}

int cmd_lint(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_lint_options o = FERRY_LINT_OPTIONS_INIT;
	ferry_lint_result *r = NULL;
	const char *engine_flag = NULL;
	ferry_error err;
	size_t i, errors;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("engine", 0, &engine_flag, "ENGINE",
			"sqlite or postgres: that engine's rules (default: "
			"the database URL's, else both)"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'lint' takes no arguments");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE ||
		(rc = cli_lint_engine(ctx, engine_flag, &o.engine)) !=
			CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_lint(&r, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	errors = ferry_lint_result_errors(r);
	rc = CLI_EXIT_OK;
	if (ctx->json) {
		rc = cli_json_print(ctx,
			json_pack("{s:b,s:o}", "ok", errors == 0, "findings",
				cli_lint_json(r)));
	} else {
		for (i = 0; i < ferry_lint_result_count(r); i++)
			print_finding(ferry_lint_result_at(r, i), !o.engine);
		print_summary(ctx, r, o.engine);
	}
	ferry_lint_result_free(r);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (errors > 0 && !ctx->json) {
		cli_error(ctx,
			"lint found %zu error%s that would hurt live "
			"traffic",
			errors, plural(errors));
		cli_hint(ctx,
			"move what breaks the previous release to a finish "
			"section, or allow a statement with '-- ferry:allow "
			"RULE REASON'");
	}
	return errors > 0 ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
}
