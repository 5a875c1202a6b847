/* SPDX-License-Identifier: MIT */
/*
 * conf_expand.c - ${VAR} in ferry.conf's values, as a shell and Docker
 * Compose read it: ${VAR} is the variable's value, ${VAR:-default} the
 * default when it is unset or empty, $$ one '$'. Any other '$' is kept,
 * so a password with a '$' in an older file means what it meant. An unset
 * variable with no default is an error at its line and column: an empty
 * password or host would otherwise fail later and further from the cause.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = (*len + n + 1) * 2;
		char *b = realloc(*buf, c);

		if (!b)
			return -1;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static int name_char(char c, int first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(!first && c >= '0' && c <= '9');
}

int cli_conf_expand(struct cli_ctx *ctx, const char *path, int line, int column,
	const char *value, char **out)
{
	char *buf = NULL, name[128];
	size_t len = 0, cap = 0, n;
	const char *p = value;
	int oom = append(&buf, &len, &cap, "", 0);

	while (*p && !oom) {
		const char *start = p, *end, *dflt = NULL, *v;

		if (p[0] == '$' && p[1] == '$') {
			oom = append(&buf, &len, &cap, "$", 1);
			p += 2;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			oom = append(&buf, &len, &cap, p, 1);
			p++;
			continue;
		}
		for (n = 0; name_char(p[2 + n], n == 0); n++)
			;
		end = p + 2 + n;
		if (end[0] == ':' && end[1] == '-') {
			dflt = end + 2;
			end = strchr(dflt, '}');
		}
		if (n == 0 || n >= sizeof(name) || !end || *end != '}') {
			free(buf);
			cli_error(ctx, "%s:%d:%d: invalid '${' in a value",
				path, line, column + (int)(start - value));
			cli_hint(ctx,
				"write ${NAME} or ${NAME:-default}, NAME letters, "
				"digits and '_'; $$ is one '$'");
			return CLI_EXIT_USAGE;
		}
		memcpy(name, p + 2, n);
		name[n] = '\0';
		v = getenv(name);
		if (v && *v)
			oom = append(&buf, &len, &cap, v, strlen(v));
		else if (dflt)
			oom = append(
				&buf, &len, &cap, dflt, (size_t)(end - dflt));
		else {
			free(buf);
			cli_error(ctx,
				"%s:%d:%d: environment variable '%s' is not "
				"set",
				path, line, column + (int)(start - value),
				name);
			cli_hint(ctx,
				"set it, or give a default: ${%s:-VALUE}; $$ "
				"is one '$'",
				name);
			return CLI_EXIT_USAGE;
		}
		p = end + 1;
	}
	if (oom) {
		free(buf);
		cli_error(ctx, "out of memory");
		return CLI_EXIT_FAILED;
	}
	*out = buf;
	return CLI_CONTINUE;
}
