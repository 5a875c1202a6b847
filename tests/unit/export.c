/* SPDX-License-Identifier: MIT */
/*
 * export.c - the JSON of `ferry export` (export_json.c): string escaping
 * and UTF-8 repair, the integers JSON readers hold exactly, the JSON
 * number grammar, base64, each value kind; then ferry_export() itself on
 * a small SQLite file: argument errors, and out-of-memory at every
 * allocation, which must fail cleanly and leave no file behind.
 */
#include "clar.h"
#include "ferry_int.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

static ferry__buf b;
static ferry_error err;
static char dir[] = "/tmp/ferry-unit-export-XXXXXX";

void test_export__initialize(void)
{
	ferry__buf_release(&b);
	ferry_error_init(&err);
	strcpy(dir, "/tmp/ferry-unit-export-XXXXXX");
	cl_assert(mkdtemp(dir) != NULL);
}

void test_export__cleanup(void)
{
	char cmd[600];

	ferry__alloc_fail_from(0);
	ferry__buf_release(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cl_assert_equal_i(system(cmd), 0);
}

static const char *str(const char *s, size_t len)
{
	ferry__buf_clear(&b);
	ferry__json_str(&b, s, len);
	return ferry__buf_cstr(&b);
}

void test_export__string_escapes(void)
{
	cl_assert_equal_s(str("", 0), "\"\"");
	cl_assert_equal_s(str("plain", 5), "\"plain\"");
	cl_assert_equal_s(str("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	cl_assert_equal_s(str("\n\r\t\b\f", 5), "\"\\n\\r\\t\\b\\f\"");
	cl_assert_equal_s(str("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\x7f\"");
	/* A NUL byte inside the length is a character like another. */
	cl_assert_equal_s(str("a\0b", 3), "\"a\\u0000b\"");
	/* '/' needs no escape. */
	cl_assert_equal_s(str("a/b", 3), "\"a/b\"");
}

void test_export__string_utf8(void)
{
	/* é, €, 😀 pass as they are. */
	cl_assert_equal_s(str("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
		"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* A lone continuation byte, a cut sequence, an overlong '/', a
	 * surrogate: each bad byte becomes U+FFFD, the rest stays. */
	cl_assert_equal_s(str("a\x80z", 3), "\"a\\ufffdz\"");
	cl_assert_equal_s(str("a\xc3", 2), "\"a\\ufffd\"");
	cl_assert_equal_s(str("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	cl_assert_equal_s(str("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	cl_assert_equal_s(
		str("\xf4\x90\x80\x80", 4), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

void test_export__int_limits(void)
{
	cl_assert_equal_i(ferry__json_int_exact("0"), 1);
	cl_assert_equal_i(ferry__json_int_exact("-1"), 1);
	cl_assert_equal_i(ferry__json_int_exact("9007199254740992"), 1);
	cl_assert_equal_i(ferry__json_int_exact("-9007199254740992"), 1);
	cl_assert_equal_i(ferry__json_int_exact("9007199254740993"), 0);
	cl_assert_equal_i(ferry__json_int_exact("-9007199254740993"), 0);
	cl_assert_equal_i(ferry__json_int_exact("10000000000000000"), 0);
	cl_assert_equal_i(ferry__json_int_exact("999999999999999"), 1);
	cl_assert_equal_i(ferry__json_int_exact("9223372036854775807"), 0);
	/* Not an integer JSON would read as written. */
	cl_assert_equal_i(ferry__json_int_exact(""), 0);
	cl_assert_equal_i(ferry__json_int_exact("-"), 0);
	cl_assert_equal_i(ferry__json_int_exact("01"), 0);
	cl_assert_equal_i(ferry__json_int_exact("1.0"), 0);
	cl_assert_equal_i(ferry__json_int_exact("+1"), 0);
}

void test_export__number_grammar(void)
{
	cl_assert_equal_i(ferry__json_number("0"), 1);
	cl_assert_equal_i(ferry__json_number("-0.5"), 1);
	cl_assert_equal_i(ferry__json_number("1e+100"), 1);
	cl_assert_equal_i(ferry__json_number("1.5E-7"), 1);
	cl_assert_equal_i(ferry__json_number("NaN"), 0);
	cl_assert_equal_i(ferry__json_number("Infinity"), 0);
	cl_assert_equal_i(ferry__json_number("-Infinity"), 0);
	cl_assert_equal_i(ferry__json_number(".5"), 0);
	cl_assert_equal_i(ferry__json_number("5."), 0);
	cl_assert_equal_i(ferry__json_number("01"), 0);
	cl_assert_equal_i(ferry__json_number("1e"), 0);
	cl_assert_equal_i(ferry__json_number(""), 0);
}

static const char *b64(const char *hex)
{
	ferry__buf_clear(&b);
	if (ferry__json_base64_hex(&b, hex) < 0)
		return "(bad)";
	return ferry__buf_cstr(&b);
}

void test_export__base64(void)
{
	/* RFC 4648's test vectors: "", "f", "fo", "foo", "foob", "fooba". */
	cl_assert_equal_s(b64(""), "\"\"");
	cl_assert_equal_s(b64("66"), "\"Zg==\"");
	cl_assert_equal_s(b64("666f"), "\"Zm8=\"");
	cl_assert_equal_s(b64("666f6f"), "\"Zm9v\"");
	cl_assert_equal_s(b64("666f6f62"), "\"Zm9vYg==\"");
	cl_assert_equal_s(b64("666F6F6261"), "\"Zm9vYmE=\"");
	cl_assert_equal_s(b64("00ff41"), "\"AP9B\"");
	cl_assert_equal_s(b64("fbff"), "\"+/8=\"");
	cl_assert_equal_s(b64("6"), "(bad)");
	cl_assert_equal_s(b64("zz"), "(bad)");
	cl_assert_equal_i(b.len, 0);
}

static const char *val(const char *v)
{
	ferry__buf_clear(&b);
	ferry__json_export_value(&b, v);
	return ferry__buf_cstr(&b);
}

void test_export__values(void)
{
	cl_assert_equal_s(val(NULL), "null");
	cl_assert_equal_s(val("t"), "\"\"");
	cl_assert_equal_s(val("i42"), "42");
	cl_assert_equal_s(val("i-9007199254740993"), "\"-9007199254740993\"");
	cl_assert_equal_s(val("f0.1"), "0.1");
	cl_assert_equal_s(val("fNaN"), "\"NaN\"");
	cl_assert_equal_s(val("f-Infinity"), "\"-Infinity\"");
	cl_assert_equal_s(val("d1.50"), "\"1.50\"");
	cl_assert_equal_s(val("bt"), "true");
	cl_assert_equal_s(val("btrue"), "true");
	cl_assert_equal_s(val("bf"), "false");
	cl_assert_equal_s(val("x00ff41"), "{\"base64\": \"AP9B\"}");
	cl_assert_equal_s(val("ta\nb"), "\"a\\nb\"");
}

/*
 * ferry_export() on a file
 */

static void open_db(ferry_db **db)
{
	char path[600];
	sqlite3 *h;

	snprintf(path, sizeof(path), "%s/t.db", dir);
	cl_assert_equal_i(sqlite3_open(path, &h), SQLITE_OK);
	cl_assert_equal_i(sqlite3_exec(h,
				  "CREATE TABLE t (id INTEGER PRIMARY KEY, v);"
				  "INSERT INTO t VALUES (2, 'two'), (1, x'00');"
				  "CREATE TABLE u (a);",
				  NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(h);
	cl_assert_equal_i(ferry_db_open(db, path, NULL, &err), 0);
}

static int collect(const char *data, size_t len, void *payload)
{
	ferry__buf_put(payload, data, len);
	return 0;
}

void test_export__to_callback(void)
{
	ferry_export_options o = FERRY_EXPORT_OPTIONS_INIT;
	const char *tables[] = { "t" };
	ferry_export_report *r = NULL;
	ferry__buf got = FERRY__BUF_INIT;
	ferry_db *db = NULL;
	const char *nl;

	open_db(&db);
	o.write = collect;
	o.payload = &got;
	o.tables = tables;
	o.ntables = 1;
	cl_assert_equal_i(ferry_export(&r, db, &o, &err), 0);
	cl_assert_equal_i(ferry_export_report_count(r), 1);
	cl_assert_equal_s(ferry_export_report_at(r, 0)->name, "t");
	cl_assert(ferry_export_report_at(r, 0)->path == NULL);
	cl_assert(ferry_export_report_at(r, 1) == NULL);
	cl_assert(ferry_export_report_rows(r) == 2);
	nl = strchr(got.buf, '\n');
	cl_assert(nl != NULL);
	cl_assert_equal_s(nl + 1,
		"{\"table\": \"t\", \"row\": [1, {\"base64\": \"AA==\"}]}\n"
		"{\"table\": \"t\", \"row\": [2, \"two\"]}\n");
	ferry_export_report_free(r);
	ferry_export_report_free(NULL);
	ferry__buf_release(&got);
	ferry_db_close(db);
}

/*
 * One snapshot: a row another connection commits while the export runs
 * (after table t went out, before u is read) is not in it. WAL lets the
 * writer commit beside the reader.
 */
struct writer {
	sqlite3 *h;
	ferry__buf got;
	int calls;
};

static int write_meanwhile(const char *data, size_t len, void *payload)
{
	struct writer *w = payload;

	ferry__buf_put(&w->got, data, len);
	if (w->calls++ == 0 &&
		sqlite3_exec(w->h, "INSERT INTO u VALUES ('late')", NULL, NULL,
			NULL) != SQLITE_OK)
		return -1;
	return 0;
}

void test_export__one_snapshot(void)
{
	ferry_export_options o = FERRY_EXPORT_OPTIONS_INIT;
	struct writer w = { NULL, FERRY__BUF_INIT, 0 };
	ferry_db *db = NULL;
	char path[600];

	open_db(&db);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	cl_assert_equal_i(sqlite3_open(path, &w.h), SQLITE_OK);
	cl_assert_equal_i(sqlite3_exec(w.h, "PRAGMA journal_mode = WAL", NULL,
				  NULL, NULL),
		SQLITE_OK);
	o.write = write_meanwhile;
	o.payload = &w;
	cl_assert_equal_i(ferry_export(NULL, db, &o, &err), 0);
	/* t's lines went out (and the row in), u had none to send. */
	cl_assert_equal_i(w.calls, 1);
	cl_assert(strstr(w.got.buf, "\"row\": [2, \"two\"]") != NULL);
	cl_assert(strstr(w.got.buf, "late") == NULL);
	/* The row is there: the next export sees it. */
	ferry__buf_clear(&w.got);
	w.calls = 1;
	cl_assert_equal_i(ferry_export(NULL, db, &o, &err), 0);
	cl_assert(strstr(w.got.buf,
			  "{\"table\": \"u\", \"row\": "
			  "[\"late\"]}") != NULL);
	sqlite3_close(w.h);
	ferry__buf_release(&w.got);
	ferry_db_close(db);
}

/* Wider than the 32 columns ferry's own queries hand over. */
void test_export__wide_table(void)
{
	ferry_export_options o = FERRY_EXPORT_OPTIONS_INIT;
	const char *tables[] = { "wide" };
	ferry__buf sql = FERRY__BUF_INIT, got = FERRY__BUF_INIT;
	ferry_db *db = NULL;
	char path[600];
	sqlite3 *h;
	int i;

	snprintf(path, sizeof(path), "%s/t.db", dir);
	ferry__buf_puts(&sql, "CREATE TABLE wide (c0");
	for (i = 1; i < 40; i++)
		ferry__buf_printf(&sql, ", c%d", i);
	ferry__buf_puts(&sql, "); INSERT INTO wide VALUES (0");
	for (i = 1; i < 40; i++)
		ferry__buf_printf(&sql, ", %d", i);
	ferry__buf_puts(&sql, ");");
	cl_assert_equal_i(sqlite3_open(path, &h), SQLITE_OK);
	cl_assert_equal_i(
		sqlite3_exec(h, sql.buf, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	cl_assert_equal_i(ferry_db_open(&db, path, NULL, &err), 0);
	o.write = collect;
	o.payload = &got;
	o.tables = tables;
	o.ntables = 1;
	cl_assert_equal_i(ferry_export(NULL, db, &o, &err), 0);
	cl_assert(strstr(got.buf, "\"row\": [0, 1, 2,") != NULL);
	cl_assert(strstr(got.buf, ", 38, 39]}\n") != NULL);
	cl_assert(strstr(got.buf, "{\"name\": \"c39\"") != NULL);
	ferry__buf_release(&sql);
	ferry__buf_release(&got);
	ferry_db_close(db);
}

void test_export__invalid(void)
{
	ferry_export_options o = FERRY_EXPORT_OPTIONS_INIT;
	const char *tables[] = { "nope" }, *wheres[] = { "u" };
	ferry_export_report *r = (void *)1;
	ferry_db *db = NULL;

	open_db(&db);
	cl_assert_equal_i(ferry_export(&r, db, &o, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"invalid argument: 'opts' (neither path nor write)");
	cl_assert(r == NULL);
	o.write = collect;
	o.payload = &b;
	o.tables = tables;
	o.ntables = 1;
	cl_assert_equal_i(ferry_export(&r, db, &o, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "table 'nope' does not exist");
	o.ntables = 0;
	o.wheres = wheres;
	o.nwheres = 1;
	cl_assert_equal_i(ferry_export(&r, db, &o, NULL), FERRY_EINVALID);
	cl_assert_equal_i(ferry_export(&r, db, &o, &err), FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "a condition is 'TABLE:CONDITION', not 'u'");
	o.version = 99;
	cl_assert_equal_i(ferry_export(&r, db, &o, &err), FERRY_EINVALID);
	ferry_db_close(db);
	cl_assert_equal_i(ferry_export(&r, NULL, &o, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "invalid argument: 'db'");
}

/* Only t.db is left in the directory: no file, no hidden partial one. */
static int files_besides_db(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *e;
	int n = 0;

	if (!dh)
		return -1;
	while ((e = readdir(dh)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			strncmp(e->d_name, "t.db", 4))
			n++;
	closedir(dh);
	return n;
}

void test_export__oom_leaves_nothing(void)
{
	ferry_export_options o = FERRY_EXPORT_OPTIONS_INIT;
	ferry_export_report *r;
	ferry_db *db = NULL;
	char out[600];
	long n, start;
	int rc = -1;

	open_db(&db);
	snprintf(out, sizeof(out), "%s/out.jsonl", dir);
	o.path = out;
	for (n = 1; n < 2000 && rc != 0; n++) {
		start = ferry__alloc_count();
		ferry__alloc_fail_from(start + n);
		rc = ferry_export(&r, db, &o, &err);
		ferry__alloc_fail_from(0);
		if (rc == 0)
			break;
		cl_assert(rc == FERRY_ENOMEM || rc == FERRY_EDB);
		cl_assert(r == NULL);
		cl_assert_equal_i(files_besides_db(dir), 0);
	}
	cl_assert_equal_i(rc, 0);
	cl_assert_equal_i(access(out, F_OK), 0);
	ferry_export_report_free(r);
	ferry_db_close(db);
}
