/* SPDX-License-Identifier: MIT */
/*
 * cmd_list.c - `ferry list`: one line per migration, files and ledger
 * merged, with release, state, when and how long.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct cli_help help = { "list [--json]",
	"One line per migration, oldest first: version, name, release, state\n"
	"(pending, up, complete, failed), when its up section was applied and\n"
	"how long it took, and a note for drift (the file changed after it was\n"
	"applied) or for a version the files do not have. Repeatable\n"
	"migrations follow, by name, version R: pending until they first ran,\n"
	"\"changed\" when up would run them again.",
	"  ferry list\n"
	"  ferry list --json | jq '.[] | select(.state == \"pending\")'\n" };

static json_t *ms_json(long long ms)
{
	return ms < 0 ? json_null() : json_integer(ms);
}

static json_t *list_json(const ferry_status *st)
{
	json_t *arr = json_array();
	size_t i, n = ferry_status_count(st);

	for (i = 0; i < n + ferry_status_repeatable_count(st); i++) {
		const ferry_entry *e = i < n
			? ferry_status_at(st, i)
			: ferry_status_repeatable_at(st, i - n);

		json_array_append_new(arr,
			json_pack(
				"{s:o,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:b,s:b,s:b,"
				"s:b}",
				"version",
				e->repeatable ? json_null()
					      : json_string(e->version_text),
				"name", e->name, "release",
				cli_json_str(e->release), "state",
				ferry_state_name(e->state), "up_at",
				cli_json_str(e->up_at), "finish_at",
				cli_json_str(e->finish_at), "up_ms",
				ms_json(e->up_ms), "finish_ms",
				ms_json(e->finish_ms), "drift", e->drift,
				"in_files", e->in_files, "has_finish",
				e->has_finish, "repeatable", e->repeatable));
	}
	return arr;
}

static const char *state_color(const ferry_entry *e)
{
	switch (e->state) {
	case FERRY_STATE_COMPLETE:
		return CLI_GREEN;
	case FERRY_STATE_UP:
	case FERRY_STATE_RUNNING:
		return CLI_YELLOW;
	case FERRY_STATE_FAILED:
		return CLI_RED;
	default:
		return "";
	}
}

static void print_list(struct cli_ctx *ctx, const ferry_status *st)
{
	const char *head[] = { "VERSION", "NAME", "RELEASE", "STATE",
		"APPLIED AT", "TOOK", "NOTE" };
	struct cli_table t;
	int c = ctx->color_out;
	size_t i, n = ferry_status_count(st);

	cli_table_init(&t, 7, head);
	for (i = 0; i < n + ferry_status_repeatable_count(st); i++) {
		const ferry_entry *e = i < n
			? ferry_status_at(st, i)
			: ferry_status_repeatable_at(st, i - n);
		char took[32] = "", state[64], note[200] = "";
		const char *row[7];

		if (e->up_ms >= 0)
			cli_format_ms(took, sizeof(took), e->up_ms);
		snprintf(state, sizeof(state), "%s%s%s",
			cli_color(c, state_color(e)),
			ferry_state_name(e->state),
			cli_color(c && *state_color(e), CLI_RESET));
		if (!e->in_files)
			snprintf(note, sizeof(note), "%sno file%s",
				cli_color(c, CLI_RED), cli_color(c, CLI_RESET));
		else if (e->drift && e->repeatable)
			snprintf(note, sizeof(note),
				"changed: up runs it again");
		else if (e->repeatable && e->state == FERRY_STATE_PENDING)
			snprintf(note, sizeof(note), "repeatable");
		else if (e->drift)
			snprintf(note, sizeof(note), "%sdrift%s",
				cli_color(c, CLI_RED), cli_color(c, CLI_RESET));
		else if (e->state == FERRY_STATE_FAILED)
			snprintf(note, sizeof(note), "at statement %d",
				e->failed_statement);
		else if (e->state == FERRY_STATE_RUNNING && e->statements)
			snprintf(note, sizeof(note),
				"%s, at statement %d of %d", e->section,
				e->failed_statement, e->statements);
		else if (e->state == FERRY_STATE_RUNNING)
			snprintf(note, sizeof(note), "%s, at statement %d",
				e->section, e->failed_statement);
		else if (e->state == FERRY_STATE_UP)
			snprintf(note, sizeof(note), "finish pending");
		row[0] = e->repeatable ? "R" : e->version_text;
		row[1] = e->name;
		row[2] = e->release ? e->release : "-";
		row[3] = state;
		row[4] = e->up_at ? e->up_at : "-";
		row[5] = took[0] ? took : "-";
		row[6] = note;
		cli_table_add(&t, row);
	}
	cli_table_print(&t, stdout, c);
	cli_table_free(&t);
}

/*
 * The status, once the ledger can be read: while a migration holds the
 * database (SQLite, in a long write), say so once and try again, up to
 * the lock timeout. CLI_CONTINUE with `*st` set, or an exit code.
 */
static int read_status(ferry_status **st, struct cli_ctx *ctx)
{
	ferry_error err;
	struct timespec pause = { 0, 100 * 1000000L };
	int waited_ms = 0;

	for (;;) {
		ferry_error_init(&err);
		if (ferry_status_get(st, ctx->db, ctx->set, &err) < 0)
			return cli_fail(ctx, &err);
		if (!(*st)->busy)
			return CLI_CONTINUE;
		if (waited_ms == 0)
			cli_note(ctx,
				"waiting for database '%s': a migration of "
				"%s is writing to it",
				ferry_db_display_url(ctx->db),
				(*st)->lock_holder ? (*st)->lock_holder
						   : "another ferry");
		ferry_status_free(*st);
		*st = NULL;
		if (waited_ms >= ctx->lock_timeout_ms) {
			cli_error(ctx,
				"database '%s' is busy: a migration is writing "
				"to it",
				ferry_db_display_url(ctx->db));
			cli_hint(ctx,
				"run 'ferry list' again when it is done, or "
				"wait longer with --lock-timeout");
			return CLI_EXIT_LOCKED;
		}
		nanosleep(&pause, NULL);
		waited_ms += 2100; /* the library waited 2 s too */
	}
}

int cmd_list(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_status *st = NULL;
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, NULL, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'list' takes no arguments");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	if ((rc = read_status(&st, ctx)) != CLI_CONTINUE)
		return rc;
	if (ctx->json) {
		rc = cli_json_print(ctx, list_json(st));
	} else {
		print_list(ctx, st);
		rc = CLI_EXIT_OK;
	}
	ferry_status_free(st);
	return rc;
}
