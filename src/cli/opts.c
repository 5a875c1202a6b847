/* SPDX-License-Identifier: MIT */
/*
 * opts.c - command-line options: one parser for every command, the global
 * options every command accepts, and help built from the option tables.
 *
 * Options may come before or after the command name, as `--name value`,
 * `--name=value`, `-d value`, `-dvalue` or bundled flags (`-qy`).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_opt global_opts[] = {
	/* Continuation lines start under the first: 31 columns in. */
	{ "database", 'd', CLI_VALUE, "URL",
		"the database (else $DATABASE_URL, else ferry.conf)\n"
		"                               ps shows it: keep a password in "
		"PGPASSWORD,\n"
		"                               ~/.pgpass or $DATABASE_URL" },
	{ "dir", 0, CLI_VALUE, "DIR",
		"the migration directory (default: migrations)" },
	{ "config", 0, CLI_VALUE, "FILE",
		"the configuration file (default: ./ferry.conf)" },
	{ "table", 0, CLI_VALUE, "NAME",
		"the ledger table (default: ferry_migrations)" },
	{ "schema", 0, CLI_VALUE, "NAME",
		"PostgreSQL schema of the ledger (default: public)" },
	{ "lock-timeout", 0, CLI_VALUE, "SECONDS",
		"wait this long for another ferry (default: 60)" },
	{ "json", 0, CLI_FLAG, NULL, "print one JSON document on stdout" },
	{ "quiet", 'q', CLI_FLAG, NULL, "print only errors" },
	{ "verbose", 'v', CLI_FLAG, NULL, "print more detail" },
	{ "no-color", 0, CLI_FLAG, NULL, "no colours (also: NO_COLOR=1)" },
	{ "yes", 'y', CLI_FLAG, NULL, "answer yes to confirmations" },
	{ "backup", 0, CLI_FLAG, NULL,
		"back up before up, finish or migrate change anything" },
	{ "help", 'h', CLI_FLAG, NULL, "show help and exit" },
	{ NULL, 0, 0, NULL, NULL }
};

static int distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), i, j;
	int d[32][32];

	if (n > 30 || m > 30)
		return 99;
	for (i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= n; i++) {
		for (j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			/* a swap of two neighbours counts once: stauts/status */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
				a[i - 2] == b[j - 1] &&
				d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

void cli_suggest_init(struct cli_suggest *s, const char *want)
{
	s->want = want;
	s->best = NULL;
	s->bestd = 3;
}

/* Two edits are a typo in a long word, a different word in a short one. */
void cli_suggest_try(struct cli_suggest *s, const char *candidate)
{
	int d = distance(s->want, candidate);

	if (d < s->bestd && (d <= 1 || strlen(s->want) >= 5)) {
		s->bestd = d;
		s->best = candidate;
	}
}

static const struct cli_opt *find_long(
	const struct cli_opt *t, const char *name, size_t len)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *t, char c)
{
	for (; t && t->name; t++)
		if (t->short_name && t->short_name == c)
			return t;
	return NULL;
}

static const char *closest(
	const struct cli_opt *cmd, const char *name, size_t len)
{
	const struct cli_opt *tables[2] = { cmd, global_opts }, *t;
	struct cli_suggest sg;
	static char want[64];
	int k;

	if (len >= sizeof(want))
		return NULL;
	memcpy(want, name, len);
	want[len] = '\0';
	cli_suggest_init(&sg, want);
	for (k = 0; k < 2; k++)
		for (t = tables[k]; t && t->name; t++)
			cli_suggest_try(&sg, t->name);
	return sg.best;
}

static int set_global(
	struct cli_ctx *ctx, const struct cli_opt *o, const char *value)
{
	const char *n = o->name;

	if (strcmp(n, "database") == 0)
		ctx->database = value;
	else if (strcmp(n, "dir") == 0)
		ctx->dir = value;
	else if (strcmp(n, "config") == 0)
		ctx->config = value;
	else if (strcmp(n, "table") == 0)
		ctx->table = value;
	else if (strcmp(n, "schema") == 0)
		ctx->schema = value;
	else if (strcmp(n, "lock-timeout") == 0)
		ctx->lock_timeout = value;
	else if (strcmp(n, "json") == 0)
		ctx->json = 1;
	else if (strcmp(n, "quiet") == 0)
		ctx->quiet = 1;
	else if (strcmp(n, "verbose") == 0)
		ctx->verbose = 1;
	else if (strcmp(n, "no-color") == 0)
		ctx->no_color = 1;
	else if (strcmp(n, "yes") == 0)
		ctx->yes = 1;
	else if (strcmp(n, "backup") == 0)
		ctx->backup = 1;
	if (ctx->no_color)
		ctx->color_out = ctx->color_err = 0;
	return CLI_CONTINUE;
}

/* One option found: global, or the command's own. */
static int take(struct cli_ctx *ctx, const struct cli_help *help,
	const struct cli_opt *o, const char *value,
	int (*on_opt)(void *, int, const char *), void *data)
{
	if (strcmp(o->name, "help") == 0) {
		cli_print_help(ctx->cmd, help, stdout);
		return CLI_EXIT_OK;
	}
	if (help && find_long(help->opts, o->name, strlen(o->name)) == o)
		return on_opt ? on_opt(data, (int)(o - help->opts), value)
			      : CLI_CONTINUE;
	return set_global(ctx, o, value);
}

static int unknown(struct cli_ctx *ctx, const struct cli_help *help,
	const char *shown, const char *name, size_t len)
{
	const char *best = closest(help ? help->opts : NULL, name, len);

	cli_error(ctx, "unknown option '%s'", shown);
	if (best)
		cli_hint(ctx, "did you mean '--%s'? see 'ferry %s%s--help'",
			best, ctx->cmd ? ctx->cmd->name : "",
			ctx->cmd ? " " : "");
	else
		cli_hint(ctx, "try 'ferry %s%s--help'",
			ctx->cmd ? ctx->cmd->name : "", ctx->cmd ? " " : "");
	return CLI_EXIT_USAGE;
}

static int parse_long(struct cli_ctx *ctx, const struct cli_help *help,
	int argc, char **argv, int *i, int (*on_opt)(void *, int, const char *),
	void *data)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const struct cli_opt *o = find_long(help ? help->opts : NULL, a, len);
	const char *value = NULL;

	if (!o)
		o = find_long(global_opts, a, len);
	if (!o)
		return unknown(ctx, help, argv[*i], a, len);
	if (o->kind == CLI_FLAG && eq)
		return cli_usage(ctx, "option '--%s' takes no value", o->name);
	if (o->kind == CLI_VALUE) {
		if (eq)
			value = eq + 1;
		else if (*i + 1 < argc)
			value = argv[++*i];
		else
			return cli_usage(ctx,
				"option '--%s' needs a value (%s)", o->name,
				o->arg);
	}
	return take(ctx, help, o, value, on_opt, data);
}

static int parse_short(struct cli_ctx *ctx, const struct cli_help *help,
	int argc, char **argv, int *i, int (*on_opt)(void *, int, const char *),
	void *data)
{
	const char *a = argv[*i] + 1;

	for (; *a; a++) {
		const struct cli_opt *o =
			find_short(help ? help->opts : NULL, *a);
		const char *value = NULL;
		char shown[3] = { '-', *a, '\0' };
		int rc;

		if (!o)
			o = find_short(global_opts, *a);
		if (!o)
			return unknown(ctx, help, shown, shown + 1, 1);
		if (o->kind == CLI_VALUE) {
			if (a[1])
				value = a + 1;
			else if (*i + 1 < argc)
				value = argv[++*i];
			else
				return cli_usage(ctx,
					"option '-%c' needs a value (%s)", *a,
					o->arg);
		}
		if ((rc = take(ctx, help, o, value, on_opt, data)) !=
			CLI_CONTINUE)
			return rc;
		if (value)
			break;
	}
	return CLI_CONTINUE;
}

int cli_parse(struct cli_ctx *ctx, const struct cli_help *help, int argc,
	char **argv, int (*on_opt)(void *data, int index, const char *value),
	void *data, int *npos)
{
	int i, rc, dashdash = 0;

	*npos = 0;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			argv[(*npos)++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		rc = a[1] == '-'
			? parse_long(ctx, help, argc, argv, &i, on_opt, data)
			: parse_short(ctx, help, argc, argv, &i, on_opt, data);
		if (rc != CLI_CONTINUE)
			return rc;
	}
	return CLI_CONTINUE;
}

int cli_parse_leading(struct cli_ctx *ctx, int argc, char **argv, int *first)
{
	int i, rc;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--version") == 0) {
			printf("ferry %s\n", ferry_version());
			return CLI_EXIT_OK;
		}
		rc = a[1] == '-'
			? parse_long(ctx, NULL, argc, argv, &i, NULL, NULL)
			: parse_short(ctx, NULL, argc, argv, &i, NULL, NULL);
		if (rc != CLI_CONTINUE)
			return rc;
	}
	*first = i;
	return CLI_CONTINUE;
}

static void print_opts(const struct cli_opt *t, FILE *out)
{
	for (; t && t->name; t++) {
		char left[64];

		if (t->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				t->short_name, t->name, t->arg ? " " : "",
				t->arg ? t->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", t->name,
				t->arg ? " " : "", t->arg ? t->arg : "");
		fprintf(out, "  %-28s %s\n", left, t->help);
	}
}

void cli_print_help(
	const struct cli_command *cmd, const struct cli_help *help, FILE *out)
{
	if (!cmd || !help) {
		cli_print_main_help(out);
		return;
	}
	fprintf(out, "usage: ferry %s\n\n%s\n", help->usage, help->desc);
	if (help->opts && help->opts->name) {
		fprintf(out, "\nOptions:\n");
		print_opts(help->opts, out);
	}
	fprintf(out, "\nGlobal options:\n");
	print_opts(global_opts, out);
	if (help->examples)
		fprintf(out, "\nExamples:\n%s", help->examples);
	fprintf(out, "\nSee 'man ferry' or docs/ferry-%s.md for more.\n",
		cmd->name);
}

void cli_print_main_help(FILE *out)
{
	const struct cli_command *c;

	fprintf(out,
		"usage: ferry [global options] <command> [options]\n"
		"\n"
		"ferry carries a database from one release of an application "
		"to the next:\n"
		"SQL migration files, applied in order, recorded in a ledger in "
		"the database.\n"
		"\n"
		"Commands:\n");
	for (c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->desc);
	fprintf(out, "\nGlobal options:\n");
	print_opts(global_opts, out);
	fprintf(out,
		"\n"
		"Databases: sqlite:PATH, a path ending in .db/.sqlite/.sqlite3, "
		"sqlite::memory:,\n"
		"  postgres://user@host:5432/dbname or 'host=... dbname=...'.\n"
		"Settings come from flags, then the environment (DATABASE_URL, "
		"FERRY_DIR,\n"
		"  FERRY_TABLE, FERRY_SCHEMA, FERRY_LOCK_TIMEOUT), then "
		"ferry.conf.\n"
		"Files and SQLite ledgers unchanged since a run read them are "
		"not read again:\n"
		"  the cache is in ~/.cache/ferry ($XDG_CACHE_HOME/ferry); "
		"FERRY_CACHE=off\n"
		"  turns it off.\n"
		"\n"
		"Exit codes: 0 done or nothing to do, 1 a migration or the "
		"database failed,\n"
		"  2 usage or configuration error, 3 'check' says no or "
		"'status --exit-code'\n"
		"  found work pending,"
		"  4 the lock was not had in time, 5 refused for safety.\n"
		"\n"
		"Run 'ferry <command> --help' for a command's options.\n");
}

void cli_format_ms(char *buf, size_t size, long long ms)
{
	if (ms < 0)
		snprintf(buf, size, "-");
	else if (ms < 1000)
		snprintf(buf, size, "%lld ms", ms);
	else if (ms < 60000)
		snprintf(buf, size, "%.1f s", (double)ms / 1000.0);
	else
		snprintf(buf, size, "%lld min %lld s", ms / 60000,
			(ms % 60000) / 1000);
}

int cli_parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		v *= 1000.0;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		v *= 60000.0;
	else if (strcmp(end, "ms") != 0)
		return -1;
	if (v > 86400000.0)
		return -1;
	return (int)v;
}
