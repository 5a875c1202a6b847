/* SPDX-License-Identifier: MIT */
/*
 * ledger_cache.c - the ledger of a SQLite file nobody wrote since it was
 * read comes from the cache, without the database being read; any write,
 * through SQLite or not, and any state SQLite's change counter does not
 * vouch for (WAL mode, a journal left by a crash) goes to the database.
 *
 * A hit is proven by a value planted in the cache file: only a ledger
 * taken from there, not from the database, carries it.
 */
#include "clar.h"
#include "ferry_int.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[512], db_path[600], db_url[700], cache_dir[600];

#define LATER (3600 * 1000000000LL)
static ferry_set *set;
static ferry_db *db;
static ferry_error err;

void test_ledger_cache__initialize(void)
{
	ferry_error_init(&err);
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	snprintf(db_path, sizeof(db_path), "%s/app.db", cl_tmpdir());
	snprintf(db_url, sizeof(db_url), "sqlite:%s", db_path);
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", cl_tmpdir());
	if (mkdir(dir, 0755) < 0 ||
		cl_write(dir, "1_users.sql",
			"CREATE TABLE users (id integer PRIMARY KEY);\n") < 0 ||
		cl_write(dir, "2_orders.sql",
			"CREATE TABLE orders (id integer PRIMARY KEY);\n") < 0)
		cl_fail("cannot write the migration set");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	/* An hour on: the file counts as written long enough ago. */
	ferry__wall_shift(LATER);
}

void test_ledger_cache__cleanup(void)
{
	ferry__wall_shift(0);
	ferry_db_close(db);
	db = NULL;
	ferry_set_free(set);
	set = NULL;
}

static void open_db(const char *with_cache)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	ferry_db_close(db);
	db = NULL;
	o.cache_dir = with_cache;
	cl_ferry_pass(ferry_db_open(&db, db_url, &o, &err), &err);
}

/* Apply the whole set, then read the ledger once through the cache. */
static void apply_and_record(void)
{
	ferry_report *r = NULL;
	ferry__ledger l;

	open_db(NULL);
	cl_ferry_pass(ferry_up(&r, db, set, NULL, &err), &err);
	cl_assert_equal_i((int)ferry_report_count(r), 2);
	ferry_report_free(r);
	open_db(cache_dir);
	cl_assert(db->cached_rows == NULL);
	cl_ferry_pass(ferry__ledger_load(db, &l, &err), &err);
	cl_assert_equal_i((int)l.n, 2);
	ferry__ledger_clear(&l);
}

static char *cache_file(void)
{
	struct stat st;

	if (stat(db_path, &st) < 0)
		return NULL;
	return ferry__cache_path(
		cache_dir, "ledger", (uint64_t)st.st_dev, (uint64_t)st.st_ino);
}

/* Replace `from` by `to` (of the same length) in the cache file. */
static void plant(const char *from, const char *to)
{
	char *path = cache_file(), *text = NULL, *at;
	size_t len = 0;
	FILE *f;

	cl_assert(path != NULL);
	cl_assert_equal_i(ferry__cache_read(path, &text, &len), 0);
	at = strstr(text, from);
	cl_assert(at != NULL && strlen(from) == strlen(to));
	memcpy(at, to, strlen(to));
	f = fopen(path, "w");
	cl_assert(f != NULL);
	fwrite(text, 1, len, f);
	fclose(f);
	free(text);
	free(path);
}

static void sql(const char *text)
{
	sqlite3 *h = NULL;

	cl_assert_equal_i(sqlite3_open(db_path, &h), SQLITE_OK);
	cl_assert_equal_i(sqlite3_exec(h, text, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* The applied_by of migration 1, as the ledger now reads. */
static const char *applied_by(void)
{
	static char who[64];
	ferry__ledger l;

	if (ferry__ledger_load(db, &l, &err) < 0)
		return err.message;
	snprintf(who, sizeof(who), "%s",
		l.n == 2 ? l.rows[0].applied_by : "(not two rows)");
	ferry__ledger_clear(&l);
	return who;
}

/* The planted actor has the same length as the real one. */
static const char *planted(void)
{
	static char p[64];

	snprintf(p, sizeof(p), "%s", db->actor);
	memset(p, 'X', strlen(p));
	return p;
}

void test_ledger_cache__unchanged_file_comes_from_the_cache(void)
{
	ferry_report *r = NULL;

	apply_and_record();
	plant(db->actor, planted());
	open_db(cache_dir);
	cl_assert(db->cached_rows != NULL);
	cl_assert_equal_s(applied_by(), planted());
	/* Once: the next read goes to the database. */
	cl_assert(strcmp(applied_by(), db->actor) == 0);
	/* A no-op up on a hit does not read the database either. */
	plant(db->actor, planted());
	open_db(cache_dir);
	cl_ferry_pass(ferry_up(&r, db, set, NULL, &err), &err);
	cl_assert_equal_i((int)ferry_report_count(r), 0);
	cl_assert_equal_s(ferry_report_version(r), "2");
	ferry_report_free(r);
	cl_assert(db->cached_rows == NULL);
}

/* "-<change counter>", as the header now holds it, in hex. */
static const char *counter(void)
{
	static char text[16];
	unsigned char h[28] = { 0 };
	FILE *f = fopen(db_path, "rb");

	if (f) {
		if (fread(h, 1, sizeof(h), f) != sizeof(h))
			h[24] = 0xff;
		fclose(f);
	}
	snprintf(text, sizeof(text), "-%lx",
		(unsigned long)h[24] << 24 | (unsigned long)h[25] << 16 |
			(unsigned long)h[26] << 8 | h[27]);
	return text;
}

/*
 * The stamp ends with the change counter: a write moves it even within
 * one tick of the file system's clock, where the times may stay.
 */
void test_ledger_cache__a_write_through_sqlite_is_seen(void)
{
	apply_and_record();
	plant(db->actor, planted());
	/* Same size, and maybe the same mtime tick: the counter moves. */
	sql("UPDATE ferry_migrations SET applied_by = 'app@db' "
	    "WHERE version = 1");
	open_db(cache_dir);
	cl_assert(db->cached_rows == NULL);
	cl_assert_equal_s(applied_by(), "app@db");
	cl_assert(strcmp(db->stamp.text + strlen(db->stamp.text) -
				  strlen(counter()),
			  counter()) == 0);
}

void test_ledger_cache__a_copied_file_is_seen(void)
{
	char *text = NULL;
	size_t len = 0;

	apply_and_record();
	plant(db->actor, planted());
	/*
	 * Written over in place, not through SQLite: same inode and size,
	 * same counter, but a new ctime.
	 */
	cl_assert_equal_i(ferry__cache_read(db_path, &text, &len), 0);
	usleep(20000); /* past the tick of the file system's clock */
	cl_assert_equal_i(cl_write_len(cl_tmpdir(), "app.db", text, len), 0);
	free(text);
	open_db(cache_dir);
	cl_assert(db->cached_rows == NULL);
	cl_assert(strcmp(applied_by(), db->actor) == 0);
}

void test_ledger_cache__pending_work_reads_the_database(void)
{
	ferry_report *r = NULL;
	ferry__ledger l;

	apply_and_record();
	cl_write(dir, "3_items.sql", "CREATE TABLE items (id integer);\n");
	ferry_set_free(set);
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	open_db(cache_dir);
	cl_assert(db->cached_rows != NULL);
	cl_ferry_pass(ferry_up(&r, db, set, NULL, &err), &err);
	cl_assert_equal_i((int)ferry_report_count(r), 1);
	ferry_report_free(r);
	/* What was applied changed the file: the cache no longer holds. */
	open_db(cache_dir);
	cl_assert(db->cached_rows == NULL);
	cl_ferry_pass(ferry__ledger_load(db, &l, &err), &err);
	cl_assert_equal_i((int)l.n, 3);
	ferry__ledger_clear(&l);
	open_db(cache_dir);
	cl_assert(db->cached_rows != NULL);
}

void test_ledger_cache__a_write_after_open_is_seen(void)
{
	apply_and_record();
	plant(db->actor, planted());
	open_db(cache_dir);
	cl_assert(db->cached_rows != NULL);
	/* Between the open and the read, which may be long apart. */
	sql("UPDATE ferry_migrations SET applied_by = 'app@db' "
	    "WHERE version = 1");
	cl_assert_equal_s(applied_by(), "app@db");
}

void test_ledger_cache__a_file_written_just_now_is_not_recorded(void)
{
	ferry__ledger l;
	char *path;

	apply_and_record();
	path = cache_file();
	cl_assert_equal_i(unlink(path), 0);
	/*
	 * Within one tick, a write not through SQLite could leave every
	 * field as it was.
	 */
	ferry__wall_shift(0);
	sql("UPDATE ferry_migrations SET applied_by = 'app@db' "
	    "WHERE version = 1");
	open_db(cache_dir);
	cl_ferry_pass(ferry__ledger_load(db, &l, &err), &err);
	ferry__ledger_clear(&l);
	cl_assert(access(path, F_OK) < 0);
	ferry__wall_shift(LATER);
	open_db(cache_dir);
	cl_ferry_pass(ferry__ledger_load(db, &l, &err), &err);
	ferry__ledger_clear(&l);
	cl_assert(access(path, F_OK) == 0);
	free(path);
}

/* SQLite keeps the journal beside the file a symbolic link names. */
void test_ledger_cache__a_symbolic_link_is_followed(void)
{
	char link_url[700], real[700], journal[700];
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	ferry__ledger l;

	apply_and_record();
	ferry_db_close(db);
	db = NULL;
	snprintf(real, sizeof(real), "%s/real", cl_tmpdir());
	snprintf(journal, sizeof(journal), "%s/real/app.db-journal",
		cl_tmpdir());
	cl_assert_equal_i(mkdir(real, 0755), 0);
	snprintf(real, sizeof(real), "%s/real/app.db", cl_tmpdir());
	cl_assert_equal_i(rename(db_path, real), 0);
	cl_assert_equal_i(symlink(real, db_path), 0);
	snprintf(link_url, sizeof(link_url), "sqlite:%s", db_path);
	o.cache_dir = cache_dir;
	/* The move changed the file's ctime: read and record it again. */
	cl_ferry_pass(ferry_db_open(&db, link_url, &o, &err), &err);
	cl_ferry_pass(ferry__ledger_load(db, &l, &err), &err);
	ferry__ledger_clear(&l);
	plant(db->actor, planted());
	ferry_db_close(db);
	db = NULL;
	cl_ferry_pass(ferry_db_open(&db, link_url, &o, &err), &err);
	cl_assert(db->cached_rows != NULL);
	cl_assert_equal_s(applied_by(), planted());
	ferry_db_close(db);
	db = NULL;
	cl_assert_equal_i(cl_write(cl_tmpdir(), "real/app.db-journal", "x"), 0);
	cl_ferry_pass(ferry_db_open(&db, link_url, &o, &err), &err);
	cl_assert(db->cached_rows == NULL);
	unlink(journal);
}

/*
 * Taking the stamp must not drop the locks the process holds on the file:
 * closing any descriptor of a file drops every POSIX lock on it, and the
 * application's own connection may be in a transaction.
 */
void test_ledger_cache__the_application_keeps_its_lock(void)
{
	sqlite3 *app = NULL;
	ferry__ledger l;
	int status = -1;
	pid_t pid;

	apply_and_record();
	ferry_db_close(db);
	db = NULL;
	cl_assert_equal_i(sqlite3_open(db_path, &app), SQLITE_OK);
	cl_assert_equal_i(
		sqlite3_exec(app, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
		SQLITE_OK);
	open_db(cache_dir);
	cl_assert(db->cached_rows != NULL);
	cl_ferry_pass(ferry__ledger_load(db, &l, &err), &err);
	ferry__ledger_clear(&l);
	ferry_db_close(db);
	db = NULL;
	/*
	 * Another process asks the kernel, as SQLite would, whether the
	 * lock bytes (from offset 2^30) are still locked. Not through SQLite:
	 * a forked child shares the parent's idea of who holds what.
	 */
	pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK,
			.l_whence = SEEK_SET,
			.l_start = 0x40000000,
			.l_len = 512 };
		int fd = open(db_path, O_RDONLY);

		_exit(fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 &&
					fl.l_type != F_UNLCK
				? 0
				: 1);
	}
	cl_assert(pid > 0);
	cl_assert(waitpid(pid, &status, 0) == pid);
	sqlite3_exec(app, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(app);
	cl_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void test_ledger_cache__wal_mode_is_never_cached(void)
{
	char *path;

	apply_and_record();
	path = cache_file();
	unlink(path);
	sql("PRAGMA journal_mode = WAL");
	open_db(cache_dir);
	cl_assert(strcmp(applied_by(), db->actor) == 0);
	cl_assert(access(path, F_OK) < 0);
	free(path);
}

void test_ledger_cache__a_journal_left_behind_is_not_trusted(void)
{
	apply_and_record();
	plant(db->actor, planted());
	/* An empty journal (TRUNCATE mode) is no journal. */
	cl_assert_equal_i(cl_write(cl_tmpdir(), "app.db-journal", ""), 0);
	open_db(cache_dir);
	cl_assert(db->cached_rows != NULL);
	/* One with something in it may be a transaction to roll back. */
	cl_assert_equal_i(cl_write(cl_tmpdir(), "app.db-journal", "x"), 0);
	open_db(cache_dir);
	cl_assert(db->cached_rows == NULL);
}

void test_ledger_cache__another_table_misses(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	apply_and_record();
	ferry_db_close(db);
	o.cache_dir = cache_dir;
	o.table = "other_migrations";
	cl_ferry_pass(ferry_db_open(&db, db_url, &o, &err), &err);
	cl_assert(db->cached_rows == NULL);
}

void test_ledger_cache__version_1_options_have_no_cache(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	apply_and_record();
	ferry_db_close(db);
	o.version = 1;
	o.cache_dir = cache_dir; /* not part of version 1: never read */
	cl_ferry_pass(ferry_db_open(&db, db_url, &o, &err), &err);
	cl_assert(db->cache_dir == NULL && db->cached_rows == NULL);
}

/* The format itself: what is put is what is read back. */
static int collect(void *payload, int ncols, const char *const *v)
{
	ferry__buf *b = payload;
	int i;

	for (i = 0; i < ncols; i++)
		ferry__buf_printf(b, "[%s]", v[i] ? v[i] : "NULL");
	ferry__buf_puts(b, "\n");
	return 0;
}

void test_ledger_cache__values_round_trip(void)
{
	const char *row1[] = { "1", NULL, "", "two words", "a\nb\r\nc",
		"12:34 - 5", "-" };
	const char *row2[] = { NULL };
	ferry__db_stamp s = { { 1, 2, 0, 0, 0 }, "1-2-3" };
	ferry__buf rows = FERRY__BUF_INIT, out = FERRY__BUF_INIT;
	char *text;

	ferry__ledger_cache_put(&rows, 7, row1);
	ferry__ledger_cache_put(&rows, 1, row2);
	ferry__ledger_cache_save(cache_dir, &s, "t", &rows);
	text = ferry__ledger_cache_load(cache_dir, &s, "t");
	cl_assert(text != NULL);
	cl_assert_equal_i(ferry__ledger_cache_rows(text, collect, &out), 0);
	cl_assert_equal_s(out.buf,
		"[1][NULL][][two words][a\nb\r\nc][12:34 - 5][-]\n[NULL]\n");
	free(text);
	/* Another stamp or table is another database. */
	snprintf(s.text, sizeof(s.text), "1-2-4");
	cl_assert(ferry__ledger_cache_load(cache_dir, &s, "t") == NULL);
	snprintf(s.text, sizeof(s.text), "1-2-3");
	cl_assert(ferry__ledger_cache_load(cache_dir, &s, "u") == NULL);
	ferry__buf_release(&rows);
	ferry__buf_release(&out);
}

void test_ledger_cache__broken_caches_are_not_used(void)
{
	static const char *const bad[] = {
		"",
		"ferry-ledger-cache 0 " FERRY_VERSION "\n5:1-2-3 1:t\n",
		"ferry-ledger-cache 1 " FERRY_VERSION "\n5:1-2-3\n",
		"ferry-ledger-cache 1 " FERRY_VERSION "\n5:1-2-3 1:t",
		"ferry-ledger-cache 1 " FERRY_VERSION "\n9:1-2-3 1:t\n",
		"ferry-ledger-cache 1 " FERRY_VERSION "\n5:1-2-3 x:t\n",
	};
	static const char *const bad_rows[] = {
		"1:1 3:ab\n", /* a value longer than the text */
		"1:1 1:ab\n", /* no separator after the value */
		"1:1 -",      /* no end of line */
		"1:1 :a\n",   /* no length */
		"1:1  1:a\n", /* an empty field */
		"99999999999999999999999:a\n",
	};
	ferry__db_stamp s = { { 1, 2, 0, 0, 0 }, "1-2-3" };
	char *path = ferry__cache_path(cache_dir, "ledger", 1, 2), *text;
	ferry__buf out = FERRY__BUF_INIT;
	size_t i;

	mkdir(cache_dir, 0700);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		FILE *f = fopen(path, "w");

		cl_assert(f != NULL);
		fputs(bad[i], f);
		fclose(f);
		cl_assert(ferry__ledger_cache_load(cache_dir, &s, "t") == NULL);
	}
	for (i = 0; i < sizeof(bad_rows) / sizeof(*bad_rows); i++) {
		text = strdup(bad_rows[i]);
		cl_assert_equal_i(
			ferry__ledger_cache_rows(text, collect, &out), -1);
		free(text);
	}
	/* A NUL byte anywhere. */
	{
		static const char nul[] = "ferry-ledger-cache 1 " FERRY_VERSION
					  "\n5:1-2-3 1:t\n1:\0\n";
		FILE *f = fopen(path, "w");

		fwrite(nul, 1, sizeof(nul) - 1, f);
		fclose(f);
		cl_assert(ferry__ledger_cache_load(cache_dir, &s, "t") == NULL);
	}
	ferry__buf_release(&out);
	free(path);
}

void test_ledger_cache__a_broken_cache_file_is_read_around(void)
{
	char *path;
	FILE *f;

	apply_and_record();
	path = cache_file();
	f = fopen(path, "r+");
	cl_assert(f != NULL);
	/* Cut the file in the middle of a row. */
	cl_assert_equal_i(ftruncate(fileno(f), 150), 0);
	fclose(f);
	open_db(cache_dir);
	cl_assert(db->cached_rows != NULL); /* the head still matches */
	cl_assert(strcmp(applied_by(), db->actor) == 0);
	/* ... and the read wrote it whole again. */
	plant(db->actor, planted());
	open_db(cache_dir);
	cl_assert_equal_s(applied_by(), planted());
	free(path);
}
