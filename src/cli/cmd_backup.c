/* SPDX-License-Identifier: MIT */
/*
 * cmd_backup.c - `ferry backup`: a consistent copy of the whole database,
 * to a new file of mode 0600.
 */
#include "cli.h"

#include <stdint.h>
#include <time.h>

static const struct cli_help help = { "backup [-o FILE] [--json]",
	"Write a consistent copy of the whole database to a new file, mode\n"
	"0600, and print its name. SQLite: the online backup API, while the\n"
	"application goes on writing. PostgreSQL: pg_dump's custom format\n"
	"(pg_dump as new as the server, on PATH or in\n"
	"/usr/lib/postgresql/<N>/bin, or in $FERRY_PG_BINDIR); the password\n"
	"goes to it through the environment, never its command line.\n"
	"\n"
	"Without -o the name is <database>-<UTC time>-v<version>.sqlite (or\n"
	".pgdump), in backup_dir of ferry.conf or else here. The file is\n"
	"written beside that name and renamed when whole, and never replaces\n"
	"a file. The ledger travels in the copy: the backup holds the version\n"
	"and release it reports, and 'ferry restore' brings them back. Takes\n"
	"the runner lock, so no migration runs meanwhile.",
	"  ferry backup\n"
	"  ferry backup -o /var/backups/app-before-2.0.sqlite\n"
	"  f=$(ferry -q backup) && ferry up\n" };

static void print_note(struct cli_ctx *ctx, const ferry_backup *b, int64_t ms)
{
	const char *v = ferry_backup_version(b), *rel = ferry_backup_release(b);
	char size[32], took[32];

	cli_format_bytes(size, sizeof(size), (long long)ferry_backup_bytes(b));
	cli_format_ms(took, sizeof(took), (long long)ms);
	if (v)
		cli_note(ctx, "backed up %s at version %s%s%s%s: %s in %s",
			ferry_db_display_url(ctx->db), v,
			rel ? " (release " : "", rel ? rel : "", rel ? ")" : "",
			size, took);
	else
		cli_note(ctx, "backed up %s, no migration applied: %s in %s",
			ferry_db_display_url(ctx->db), size, took);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_backup(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_backup_options o = FERRY_BACKUP_OPTIONS_INIT;
	const char *output = NULL;
	ferry_backup *b = NULL;
	ferry_error err;
	int64_t start;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("output", 'o', &output, "FILE",
			"write to FILE, which must not exist"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'backup' takes no arguments; to name the file, use "
			"-o %s",
			argv[0]);
	if (output && !*output)
		return cli_usage(ctx, "-o needs a file name");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE ||
		(!output && (rc = cli_backup_dir_ensure(ctx)) != CLI_CONTINUE))
		return rc;
	cli_backup_options(ctx, &o);
	o.path = output;
	ferry_error_init(&err);
	start = now_ms();
	rc = ferry_backup_create(&b, ctx->db, &o, &err);
	cli_backup_progress_end(ctx);
	if (rc < 0)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		rc = cli_json_print(ctx,
			json_pack("{s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:I}", "path",
				ferry_backup_path(b), "engine",
				ferry_backup_engine(b), "database",
				ferry_db_display_url(ctx->db), "version",
				cli_json_str(ferry_backup_version(b)),
				"release",
				cli_json_str(ferry_backup_release(b)),
				"applied", (json_int_t)ferry_backup_applied(b),
				"bytes", (json_int_t)ferry_backup_bytes(b),
				"ms", (json_int_t)(now_ms() - start)));
	} else {
		print_note(ctx, b, now_ms() - start);
		printf("%s\n", ferry_backup_path(b));
		rc = CLI_EXIT_OK;
	}
	ferry_backup_free(b);
	return rc;
}
