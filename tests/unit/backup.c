/* SPDX-License-Identifier: MIT */
/*
 * backup.c - the pure parts of backups: pg_dump's version line, the name
 * a backup is given, telling a backup file from any other, and the
 * temporary file's creation and renaming (mode 0600, never replacing).
 */
#include "clar.h"
#include "ferry_int.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
