/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the ferry command's files share: the context a command runs
 * in, the option tables, exit codes and output helpers.
 *
 * The CLI sees the library only through ferry.h.
 */
#ifndef FERRY_CLI_H
#define FERRY_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "ferry.h"

/* Exit codes, SPEC section 4. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_NO 3
#define CLI_EXIT_LOCKED 4
#define CLI_EXIT_REFUSED 5

/*
 * What a step of a command (parse, settings, setup, a check) returns when
 * the command goes on; any other value is the exit code to stop with, the
 * words already said:
 *	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
 *		return rc;
 */
#define CLI_CONTINUE (-1)

#define CLI__PRINTF(f, a) __attribute__((format(printf, f, a)))

struct cli_command;

/* The arguments of an option given again and again, in order. */
struct cli_list {
	const char **v;
	size_t n, alloc;
};

/* Global settings after flags, environment and ferry.conf are merged. */
struct cli_ctx;

/* Migration parameters (params.c): a `param.NAME` line of ferry.conf;
 * all of them given to the database handle once it is open. */
/*
 * The elapsed-time line of a long section, on a terminal (ticker.c):
 * started with the section's line, told of batches, paused before any
 * other output, ended at exit.
 */
void cli_ticker_start(FILE *out, const char *section, const char *id);
void cli_ticker_batch(long long batch, long long rows_total);
void cli_ticker_pause(void);
void cli_ticker_end(void);

int cli_params_conf(struct cli_ctx *ctx, const char *path, int line,
	const char *name, const char *value);
int cli_params_apply(struct cli_ctx *ctx);
void cli_params_free(struct cli_ctx *ctx);

struct cli_ctx {
	const struct cli_command *cmd;
	/* from flags (NULL when not given) */
	const char *database;
	const char *dir;
	const char *format; /* --format */
	const char *config;
	const char *env;  /* --env NAME: ferry.conf's [env.NAME] */
	const char *wait; /* --wait[=DURATION]: "" when given alone */
	int wait_ms;	  /* how long to wait for the database; 0: not */
	const char *table;
	const char *schema;
	const char *lock_timeout;
	const char *lock_wait;	  /* --lock-wait */
	const char *lock_retries; /* --lock-retries */
	const char *pooler;	  /* --pooler */
	const char *actor;	  /* --actor */
	struct cli_list params;	  /* --set NAME=VALUE, in order */
	int exclusive;		  /* --exclusive, or exclusive = true */
	int json;
	int quiet;
	int verbose;
	int no_color;	   /* --no-color: --color=never */
	const char *color; /* --color=auto|always|never */
	int yes;
	int dry_run; /* the command only reads: open the database read-only */
	int check;   /* the command's sections run in a rolled-back trial */
	/* resolved by cli_setup() */
	char *database_url;
	char *migrations_dir;
	char *base_dir; /* where relative paths in the database URL start */
	char *table_name;
	char *schema_name;
	char *cache_dir; /* the set cache's directory, or NULL for none */
	ferry_db *db;
	ferry_set *set;
	ferry_format set_format;  /* --format, FERRY_FORMAT or format = */
	ferry_pooler pooler_mode; /* --pooler, FERRY_POOLER or pooler = */
	int lock_timeout_ms;
	int lock_wait_ms;   /* the lock budget of one statement; 0: none */
	int lock_retries_n; /* tries beyond the first */
	int color_out;	    /* colour on stdout */
	int color_err;	    /* colour on stderr */
	int progress_open;  /* a progress line waits for its end */
	int warnings;	    /* FERRY_EVENT_WARNINGs so far */
	/* config file values, kept to be freed, and the lines they are on */
	char *conf_database, *conf_dir, *conf_table, *conf_schema;
	char *conf_format, *conf_pooler;
	char *conf_lock_timeout, *conf_backup_dir;
	char *conf_lock_wait, *conf_lock_retries, *conf_exclusive;
	char **conf_params; /* "NAME=VALUE" from param.NAME lines */
	size_t nconf_params;
	char *conf_path;      /* the file read; its directory anchors paths */
	const char *conf_env; /* the [env.NAME] chosen, or NULL */
	int conf_in_env;      /* 0: top level; 1: the chosen env; -1: another */
	int conf_env_found;   /* the chosen env's section was seen */
	char conf_envs[256];  /* the names of the envs seen, for the error */
	/* automatic backups (autobackup.c) */
	char *backup_dir; /* backup_dir, relative to ferry.conf's dir */
	char *conf_backup_keep;
	int conf_format_line, conf_pooler_line, conf_lock_timeout_line;
	int conf_lock_wait_line, conf_lock_retries_line, conf_exclusive_line;
	int conf_backup_keep_line;
	int config_optional; /* init: --config may name a file not made yet */
	int offline;	     /* validate --offline: open no database */
	int backup;	     /* --backup: one before up, finish, migrate */
	int backup_keep;     /* backup_keep: how many to keep; 0 = all */
	/* output.c: what --json's error document says */
	int json_done;	   /* a JSON document is on stdout already */
	int error_said;	   /* `error` holds the run's first error */
	int error_open;	   /* the last words were that error: a hint joins */
	ferry_error error; /* code 0 when the CLI found it, not the library */
};

/* What a command needs before it runs. */
#define CLI_NEEDS_SET 1u  /* the migration set, read and checked */
#define CLI_NEEDS_DB 2u	  /* the database, open for writing */
#define CLI_READS_DB 4u	  /* the database, open for reading */
#define CLI_FRESH_SET 8u  /* every file read, whatever the set cache says */
#define CLI_EXCLUSIVE 16u /* --exclusive (or exclusive = true) applies */
/* For help, of commands that open what they need themselves: which of
 * the global options apply (opts.c). */
#define CLI_TAKES_DB 32u    /* a database: -d and its settings */
#define CLI_TAKES_URL 64u   /* -d alone (init writes it down) */
#define CLI_TAKES_DIR 128u  /* the migration directory: --dir, --format */
#define CLI_AUTOBACKUP 256u /* --backup */
#define CLI_NO_CONF 512u    /* reads no settings: not --config, --env */

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cli_ctx *ctx);
	unsigned int flags;
	const char *desc;
};

extern const struct cli_command cli_commands[];

/*
 * Options. Each names its kind and the variable it sets, as libgit2's
 * option specs do, so a command's table lives in the command's function
 * beside the variables it binds, and ends with CLI_OPT_END:
 *
 *	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
 *	const struct cli_opt opts[] = {
 *		CLI_OPT_STRING("to", 0, &o.to, "TARGET", "stop after ..."),
 *		CLI_OPT_FLAG("dry-run", 0, &o.dry_run, CLI_TRIAL_HELP_DRY_RUN),
 *		CLI_OPT_END
 *	};
 *
 * A value that needs checking (a number, two options that exclude each
 * other) is bound as a string and checked by the command after the parse,
 * with its own message. The global options, bound to the fields of the
 * context, are accepted after the command name too.
 */
enum cli_opt_kind {
	CLI_OPT_KIND_FLAG,     /* `int *value` becomes 1 */
	CLI_OPT_KIND_STRING,   /* `const char **value` points at the argument */
	CLI_OPT_KIND_LIST,     /* `struct cli_list *value` gains the argument */
	CLI_OPT_KIND_OPTIONAL, /* a string, given only as --name=value; "" when
				* given as --name alone */
	CLI_OPT_KIND_HELP /* print the help; the command stops with exit 0 */
};

struct cli_opt {
	const char *name; /* long name, without "--"; NULL ends a table */
	char short_name;  /* or 0 */
	enum cli_opt_kind kind;
	void *value;	 /* what it sets, of the type its kind says */
	const char *arg; /* a string's name in help, e.g. "URL" */
	const char *help;
};

/* The conditionals make the compiler check the variable's type. */
#define CLI_OPT_FLAG(name, short_name, var, help) \
	{ \
		(name), (short_name), CLI_OPT_KIND_FLAG, 1 ? (var) : (int *)0, \
			NULL, (help) \
	}
#define CLI_OPT_STRING(name, short_name, var, arg, help) \
	{ \
		(name), (short_name), CLI_OPT_KIND_STRING, \
			1 ? (var) : (const char **)0, (arg), (help) \
	}
#define CLI_OPT_LIST(name, short_name, var, arg, help) \
	{ \
		(name), (short_name), CLI_OPT_KIND_LIST, \
			1 ? (var) : (struct cli_list *)0, (arg), (help) \
	}
#define CLI_OPT_OPTIONAL(name, var, arg, help) \
	{ \
		(name), 0, CLI_OPT_KIND_OPTIONAL, \
			1 ? (var) : (const char **)0, (arg), (help) \
	}
#define CLI_OPT_END \
	{ \
		NULL, 0, CLI_OPT_KIND_FLAG, NULL, NULL, NULL \
	}

/* A command's help: usage line, description, examples. */
struct cli_help {
	const char *usage;
	const char *desc;
	const char *examples;
};

/*
 * Parse argv (after the command name): each option of `opts` (NULL for
 * none) and each global option sets what it is bound to. Positional
 * arguments are moved to the front of argv and counted in `*npos`.
 * Returns CLI_CONTINUE, or an exit code to stop with (after `--help`, or
 * a usage error already printed).
 */
int cli_parse(struct cli_ctx *ctx, const struct cli_help *help,
	const struct cli_opt *opts, int argc, char **argv, int *npos);

/*
 * Parse the global options before the command name; `*first` is the index
 * of the command. Returns CLI_CONTINUE or an exit code.
 */
int cli_parse_leading(struct cli_ctx *ctx, int argc, char **argv, int *first);

/*
 * Colour on each stream: --color (or --no-color), else NO_COLOR (never),
 * else CLICOLOR_FORCE or FORCE_COLOR (always), else a terminal whose TERM
 * is not dumb. CLI_CONTINUE, or exit 2 for a --color it does not know.
 */
int cli_colors(struct cli_ctx *ctx);
/* Merge flags, environment and ferry.conf into ctx. CLI_CONTINUE or an
 * exit code. */
int cli_settings(struct cli_ctx *ctx);
/* cli_settings(), then open what ctx->cmd needs. CLI_CONTINUE or an exit
 * code. */
int cli_setup(struct cli_ctx *ctx);
void cli_teardown(struct cli_ctx *ctx);

/*
 * --wait (wait.c): check its duration; open the database at `url` into
 * `*out`, trying again for up to ctx->wait_ms while the server is not up
 * yet. 0, or -1 with `err`.
 */
int cli_wait_resolve(struct cli_ctx *ctx);
int cli_db_open_waiting(struct cli_ctx *ctx, ferry_db **out, const char *url,
	const ferry_db_options *opts, ferry_error *err);

/* Read ferry.conf (or --config) into ctx->conf_*. CLI_CONTINUE or an exit
 * code. */
int cli_config_load(struct cli_ctx *ctx);
/*
 * A ferry.conf value with ${VAR}, ${VAR:-default} and $$ expanded, into
 * `*out` (malloc'd); `column` is where `value` starts on `line`, for the
 * error about an unset variable. CLI_CONTINUE or an exit code.
 */
int cli_conf_expand(struct cli_ctx *ctx, const char *path, int line, int column,
	const char *value, char **out);

/* Print help for the whole tool, or for one command and its options. */
void cli_print_help(const struct cli_command *cmd, const struct cli_help *help,
	const struct cli_opt *opts, FILE *out);
void cli_print_main_help(FILE *out);

/*
 * Output. Data goes to stdout, words to stderr:
 *	ferry: error: <what failed>
 *	<file>:<line>:<column>: <the engine's words>
 *	hint: <what to do>
 * Whatever waits in stdout's buffer is flushed before words go to stderr,
 * so the two come out in order when they share a file or a pipe.
 *
 * The first error said (and the hint after it) is also kept in ctx, for
 * the JSON document a failing command prints with --json (cli_json_error).
 */
int cli_fail(struct cli_ctx *ctx, const ferry_error *err);
/* Keep an error that was worded some other way (not through cli_error). */
void cli_error_keep(struct cli_ctx *ctx, const char *message, const char *hint);
/*
 * With --json, a command that exits `exit_code` (not 0) without printing
 * its document prints this one instead:
 *	{"error": {"code": "db", "exit": 1, "message": ..., "detail": ...,
 *	 "hint": ..., "sqlstate": ..., "file": ..., "line": ..., "column": ...}}
 * Returns exit_code.
 */
int cli_json_error(struct cli_ctx *ctx, int exit_code);
/* The symbolic name of a library code, "db" for FERRY_EDB. */
const char *cli_code_name(int ferry_code);
/* "'x' is not a ferry command", with a suggestion; returns exit 2. */
int cli_unknown_command(struct cli_ctx *ctx, const char *name);
int cli_usage(struct cli_ctx *ctx, const char *fmt, ...) CLI__PRINTF(2, 3);
void cli_error(struct cli_ctx *ctx, const char *fmt, ...) CLI__PRINTF(2, 3);
void cli_warn(struct cli_ctx *ctx, const char *fmt, ...) CLI__PRINTF(2, 3);
void cli_hint(struct cli_ctx *ctx, const char *fmt, ...) CLI__PRINTF(2, 3);
/* A message for the user on stderr, unless -q. */
void cli_note(struct cli_ctx *ctx, const char *fmt, ...) CLI__PRINTF(2, 3);
int cli_exit_code(int ferry_code);

/* Colour escapes, or "" when colour is off for that stream. */
const char *cli_color(int on, const char *which);
#define CLI_RED "\033[31m"
#define CLI_GREEN "\033[32m"
#define CLI_YELLOW "\033[33m"
#define CLI_BLUE "\033[34m"
#define CLI_BOLD "\033[1m"
#define CLI_DIM "\033[2m"
#define CLI_RESET "\033[0m"

/* The progress callback the applying commands share. */
void cli_progress(const ferry_event *ev, void *payload);

/* What a run did (report.c): steps of one action, "; database at V"
 * for a summary line, the JSON document, and the exit code and error
 * when `up` stopped at an unfinished checkpoint. */
size_t cli_report_count(const ferry_report *r, const char *action);
void cli_report_where(const ferry_report *r, FILE *out);
int cli_report_json(struct cli_ctx *ctx, const ferry_report *r);
int cli_report_checkpoint(struct cli_ctx *ctx, const ferry_report *r);
/*
 * How a command that runs sections ends: the JSON document, or (unless -q)
 * its summary line, then the checkpoint error if `up` stopped at one; frees
 * the report and returns the exit code. `arg` is the summary's own.
 */
typedef void (*cli_summary_fn)(const ferry_report *r, const char *arg);
int cli_print_run(struct cli_ctx *ctx, ferry_report *r, cli_summary_fn summary,
	const char *arg);
/* Summaries: "<done> N migrations; database at V", a run of up and finish
 * sections (migrate, bootstrap), and one of down sections, or "nothing to
 * do: <arg>". */
void cli_print_migrations(const ferry_report *r, const char *done);
void cli_print_phases(const ferry_report *r, const char *unused);
void cli_print_reverted(const ferry_report *r, const char *nothing);
/*
 * Runs that change nothing (trial.c). cli_trial_setup() refuses --dry-run
 * with --check and marks a dry run read-only, before cli_setup(); the
 * printers end the command like cli_print_run(): SQL of each section with
 * its file and line, or what ran in the rolled-back transaction.
 */
#define CLI_TRIAL_HELP_DRY_RUN \
	"print the plan and the SQL of each section; change nothing"
#define CLI_TRIAL_HELP_CHECK \
	"run the sections in one transaction, then roll it back"
int cli_trial_setup(struct cli_ctx *ctx, int dry_run, int check);
int cli_print_dry_run(struct cli_ctx *ctx, ferry_report *r);
int cli_print_check(struct cli_ctx *ctx, ferry_report *r);
/* What repair and stamp changed (changes.c): the JSON document, and the
 * number of distinct migrations among the changes. */
int cli_changes_json(struct cli_ctx *ctx, const ferry_changes *c, int dry_run);
size_t cli_changes_migrations(const ferry_changes *c);
/* Ask before something destructive: 1 yes, 0 no (a message is printed).
 * Without a terminal, only --yes says yes. */
int cli_confirm(struct cli_ctx *ctx, const char *question);
/*
 * ferry_up_options.confirm: a section marked `confirm`, or a rerun, asks
 * on the terminal; yes with --yes; no when nobody can answer (the library
 * then says what was not confirmed). `payload` is the cli_ctx.
 */
int cli_confirm_step(
	const ferry_migration *m, const char *section, void *payload);

/*
 * "Did you mean" suggestions: offer each candidate, then read `best`, the
 * nearest close enough to be a likely typo (or NULL).
 */
struct cli_suggest {
	const char *want;
	const char *best;
	int bestd;
};

void cli_suggest_init(struct cli_suggest *s, const char *want);
void cli_suggest_try(struct cli_suggest *s, const char *candidate);

/* Duration for humans: "12 ms", "3.4 s", "2 min 5 s". */
void cli_format_ms(char *buf, size_t size, long long ms);

/* Parse "60", "60s", "500ms", "2m" into milliseconds; -1 if invalid. */
int cli_parse_duration(const char *s);

/* JSON: a string or null; print a document (the only one) and free it. */
json_t *cli_json_str(const char *s);
/* A migration's version; null for a repeatable one, which has none. */
json_t *cli_json_version(const ferry_migration *m);
int cli_json_print(struct cli_ctx *ctx, json_t *doc);

/*
 * Plain-text tables: columns padded to their widest cell. Cells may hold
 * colour escapes; they do not count towards the width.
 */
struct cli_table {
	int ncols;
	char **cells; /* row-major, header first */
	size_t nrows;
	size_t alloc;
};

void cli_table_init(struct cli_table *t, int ncols, const char *const *header);
void cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_print(struct cli_table *t, FILE *out, int color);
void cli_table_free(struct cli_table *t);

/*
 * Backups (autobackup.c). The options every backup of the CLI uses: the
 * directory (backup_dir), PostgreSQL's tools ($FERRY_PG_BINDIR) and a
 * progress line on a terminal.
 */
void cli_backup_options(struct cli_ctx *ctx, ferry_backup_options *o);
/* Make backup_dir if it is set and missing. CLI_CONTINUE or an exit code. */
int cli_backup_dir_ensure(struct cli_ctx *ctx);
/* Clear the progress line, if one is shown. */
void cli_backup_progress_end(struct cli_ctx *ctx);
/* "1.2 MiB" */
void cli_format_bytes(char *buf, size_t size, long long bytes);
/*
 * Before up, finish or migrate change anything: a backup, if --backup or
 * backup_dir asks for one and `run` (a dry run of the command) has
 * something to do; then old automatic backups beyond backup_keep go.
 * Returns CLI_CONTINUE, or the exit code to stop with.
 */
typedef int (*cli_run_fn)(ferry_report **out, ferry_db *db,
	const ferry_set *set, const ferry_up_options *opts, ferry_error *err);
int cli_autobackup(
	struct cli_ctx *ctx, cli_run_fn run, const ferry_up_options *opts);

/*
 * The commands that run sections with ferry_up_options (runner.c): `up`,
 * `finish`, `migrate`, `bootstrap` and `rollback`. Each describes itself
 * in a struct cli_runner and calls cli_run(), which parses its options
 * into one ferry_up_options, refuses arguments, sets up a trial, takes
 * an automatic backup, runs `run` and reports (cli_print_run()).
 */
#define CLI_RUN_TO 0x01u	   /* --to TARGET */
#define CLI_RUN_OUT_OF_ORDER 0x02u /* --allow-out-of-order */
#define CLI_RUN_SINGLE 0x04u	   /* --single-transaction */
#define CLI_RUN_TRIAL 0x08u	   /* --dry-run and --check */
#define CLI_RUN_BASELINE 0x10u	   /* --baseline VERSION */
#define CLI_RUN_BACKUP 0x20u	   /* cli_autobackup() before the run */
#define CLI_RUN_RERUN 0x40u	   /* --rerun VERSION */
#define CLI_RUN_LOCK_BUDGET 0x80u  /* --lock-wait, --lock-retries */
#define CLI_RUN_EXCLUSIVE 0x100u   /* --exclusive */
#define CLI_RUN_STRICT 0x200u	   /* --strict: refuse what lint finds */
#define CLI_RUN_ALLOW_EMPTY 0x400u /* --allow-empty: run a bare template */
#define CLI_RUN_NOPTS 14	   /* the most options, with the end */

struct cli_runner {
	const struct cli_help *help;
	cli_run_fn run;		 /* ferry_up(), ferry_finish(), ... */
	unsigned int opts;	 /* CLI_RUN_* */
	const char *to_help;	 /* --to's words in help */
	const char *single_help; /* --single-transaction's */
	cli_summary_fn summary;	 /* the line that says what ran */
	const char *nothing;	 /* summary's argument; NULL: --to's value */
};

int cli_run(
	struct cli_ctx *ctx, const struct cli_runner *r, int argc, char **argv);

/*
 * Lint (cmd_lint.c), shared with validate: the engine whose rules run
 * (--engine's value, else the database URL's, else NULL for both), and
 * the findings as a JSON array.
 */
int cli_lint_engine(struct cli_ctx *ctx, const char *flag, const char **out);
json_t *cli_lint_json(const ferry_lint_result *r);

/*
 * The progress line of export, import and copy (rows_progress.c): drawn
 * on a terminal once a second has gone, erased by _end().
 */
struct cli_rows_progress {
	const char *verb; /* "importing" */
	struct timespec t0, table_t0;
	int tty, drawn;
	char table[128];
};

void cli_rows_progress_init(
	struct cli_rows_progress *p, struct cli_ctx *ctx, const char *verb);
void cli_rows_progress(struct cli_rows_progress *p, const char *table,
	uint64_t rows, uint64_t total, uint64_t bytes);
void cli_rows_progress_end(struct cli_rows_progress *p);
/* "10,402": thousands apart, as people read counts. */
void cli_format_count(char *buf, size_t size, unsigned long long n);

/* Commands. */
int cmd_init(int argc, char **argv, struct cli_ctx *ctx);
int cmd_new(int argc, char **argv, struct cli_ctx *ctx);
int cmd_status(int argc, char **argv, struct cli_ctx *ctx);
int cmd_list(int argc, char **argv, struct cli_ctx *ctx);
int cmd_up(int argc, char **argv, struct cli_ctx *ctx);
int cmd_history(int argc, char **argv, struct cli_ctx *ctx);
int cmd_finish(int argc, char **argv, struct cli_ctx *ctx);
int cmd_migrate(int argc, char **argv, struct cli_ctx *ctx);
int cmd_bootstrap(int argc, char **argv, struct cli_ctx *ctx);
int cmd_rollback(int argc, char **argv, struct cli_ctx *ctx);
int cmd_down(int argc, char **argv, struct cli_ctx *ctx);
int cmd_plan(int argc, char **argv, struct cli_ctx *ctx);
int cmd_check(int argc, char **argv, struct cli_ctx *ctx);
int cmd_release(int argc, char **argv, struct cli_ctx *ctx);
int cmd_validate(int argc, char **argv, struct cli_ctx *ctx);
int cmd_lint(int argc, char **argv, struct cli_ctx *ctx);
int cmd_repair(int argc, char **argv, struct cli_ctx *ctx);
int cmd_stamp(int argc, char **argv, struct cli_ctx *ctx);
int cmd_adopt(int argc, char **argv, struct cli_ctx *ctx);
int cmd_import(int argc, char **argv, struct cli_ctx *ctx);
int cmd_copy(int argc, char **argv, struct cli_ctx *ctx);
int cmd_backup(int argc, char **argv, struct cli_ctx *ctx);
int cmd_export(int argc, char **argv, struct cli_ctx *ctx);
int cmd_restore(int argc, char **argv, struct cli_ctx *ctx);
int cmd_reset(int argc, char **argv, struct cli_ctx *ctx);
int cmd_embed(int argc, char **argv, struct cli_ctx *ctx);
int cmd_version(int argc, char **argv, struct cli_ctx *ctx);
int cmd_help(int argc, char **argv, struct cli_ctx *ctx);

/*
 * `ferry help CMD`: each manual page made from docs/ferry-*.md, as man
 * shows it, generated at build time (scripts/help-pages.sh); ends with a
 * NULL name. `name` is the page's without "ferry-": "up", "trial-runs".
 */
struct cli_help_page {
	const char *name;
	const char *text;
};

extern const struct cli_help_page cli_help_pages[];

/*
 * `ferry __complete WHAT`, for the shell completion scripts (completion/):
 * a command of its own, not in cli_commands, so not in `ferry --help`.
 */
extern const struct cli_command cli_complete_command;
int cmd_complete(int argc, char **argv, struct cli_ctx *ctx);

#endif /* FERRY_CLI_H */
