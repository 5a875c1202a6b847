/* SPDX-License-Identifier: MIT */
/*
 * format_flyway.c - what Flyway reads beside and inside a script: its
 * script configuration file, and placeholders.
 *
 * A script `V2__x.sql` may have `V2__x.sql.conf`, `key=value` lines
 * (Flyway's "Script Configuration"): executeInTransaction (true/false:
 * otherwise Flyway decides from the statements), placeholderReplacement
 * (true/false), encoding, and shouldExecute (Flyway Teams). ferry honours
 * the first two, takes UTF-8 as the encoding, and refuses what it cannot
 * do as Flyway would: another encoding, a shouldExecute expression, a key
 * it does not know. The file is read again with the script at run time
 * (format_read.c), so a changed setting is a changed migration.
 *
 * Placeholders, `${name}`, are replaced by Flyway in every script unless
 * placeholderReplacement is false (and an unknown one fails the run):
 * ferry puts in none, so a script holding one is refused where it is.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int conf_error(ferry__buf *path, int line, const char *what,
	const char *hint, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID, "%s", what);
	ferry__error_hint(err, "%s", hint);
	ferry__error_at(err, ferry__buf_cstr(path), line, 1);
	ferry__buf_release(path);
	return FERRY_EINVALID;
}

/* "true" or "false", any case: 1 or 0; else -1. */
static int boolean(const char *v, size_t n)
{
	if (n == 4 && strncasecmp(v, "true", 4) == 0)
		return 1;
	if (n == 5 && strncasecmp(v, "false", 5) == 0)
		return 0;
	return -1;
}

static void trim(const char **p, const char **end)
{
	while (*p < *end && isspace((unsigned char)**p))
		(*p)++;
	while (*end > *p && isspace((unsigned char)(*end)[-1]))
		(*end)--;
}

static int is(const char *p, const char *end, const char *s)
{
	return (size_t)(end - p) == strlen(s) && memcmp(p, s, strlen(s)) == 0;
}

/* One `key=value` line of the file at `path`. */
static int conf_line(ferry__flyway_conf *out, const char *p, const char *end,
	ferry__buf *path, int line, ferry_error *err)
{
	const char *eq = memchr(p, '=', (size_t)(end - p)), *k = p, *ke;
	const char *v, *ve = end;
	int b;

	if (!eq)
		return conf_error(path, line,
			"a script configuration line without '='",
			"write key=value, e.g. executeInTransaction=false",
			err);
	ke = eq;
	v = eq + 1;
	trim(&k, &ke);
	trim(&v, &ve);
	if (is(k, ke, "executeInTransaction") ||
		is(k, ke, "placeholderReplacement")) {
		if ((b = boolean(v, (size_t)(ve - v))) < 0)
			return conf_error(path, line,
				"a script configuration value that is not "
				"true or false",
				"write true or false", err);
		if (*k == 'e')
			out->in_transaction = b;
		else
			out->placeholders = b;
		return 0;
	}
	if (is(k, ke, "encoding")) {
		if ((ve - v == 5 && strncasecmp(v, "UTF-8", 5) == 0) ||
			(ve - v == 4 && strncasecmp(v, "UTF8", 4) == 0))
			return 0;
		return conf_error(path, line,
			"a script in an encoding other than UTF-8",
			"convert the script to UTF-8: ferry reads its bytes as "
			"they are",
			err);
	}
	if (is(k, ke, "shouldExecute"))
		return conf_error(path, line,
			"shouldExecute, which ferry cannot evaluate",
			"remove the script from the set where it must not run: "
			"ferry runs every script it reads",
			err);
	return conf_error(path, line, "an unknown script configuration setting",
		"Flyway's are executeInTransaction, placeholderReplacement, "
		"encoding and shouldExecute",
		err);
}

int ferry__flyway_conf_read(
	const char *script, ferry__flyway_conf *out, ferry_error *err)
{
	ferry__buf path = FERRY__BUF_INIT;
	struct stat st;
	const char *p, *end;
	char *text;
	size_t len;
	int rc = 0, line = 0;

	out->in_transaction = -1;
	out->placeholders = 1;
	ferry__buf_puts(&path, script);
	ferry__buf_puts(&path, ".conf");
	if (path.oom)
		return ferry__error_oom(err);
	if (lstat(path.buf, &st) < 0 && errno == ENOENT) {
		ferry__buf_release(&path);
		return 0;
	}
	if ((rc = ferry__read_file(path.buf, &text, &len, err)) < 0) {
		ferry__buf_release(&path);
		return rc;
	}
	for (p = text, end = text + len; rc == 0 && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *q = p;

		line++;
		trim(&q, &eol);
		if (q < eol && *q != '#' && *q != '!')
			rc = conf_line(out, q, eol, &path, line, err);
		p = nl ? nl + 1 : end;
	}
	free(text);
	if (rc == 0)
		ferry__buf_release(&path);
	return rc;
}

int ferry__flyway_placeholder(
	const char *text, size_t len, const char *path, ferry_error *err)
{
	const char *p = text, *end = text + len;
	int line, col;

	while ((p = memchr(p, '$', (size_t)(end - p))) != NULL) {
		const char *q = p + 2;

		if (p + 1 >= end || p[1] != '{') {
			p++;
			continue;
		}
		while (q < end &&
			(isalnum((unsigned char)*q) || *q == '_' || *q == ':' ||
				*q == '.' || *q == '-'))
			q++;
		if (q == p + 2 || q >= end || *q != '}') {
			p++;
			continue;
		}
		ferry__text_pos(text, (size_t)(p - text), &line, &col);
		ferry__error_set(err, FERRY_EINVALID,
			"Flyway placeholder '%.*s', which ferry does not replace",
			(int)(q - p + 1 > 64 ? 64 : q - p + 1), p);
		ferry__error_hint(err,
			"write the value into the script, or set "
			"placeholderReplacement=false in its .conf file if "
			"the text is meant as it is");
		ferry__error_at(err, path, line, col);
		return FERRY_EINVALID;
	}
	return 0;
}
