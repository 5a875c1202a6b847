/* SPDX-License-Identifier: MIT */
/*
 * import.c - `ferry import FILE`: an export's rows back into a database.
 *
 * An export is JSON Lines (docs/ferry-export.md): a header, then each
 * table's rows together. Loading goes by the target's foreign keys, not
 * by the file's order (tables come out by name), so a file that can be
 * read twice is first scanned for where each table's rows start:
 *
 *	headers -> same migration version? -> each table and column there?
 *	-> rows start where (scan) -> order by foreign keys -> empty?
 *	-> per table (or once): BEGIN, rows (load.c), COMMIT
 *
 * Every line is parsed by Jansson; a value is turned into export_rows()'s
 * form (kind letter, text) and handed to the loader, one row at a time.
 */
#include "ferry_int.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FORMAT_VERSION 1
#define PROGRESS_EVERY 10000

/* One table of the export: where its rows are and what they hold. */
typedef struct {
	char *name;
	char **cols;  /* the header's columns, in row order */
	char **types; /* and their types, as the source declared them */
	size_t ncols;
	size_t file;   /* which input */
	long offset;   /* of its first row, or -1: none, or not known */
	long line;     /* that row's line number */
	uint64_t rows; /* found by the scan */
	int in_target; /* the target has it */
} import_table;

typedef struct {
	char *path;
	FILE *f;
	int seekable;
} import_input;

typedef struct {
	ferry_db *db;
	const ferry_import_options *opts;
	ferry_error *err;
	import_input *in;
	size_t nin, ain;
	import_table *tables;
	size_t n, alloc;
	char *version; /* the export's, or NULL */
	ferry__load_schema target;
	/* the line being read */
	char *line;
	size_t line_alloc;
	long lineno;
	/* A pipe: the line that ended a table's rows, the next one's first */
	int pending;
	ssize_t pending_len;
	ferry__buf row; /* the values, NUL after each */
	const char **vals;
	size_t avals;
} import_ctx;

static int at_line(import_ctx *x, const import_input *in, long line, int col,
	int code, const char *fmt, const char *a, const char *b)
{
	ferry__error_set(x->err, code, fmt, a, b);
	ferry__error_at(x->err, in->path, (int)line, col);
	return code;
}

static int damaged(import_ctx *x, const import_input *in, long line, int col,
	const char *what)
{
	at_line(x, in, line, col, FERRY_EINVALID, "%s%s", what, "");
	ferry__error_hint(x->err,
		"the file is damaged or was cut short: export the database "
		"again");
	return FERRY_EINVALID;
}

/*
 * Read one line into x->line: 1, 0 at the end, or an error for a last
 * line without its '\n' (a file cut short).
 */
static int read_line(import_ctx *x, import_input *in, ssize_t *len)
{
	errno = 0;
	*len = getline(&x->line, &x->line_alloc, in->f);
	if (*len < 0) {
		if (ferror(in->f))
			return ferry__error_os(
				x->err, FERRY_ERROR, "read", in->path);
		return 0;
	}
	x->lineno++;
	if (x->line[*len - 1] != '\n')
		return damaged(x, in, x->lineno, (int)*len + 1,
			"the file ends in the middle of a line");
	return 1;
}

/* read_line(), after the line a pipe's previous table left unread. */
static int next_line(import_ctx *x, import_input *in, ssize_t *len)
{
	if (x->pending) {
		x->pending = 0;
		*len = x->pending_len;
		return 1;
	}
	return read_line(x, in, len);
}

static json_t *parse(import_ctx *x, import_input *in, ssize_t len, int *rc)
{
	json_error_t je;
	json_t *j =
		json_loadb(x->line, (size_t)len, JSON_REJECT_DUPLICATES, &je);

	*rc = 0;
	if (!j) {
		char what[200];

		snprintf(what, sizeof(what), "not JSON: %s", je.text);
		*rc = damaged(
			x, in, x->lineno, je.column > 0 ? je.column : 1, what);
	}
	return j;
}

/*
 * The header
 */

static int add_table(import_ctx *x, size_t file, json_t *t)
{
	json_t *name = json_object_get(t, "name");
	json_t *cols = json_object_get(t, "columns"), *c;
	import_table *it;
	size_t i;

	if (!json_is_string(name) || !json_is_array(cols))
		return -1;
	for (i = 0; i < x->n; i++)
		if (!strcmp(x->tables[i].name, json_string_value(name)))
			return -2;
	if (FERRY__GROW(x->tables, x->alloc, x->n + 1, 8) < 0)
		return ferry__error_oom(x->err);
	it = &x->tables[x->n];
	memset(it, 0, sizeof(*it));
	it->file = file;
	it->offset = -1;
	if (!(it->name = ferry__strdup(json_string_value(name))) ||
		!(it->cols = ferry__calloc(
			  json_array_size(cols) + 1, sizeof(*it->cols))) ||
		!(it->types = ferry__calloc(
			  json_array_size(cols) + 1, sizeof(*it->types)))) {
		free(it->name);
		free(it->cols);
		return ferry__error_oom(x->err);
	}
	x->n++;
	json_array_foreach(cols, i, c)
	{
		json_t *cn = json_object_get(c, "name");
		json_t *ct = json_object_get(c, "type");

		if (!json_is_string(cn))
			return -1;
		if (!(it->cols[i] = ferry__strdup(json_string_value(cn))) ||
			!(it->types[i] = ferry__strdup(json_is_string(ct)
					  ? json_string_value(ct)
					  : ""))) {
			free(it->cols[i]);
			it->cols[i] = NULL;
			return ferry__error_oom(x->err);
		}
		it->ncols++;
	}
	return 0;
}

static int read_header(import_ctx *x, size_t file)
{
	import_input *in = &x->in[file];
	json_t *h = NULL, *fmt, *tables, *t, *version;
	ssize_t len;
	size_t i;
	int rc;

	x->lineno = 0;
	if ((rc = read_line(x, in, &len)) <= 0) {
		if (rc == 0)
			rc = at_line(x, in, 1, 1, FERRY_EINVALID,
				"%s is empty, not a ferry export%s", in->path,
				"");
		return rc;
	}
	if (!(h = parse(x, in, len, &rc)))
		goto not_export;
	fmt = json_object_get(h, "ferry_export");
	if (!json_is_integer(fmt))
		goto not_export;
	if (json_integer_value(fmt) != FORMAT_VERSION) {
		char n[24];

		snprintf(n, sizeof(n), "%lld",
			(long long)json_integer_value(fmt));
		at_line(x, in, 1, 1, FERRY_EINVALID,
			"the export is in format %s, which this ferry does not "
			"read (it reads format 1)%s",
			n, "");
		ferry__error_hint(x->err,
			json_integer_value(fmt) > FORMAT_VERSION
				? "a newer ferry wrote it: import it with that "
				  "ferry, or export again with this one"
				: "export the database again");
		rc = FERRY_EINVALID;
		goto out;
	}
	version = json_object_get(h, "version");
	tables = json_object_get(h, "tables");
	if (!json_is_array(tables) ||
		!(json_is_null(version) || json_is_string(version)))
		goto not_export;
	if (file == 0 && json_is_string(version) &&
		!(x->version = ferry__strdup(json_string_value(version)))) {
		rc = ferry__error_oom(x->err);
		goto out;
	}
	if (file > 0 &&
		(json_is_string(version) != (x->version != NULL) ||
			(x->version &&
				strcmp(x->version,
					json_string_value(version)) != 0))) {
		rc = at_line(x, in, 1, 1, FERRY_EINVALID,
			"%s is from another export than %s: another migration "
			"version",
			in->path, x->in[0].path);
		goto out;
	}
	json_array_foreach(tables, i, t)
	{
		if ((rc = add_table(x, file, t)) == -1) {
			rc = 0; /* not a code: the header's shape is wrong */
			goto not_export;
		}
		if (rc == -2) {
			rc = at_line(x, in, 1, 1, FERRY_EINVALID,
				"table '%s' is in the export twice%s",
				json_string_value(json_object_get(t, "name")),
				"");
			goto out;
		}
		if (rc < 0)
			goto out;
	}
	rc = 0;
	goto out;
not_export:
	if (rc == 0) {
		rc = at_line(x, in, 1, 1, FERRY_EINVALID,
			"%s is not a ferry export: its first line is no "
			"export header%s",
			in->path, "");
		ferry__error_hint(x->err,
			"'ferry export' writes one; to convert another tool's "
			"migration files, use 'ferry import --from FORMAT'");
	}
out:
	json_decref(h);
	return rc;
}

/*
 * Inputs
 */

static int add_input(import_ctx *x, const char *path)
{
	import_input *in;
	struct stat st;

	if (FERRY__GROW(x->in, x->ain, x->nin + 1, 4) < 0)
		return ferry__error_oom(x->err);
	in = &x->in[x->nin];
	memset(in, 0, sizeof(*in));
	if (!(in->path = ferry__strdup(path)))
		return ferry__error_oom(x->err);
	x->nin++;
	if (!(in->f = fopen(path, "r")))
		return ferry__error_os(x->err,
			errno == ENOENT ? FERRY_EINVALID : FERRY_ERROR, "open",
			path);
	in->seekable = fstat(fileno(in->f), &st) == 0 && S_ISREG(st.st_mode);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: its *.jsonl files, by name. */
static int open_dir(import_ctx *x, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	int rc = 0;

	if (!d)
		return ferry__error_os(x->err, FERRY_ERROR, "open", dir);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		ferry__buf p = FERRY__BUF_INIT;

		if (e->d_name[0] == '.' || len < 7 ||
			strcmp(e->d_name + len - 6, ".jsonl") != 0)
			continue;
		ferry__buf_printf(&p, "%s/%s", dir, e->d_name);
		if (p.oom || FERRY__GROW(names, alloc, n + 1, 8) < 0) {
			ferry__buf_release(&p);
			rc = ferry__error_oom(x->err);
			break;
		}
		names[n++] = ferry__buf_detach(&p);
	}
	closedir(d);
	if (rc == 0 && n == 0)
		rc = ferry__error_set(x->err, FERRY_EINVALID,
			"directory '%s' holds no export (*.jsonl)", dir);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = add_input(x, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

/*
 * The scan: where each table's rows start, and that they come together.
 */

static import_table *table_named(import_ctx *x, size_t file, const char *name)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (x->tables[i].file == file &&
			!strcmp(x->tables[i].name, name))
			return &x->tables[i];
	return NULL;
}

/* The table of the row on x->line: the same as `current` when the line
 * starts as its rows do, else parsed. */
static int row_table(import_ctx *x, import_input *in, ssize_t len,
	import_table **t, const ferry__buf *prefix)
{
	json_t *j, *name;
	int rc;

	if (*t && prefix->len && (size_t)len > prefix->len &&
		!memcmp(x->line, prefix->buf, prefix->len))
		return 0;
	if (!(j = parse(x, in, len, &rc)))
		return rc;
	name = json_object_get(j, "table");
	if (!json_is_string(name) || !json_is_array(json_object_get(j, "row")))
		rc = damaged(x, in, x->lineno, 1,
			"a row is {\"table\": ..., \"row\": [...]}");
	else if (!(*t = table_named(
			   x, (size_t)(in - x->in), json_string_value(name))))
		rc = at_line(x, in, x->lineno, 1, FERRY_EINVALID,
			"table '%s' is not in the export's header%s",
			json_string_value(name), "");
	json_decref(j);
	return rc;
}

static int scan(import_ctx *x, size_t file)
{
	import_input *in = &x->in[file];
	import_table *t = NULL, *prev = NULL;
	ferry__buf prefix = FERRY__BUF_INIT;
	ssize_t len;
	long at = ftell(in->f);
	int rc;

	while ((rc = read_line(x, in, &len)) > 0) {
		if ((rc = row_table(x, in, len, &t, &prefix)) < 0)
			break;
		if (t != prev) {
			if (t->offset >= 0) {
				rc = at_line(x, in, x->lineno, 1,
					FERRY_EINVALID,
					"the rows of table '%s' are not "
					"together: they start again here%s",
					t->name, "");
				break;
			}
			t->offset = at;
			t->line = x->lineno;
			prev = t;
			ferry__buf_clear(&prefix);
			ferry__buf_puts(&prefix, "{\"table\": ");
			ferry__json_str(&prefix, t->name, strlen(t->name));
			ferry__buf_puts(&prefix, ", ");
		}
		t->rows++;
		at += (long)len; /* ftell() would be a system call a line */
	}
	ferry__buf_release(&prefix);
	return rc;
}

/*
 * Values
 */

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard base64, padded, as bytes in hex; -1 when it is not. */
static int base64_hex(ferry__buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned acc = 0;
	int bits = 0;
	size_t i, pad = 0;

	if (len % 4)
		return -1;
	while (pad < 2 && len > pad && s[len - 1 - pad] == '=')
		pad++;
	for (i = 0; i < len - pad; i++) {
		int v = b64_value((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			unsigned char byte = (unsigned char)(acc >> (bits - 8));

			bits -= 8;
			ferry__buf_put(b, &hex[byte >> 4], 1);
			ferry__buf_put(b, &hex[byte & 15], 1);
		}
	}
	return 0;
}

/* One JSON value as export_rows() gives it; "" for NULL (the caller
 * maps it), or a message for what is no value. */
static const char *put_value(ferry__buf *b, json_t *v)
{
	json_t *b64;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return NULL;
	case JSON_TRUE:
	case JSON_FALSE:
		ferry__buf_printf(b, "%c%c", FERRY__EXPORT_BOOL,
			json_is_true(v) ? 't' : 'f');
		return NULL;
	case JSON_INTEGER:
		ferry__buf_printf(b, "%c%lld", FERRY__EXPORT_INT,
			(long long)json_integer_value(v));
		return NULL;
	case JSON_REAL:
		ferry__buf_put(b, "f", 1);
		ferry__float_text(b, json_real_value(v));
		return NULL;
	case JSON_STRING:
		if (memchr(json_string_value(v), '\0', json_string_length(v)))
			return "a string holds a NUL character, which no "
			       "text column can";
		ferry__buf_put(b, "t", 1);
		ferry__buf_put(b, json_string_value(v), json_string_length(v));
		return NULL;
	case JSON_OBJECT:
		b64 = json_object_get(v, "base64");
		if (json_object_size(v) != 1 || !json_is_string(b64))
			break;
		ferry__buf_put(b, "x", 1);
		if (base64_hex(b, json_string_value(b64),
			    json_string_length(b64)) < 0)
			return "bytes that are not base64";
		return NULL;
	default:
		break;
	}
	return "an object or an array is no value here (bytes are "
	       "{\"base64\": ...}, JSON columns strings)";
}

/* Export writes a float's NaN and infinities as strings. */
static int float_word(const char *s)
{
	return !strcmp(s, "NaN") || !strcmp(s, "Infinity") ||
		!strcmp(s, "-Infinity");
}

/* A float column, by SQLite's rule for REAL affinity, which also names
 * PostgreSQL's real and double precision. */
static int float_type(const char *type)
{
	char lower[64];
	size_t i;

	for (i = 0; i < sizeof(lower) - 1 && type[i]; i++)
		lower[i] = (char)(type[i] >= 'A' && type[i] <= 'Z'
				? type[i] - 'A' + 'a'
				: type[i]);
	lower[i] = '\0';
	return strstr(lower, "real") || strstr(lower, "floa") ||
		strstr(lower, "doub");
}

/* The row on x->line, of table `t`, into x->vals (t->ncols values). */
static int row_values(
	import_ctx *x, import_input *in, ssize_t len, import_table *t)
{
	json_t *j, *row, *v;
	size_t i, *at = NULL;
	const char *bad = NULL;
	int rc;

	if (!(j = parse(x, in, len, &rc)))
		return rc;
	row = json_object_get(j, "row");
	if (!json_is_array(row) || json_array_size(row) != t->ncols) {
		char n[48];

		snprintf(n, sizeof(n), "%zu", t->ncols);
		rc = at_line(x, in, x->lineno, 1, FERRY_EINVALID,
			"a row of table '%s' needs %s values, one per column "
			"of the header",
			t->name, n);
		goto out;
	}
	if (!(at = ferry__calloc(t->ncols + 1, sizeof(*at)))) {
		rc = ferry__error_oom(x->err);
		goto out;
	}
	ferry__buf_clear(&x->row);
	json_array_foreach(row, i, v)
	{
		at[i] = x->row.len;
		if ((bad = put_value(&x->row, v)) != NULL) {
			rc = at_line(x, in, x->lineno, 1, FERRY_EINVALID,
				"column '%s': %s", t->cols[i], bad);
			goto out;
		}
		if (json_is_string(v) && float_word(json_string_value(v)) &&
			float_type(t->types[i]))
			x->row.buf[at[i]] = FERRY__EXPORT_FLOAT;
		ferry__buf_put(&x->row, "", 1);
	}
	if (x->row.oom) {
		rc = ferry__error_oom(x->err);
		goto out;
	}
	for (i = 0; i < t->ncols; i++)
		x->vals[i] = x->row.buf[at[i]] ? x->row.buf + at[i] : NULL;
out:
	free(at);
	json_decref(j);
	return rc;
}

/*
 * Loading one table
 */

/* The engine refused a row: name the file's line, the table, the column. */
static int refused_row(
	import_ctx *x, const import_input *in, const import_table *t, int rc)
{
	long line = x->err->line > 0 ? t->line + x->err->line - 1 : 0;
	int col = x->err->column
		? x->err->column
		: ferry__load_error_column(x->err, t->cols, t->ncols);

	ferry__load_error_place(x->err, t->name,
		col > 0 && (size_t)col <= t->ncols ? t->cols[col - 1] : NULL,
		NULL);
	if (line > 0)
		ferry__error_at(x->err, in->path, (int)line, 1);
	if (!x->err->hint[0])
		ferry__error_hint(x->err,
			"the table was left as it was; fix the row, or the "
			"target's schema, and import again");
	return rc;
}

static int load_table(import_ctx *x, import_table *t, ferry_load_report *r)
{
	import_input *in = &x->in[t->file];
	ferry__loader l;
	import_table *cur = t;
	ferry__buf prefix = FERRY__BUF_INIT;
	uint64_t bytes = 0;
	ssize_t len;
	int rc;

	if (FERRY__GROW(x->vals, x->avals, t->ncols + 1, 16) < 0)
		return ferry__error_oom(x->err);
	if (x->opts->progress)
		x->opts->progress(t->name, 0, t->rows, 0, x->opts->payload);
	if ((rc = ferry__load_begin(&l, x->db, t->name,
		     (const char *const *)t->cols, t->ncols, x->err)) < 0) {
		ferry__load_release(&l);
		return rc;
	}
	if (t->offset >= 0 && fseek(in->f, t->offset, SEEK_SET) != 0) {
		rc = ferry__error_os(x->err, FERRY_ERROR, "read", in->path);
		goto out;
	}
	if (t->offset >= 0)
		x->lineno = t->line - 1;
	ferry__buf_puts(&prefix, "{\"table\": ");
	ferry__json_str(&prefix, t->name, strlen(t->name));
	ferry__buf_puts(&prefix, ", ");
	while ((rc = next_line(x, in, &len)) > 0) {
		if ((rc = row_table(x, in, len, &cur, &prefix)) < 0)
			break;
		if (cur != t) {
			/* the next table's rows: a pipe keeps its first */
			x->pending = t->offset < 0;
			x->pending_len = len;
			break;
		}
		if (t->line == 0)
			t->line = x->lineno;
		bytes += (uint64_t)len;
		if ((rc = row_values(x, in, len, t)) < 0)
			break;
		if ((rc = ferry__load_row(&l, (int)t->ncols, x->vals, x->err)) <
			0) {
			x->err->line = (int)l.rows + 1;
			break;
		}
		if (l.rows % PROGRESS_EVERY == 0) {
			if (x->opts->progress)
				x->opts->progress(t->name, l.rows, t->rows,
					bytes, x->opts->payload);
			if (ferry__interrupted(x->db)) {
				rc = ferry__error_interrupted(x->err);
				break;
			}
		}
	}
	/* A row the engine refused, now or at the end: its place, unless
	 * the error already names one (the file's own). */
	if (rc == 0)
		rc = ferry__load_end(&l, 1, x->err);
	if (rc < 0 && x->err && !x->err->file[0] && x->err->line > 0)
		rc = refused_row(x, in, t, rc);
	if (rc == 0 && !ferry__load_report_add(r, t->name, l.rows, &l.sum))
		rc = ferry__error_oom(x->err);
out:
	ferry__load_release(&l);
	ferry__buf_release(&prefix);
	return rc;
}

/*
 * The whole import
 */

/* The export and the database are at the same migration version. */
static int same_version(import_ctx *x, char **db_version, int *file_older)
{
	char *version = NULL, *release = NULL;
	int rc;

	*db_version = NULL;
	*file_older = 0;
	if ((rc = ferry__ledger_newest(x->db, &version, &release, x->err)) < 0)
		return rc;
	if ((version == NULL) != (x->version == NULL) ||
		(version && strcmp(version, x->version) != 0)) {
		const char *file = x->version ? x->version : "none";
		const char *db = version ? version : "none";
		int older = x->version &&
			(!version ||
				strtoll(version, NULL, 10) <
					strtoll(x->version, NULL, 10));

		ferry__error_set(x->err, FERRY_EREFUSED,
			"the export is at migration version %s, the database "
			"at %s: an import needs the same version",
			file, db);
		*file_older = !older;
		if (older)
			ferry__error_hint(x->err,
				"bring the database to the export's version "
				"first: ferry migrate --to %s",
				x->version);
		else if (!x->opts->via_migrations)
			ferry__error_hint(x->err,
				"bring the export to the database's version "
				"with the set's migrations: ferry import "
				"--via-migrations");
		else
			ferry__error_hint(x->err,
				"import into a database at version %s, or "
				"export again from one at %s",
				file, db);
		rc = FERRY_EREFUSED;
	}
	*db_version = version;
	free(release);
	return rc;
}

/* Every table of the export is in the database, with every column. */
static int tables_there(import_ctx *x)
{
	size_t i, k;

	for (i = 0; i < x->n; i++) {
		import_table *t = &x->tables[i];
		ferry__load_table *there =
			ferry__load_schema_find(&x->target, t->name);

		if (!there) {
			at_line(x, &x->in[t->file], 1, 1, FERRY_EINVALID,
				"table '%s' of the export is not in the "
				"database%s",
				t->name, "");
			ferry__error_hint(x->err,
				"the database was made by other migrations "
				"than the exported one: check --dir, or "
				"--schema");
			return FERRY_EINVALID;
		}
		for (k = 0; k < t->ncols; k++)
			if (ferry__load_table_column(there, t->cols[k]) < 0) {
				at_line(x, &x->in[t->file], 1, 1,
					FERRY_EINVALID,
					"table '%s' has no column '%s' in the "
					"database",
					t->name, t->cols[k]);
				ferry__error_hint(x->err,
					"the database was made by other "
					"migrations than the exported one");
				return FERRY_EINVALID;
			}
	}
	return 0;
}

/* Tables that hold rows: refused unless `truncate`. */
static int check_empty(import_ctx *x, int *any)
{
	ferry__buf full = FERRY__BUF_INIT;
	size_t i;
	int rc = 0, empty;

	*any = 0;
	for (i = 0; i < x->n && rc == 0; i++) {
		if ((rc = ferry__load_is_empty(
			     x->db, x->tables[i].name, &empty, x->err)) < 0)
			break;
		if (!empty) {
			ferry__buf_printf(&full, "%s%s", full.len ? ", " : "",
				x->tables[i].name);
			*any = 1;
		}
	}
	if (rc == 0 && full.len && !x->opts->truncate) {
		ferry__error_set(x->err, FERRY_EREFUSED,
			"tables that already hold rows: %s",
			ferry__buf_cstr(&full));
		ferry__error_hint(x->err,
			"an import adds to nothing: --truncate empties them "
			"first (their rows are lost), or import into another "
			"database");
		rc = FERRY_EREFUSED;
	}
	if (full.oom && rc == 0)
		rc = ferry__error_oom(x->err);
	ferry__buf_release(&full);
	return rc;
}

/* A pipe cannot be read twice: its tables load in its own order. */
static int stream_order(import_ctx *x, size_t *order)
{
	size_t i, k, prev = 0;

	for (i = 0; i < x->n; i++)
		if (!x->in[x->tables[order[i]].file].seekable)
			break;
	if (i == x->n)
		return 0;
	/* The order a pipe gives: by name, as export writes them. */
	for (i = 0; i < x->n; i++) {
		k = order[i];
		if (i && k < prev && !x->opts->single_transaction) {
			ferry__error_set(x->err, FERRY_EINVALID,
				"table '%s' must be loaded before '%s', which "
				"comes first in the stream",
				x->tables[prev].name, x->tables[k].name);
			ferry__error_hint(x->err,
				"import from a file rather than a pipe, or with "
				"--single-transaction where the foreign keys can "
				"wait for the commit (SQLite, or DEFERRABLE keys)");
			return FERRY_EINVALID;
		}
		prev = k;
	}
	for (i = 0; i < x->n; i++)
		order[i] = i;
	return 0;
}

static int txn(import_ctx *x, const char *sql)
{
	int rc = x->db->drv->load_exec(x->db, sql, x->err);

	/* SQLite checks a foreign key at each statement, unless deferred
	 * to the commit, which the order of rows in a table then needs
	 * not know of; on until the transaction ends. */
	if (rc == 0 && !strcmp(sql, "BEGIN") && !x->db->drv->schemas)
		rc = x->db->drv->load_exec(
			x->db, "PRAGMA defer_foreign_keys = ON", x->err);
	else if (rc == 0 && !strcmp(sql, "BEGIN"))
		rc = x->db->drv->load_exec(
			x->db, "SET CONSTRAINTS ALL DEFERRED", x->err);
	return rc;
}

/*
 * A pipe is read once, its tables in the header's order: a row left over
 * at the end is of a table whose rows came out of that order, and was
 * not loaded.
 */
static int nothing_left(import_ctx *x)
{
	size_t i;
	ssize_t len;
	int rc;

	for (i = 0; i < x->nin; i++) {
		import_input *in = &x->in[i];

		if (in->seekable)
			continue;
		if ((rc = next_line(x, in, &len)) < 0)
			return rc;
		if (rc > 0)
			return damaged(x, in, x->lineno, 1,
				"rows that come after the tables the header "
				"lists before them: they were not loaded");
	}
	return 0;
}

static int load_all(
	import_ctx *x, const size_t *order, int truncate, ferry_load_report *r)
{
	char **names = ferry__calloc(x->n + 1, sizeof(*names));
	int single = x->opts->single_transaction, rc = 0;
	size_t i;

	if (!names)
		return ferry__error_oom(x->err);
	for (i = 0; i < x->n; i++)
		names[i] = x->tables[i].name;
	if (truncate) {
		/* All at once: a parent cannot be emptied before its
		 * children, nor loaded after them. */
		if ((rc = txn(x, "BEGIN")) == 0 &&
			(rc = ferry__load_empty_tables(
				 x->db, names, x->n, order, x->err)) == 0 &&
			!single)
			rc = txn(x, "COMMIT");
	} else if (single) {
		rc = txn(x, "BEGIN");
	}
	for (i = 0; i < x->n && rc == 0; i++) {
		if (!single && (rc = txn(x, "BEGIN")) < 0)
			break;
		if ((rc = load_table(x, &x->tables[order[i]], r)) < 0)
			break;
		if (!single)
			rc = txn(x, "COMMIT");
	}
	if (rc == 0)
		rc = nothing_left(x);
	if (rc == 0 && single)
		rc = txn(x, "COMMIT");
	if (rc < 0)
		x->db->drv->rollback(x->db);
	free(names);
	return rc;
}

static void ctx_clear(import_ctx *x)
{
	size_t i, k;

	for (i = 0; i < x->nin; i++) {
		if (x->in[i].f)
			fclose(x->in[i].f);
		free(x->in[i].path);
	}
	free(x->in);
	for (i = 0; i < x->n; i++) {
		for (k = 0; k < x->tables[i].ncols; k++) {
			free(x->tables[i].cols[k]);
			free(x->tables[i].types[k]);
		}
		free(x->tables[i].cols);
		free(x->tables[i].types);
		free(x->tables[i].name);
	}
	free(x->tables);
	free(x->version);
	ferry__load_schema_clear(&x->target);
	free(x->line);
	ferry__buf_release(&x->row);
	free(x->vals);
}

int ferry_import(ferry_load_report **out, ferry_db *db,
	const ferry_import_options *opts, ferry_error *err)
{
	import_ctx x;
	ferry_load_report *r = NULL;
	size_t *order = NULL, i;
	struct stat st;
	char *db_version = NULL;
	int rc, any, locked = 0, file_older = 0;

	if (out)
		*out = NULL;
	if (!db)
		return ferry__error_set(
			err, FERRY_EINVALID, "invalid argument: 'db'");
	if (!opts || opts->version != FERRY_IMPORT_OPTIONS_VERSION ||
		!opts->path)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u, or no path)",
			opts ? opts->version : 0);
	if (!db->drv->load_begin)
		return ferry__error_set(err, FERRY_EINVALID, "%s cannot import",
			db->drv->label);
	memset(&x, 0, sizeof(x));
	x.db = db;
	x.opts = opts;
	x.err = err;

	if (stat(opts->path, &st) == 0 && S_ISDIR(st.st_mode))
		rc = open_dir(&x, opts->path);
	else
		rc = add_input(&x, opts->path);
	for (i = 0; i < x.nin && rc == 0; i++)
		if ((rc = read_header(&x, i)) == 0 && x.in[i].seekable)
			rc = scan(&x, i);
	if (rc < 0)
		goto out;
	if ((rc = ferry__lock(db, err)) < 0)
		goto out;
	locked = 1;
	rc = same_version(&x, &db_version, &file_older);
	if (rc == FERRY_EREFUSED && file_older && opts->via_migrations) {
		/* The scratch database's run takes the locks it needs. */
		ferry__unlock(db);
		if (err)
			ferry_error_init(err);
		rc = ferry__import_via(
			out, db, opts, x.version, db_version, err);
		goto via;
	}
	if (rc < 0 || (rc = ferry__load_schema_read(db, &x.target, err)) < 0 ||
		(rc = tables_there(&x)) < 0)
		goto out;
	if (!(order = ferry__calloc(x.n + 1, sizeof(*order))) ||
		!(r = ferry__calloc(1, sizeof(*r)))) {
		rc = ferry__error_oom(err);
		goto out;
	}
	{
		char **names = ferry__calloc(x.n + 1, sizeof(*names));

		if (!names) {
			rc = ferry__error_oom(err);
			goto out;
		}
		for (i = 0; i < x.n; i++)
			names[i] = x.tables[i].name;
		rc = ferry__load_order(db, names, x.n, order, err);
		free(names);
	}
	if (rc == FERRY_EINVALID && opts->single_transaction) {
		/* A cycle: the file's order, the keys checked at commit. */
		for (i = 0; i < x.n; i++)
			order[i] = i;
		rc = 0;
		if (err)
			ferry_error_init(err);
	}
	if (rc < 0 || (rc = stream_order(&x, order)) < 0 ||
		(rc = check_empty(&x, &any)) < 0)
		goto out;
	rc = load_all(&x, order, any, r);
out:
	if (locked)
		ferry__unlock(db);
	if (rc == 0 && out)
		*out = r;
	else
		ferry_load_report_free(r);
via:
	free(order);
	free(db_version);
	ctx_clear(&x);
	return rc;
}
