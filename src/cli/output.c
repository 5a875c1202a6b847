/* SPDX-License-Identifier: MIT */
/*
 * output.c - how ferry speaks: errors and hints on stderr in git's and
 * PostgreSQL's manner, colour only on a terminal, and progress lines for
 * the commands that apply migrations.
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

const char *cli_color(int on, const char *which)
{
	return on ? which : "";
}

const char *cli_code_name(int code)
{
	switch (code) {
	case FERRY_OK:
		return "ok";
	case FERRY_EDB:
		return "db";
	case FERRY_EINVALID:
		return "invalid";
	case FERRY_ELOCKED:
		return "locked";
	case FERRY_EREFUSED:
		return "refused";
	case FERRY_ENOMEM:
		return "nomem";
	case FERRY_ENOTREADY:
		return "notready";
	case FERRY_EINTERRUPTED:
		return "interrupted";
	default:
		return "error";
	}
}

/* The code an exit status stands for, when the CLI found the error. */
static int code_of_exit(int exit_code)
{
	switch (exit_code) {
	case CLI_EXIT_OK:
		return FERRY_OK;
	case CLI_EXIT_USAGE:
		return FERRY_EINVALID;
	case CLI_EXIT_NO:
		return FERRY_ENOTREADY;
	case CLI_EXIT_LOCKED:
		return FERRY_ELOCKED;
	case CLI_EXIT_REFUSED:
		return FERRY_EREFUSED;
	case 128 + 2:  /* SIGINT */
	case 128 + 15: /* SIGTERM */
		return FERRY_EINTERRUPTED;
	default:
		return FERRY_ERROR;
	}
}

int cli_exit_code(int code)
{
	switch (code) {
	case FERRY_OK:
		return CLI_EXIT_OK;
	case FERRY_EINVALID:
		return CLI_EXIT_USAGE;
	case FERRY_ELOCKED:
		return CLI_EXIT_LOCKED;
	case FERRY_EREFUSED:
		return CLI_EXIT_REFUSED;
	case FERRY_ENOTREADY:
		return CLI_EXIT_NO;
	case FERRY_EINTERRUPTED:
		return 128 + 2; /* as after SIGINT; main says which signal */
	default:
		return CLI_EXIT_FAILED;
	}
}

/*
 * stdout is buffered when it is a file or a pipe, stderr is not: words for
 * stderr wait until stdout's buffer is out, and data for stdout until
 * stderr's is, so that `ferry up >log 2>&1` keeps the order things
 * happened in.
 */
static void before_stderr(void)
{
	cli_ticker_pause();
	fflush(stdout);
}

static void before_stdout(void)
{
	cli_ticker_pause();
	fflush(stderr);
}

/* End a progress line left open, so an error starts on its own line. */
static void close_progress(struct cli_ctx *ctx)
{
	if (ctx && ctx->progress_open) {
		fputc('\n', ctx->json ? stderr : stdout);
		fflush(ctx->json ? stderr : stdout);
		ctx->progress_open = 0;
	}
}

enum { SAY_ERROR, SAY_HINT, SAY_OTHER };

/*
 * Keep what --json's error document will say: the first error, and the
 * first hint said right after it. Other words in between end the error.
 */
static void keep(struct cli_ctx *ctx, int kind, const char *fmt, va_list ap)
{
	if (!ctx)
		return;
	if (kind == SAY_ERROR && !ctx->error_said) {
		memset(&ctx->error, 0, sizeof(ctx->error));
		vsnprintf(ctx->error.message, sizeof(ctx->error.message), fmt,
			ap);
		ctx->error_said = 1;
		ctx->error_open = 1;
	} else if (kind == SAY_HINT && ctx->error_open) {
		if (!ctx->error.hint[0])
			vsnprintf(ctx->error.hint, sizeof(ctx->error.hint), fmt,
				ap);
	} else {
		ctx->error_open = 0;
	}
}

static void vsay(struct cli_ctx *ctx, int kind, const char *label,
	const char *color, const char *fmt, va_list ap)
{
	int c = ctx && ctx->color_err;
	va_list kept;

	va_copy(kept, ap);
	keep(ctx, kind, fmt, kept);
	va_end(kept);
	close_progress(ctx);
	before_stderr();
	if (label)
		fprintf(stderr, "%s%s%s ", cli_color(c, color), label,
			cli_color(c, CLI_RESET));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(ctx, SAY_ERROR, "ferry: error:", CLI_RED CLI_BOLD, fmt, ap);
	va_end(ap);
}

void cli_warn(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(ctx, SAY_OTHER, "ferry: warning:", CLI_YELLOW CLI_BOLD, fmt, ap);
	va_end(ap);
}

void cli_hint(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(ctx, SAY_HINT, "hint:", CLI_YELLOW, fmt, ap);
	va_end(ap);
}

void cli_note(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx && ctx->quiet)
		return;
	va_start(ap, fmt);
	vsay(ctx, SAY_OTHER, "ferry:", CLI_DIM, fmt, ap);
	va_end(ap);
}

void cli_error_keep(struct cli_ctx *ctx, const char *message, const char *hint)
{
	if (ctx->error_said)
		return;
	memset(&ctx->error, 0, sizeof(ctx->error));
	snprintf(ctx->error.message, sizeof(ctx->error.message), "%s", message);
	snprintf(ctx->error.hint, sizeof(ctx->error.hint), "%s",
		hint ? hint : "");
	ctx->error_said = 1;
	ctx->error_open = 0;
}

int cli_usage(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(ctx, SAY_ERROR, "ferry: error:", CLI_RED CLI_BOLD, fmt, ap);
	va_end(ap);
	if (ctx && ctx->cmd)
		cli_hint(ctx, "try 'ferry %s --help'", ctx->cmd->name);
	else
		cli_hint(ctx, "try 'ferry --help'");
	return CLI_EXIT_USAGE;
}

int cli_fail(struct cli_ctx *ctx, const ferry_error *err)
{
	char where[300] = "", state[24] = "";
	int first = ctx && !ctx->error_said;

	if (err->file[0] && err->line > 0 && err->column > 0)
		snprintf(where, sizeof(where), "%s:%d:%d", err->file, err->line,
			err->column);
	else if (err->file[0] && err->line > 0)
		snprintf(where, sizeof(where), "%s:%d", err->file, err->line);
	else if (err->file[0])
		snprintf(where, sizeof(where), "%s", err->file);

	if (err->sqlstate[0])
		snprintf(state, sizeof(state), " (SQLSTATE %s)", err->sqlstate);
	if (where[0] && !err->detail[0]) {
		cli_error(ctx, "%s: %s%s", where, err->message, state);
	} else {
		cli_error(ctx, "%s", err->message);
		if (where[0])
			fprintf(stderr, "%s: %s%s\n", where, err->detail,
				state);
		else if (err->detail[0])
			fprintf(stderr, "%s%s\n", err->detail, state);
	}
	/* The document keeps the fields apart; the text joined them. */
	if (first)
		ctx->error = *err;
	if (err->hint[0])
		cli_hint(ctx, "%s", err->hint);
	return cli_exit_code(err->code);
}

/* The database as ferry shows it, for a note that may come before the
 * handle is ours. */
static const char *db_shown(const struct cli_ctx *ctx)
{
	return ctx->db ? ferry_db_display_url(ctx->db) : "the database";
}

/* -v: "0002_x: statement 2/3 at FILE:LINE: 2 rows in 1 ms"; a statement
 * of a PostgreSQL pipeline has no time of its own. */
static void print_statement(struct cli_ctx *ctx, const ferry_event *ev)
{
	char n[48], took[32] = "";

	if (ev->total)
		snprintf(n, sizeof(n), "%zu/%zu", ev->statement, ev->total);
	else
		snprintf(n, sizeof(n), "%zu", ev->statement);
	if (ev->elapsed_ms >= 0) {
		memcpy(took, " in ", 5);
		cli_format_ms(
			took + 4, sizeof(took) - 4, (long long)ev->elapsed_ms);
	}
	cli_note(ctx, "%s: statement %s at %s:%d: %lld row%s%s",
		ev->migration->id, n, ev->migration->path, ev->line,
		(long long)ev->rows, ev->rows == 1 ? "" : "s", took);
}

void cli_progress(const ferry_event *ev, void *payload)
{
	struct cli_ctx *ctx = payload;
	FILE *out = ctx->json ? stderr : stdout;
	int c = ctx->json ? ctx->color_err : ctx->color_out;
	char took[32];

	switch (ev->type) {
	case FERRY_EVENT_LOCK_WAIT:
		cli_note(ctx, "waiting for the lock on '%s', held by %s",
			db_shown(ctx),
			ev->holder ? ev->holder : "another process");
		break;
	case FERRY_EVENT_WARNING:
		ctx->warnings++;
		cli_warn(ctx, "%s", ev->message);
		break;
	case FERRY_EVENT_STATEMENT:
		if (!ctx->verbose)
			break;
		print_statement(ctx, ev);
		break;
	case FERRY_EVENT_NOTICE:
		/* The server's chatter ("... does not exist, skipping"): -v. */
		if (ctx->verbose)
			cli_note(ctx, "%s", ev->message);
		break;
	case FERRY_EVENT_BUSY:
		if (ev->holder)
			cli_note(ctx,
				"waiting for database '%s': a migration of "
				"%s is writing to it",
				db_shown(ctx), ev->holder);
		else
			cli_note(ctx,
				"waiting for database '%s': another "
				"connection is writing to it",
				db_shown(ctx));
		break;
	case FERRY_EVENT_OTHER_RUNNER:
		if (ctx->quiet)
			break;
		if (ev->migration && !ctx->progress_open)
			fprintf(out, "%-6s %s ... ", ev->section,
				ev->migration->id);
		if (ev->migration)
			fprintf(out, "applied by another runner meanwhile\n");
		ctx->progress_open = 0;
		cli_note(ctx,
			"another runner changed the ledger first; this run "
			"applied nothing of %s and stops",
			ev->migration ? ev->migration->id : "its transaction");
		break;
	case FERRY_EVENT_LOCK_RETRY:
		cli_format_ms(took, sizeof(took), (long long)ev->elapsed_ms);
		cli_note(ctx,
			"%s: waited too long for a lock, %s; rolled back, try "
			"%zu of %zu in %s",
			ev->migration->id,
			ev->holder ? ev->holder : "held by another session",
			ev->index, ev->total, took);
		break;
	case FERRY_EVENT_LOCK_ACQUIRED:
		if (ctx->verbose)
			cli_note(ctx, "got the lock");
		break;
	case FERRY_EVENT_BATCH:
		cli_ticker_batch(
			(long long)ev->batch, (long long)ev->rows_total);
		if (!ctx->verbose)
			break;
		cli_format_ms(took, sizeof(took), (long long)ev->elapsed_ms);
		cli_note(ctx,
			"%s: statement %zu, batch %lld: %lld rows (%lld so "
			"far) in %s",
			ev->migration->id, ev->statement, (long long)ev->batch,
			(long long)ev->rows, (long long)ev->rows_total, took);
		break;
	case FERRY_EVENT_RESUME:
		if (ctx->quiet)
			break;
		before_stdout();
		if (!ctx->progress_open)
			fprintf(out, "%-6s %s ... ", ev->section,
				ev->migration->id);
		fprintf(out, "resuming at statement %zu ... ", ev->statement);
		fflush(out);
		ctx->progress_open = 1;
		break;
	case FERRY_EVENT_SECTION_START:
		if (ctx->quiet)
			break;
		close_progress(ctx);
		before_stdout();
		fprintf(out, "%-6s %s ... ", ev->section, ev->migration->id);
		fflush(out);
		ctx->progress_open = 1;
		cli_ticker_start(out, ev->section, ev->migration->id);
		break;
	case FERRY_EVENT_SECTION_DONE:
		if (ctx->quiet)
			break;
		cli_format_ms(took, sizeof(took), (long long)ev->elapsed_ms);
		before_stdout();
		if (!ctx->progress_open)
			fprintf(out, "%-6s %s ... ", ev->section,
				ev->migration->id);
		fprintf(out, "%sok%s (%s", cli_color(c, CLI_GREEN),
			cli_color(c, CLI_RESET), took);
		/* How long the application could not write: -v. */
		if (ctx->verbose && ev->write_lock_ms >= 0) {
			cli_format_ms(took, sizeof(took),
				(long long)ev->write_lock_ms);
			fprintf(out, ", write lock held %s", took);
		}
		fprintf(out, ")\n");
		fflush(out);
		ctx->progress_open = 0;
		break;
	}
}

int cli_confirm(struct cli_ctx *ctx, const char *question)
{
	char answer[16];

	if (ctx->yes)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		cli_error(ctx, "%s: refused without --yes", question);
		cli_hint(ctx,
			"standard input is not a terminal, so nobody can "
			"answer; add --yes if you mean it");
		return 0;
	}
	before_stderr();
	fprintf(stderr, "%s? [y/N] ", question);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin) ||
		(answer[0] != 'y' && answer[0] != 'Y')) {
		cli_error(ctx, "%s: not confirmed, nothing changed", question);
		return 0;
	}
	return 1;
}

int cli_confirm_step(
	const ferry_migration *m, const char *section, void *payload)
{
	struct cli_ctx *ctx = payload;
	char answer[16];

	if (ctx->yes)
		return 1;
	if (!isatty(STDIN_FILENO))
		return 0;
	before_stderr();
	if (strcmp(section, "rerun") == 0)
		fprintf(stderr, "run the up section of %s again? [y/N] ",
			m->id);
	else
		fprintf(stderr,
			"%s asks before its %s section runs: run it? [y/N] ",
			m->id, section);
	fflush(stderr);
	return fgets(answer, sizeof(answer), stdin) &&
		(answer[0] == 'y' || answer[0] == 'Y');
}

int cli_json_error(struct cli_ctx *ctx, int exit_code)
{
	const ferry_error *e = &ctx->error;
	int code = e->code;

	if (exit_code == CLI_EXIT_OK || ctx->json_done)
		return exit_code;
	/* A code of the library's, unless the command made it another. */
	if (!ctx->error_said || code == FERRY_OK ||
		cli_exit_code(code) != exit_code)
		code = code_of_exit(exit_code);
	cli_json_print(ctx,
		json_pack("{s:{s:s,s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:o}}", "error",
			"code", cli_code_name(code), "exit", exit_code,
			"message",
			ctx->error_said && e->message[0] ? e->message
							 : "the command failed",
			"detail", cli_json_str(e->detail[0] ? e->detail : NULL),
			"hint", cli_json_str(e->hint[0] ? e->hint : NULL),
			"sqlstate",
			cli_json_str(e->sqlstate[0] ? e->sqlstate : NULL),
			"file", cli_json_str(e->file[0] ? e->file : NULL),
			"line",
			e->line > 0 ? json_integer(e->line) : json_null(),
			"column",
			e->column > 0 ? json_integer(e->column) : json_null()));
	return exit_code;
}
