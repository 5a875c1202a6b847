/* SPDX-License-Identifier: MIT */
/*
 * created.c - the objects a run of migrations leaves behind, read from
 * their statements, and which of them a database lacks: `stamp` records
 * migrations as run without running them, so it first checks that what
 * they would have made is there.
 *
 * Only the statement's first words are read: CREATE adds an object,
 * DROP takes it away, ALTER ... RENAME TO and SET SCHEMA move it. Where a
 * statement is not understood, nothing is required of the database: a
 * check that refused a correct stamp would teach users --no-verify. So a
 * name is matched loosely (an unqualified DROP or an unqualified index
 * matches in any schema), and what a DO block or a function creates is
 * not seen.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 64

/* Kinds as the drivers' object_exists_sql names them. */
enum {
	OBJ_TABLE,
	OBJ_VIEW,
	OBJ_MATVIEW,
	OBJ_INDEX,
	OBJ_SEQUENCE,
	OBJ_TYPE,
	OBJ_FUNCTION,
	OBJ_TRIGGER,
	OBJ_SCHEMA,
	OBJ_NONE
};

static const char *const kind_names[] = { "table", "view", "materialized view",
	"index", "sequence", "type", "function", "trigger", "schema" };

typedef struct {
	const ferry__tok *t;
	int n;
	int i;
	ferry__dialect dialect;
} reader;

static int is_word(const reader *r, int i, const char *w)
{
	return i < r->n && r->t[i].type == FERRY__TOK_WORD &&
		strlen(w) == r->t[i].len &&
		strncasecmp(r->t[i].s, w, r->t[i].len) == 0;
}

static int accept(reader *r, const char *w)
{
	if (!is_word(r, r->i, w))
		return 0;
	r->i++;
	return 1;
}

static int is_punct(const reader *r, int i, char c)
{
	return i < r->n && r->t[i].type == FERRY__TOK_PUNCT &&
		r->t[i].len == 1 && r->t[i].s[0] == c;
}

/* A name as the engine stores it: PostgreSQL folds an unquoted one to
 * lower case; SQLite compares without case, so both are folded there. */
static char *fold(const ferry__tok *t, ferry__dialect dialect)
{
	const char *s = t->s;
	size_t len = t->len, i, o = 0;
	char *out, q = 0;

	if (t->type == FERRY__TOK_QUOTED && len >= 2) {
		q = *s == '[' ? ']' : *s;
		s++;
		len -= 2;
	}
	if (!(out = malloc(len + 1)))
		return NULL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (q && c == q && i + 1 < len && s[i + 1] == q)
			i++;
		else if ((!q || dialect == FERRY__DIALECT_SQLITE) && c >= 'A' &&
			c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

static int is_ident(const reader *r, int i)
{
	return i < r->n &&
		(r->t[i].type == FERRY__TOK_WORD ||
			r->t[i].type == FERRY__TOK_QUOTED);
}

/*
 * [catalog.][schema.]name at the reader: its last two parts' token
 * indexes (-1 for no schema). 0 if there is no name there.
 */
static int read_name(reader *r, int *schema, int *name)
{
	if (!is_ident(r, r->i))
		return 0;
	*schema = -1;
	*name = r->i++;
	while (is_punct(r, r->i, '.') && is_ident(r, r->i + 1)) {
		*schema = *name;
		*name = r->i + 1;
		r->i += 2;
	}
	return 1;
}

/* Skip a parenthesised group at the reader, if there is one. */
static void skip_group(reader *r)
{
	int depth = 0;

	if (!is_punct(r, r->i, '('))
		return;
	for (; r->i < r->n; r->i++) {
		if (is_punct(r, r->i, '('))
			depth++;
		else if (is_punct(r, r->i, ')') && --depth == 0) {
			r->i++;
			return;
		}
	}
}

/* The kind named at the reader, its words consumed. */
static int read_kind(reader *r)
{
	static const struct {
		const char *word;
		int kind;
	} words[] = { { "table", OBJ_TABLE }, { "view", OBJ_VIEW },
		{ "index", OBJ_INDEX }, { "sequence", OBJ_SEQUENCE },
		{ "type", OBJ_TYPE }, { "domain", OBJ_TYPE },
		{ "function", OBJ_FUNCTION }, { "procedure", OBJ_FUNCTION },
		{ "trigger", OBJ_TRIGGER }, { "schema", OBJ_SCHEMA } };
	size_t k;

	if (accept(r, "materialized"))
		return accept(r, "view") ? OBJ_MATVIEW : OBJ_NONE;
	for (k = 0; k < sizeof(words) / sizeof(*words); k++)
		if (accept(r, words[k].word))
			return words[k].kind;
	return OBJ_NONE;
}

static int same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Does `o` go by the name `schema`.`name` (schema NULL: any)? */
static int named(
	const ferry__created_obj *o, const char *schema, const char *name)
{
	return same(o->name, name) &&
		(!schema || !o->schema || same(o->schema, schema));
}

static void obj_clear(ferry__created_obj *o)
{
	free(o->schema);
	free(o->name);
	free(o->on);
	memset(o, 0, sizeof(*o));
}

/* Remove the i-th object, keeping the others in the order they came. */
static void remove_at(ferry__created *c, size_t i)
{
	obj_clear(&c->v[i]);
	memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*c->v));
	c->n--;
}

/* Everything an object of `kind` named so takes with it when dropped. */
static void forget(
	ferry__created *c, int kind, const char *schema, const char *name)
{
	size_t i = 0;

	while (i < c->n) {
		ferry__created_obj *o = &c->v[i];
		int gone = o->kind == kind && named(o, schema, name);

		if (kind == OBJ_TABLE &&
			(o->kind == OBJ_INDEX || o->kind == OBJ_TRIGGER))
			gone = same(o->on, name);
		if (kind == OBJ_SCHEMA)
			gone = gone || same(o->schema, name);
		if (gone)
			remove_at(c, i);
		else
			i++;
	}
}

typedef struct {
	ferry__created *c;
	reader r;
	const ferry__migration *m;
	int line;
} stmt_ctx;

/* Fold tokens `schema` (or -1) and `name` into new strings. */
static int fold_pair(
	const stmt_ctx *s, int schema, int name, char **sch, char **nm)
{
	*sch = NULL;
	*nm = fold(&s->r.t[name], s->r.dialect);
	if (schema >= 0)
		*sch = fold(&s->r.t[schema], s->r.dialect);
	if (!*nm || (schema >= 0 && !*sch)) {
		free(*sch);
		free(*nm);
		*sch = *nm = NULL;
		return FERRY_ENOMEM;
	}
	return 0;
}

static int add(stmt_ctx *s, int kind, int schema, int name, int on)
{
	ferry__created *c = s->c;
	ferry__created_obj o;
	size_t i;

	memset(&o, 0, sizeof(o));
	if (fold_pair(s, schema, name, &o.schema, &o.name) < 0 ||
		(on >= 0 && !(o.on = fold(&s->r.t[on], s->r.dialect)))) {
		obj_clear(&o);
		return FERRY_ENOMEM;
	}
	/* "" is no name a database keeps (PostgreSQL refuses it). */
	if (!*o.name || (o.schema && !*o.schema)) {
		obj_clear(&o);
		return 0;
	}
	o.kind = kind;
	o.migration = s->m;
	o.line = s->line;
	for (i = 0; i < c->n; i++)
		if (c->v[i].kind == kind && same(c->v[i].name, o.name) &&
			(c->v[i].schema == o.schema ||
				same(c->v[i].schema, o.schema))) {
			obj_clear(&o);
			return 0;
		}
	if (FERRY__GROW(c->v, c->alloc, c->n + 1, 16) < 0) {
		obj_clear(&o);
		return FERRY_ENOMEM;
	}
	c->v[c->n++] = o;
	return 0;
}

/* The table after the first top-level ON at or after the reader. */
static int on_table(reader *r)
{
	int schema, name;

	while (r->i < r->n && !is_word(r, r->i, "on"))
		r->i++;
	if (!accept(r, "on"))
		return -1;
	(void)accept(r, "only");
	return read_name(r, &schema, &name) ? name : -1;
}

static int read_create(stmt_ctx *s)
{
	reader *r = &s->r;
	int kind, temp = 0, schema, name, on = -1;

	(void)(accept(r, "or") && accept(r, "replace"));
	while (accept(r, "global") || accept(r, "local") ||
		accept(r, "unlogged") || accept(r, "unique") ||
		accept(r, "recursive") || accept(r, "constraint") ||
		accept(r, "virtual"))
		;
	if (accept(r, "temp") || accept(r, "temporary"))
		temp = 1;
	if ((kind = read_kind(r)) == OBJ_NONE || temp)
		return 0;
	(void)accept(r, "concurrently");
	(void)(accept(r, "if") && accept(r, "not") && accept(r, "exists"));
	/* CREATE INDEX ON t (...) names no index; CREATE SCHEMA
	 * AUTHORIZATION role names the schema after the role. */
	if (is_word(r, r->i, "on") || is_word(r, r->i, "authorization") ||
		!read_name(r, &schema, &name))
		return 0;
	if (kind == OBJ_INDEX || kind == OBJ_TRIGGER)
		on = on_table(r);
	return add(s, kind, schema, name, on);
}

static int read_drop(stmt_ctx *s)
{
	reader *r = &s->r;
	int kind, schema, name, rc;
	char *sch, *nm;

	if ((kind = read_kind(r)) == OBJ_NONE)
		return 0;
	(void)accept(r, "concurrently");
	(void)(accept(r, "if") && accept(r, "exists"));
	while (read_name(r, &schema, &name)) {
		if ((rc = fold_pair(s, schema, name, &sch, &nm)) < 0)
			return rc;
		forget(s->c, kind, sch, nm);
		free(sch);
		free(nm);
		skip_group(r);
		if (!is_punct(r, r->i, ','))
			break;
		r->i++;
	}
	return 0;
}

/* ALTER kind name RENAME TO new / SET SCHEMA s: the object moves. */
static int read_alter(stmt_ctx *s)
{
	reader *r = &s->r;
	int kind, schema, name, to_schema = -1, to_name, rc;
	char *sch, *nm;
	size_t i;

	if ((kind = read_kind(r)) == OBJ_NONE)
		return 0;
	(void)(accept(r, "if") && accept(r, "exists"));
	(void)accept(r, "only");
	if (!read_name(r, &schema, &name))
		return 0;
	skip_group(r);
	if (kind == OBJ_TRIGGER)
		(void)on_table(r);
	if (accept(r, "rename") && accept(r, "to") && is_ident(r, r->i))
		to_name = r->i;
	else if (accept(r, "set") && accept(r, "schema") && is_ident(r, r->i)) {
		to_schema = r->i;
		to_name = name;
	} else
		return 0;
	if ((rc = fold_pair(s, schema, name, &sch, &nm)) < 0)
		return rc;
	for (i = 0; i < s->c->n && rc == 0; i++) {
		ferry__created_obj *o = &s->c->v[i];
		char *now;

		if (kind == OBJ_TABLE && same(o->on, nm) && to_schema < 0) {
			if (!(now = fold(&r->t[to_name], r->dialect)))
				rc = FERRY_ENOMEM;
			free(o->on);
			o->on = now;
		}
		if (o->kind != kind || !named(o, sch, nm))
			continue;
		now = fold(&r->t[to_schema >= 0 ? to_schema : to_name],
			r->dialect);
		if (!now) {
			rc = FERRY_ENOMEM;
		} else if (!*now) {
			free(now); /* not a name: left as it was */
		} else if (to_schema >= 0) {
			free(o->schema);
			o->schema = now;
		} else {
			free(o->name);
			o->name = now;
		}
	}
	free(sch);
	free(nm);
	return rc;
}

int ferry__created_statement(ferry__created *c, const ferry__migration *m,
	int line, const char *stmt, size_t len)
{
	ferry__tok t[MAX_TOKENS];
	stmt_ctx s;

	s.c = c;
	s.m = m;
	s.line = line;
	s.r.t = t;
	s.r.dialect = c->dialect;
	s.r.i = 1;
	s.r.n = ferry__stmt_tokens(stmt, len, c->dialect, t, MAX_TOKENS);
	if (is_word(&s.r, 0, "create"))
		return read_create(&s);
	if (is_word(&s.r, 0, "drop"))
		return read_drop(&s);
	if (is_word(&s.r, 0, "alter"))
		return read_alter(&s);
	return 0;
}

typedef struct {
	ferry__created *c;
	const ferry__migration *m;
	const char *text; /* the section's body */
	int line;	  /* ... and its first line */
	size_t counted;	  /* newlines counted up to here */
	int rc;
} section_ctx;

static int one_statement(void *payload, size_t offset, size_t len)
{
	section_ctx *s = payload;

	for (; s->counted < offset; s->counted++)
		if (s->text[s->counted] == '\n')
			s->line++;
	s->rc = ferry__created_statement(
		s->c, s->m, s->line, s->text + offset, len);
	return s->rc;
}

int ferry__created_migration(
	ferry__created *c, const ferry__migration *m, ferry_error *err)
{
	static const int phases[] = { FERRY__UP, FERRY__FINISH };
	ferry__split_error serr = { 0, NULL, NULL };
	ferry__hasher h;
	ferry__loaded f;
	size_t k;
	int rc;

	if (m->code)
		return 0;
	ferry__hasher_init(&h);
	rc = ferry__migration_load(m, &h, &f, err);
	ferry__hasher_release(&h);
	for (k = 0; rc == 0 && k < sizeof(phases) / sizeof(*phases); k++) {
		const ferry__section *sec = &f.sec[phases[k]];
		section_ctx s = { c, m, f.text + sec->offset, sec->line, 0, 0 };

		if (!sec->present)
			continue;
		/* Cut as it runs (goose's blocks kept whole). A section that
		 * does not split fails when it runs; here it only tells
		 * less. */
		(void)ferry__split_blocks_each(s.text, sec->len, sec->blocks,
			c->dialect, one_statement, &s, &serr);
		if (s.rc < 0)
			rc = ferry__error_oom(err);
	}
	ferry__loaded_release(&f);
	return rc;
}

void ferry__created_clear(ferry__created *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		obj_clear(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = c->alloc = 0;
}

static int read_count(void *payload, int ncols, const char *const *v)
{
	*(int *)payload = ncols > 0 && v[0] && strcmp(v[0], "0") != 0;
	return 0;
}

const char *ferry__created_kind(const ferry__created_obj *o)
{
	return kind_names[o->kind];
}

int ferry__created_has(
	const ferry__created *c, const char *kind, const ferry__tok *name)
{
	char *nm = fold(name, c->dialect);
	size_t i;
	int found = 0;

	if (!nm)
		return FERRY_ENOMEM;
	for (i = 0; !found && i < c->n; i++)
		found = strcmp(kind_names[c->v[i].kind], kind) == 0 &&
			same(c->v[i].name, nm);
	free(nm);
	return found;
}

int ferry__created_missing(ferry_db *db, ferry__created *c, ferry_error *err)
{
	size_t i = 0;
	int rc;

	while (i < c->n) {
		const ferry__created_obj *o = &c->v[i];
		ferry__val p[3] = { { FERRY__VAL_TEXT, 0, kind_names[o->kind] },
			{ FERRY__VAL_TEXT, 0, o->schema ? o->schema : "" },
			{ FERRY__VAL_TEXT, 0, o->name } };
		int found = 0;

		if ((rc = db->drv->query(db, db->drv->object_exists_sql, p, 3,
			     read_count, &found, err)) < 0)
			return rc;
		if (found)
			remove_at(c, i);
		else
			i++;
	}
	return 0;
}
