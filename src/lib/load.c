/* SPDX-License-Identifier: MIT */
/*
 * load.c - rows into a database's tables, for `import` and `copy`.
 *
 * What the target holds is read from the target (its tables, columns and
 * foreign keys), never taken from the source: a file says what it has,
 * the database what it accepts. A table is loaded as
 *
 *	empty? (else refused, or emptied when asked) -> the engine's bulk
 *	path (load_begin/row/end: INSERT or COPY) -> sequences moved past
 *	the loaded values
 *
 * inside a transaction the caller opens, one per table or one for all.
 * Tables go parents first by their foreign keys, so a row never waits
 * for the row it refers to.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>

static int add_column(void *payload, int ncols, const char *const *v)
{
	ferry__load_schema *s = payload;
	ferry__load_table *t = s->n ? &s->tables[s->n - 1] : NULL;

	(void)ncols;
	if (!t || strcmp(t->name, v[0]) != 0) {
		if (FERRY__GROW(s->tables, s->alloc, s->n + 1, 16) < 0)
			return s->oom = 1;
		t = &s->tables[s->n++];
		memset(t, 0, sizeof(*t));
		if (!(t->name = ferry__strdup(v[0])))
			return s->oom = 1;
	}
	if (FERRY__GROW(t->cols, t->acols, t->ncols + 1, 8) < 0 ||
		FERRY__GROW(t->kinds, t->akinds, t->ncols + 1, 8) < 0)
		return s->oom = 1;
	t->cols[t->ncols] = ferry__strdup(v[1]);
	t->kinds[t->ncols] = ferry__strdup(v[4] ? v[4] : "");
	t->ncols++;
	if (!t->cols[t->ncols - 1] || !t->kinds[t->ncols - 1])
		return s->oom = 1;
	return 0;
}

int ferry__load_schema_read(
	ferry_db *db, ferry__load_schema *s, ferry_error *err)
{
	ferry__val schema = { FERRY__VAL_TEXT, 0, NULL };
	int rc;

	memset(s, 0, sizeof(*s));
	schema.s = db->schema;
	rc = db->drv->query(db, db->drv->export_columns_sql, &schema,
		db->drv->schemas ? 1 : 0, add_column, s, err);
	if (rc == 0 && s->oom)
		rc = ferry__error_oom(err);
	return rc;
}

void ferry__load_schema_clear(ferry__load_schema *s)
{
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		for (k = 0; k < s->tables[i].ncols; k++) {
			free(s->tables[i].cols[k]);
			free(s->tables[i].kinds[k]);
		}
		free(s->tables[i].cols);
		free(s->tables[i].kinds);
		free(s->tables[i].name);
	}
	free(s->tables);
	memset(s, 0, sizeof(*s));
}

ferry__load_table *ferry__load_schema_find(
	ferry__load_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

int ferry__load_table_column(const ferry__load_table *t, const char *name)
{
	size_t k;

	for (k = 0; k < t->ncols; k++)
		if (!strcmp(t->cols[k], name))
			return (int)k;
	return -1;
}

/*
 * Foreign keys, and the order they give
 */

typedef struct {
	char **names;
	size_t n;
	unsigned char *edge; /* edge[child * n + parent] */
	int oom;
} fk_ctx;

static size_t index_of(const fk_ctx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], name))
			return i;
	return f->n;
}

static int add_fk(void *payload, int ncols, const char *const *v)
{
	fk_ctx *f = payload;
	size_t child = index_of(f, v[0]), parent = index_of(f, v[1]);

	(void)ncols;
	/* A table that refers to itself, or to one not loaded, orders
	 * nothing. */
	if (child < f->n && parent < f->n && child != parent)
		f->edge[child * f->n + parent] = 1;
	return 0;
}

int ferry__load_order(
	ferry_db *db, char **names, size_t n, size_t *order, ferry_error *err)
{
	ferry__val schema = { FERRY__VAL_TEXT, 0, NULL };
	fk_ctx f = { names, n, NULL, 0 };
	unsigned char *placed = NULL;
	size_t done = 0, i, k;
	int rc;

	f.edge = ferry__calloc(n * n + 1, 1);
	placed = ferry__calloc(n + 1, 1);
	if (!f.edge || !placed) {
		rc = ferry__error_oom(err);
		goto out;
	}
	schema.s = db->schema;
	if ((rc = db->drv->query(db, db->drv->load_fks_sql, &schema,
		     db->drv->schemas ? 1 : 0, add_fk, &f, err)) < 0)
		goto out;
	/* Kahn's: take, in the given order, each table whose parents are in. */
	while (done < n) {
		int took = 0;

		for (i = 0; i < n; i++) {
			int ready = !placed[i];

			for (k = 0; ready && k < n; k++)
				if (f.edge[i * n + k] && !placed[k])
					ready = 0;
			if (ready) {
				placed[i] = 1;
				order[done++] = i;
				took = 1;
			}
		}
		if (!took)
			break;
	}
	if (done < n) {
		ferry__buf cycle = FERRY__BUF_INIT;

		for (i = 0; i < n; i++)
			if (!placed[i])
				ferry__buf_printf(&cycle, "%s%s",
					cycle.len ? ", " : "", names[i]);
		ferry__error_set(err, FERRY_EINVALID,
			"the foreign keys of tables %s refer to one another in "
			"a cycle: no order loads one before the other",
			ferry__buf_cstr(&cycle));
		ferry__error_hint(err,
			"load them with --single-transaction: the foreign keys "
			"are checked at commit (PostgreSQL: where they are "
			"DEFERRABLE)");
		ferry__buf_release(&cycle);
		rc = FERRY_EINVALID;
	}
out:
	free(f.edge);
	free(placed);
	return rc;
}

/*
 * One table
 */

/* The table's name as SQL: quoted, in the ledger's schema where there
 * are schemas. */
static void table_sql(ferry_db *db, ferry__buf *b, const char *name)
{
	if (db->drv->schemas) {
		ferry__buf_quote_ident(b, db->schema);
		ferry__buf_puts(b, ".");
	}
	ferry__buf_quote_ident(b, name);
}

static int any_row(void *payload, int ncols, const char *const *v)
{
	(void)ncols;
	(void)v;
	*(int *)payload = 1;
	return 0;
}

int ferry__load_is_empty(
	ferry_db *db, const char *table, int *empty, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	int rows = 0, rc;

	ferry__buf_puts(&sql, "SELECT 1 FROM ");
	table_sql(db, &sql, table);
	ferry__buf_puts(&sql, " LIMIT 1");
	rc = sql.oom
		? ferry__error_oom(err)
		: db->drv->query(db, sql.buf, NULL, 0, any_row, &rows, err);
	ferry__buf_release(&sql);
	*empty = !rows;
	return rc;
}

typedef struct {
	char **names;
	size_t n;
	int outside; /* a table not in `names` refers to one in it */
} referrers_ctx;

static int in_names(const referrers_ctx *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name))
			return 1;
	return 0;
}

static int note_referrer(void *payload, int ncols, const char *const *v)
{
	referrers_ctx *r = payload;

	(void)ncols;
	if (in_names(r, v[1]) && !in_names(r, v[0]))
		r->outside = 1;
	return 0;
}

int ferry__load_empty_tables(ferry_db *db, char **names, size_t n,
	const size_t *order, ferry_error *err)
{
	ferry__val schema = { FERRY__VAL_TEXT, 0, NULL };
	referrers_ctx refs = { names, n, 0 };
	ferry__buf sql = FERRY__BUF_INIT;
	size_t i;
	int rc = 0;

	/*
	 * PostgreSQL empties them at once with one TRUNCATE, unless a table
	 * left out refers to one of them (TRUNCATE refuses that even when
	 * it is empty); else, as SQLite, which has no TRUNCATE: DELETE,
	 * children first.
	 */
	schema.s = db->schema;
	if (db->drv->schemas &&
		(rc = db->drv->query(db, db->drv->load_fks_sql, &schema, 1,
			 note_referrer, &refs, err)) < 0)
		return rc;
	if (db->drv->schemas && !refs.outside) {
		ferry__buf_puts(&sql, "TRUNCATE ");
		for (i = 0; i < n; i++) {
			if (i)
				ferry__buf_puts(&sql, ", ");
			table_sql(db, &sql, names[order[i]]);
		}
		return sql.oom ? ferry__error_oom(err)
			       : (rc = db->drv->load_exec(db, sql.buf, err),
					 ferry__buf_release(&sql), rc);
	}
	for (i = n; i-- > 0 && rc == 0;) {
		ferry__buf_clear(&sql);
		ferry__buf_puts(&sql, "DELETE FROM ");
		table_sql(db, &sql, names[order[i]]);
		rc = sql.oom ? ferry__error_oom(err)
			     : db->drv->load_exec(db, sql.buf, err);
	}
	ferry__buf_release(&sql);
	return rc;
}

/* Each row: the statement that drops an index or a foreign key, and the
 * one that makes it again; kept NUL-separated, in pairs. */
static int add_deferred(void *payload, int ncols, const char *const *v)
{
	ferry__buf *b = payload;

	(void)ncols;
	ferry__buf_put(b, v[0], strlen(v[0]) + 1);
	ferry__buf_put(b, v[1], strlen(v[1]) + 1);
	return 0;
}

/*
 * Secondary indexes and foreign keys are dropped before the rows and made
 * again after, in the same transaction: built once from all the rows and
 * checked with one join, rather than kept up row by row (four times
 * faster on 10 million rows, bench/copy.sh). A failure rolls the drops
 * back with the rest.
 */
static int defer_checks(ferry__loader *l, ferry_error *err)
{
	ferry__val params[2] = { { FERRY__VAL_TEXT, 0, NULL },
		{ FERRY__VAL_TEXT, 0, NULL } };
	ferry_db *db = l->db;
	size_t at;
	int rc;

	if (!db->drv->load_defer_sql)
		return 0;
	params[0].s = l->table;
	params[1].s = db->schema;
	rc = db->drv->query(db, db->drv->load_defer_sql, params,
		db->drv->schemas ? 2 : 1, add_deferred, &l->remake, err);
	if (rc == 0 && l->remake.oom)
		rc = ferry__error_oom(err);
	for (at = 0; rc == 0 && at < l->remake.len;) {
		rc = db->drv->load_exec(db, l->remake.buf + at, err);
		at += strlen(l->remake.buf + at) + 1;
		at += strlen(l->remake.buf + at) + 1;
	}
	return rc;
}

static int remake_checks(ferry__loader *l, ferry_error *err)
{
	size_t at;
	int rc = 0;

	for (at = 0; rc == 0 && at < l->remake.len;) {
		at += strlen(l->remake.buf + at) + 1;
		rc = l->db->drv->load_exec(l->db, l->remake.buf + at, err);
		at += strlen(l->remake.buf + at) + 1;
	}
	return rc;
}

int ferry__load_begin(ferry__loader *l, ferry_db *db, const char *table,
	const char *const *cols, size_t ncols, ferry_error *err)
{
	ferry__buf qtable = FERRY__BUF_INIT, qcols = FERRY__BUF_INIT;
	size_t k;
	int rc;

	memset(l, 0, sizeof(*l));
	l->db = db;
	l->table = table;
	ferry__rowsum_init(&l->sum);
	if ((rc = defer_checks(l, err)) < 0)
		return rc;
	table_sql(db, &qtable, table);
	for (k = 0; k < ncols; k++) {
		if (k)
			ferry__buf_puts(&qcols, ", ");
		ferry__buf_quote_ident(&qcols, cols[k]);
	}
	if (qtable.oom || qcols.oom)
		rc = ferry__error_oom(err);
	else
		rc = db->drv->load_begin(
			db, qtable.buf, qcols.buf, (int)ncols, err);
	l->open = rc == 0;
	ferry__buf_release(&qtable);
	ferry__buf_release(&qcols);
	return rc;
}

int ferry__load_row(
	ferry__loader *l, int ncols, const char *const *vals, ferry_error *err)
{
	int rc;

	if (ferry__rowsum_add(&l->sum, ncols, vals) < 0)
		return ferry__error_oom(err);
	if ((rc = l->db->drv->load_row(l->db, vals, err)) < 0)
		return rc;
	l->rows++;
	return 0;
}

/* Each serial or identity column's sequence, on past the largest value. */
static int move_sequences(ferry__loader *l, ferry_error *err);

int ferry__load_end(ferry__loader *l, int ok, ferry_error *err)
{
	int rc = 0;

	if (l->open) {
		l->open = 0;
		rc = l->db->drv->load_end(l->db, ok, err);
	}
	if (rc == 0 && ok)
		rc = remake_checks(l, err);
	if (rc == 0 && ok && l->db->drv->load_sequences_sql)
		rc = move_sequences(l, err);
	return rc;
}

void ferry__load_release(ferry__loader *l)
{
	if (l->open)
		(void)l->db->drv->load_end(l->db, 0, NULL);
	l->open = 0;
	ferry__rowsum_release(&l->sum);
	ferry__buf_release(&l->remake);
}

typedef struct {
	ferry__buf sql;
	ferry__loader *l;
} seq_ctx;

static int add_setval(void *payload, int ncols, const char *const *v)
{
	seq_ctx *s = payload;

	(void)ncols;
	/* SELECT setval('seq', max("col")) FROM t HAVING max("col") IS NOT
	 * NULL: nothing loaded, nothing moved. */
	ferry__buf_puts(&s->sql, "SELECT setval(");
	ferry__buf_quote_literal(&s->sql, v[1]);
	ferry__buf_puts(&s->sql, ", max(");
	ferry__buf_quote_ident(&s->sql, v[0]);
	ferry__buf_puts(&s->sql, ")) FROM ");
	table_sql(s->l->db, &s->sql, s->l->table);
	ferry__buf_puts(&s->sql, " HAVING max(");
	ferry__buf_quote_ident(&s->sql, v[0]);
	ferry__buf_puts(&s->sql, ") IS NOT NULL");
	ferry__buf_put(&s->sql, "", 1); /* one statement at a time */
	return 0;
}

static int move_sequences(ferry__loader *l, ferry_error *err)
{
	ferry__val params[2] = { { FERRY__VAL_TEXT, 0, NULL },
		{ FERRY__VAL_TEXT, 0, NULL } };
	seq_ctx s = { FERRY__BUF_INIT, l };
	size_t at;
	int rc;

	params[0].s = l->db->schema;
	params[1].s = l->table;
	rc = l->db->drv->query(l->db, l->db->drv->load_sequences_sql, params, 2,
		add_setval, &s, err);
	if (rc == 0 && s.sql.oom)
		rc = ferry__error_oom(err);
	for (at = 0; rc == 0 && at < s.sql.len;
		at += strlen(s.sql.buf + at) + 1)
		rc = l->db->drv->load_exec(l->db, s.sql.buf + at, err);
	ferry__buf_release(&s.sql);
	return rc;
}

int ferry__load_error_column(
	const ferry_error *err, char *const *cols, size_t ncols)
{
	const char *at = err ? strstr(err->detail, ", column ") : NULL;
	size_t k, len;

	if (!at)
		return 0;
	at += 9;
	len = strcspn(at, ":");
	for (k = 0; k < ncols; k++)
		if (strlen(cols[k]) == len && !strncmp(cols[k], at, len))
			return (int)k + 1;
	return 0;
}

void ferry__load_error_place(ferry_error *err, const char *table,
	const char *column, const char *row)
{
	ferry_error was;

	if (!err)
		return;
	was = *err;
	ferry__error_set(err, was.code, "table '%s'%s%s%s%s%s: %s", table,
		row ? ", " : "", row ? row : "", column ? ", column '" : "",
		column ? column : "", column ? "'" : "", was.message);
	memcpy(err->detail, was.detail, sizeof(err->detail));
	memcpy(err->hint, was.hint, sizeof(err->hint));
	memcpy(err->sqlstate, was.sqlstate, sizeof(err->sqlstate));
}

/*
 * The report of an import or a copy
 */

size_t ferry_load_report_count(const ferry_load_report *r)
{
	return r ? r->n : 0;
}

const ferry_load_table *ferry_load_report_at(
	const ferry_load_report *r, size_t i)
{
	return r && i < r->n ? &r->tables[i] : NULL;
}

uint64_t ferry_load_report_rows(const ferry_load_report *r)
{
	return r ? r->rows : 0;
}

void ferry_load_report_free(ferry_load_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free((char *)r->tables[i].name);
		free((char *)r->tables[i].checksum);
		free((char *)r->tables[i].source_checksum);
	}
	free(r->tables);
	free(r);
}

ferry_load_table *ferry__load_report_add(ferry_load_report *r, const char *name,
	uint64_t rows, const ferry__rowsum *sum)
{
	ferry_load_table *t;
	char hex[65];

	if (FERRY__GROW(r->tables, r->alloc, r->n + 1, 8) < 0)
		return NULL;
	t = &r->tables[r->n];
	memset(t, 0, sizeof(*t));
	ferry__rowsum_hex(sum, hex);
	t->name = ferry__strdup(name);
	t->checksum = ferry__strdup(hex);
	if (!t->name || !t->checksum) {
		free((char *)t->name);
		free((char *)t->checksum);
		return NULL;
	}
	t->rows = rows;
	r->rows += rows;
	r->n++;
	return t;
}
