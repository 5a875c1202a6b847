/* SPDX-License-Identifier: MIT */
/*
 * conf_expand.c - ${VAR} in ferry.conf's values, as a shell and Docker
 * Compose read it: ${VAR} is the variable's value, ${VAR:-default} the
 * default when it is unset or empty, $$ one '$'. Any other '$' is kept,
 * so a password with a '$' in an older file means what it meant. An unset
 * variable with no default is an error at its line and column: an empty
 * password or host would otherwise fail later and further from the cause.
 * In the user info and the query of a postgres:// URI a value is
 * percent-encoded, which libpq decodes: the password stays the password.
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

/* Past the `${...}` at `p`, or NULL when `p` starts none. */
static const char *past_expansion(const char *p)
{
	const char *close;

	if (p[0] != '$' || p[1] != '{' || !(close = strchr(p + 2, '}')))
		return NULL;
	return close + 1;
}

/*
 * In a postgres:// URI, where a value's bytes must be percent-encoded to
 * stay what they are: its user info (before the '@' that ends it) and its
 * query. A password with '@', '/', '?' or '&' pasted raw would move a
 * boundary, and send the rest of itself on as a host name or a key. The
 * places are found in the text as written, outside any ${...}.
 */
struct uri_parts {
	const char *auth, *userinfo_end, *query;
};

static void find_uri_parts(const char *value, struct uri_parts *u)
{
	const char *p, *next;
	int in_path = 0;

	memset(u, 0, sizeof(*u));
	if (strncmp(value, "postgres://", 11) != 0 &&
		strncmp(value, "postgresql://", 13) != 0)
		return;
	u->auth = strstr(value, "://") + 3;
	for (p = u->auth; *p && !u->query; p = next) {
		if ((next = past_expansion(p)) != NULL)
			continue;
		next = p + 1;
		if (*p == '?')
			u->query = p;
		else if (*p == '/')
			in_path = 1;
		else if (*p == '@' && !in_path)
			u->userinfo_end = p;
	}
}

static int needs_encoding(const struct uri_parts *u, const char *at)
{
	return (u->userinfo_end && at >= u->auth && at < u->userinfo_end) ||
		(u->query && at > u->query);
}

/* `s` percent-encoded: all but letters, digits and "-._~". */
static int append_encoded(
	char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int oom = 0;

	for (i = 0; i < n && !oom; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' ||
			c == '_' || c == '~')
			oom = append(buf, len, cap, s + i, 1);
		else
			oom = append(buf, len, cap, e, 3);
	}
	return oom;
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
	struct uri_parts uri;
	int oom = append(&buf, &len, &cap, "", 0);

	find_uri_parts(value, &uri);

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
			oom = needs_encoding(&uri, start)
				? append_encoded(&buf, &len, &cap, v, strlen(v))
				: append(&buf, &len, &cap, v, strlen(v));
		else if (dflt)
			oom = needs_encoding(&uri, start)
				? append_encoded(&buf, &len, &cap, dflt,
					  (size_t)(end - dflt))
				: append(&buf, &len, &cap, dflt,
					  (size_t)(end - dflt));
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
