/* SPDX-License-Identifier: MIT */
/*
 * autobackup.c - backups the CLI takes by itself: before `up`, `finish`
 * and `migrate` change anything, when `--backup` or `backup_dir` in
 * ferry.conf asks for them, and only when the run has something to do.
 * Old automatic backups in that directory beyond `backup_keep` go, oldest
 * first (ferry_backup_prune(): the library tells its backups by name,
 * files ferry did not name are never touched). Also the options `backup`
 * and `restore` share.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_format_bytes(char *buf, size_t size, long long bytes)
{
	if (bytes < 1024)
		snprintf(buf, size, "%lld bytes", bytes);
	else if (bytes < 1024LL * 1024)
		snprintf(buf, size, "%.1f KiB", (double)bytes / 1024);
	else if (bytes < 1024LL * 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)bytes / (1024 * 1024));
	else
		snprintf(buf, size, "%.1f GiB",
			(double)bytes / (1024.0 * 1024 * 1024));
}

/* On a terminal, "backing up: 42%" on one line, rewritten in place. */
static void on_progress(uint64_t done, uint64_t total, void *payload)
{
	struct cli_ctx *ctx = payload;

	if (ctx->quiet || total == 0 || !isatty(STDERR_FILENO))
		return;
	if (done >= total && !ctx->progress_open)
		return; /* done at once: nothing worth showing */
	fprintf(stderr, "\rcopying: %3d%% of %llu pages",
		(int)(done * 100 / total), (unsigned long long)total);
	fflush(stderr);
	ctx->progress_open = 1;
}

void cli_backup_progress_end(struct cli_ctx *ctx)
{
	if (!ctx->progress_open)
		return;
	fputs("\n", stderr);
	ctx->progress_open = 0;
}

void cli_backup_options(struct cli_ctx *ctx, ferry_backup_options *o)
{
	const char *bindir = getenv("FERRY_PG_BINDIR");

	o->dir = ctx->backup_dir;
	o->pg_bindir = bindir && *bindir ? bindir : NULL;
	o->progress = on_progress;
	o->payload = ctx;
}

/* With -v, each old automatic backup that went. */
static void on_removed(const char *path, void *payload)
{
	struct cli_ctx *ctx = payload;

	if (ctx->verbose)
		cli_note(ctx, "removed old backup %s", path);
}

int cli_backup_dir_ensure(struct cli_ctx *ctx)
{
	if (!ctx->backup_dir || mkdir(ctx->backup_dir, 0700) == 0 ||
		errno == EEXIST)
		return CLI_CONTINUE;
	cli_error(ctx, "cannot create backup directory '%s': %s",
		ctx->backup_dir, strerror(errno));
	cli_hint(ctx, "create it, or change backup_dir in %s",
		ctx->conf_path ? ctx->conf_path : "ferry.conf");
	return CLI_EXIT_FAILED;
}

/* A SQLite file not created yet holds nothing to lose. */
static int database_exists(struct cli_ctx *ctx)
{
	ferry_status *st = NULL;
	int exists = 1;

	if (ferry_status_get(&st, ctx->db, NULL, NULL) == 0)
		exists = st->database_exists;
	ferry_status_free(st);
	return exists;
}

int cli_autobackup(
	struct cli_ctx *ctx, cli_run_fn run, const ferry_up_options *opts)
{
	ferry_backup_options bo = FERRY_BACKUP_OPTIONS_INIT;
	ferry_up_options dry = *opts;
	ferry_report *r = NULL;
	ferry_backup *b = NULL;
	ferry_error err;
	char size[32];
	size_t n;
	int rc;

	/* Trial runs change nothing: nothing to back up for. */
	if ((!ctx->backup && !ctx->backup_dir) || opts->dry_run || opts->check)
		return CLI_CONTINUE;
	/* A dry run says whether there is anything to do; its refusals are
	 * the real run's to report. */
	ferry_error_init(&err);
	dry.dry_run = 1;
	dry.baseline = NULL;
	if (run(&r, ctx->db, ctx->set, &dry, &err) < 0 && !opts->baseline)
		return CLI_CONTINUE;
	/* With --baseline the run writes, if only the baseline's rows. */
	n = opts->baseline ? 1 : ferry_report_count(r);
	ferry_report_free(r);
	if (n == 0 || !database_exists(ctx))
		return CLI_CONTINUE;
	if ((rc = cli_backup_dir_ensure(ctx)) != CLI_CONTINUE)
		return rc;
	cli_backup_options(ctx, &bo);
	if (ferry_backup_create(&b, ctx->db, &bo, &err) < 0) {
		cli_backup_progress_end(ctx);
		return cli_fail(ctx, &err);
	}
	cli_backup_progress_end(ctx);
	cli_format_bytes(size, sizeof(size), (long long)ferry_backup_bytes(b));
	cli_note(ctx, "backup before the run: %s (%s)", ferry_backup_path(b),
		size);
	ferry_backup_free(b);
	/* Old automatic backups beyond backup_keep (0: all stay) go; one
	 * that cannot go stays, and the run goes on. */
	if (ctx->backup_dir && ctx->backup_keep > 0)
		(void)ferry_backup_prune(ctx->db, ctx->backup_dir,
			(size_t)ctx->backup_keep, on_removed, ctx, NULL);
	return CLI_CONTINUE;
}
