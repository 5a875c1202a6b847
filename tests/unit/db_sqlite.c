/* SPDX-License-Identifier: MIT */
/*
 * db_sqlite.c - the SQLite driver's settings for a run and its VFS
 * (src/lib/db_sqlite_vfs.c): what the runner lock's holder changes on its
 * own connection, and gives back; a journal gone or replaced between two
 * commits; the VFS gone with its handle.
 */
#include "clar.h"
#include "ferry_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

static ferry_error err;
static ferry_db *db;
static char dir[] = "/tmp/ferry-unit-db-sqlite-XXXXXX";
static char file[256], journal[512];

void test_db_sqlite__initialize(void)
{
	char url[600];

	ferry_error_init(&err);
	strcpy(dir, "/tmp/ferry-unit-db-sqlite-XXXXXX");
	cl_assert(mkdtemp(dir) != NULL);
	snprintf(file, sizeof(file), "%s/test.db", dir);
	snprintf(journal, sizeof(journal), "%s-journal", file);
	snprintf(url, sizeof(url), "sqlite:%s", file);
	db = NULL;
	cl_assert_equal_i(ferry_db_open(&db, url, NULL, &err), 0);
}

void test_db_sqlite__cleanup(void)
{
	char cmd[600];

	ferry_db_close(db);
	db = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cl_assert_equal_i(system(cmd), 0);
}

static int first_value(void *payload, int ncols, const char *const *values)
{
	snprintf(payload, 32, "%s", ncols > 0 && values[0] ? values[0] : "");
	return 1;
}

static char val[32];

/* The first column of the first row of `sql` on ferry's connection, in val. */
static void fetch(const char *sql)
{
	val[0] = '\0';
	cl_assert_equal_i(
		db->drv->query(db, sql, NULL, 0, first_value, val, &err), 0);
}

static void run_sql(const char *sql)
{
	cl_assert_equal_i(db->drv->run(db, sql, strlen(sql), NULL, &err), 0);
}

static void commit_one(const char *sql)
{
	cl_assert_equal_i(db->drv->begin(db, &err), 0);
	run_sql(sql);
	cl_assert_equal_i(db->drv->commit(db, &err), 0);
}

static size_t vfs_count(void)
{
	sqlite3_vfs *v;
	size_t n = 0;

	for (v = sqlite3_vfs_find(NULL); v; v = v->pNext)
		n++;
	return n;
}

/* The first byte of the journal, or -1 if there is none. */
static int journal_first_byte(void)
{
	unsigned char b;
	int fd = open(journal, O_RDONLY), n = -1;

	if (fd >= 0 && read(fd, &b, 1) == 1)
		n = b;
	if (fd >= 0)
		close(fd);
	return n;
}

void test_db_sqlite__run_keeps_its_journal_then_gives_the_mode_back(void)
{
	struct stat st;

	cl_assert_equal_i(db->drv->lock(db, &err), 0);
	fetch("PRAGMA journal_mode");
	cl_assert_equal_s(val, "persist");
	fetch("PRAGMA journal_size_limit");
	cl_assert_equal_s(val, "4194304");
	commit_one("CREATE TABLE t (x)");
	/* Committed: the journal stays, its header zeros (not hot). */
	cl_assert_equal_i(journal_first_byte(), 0);
	commit_one("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
		   "FROM r WHERE n < 8000) INSERT INTO t SELECT "
		   "randomblob(1000) FROM r");
	/* 8 MB of pages journaled, then the journal cut back to 4 MiB. */
	commit_one("UPDATE t SET x = randomblob(1000)");
	cl_assert(stat(journal, &st) == 0);
	cl_assert(st.st_size <= 4 << 20);
	cl_assert_equal_i(journal_first_byte(), 0);
	db->drv->unlock(db);
	fetch("PRAGMA journal_mode");
	cl_assert_equal_s(val, "delete");
	fetch("PRAGMA journal_size_limit");
	cl_assert_equal_s(val, "-1");
	cl_assert(access(journal, F_OK) != 0);
}

void test_db_sqlite__run_raises_synchronous_to_full_then_gives_it_back(void)
{
	cl_assert_equal_i(db->drv->lock(db, &err), 0);
	commit_one("CREATE TABLE t (x)");
	db->drv->unlock(db);
	run_sql("PRAGMA synchronous = NORMAL");
	cl_assert_equal_i(db->drv->lock(db, &err), 0);
	fetch("PRAGMA synchronous");
	cl_assert_equal_s(val, "2");
	commit_one("INSERT INTO t VALUES (1)");
	db->drv->unlock(db);
	fetch("PRAGMA synchronous");
	cl_assert_equal_s(val, "1");
	/* EXTRA is more than ferry needs: left as it is. */
	run_sql("PRAGMA synchronous = EXTRA");
	cl_assert_equal_i(db->drv->lock(db, &err), 0);
	fetch("PRAGMA synchronous");
	cl_assert_equal_s(val, "3");
	db->drv->unlock(db);
	fetch("PRAGMA synchronous");
	cl_assert_equal_s(val, "3");
}

/* The journal known to be on disk is not trusted by its name alone. */
void test_db_sqlite__journal_gone_or_replaced_between_commits(void)
{
	int fd;

	cl_assert_equal_i(db->drv->lock(db, &err), 0);
	commit_one("CREATE TABLE t (x)");
	cl_assert(unlink(journal) == 0);
	commit_one("INSERT INTO t VALUES (1)");
	cl_assert(access(journal, F_OK) == 0);
	cl_assert(unlink(journal) == 0);
	fd = open(journal, O_WRONLY | O_CREAT | O_EXCL, 0644);
	cl_assert(fd >= 0);
	close(fd);
	commit_one("INSERT INTO t VALUES (2)");
	commit_one("INSERT INTO t VALUES (3)");
	fetch("SELECT group_concat(x) FROM t");
	cl_assert_equal_s(val, "1,2,3");
	db->drv->unlock(db);
}

/*
 * A transaction rolled back: its journal never had the sync that puts its
 * name on disk, and the next commit still works.
 */
void test_db_sqlite__rolled_back_then_committed(void)
{
	cl_assert_equal_i(db->drv->lock(db, &err), 0);
	commit_one("CREATE TABLE t (x)");
	cl_assert(unlink(journal) == 0);
	cl_assert_equal_i(db->drv->begin(db, &err), 0);
	run_sql("INSERT INTO t VALUES (1)");
	db->drv->rollback(db);
	commit_one("INSERT INTO t VALUES (2)");
	fetch("SELECT group_concat(x) FROM t");
	cl_assert_equal_s(val, "2");
	db->drv->unlock(db);
}

void test_db_sqlite__vfs_goes_with_its_handle(void)
{
	size_t before = vfs_count();

	/* A file not made yet reads as an empty in-memory stand-in. */
	cl_assert_equal_i(db->drv->lock(db, &err), 0);
	cl_assert_equal_i(vfs_count(), before + 1);
	commit_one("CREATE TABLE t (x)");
	db->drv->unlock(db);
	ferry_db_close(db);
	db = NULL;
	cl_assert_equal_i(vfs_count(), before);
}
