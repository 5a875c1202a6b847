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

/* The global options' table, with its end. */
#define NGLOBAL 21

/*
 * The options every command takes, bound to the fields of `ctx` they set.
 * Help prints the same table, bound to a context nobody reads.
 */
static void bind_globals(struct cli_opt t[NGLOBAL], struct cli_ctx *ctx)
{
	const struct cli_opt g[NGLOBAL] = {
		/* Continuation lines start under the first: 31 columns in. */
		CLI_OPT_STRING("database", 'd', &ctx->database, "URL",
			"the database (else $DATABASE_URL, else ferry.conf)\n"
			"                               ps shows it: keep a "
			"password in PGPASSWORD,\n"
			"                               ~/.pgpass or "
			"$DATABASE_URL"),
		CLI_OPT_STRING("dir", 0, &ctx->dir, "DIR",
			"the migration directory (default: migrations)"),
		CLI_OPT_STRING("format", 0, &ctx->format, "NAME",
			"the set's layout: auto (default), ferry,\n"
			"                               golang-migrate, dbmate, "
			"goose, flyway,\n"
			"                               sql-migrate, diesel, "
			"sqlx, prisma"),
		CLI_OPT_STRING("config", 0, &ctx->config, "FILE",
			"the configuration file (default: ./ferry.conf)"),
		CLI_OPT_STRING("env", 0, &ctx->env, "NAME",
			"the [env.NAME] section of ferry.conf (FERRY_ENV)"),
		CLI_OPT_OPTIONAL("wait", &ctx->wait, "DURATION",
			"wait for a database still starting (default: "
			"60s)"),
		CLI_OPT_STRING("table", 0, &ctx->table, "NAME",
			"the ledger table (default: ferry_migrations)"),
		CLI_OPT_STRING("schema", 0, &ctx->schema, "NAME",
			"PostgreSQL schema of the ledger (default: public)"),
		CLI_OPT_STRING("lock-timeout", 0, &ctx->lock_timeout, "SECONDS",
			"wait this long for another ferry (default: 60)"),
		CLI_OPT_STRING("pooler", 0, &ctx->pooler, "MODE",
			"PostgreSQL through a pooler: auto (default),\n"
			"                               none or transaction"),
		CLI_OPT_STRING("actor", 0, &ctx->actor, "NAME",
			"who the ledger and history name (else\n"
			"                               $FERRY_ACTOR, else "
			"user@host)"),
		CLI_OPT_LIST("set", 0, &ctx->params, "NAME=VALUE",
			"a migration parameter's value (again for more)"),
		CLI_OPT_FLAG("json", 0, &ctx->json,
			"print one JSON document on stdout"),
		CLI_OPT_FLAG("quiet", 'q', &ctx->quiet, "print only errors"),
		CLI_OPT_FLAG(
			"verbose", 'v', &ctx->verbose, "print more detail"),
		CLI_OPT_STRING("color", 0, &ctx->color, "WHEN",
			"colour: auto (a terminal), always or never;\n"
			"                               also NO_COLOR, "
			"CLICOLOR_FORCE, FORCE_COLOR"),
		CLI_OPT_FLAG("no-color", 0, &ctx->no_color, "--color=never"),
		CLI_OPT_FLAG(
			"yes", 'y', &ctx->yes, "answer yes to confirmations"),
		CLI_OPT_FLAG("backup", 0, &ctx->backup,
			"back up before up, finish or migrate change anything"),
		{ "help", 'h', CLI_OPT_KIND_HELP, NULL, NULL,
			"show help and exit" },
		CLI_OPT_END
	};

	memcpy(t, g, sizeof(g));
}

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

/* One parse: the tables it looks options up in, and where it is. */
struct parser {
	struct cli_ctx *ctx;
	const struct cli_help *help; /* NULL before the command name */
	const struct cli_opt *opts;  /* the command's, or NULL */
	struct cli_opt globals[NGLOBAL];
	int argc;
	char **argv;
	int i; /* the argument being read */
};

static const struct cli_opt *find_long(
	const struct parser *p, const char *name, size_t len)
{
	const struct cli_opt *tables[2] = { p->opts, p->globals }, *t;
	int k;

	for (k = 0; k < 2; k++)
		for (t = tables[k]; t && t->name; t++)
			if (strlen(t->name) == len &&
				strncmp(t->name, name, len) == 0)
				return t;
	return NULL;
}

static const struct cli_opt *find_short(const struct parser *p, char c)
{
	const struct cli_opt *tables[2] = { p->opts, p->globals }, *t;
	int k;

	for (k = 0; k < 2; k++)
		for (t = tables[k]; t && t->name; t++)
			if (t->short_name && t->short_name == c)
				return t;
	return NULL;
}

static const char *closest(const struct parser *p, const char *name, size_t len)
{
	const struct cli_opt *tables[2] = { p->opts, p->globals }, *t;
	struct cli_suggest sg;
	char want[64];
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

static int takes_value(const struct cli_opt *o)
{
	return o->kind == CLI_OPT_KIND_STRING || o->kind == CLI_OPT_KIND_LIST;
}

/* One option found: set what it is bound to. */
static int take(struct parser *p, const struct cli_opt *o, const char *value)
{
	struct cli_ctx *ctx = p->ctx;

	switch (o->kind) {
	case CLI_OPT_KIND_HELP:
		cli_print_help(ctx->cmd, p->help, p->opts, stdout);
		return CLI_EXIT_OK;
	case CLI_OPT_KIND_FLAG:
		*(int *)o->value = 1;
		break;
	case CLI_OPT_KIND_STRING:
		*(const char **)o->value = value;
		break;
	case CLI_OPT_KIND_OPTIONAL:
		*(const char **)o->value = value ? value : "";
		break;
	case CLI_OPT_KIND_LIST: {
		struct cli_list *l = o->value;

		if (l->n == l->alloc) {
			size_t a = l->alloc ? 2 * l->alloc : 4;
			const char **v = realloc(l->v, a * sizeof(*v));

			if (!v) {
				cli_error(ctx, "out of memory");
				return CLI_EXIT_FAILED;
			}
			l->v = v;
			l->alloc = a;
		}
		l->v[l->n++] = value;
		break;
	}
	}
	/* The last of --color and --no-color counts, and holds at once:
	 * the errors that follow obey it. */
	if (o->value == &ctx->color)
		ctx->no_color = 0;
	if (o->value == &ctx->no_color)
		ctx->color = NULL;
	if (o->value == &ctx->color || o->value == &ctx->no_color)
		return cli_colors(ctx);
	return CLI_CONTINUE;
}

static int unknown(
	struct parser *p, const char *shown, const char *name, size_t len)
{
	struct cli_ctx *ctx = p->ctx;
	const char *best = closest(p, name, len);

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

static int parse_long(struct parser *p)
{
	const char *a = p->argv[p->i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const struct cli_opt *o = find_long(p, a, len);
	const char *value = NULL;

	if (!o)
		return unknown(p, p->argv[p->i], a, len);
	if (o->kind == CLI_OPT_KIND_OPTIONAL)
		return take(p, o, eq ? eq + 1 : NULL);
	if (!takes_value(o) && eq)
		return cli_usage(
			p->ctx, "option '--%s' takes no value", o->name);
	if (takes_value(o)) {
		if (eq)
			value = eq + 1;
		else if (p->i + 1 < p->argc)
			value = p->argv[++p->i];
		else
			return cli_usage(p->ctx,
				"option '--%s' needs a value (%s)", o->name,
				o->arg);
	}
	return take(p, o, value);
}

static int parse_short(struct parser *p)
{
	const char *a = p->argv[p->i] + 1;

	for (; *a; a++) {
		const struct cli_opt *o = find_short(p, *a);
		const char *value = NULL;
		char shown[3] = { '-', *a, '\0' };
		int rc;

		if (!o)
			return unknown(p, shown, shown + 1, 1);
		if (takes_value(o)) {
			if (a[1])
				value = a + 1;
			else if (p->i + 1 < p->argc)
				value = p->argv[++p->i];
			else
				return cli_usage(p->ctx,
					"option '-%c' needs a value (%s)", *a,
					o->arg);
		}
		if ((rc = take(p, o, value)) != CLI_CONTINUE)
			return rc;
		if (value)
			break;
	}
	return CLI_CONTINUE;
}

static void parser_init(struct parser *p, struct cli_ctx *ctx,
	const struct cli_help *help, const struct cli_opt *opts, int argc,
	char **argv)
{
	p->ctx = ctx;
	p->help = help;
	p->opts = opts;
	bind_globals(p->globals, ctx);
	p->argc = argc;
	p->argv = argv;
	p->i = 0;
}

int cli_parse(struct cli_ctx *ctx, const struct cli_help *help,
	const struct cli_opt *opts, int argc, char **argv, int *npos)
{
	struct parser p;
	int rc, dashdash = 0;

	parser_init(&p, ctx, help, opts, argc, argv);
	*npos = 0;
	for (; p.i < argc; p.i++) {
		const char *a = argv[p.i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			argv[(*npos)++] = argv[p.i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		rc = a[1] == '-' ? parse_long(&p) : parse_short(&p);
		if (rc != CLI_CONTINUE)
			return rc;
	}
	return CLI_CONTINUE;
}

int cli_parse_leading(struct cli_ctx *ctx, int argc, char **argv, int *first)
{
	struct parser p;
	int rc;

	parser_init(&p, ctx, NULL, NULL, argc, argv);
	for (; p.i < argc; p.i++) {
		const char *a = argv[p.i];

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			p.i++;
			break;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("ferry %s\n", ferry_version());
			return CLI_EXIT_OK;
		}
		rc = a[1] == '-' ? parse_long(&p) : parse_short(&p);
		if (rc != CLI_CONTINUE)
			return rc;
	}
	*first = p.i;
	return CLI_CONTINUE;
}

static void print_opts(const struct cli_opt *t, FILE *out)
{
	for (; t && t->name; t++) {
		char left[64];

		if (t->kind == CLI_OPT_KIND_OPTIONAL)
			snprintf(left, sizeof(left), "    --%s[=%s]", t->name,
				t->arg);
		else if (t->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				t->short_name, t->name, t->arg ? " " : "",
				t->arg ? t->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", t->name,
				t->arg ? " " : "", t->arg ? t->arg : "");
		fprintf(out, "  %-28s %s\n", left, t->help);
	}
}

/*
 * Which commands a global option applies to, by the command table's flags:
 * some of `any` (none: every command), all of `all`, none of `not`. A
 * command's help lists only those; the parser still accepts the others
 * and ignores them, so an alias or a script may pass -d to every command.
 */
static const struct {
	const char *name;
	unsigned int any, all, not ;
} applies_to[] = {
	{ "database",
		CLI_NEEDS_DB | CLI_READS_DB | CLI_TAKES_DB | CLI_TAKES_URL, 0,
		0 },
	{ "dir", CLI_NEEDS_SET | CLI_TAKES_DIR, 0, 0 },
	{ "format", CLI_NEEDS_SET | CLI_TAKES_DIR, 0, 0 },
	{ "config", 0, 0, CLI_NO_CONF },
	{ "env", 0, 0, CLI_NO_CONF },
	{ "table", CLI_NEEDS_DB | CLI_READS_DB | CLI_TAKES_DB, 0, 0 },
	{ "schema", CLI_NEEDS_DB | CLI_READS_DB | CLI_TAKES_DB, 0, 0 },
	{ "lock-timeout", CLI_NEEDS_DB | CLI_READS_DB | CLI_TAKES_DB, 0, 0 },
	{ "pooler", CLI_NEEDS_DB | CLI_READS_DB | CLI_TAKES_DB, 0, 0 },
	{ "wait", CLI_NEEDS_DB | CLI_READS_DB | CLI_TAKES_DB, 0, 0 },
	{ "actor", CLI_NEEDS_DB | CLI_TAKES_DB, 0, 0 },
	{ "set", CLI_NEEDS_DB | CLI_READS_DB, CLI_NEEDS_SET, 0 },
	{ "yes", CLI_NEEDS_DB | CLI_TAKES_DB, 0, 0 },
	{ "backup", CLI_AUTOBACKUP, 0, 0 },
};

static int applies(const struct cli_opt *o, const struct cli_command *cmd)
{
	size_t i;

	if (!cmd)
		return 1;
	for (i = 0; i < sizeof(applies_to) / sizeof(applies_to[0]); i++)
		if (strcmp(applies_to[i].name, o->name) == 0)
			return (!applies_to[i].any ||
				       (cmd->flags & applies_to[i].any)) &&
				(cmd->flags & applies_to[i].all) ==
				applies_to[i].all &&
				!(cmd->flags & applies_to[i].not );
	return 1;
}

/* The global options' help, from their table: those that apply to `cmd`,
 * or all of them. */
static void print_globals(const struct cli_command *cmd, FILE *out)
{
	struct cli_opt t[NGLOBAL];
	struct cli_ctx unread;
	size_t i, n = 0;

	memset(&unread, 0, sizeof(unread));
	bind_globals(t, &unread);
	for (i = 0; t[i].name; i++)
		if (applies(&t[i], cmd))
			t[n++] = t[i];
	t[n] = t[i]; /* the end */
	print_opts(t, out);
}

void cli_print_help(const struct cli_command *cmd, const struct cli_help *help,
	const struct cli_opt *opts, FILE *out)
{
	if (!cmd || !help) {
		cli_print_main_help(out);
		return;
	}
	fprintf(out, "usage: ferry %s\n\n%s\n", help->usage, help->desc);
	if (opts && opts->name) {
		fprintf(out, "\nOptions:\n");
		print_opts(opts, out);
	}
	fprintf(out, "\nGlobal options:\n");
	print_globals(cmd, out);
	if (help->examples)
		fprintf(out, "\nExamples:\n%s", help->examples);
	fprintf(out, "\nSee 'ferry help %s' or 'man ferry-%s' for more.\n",
		cmd->name, cmd->name);
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
	print_globals(NULL, out);
	fprintf(out,
		"  -V, --version                print the version and exit "
		"(before the command)\n"
		"\n"
		"Databases: sqlite:PATH, a path ending in .db/.sqlite/.sqlite3, "
		"sqlite::memory:,\n"
		"  postgres://user@host:5432/dbname or 'host=... dbname=...'.\n"
		"Settings come from flags, then the environment (DATABASE_URL, "
		"FERRY_DIR,\n"
		"  FERRY_FORMAT, FERRY_TABLE, FERRY_SCHEMA, FERRY_LOCK_TIMEOUT), "
		"then ferry.conf.\n"
		"Migration files unchanged since a run read them are "
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
		"Run 'ferry <command> --help' for a command's options, 'ferry "
		"help <command>'\n"
		"for its manual page.\n");
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
