/* SPDX-License-Identifier: MIT */
/*
 * cmd_version.c - `ferry version`: which ferry this is, and what it runs
 * on: the SQLite and libpq it meets at run time and how it was built, the
 * lines a bug report needs.
 */
#include "cli.h"

#include <jansson.h>

static const struct cli_help help = { "version [--json]",
	"Print the version of ferry (also: ferry --version, ferry -V), the\n"
	"SQLite and libpq versions it runs with, and how it was built.",
	NULL };

/* 160004 as "16.4"; before PostgreSQL 10, 90624 as "9.6.24". */
static void libpq_text(char *buf, size_t size, int v)
{
	if (v <= 0)
		snprintf(buf, size, "not found");
	else if (v >= 100000)
		snprintf(buf, size, "%d.%d", v / 10000, v % 10000);
	else
		snprintf(buf, size, "%d.%d.%d", v / 10000, v / 100 % 100,
			v % 100);
}

int cmd_version(int argc, char **argv, struct cli_ctx *ctx)
{
	char pq[32];
	int npos, rc, pqv;

	if ((rc = cli_parse(ctx, &help, NULL, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'version' takes no arguments");
	pqv = ferry_libpq_version();
	libpq_text(pq, sizeof(pq), pqv);
	if (ctx->json)
		return cli_json_print(ctx,
			json_pack("{s:s,s:s,s:o,s:s}", "version",
				ferry_version(), "sqlite",
				ferry_sqlite_version(), "libpq",
				pqv > 0 ? json_string(pq) : json_null(),
				"build", ferry_build()));
	printf("ferry %s\n", ferry_version());
	printf("sqlite %s\n", ferry_sqlite_version());
	printf("libpq %s\n", pq);
	printf("build %s\n", ferry_build());
	return CLI_EXIT_OK;
}
