/* SPDX-License-Identifier: MIT */
/*
 * cmd_check.c - `ferry check --release R`: can an application of release R
 * run on this database now? For start-up scripts and health checks.
 */
#include "cli.h"

static const struct cli_help help = { "check --release R [--json]",
	"Exit 0 when an application of release R can run on the database now:\n"
	"every migration of R and of the releases before it is at least up,\n"
	"and no migration of a later release has been finished (its finish\n"
	"section may have dropped what R uses). Exit 3 with the reason when\n"
	"not. Works when the database is newer than these files: the ledger\n"
	"records each migration's release and whether it has a finish section.\n"
	"Reads only.",
	"  ferry check --release 1.1 && exec ./app\n"
	"  ferry check --release 2.0 --json\n" };

int cmd_check(int argc, char **argv, struct cli_ctx *ctx)
{
	const char *release = NULL;
	ferry_error err;
	int npos, rc, code;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("release", 0, &release, "R",
			"the application release to check"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'check' takes no arguments; name the "
			"release with --release %s",
			argv[0]);
	if (!release)
		return cli_usage(ctx, "'check' needs --release R");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	code = ferry_check_release(ctx->db, ctx->set, release, &err);
	if (code < 0 && code != FERRY_ENOTREADY)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		rc = cli_json_print(ctx,
			json_pack("{s:s,s:b,s:o}", "release", release, "ok",
				code == 0, "reason",
				cli_json_str(code ? err.message : NULL)));
		if (rc != CLI_EXIT_OK)
			return rc;
	}
	if (code < 0) {
		if (!ctx->json)
			cli_fail(ctx, &err);
		return CLI_EXIT_NO;
	}
	if (!ctx->quiet && !ctx->json)
		printf("release %s can run on this database\n", release);
	return CLI_EXIT_OK;
}
