/* SPDX-License-Identifier: MIT */
/*
 * params.c - the values of migration parameters, from ferry.conf
 * (`param.NAME = VALUE`), the environment (FERRY_PARAM_NAME) and --set
 * NAME=VALUE, in that order so that a flag beats the environment, which
 * beats the file; handed to the library with ferry_db_set_param().
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

/* A letter or '_', then letters, digits and '_': as the library says. */
static int name_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || (*p >= '0' && *p <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!(p[i] == '_' || (p[i] >= 'a' && p[i] <= 'z') ||
			    (p[i] >= 'A' && p[i] <= 'Z') ||
			    (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return 1;
}

int cli_params_conf(struct cli_ctx *ctx, const char *path, int line,
	const char *name, const char *value)
{
	char **v, *kv;
	size_t n = strlen(name);

	if (!name_ok(name, n)) {
		cli_error(ctx, "%s:%d: invalid parameter name '%s'", path, line,
			name);
		cli_hint(ctx,
			"write 'param.NAME = VALUE', NAME a letter or '_', "
			"then letters, digits and '_'");
		return CLI_EXIT_USAGE;
	}
	v = realloc(ctx->conf_params,
		(ctx->nconf_params + 1) * sizeof(*ctx->conf_params));
	kv = malloc(n + strlen(value) + 2);
	if (v)
		ctx->conf_params = v;
	if (!v || !kv) {
		free(kv);
		cli_error(ctx, "out of memory");
		return CLI_EXIT_FAILED;
	}
	memcpy(kv, name, n);
	kv[n] = '=';
	memcpy(kv + n + 1, value, strlen(value) + 1);
	ctx->conf_params[ctx->nconf_params++] = kv;
	return CLI_CONTINUE;
}

void cli_params_free(struct cli_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nconf_params; i++)
		free(ctx->conf_params[i]);
	free(ctx->conf_params);
	free(ctx->params.v);
}

/* "NAME=VALUE" to the database handle; `from` names where it came from. */
static int give(struct cli_ctx *ctx, const char *kv, const char *from)
{
	const char *eq = strchr(kv, '=');
	ferry_error err;
	char name[64];

	if (!eq || !name_ok(kv, (size_t)(eq - kv)))
		return cli_usage(ctx,
			"%s needs NAME=VALUE, NAME a letter or '_', then "
			"letters, digits and '_': '%.*s'",
			from, eq ? (int)(eq - kv) : 64, kv);
	memcpy(name, kv, (size_t)(eq - kv));
	name[eq - kv] = '\0';
	ferry_error_init(&err);
	if (ferry_db_set_param(ctx->db, name, eq + 1, &err) < 0)
		return cli_fail(ctx, &err);
	return CLI_CONTINUE;
}

int cli_params_apply(struct cli_ctx *ctx)
{
	static const char prefix[] = "FERRY_PARAM_";
	char **e;
	size_t i;
	int rc = CLI_CONTINUE;

	for (i = 0; rc == CLI_CONTINUE && i < ctx->nconf_params; i++)
		rc = give(ctx, ctx->conf_params[i], "param.NAME in ferry.conf");
	for (e = environ; rc == CLI_CONTINUE && e && *e; e++)
		if (strncmp(*e, prefix, sizeof(prefix) - 1) == 0)
			rc = give(ctx, *e + sizeof(prefix) - 1,
				"FERRY_PARAM_NAME");
	for (i = 0; rc == CLI_CONTINUE && i < ctx->params.n; i++)
		rc = give(ctx, ctx->params.v[i], "--set");
	return rc;
}
