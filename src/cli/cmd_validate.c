/* SPDX-License-Identifier: MIT */
/*
 * cmd_validate.c - `ferry validate`: the files against the ledger, and the
 * ledger against itself; every finding on its own line.
 */
#include "cli.h"

static const struct cli_help help = { "validate [--offline] [--json]",
	"Check the migration files against the ledger and the ledger against\n"
	"itself: sections changed after they ran (drift), applied versions no\n"
	"file has (the database is ahead), pending migrations older than the\n"
	"newest applied one (out of order), no-transaction sections that\n"
	"stopped half way (failed), and ledger rows ferry never writes. A\n"
	"migration that is up with its finish pending is fine.\n"
	"\n"
	"Exit 0 when all is well; exit 5 with every finding listed, one line\n"
	"each: version, name, what is wrong and what to do. Reads only: takes\n"
	"no lock and creates nothing.\n"
	"\n"
	"It also runs 'ferry lint' with the database's engine and prints its\n"
	"findings that no allow suppressed as warnings (under \"lint\" with\n"
	"--json); they do not change the exit code.\n"
	"\n"
	"With --offline it checks the files alone, opening no database, for\n"
	"a pull request's CI job: names, sections and releases\n"
	"(exit 2 at the first invalid file), every section cut into\n"
	"statements as a run would (exit 2 at an unterminated string or\n"
	"quote), and 'ferry lint', whose errors then fail (exit 5) and whose\n"
	"warnings are printed. It says that no database was checked.",
	"  ferry validate && ferry up\n"
	"  ferry validate --offline    # in CI, on a pull request\n"
	"  ferry validate --json | jq '.findings[] | .kind'\n" };

static int print_json(struct cli_ctx *ctx, const ferry_validation *v,
	const ferry_lint_result *lint, int ok)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; v && i < ferry_validation_count(v); i++) {
		const ferry_finding *f = ferry_validation_at(v, i);

		json_array_append_new(arr,
			json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", f->kind,
				"version", f->version_text, "name", f->name,
				"message", f->message, "hint", f->hint));
	}
	return cli_json_print(ctx,
		json_pack("{s:b,s:b,s:o,s:o}", "ok", ok, "database_checked",
			v != NULL, "findings", arr, "lint",
			cli_lint_json(lint)));
}

/*
 * Lint findings no allow suppressed, as warnings: with a database they
 * change nothing; offline an error is said as one, and fails.
 */
static void warn_lint(
	struct cli_ctx *ctx, const ferry_lint_result *lint, int offline)
{
	size_t i;

	for (i = 0; i < ferry_lint_result_count(lint); i++) {
		const ferry_lint_finding *f = ferry_lint_result_at(lint, i);

		if (f->allowed)
			continue;
		if (offline && f->level == FERRY_LINT_ERROR)
			cli_error(ctx, "%s:%d:%d: [%s] %s", f->file, f->line,
				f->column, f->rule, f->message);
		else
			cli_warn(ctx, "%s:%d:%d: [%s] %s", f->file, f->line,
				f->column, f->rule, f->message);
	}
}

/*
 * The files alone: what ferry_set_open() checked (names, sections,
 * releases), the statements, and lint, whose errors fail here since no
 * ledger says what already ran.
 */
static int validate_offline(struct cli_ctx *ctx, const ferry_lint_result *lint)
{
	size_t errors = ferry_lint_result_errors(lint),
	       n = ferry_set_count(ctx->set);
	int rc = CLI_EXIT_OK;

	if (ctx->json)
		rc = print_json(ctx, NULL, lint, errors == 0);
	else
		warn_lint(ctx, lint, 1);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (errors > 0) {
		if (!ctx->json)
			cli_hint(ctx,
				"'ferry lint' says why each one hurts and how "
				"to fix it; or allow a statement with "
				"'-- ferry:allow RULE REASON'");
		return CLI_EXIT_REFUSED;
	}
	if (!ctx->json && !ctx->quiet)
		printf("ok: the files check out (%zu migration%s); no database "
		       "checked (--offline)\n",
			n, n == 1 ? "" : "s");
	return CLI_EXIT_OK;
}

int cmd_validate(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_lint_options lo = FERRY_LINT_OPTIONS_INIT;
	ferry_lint_result *lint = NULL;
	ferry_validation *v = NULL;
	ferry_error err;
	size_t i, n;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("offline", 0, &ctx->offline,
			"check the files alone, even when a database is "
			"given"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'validate' takes no arguments");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	lo.engine = ferry_url_engine(ctx->database_url);
	if (ferry_set_check_split(ctx->set, lo.engine, &err) < 0 ||
		ferry_lint(&lint, ctx->set, &lo, &err) < 0)
		return cli_fail(ctx, &err);
	if (!ctx->db) {
		rc = validate_offline(ctx, lint);
		ferry_lint_result_free(lint);
		return rc;
	}
	if (ferry_validate(&v, ctx->db, ctx->set, &err) < 0) {
		ferry_lint_result_free(lint);
		return cli_fail(ctx, &err);
	}
	n = ferry_validation_count(v);
	rc = CLI_EXIT_OK;
	if (ctx->json) {
		rc = print_json(ctx, v, lint, n == 0);
	} else {
		warn_lint(ctx, lint, 0);
		for (i = 0; i < n; i++) {
			const ferry_finding *f = ferry_validation_at(v, i);

			printf("%s %s: %s: %s; %s\n", f->version_text, f->name,
				f->kind, f->message, f->hint);
		}
		if (n == 0 && !ctx->quiet)
			printf("ok: the files and the ledger agree (%zu "
			       "migration%s)\n",
				ferry_set_count(ctx->set),
				ferry_set_count(ctx->set) == 1 ? "" : "s");
	}
	ferry_validation_free(v);
	ferry_lint_result_free(lint);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (n > 0 && !ctx->json)
		cli_error(ctx, "validation found %zu problem%s", n,
			n == 1 ? "" : "s");
	return n > 0 ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
}
