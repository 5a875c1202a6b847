/* SPDX-License-Identifier: MIT */
/*
 * autobackup.c - backups the CLI takes by itself: before `up`, `finish`
 * and `migrate` change anything, when `--backup` or `backup_dir` in
 * ferry.conf asks for them, and only when the run has something to do.
 * Old automatic backups in that directory beyond `backup_keep` go, oldest
 * first; files ferry did not name are never touched. Also the options
 * `backup` and `restore` share.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* "<db>-YYYYMMDDTHHMMSSZ-v<digits>[-<digits>].<ext>", of this prefix. */
static int ours(const char *name, const char *prefix, const char *ext)
{
	size_t np = strlen(prefix), ne = strlen(ext), n = strlen(name), i;
	const char *p;

	if (n < np + 16 + 3 + ne || strncmp(name, prefix, np) != 0 ||
		strcmp(name + n - ne, ext) != 0)
		return 0;
	p = name + np;
	for (i = 0; i < 16; i++) {
		int digit = p[i] >= '0' && p[i] <= '9';

		if (i == 8 ? p[i] != 'T' : i == 15 ? p[i] != 'Z' : !digit)
			return 0;
	}
	p += 16;
	if (strncmp(p, "-v", 2) != 0)
		return 0;
	for (p += 2; p < name + n - ne; p++)
		if ((*p < '0' || *p > '9') && *p != '-')
			return 0;
	return 1;
}

struct old_backup {
	char *path;
	char when[17]; /* YYYYMMDDTHHMMSSZ */
	struct timespec mtime;
};

/* Oldest first: by the time in the name, then (same second) on disk. */
static int by_age(const void *pa, const void *pb)
{
	const struct old_backup *a = pa, *b = pb;
	int c = strcmp(a->when, b->when);

	if (c)
		return c;
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec < b->mtime.tv_sec ? -1 : 1;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec < b->mtime.tv_nsec ? -1 : 1;
	return strcmp(a->path, b->path);
}

/*
 * Keep the `keep` newest automatic backups of this database in the
 * directory of `path`, which is the newest.
 */
static void prune(struct cli_ctx *ctx, const char *path, int keep)
{
	const char *slash = strrchr(path, '/'), *base, *dash, *dot;
	char *dir, *prefix, *ext;
	struct old_backup *v = NULL;
	size_t n = 0, alloc = 0, i;
	struct dirent *e;
	DIR *d;

	if (keep <= 0)
		return;
	base = slash ? slash + 1 : path;
	dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	dot = strrchr(base, '.');
	/* The prefix ends before the time: "<db>-" */
	dash = dot ? dot : base + strlen(base);
	while (dash > base &&
		!(dash[0] == '-' && dash[1] >= '0' && dash[1] <= '9' &&
			dash[9] == 'T'))
		dash--;
	prefix = strndup(base, (size_t)(dash - base) + 1);
	ext = strdup(dot ? dot : "");
	if (!dir || !prefix || !ext || dash == base || !(d = opendir(dir))) {
		free(dir);
		free(prefix);
		free(ext);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (!ours(e->d_name, prefix, ext))
			continue;
		if (n == alloc) {
			struct old_backup *grown = realloc(v,
				(alloc = alloc ? alloc * 2 : 16) * sizeof(*v));

			if (!grown)
				break;
			v = grown;
		}
		p = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (!p)
			break;
		sprintf(p, "%s/%s", dir, e->d_name);
		if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		v[n].path = p;
		memcpy(v[n].when, e->d_name + strlen(prefix), 16);
		v[n].when[16] = '\0';
		v[n].mtime = st.st_mtim;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), by_age);
	for (i = 0; n > (size_t)keep && i < n - (size_t)keep; i++)
		if (unlink(v[i].path) == 0 && ctx->verbose)
			cli_note(ctx, "removed old backup %s", v[i].path);
	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
	free(dir);
	free(prefix);
	free(ext);
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
	if (ctx->backup_dir)
		prune(ctx, ferry_backup_path(b), ctx->backup_keep);
	ferry_backup_free(b);
	return CLI_CONTINUE;
}
