/* SPDX-License-Identifier: MIT */
/*
 * cmd_version.c - `ferry version`: which ferry this is.
 */
#include "cli.h"

#include <jansson.h>

static const struct cli_help help = { "version [--json]",
	"Print the version of ferry (also: ferry --version).", NULL };

int cmd_version(int argc, char **argv, struct cli_ctx *ctx)
{
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, NULL, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'version' takes no arguments");
	if (ctx->json)
		return cli_json_print(
			ctx, json_pack("{s:s}", "version", ferry_version()));
	printf("ferry %s\n", ferry_version());
	return CLI_EXIT_OK;
}
