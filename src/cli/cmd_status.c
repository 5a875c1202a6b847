/* SPDX-License-Identifier: MIT */
/*
 * cmd_status.c - `ferry status`: where the database stands, like the
 * `info` page of an upgrade guide, in words or as JSON (SPEC section 5).
 */
#include "cli.h"

#include <string.h>

static const struct cli_help help = { "status [--exit-code] [--json]",
	"Show where the database stands against the migration files: engine\n"
	"and server version, the database (password masked), the release\n"
	"finished and the release in flight, the version applied and the\n"
	"newest file, how many migrations are complete, up (waiting for\n"
	"finish), pending, failed or unknown to the files, drift, how many\n"
	"repeatable migrations changed since they last ran, who holds the\n"
	"lock and the last action. Reads only; takes no lock.",
	"  ferry status\n"
	"  ferry status --json | jq .counts\n"
	"  ferry status --exit-code || ferry up\n" };

/* The other sessions, for JSON: a list, or null where not known. */
static json_t *sessions_json(const ferry_sessions *ss)
{
	json_t *list;
	size_t i;

	if (!ferry_sessions_known(ss))
		return json_null();
	list = json_array();
	for (i = 0; i < ferry_sessions_count(ss); i++) {
		const ferry_session *e = ferry_sessions_at(ss, i);

		json_array_append_new(list,
			json_pack("{s:s,s:s,s:s,s:I,s:s,s:o,s:b}",
				"application", e->application, "user", e->user,
				"client", e->client, "count",
				(json_int_t)e->count, "states", e->states,
				"since",
				cli_json_str(e->since[0] ? e->since : NULL),
				"ferry", e->ferry));
	}
	return list;
}

static json_t *status_json(
	const ferry_status *st, const ferry_set *set, const ferry_sessions *ss)
{
	json_t *drift = json_array(), *doc, *last = json_null(), *behind;
	size_t i;

	for (i = 0; i < st->ndrift; i++)
		json_array_append_new(drift, json_string(st->drift[i]));
	if (st->last_action)
		last = json_pack("{s:o,s:o,s:o,s:o,s:b}", "action",
			cli_json_str(st->last_action), "version",
			cli_json_str(st->last_version), "by",
			cli_json_str(st->last_by), "at",
			cli_json_str(st->last_at), "success", st->last_success);
	behind = st->behind ? json_pack("{s:s,s:s,s:b}", "at", st->behind,
				      "oldest", st->behind_oldest, "unfinished",
				      st->behind_unfinished)
			    : json_null();
	doc = json_pack("{s:s,s:s,s:s,s:b,s:b,s:o,s:o,s:o,s:o,"
			"s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:{s:b,s:o},s:o,"
			"s:b,s:{s:I,s:I},s:o}",
		"engine", st->engine, "server_version", st->server_version,
		"database", st->database, "database_exists",
		st->database_exists, "ledger_exists", st->ledger_exists,
		"release_finished", cli_json_str(st->release_finished),
		"release_in_flight", cli_json_str(st->release_in_flight),
		"head", cli_json_str(st->head), "current",
		cli_json_str(st->current), "counts", "complete",
		(json_int_t)st->complete, "up", (json_int_t)st->up, "pending",
		(json_int_t)st->pending, "failed", (json_int_t)st->failed,
		"running", (json_int_t)st->running, "unknown",
		(json_int_t)st->unknown, "retired", (json_int_t)st->retired,
		"drift", drift, "lock", "held", st->lock_held, "holder",
		cli_json_str(st->lock_holder), "last_action", last, "busy",
		st->busy, "repeatable", "total", (json_int_t)st->repeatables,
		"changed", (json_int_t)st->repeatables_changed, "behind",
		behind);
	if (doc)
		json_object_set_new(doc, "format",
			json_string(ferry_format_name(ferry_set_format(set))));
	if (doc)
		json_object_set_new(doc, "foreign_ledger",
			cli_json_str(st->foreign_ledger));
	if (doc)
		json_object_set_new(doc, "sessions", sessions_json(ss));
	return doc;
}

static void line(FILE *out, int color, const char *label, const char *fmt,
	const char *value)
{
	fprintf(out, "%s%-12s%s", cli_color(color, CLI_BOLD), label,
		cli_color(color, CLI_RESET));
	fprintf(out, fmt, value);
	fputc('\n', out);
}

static void print_releases(const ferry_status *st, FILE *out, int c)
{
	char buf[600];

	if (!st->release_finished && !st->release_in_flight) {
		line(out, c, "release", "%s", "none finished");
		return;
	}
	snprintf(buf, sizeof(buf), "%s%s%s%s%s",
		st->release_finished ? st->release_finished : "",
		st->release_finished ? " finished" : "none finished",
		st->release_in_flight ? "; " : "",
		st->release_in_flight ? st->release_in_flight : "",
		st->release_in_flight ? " in flight" : "");
	line(out, c, "release", "%s", buf);
}

static void print_counts(const ferry_status *st, FILE *out, int c)
{
	char buf[300];
	int n;

	n = snprintf(buf, sizeof(buf), "%zu complete", st->complete);
	if (st->up)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			", %zu up (finish pending)", st->up);
	n += snprintf(
		buf + n, sizeof(buf) - (size_t)n, ", %zu pending", st->pending);
	if (st->running)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			", %s%zu running%s", cli_color(c, CLI_YELLOW),
			st->running, cli_color(c, CLI_RESET));
	if (st->failed)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			", %s%zu failed%s", cli_color(c, CLI_RED), st->failed,
			cli_color(c, CLI_RESET));
	if (st->unknown)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			", %s%zu not in the files%s", cli_color(c, CLI_RED),
			st->unknown, cli_color(c, CLI_RESET));
	if (st->retired && !st->behind)
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			", %zu retired (older than every file)", st->retired);
	line(out, c, "migrations", "%s", buf);
}

/*
 * A database ahead of the files, in words: how many versions the files
 * lack, the newest, and the releases they came from.
 */
static void print_ahead(const ferry_status *st, FILE *out, int c)
{
	const char *rel[3] = { NULL, NULL, NULL };
	const char *newest = NULL;
	char buf[600], rels[200] = "";
	size_t i, nrel = 0, k;
	int n = 0;

	for (i = 0; i < ferry_status_count(st); i++) {
		const ferry_entry *e = ferry_status_at(st, i);

		if (e->in_files || e->retired)
			continue;
		newest = e->version_text;
		for (k = 0; k < nrel; k++)
			if (e->release && !strcmp(rel[k], e->release))
				break;
		if (e->release && k == nrel && nrel < 3)
			rel[nrel++] = e->release;
	}
	if (!newest)
		return;
	for (k = 0; k < nrel; k++)
		n += snprintf(rels + n, sizeof(rels) - (size_t)n, "%s%s",
			k ? ", " : "", rel[k]);
	snprintf(buf, sizeof(buf),
		"%s%zu migration%s up to %s%s%s%s %s not in these files: a "
		"newer release migrated this database; do not run up, finish "
		"or down with these files%s",
		cli_color(c, CLI_RED), st->unknown, st->unknown == 1 ? "" : "s",
		newest, nrel ? " (release " : "", rels, nrel ? ")" : "",
		st->unknown == 1 ? "is" : "are", cli_color(c, CLI_RESET));
	line(out, c, "ahead", "%s", buf);
}

/* A database behind the files: at a release they cannot upgrade from. */
static void print_behind(const ferry_status *st, FILE *out, int c)
{
	char buf[600];

	if (!st->behind)
		return;
	if (st->behind_unfinished)
		snprintf(buf, sizeof(buf),
			"%sat %s, not finished: these files start from it "
			"finished; finish it with an older release first%s",
			cli_color(c, CLI_RED), st->behind,
			cli_color(c, CLI_RESET));
	else
		snprintf(buf, sizeof(buf),
			"%sat %s, older than these files support: upgrade to "
			"%s first with an older release%s",
			cli_color(c, CLI_RED), st->behind, st->behind_oldest,
			cli_color(c, CLI_RESET));
	line(out, c, "behind", "%s", buf);
}

/* The migrations that need attention, newest concerns last. */
static void print_waiting(const ferry_status *st, FILE *out, int c)
{
	struct cli_table t;
	const char *head[] = { "STATE", "VERSION", "NAME", "RELEASE", "NOTE" };
	size_t i, shown = 0, total = 0;

	cli_table_init(&t, 5, head);
	for (i = 0; i < ferry_status_count(st); i++) {
		const ferry_entry *e = ferry_status_at(st, i);
		char note[300] = "", state[64];
		const char *row[5];
		int bad = e->drift || (!e->in_files && !e->retired) ||
			e->state == FERRY_STATE_FAILED;
		int up = e->state == FERRY_STATE_UP;

		/* Retired rows matter only when the database is behind:
		 * then the newest says where it stopped. */
		if (e->retired &&
			(!st->behind ||
				strcmp(e->version_text,
					st->current ? st->current : "") != 0))
			continue;
		if (e->state == FERRY_STATE_COMPLETE && !bad && !e->retired)
			continue;
		total++;
		if (shown >= 20)
			continue;
		shown++;
		if (e->retired)
			snprintf(note, sizeof(note),
				"older than every file: the set starts at %s",
				st->behind_oldest);
		else if (!e->in_files)
			snprintf(note, sizeof(note),
				"applied, but no file has it");
		else if (e->drift)
			snprintf(note, sizeof(note),
				"file changed after it was applied");
		else if (e->state == FERRY_STATE_FAILED)
			snprintf(note, sizeof(note), "stopped at statement %d",
				e->failed_statement);
		else if (e->state == FERRY_STATE_RUNNING && e->statements)
			snprintf(note, sizeof(note),
				"%s section at statement %d of %d, by %s",
				e->section, e->failed_statement, e->statements,
				st->lock_holder ? st->lock_holder : "?");
		else if (e->state == FERRY_STATE_RUNNING)
			snprintf(note, sizeof(note),
				"%s section at statement %d, by %s", e->section,
				e->failed_statement,
				st->lock_holder ? st->lock_holder : "?");
		else if (up)
			snprintf(note, sizeof(note), "finish pending");
		snprintf(state, sizeof(state), "%s%s%s",
			cli_color(c,
				bad	     ? CLI_RED
					: up ? CLI_YELLOW
					     : ""),
			ferry_state_name(e->state),
			cli_color(c && (bad || up), CLI_RESET));
		row[0] = state;
		row[1] = e->version_text;
		row[2] = e->name;
		row[3] = e->release ? e->release : "-";
		row[4] = note;
		cli_table_add(&t, row);
	}
	if (total) {
		fputc('\n', out);
		cli_table_print(&t, out, c);
		if (total > shown)
			fprintf(out,
				"... and %zu more ('ferry list' shows all)\n",
				total - shown);
	}
	cli_table_free(&t);
}

/*
 * The ledger is held by a migration's write (SQLite): what the files and
 * the runner lock tell, at once, rather than a wait for the migration.
 */
/* "1 changed, 2 current": `up` runs the changed ones (or never run). */
static void print_repeatables(const ferry_status *st, FILE *out, int c)
{
	size_t changed = st->repeatables_changed,
	       current = st->repeatables - changed;
	char buf[64];

	if (!st->repeatables)
		return;
	if (!changed)
		snprintf(buf, sizeof(buf), "%zu current", current);
	else if (!current)
		snprintf(buf, sizeof(buf), "%zu changed", changed);
	else
		snprintf(buf, sizeof(buf), "%zu changed, %zu current", changed,
			current);
	line(out, c, "repeatable", "%s", buf);
}

static void print_busy(struct cli_ctx *ctx, const ferry_status *st)
{
	FILE *out = stdout;
	int c = ctx->color_out;
	char buf[1200];

	snprintf(buf, sizeof(buf), "%s (%s %s)", st->database, st->engine,
		st->server_version);
	line(out, c, "database", "%s", buf);
	snprintf(buf, sizeof(buf),
		"unknown while a migration writes; newest file %s",
		st->head ? st->head : "-");
	line(out, c, "version", "%s", buf);
	line(out, c, "migrations", "%s",
		"a migration is being applied: the ledger can be read once "
		"its transaction commits");
	snprintf(buf, sizeof(buf), "held by %s",
		st->lock_holder ? st->lock_holder : "another process");
	line(out, c, "lock", "%s", buf);
}

/*
 * Who else is connected (PostgreSQL): one line per application, user and
 * client. SQLite cannot tell, and a line saying so on every status would
 * say nothing new: the JSON has null, the man page says why.
 */
static void print_sessions(const ferry_sessions *ss, FILE *out, int c)
{
	char buf[700];
	size_t i;

	if (!ferry_sessions_known(ss))
		return;
	if (ferry_sessions_count(ss) == 0)
		line(out, c, "sessions", "%s", "none besides this one");
	for (i = 0; i < ferry_sessions_count(ss); i++) {
		const ferry_session *e = ferry_sessions_at(ss, i);

		snprintf(buf, sizeof(buf), "%zu %s'%s' (user %s, from %s), %s",
			e->count, e->ferry ? "ferry " : "",
			e->application[0] ? e->application : "?", e->user,
			e->client, e->states);
		line(out, c, i ? "" : "sessions", "%s", buf);
	}
}

static void print_status(
	struct cli_ctx *ctx, const ferry_status *st, const ferry_sessions *ss)
{
	FILE *out = stdout;
	int c = ctx->color_out;
	char buf[1200];

	if (st->busy) {
		print_busy(ctx, st);
		return;
	}

	snprintf(buf, sizeof(buf), "%s (%s %s)%s", st->database, st->engine,
		st->server_version,
		st->database_exists ? "" : ", not created yet");
	line(out, c, "database", "%s", buf);
	/* Another tool's set says so; ferry's own needs no line. */
	if (ferry_set_format(ctx->set) != FERRY_FORMAT_FERRY)
		line(out, c, "format", "%s",
			ferry_format_name(ferry_set_format(ctx->set)));
	print_releases(st, out, c);
	snprintf(buf, sizeof(buf), "%s%s; newest file %s",
		st->current ? "at " : "nothing applied yet",
		st->current ? st->current : "", st->head ? st->head : "-");
	line(out, c, "version", "%s", buf);
	print_counts(st, out, c);
	print_ahead(st, out, c);
	print_behind(st, out, c);
	if (st->foreign_ledger) {
		snprintf(buf, sizeof(buf),
			"%s is another tool's ledger: 'ferry adopt' records "
			"what it ran",
			st->foreign_ledger);
		line(out, c, "adopt", "%s", buf);
	}
	if (st->ndrift) {
		size_t i;
		int n = 0;

		for (i = 0; i < st->ndrift && n < (int)sizeof(buf) - 40; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%s",
				i ? ", " : "", st->drift[i]);
		fprintf(out, "%s%-12s%s%s%s (changed after applied)%s\n",
			cli_color(c, CLI_BOLD), "drift",
			cli_color(c, CLI_RESET), cli_color(c, CLI_RED), buf,
			cli_color(c, CLI_RESET));
	} else {
		line(out, c, "drift", "%s", "none");
	}
	print_repeatables(st, out, c);
	if (st->lock_held) {
		snprintf(buf, sizeof(buf), "held by %s",
			st->lock_holder ? st->lock_holder : "another process");
		line(out, c, "lock", "%s", buf);
	} else {
		line(out, c, "lock", "%s", "free");
	}
	print_sessions(ss, out, c);
	if (st->last_action) {
		snprintf(buf, sizeof(buf), "%s%s%s%s by %s at %s",
			st->last_action, st->last_version ? " " : "",
			st->last_version ? st->last_version : "",
			st->last_success ? "" : " failed",
			st->last_by ? st->last_by : "?",
			st->last_at ? st->last_at : "?");
		line(out, c, "last action", "%s", buf);
	} else {
		line(out, c, "last action", "%s", "none");
	}
	print_waiting(st, out, c);
}

int cmd_status(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_status *st = NULL;
	ferry_sessions *ss = NULL;
	ferry_error err;
	int npos, rc, exit_code = 0;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("exit-code", 0, &exit_code,
			"exit 3 when work waits (pending, up or failed "
			"migrations, changed repeatable ones), 5 on drift or a "
			"database ahead of or behind the files"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'status' takes no arguments");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_status_get(&st, ctx->db, ctx->set, &err) < 0)
		return cli_fail(ctx, &err);
	if (ferry_sessions_get(&ss, ctx->db, &err) < 0) {
		ferry_status_free(st);
		return cli_fail(ctx, &err);
	}
	if (ctx->json) {
		rc = cli_json_print(ctx, status_json(st, ctx->set, ss));
	} else {
		print_status(ctx, st, ss);
		rc = CLI_EXIT_OK;
	}
	ferry_sessions_free(ss);
	if (rc == CLI_EXIT_OK && exit_code &&
		(st->ndrift || st->unknown || st->behind))
		rc = CLI_EXIT_REFUSED;
	else if (rc == CLI_EXIT_OK && exit_code &&
		(st->pending || st->up || st->failed ||
			st->repeatables_changed))
		rc = CLI_EXIT_NO;
	ferry_status_free(st);
	return rc;
}
