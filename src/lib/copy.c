/* SPDX-License-Identifier: MIT */
/*
 * copy.c - `ferry copy --from URL --to URL`: every table of one database
 * into another, either engine to either, verified.
 *
 *	source: one snapshot; its migration version, every rollout finished
 *	target: brought to that version by the set (ferry_migrate), locked
 *	each source table: in the target with its columns?
 *	  target empty          -> copy it
 *	  target rows == source -> done by a run before: skip (the resume)
 *	  else                  -> refused, or emptied with `truncate`
 *	per table, parents first, one target transaction:
 *	  source rows (export_rows) -> loader (load.c) -> read the target's
 *	  back -> same count and checksum? COMMIT : ROLLBACK and fail
 *
 * Nothing is kept outside the two databases: a copy killed half way
 * left whole tables or empty ones, and the next run tells them apart by
 * their rows alone.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRESS_EVERY 10000

typedef enum { TABLE_EMPTY, TABLE_EQUAL, TABLE_DIFFERS } table_state;

typedef struct {
	ferry__load_table *src; /* in the source's schema */
	ferry__load_table *dst; /* in the target's */
	const char **kinds;	/* the target's kind of each source column */
	uint64_t rows;		/* the source's count */
	table_state state;
	ferry__rowsum src_sum, dst_sum; /* when the target held rows */
} copy_table;

typedef struct {
	ferry_db *from, *to;
	const ferry_copy_options *opts;
	ferry_error *err;
	ferry__load_schema src, dst;
	copy_table *tables;
	size_t n;
	/* the table being copied */
	ferry__loader load;
	copy_table *cur;
	uint64_t bytes;
	ferry__rowsum *sum; /* where read_sum() adds */
	int rc;
} copy_ctx;

/* Every migration of the source is finished, and which is the newest. */
static int source_version(copy_ctx *x, char **version)
{
	ferry__ledger l = { 0 };
	size_t i;
	int rc;

	*version = NULL;
	if ((rc = ferry__ledger_load(x->from, &l, x->err)) < 0)
		return rc;
	for (i = 0; i < l.n && rc == 0; i++)
		if (l.rows[i].state == FERRY_STATE_UP) {
			ferry__error_set(x->err, FERRY_EREFUSED,
				"the source is in the middle of a rollout: "
				"migration %lld is up, its finish not run",
				(long long)l.rows[i].version);
			ferry__error_hint(x->err,
				"copy once the rollout is finished (ferry "
				"finish on the source), or before it began");
			rc = FERRY_EREFUSED;
		}
	ferry__ledger_clear(&l);
	if (rc < 0)
		return rc;
	{
		char *release = NULL;

		rc = ferry__ledger_newest(x->from, version, &release, x->err);
		free(release);
	}
	return rc;
}

/* The target at the source's version: migrated there by the set. */
static int bring_target(copy_ctx *x, const char *version)
{
	char *have = NULL, *release = NULL;
	int rc;

	if ((rc = ferry__ledger_newest(x->to, &have, &release, x->err)) < 0)
		return rc;
	free(release);
	if (!version && have) {
		rc = ferry__error_set(x->err, FERRY_EREFUSED,
			"the source has no migrations applied, the target is "
			"at %s",
			have);
	} else if (version && have &&
		strtoll(have, NULL, 10) > strtoll(version, NULL, 10)) {
		rc = ferry__error_set(x->err, FERRY_EREFUSED,
			"the target is at migration version %s, past the "
			"source's %s",
			have, version);
		ferry__error_hint(x->err,
			"copy into a new database, or one at %s or older",
			version);
	} else if (version && (!have || strcmp(have, version) != 0)) {
		ferry_up_options o = FERRY_UP_OPTIONS_INIT;
		ferry_report *r = NULL;

		if (!x->opts->set) {
			rc = ferry__error_set(x->err, FERRY_EREFUSED,
				"the target is at migration version %s, the "
				"source at %s, and no migration set was given",
				have ? have : "none", version);
		} else {
			o.to = version;
			rc = ferry_migrate(&r, x->to, x->opts->set, &o, x->err);
			ferry_report_free(r);
		}
	}
	free(have);
	return rc;
}

static int source_tables(copy_ctx *x)
{
	size_t i, k, n = 0;

	if (!(x->tables = ferry__calloc(x->src.n + 1, sizeof(*x->tables))))
		return ferry__error_oom(x->err);
	for (i = 0; i < x->src.n; i++) {
		ferry__load_table *s = &x->src.tables[i], *d;
		copy_table *t;

		if (ferry__objects_own_table(x->from, s->name))
			continue;
		if (!(d = ferry__load_schema_find(&x->dst, s->name))) {
			ferry__error_set(x->err, FERRY_EINVALID,
				"table '%s' of the source is not in the target",
				s->name);
			ferry__error_hint(x->err,
				"the target's migrations made other tables "
				"than the source's: check --dir");
			return FERRY_EINVALID;
		}
		t = &x->tables[n++];
		t->src = s;
		t->dst = d;
		ferry__rowsum_init(&t->src_sum);
		ferry__rowsum_init(&t->dst_sum);
		if (!(t->kinds = ferry__calloc(
			      s->ncols + 1, sizeof(*t->kinds))))
			return ferry__error_oom(x->err);
		for (k = 0; k < s->ncols; k++) {
			int at = ferry__load_table_column(d, s->cols[k]);

			if (at < 0) {
				ferry__error_set(x->err, FERRY_EINVALID,
					"table '%s' has no column '%s' in the "
					"target",
					s->name, s->cols[k]);
				ferry__error_hint(x->err,
					"the target's migrations made other "
					"tables than the source's: check --dir");
				x->n = n;
				return FERRY_EINVALID;
			}
			t->kinds[k] = d->kinds[at];
		}
		x->n = n;
	}
	x->n = n;
	return 0;
}

/* SELECT the columns of `t`, each as the engine of `db` hands it on. */
static int select_sql(ferry_db *db, ferry__buf *sql, const ferry__load_table *t,
	const char *const *kinds)
{
	ferry__buf q = FERRY__BUF_INIT;
	size_t k;

	ferry__buf_puts(sql, "SELECT ");
	for (k = 0; k < t->ncols; k++) {
		ferry__buf_clear(&q);
		ferry__buf_quote_ident(&q, t->cols[k]);
		if (k)
			ferry__buf_puts(sql, ", ");
		db->drv->export_value(sql, ferry__buf_cstr(&q), kinds[k]);
	}
	ferry__buf_puts(sql, " FROM ");
	if (db->drv->schemas) {
		ferry__buf_quote_ident(sql, db->schema);
		ferry__buf_puts(sql, ".");
	}
	ferry__buf_quote_ident(sql, t->name);
	ferry__buf_release(&q);
	return sql->oom ? FERRY_ENOMEM : 0;
}

static int add_to_sum(void *payload, int ncols, const char *const *v)
{
	copy_ctx *x = payload;

	if (ferry__rowsum_add(x->sum, ncols, v) < 0) {
		x->rc = ferry__error_oom(x->err);
		return 1;
	}
	return 0;
}

/* The checksum of table `t` as `db` holds it (source or target). */
static int read_sum(
	copy_ctx *x, ferry_db *db, copy_table *t, ferry__rowsum *sum)
{
	ferry__buf sql = FERRY__BUF_INIT;
	int rc;

	x->sum = sum;
	x->rc = 0;
	/* The source's columns, each read as its own engine types it. */
	if (select_sql(db, &sql, t->src,
		    db == x->from ? (const char *const *)t->src->kinds
				  : t->kinds) < 0)
		rc = ferry__error_oom(x->err);
	else
		rc = db->drv->export_rows(db, sql.buf, add_to_sum, x, x->err);
	ferry__buf_release(&sql);
	return x->rc < 0 ? x->rc : rc;
}

static int count_row(void *payload, int ncols, const char *const *v)
{
	(void)ncols;
	*(uint64_t *)payload = v[0] ? strtoull(v[0], NULL, 10) : 0;
	return 0;
}

static int begin_target(copy_ctx *x)
{
	int rc = x->to->drv->load_exec(x->to, "BEGIN", x->err);

	if (rc == 0 && !x->to->drv->schemas)
		rc = x->to->drv->load_exec(
			x->to, "PRAGMA defer_foreign_keys = ON", x->err);
	if (rc == 0 && x->to->drv->read_settings_sql)
		rc = x->to->drv->load_exec(
			x->to, x->to->drv->read_settings_sql, x->err);
	return rc;
}

/* What each table of the target holds already; refuse what differs. */
static int survey(copy_ctx *x)
{
	ferry__buf full = FERRY__BUF_INIT, sql = FERRY__BUF_INIT;
	size_t i;
	int rc = 0, empty;

	for (i = 0; i < x->n && rc == 0; i++) {
		copy_table *t = &x->tables[i];

		ferry__buf_clear(&sql);
		ferry__buf_puts(&sql, "SELECT count(*) FROM ");
		if (x->from->drv->schemas) {
			ferry__buf_quote_ident(&sql, x->from->schema);
			ferry__buf_puts(&sql, ".");
		}
		ferry__buf_quote_ident(&sql, t->src->name);
		if (sql.oom) {
			rc = ferry__error_oom(x->err);
			break;
		}
		if ((rc = x->from->drv->query(x->from, sql.buf, NULL, 0,
			     count_row, &t->rows, x->err)) < 0 ||
			(rc = ferry__load_is_empty(
				 x->to, t->dst->name, &empty, x->err)) < 0)
			break;
		t->state = TABLE_EMPTY;
		if (empty)
			continue;
		/* The target read as copy_one() reads it back: in a
		 * transaction, with the same text forms. */
		if ((rc = read_sum(x, x->from, t, &t->src_sum)) < 0 ||
			(rc = begin_target(x)) < 0)
			break;
		rc = read_sum(x, x->to, t, &t->dst_sum);
		x->to->drv->rollback(x->to);
		if (rc < 0)
			break;
		t->state = t->src_sum.rows == t->dst_sum.rows &&
				!memcmp(t->src_sum.sum, t->dst_sum.sum,
					sizeof(t->src_sum.sum))
			? TABLE_EQUAL
			: TABLE_DIFFERS;
		if (t->state == TABLE_DIFFERS)
			ferry__buf_printf(&full, "%s%s", full.len ? ", " : "",
				t->dst->name);
	}
	if (rc == 0 && full.len && !x->opts->truncate) {
		ferry__error_set(x->err, FERRY_EREFUSED,
			"the target's tables %s hold other rows than the "
			"source's",
			ferry__buf_cstr(&full));
		ferry__error_hint(x->err,
			"copy into a new database, or --truncate to replace "
			"their rows (they are lost)");
		rc = FERRY_EREFUSED;
	}
	ferry__buf_release(&full);
	ferry__buf_release(&sql);
	return rc;
}

static int copy_row(void *payload, int ncols, const char *const *v)
{
	copy_ctx *x = payload;
	int i;

	if ((x->rc = ferry__load_row(&x->load, ncols, v, x->err)) < 0)
		return 1;
	for (i = 0; i < ncols; i++)
		x->bytes += v[i] ? strlen(v[i]) : 0;
	if (x->load.rows % PROGRESS_EVERY == 0) {
		if (x->opts->progress)
			x->opts->progress(x->cur->dst->name, x->load.rows,
				x->cur->rows, x->bytes, x->opts->payload);
		if (ferry__interrupted(x->from) || ferry__interrupted(x->to)) {
			x->rc = ferry__error_interrupted(x->err);
			return 1;
		}
	}
	return 0;
}

/* A row the target refused: the table, and the row's place. */
static int refused(copy_ctx *x, copy_table *t, int rc)
{
	int col = x->err->column
		? x->err->column
		: ferry__load_error_column(x->err, t->src->cols, t->src->ncols);
	char row[32];

	snprintf(row, sizeof(row), "row %d", x->err->line);
	ferry__load_error_place(x->err, t->dst->name,
		col > 0 && (size_t)col <= t->src->ncols ? t->src->cols[col - 1]
							: NULL,
		x->err->line > 0 ? row : NULL);
	if (!x->err->hint[0])
		ferry__error_hint(x->err,
			"the table was left as it was in the target; the tables "
			"copied before it stay, and a new run goes on from it");
	return rc;
}

static int copy_one(copy_ctx *x, copy_table *t, ferry_load_report *r)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry_load_table *out;
	int rc;

	x->cur = t;
	x->bytes = 0;
	if (x->opts->progress)
		x->opts->progress(
			t->dst->name, 0, t->rows, 0, x->opts->payload);
	if ((rc = ferry__load_begin(&x->load, x->to, t->dst->name,
		     (const char *const *)t->src->cols, t->src->ncols,
		     x->err)) < 0)
		goto out;
	if (select_sql(x->from, &sql, t->src,
		    (const char *const *)t->src->kinds) < 0) {
		rc = ferry__error_oom(x->err);
		goto out;
	}
	x->rc = 0;
	rc = x->from->drv->export_rows(x->from, sql.buf, copy_row, x, x->err);
	if (x->rc < 0)
		rc = x->rc;
	if (rc == 0)
		rc = ferry__load_end(&x->load, 1, x->err);
	if (rc < 0 && x->err && x->err->line > 0)
		rc = refused(x, t, rc);
	if (rc < 0)
		goto out;
	/* What the target holds now, before it is committed: the same? */
	ferry__rowsum_release(&t->dst_sum);
	ferry__rowsum_init(&t->dst_sum);
	if ((rc = read_sum(x, x->to, t, &t->dst_sum)) < 0)
		goto out;
	if (t->dst_sum.rows != x->load.rows ||
		memcmp(t->dst_sum.sum, x->load.sum.sum,
			sizeof(t->dst_sum.sum)) != 0) {
		char a[65], b[65];

		ferry__rowsum_hex(&x->load.sum, a);
		ferry__rowsum_hex(&t->dst_sum, b);
		ferry__error_set(x->err, FERRY_EDB,
			"table '%s': the target's rows differ from the source's "
			"after the copy (%llu rows, checksum %.16s; the source "
			"%llu rows, %.16s)",
			t->dst->name, (unsigned long long)t->dst_sum.rows, b,
			(unsigned long long)x->load.rows, a);
		ferry__error_hint(x->err,
			"another session wrote to the table meanwhile, or a "
			"column's type changes values (see the type mapping "
			"in docs/ferry-copy.md); the table was rolled back");
		rc = FERRY_EDB;
		goto out;
	}
	if (!(out = ferry__load_report_add(
		      r, t->dst->name, x->load.rows, &t->dst_sum))) {
		rc = ferry__error_oom(x->err);
		goto out;
	}
	out->source_rows = x->load.rows;
	{
		char hex[65];

		ferry__rowsum_hex(&x->load.sum, hex);
		if (!(out->source_checksum = ferry__strdup(hex)))
			rc = ferry__error_oom(x->err);
	}
out:
	ferry__load_release(&x->load);
	ferry__buf_release(&sql);
	return rc;
}

static int copy_all(copy_ctx *x, ferry_load_report *r)
{
	char **names = ferry__calloc(x->n + 1, sizeof(*names));
	size_t *order = ferry__calloc(x->n + 1, sizeof(*order));
	size_t i, ndiff = 0;
	int rc;

	if (!names || !order) {
		rc = ferry__error_oom(x->err);
		goto out;
	}
	for (i = 0; i < x->n; i++)
		names[i] = x->tables[i].dst->name;
	if ((rc = ferry__load_order(x->to, names, x->n, order, x->err)) < 0)
		goto out;
	/* With a table to replace, replace them all, children before
	 * parents: one emptied alone could still be referred to by the
	 * rows of another. */
	for (i = 0; i < x->n; i++)
		ndiff += x->tables[i].state == TABLE_DIFFERS;
	if (ndiff) {
		for (i = 0; i < x->n; i++)
			x->tables[i].state = TABLE_EMPTY;
		if ((rc = begin_target(x)) == 0 &&
			(rc = ferry__load_empty_tables(
				 x->to, names, x->n, order, x->err)) == 0)
			rc = x->to->drv->load_exec(x->to, "COMMIT", x->err);
		if (rc < 0)
			goto out;
	}
	for (i = 0; i < x->n && rc == 0; i++) {
		copy_table *t = &x->tables[order[i]];

		if (t->state == TABLE_EQUAL) {
			ferry_load_table *out = ferry__load_report_add(
				r, t->dst->name, t->dst_sum.rows, &t->dst_sum);
			char hex[65];

			ferry__rowsum_hex(&t->src_sum, hex);
			if (!out ||
				!(out->source_checksum = ferry__strdup(hex))) {
				rc = ferry__error_oom(x->err);
				break;
			}
			out->source_rows = t->src_sum.rows;
			out->skipped = 1;
			continue;
		}
		if ((rc = begin_target(x)) < 0 || (rc = copy_one(x, t, r)) < 0)
			break;
		rc = x->to->drv->load_exec(x->to, "COMMIT", x->err);
	}
out:
	if (rc < 0)
		x->to->drv->rollback(x->to);
	free(names);
	free(order);
	return rc;
}

static void ctx_clear(copy_ctx *x)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		free(x->tables[i].kinds);
		ferry__rowsum_release(&x->tables[i].src_sum);
		ferry__rowsum_release(&x->tables[i].dst_sum);
	}
	free(x->tables);
	ferry__load_schema_clear(&x->src);
	ferry__load_schema_clear(&x->dst);
}

int ferry_copy(ferry_load_report **out, ferry_db *from, ferry_db *to,
	const ferry_copy_options *opts, ferry_error *err)
{
	copy_ctx x;
	ferry_load_report *r = NULL;
	char *version = NULL;
	int rc, locked = 0, snapshot = 0;

	if (out)
		*out = NULL;
	if (!from || !to)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", from ? "to" : "from");
	if (!opts || opts->version != FERRY_COPY_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)",
			opts ? opts->version : 0);
	if (!from->drv->export_rows || !to->drv->load_begin)
		return ferry__error_set(err, FERRY_EINVALID,
			"cannot copy from %s to %s", from->drv->label,
			to->drv->label);
	if (!from->exists)
		return ferry__error_set(err, FERRY_EINVALID,
			"database '%s' does not exist", from->url.display);
	memset(&x, 0, sizeof(x));
	x.from = from;
	x.to = to;
	x.opts = opts;
	x.err = err;

	if ((rc = source_version(&x, &version)) < 0 ||
		(rc = bring_target(&x, version)) < 0)
		goto out;
	if ((rc = ferry__lock(to, err)) < 0)
		goto out;
	locked = 1;
	/* The target's version again, under the lock: it is what it was. */
	if ((rc = bring_target(&x, version)) < 0)
		goto out;
	if ((rc = from->drv->export_begin(from, err)) < 0)
		goto out;
	snapshot = 1;
	if ((rc = ferry__load_schema_read(from, &x.src, err)) < 0 ||
		(rc = ferry__load_schema_read(to, &x.dst, err)) < 0 ||
		(rc = source_tables(&x)) < 0 || (rc = survey(&x)) < 0)
		goto out;
	if (!(r = ferry__calloc(1, sizeof(*r)))) {
		rc = ferry__error_oom(err);
		goto out;
	}
	rc = copy_all(&x, r);
out:
	if (snapshot)
		from->drv->rollback(from);
	if (locked)
		ferry__unlock(to);
	if (rc == 0 && out)
		*out = r;
	else
		ferry_load_report_free(r);
	free(version);
	ctx_clear(&x);
	return rc;
}
