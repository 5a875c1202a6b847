/* SPDX-License-Identifier: MIT */
/*
 * params.c - a migration's parameters: site-specific values (a URL, a
 * port) that the operator gives rather than edits into the vendor's SQL.
 *
 * A file declares them (`-- ferry:param NAME [default VALUE]`, parse.c);
 * the database handle holds the values given (ferry_db_set_param: the
 * CLI's --set, FERRY_PARAM_<name>, ferry.conf); when the file is read to
 * run, each declaration is bound to its value, and its SQL is given to the
 * engine with them put in as psql puts its variables: `:NAME` as it is,
 * `:'NAME'` as a quoted literal, `:"NAME"` as a quoted identifier. Only
 * declared names are replaced, and only in the open: not in comments,
 * strings, quoted identifiers or dollar quotes, and not in `::` casts.
 * The checksum stays that of the file's text; the values go into the
 * history, masked where the name says they are secret.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int name_valid(const char *name, size_t n)
{
	size_t i;

	if (n == 0 || n > FERRY__PARAM_NAME_MAX ||
		(name[0] >= '0' && name[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

int ferry_db_set_param(
	ferry_db *db, const char *name, const char *value, ferry_error *err)
{
	char *n, *v;
	size_t i;

	if (!db || !name || !value)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_db_set_param needs db, name and value");
	if (!name_valid(name, strlen(name))) {
		ferry__error_set(err, FERRY_EINVALID,
			"invalid parameter name '%.64s'", name);
		ferry__error_hint(err,
			"a parameter's name is a letter or '_', then letters, "
			"digits and '_', at most %d of them",
			FERRY__PARAM_NAME_MAX);
		return FERRY_EINVALID;
	}
	if (!(v = ferry__strdup(value)))
		return ferry__error_oom(err);
	for (i = 0; i < db->nparams; i++)
		if (strcmp(db->params[i].name, name) == 0) {
			free(db->params[i].value);
			db->params[i].value = v;
			return 0;
		}
	if (FERRY__GROW(db->params, db->aparams, db->nparams + 1, 8) < 0 ||
		!(n = ferry__strdup(name))) {
		free(v);
		return ferry__error_oom(err);
	}
	db->params[db->nparams].name = n;
	db->params[db->nparams++].value = v;
	return 0;
}

void ferry__db_params_free(ferry_db *db)
{
	size_t i;

	for (i = 0; i < db->nparams; i++) {
		free(db->params[i].name);
		free(db->params[i].value);
	}
	free(db->params);
	db->params = NULL;
	db->nparams = db->aparams = 0;
}

/*
 * Binding
 */

typedef struct {
	ferry_db *db;
	const ferry__migration *m;
	ferry__loaded *f;
	ferry_error *err;
} bind_ctx;

static int bind_one(void *payload, const ferry__param_decl *d)
{
	bind_ctx *c = payload;
	ferry__bound_param *b;
	size_t i;

	if (!c->f->params &&
		!(c->f->params = ferry__calloc(
			  FERRY__PARAMS_MAX, sizeof(*c->f->params))))
		return ferry__error_oom(c->err);
	b = &c->f->params[c->f->nparams];
	b->name = d->name;
	b->name_len = d->name_len;
	b->line = d->line;
	for (i = 0; i < c->db->nparams; i++) {
		const char *given = c->db->params[i].name;

		if (strlen(given) == d->name_len &&
			memcmp(given, d->name, d->name_len) == 0) {
			b->value = c->db->params[i].value;
			b->value_len = strlen(b->value);
			c->f->nparams++;
			return 0;
		}
	}
	if (d->has_default) {
		b->value = d->value;
		b->value_len = d->value_len;
		c->f->nparams++;
		return 0;
	}
	ferry__error_set(c->err, FERRY_EINVALID,
		"parameter '%.*s' of migration '%s' has no value",
		(int)d->name_len, d->name, c->m->pub.id);
	ferry__error_hint(c->err,
		"give it with --set %.*s=VALUE, FERRY_PARAM_%.*s=VALUE or "
		"'param.%.*s = VALUE' in ferry.conf, or declare a default",
		(int)d->name_len, d->name, (int)d->name_len, d->name,
		(int)d->name_len, d->name);
	ferry__error_at(c->err, c->m->pub.path, d->line, 1);
	return FERRY_EINVALID;
}

int ferry__params_bind(ferry_db *db, const ferry__migration *m,
	ferry__loaded *f, ferry_error *err)
{
	bind_ctx c = { db, m, f, err };

	free(f->params);
	f->params = NULL;
	f->nparams = 0;
	return ferry__params_each(f->text, f->len, bind_one, &c);
}

/*
 * Putting them in
 */

/* Names that say their value is secret: masked wherever ferry shows it. */
static int secret(const char *name, size_t n)
{
	static const char *const words[] = { "password", "secret", "token" };
	size_t i, j;

	for (i = 0; i < sizeof(words) / sizeof(*words); i++) {
		size_t w = strlen(words[i]);

		for (j = 0; j + w <= n; j++)
			if (strncasecmp(name + j, words[i], w) == 0)
				return 1;
	}
	return 0;
}

static const ferry__bound_param *find(
	const ferry__loaded *f, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < f->nparams; i++)
		if (f->params[i].name_len == n &&
			memcmp(f->params[i].name, name, n) == 0)
			return &f->params[i];
	return NULL;
}

static void put_quoted(ferry__buf *out, const char *v, size_t n, char q)
{
	size_t i;

	ferry__buf_put(out, &q, 1);
	for (i = 0; i < n; i++) {
		if (v[i] == q)
			ferry__buf_put(out, &q, 1);
		ferry__buf_put(out, v + i, 1);
	}
	ferry__buf_put(out, &q, 1);
}

static int bad_use(
	const ferry__src *src, const char *sql, size_t at, ferry_error *err)
{
	int l, c;

	ferry__text_pos(sql, at, &l, &c);
	ferry__error_at(err, src->file, src->line + l - 1,
		l == 1 ? src->column + c - 1 : c);
	return FERRY_EINVALID;
}

int ferry__params_apply(const ferry__loaded *f, const char *sql, size_t len,
	const ferry__src *src, int mask, ferry__buf *out, ferry_error *err)
{
	ferry__lex_cursor lex;
	ferry__lex_span span;
	size_t i = 0, last = 0;
	int replaced = 0;

	out->len = 0;
	if (f->nparams == 0)
		return 0;
	ferry__lex_cursor_init(&lex, sql, len);
	while (i < len) {
		const ferry__bound_param *b;
		size_t start = i, n = 0;
		char q = 0;

		if (sql[i] != ':' &&
			!(sql[i] == '-' && i + 1 < len && sql[i + 1] == '-')) {
			i++;
			continue;
		}
		ferry__lex_at(&lex, i, &span);
		if (span.kind != FERRY__LEX_CODE) {
			i++;
		} else if (sql[i] == '-') {
			/* A line comment, to its end. */
			const char *nl = memchr(sql + i, '\n', len - i);

			i = nl ? (size_t)(nl - sql) + 1 : len;
		} else if (i + 1 < len && sql[i + 1] == ':') {
			i += 2; /* a cast, value::text */
		} else {
			i++;
			if (i < len && (sql[i] == '\'' || sql[i] == '"'))
				q = sql[i++];
			while (i + n < len &&
				(sql[i + n] == '_' ||
					(sql[i + n] >= 'a' &&
						sql[i + n] <= 'z') ||
					(sql[i + n] >= 'A' &&
						sql[i + n] <= 'Z') ||
					(sql[i + n] >= '0' &&
						sql[i + n] <= '9')))
				n++;
			if (!name_valid(sql + i, n) ||
				(q && (i + n >= len || sql[i + n] != q))) {
				i = start + 1;
				continue;
			}
			if (!(b = find(f, sql + i, n))) {
				/* psql leaves :x alone; :'x' is a slip. */
				if (!q) {
					i += n;
					continue;
				}
				ferry__error_set(err, FERRY_EINVALID,
					"parameter '%.*s' is used but not "
					"declared",
					(int)n, sql + i);
				ferry__error_hint(err,
					"declare it in the file with '-- "
					"ferry:param %.*s', or correct the "
					"name",
					(int)n, sql + i);
				return bad_use(src, sql, start, err);
			}
			if (!q && memchr(b->value, ';', b->value_len)) {
				ferry__error_set(err, FERRY_EINVALID,
					"the value of parameter '%.*s' holds "
					"';', which ':%.*s' would put in the "
					"SQL as it is",
					(int)n, sql + i, (int)n, sql + i);
				ferry__error_hint(err,
					"write :'%.*s' for a quoted literal, "
					"or give a value without ';'",
					(int)n, sql + i);
				return bad_use(src, sql, start, err);
			}
			ferry__buf_put(out, sql + last, start - last);
			if (mask && secret(b->name, b->name_len))
				ferry__buf_puts(out,
					q == '\''   ? "'****'"
						: q ? "\"****\""
						    : "****");
			else if (q)
				put_quoted(out, b->value, b->value_len, q);
			else
				ferry__buf_put(out, b->value, b->value_len);
			i += n + (q != 0);
			last = i;
			replaced = 1;
		}
	}
	if (!replaced)
		return 0; /* nothing to put in: run the text as it is */
	ferry__buf_put(out, sql + last, len - last);
	return out->oom ? ferry__error_oom(err) : 1;
}

void ferry__params_note(const ferry__loaded *f, ferry__buf *out)
{
	size_t i;

	for (i = 0; i < f->nparams; i++) {
		const ferry__bound_param *b = &f->params[i];

		ferry__buf_printf(out,
			"%s%.*s=", i ? ", " : "parameters: ", (int)b->name_len,
			b->name);
		if (secret(b->name, b->name_len))
			ferry__buf_puts(out, "****");
		else
			ferry__buf_put(out, b->value, b->value_len);
	}
}
