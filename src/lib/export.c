/* SPDX-License-Identifier: MIT */
/*
 * export.c - `ferry export`: a database's rows as JSON Lines.
 *
 * What to read and where to write are decided here; the reading is the
 * driver's (export_begin, export_columns_sql, export_value, export_rows
 * in db_<engine>.c), the JSON is export_json.c's. The pipeline:
 *
 *	snapshot -> ledger state -> columns of every table -> selection
 *	-> per target: header line, then each table's rows, streamed
 *	-> rename every file into place, or remove them all
 *
 * Lines are gathered in one buffer and handed on every 64 KiB, so memory
 * is that buffer plus one row, whatever the size of the tables.
 */
#include "ferry_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSH_AT ((size_t)64 * 1024)
#define PROGRESS_EVERY 10000

typedef struct {
	char *name;
	char *type;
	char *kind;
	int pk; /* place in the primary key, 1-based; 0: none */
} export_col;

typedef struct {
	char *name;
	export_col *cols;
	size_t ncols, acols;
	const char *where; /* borrowed from the options, or NULL */
	int chosen;
} export_table;

struct ferry_export_report {
	ferry_export_table *pub;
	size_t n;
	uint64_t rows;
};

/* One output: a file being written (path mode) or the caller's callback. */
typedef struct {
	char *final; /* NULL: the callback */
	char *tmp;
	FILE *f;
} export_out;

typedef struct {
	ferry_db *db;
	const ferry_export_options *opts;
	ferry_error *err;
	export_table *tables;
	size_t n, alloc;
	export_out *outs;
	size_t nouts;
	export_out *out; /* where lines go now */
	ferry__buf line;
	char *version, *release;
	char at[32];
	/* the table being read */
	const char *table;
	ferry__buf prefix; /* {"table": "t", "row": [ */
	uint64_t rows;
	int rc;
} export_ctx;

size_t ferry_export_report_count(const ferry_export_report *r)
{
	return r ? r->n : 0;
}

const ferry_export_table *ferry_export_report_at(
	const ferry_export_report *r, size_t i)
{
	return r && i < r->n ? &r->pub[i] : NULL;
}

uint64_t ferry_export_report_rows(const ferry_export_report *r)
{
	return r ? r->rows : 0;
}

void ferry_export_report_free(ferry_export_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free((char *)r->pub[i].name);
		free((char *)r->pub[i].path);
	}
	free(r->pub);
	free(r);
}

/*
 * Output
 */

/* Hand what the buffer holds to the current output. */
static int flush_line(export_ctx *x)
{
	export_out *o = x->out;
	int bad;

	if (x->line.oom)
		return ferry__error_oom(x->err);
	if (x->line.len == 0)
		return 0;
	if (o->f)
		bad = fwrite(x->line.buf, 1, x->line.len, o->f) != x->line.len;
	else
		bad = x->opts->write(
			      x->line.buf, x->line.len, x->opts->payload) != 0;
	ferry__buf_clear(&x->line);
	if (bad && o->f)
		return ferry__error_os(x->err, FERRY_ERROR, "write", o->final);
	if (bad)
		return ferry__error_set(
			x->err, FERRY_ERROR, "cannot write the export");
	return 0;
}

/* Is `path` meant as a directory: ending in '/', or one that exists? */
static int is_dir_target(const char *path)
{
	struct stat st;
	size_t n = strlen(path);

	return (n > 0 && path[n - 1] == '/') ||
		(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

static int out_open(export_ctx *x, export_out *o, char *final)
{
	int fd, rc;

	o->final = final;
	if ((rc = ferry__backup_tmp(final, &o->tmp, &fd, x->err)) < 0)
		return rc;
	if (!(o->f = fdopen(fd, "w"))) {
		close(fd);
		return ferry__error_oom(x->err);
	}
	return 0;
}

/* Close every file; rename each into place when all is well, else remove. */
static int outs_finish(export_ctx *x, int ok)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < x->nouts; i++) {
		export_out *o = &x->outs[i];

		if (o->f) {
			int bad = fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;

			if (fclose(o->f) != 0)
				bad = 1;
			o->f = NULL;
			if (bad && ok && rc == 0)
				rc = ferry__error_os(
					x->err, FERRY_ERROR, "write", o->final);
		}
	}
	for (i = 0; i < x->nouts; i++) {
		export_out *o = &x->outs[i];

		if (!o->tmp)
			continue;
		if (ok && rc == 0 && rename(o->tmp, o->final) != 0)
			rc = ferry__error_os(
				x->err, FERRY_ERROR, "rename to", o->final);
		if (!ok || rc < 0)
			unlink(o->tmp);
	}
	return rc;
}

/*
 * The header
 */

static void header(export_ctx *x, const export_table *only)
{
	ferry__buf *b = &x->line;
	size_t i, k;
	int first = 1;

	ferry__buf_printf(b, "{\"ferry_export\": 1, \"engine\": ");
	ferry__json_str(b, x->db->drv->name, strlen(x->db->drv->name));
	ferry__buf_puts(b, ", \"ferry_version\": ");
	ferry__json_str(b, ferry_version(), strlen(ferry_version()));
	ferry__buf_puts(b, ", \"version\": ");
	if (x->version)
		ferry__json_str(b, x->version, strlen(x->version));
	else
		ferry__buf_puts(b, "null");
	ferry__buf_puts(b, ", \"release\": ");
	if (x->release)
		ferry__json_str(b, x->release, strlen(x->release));
	else
		ferry__buf_puts(b, "null");
	ferry__buf_printf(b, ", \"exported_at\": \"%s\", \"tables\": [", x->at);
	for (i = 0; i < x->n; i++) {
		const export_table *t = &x->tables[i];
		int pk, firstpk = 1;

		if (!t->chosen || (only && t != only))
			continue;
		ferry__buf_puts(b, first ? "{\"name\": " : ", {\"name\": ");
		first = 0;
		ferry__json_str(b, t->name, strlen(t->name));
		ferry__buf_puts(b, ", \"columns\": [");
		for (k = 0; k < t->ncols; k++) {
			ferry__buf_puts(b, k ? ", {\"name\": " : "{\"name\": ");
			ferry__json_str(
				b, t->cols[k].name, strlen(t->cols[k].name));
			ferry__buf_puts(b, ", \"type\": ");
			ferry__json_str(
				b, t->cols[k].type, strlen(t->cols[k].type));
			ferry__buf_puts(b, "}");
		}
		ferry__buf_puts(b, "], \"primary_key\": [");
		for (pk = 1; pk <= (int)t->ncols; pk++)
			for (k = 0; k < t->ncols; k++) {
				if (t->cols[k].pk != pk)
					continue;
				if (!firstpk)
					ferry__buf_puts(b, ", ");
				firstpk = 0;
				ferry__json_str(b, t->cols[k].name,
					strlen(t->cols[k].name));
			}
		ferry__buf_puts(b, "]");
		if (t->where) {
			ferry__buf_puts(b, ", \"where\": ");
			ferry__json_str(b, t->where, strlen(t->where));
		}
		ferry__buf_puts(b, "}");
	}
	ferry__buf_puts(b, "]}\n");
}

/*
 * Reading
 */

static int add_column(void *payload, int ncols, const char *const *v)
{
	export_ctx *x = payload;
	export_table *t = x->n ? &x->tables[x->n - 1] : NULL;
	export_col *c;

	if (ncols < 5 || !v[0] || !v[1])
		return 0;
	if (!t || strcmp(t->name, v[0]) != 0) {
		if (FERRY__GROW(x->tables, x->alloc, x->n + 1, 16) < 0)
			return x->rc = ferry__error_oom(x->err);
		t = &x->tables[x->n++];
		memset(t, 0, sizeof(*t));
		if (!(t->name = ferry__strdup(v[0])))
			return x->rc = ferry__error_oom(x->err);
	}
	if (FERRY__GROW(t->cols, t->acols, t->ncols + 1, 8) < 0)
		return x->rc = ferry__error_oom(x->err);
	c = &t->cols[t->ncols++];
	c->name = ferry__strdup(v[1]);
	c->type = ferry__strdup(v[2] ? v[2] : "");
	c->kind = ferry__strdup(v[4] ? v[4] : "");
	c->pk = v[3] ? (int)strtol(v[3], NULL, 10) : 0;
	if (!c->name || !c->type || !c->kind)
		return x->rc = ferry__error_oom(x->err);
	return 0;
}

static int write_row(void *payload, int ncols, const char *const *v)
{
	export_ctx *x = payload;
	int i;

	ferry__buf_put(&x->line, x->prefix.buf, x->prefix.len);
	for (i = 0; i < ncols; i++) {
		if (i)
			ferry__buf_put(&x->line, ", ", 2);
		ferry__json_export_value(&x->line, v[i]);
	}
	ferry__buf_put(&x->line, "]}\n", 3);
	x->rows++;
	if (x->line.len >= FLUSH_AT && (x->rc = flush_line(x)) < 0)
		return 1;
	if (x->rows % PROGRESS_EVERY == 0) {
		if (x->opts->progress)
			x->opts->progress(x->table, x->rows, x->opts->payload);
		if (ferry__interrupted(x->db)) {
			x->rc = ferry__error_interrupted(x->err);
			return 1;
		}
	}
	return 0;
}

/* The table's name as SQL: quoted, in the ledger's schema where there
 * are schemas. */
static void table_sql(export_ctx *x, ferry__buf *b, const char *name)
{
	if (x->db->drv->schemas) {
		ferry__buf_quote_ident(b, x->db->schema);
		ferry__buf_puts(b, ".");
	}
	ferry__buf_quote_ident(b, name);
}

static int export_table_rows(export_ctx *x, export_table *t, uint64_t *rows)
{
	ferry__buf sql = FERRY__BUF_INIT, q = FERRY__BUF_INIT;
	size_t k;
	int pk, any = 0, rc;

	ferry__buf_puts(&sql, "SELECT ");
	for (k = 0; k < t->ncols; k++) {
		ferry__buf_clear(&q);
		ferry__buf_quote_ident(&q, t->cols[k].name);
		if (k)
			ferry__buf_puts(&sql, ", ");
		x->db->drv->export_value(
			&sql, ferry__buf_cstr(&q), t->cols[k].kind);
	}
	ferry__buf_puts(&sql, " FROM ");
	table_sql(x, &sql, t->name);
	if (t->where)
		ferry__buf_printf(&sql, " WHERE (%s\n)", t->where);
	/* Primary key order: the same rows come out the same, diffable. */
	for (pk = 1; pk <= (int)t->ncols; pk++)
		for (k = 0; k < t->ncols; k++) {
			if (t->cols[k].pk != pk)
				continue;
			ferry__buf_puts(&sql, any ? ", " : " ORDER BY ");
			ferry__buf_quote_ident(&sql, t->cols[k].name);
			any = 1;
		}
	ferry__buf_clear(&x->prefix);
	ferry__buf_puts(&x->prefix, "{\"table\": ");
	ferry__json_str(&x->prefix, t->name, strlen(t->name));
	ferry__buf_puts(&x->prefix, ", \"row\": [");
	if (sql.oom || x->prefix.oom) {
		rc = ferry__error_oom(x->err);
		goto out;
	}
	x->table = t->name;
	x->rows = 0;
	x->rc = 0;
	if (x->opts->progress)
		x->opts->progress(t->name, 0, x->opts->payload);
	rc = x->db->drv->export_rows(x->db, sql.buf, write_row, x, x->err);
	if (x->rc < 0)
		rc = x->rc;
	if (rc == FERRY_EINVALID && t->where && x->err) {
		/* The engine's words become the detail of ours. */
		char words[sizeof(x->err->message)];

		memcpy(words, x->err->message, sizeof(words));
		ferry__error_set(x->err, FERRY_EINVALID,
			"bad condition for table '%s'", t->name);
		ferry__error_detail(x->err, "%s", words);
	} else if (rc == FERRY_EINVALID) {
		rc = FERRY_EDB; /* ferry's own statement: not the user's */
		if (x->err)
			x->err->code = rc;
	}
	if (rc == 0)
		rc = flush_line(x);
	*rows = x->rows;
out:
	ferry__buf_release(&sql);
	ferry__buf_release(&q);
	return rc;
}

/*
 * Choosing
 */

static export_table *find_table(export_ctx *x, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strlen(x->tables[i].name) == len &&
			strncmp(x->tables[i].name, name, len) == 0)
			return &x->tables[i];
	return NULL;
}

static int missing(export_ctx *x, const char *name, size_t len)
{
	ferry__error_set(x->err, FERRY_EINVALID, "table '%.*s' does not exist",
		(int)len, name);
	if (x->db->drv->schemas)
		ferry__error_detail(
			x->err, "looked in schema '%s'", x->db->schema);
	return FERRY_EINVALID;
}

static int choose(export_ctx *x)
{
	const ferry_export_options *o = x->opts;
	export_table *t;
	size_t i;

	if (o->ntables == 0) {
		for (i = 0; i < x->n; i++)
			x->tables[i].chosen = o->include_ledger ||
				!ferry__objects_own_table(
					x->db, x->tables[i].name);
	}
	for (i = 0; i < o->ntables; i++) {
		if (!(t = find_table(x, o->tables[i], strlen(o->tables[i]))))
			return missing(x, o->tables[i], strlen(o->tables[i]));
		t->chosen = 1;
	}
	for (i = 0; i < o->nwheres; i++) {
		const char *w = o->wheres[i], *colon = strchr(w, ':');

		if (!colon || colon == w || !colon[1])
			return ferry__error_set(x->err, FERRY_EINVALID,
				"a condition is 'TABLE:CONDITION', not '%s'",
				w);
		if (!(t = find_table(x, w, (size_t)(colon - w))))
			return missing(x, w, (size_t)(colon - w));
		if (!t->chosen)
			return ferry__error_set(x->err, FERRY_EINVALID,
				"a condition for table '%s', which is not "
				"exported",
				t->name);
		if (t->where)
			return ferry__error_set(x->err, FERRY_EINVALID,
				"two conditions for table '%s'", t->name);
		t->where = colon + 1;
	}
	return 0;
}

/* The report, from the tables read; paths as written in dir mode. */
static int report(export_ctx *x, ferry_export_report **out,
	const uint64_t *rows, int per_table)
{
	ferry_export_report *r = ferry__calloc(1, sizeof(*r));
	size_t i, k = 0, o = 0;

	if (!r || !(r->pub = ferry__calloc(x->n + 1, sizeof(*r->pub)))) {
		free(r);
		return ferry__error_oom(x->err);
	}
	for (i = 0; i < x->n; i++) {
		if (!x->tables[i].chosen)
			continue;
		r->pub[k].name = ferry__strdup(x->tables[i].name);
		r->pub[k].rows = rows[k];
		r->rows += rows[k];
		if (per_table &&
			!(r->pub[k].path = ferry__strdup(x->outs[o++].final))) {
			r->n = k + 1;
			ferry_export_report_free(r);
			return ferry__error_oom(x->err);
		}
		if (!r->pub[k++].name) {
			r->n = k;
			ferry_export_report_free(r);
			return ferry__error_oom(x->err);
		}
	}
	r->n = k;
	*out = r;
	return 0;
}

static int prepare_outputs(export_ctx *x, size_t chosen, int per_table)
{
	const char *path = x->opts->path;
	size_t i, k = 0;
	int rc;

	x->outs = ferry__calloc(chosen + 1, sizeof(*x->outs));
	if (!x->outs)
		return ferry__error_oom(x->err);
	if (!path) {
		x->nouts = 1;
		return 0;
	}
	if (!per_table) {
		char *final = ferry__strdup(path);

		x->nouts = 1;
		return final ? out_open(x, &x->outs[0], final)
			     : ferry__error_oom(x->err);
	}
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return ferry__error_os(
			x->err, FERRY_ERROR, "create directory", path);
	for (i = 0; i < x->n; i++) {
		ferry__buf b = FERRY__BUF_INIT;
		size_t n = strlen(path);

		if (!x->tables[i].chosen)
			continue;
		ferry__buf_printf(&b, "%s%s%s.jsonl", path,
			n && path[n - 1] == '/' ? "" : "/", x->tables[i].name);
		if (b.oom)
			return ferry__error_oom(x->err);
		x->nouts = ++k;
		if ((rc = out_open(x, &x->outs[k - 1], ferry__buf_detach(&b))) <
			0)
			return rc;
	}
	return 0;
}

static void ctx_clear(export_ctx *x)
{
	size_t i, k;

	for (i = 0; i < x->n; i++) {
		for (k = 0; k < x->tables[i].ncols; k++) {
			free(x->tables[i].cols[k].name);
			free(x->tables[i].cols[k].type);
			free(x->tables[i].cols[k].kind);
		}
		free(x->tables[i].cols);
		free(x->tables[i].name);
	}
	free(x->tables);
	for (i = 0; x->outs && i < x->nouts; i++) {
		free(x->outs[i].final);
		free(x->outs[i].tmp);
	}
	free(x->outs);
	ferry__buf_release(&x->line);
	ferry__buf_release(&x->prefix);
	free(x->version);
	free(x->release);
}

int ferry_export(ferry_export_report **out, ferry_db *db,
	const ferry_export_options *opts, ferry_error *err)
{
	export_ctx x;
	ferry__val schema = { FERRY__VAL_TEXT, 0, NULL };
	uint64_t *rows = NULL;
	size_t i, chosen = 0, k = 0;
	int rc, per_table;

	if (out)
		*out = NULL;
	if (!db)
		return ferry__error_set(
			err, FERRY_EINVALID, "invalid argument: 'db'");
	if (!opts || opts->version != FERRY_EXPORT_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)",
			opts ? opts->version : 0);
	if (!opts->path && !opts->write)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (neither path nor write)");
	if (!db->drv->export_rows)
		return ferry__error_set(err, FERRY_EINVALID, "%s cannot export",
			db->drv->label);
	/* A read-only open of a SQLite file that is not there: no tables to
	 * export, but an empty export would hide a wrong path. */
	if (!db->exists)
		return ferry__error_set(err, FERRY_EINVALID,
			"database '%s' does not exist", db->url.display);
	memset(&x, 0, sizeof(x));
	x.db = db;
	x.opts = opts;
	x.err = err;
	per_table = opts->path && is_dir_target(opts->path);
	ferry__utc_now(x.at);

	if ((rc = db->drv->export_begin(db, err)) < 0 ||
		(rc = ferry__ledger_newest(db, &x.version, &x.release, err)) <
			0)
		goto out;
	schema.s = db->schema;
	if ((rc = db->drv->query(db, db->drv->export_columns_sql, &schema,
		     db->drv->schemas ? 1 : 0, add_column, &x, err)) < 0)
		goto out;
	if ((rc = x.rc) < 0 || (rc = choose(&x)) < 0)
		goto out;
	for (i = 0; i < x.n; i++)
		chosen += x.tables[i].chosen;
	if (!(rows = ferry__calloc(chosen + 1, sizeof(*rows)))) {
		rc = ferry__error_oom(err);
		goto out;
	}
	if ((rc = prepare_outputs(&x, chosen, per_table)) < 0)
		goto out;
	x.out = &x.outs[0];
	if (!per_table)
		header(&x, NULL);
	for (i = 0; i < x.n; i++) {
		if (!x.tables[i].chosen)
			continue;
		if (per_table) {
			x.out = &x.outs[k];
			header(&x, &x.tables[i]);
		}
		if ((rc = export_table_rows(&x, &x.tables[i], &rows[k])) < 0)
			goto out;
		k++;
	}
	if ((rc = flush_line(&x)) == 0 && out)
		rc = report(&x, out, rows, per_table);
out:
	db->drv->rollback(db);
	/* The report is made first: once renamed, files are not taken back. */
	if (x.outs) {
		int frc = outs_finish(&x, rc == 0);

		if (rc == 0 && frc < 0) {
			rc = frc;
			if (out) {
				ferry_export_report_free(*out);
				*out = NULL;
			}
		}
	}
	free(rows);
	ctx_clear(&x);
	return rc;
}
