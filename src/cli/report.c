/* SPDX-License-Identifier: MIT */
/*
 * report.c - what a run did, as the commands that change the database
 * print it: one summary line, or one JSON document.
 */
#include "cli.h"

#include <string.h>

/* How many steps of the run were `action` ("up", "finish", "down"). */
size_t cli_report_count(const ferry_report *r, const char *action)
{
	size_t i, n = 0;

	for (i = 0; i < ferry_report_count(r); i++)
		if (strcmp(ferry_report_at(r, i)->action, action) == 0)
			n++;
	return n;
}

/* "; database at 9 (release 2.0)", or "; no migration is applied". */
void cli_report_where(const ferry_report *r, FILE *out)
{
	const char *version = ferry_report_version(r);
	const char *release = ferry_report_release(r);

	if (!version) {
		fputs("; no migration is applied\n", out);
		return;
	}
	fprintf(out, "; database at %s%s%s%s\n", version,
		release ? " (release " : "", release ? release : "",
		release ? ")" : "");
}

/* "applied 3 up and 2 finish sections[, and 1 repeatable migration];
 * database at 9 (release 2.0)" */
void cli_print_phases(const ferry_report *r, const char *unused)
{
	size_t up = cli_report_count(r, "up");
	size_t fin = cli_report_count(r, "finish");
	size_t rep = cli_report_count(r, "repeatable");

	(void)unused;
	if (up + fin + rep == 0) {
		printf("nothing to do: the database is at its target\n");
		return;
	}
	printf("applied %zu up and %zu finish sections", up, fin);
	if (rep)
		printf(", and %zu repeatable migration%s", rep,
			rep == 1 ? "" : "s");
	cli_report_where(r, stdout);
}

/* "applied 3 migrations; database at 9 (release 2.0)" */
void cli_print_migrations(const ferry_report *r, const char *done)
{
	size_t n = ferry_report_count(r);

	printf("%s %zu migration%s", done, n, n == 1 ? "" : "s");
	cli_report_where(r, stdout);
}

/* "reverted 2 migrations; database at 5 (release 1.1)" */
void cli_print_reverted(const ferry_report *r, const char *nothing)
{
	if (ferry_report_count(r) == 0)
		printf("nothing to do: %s\n", nothing);
	else
		cli_print_migrations(r, "reverted");
}

int cli_report_json(struct cli_ctx *ctx, const ferry_report *r)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ferry_report_count(r); i++) {
		const ferry_step *s = ferry_report_at(r, i);

		json_array_append_new(arr,
			json_pack("{s:s,s:o,s:s,s:o,s:I,s:o,s:i}", "action",
				s->action, "version",
				cli_json_version(s->migration), "name",
				s->migration->name, "release",
				cli_json_str(s->migration->release), "ms",
				(json_int_t)s->elapsed_ms, "write_lock_ms",
				s->write_lock_ms >= 0
					? json_integer(s->write_lock_ms)
					: json_null(),
				"lock_retries", s->lock_retries));
	}
	return cli_json_print(ctx,
		json_pack("{s:o,s:b,s:b,s:I,s:o,s:o}", "applied", arr, "waited",
			ferry_report_waited(r), "other_runner",
			ferry_report_other_runner(r), "baselined",
			(json_int_t)ferry_report_baselined(r), "version",
			cli_json_str(ferry_report_version(r)), "checkpoint",
			cli_json_str(ferry_report_checkpoint(r))));
}

int cli_report_checkpoint(struct cli_ctx *ctx, const ferry_report *r)
{
	const char *cp = ferry_report_checkpoint(r);

	if (!cp)
		return CLI_EXIT_OK;
	cli_error(ctx,
		"stopped after release %s: it is a checkpoint, and it is not "
		"finished",
		cp);
	cli_hint(ctx,
		"roll release %s out to every node, run 'ferry finish --to "
		"%s', then 'ferry up' again (or 'ferry migrate' to do it all "
		"with downtime)",
		cp, cp);
	return CLI_EXIT_REFUSED;
}

/*
 * Another runner applied a section this run claimed: the run stopped
 * there ("applied 2 sections, then stopped: another runner applied the
 * rest meanwhile; database at 9").
 */
static void print_other_runner(const ferry_report *r)
{
	size_t n = ferry_report_count(r);

	if (n == 0)
		printf("nothing applied here: another runner applied the "
		       "work meanwhile");
	else
		printf("applied %zu section%s, then stopped: another runner "
		       "applied the rest meanwhile",
			n, n == 1 ? "" : "s");
	cli_report_where(r, stdout);
}

int cli_print_run(struct cli_ctx *ctx, ferry_report *r, cli_summary_fn summary,
	const char *arg)
{
	int rc = CLI_EXIT_OK;

	if (ctx->dry_run)
		return cli_print_dry_run(ctx, r);
	if (ctx->check)
		return cli_print_check(ctx, r);
	if (!ctx->json && ferry_report_baselined(r))
		cli_note(ctx,
			"--baseline: recorded %zu migration%s as complete "
			"without running %s",
			ferry_report_baselined(r),
			ferry_report_baselined(r) == 1 ? "" : "s",
			ferry_report_baselined(r) == 1 ? "it" : "them");
	if (ctx->json)
		rc = cli_report_json(ctx, r);
	else if (!ctx->quiet && ferry_report_other_runner(r))
		print_other_runner(r);
	else if (!ctx->quiet)
		summary(r, arg);
	if (rc == CLI_EXIT_OK)
		rc = cli_report_checkpoint(ctx, r);
	ferry_report_free(r);
	return rc;
}
