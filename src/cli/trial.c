/* SPDX-License-Identifier: MIT */
/*
 * trial.c - how a run that changes nothing ends: `--dry-run` prints the
 * plan and the SQL of each section with the file and line it comes from;
 * `--check` prints what ran in the rolled-back transaction and what could
 * not be tried.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

int cli_trial_setup(struct cli_ctx *ctx, int dry_run, int check)
{
	if (dry_run && check)
		return cli_usage(ctx,
			"--dry-run and --check do not go together: --dry-run "
			"runs nothing, --check runs everything and rolls back");
	/* A dry run only reads: it must not create a SQLite file. */
	ctx->dry_run = dry_run;
	ctx->check = check;
	return CLI_CONTINUE;
}

/* "3 up and 1 repeatable sections"; with `tried_only`, those that ran. */
static void print_counts(const ferry_report *r, int tried_only)
{
	static const char *const actions[] = { "up", "finish", "down",
		"repeatable", "rerun" };
	size_t i, j, n[5] = { 0 }, kinds = 0, total = 0;

	for (i = 0; i < ferry_report_count(r); i++) {
		const ferry_step *s = ferry_report_at(r, i);

		if (tried_only && s->not_tried)
			continue;
		for (j = 0; j < 5; j++)
			if (strcmp(s->action, actions[j]) == 0)
				n[j]++;
	}
	for (j = 0; j < 5; j++)
		kinds += n[j] != 0;
	for (j = 0; j < 5; j++) {
		if (!n[j])
			continue;
		/* "1 up, 1 finish and 2 repeatable" */
		kinds--;
		printf("%s%zu %s",
			!total		? ""
				: kinds ? ", "
					: " and ",
			n[j], actions[j]);
		total += n[j];
	}
	printf(" section%s", total == 1 ? "" : "s");
}

static json_t *step_json(const ferry_step *s)
{
	return json_pack("{s:s,s:o,s:s,s:o}", "action", s->action, "version",
		cli_json_version(s->migration), "name", s->migration->name,
		"release", cli_json_str(s->migration->release));
}

/* Does the step ask before it runs? */
static int asks(const ferry_step *s)
{
	const ferry_migration *m = s->migration;

	if (strcmp(s->action, "rerun") == 0)
		return 1;
	if (strcmp(s->action, "finish") == 0)
		return m->finish_confirm;
	if (strcmp(s->action, "down") == 0)
		return m->down_confirm;
	return m->up_confirm;
}

static int no_transaction(const ferry_step *s)
{
	const ferry_migration *m = s->migration;

	if (strcmp(s->action, "up") == 0 || strcmp(s->action, "rerun") == 0 ||
		m->repeatable)
		return m->up_no_transaction;
	if (strcmp(s->action, "finish") == 0)
		return m->finish_no_transaction;
	return m->down_no_transaction;
}

/* One section for a dry run: a header of SQL comments, then its text. */
static int print_section(struct cli_ctx *ctx, const ferry_step *s, size_t i,
	size_t n, json_t *arr)
{
	const ferry_migration *m = s->migration;
	ferry_error err;
	char *sql = NULL;
	size_t len, repeats;
	int line;

	ferry_error_init(&err);
	/* A repeatable migration is its up section. */
	if (ferry_migration_sql_params(&sql, &line, ctx->db, ctx->set, m,
		    m->repeatable || strcmp(s->action, "rerun") == 0
			    ? "up"
			    : s->action,
		    &err) < 0)
		return cli_fail(ctx, &err);
	repeats = ferry_sql_repeats(sql);
	if (arr) {
		json_t *o = step_json(s);

		json_object_set_new(o, "file", json_string(m->path));
		json_object_set_new(o, "line", json_integer(line));
		json_object_set_new(
			o, "transaction", json_boolean(!no_transaction(s)));
		if (asks(s))
			json_object_set_new(o, "confirm", json_true());
		if (repeats)
			json_object_set_new(o, "repeats",
				json_integer((json_int_t)repeats));
		json_object_set_new(o, "sql", json_string(sql));
		json_array_append_new(arr, o);
		ferry_free(sql);
		return CLI_CONTINUE;
	}
	printf("%s-- %zu/%zu: %s %s%s%s%s%s\n", i ? "\n" : "", i + 1, n,
		s->action, m->id, m->release ? " (release " : "",
		m->release ? m->release : "", m->release ? ")" : "",
		asks(s) ? ", asks for confirmation" : "");
	/* A down section in a file of its own (a .down.sql) is there. */
	printf("-- %s:%d, %s",
		strcmp(s->action, "down") == 0 && m->down_path ? m->down_path
							       : m->path,
		line,
		no_transaction(s) ? "no transaction: statement by statement"
				  : "in one transaction with its ledger row");
	if (repeats)
		printf("; %zu statement%s repeat%s until %s no row, each "
		       "batch in a transaction of its own",
			repeats, repeats == 1 ? "" : "s",
			repeats == 1 ? "s" : "",
			repeats == 1 ? "it changes" : "they change");
	printf("\n");
	/* The blank lines before the next marker are not the section's. */
	len = strlen(sql);
	while (len &&
		(sql[len - 1] == '\n' || sql[len - 1] == ' ' ||
			sql[len - 1] == '\t'))
		len--;
	printf("%.*s\n", (int)len, sql);
	ferry_free(sql);
	return CLI_CONTINUE;
}

int cli_print_dry_run(struct cli_ctx *ctx, ferry_report *r)
{
	size_t i, n = ferry_report_count(r);
	json_t *arr = ctx->json ? json_array() : NULL;
	int rc = CLI_CONTINUE;

	for (i = 0; i < n && rc == CLI_CONTINUE; i++)
		rc = print_section(ctx, ferry_report_at(r, i), i, n, arr);
	if (rc != CLI_CONTINUE) {
		json_decref(arr);
		ferry_report_free(r);
		return rc;
	}
	if (arr) {
		rc = cli_json_print(ctx,
			json_pack("{s:b,s:o,s:o,s:o}", "dry_run", 1, "steps",
				arr, "version",
				cli_json_str(ferry_report_version(r)),
				"checkpoint",
				cli_json_str(ferry_report_checkpoint(r))));
	} else if (!ctx->quiet) {
		if (n == 0) {
			printf("dry run: nothing to do; nothing was changed\n");
		} else {
			printf("\ndry run: would run ");
			print_counts(r, 0);
			printf("; nothing was changed\n");
		}
		rc = CLI_EXIT_OK;
	} else {
		rc = CLI_EXIT_OK;
	}
	if (rc == CLI_EXIT_OK)
		rc = cli_report_checkpoint(ctx, r);
	ferry_report_free(r);
	return rc;
}

int cli_print_check(struct cli_ctx *ctx, ferry_report *r)
{
	size_t i, n = ferry_report_count(r), skipped = 0;
	json_t *arr = ctx->json ? json_array() : NULL;
	int rc = CLI_EXIT_OK;

	/* What ran was shown as it ran (progress); say what did not. */
	for (i = 0; i < n; i++) {
		const ferry_step *s = ferry_report_at(r, i);

		skipped += s->not_tried != 0;
		if (arr) {
			json_t *o = step_json(s);

			json_object_set_new(
				o, "tried", json_boolean(!s->not_tried));
			json_object_set_new(o, "ms",
				s->not_tried ? json_null()
					     : json_integer(s->elapsed_ms));
			json_array_append_new(arr, o);
		} else if (s->not_tried) {
			cli_warn(ctx,
				"%s section of %s not tried: it is "
				"no-transaction, so it could not be rolled "
				"back",
				s->action, s->migration->id);
		}
	}
	if (arr) {
		rc = cli_json_print(ctx,
			json_pack("{s:b,s:b,s:o,s:o}", "check", 1, "ok", 1,
				"steps", arr, "checkpoint",
				cli_json_str(ferry_report_checkpoint(r))));
	} else if (!ctx->quiet && n == skipped) {
		printf("check: nothing %s; the database is unchanged\n",
			n ? "could be tried" : "to do");
	} else if (!ctx->quiet) {
		printf("check passed: ");
		print_counts(r, 1);
		printf(" ran in one transaction and %s rolled back",
			n - skipped == 1 ? "was" : "were");
		if (skipped)
			printf("; %zu not tried", skipped);
		printf("; the database is unchanged\n");
	}
	if (rc == CLI_EXIT_OK)
		rc = cli_report_checkpoint(ctx, r);
	ferry_report_free(r);
	return rc;
}
