/* SPDX-License-Identifier: MIT */
/*
 * cmd_new.c - `ferry new NAME`: a new migration file from the template.
 */
#include "cli.h"

#include <string.h>

static const struct cli_help help = { "new NAME [--seq] [--json]",
	"Write a new migration file NAME into the migration directory and\n"
	"print its path. The version is the current UTC time (YYYYMMDDHHMMSS),\n"
	"or with --seq the next number. NAME has letters, digits, '_' and '-'.\n"
	"The file has an up and a down section; add '-- ferry:finish' for what\n"
	"must wait until the previous release is gone.",
	"  ferry new add_users\n  ferry new --seq add_orders\n" };

int cmd_new(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_error err;
	char *path = NULL;
	int npos, rc, seq = 0;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("seq", 0, &seq,
			"number it after the newest file (0001, 0002, ...) "
			"instead of a UTC timestamp"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos != 1)
		return cli_usage(ctx,
			npos ? "'new' takes one name"
			     : "'new' needs a name, e.g. 'ferry new add_users'");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_migration_new(
		    &path, ctx->migrations_dir, argv[0], seq, &err) < 0)
		return cli_fail(ctx, &err);
	if (ctx->json)
		rc = cli_json_print(ctx, json_pack("{s:s}", "path", path));
	else
		rc = printf("%s\n", path) < 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
	ferry_free(path);
	return rc;
}
