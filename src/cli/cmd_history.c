/* SPDX-License-Identifier: MIT */
/*
 * cmd_history.c - `ferry history`: the audit log, newest first.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_help help = { "history [--limit N] [--json]",
	"The audit log kept in the database, newest first: every migration\n"
	"ferry ran, stamped or repaired and every failure, with when, who\n"
	"(user@host), how long, the error, and what a repair changed. Needs\n"
	"no migration files.",
	"  ferry history --limit 10\n"
	"  ferry history --json | jq '.[] | select(.success == false)'\n" };

static json_t *history_json(const ferry_history *h)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ferry_history_count(h); i++) {
		const ferry_history_entry *e = ferry_history_at(h, i);

		json_array_append_new(arr,
			json_pack(
				"{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o}",
				"id", (json_int_t)e->id, "at",
				cli_json_str(e->at), "action",
				cli_json_str(e->action), "version",
				cli_json_str(e->version), "name",
				cli_json_str(e->name), "release",
				cli_json_str(e->release), "by",
				cli_json_str(e->by), "duration_ms",
				e->duration_ms < 0
					? json_null()
					: json_integer(e->duration_ms),
				"success", e->success, "error",
				cli_json_str(e->error), "note",
				cli_json_str(e->note), "ferry_version",
				cli_json_str(e->ferry_version)));
	}
	return arr;
}

static void print_history(struct cli_ctx *ctx, const ferry_history *h)
{
	const char *head[] = { "AT", "ACTION", "VERSION", "NAME", "BY", "TOOK",
		"RESULT" };
	struct cli_table t;
	int c = ctx->color_out;
	size_t i;

	if (ferry_history_count(h) == 0) {
		printf("no history yet\n");
		return;
	}
	cli_table_init(&t, 7, head);
	for (i = 0; i < ferry_history_count(h); i++) {
		const ferry_history_entry *e = ferry_history_at(h, i);
		char took[32], result[1200];
		const char *row[7];

		cli_format_ms(took, sizeof(took), e->duration_ms);
		if (e->success)
			snprintf(result, sizeof(result), "%sok%s%s%s",
				cli_color(c, CLI_GREEN),
				cli_color(c, CLI_RESET), e->note ? ": " : "",
				e->note ? e->note : "");
		else
			snprintf(result, sizeof(result), "%sfailed%s: %s",
				cli_color(c, CLI_RED), cli_color(c, CLI_RESET),
				e->error ? e->error : "");
		row[0] = e->at;
		row[1] = e->action;
		row[2] = e->version ? e->version : "-";
		row[3] = e->name ? e->name : "-";
		row[4] = e->by;
		row[5] = took;
		row[6] = result;
		cli_table_add(&t, row);
	}
	cli_table_print(&t, stdout, c);
	cli_table_free(&t);
}

int cmd_history(int argc, char **argv, struct cli_ctx *ctx)
{
	const char *limit_arg = NULL;
	ferry_history *h = NULL;
	ferry_error err;
	long limit = 0;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("limit", 'n', &limit_arg, "N",
			"show the newest N entries only"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'history' takes no arguments");
	if (limit_arg) {
		char *end;

		limit = strtol(limit_arg, &end, 10);
		if (*end || end == limit_arg || limit < 1)
			return cli_usage(ctx,
				"'--limit' needs a positive number, not '%s'",
				limit_arg);
	}
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_history_get(&h, ctx->db, (size_t)limit, &err) < 0)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		rc = cli_json_print(ctx, history_json(h));
	} else {
		print_history(ctx, h);
		rc = CLI_EXIT_OK;
	}
	ferry_history_free(h);
	return rc;
}
