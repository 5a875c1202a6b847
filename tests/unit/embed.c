/* SPDX-License-Identifier: MIT */
/*
 * embed.c - what embedders use: a set opened from memory
 * (ferry_set_open_mem) is the set its directory gives, so that one applied
 * from either shows no drift to the other; a SQLite connection of the
 * application's (ferry_db_open_sqlite) stays open and usable after
 * ferry_db_close(); the actor of ferry_db_options goes into the ledger
 * and the history, and a bad one is refused.
 */
#include "clar.h"
#include "ferry_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define SHOP "examples/shop/migrations"

static ferry_error err;
static ferry_set *dir_set, *mem_set;
static sqlite3 *h;
static ferry_db *db;
static ferry_mem_file files[64];
static char *bytes[64];
static size_t nfiles;

void test_embed__initialize(void)
{
	ferry_error_init(&err);
	dir_set = mem_set = NULL;
	h = NULL;
	db = NULL;
	nfiles = 0;
}

void test_embed__cleanup(void)
{
	size_t i;

	ferry_db_close(db);
	sqlite3_close(h);
	ferry_set_free(dir_set);
	ferry_set_free(mem_set);
	for (i = 0; i < nfiles; i++)
		free(bytes[i]);
	nfiles = 0;
}

static void add(const char *name, const char *path)
{
	size_t len;

	cl_ferry_pass(ferry__read_file(path, &bytes[nfiles], &len, &err), &err);
	files[nfiles].name = name;
	files[nfiles].data = bytes[nfiles];
	files[nfiles].size = len;
	nfiles++;
}

/* The shop's files, as `ferry embed` lists them, in another order. */
static void shop_files(void)
{
	static char names[64][128];
	size_t i, n;

	add("releases", SHOP "/releases");
	cl_ferry_pass(ferry_set_open(&dir_set, SHOP, &err), &err);
	n = ferry_set_count(dir_set);
	for (i = n; i-- > 0;) {
		const ferry_migration *m = ferry_set_at(dir_set, i);

		snprintf(names[nfiles], sizeof(names[0]), "%s",
			m->path + strlen(SHOP "/"));
		add(names[nfiles], m->path);
	}
	for (i = 0; i < ferry_set_repeatable_count(dir_set); i++) {
		const ferry_migration *m = ferry_set_repeatable_at(dir_set, i);

		snprintf(names[nfiles], sizeof(names[0]), "%s",
			m->path + strlen(SHOP "/"));
		add(names[nfiles], m->path);
	}
}

static void open_memory_db(void)
{
	cl_assert_equal_i(sqlite3_open(":memory:", &h), SQLITE_OK);
	cl_ferry_pass(ferry_db_open_sqlite(&db, h, NULL, &err), &err);
}

static void up(const ferry_set *set)
{
	ferry_report *r = NULL;

	cl_ferry_pass(ferry_migrate(&r, db, set, NULL, &err), &err);
	ferry_report_free(r);
}

/* Nothing pending, nothing drifted, no version unknown to `set`. */
static void assert_in_step(const ferry_set *set)
{
	ferry_status *st = NULL;

	cl_ferry_pass(ferry_status_get(&st, db, set, &err), &err);
	cl_assert_equal_i(st->ndrift, 0);
	cl_assert_equal_i(st->pending, 0);
	cl_assert_equal_i(st->unknown, 0);
	cl_assert_equal_i(st->up, 0);
	cl_assert_equal_i(st->repeatables_changed, 0);
	cl_assert(st->complete > 0);
	cl_assert_equal_s(st->release_finished, "2.1");
	ferry_status_free(st);
}

void test_embed__mem_set_is_the_directory_set(void)
{
	size_t i;

	shop_files();
	cl_ferry_pass(ferry_set_open_mem(&mem_set, files, nfiles, &err), &err);
	cl_assert_equal_i(ferry_set_count(mem_set), ferry_set_count(dir_set));
	for (i = 0; i < ferry_set_count(mem_set); i++) {
		const ferry_migration *a = ferry_set_at(dir_set, i),
				      *b = ferry_set_at(mem_set, i);

		cl_assert_equal_s(a->id, b->id);
		cl_assert_equal_s(a->name, b->name);
		cl_assert_equal_s(a->version_text, b->version_text);
		cl_assert_equal_s(a->release, b->release);
		cl_assert_equal_s(b->path, a->path + strlen(SHOP "/"));
		cl_assert_equal_i(a->has_finish, b->has_finish);
		cl_assert_equal_i(a->has_down, b->has_down);
	}
	cl_assert_equal_i(ferry_set_release_count(mem_set),
		ferry_set_release_count(dir_set));
	cl_assert_equal_i(ferry_set_release_at(mem_set, 1)->checkpoint, 1);
	cl_assert_equal_i(ferry_set_repeatable_count(mem_set),
		ferry_set_repeatable_count(dir_set));
	cl_assert(ferry_set_repeatable_count(mem_set) > 0);
	cl_assert_equal_s(ferry_set_dir(mem_set), "");
}

void test_embed__applied_from_files_no_drift_from_memory(void)
{
	shop_files();
	cl_ferry_pass(ferry_set_open_mem(&mem_set, files, nfiles, &err), &err);
	open_memory_db();
	up(dir_set);
	assert_in_step(mem_set);
}

void test_embed__applied_from_memory_no_drift_from_files(void)
{
	shop_files();
	cl_ferry_pass(ferry_set_open_mem(&mem_set, files, nfiles, &err), &err);
	open_memory_db();
	up(mem_set);
	assert_in_step(dir_set);
}

/* CRLF is LF, as when the file is read from a directory. */
void test_embed__crlf_reads_as_in_a_directory(void)
{
	ferry_mem_file lf = { "0001_t.sql",
		"-- ferry:up\nCREATE TABLE t (a INTEGER);\n", 0 };
	ferry_mem_file crlf = { "0001_t.sql",
		"-- ferry:up\r\nCREATE TABLE t (a INTEGER);\r\n", 0 };
	ferry_status *st = NULL;

	lf.size = strlen(lf.data);
	crlf.size = strlen(crlf.data);
	cl_ferry_pass(ferry_set_open_mem(&mem_set, &crlf, 1, &err), &err);
	cl_ferry_pass(ferry_set_open_mem(&dir_set, &lf, 1, &err), &err);
	open_memory_db();
	up(mem_set);
	cl_ferry_pass(ferry_status_get(&st, db, dir_set, &err), &err);
	cl_assert_equal_i(st->ndrift, 0);
	cl_assert_equal_i(st->complete, 1);
	ferry_status_free(st);
}

/* The code; the set, which must be NULL, in `mem_set`. */
static int refused(const ferry_mem_file *f, size_t n)
{
	ferry_error_init(&err);
	mem_set = (ferry_set *)&mem_set; /* not NULL: it must become NULL */
	return ferry_set_open_mem(&mem_set, f, n, &err);
}

void test_embed__mem_set_refuses_what_a_directory_refuses(void)
{
	ferry_mem_file f[3] = {
		{ "0001_a.sql", "-- ferry:up\nSELECT 1;\n", 22 },
		{ "0001_a.sql", "-- ferry:up\nSELECT 1;\n", 22 },
		{ "releases", "1.0 7\n", 6 },
	};
	ferry_mem_file bad = { "0001_a.SQL", "", 0 };
	ferry_mem_file nul = { "0001_a.sql", "-- ferry:up\nSELECT\0 1;\n", 23 };
	ferry_mem_file readme = { "README", "hello", 5 };

	cl_assert_equal_i(refused(f, 2), FERRY_EINVALID);
	cl_assert(mem_set == NULL);
	cl_assert_equal_s(err.message, "file '0001_a.sql' is given twice");
	f[1].name = "0002_b.sql";
	cl_assert_equal_i(refused(f, 3), FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"release '1.0' ends at version 7, but no migration has that "
		"version");
	cl_assert_equal_s(err.file, "releases");
	cl_assert_equal_i(err.line, 1);
	cl_assert_equal_i(refused(&bad, 1), FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "'0001_a.SQL' is not a valid migration file name");
	cl_assert_equal_i(refused(&nul, 1), FERRY_EINVALID);
	cl_assert_equal_s(err.file, "0001_a.sql");
	cl_assert_equal_i(refused(&readme, 1), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "no migrations in the embedded set");
	cl_assert_equal_i(refused(NULL, 1), FERRY_EINVALID);
	cl_assert(mem_set == NULL);
	cl_assert_equal_i(refused(NULL, 0), FERRY_EINVALID);
	cl_assert(mem_set == NULL);
}

void test_embed__release_add_refuses_a_mem_set(void)
{
	ferry_mem_file f = { "0001_a.sql", "-- ferry:up\nSELECT 1;\n", 22 };

	cl_ferry_pass(ferry_set_open_mem(&mem_set, &f, 1, &err), &err);
	cl_assert_equal_i(
		ferry_release_add(mem_set, "1.0", 0, &err), FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "an embedded set has no releases file to add to");
}

/* The application's handle outlives ferry's, and still works. */
void test_embed__borrowed_sqlite_stays_open(void)
{
	ferry_mem_file f = { "0001_a.sql",
		"-- ferry:up\nCREATE TABLE a (x INTEGER);\n", 0 };
	sqlite3_stmt *st = NULL;

	f.size = strlen(f.data);
	cl_ferry_pass(ferry_set_open_mem(&mem_set, &f, 1, &err), &err);
	open_memory_db();
	cl_assert_equal_s(ferry_db_display_url(db), "sqlite::memory:");
	up(mem_set);
	ferry_db_close(db);
	db = NULL;
	cl_assert_equal_i(
		sqlite3_exec(h, "INSERT INTO a VALUES (1)", NULL, NULL, NULL),
		SQLITE_OK);
	cl_assert_equal_i(
		sqlite3_prepare_v2(h, "SELECT count(*) FROM ferry_migrations",
			-1, &st, NULL),
		SQLITE_OK);
	cl_assert_equal_i(sqlite3_step(st), SQLITE_ROW);
	cl_assert_equal_i(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
}

/* ferry replaces the busy handler while it has the handle; at close the
 * application's busy timeout is back. */
void test_embed__borrowed_sqlite_gets_its_busy_timeout_back(void)
{
	sqlite3_stmt *st;

	cl_assert_equal_i(sqlite3_open(":memory:", &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 4321);
	cl_ferry_pass(ferry_db_open_sqlite(&db, h, NULL, &err), &err);
	ferry_db_close(db);
	db = NULL;
	cl_assert_equal_i(
		sqlite3_prepare_v2(h, "PRAGMA busy_timeout", -1, &st, NULL),
		SQLITE_OK);
	cl_assert_equal_i(sqlite3_step(st), SQLITE_ROW);
	cl_assert_equal_i(sqlite3_column_int(st, 0), 4321);
	sqlite3_finalize(st);
}

void test_embed__borrowed_sqlite_in_a_transaction_is_refused(void)
{
	cl_assert_equal_i(sqlite3_open(":memory:", &h), SQLITE_OK);
	cl_assert_equal_i(
		sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	cl_assert_equal_i(
		ferry_db_open_sqlite(&db, h, NULL, &err), FERRY_EINVALID);
	cl_assert(db == NULL);
	cl_assert_equal_s(
		err.message, "the SQLite connection is inside a transaction");
	cl_assert_equal_i(
		ferry_db_open_sqlite(&db, NULL, NULL, &err), FERRY_EINVALID);
}

#ifdef FERRY_HAVE_PG
/*
 * This test program does not link libpq: the one ferry loads is the only
 * one there, and nothing shows it is the one a connection came from.
 * Refused before anything reads the connection, which is no PGconn here.
 */
void test_embed__borrowed_pg_without_a_visible_libpq_is_refused(void)
{
	char not_a_conn[64] = { 0 };
	int rc =
		ferry_db_open_pg(&db, (struct pg_conn *)not_a_conn, NULL, &err);

	if (rc == FERRY_EDB || strstr(err.message, "cannot load"))
		return; /* no libpq on this machine: nothing to compare */
	cl_assert_equal_i(rc, FERRY_EINVALID);
	cl_assert(db == NULL);
	cl_assert_equal_s(err.message,
		"cannot tell which libpq made the application's connection: "
		"none is loaded for the whole process");
}
#endif

void test_embed__actor_is_recorded(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;
	ferry_mem_file f = { "0001_a.sql", "-- ferry:up\nSELECT 1;\n", 22 };
	ferry_history *hist = NULL;
	ferry_status *st = NULL;

	o.actor = "deploy-bot@ci";
	cl_ferry_pass(ferry_set_open_mem(&mem_set, &f, 1, &err), &err);
	cl_assert_equal_i(sqlite3_open(":memory:", &h), SQLITE_OK);
	cl_ferry_pass(ferry_db_open_sqlite(&db, h, &o, &err), &err);
	up(mem_set);
	cl_ferry_pass(ferry_history_get(&hist, db, 0, &err), &err);
	cl_assert(ferry_history_count(hist) > 0);
	cl_assert_equal_s(ferry_history_at(hist, 0)->by, "deploy-bot@ci");
	ferry_history_free(hist);
	cl_ferry_pass(ferry_status_get(&st, db, mem_set, &err), &err);
	cl_assert_equal_s(ferry_status_at(st, 0)->applied_by, "deploy-bot@ci");
	ferry_status_free(st);
}

void test_embed__bad_actor_is_refused(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;
	char longer[FERRY_ACTOR_MAX + 2];

	o.actor = "";
	cl_assert_equal_i(ferry_db_open(&db, "sqlite::memory:", &o, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message, "invalid actor: empty");
	o.actor = "bot\nroot";
	cl_assert_equal_i(ferry_db_open(&db, "sqlite::memory:", &o, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"invalid actor: it holds a control character at byte 4");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	o.actor = longer;
	cl_assert_equal_i(ferry_db_open(&db, "sqlite::memory:", &o, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "invalid actor: 129 bytes, more than 128");
	longer[FERRY_ACTOR_MAX] = '\0';
	cl_ferry_pass(ferry_db_open(&db, "sqlite::memory:", &o, &err), &err);
	/* A version 3 caller's struct has no actor: not read. */
	ferry_db_close(db);
	db = NULL;
	o.version = 3;
	o.actor = "";
	cl_ferry_pass(ferry_db_open(&db, "sqlite::memory:", &o, &err), &err);
}

/* A file's handle: the runner lock is taken on its file, a backup copies
 * it, and the URL shown is the file's. */
void test_embed__borrowed_sqlite_file_locks_and_backs_up(void)
{
	ferry_backup_options bo = FERRY_BACKUP_OPTIONS_INIT;
	ferry_mem_file f = { "0001_a.sql",
		"-- ferry:up\nCREATE TABLE a (x INTEGER);\n", 0 };
	ferry_backup *b = NULL;
	char path[600], copy[600], url[620];

	snprintf(path, sizeof(path), "%s/app.db", cl_tmpdir());
	snprintf(copy, sizeof(copy), "%s/app-copy.sqlite", cl_tmpdir());
	snprintf(url, sizeof(url), "sqlite:%s", path);
	f.size = strlen(f.data);
	cl_ferry_pass(ferry_set_open_mem(&mem_set, &f, 1, &err), &err);
	cl_assert_equal_i(sqlite3_open(path, &h), SQLITE_OK);
	cl_ferry_pass(ferry_db_open_sqlite(&db, h, NULL, &err), &err);
	cl_assert_equal_s(ferry_db_display_url(db), url);
	up(mem_set);
	bo.path = copy;
	cl_ferry_pass(ferry_backup_create(&b, db, &bo, &err), &err);
	cl_assert_equal_s(ferry_backup_version(b), "1");
	ferry_backup_free(b);
	cl_assert_equal_i(
		sqlite3_exec(h, "INSERT INTO a VALUES (1)", NULL, NULL, NULL),
		SQLITE_OK);
}

/*
 * Adopting another tool's ledger compares its checksums with the set's
 * bytes: an embedded set's, not a file of the same name in the working
 * directory (there is none here: reading one failed before).
 */
void test_embed__adopt_checks_the_embedded_bytes(void)
{
	ferry_mem_file f = { "0001_a.sql", "CREATE TABLE a (id int);\n", 25 };
	ferry_changes *changes = NULL;
	char *tool = NULL;
	int rc;

	cl_ferry_pass(ferry_set_open_mem(&mem_set, &f, 1, &err), &err);
	cl_assert_equal_i(sqlite3_open(":memory:", &h), SQLITE_OK);
	rc = sqlite3_exec(h,
		"CREATE TABLE flyway_schema_history (installed_rank "
		"int NOT NULL PRIMARY KEY, version varchar(50), "
		"description varchar(200) NOT NULL, type varchar(20) "
		"NOT NULL, script varchar(1000) NOT NULL, checksum "
		"int, installed_by varchar(100) NOT NULL, "
		"installed_on timestamp NOT NULL DEFAULT "
		"CURRENT_TIMESTAMP, execution_time int NOT NULL, "
		"success boolean NOT NULL);"
		"INSERT INTO flyway_schema_history VALUES (1, '1', "
		"'a', 'SQL', '0001_a.sql', 12345, 'ci', "
		"CURRENT_TIMESTAMP, 5, 1);"
		"CREATE TABLE a (id int);",
		NULL, NULL, NULL);
	cl_assert_equal_i(rc, SQLITE_OK);
	cl_ferry_pass(ferry_db_open_sqlite(&db, h, NULL, &err), &err);
	rc = ferry_adopt(&changes, db, mem_set, NULL, &tool, &err);
	/* 12345 is no checksum of those bytes: refused for it, not for a
	 * file that is not there. */
	cl_assert(strstr(err.message, "cannot read") == NULL);
	cl_assert(rc == 0 || rc == FERRY_EREFUSED);
	ferry_changes_free(changes);
	ferry_free(tool);
}
