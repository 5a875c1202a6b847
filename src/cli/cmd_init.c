/* SPDX-License-Identifier: MIT */
/*
 * cmd_init.c - `ferry init`: a migration directory and a commented
 * ferry.conf, leaving alone whatever already exists.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cli_help help = {
	"init [--dir DIR] [--config FILE] [-d URL] [--json]",
	"Create the migration directory (default: migrations) and a commented\n"
	"ferry.conf beside it. Whatever already exists is left as it is. With\n"
	"-d, the database URL is written into ferry.conf (not when it holds a\n"
	"password: use DATABASE_URL for those).",
	"  ferry init\n  ferry init -d sqlite:app.db\n"
};

static const char conf_head[] =
	"# ferry.conf - settings for ferry. Command-line flags and the\n"
	"# environment (DATABASE_URL, FERRY_DIR, FERRY_TABLE, FERRY_SCHEMA,\n"
	"# FERRY_LOCK_TIMEOUT) take precedence over this file. Relative paths\n"
	"# are read from this file's directory.\n"
	"\n"
	"# The database: sqlite:app.db, a path ending in .db, or\n"
	"# postgres://user@host:5432/dbname (keep passwords in DATABASE_URL or\n"
	"# ~/.pgpass rather than here).\n";

static const char conf_tail[] =
	"\n"
	"# The directory of migration files.\n"
	"dir = %s\n"
	"\n"
	"# The ledger table, and the PostgreSQL schema that holds it.\n"
	"# table = ferry_migrations\n"
	"# schema = public\n"
	"\n"
	"# Seconds to wait while another ferry works on the same database.\n"
	"# lock_timeout = 60\n"
	"\n"
	"# Values may use ${VAR} and ${VAR:-default}; $$ is one '$'. An\n"
	"# [env.NAME] section overrides the keys above when chosen with\n"
	"# --env NAME or FERRY_ENV=NAME:\n"
	"# [env.production]\n"
	"# database = postgres://app@db.internal/app\n";

static int write_conf(struct cli_ctx *ctx, const char *path, const char *dir)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	char *masked;
	FILE *f;
	int ok;

	if (fd < 0 && errno == EEXIST) {
		struct stat st;

		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
		cli_error(ctx, "'%s' exists and is not a file", path);
		cli_hint(ctx,
			"move it away, or name another file with --config");
		return -CLI_EXIT_USAGE;
	}
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		cli_error(ctx, "cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -CLI_EXIT_FAILED;
	}
	fputs(conf_head, f);
	masked = ctx->database ? ferry_url_mask(ctx->database) : NULL;
	if (masked && strcmp(masked, ctx->database) == 0)
		fprintf(f, "database = %s\n", ctx->database);
	else
		fputs("# database = sqlite:app.db\n", f);
	ferry_free(masked);
	fprintf(f, conf_tail, dir);
	ok = fclose(f) == 0;
	if (!ok) {
		cli_error(ctx, "cannot write '%s': %s", path, strerror(errno));
		return -CLI_EXIT_FAILED;
	}
	return 1;
}

/* mkdir -p: the directory and any parents; 1 if it was made, 0 if there. */
static int make_dirs(struct cli_ctx *ctx, const char *dir)
{
	char path[4096];
	struct stat st;
	char *p;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		cli_error(ctx, "'%s' exists and is not a directory", dir);
		cli_hint(ctx,
			"move it away, or name another directory with --dir");
		return -CLI_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			break;
		*p = '/';
	}
	if (mkdir(dir, 0755) == 0)
		return 1;
	cli_error(
		ctx, "cannot create directory '%s': %s", dir, strerror(errno));
	return -CLI_EXIT_FAILED;
}

/*
 * What to write as `dir =`: ferry.conf reads it from its own directory, so
 * the path relative to that directory when it lies below it, else the
 * absolute path. Both exist by now, so their real paths compare.
 */
static char *dir_for_conf(const char *conf, const char *dir)
{
	char *copy = strdup(conf), *base, *real_dir = realpath(dir, NULL);
	char *out = NULL;
	size_t n;

	base = copy ? realpath(dirname(copy), NULL) : NULL;
	if (base && real_dir) {
		n = strlen(base);
		if (strncmp(real_dir, base, n) == 0 && real_dir[n] == '/')
			out = strdup(real_dir + n + 1);
		else
			out = strdup(real_dir);
	}
	free(copy);
	free(base);
	free(real_dir);
	return out;
}

int cmd_init(int argc, char **argv, struct cli_ctx *ctx)
{
	const char *conf;
	char *in_conf;
	int npos, rc, made_dir, made_conf;

	if ((rc = cli_parse(ctx, &help, NULL, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'init' takes no arguments");
	conf = ctx->config ? ctx->config : "ferry.conf";
	/* The directory other commands will read: flag, FERRY_DIR, the dir
	 * of an existing ferry.conf, else migrations/ beside ferry.conf. */
	ctx->config_optional = 1;
	if ((rc = cli_settings(ctx)) != CLI_CONTINUE)
		return rc;
	if ((made_dir = make_dirs(ctx, ctx->migrations_dir)) < 0)
		return -made_dir;
	if (strrchr(conf, '/') && strrchr(conf, '/') != conf) {
		char parent[4096];

		snprintf(parent, sizeof(parent), "%.*s",
			(int)(strrchr(conf, '/') - conf), conf);
		if ((rc = make_dirs(ctx, parent)) < 0)
			return -rc;
	}
	if (!(in_conf = dir_for_conf(conf, ctx->migrations_dir))) {
		cli_error(ctx, "cannot resolve '%s': %s", ctx->migrations_dir,
			strerror(errno));
		return CLI_EXIT_FAILED;
	}
	made_conf = write_conf(ctx, conf, in_conf);
	free(in_conf);
	if (made_conf < 0)
		return -made_conf;
	if (ctx->json)
		return cli_json_print(ctx,
			json_pack("{s:s,s:b,s:s,s:b}", "dir",
				ctx->migrations_dir, "dir_created", made_dir,
				"config", conf, "config_created", made_conf));
	if (!ctx->quiet) {
		printf("%s %s/\n", made_dir ? "created" : "exists ",
			ctx->migrations_dir);
		printf("%s %s\n", made_conf ? "created" : "exists ", conf);
		if (made_dir)
			printf("next: ferry new create_first_table\n");
	}
	return CLI_EXIT_OK;
}
