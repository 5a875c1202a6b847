/* SPDX-License-Identifier: MIT */
/*
 * backup.c - the pure parts of backups: pg_dump's version line, the name
 * a backup is given and its reading back, the listing and pruning of the
 * backups ferry named, telling a backup file from any other, and the
 * temporary file's creation and renaming (mode 0600, never replacing).
 */
#include "clar.h"
#include "ferry_int.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static ferry_error err;
static char dir[] = "/tmp/ferry-unit-backup-XXXXXX";
static char path[512];

void test_backup__initialize(void)
{
	ferry_error_init(&err);
	strcpy(dir, "/tmp/ferry-unit-backup-XXXXXX");
	cl_assert(mkdtemp(dir) != NULL);
}

void test_backup__cleanup(void)
{
	char cmd[600];

	ferry__alloc_fail_from(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cl_assert_equal_i(system(cmd), 0);
}

void test_backup__pg_tool_major(void)
{
	cl_assert_equal_i(
		ferry__pg_tool_major(
			"pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
		15);
	cl_assert_equal_i(
		ferry__pg_tool_major("pg_dump (PostgreSQL) 9.6.24\n"), 9);
	cl_assert_equal_i(
		ferry__pg_tool_major("pg_restore (PostgreSQL) 17devel"), 17);
	cl_assert_equal_i(ferry__pg_tool_major("pg_dump 15.1"), -1);
	cl_assert_equal_i(ferry__pg_tool_major("pg_dump (PostgreSQL) x"), -1);
	cl_assert_equal_i(ferry__pg_tool_major(""), -1);
	cl_assert_equal_i(ferry__pg_tool_major(NULL), -1);
}

static void assert_matches(const char *s, const char *re)
{
	regex_t r;

	cl_assert_equal_i(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&r, s, 0, NULL, 0) != 0)
		cl_fail(s);
	regfree(&r);
}

void test_backup__default_name(void)
{
	char *n;

	n = ferry__backup_default_name(
		NULL, "/srv/app/shop.db", "11", "sqlite", 1);
	assert_matches(n, "^shop-[0-9]{8}T[0-9]{6}Z-v11\\.sqlite$");
	free(n);
	n = ferry__backup_default_name("backups/", "app", NULL, "pgdump", 2);
	assert_matches(n, "^backups/app-[0-9]{8}T[0-9]{6}Z-v0-2\\.pgdump$");
	free(n);
	n = ferry__backup_default_name("b", "my db.sqlite3", "1", "sqlite", 1);
	assert_matches(n, "^b/my_db-[0-9]{8}T[0-9]{6}Z-v1\\.sqlite$");
	free(n);
	n = ferry__backup_default_name(NULL, ".hidden", "1", "sqlite", 1);
	assert_matches(n, "^\\.hidden-");
	free(n);
}

void test_backup__default_name_oom(void)
{
	ferry__alloc_fail_from(1);
	cl_assert(ferry__backup_default_name(NULL, "a", "1", "x", 1) == NULL);
}

/* What ferry__backup_default_name() wrote, read back by the same module. */
static void assert_round_trip(const char *dbname, const char *version,
	const char *ext, int attempt, const char *want_version)
{
	ferry__backup_name n;
	char *name = ferry__backup_default_name(
		"some/dir", dbname, version, ext, attempt);

	cl_assert(name != NULL);
	memset(&n, 0, sizeof(n));
	cl_assert_equal_i(ferry__backup_parse_name(
				  &n, name + strlen("some/dir/"), dbname, ext),
		1);
	cl_assert_equal_s(n.version, want_version);
	cl_assert_equal_i(n.attempt, attempt);
	assert_matches(n.time, "^[0-9]{8}T[0-9]{6}Z$");
	free(name);
}

void test_backup__parse_name(void)
{
	ferry__backup_name n;

	assert_round_trip("/srv/app/shop.db", "11", "sqlite", 1, "11");
	assert_round_trip("app", NULL, "pgdump", 2, "0");
	assert_round_trip("my db.sqlite3", "1", "sqlite", 99, "1");
	assert_round_trip(
		".hidden", "20240301120000", "sqlite", 1, "20240301120000");
	assert_round_trip("", "3", "sqlite", 1, "3");

	cl_assert_equal_i(
		ferry__backup_parse_name(&n, "shop-20261130T120000Z-v11.sqlite",
			"/srv/shop.db", "sqlite"),
		1);
	cl_assert_equal_s(n.time, "20261130T120000Z");
	cl_assert_equal_s(n.version, "11");
	cl_assert_equal_i(n.attempt, 1);

	/* Names ferry did not give to a backup of this database. */
	cl_assert_equal_i(
		ferry__backup_parse_name(&n, "shop-20261130T120000Z-v11.pgdump",
			"shop.db", "sqlite"),
		0);
	cl_assert_equal_i(ferry__backup_parse_name(&n,
				  "shops-20261130T120000Z-v11.sqlite",
				  "shop.db", "sqlite"),
		0);
	cl_assert_equal_i(ferry__backup_parse_name(&n,
				  "otherdb-20261130T120000Z-v1.sqlite",
				  "shop.db", "sqlite"),
		0);
	cl_assert_equal_i(
		ferry__backup_parse_name(
			&n, "shop-before-upgrade.sqlite", "shop.db", "sqlite"),
		0);
	cl_assert_equal_i(
		ferry__backup_parse_name(&n, "shop-2026113T120000Z-v11.sqlite",
			"shop.db", "sqlite"),
		0);
	cl_assert_equal_i(
		ferry__backup_parse_name(&n, "shop-20261130T120000-v11.sqlite",
			"shop.db", "sqlite"),
		0);
	cl_assert_equal_i(
		ferry__backup_parse_name(&n, "shop-20261130T120000Z-11.sqlite",
			"shop.db", "sqlite"),
		0);
	cl_assert_equal_i(
		ferry__backup_parse_name(&n, "shop-20261130T120000Z-v.sqlite",
			"shop.db", "sqlite"),
		0);
	cl_assert_equal_i(
		ferry__backup_parse_name(&n, "shop-20261130T120000Z-v1x.sqlite",
			"shop.db", "sqlite"),
		0);
	cl_assert_equal_i(ferry__backup_parse_name(&n,
				  "shop-20261130T120000Z-v1-100.sqlite",
				  "shop.db", "sqlite"),
		0);
	cl_assert_equal_i(ferry__backup_parse_name(&n,
				  "shop-20261130T120000Z-v1.sqlite.bak",
				  "shop.db", "sqlite"),
		0);
	cl_assert_equal_i(ferry__backup_parse_name(&n,
				  ".shop-20261130T120000Z-v1.sqlite.partial-"
				  "AbC123",
				  "shop.db", "sqlite"),
		0);
	cl_assert_equal_i(
		ferry__backup_parse_name(&n,
			"shop-20261130T120000Z-v123456789012345678901."
			"sqlite",
			"shop.db", "sqlite"),
		0);
}

/* A file of `dir`/backups, its modification time `sec` seconds in. */
static void touch_backup(const char *name, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };
	char sub[600];

	snprintf(sub, sizeof(sub), "%s/backups", dir);
	cl_assert_equal_i(cl_write(sub, name, "old\n"), 0);
	cl_assert_equal_i(utimensat(AT_FDCWD, cl_path(sub, name), ts, 0), 0);
}

/*
 * backups/ of the test's directory: four backups of "shop" (two of them
 * in one second, the later one on disk listed after), and what is not
 * one: other names, another database, a link, a directory.
 */
static void make_backups(void)
{
	char sub[600], target[700];

	snprintf(sub, sizeof(sub), "%s/backups", dir);
	cl_assert_equal_i(mkdir(sub, 0700), 0);
	touch_backup("shop-20220101T000000Z-v3.sqlite", 3000);
	touch_backup("shop-20200101T000000Z-v1.sqlite", 1000);
	touch_backup("shop-20210101T000000Z-v2-2.sqlite", 2001);
	touch_backup("shop-20210101T000000Z-v2.sqlite", 2000);
	touch_backup("shop-20190101T000000Z-v1.pgdump", 500);
	touch_backup("otherdb-20190101T000000Z-v1.sqlite", 500);
	touch_backup("shop-before-upgrade.sqlite", 500);
	touch_backup("notes.txt", 500);
	snprintf(target, sizeof(target), "%s/notes.txt", sub);
	cl_assert_equal_i(symlink(target,
				  cl_path(sub,
					  "shop-20230101T000000Z-v4."
					  "sqlite")),
		0);
	cl_assert_equal_i(
		mkdir(cl_path(sub, "shop-20240101T000000Z-v5.sqlite"), 0700),
		0);
}

void test_backup__list_dir(void)
{
	char sub[600], want[700];
	ferry_backups *l = NULL;
	const ferry_backup_file *f;

	make_backups();
	/* The directory as given, then the file: one '/' between. */
	snprintf(sub, sizeof(sub), "%s/backups/", dir);
	snprintf(want, sizeof(want), "%sshop-20200101T000000Z-v1.sqlite", sub);
	cl_ferry_pass(
		ferry__backup_list_dir(&l, sub, "/x/shop.db", "sqlite", &err),
		&err);
	cl_assert_equal_i(ferry_backups_count(l), 4);
	f = ferry_backups_at(l, 0);
	cl_assert_equal_s(f->path, want);
	cl_assert_equal_s(f->time, "20200101T000000Z");
	cl_assert_equal_s(f->version, "1");
	cl_assert(strstr(ferry_backups_at(l, 1)->path,
			  "/shop-20210101T000000Z-v2.sqlite") != NULL);
	cl_assert(strstr(ferry_backups_at(l, 2)->path,
			  "/shop-20210101T000000Z-v2-2.sqlite") != NULL);
	cl_assert_equal_s(ferry_backups_at(l, 3)->version, "3");
	cl_assert(ferry_backups_at(l, 4) == NULL);
	ferry_backups_free(l);

	/* Another database's, another engine's. */
	cl_ferry_pass(
		ferry__backup_list_dir(&l, sub, "otherdb", "sqlite", &err),
		&err);
	cl_assert_equal_i(ferry_backups_count(l), 1);
	ferry_backups_free(l);
	cl_ferry_pass(
		ferry__backup_list_dir(&l, sub, "shop", "pgdump", &err), &err);
	cl_assert_equal_i(ferry_backups_count(l), 1);
	ferry_backups_free(l);

	/* The getters and the free take NULL. */
	cl_assert_equal_i(ferry_backups_count(NULL), 0);
	cl_assert(ferry_backups_at(NULL, 0) == NULL);
	ferry_backups_free(NULL);
}

void test_backup__list_dir_missing(void)
{
	ferry_backups *l = (ferry_backups *)1;
	char sub[600];

	snprintf(sub, sizeof(sub), "%s/none", dir);
	cl_assert_equal_i(
		ferry__backup_list_dir(&l, sub, "shop", "sqlite", &err),
		FERRY_ERROR);
	cl_assert(l == NULL);
	cl_assert(strstr(err.message, "cannot read directory '") != NULL);
	cl_assert(err.detail[0] != '\0');
}

/* Every allocation in turn fails: FERRY_ENOMEM, nothing left over. */
void test_backup__list_dir_oom(void)
{
	ferry_backups *l = NULL;
	char sub[600];
	long n;
	int rc = FERRY_ENOMEM;

	make_backups();
	snprintf(sub, sizeof(sub), "%s/backups", dir);
	for (n = 1; rc == FERRY_ENOMEM && n < 1000; n++) {
		ferry_error_init(&err);
		ferry__alloc_fail_from(n);
		rc = ferry__backup_list_dir(&l, sub, "shop", "sqlite", &err);
		ferry__alloc_fail_from(0);
		if (rc == FERRY_ENOMEM) {
			cl_assert(l == NULL);
			cl_assert_equal_s(err.message, "out of memory");
		}
	}
	cl_assert_equal_i(rc, 0);
	cl_assert_equal_i(ferry_backups_count(l), 4);
	ferry_backups_free(l);
}

struct removed {
	int n;
	char last[700];
};

static void on_removed(const char *p, void *payload)
{
	struct removed *r = payload;

	r->n++;
	snprintf(r->last, sizeof(r->last), "%s", p);
}

/* A SQLite database named shop, with its backups in backups/. */
static ferry_db *open_shop(void)
{
	ferry_db *db = NULL;
	char url[600];

	snprintf(url, sizeof(url), "sqlite:%s/shop.db", dir);
	if (ferry_db_open(&db, url, NULL, &err) < 0)
		return NULL;
	return db;
}

void test_backup__list_and_prune(void)
{
	struct removed r = { 0, "" };
	ferry_backups *l = NULL;
	ferry_db *db;
	char sub[600];

	make_backups();
	snprintf(sub, sizeof(sub), "%s/backups", dir);
	cl_assert((db = open_shop()) != NULL);
	cl_ferry_pass(ferry_backup_list(&l, db, sub, &err), &err);
	cl_assert_equal_i(ferry_backups_count(l), 4);
	ferry_backups_free(l);

	/* The two newest stay; nothing that is not a backup goes. */
	cl_ferry_pass(
		ferry_backup_prune(db, sub, 2, on_removed, &r, &err), &err);
	cl_assert_equal_i(r.n, 2);
	cl_assert(strstr(r.last, "/shop-20210101T000000Z-v2.sqlite") != NULL);
	cl_assert(access(cl_path(sub, "shop-20200101T000000Z-v1.sqlite"),
			  F_OK) != 0);
	cl_assert(access(cl_path(sub, "shop-20210101T000000Z-v2-2.sqlite"),
			  F_OK) == 0);
	cl_assert(access(cl_path(sub, "shop-20220101T000000Z-v3.sqlite"),
			  F_OK) == 0);
	cl_assert(
		access(cl_path(sub, "shop-before-upgrade.sqlite"), F_OK) == 0);
	cl_assert(access(cl_path(sub, "otherdb-20190101T000000Z-v1.sqlite"),
			  F_OK) == 0);
	cl_assert(access(cl_path(sub, "shop-20190101T000000Z-v1.pgdump"),
			  F_OK) == 0);
	cl_assert(access(cl_path(sub, "notes.txt"), F_OK) == 0);

	/* Keeping more than there are removes nothing; 0 removes all. */
	r.n = 0;
	cl_ferry_pass(ferry_backup_prune(db, sub, 5, NULL, NULL, &err), &err);
	cl_ferry_pass(
		ferry_backup_prune(db, sub, 0, on_removed, &r, &err), &err);
	cl_assert_equal_i(r.n, 2);
	cl_ferry_pass(ferry_backup_list(&l, db, sub, &err), &err);
	cl_assert_equal_i(ferry_backups_count(l), 0);
	ferry_backups_free(l);
	ferry_db_close(db);
}

void test_backup__list_errors(void)
{
	ferry_backups *l = (ferry_backups *)1;
	ferry_db *db = NULL, *mem = NULL;

	cl_assert((db = open_shop()) != NULL);
	cl_assert_equal_i(
		ferry_backup_list(NULL, db, dir, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "invalid argument: 'out'");
	cl_assert_equal_i(
		ferry_backup_list(&l, NULL, dir, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "invalid argument: 'db'");
	cl_assert(l == (ferry_backups *)1);
	cl_assert_equal_i(ferry_backup_prune(NULL, dir, 1, NULL, NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_i(ferry_backup_list(&l, db, cl_path(dir, "none"), &err),
		FERRY_ERROR);
	cl_assert(l == NULL);
	cl_assert_equal_i(ferry_backup_prune(db, cl_path(dir, "none"), 1, NULL,
				  NULL, NULL),
		FERRY_ERROR);
	ferry_db_close(db);
	cl_ferry_pass(ferry_db_open(&mem, "sqlite::memory:", NULL, &err), &err);
	cl_assert_equal_i(
		ferry_backup_list(&l, mem, dir, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "an in-memory database has no backups");
	ferry_db_close(mem);
}

/* A backup that cannot go does not keep the others. */
void test_backup__prune_cannot_remove(void)
{
	struct removed r = { 0, "" };
	char sub[600], blocked[700];
	ferry_db *db;

	/* Root removes files from a read-only directory too: nothing to
	 * try then. */
	if (geteuid() == 0)
		return;
	make_backups();
	snprintf(sub, sizeof(sub), "%s/backups", dir);
	snprintf(blocked, sizeof(blocked), "%s", sub);
	cl_assert((db = open_shop()) != NULL);
	cl_assert_equal_i(chmod(blocked, 0500), 0);
	cl_assert_equal_i(ferry_backup_prune(db, sub, 1, on_removed, &r, &err),
		FERRY_ERROR);
	cl_assert_equal_i(chmod(blocked, 0700), 0);
	cl_assert_equal_i(r.n, 0);
	cl_assert(strstr(err.message, "cannot remove old backup '") != NULL);
	ferry_db_close(db);
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cl_assert(f != NULL);
	cl_assert_equal_i(fwrite(data, 1, n, f), n);
	fclose(f);
}

void test_backup__kind(void)
{
	const ferry__driver *engine = NULL;

	write_file("a.sqlite", "SQLite format 3\0rest of it", 26);
	cl_assert_equal_i(ferry__backup_kind(path, &engine, &err), 0);
	cl_assert_equal_i(engine->engine, FERRY__ENGINE_SQLITE);
	write_file("a.pgdump", "PGDMP\1\16\0", 8);
	cl_assert_equal_i(ferry__backup_kind(path, &engine, &err), 0);
	cl_assert_equal_i(engine->engine, FERRY__ENGINE_PG);
	write_file("short", "SQLite", 6);
	cl_assert_equal_i(
		ferry__backup_kind(path, &engine, &err), FERRY_EINVALID);
	cl_assert(strstr(err.message, "is not a ferry backup") != NULL);
	cl_assert_equal_s(err.detail,
		"it is neither a SQLite database nor a pg_dump custom-format "
		"archive");
	write_file("sqlite2", "SQLite format 3!", 16);
	cl_assert_equal_i(
		ferry__backup_kind(path, &engine, &err), FERRY_EINVALID);
	write_file("empty", "", 0);
	cl_assert_equal_i(
		ferry__backup_kind(path, &engine, &err), FERRY_EINVALID);
	snprintf(path, sizeof(path), "%s/none", dir);
	cl_assert_equal_i(
		ferry__backup_kind(path, &engine, &err), FERRY_EINVALID);
	cl_assert(strstr(err.message, "cannot read backup file") != NULL);
	cl_assert_equal_i(
		ferry__backup_kind(dir, &engine, &err), FERRY_EINVALID);
	cl_assert(strstr(err.message, "is a directory") != NULL);
}

void test_backup__tmp_and_commit(void)
{
	char final[600], *tmp = NULL;
	struct stat st;
	int64_t bytes = 0;
	int fd;
	mode_t old = umask(0);

	snprintf(final, sizeof(final), "%s/b.sqlite", dir);
	cl_assert_equal_i(ferry__backup_tmp(final, &tmp, &fd, &err), 0);
	umask(old);
	cl_assert(strstr(tmp, "/.b.sqlite.partial-") != NULL);
	cl_assert_equal_i(write(fd, "data", 4), 4);
	close(fd);
	cl_assert_equal_i(stat(tmp, &st), 0);
	cl_assert_equal_i(st.st_mode & 0777, 0600);
	cl_assert_equal_i(ferry__backup_commit(tmp, final, &bytes, &err), 0);
	cl_assert_equal_i(bytes, 4);
	cl_assert(access(tmp, F_OK) != 0);
	cl_assert_equal_i(stat(final, &st), 0);
	cl_assert_equal_i(st.st_mode & 0777, 0600);
	free(tmp);

	/* A file that appeared at the final name meanwhile is kept. */
	cl_assert_equal_i(ferry__backup_tmp(final, &tmp, &fd, &err), 0);
	close(fd);
	cl_assert_equal_i(
		ferry__backup_commit(tmp, final, &bytes, &err), FERRY_EINVALID);
	cl_assert(strstr(err.message, "already exists") != NULL);
	cl_assert_equal_i(stat(final, &st), 0);
	cl_assert_equal_i(st.st_size, 4);
	unlink(tmp);
	free(tmp);
}

void test_backup__tmp_in_missing_dir(void)
{
	char final[600], *tmp = NULL;
	int fd = 0;

	snprintf(final, sizeof(final), "%s/nodir/b.sqlite", dir);
	cl_assert_equal_i(
		ferry__backup_tmp(final, &tmp, &fd, &err), FERRY_ERROR);
	cl_assert(tmp == NULL);
	cl_assert_equal_i(fd, -1);
	cl_assert(strstr(err.hint, "create the directory first") != NULL);
}
