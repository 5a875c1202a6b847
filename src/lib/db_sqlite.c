/* SPDX-License-Identifier: MIT */
/*
 * db_sqlite.c - the SQLite driver.
 *
 * User SQL runs one statement at a time through sqlite3_prepare_v2()'s
 * tail, so a failure names the statement's file, line and column (and the
 * failing token's, where sqlite3_error_offset() knows it). The runner lock
 * is an open-file-description lock on one byte of the database file that
 * SQLite never locks (lock.c), so the application is not blocked between
 * migrations.
 */
#include "ferry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

/*
 * ferry's own statements (the ledger's INSERT, the history's) come back
 * once per migration: a few stay prepared, keyed by their text.
 */
#define STMT_CACHE 8

typedef struct {
	char *sql;
	sqlite3_stmt *st;
} cached_stmt;

typedef struct {
	sqlite3 *h;
	ferry__sqvfs *vfs; /* the files' VFS (db_sqlite_vfs.c), or NULL */
	ferry__filelock lock;
	int persisting; /* we switched journal_mode from DELETE to PERSIST */
	sqlite3_int64 size_limit_was; /* journal_size_limit before that */
	int sync_was; /* synchronous before the run raised it, + 1; or 0 */
	int created;  /* the lock made the file, which is still empty */
	int64_t busy_since; /* when SQLite began to wait, in busy_wait() */
	int64_t busy_until; /* when busy_wait() last let SQLite try again */
	int64_t write_t0; /* when this transaction took the write lock, or 0 */
	int busy_said;	  /* busy_wait() told of this wait */
	int64_t held_ms;  /* the write lock's closed spells in this section */
	int64_t section_t0; /* sq_section_start(): statements run as they
			     * come, so the client's clock measures them */
	cached_stmt cache[STMT_CACHE];
	unsigned next_evict;
	sqlite3_stmt *load; /* the INSERT of sq_load_begin(), or NULL */
	int load_ncols;
	int64_t load_row; /* rows handed to it so far */
	ferry__buf load_blob;
	int app_busy_ms; /* a borrowed handle's busy timeout, to put back */
} sq_conn;

#define CONN(db) ((sq_conn *)(db)->conn)

/* Statements are finalized before their handle closes. */
static void cache_flush(sq_conn *c)
{
	int i;

	for (i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
		c->cache[i].st = NULL;
		c->cache[i].sql = NULL;
	}
}

/* A prepared statement for `sql`, from the cache or new and kept. */
static sqlite3_stmt *prepare_cached(sq_conn *c, const char *sql)
{
	cached_stmt *slot;
	sqlite3_stmt *st = NULL;
	char *copy;
	int i;

	for (i = 0; i < STMT_CACHE; i++)
		if (c->cache[i].sql && strcmp(c->cache[i].sql, sql) == 0)
			return c->cache[i].st;
	if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
		    NULL) != SQLITE_OK)
		return NULL;
	if (!(copy = ferry__strdup(sql)))
		return st; /* used once and finalized by the caller's reset */
	slot = &c->cache[c->next_evict++ % STMT_CACHE];
	sqlite3_finalize(slot->st);
	free(slot->sql);
	slot->sql = copy;
	slot->st = st;
	return st;
}

/* Done with a statement: reset it if cached, else finalize it. */
static void release_stmt(sq_conn *c, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < STMT_CACHE; i++) {
		if (c->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

static int code_of(int rc)
{
	rc &= 0xff; /* the primary code of an extended one */
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return FERRY_ELOCKED;
	return rc == SQLITE_NOMEM ? FERRY_ENOMEM : FERRY_EDB;
}

/*
 * What to do about a failure whose cause is not the SQL (a lock, the
 * disk, the file's permissions, a damaged file), by SQLite's code; NULL
 * when the statement itself is to blame, and "fix it" stands.
 */
static const char *class_hint(const ferry_db *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return db->read_only
			? "a migration or the application is writing; run "
			  "the command again in a moment"
			: "another connection holds a write lock on the "
			  "database; wait longer with --lock-timeout";
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return "ferry needs write access to the database file and its "
		       "directory: grant it, then run again";
	case SQLITE_FULL:
		return "the disk is full: free some space, then run again";
	case SQLITE_IOERR:
		return "the disk failed to read or write: check it, then run "
		       "again";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return "the database file is damaged: restore it from a backup "
		       "('ferry restore')";
	default:
		return NULL;
	}
}

/* Fill `err` from the connection's last error, led by `what` if not NULL. */
static int fail(ferry_db *db, ferry_error *err, const char *what)
{
	sqlite3 *h = CONN(db)->h;
	int rc = sqlite3_errcode(h);

	if (what)
		ferry__error_set(
			err, code_of(rc), "%s: %s", what, sqlite3_errmsg(h));
	else
		ferry__error_set(err, code_of(rc), "%s", sqlite3_errmsg(h));
	if (class_hint(db, rc))
		ferry__error_hint(err, "%s", class_hint(db, rc));
	return code_of(rc);
}

static int dir_exists(const char *path)
{
	char *copy = ferry__strdup(path);
	struct stat st;
	int ok;

	if (!copy)
		return 1; /* let sqlite3_open_v2 report it */
	ok = stat(dirname(copy), &st) == 0 && S_ISDIR(st.st_mode);
	free(copy);
	return ok;
}

/*
 * ferry_db_interrupt() only sets a flag: SQLite asks this every thousand
 * steps of a statement, in the thread that runs it, and stops the
 * statement (SQLITE_INTERRUPT) once the flag is up. sqlite3_interrupt()
 * from the interrupting thread would race with the handle being opened
 * again (a file made at the first write) or closed.
 */
static int interrupted(void *arg)
{
	return ferry__interrupted(arg);
}

static int open_handle(
	ferry_db *db, const char *path, int flags, ferry_error *err)
{
	sq_conn *c = CONN(db);
	int memory = strcmp(path, ":memory:") == 0, rc;

	if (!memory && !c->vfs && ferry__sqvfs_new(&c->vfs) < 0)
		return ferry__error_oom(err);
	rc = sqlite3_open_v2(path, &c->h, flags | SQLITE_OPEN_NOMUTEX,
		memory ? NULL : ferry__sqvfs_name(c->vfs));
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(c->h, 1);
		sqlite3_progress_handler(c->h, 1000, interrupted, db);
		return 0;
	}
	if (rc == SQLITE_NOMEM || !c->h)
		return ferry__error_oom(err);
	ferry__error_set(err, FERRY_EINVALID, "cannot open database '%s'",
		db->url.display);
	ferry__error_detail(err, "%s", sqlite3_errmsg(c->h));
	ferry__error_hint(err,
		"check the path and the permissions of the file and its "
		"directory");
	return FERRY_EINVALID;
}

static int sq_lock_probe(
	ferry_db *db, int *held, char **holder, ferry_error *err);

/*
 * SQLite calls this while another connection holds the database (a
 * migration's long transaction, or the application writing): wait up to
 * the lock timeout (or db->busy_cap_ms), and once a wait has lasted a
 * second, say who holds it if a runner does, so that nobody waits long in
 * silence (and nobody hears of the moments readers and writers meet).
 */
static int busy_wait(void *arg, int count)
{
	ferry_db *db = arg;
	sq_conn *c = CONN(db);
	int64_t now = ferry__now_ms();
	int limit = db->lock_timeout_ms;

	if (db->busy_cap_ms && db->busy_cap_ms < limit)
		limit = db->busy_cap_ms;
	if (count == 0) {
		c->busy_since = now;
		c->busy_said = 0;
	}
	if (now - c->busy_since >= limit || ferry__interrupted(db))
		return 0;
	if (!c->busy_said && !db->busy_cap_ms && now - c->busy_since >= 1000) {
		ferry_event ev = { .type = FERRY_EVENT_BUSY };
		char *holder = NULL;
		int held = 0;

		c->busy_said = 1;
		if (sq_lock_probe(db, &held, &holder, NULL) == 0 && held)
			ev.holder = holder;
		ferry__emit(db, &ev);
		free(holder);
	}
	ferry__sleep_ms(count < 4 ? 1 << count : 20);
	/* Only a wait to take the write lock: one that holds it and waits
	 * for readers before it can commit holds it all the while. */
	if (sqlite3_txn_state(c->h, NULL) != SQLITE_TXN_WRITE)
		c->busy_until = ferry__now_ms();
	return 1;
}

/* Make sure the file is a database before anything trusts it. */
static int check_database(ferry_db *db, ferry_error *err)
{
	sqlite3 *h = CONN(db)->h;
	int rc;

	/* No waiting here: a lock held by a writer already says "database". */
	sqlite3_busy_handler(h, NULL, NULL);
	rc = sqlite3_exec(
		h, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL, NULL);
	sqlite3_busy_handler(h, busy_wait, db);

	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_NOTADB) {
		ferry__error_set(err, FERRY_EINVALID,
			"'%s' is not a SQLite database", db->url.path);
		ferry__error_hint(err,
			"check the database path; ferry does not change a "
			"file it cannot read as a database");
		return FERRY_EINVALID;
	}
	/* Locked by a writer: it is a database; the caller meets the lock. */
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 0;
	ferry__error_set(err, FERRY_EINVALID, "cannot read database '%s'",
		db->url.display);
	ferry__error_detail(err, "%s", sqlite3_errmsg(h));
	ferry__error_hint(
		err, "check the permissions of the file and its directory");
	return FERRY_EINVALID;
}

/*
 * Run a PRAGMA and read the value it gives: 1 if it gives one and, when
 * `mode` is not NULL, the value is that text in any case; else 0. With
 * `num`, the value as an integer goes to *num.
 */
static int pragma_get(
	sqlite3 *h, const char *sql, const char *mode, sqlite3_int64 *num)
{
	sqlite3_stmt *st = NULL;
	const char *text;
	int ok = 0;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
		sqlite3_step(st) == SQLITE_ROW) {
		text = mode ? (const char *)sqlite3_column_text(st, 0) : NULL;
		ok = !mode || sqlite3_stricmp(text, mode) == 0;
		if (num)
			*num = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return ok;
}

static void pragma_set(sqlite3 *h, const char *name, sqlite3_int64 value)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA %s = %lld", name, (long long)value);
	(void)sqlite3_exec(h, sql, NULL, NULL, NULL);
}

/*
 * For the length of a run, keep the rollback journal rather than delete
 * it (PERSIST). The commit is then the journal's header overwritten with
 * zeros, which SQLite syncs: a migration is on disk when its COMMIT
 * returns, where DELETE mode's commit is an unlink nothing syncs, and a
 * power cut right after it can bring the journal back and undo the
 * migration (bench/lost-commit.sh). Each commit syncs the journal before
 * and after writing its record count, the database, and the zeroed header:
 * four syncs, as many as sqlite3 makes in DELETE mode, since ferry's VFS
 * does not sync the directory again for a journal already on disk
 * (db_sqlite_vfs.c). TRUNCATE mode makes the same four, but each of its
 * commits changes the journal's size twice (grown, truncated), and a sync
 * after a size change waits for the file system's own journal: PERSIST
 * overwrites the same blocks and was 10-15% faster over 1,000 migrations.
 * The journal is cut back to 4 MiB after a commit that made it larger,
 * so that a large data migration does not leave its whole journal behind
 * for the rest of the run, or after a kill.
 *
 * The mode belongs to this connection only, never to the file, so neither
 * the end of a run nor a kill changes the application's (a journal a kill
 * leaves between migrations starts with zeros: no connection reads it as
 * hot, and the next one to write in DELETE mode removes it). WAL and other
 * modes the user chose are left alone.
 *
 * The syncs are SQLite's at synchronous=FULL, Debian's default. A SQLite
 * built with a lower default (NORMAL skips the first journal sync and the
 * commit's, or in WAL mode every commit's) gets FULL for the run, on this
 * connection too: no commit of ferry's is one a power cut can undo.
 */
static void journal_fast(ferry_db *db)
{
	sq_conn *c = CONN(db);
	sqlite3_int64 v;

	if (pragma_get(c->h, "PRAGMA journal_mode", "delete", NULL) &&
		pragma_get(c->h, "PRAGMA journal_size_limit", NULL, &v) &&
		pragma_get(c->h, "PRAGMA journal_mode = PERSIST", "persist",
			NULL)) {
		c->persisting = 1;
		c->size_limit_was = v;
		pragma_set(c->h, "journal_size_limit", 4 << 20);
	}
	if (pragma_get(c->h, "PRAGMA synchronous", NULL, &v) && v < 2 &&
		sqlite3_exec(c->h, "PRAGMA synchronous = FULL", NULL, NULL,
			NULL) == SQLITE_OK)
		c->sync_was = (int)v + 1;
}

/*
 * Back to DELETE, which also removes the journal file, and to the journal
 * size limit and synchronous level the connection had.
 */
static void journal_restore(ferry_db *db)
{
	sq_conn *c = CONN(db);

	if (c->persisting && sqlite3_get_autocommit(c->h)) {
		(void)pragma_get(
			c->h, "PRAGMA journal_mode = DELETE", "delete", NULL);
		pragma_set(c->h, "journal_size_limit", c->size_limit_was);
	}
	c->persisting = 0;
	if (c->sync_was)
		pragma_set(c->h, "synchronous", c->sync_was - 1);
	c->sync_was = 0;
	ferry__sqvfs_forget(c->vfs);
}

/* Open the file itself, creating it if `create`, and check it. */
static int open_file(ferry_db *db, int create, ferry_error *err)
{
	const char *path = db->url.file;
	int flags, rc;

	/*
	 * Readers open read-write when they may: a read-only connection
	 * cannot roll back the hot journal a killed writer left, and the
	 * first command after a crash is usually `ferry status`.
	 */
	if (db->read_only && access(path, W_OK) != 0)
		flags = SQLITE_OPEN_READONLY;
	else
		flags = SQLITE_OPEN_READWRITE |
			(create ? SQLITE_OPEN_CREATE : 0);
	if ((rc = open_handle(db, path, flags, err)) < 0)
		return rc;
	db->exists = 1;
	sqlite3_busy_handler(CONN(db)->h, busy_wait, db);
	if ((rc = check_database(db, err)) < 0)
		return rc;
	if (!db->read_only && sqlite3_db_readonly(CONN(db)->h, "main") == 1) {
		ferry__error_set(err, FERRY_EDB, "database '%s' is read-only",
			db->url.display);
		ferry__error_hint(err,
			"ferry needs write access to the database file and "
			"its directory");
		return FERRY_EDB;
	}
	return 0;
}

/*
 * The file now exists (another ferry made it), must, or was replaced under
 * its name: open it for real, in place of the connection we had.
 */
static int materialize(ferry_db *db, int create, ferry_error *err)
{
	sq_conn *c = CONN(db);
	sqlite3 *old = c->h;
	int existed = db->exists, rc;

	cache_flush(c);
	c->h = NULL;
	rc = open_file(db, create, err);
	if (rc < 0) {
		sqlite3_close_v2(c->h);
		c->h = old;
		db->exists = existed;
		return rc;
	}
	sqlite3_close_v2(old);
	if (db->locked)
		journal_fast(db);
	return 0;
}

/*
 * ferry_db_open_sqlite(): the application's connection, as it is. Its
 * file is the one it has open as "main"; a connection with none (an
 * in-memory or temporary database) is taken as ":memory:" is.
 */
static int sq_adopt(ferry_db *db, ferry_error *err)
{
	sq_conn *c = CONN(db);
	const char *file;
	ferry__buf b = FERRY__BUF_INIT;
	sqlite3_int64 v;

	c->h = db->borrowed;
	file = sqlite3_db_filename(c->h, "main");
	db->url.memory = !file || !*file;
	db->url.path = ferry__strdup(db->url.memory ? ":memory:" : file);
	db->url.file = db->url.memory ? NULL : ferry__strdup(file);
	ferry__buf_printf(&b, "sqlite:%s", db->url.path ? db->url.path : "");
	db->url.display = ferry__buf_detach(&b);
	if (!db->url.path || !db->url.display ||
		(!db->url.memory && !db->url.file))
		return ferry__error_oom(err);
	if (!sqlite3_get_autocommit(c->h)) {
		ferry__error_set(err, FERRY_EINVALID,
			"the SQLite connection is inside a transaction");
		ferry__error_hint(
			err, "commit or roll back before handing it to ferry");
		return FERRY_EINVALID;
	}
	if (pragma_get(c->h, "PRAGMA busy_timeout", NULL, &v))
		c->app_busy_ms = (int)v;
	sqlite3_extended_result_codes(c->h, 1);
	sqlite3_progress_handler(c->h, 1000, interrupted, db);
	sqlite3_busy_handler(c->h, busy_wait, db);
	if (!db->url.memory) {
		int rc = check_database(db, err);

		if (rc < 0)
			return rc;
	}
	if (!db->read_only && sqlite3_db_readonly(c->h, "main") == 1) {
		ferry__error_set(err, FERRY_EDB, "database '%s' is read-only",
			db->url.display);
		ferry__error_hint(err,
			"open the connection read-write, or ask ferry only to "
			"read (read_only)");
		return FERRY_EDB;
	}
	return 0;
}

/*
 * Every access to the file goes through url.file, its canonical absolute
 * path: never a name SQLite could read as a URI, and the same file for
 * every spelling of its URL. Messages show the path as written.
 */
static int sq_open(ferry_db *db, ferry_error *err)
{
	const char *path = db->url.file;
	struct stat st;

	db->conn = ferry__calloc(1, sizeof(sq_conn));
	if (!db->conn)
		return ferry__error_oom(err);
	CONN(db)->lock.fd = -1;
	db->server_version = ferry__strdup(sqlite3_libversion());
	if (!db->server_version)
		return ferry__error_oom(err);
	if (db->borrowed)
		return sq_adopt(db, err);
	if (db->url.memory)
		return open_handle(db, ":memory:", SQLITE_OPEN_READWRITE, err);
	if (stat(path, &st) == 0) {
		/* A FIFO or a device would hang the first read. */
		if (S_ISREG(st.st_mode))
			return open_file(db, 0, err);
		ferry__error_set(err, FERRY_EINVALID,
			"database '%s' is not a regular file", db->url.display);
		ferry__error_hint(err,
			"a SQLite database is a file; check the database path");
		return FERRY_EINVALID;
	}
	if (errno != ENOENT)
		return open_file(db, 0, err); /* let SQLite say what is wrong */
	if (!db->read_only && !dir_exists(path)) {
		ferry__error_set(err, FERRY_EINVALID,
			"the directory of database '%s' does not exist",
			db->url.path);
		ferry__error_hint(err,
			"create the directory first, or check the database "
			"path");
		return FERRY_EINVALID;
	}
	/*
	 * A database file that does not exist yet is not created at open:
	 * until ferry writes, it reads as an empty in-memory database, so a
	 * refused or idle run leaves no file behind.
	 */
	db->exists = 0;
	return open_handle(db, ":memory:", SQLITE_OPEN_READWRITE, err);
}

static void sq_close(ferry_db *db)
{
	sq_conn *c = CONN(db);

	if (!c)
		return;
	ferry__filelock_release(&c->lock);
	sqlite3_finalize(c->load);
	ferry__buf_release(&c->load_blob);
	cache_flush(c);
	if (db->borrowed) {
		/* The application's: ferry's handlers go, its busy timeout
		 * comes back (0 clears the handler), the connection stays. */
		if (c->h) {
			sqlite3_progress_handler(c->h, 0, NULL, NULL);
			sqlite3_busy_timeout(c->h, c->app_busy_ms);
		}
	} else if (sqlite3_close(c->h) == SQLITE_OK)
		/* The VFS must outlive the connection: should SQLite keep
		 * this one as a zombie (a statement left unfinalized), the
		 * VFS stays too. */
		ferry__sqvfs_free(c->vfs);
	else
		sqlite3_close_v2(c->h);
	free(c);
	db->conn = NULL;
}

/* Skip whitespace and comments: where the statement really starts. */
static const char *statement_start(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
			*p == '\f' || *p == '\v') {
			p++;
		} else if (p + 1 < end && p[0] == '-' && p[1] == '-') {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			p = nl ? nl + 1 : end;
		} else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			const char *q = p + 2;

			while (q + 1 < end && !(q[0] == '*' && q[1] == '/'))
				q++;
			p = q + 1 < end ? q + 2 : end;
		} else {
			break;
		}
	}
	return p;
}

/*
 * Fill `err` from the failure of the statement at `stmt`, located in the
 * file at SQLite's error offset in it, else where the statement starts.
 */
static int run_failed(ferry_db *db, const char *sql, const char *stmt,
	const char *end, int offset, const ferry__src *src, ferry_error *err)
{
	const char *at = statement_start(stmt, end);
	int rc = fail(db, err, NULL), line, col;

	/* The offset counts from the text given to prepare, comments too. */
	if (offset >= 0 && stmt + offset <= end)
		at = stmt + offset;
	if (src && src->file) {
		ferry__text_pos(sql, (size_t)(at - sql), &line, &col);
		ferry__error_at(err, src->file, src->line + line - 1,
			line == 1 ? src->column + col - 1 : col);
	}
	return rc;
}

/*
 * The write lock: while ferry holds it the application cannot write, so
 * each step says for how long (db->write_lock_ms). From BEGIN IMMEDIATE,
 * or a statement's first write in an author's own BEGIN, to the end of
 * the transaction; a write outside any transaction holds it while it runs.
 * A statement that first waited for someone else's lock took it when
 * busy_wait() last let it try: the wait is not time held.
 */
static void write_lock_held(ferry_db *db, int64_t since)
{
	sq_conn *c = CONN(db);
	int64_t ms = ferry__now_ms() - since;

	if (db->write_lock_ms < 0) /* a new step (run.c) */
		c->held_ms = 0;
	c->held_ms += ms < 0 ? 0 : ms;
	db->write_lock_ms = c->held_ms;
}

/*
 * Still held after a statement: so far, counted from the section's start
 * if the lock is older. Under --single-transaction the run's one
 * transaction holds it through every step, each of which says so.
 */
static void write_lock_so_far(ferry_db *db)
{
	sq_conn *c = CONN(db);
	int64_t from =
		c->write_t0 > c->section_t0 ? c->write_t0 : c->section_t0;

	if (!c->write_t0 || sqlite3_get_autocommit(c->h))
		return;
	if (db->write_lock_ms < 0)
		c->held_ms = 0;
	db->write_lock_ms = c->held_ms + (ferry__now_ms() - from);
}

static void write_lock_account(
	ferry_db *db, sqlite3_stmt *st, int was_auto, int64_t t0)
{
	sq_conn *c = CONN(db);
	int now_auto = sqlite3_get_autocommit(c->h);

	if (!sqlite3_stmt_readonly(st) && was_auto && now_auto)
		write_lock_held(db, t0);
	else if (!sqlite3_stmt_readonly(st) && !now_auto && !c->write_t0)
		c->write_t0 = t0;
	else if (now_auto && c->write_t0) {
		write_lock_held(db, c->write_t0);
		c->write_t0 = 0;
	}
}

static int sq_run(ferry_db *db, const char *sql, size_t len,
	const ferry__src *src, ferry_error *err)
{
	sqlite3 *h = CONN(db)->h;
	const char *p = sql, *end = sql + len;
	ferry__text_cursor pos = FERRY__TEXT_CURSOR_INIT(sql);
	int rc, was_auto;

	if (sql[len] != '\0')
		return ferry__error_set(err, FERRY_ERROR,
			"invalid argument: 'sql' (not NUL-terminated)");

	while (p < end) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		int64_t t0 = ferry__now_ms();

		/* The length counts the NUL, or SQLite copies the rest of the
		 * text for every statement: quadratic in a 50 MB migration. */
		rc = sqlite3_prepare_v2(h, p, (int)(end - p) + 1, &st, &tail);
		if (rc != SQLITE_OK)
			return run_failed(db, sql, p, end,
				sqlite3_error_offset(h), src, err);
		if (!st) { /* only whitespace or comments were left */
			p = tail;
			continue;
		}
		/*
		 * The rows the statement itself changed, triggers' and
		 * foreign keys' aside; whether it changed any at all is the
		 * total's move: sqlite3_changes64() stays as the last
		 * INSERT, UPDATE or DELETE left it.
		 */
		db->changes = sqlite3_total_changes64(h);
		was_auto = sqlite3_get_autocommit(h);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		write_lock_account(db, st, was_auto,
			CONN(db)->busy_until > t0 ? CONN(db)->busy_until : t0);
		write_lock_so_far(db);
		db->changes = sqlite3_total_changes64(h) == db->changes
			? 0
			: sqlite3_changes64(h);
		if (rc != SQLITE_DONE) {
			rc = run_failed(db, sql, p, end, -1, src, err);
			sqlite3_finalize(st);
			return rc;
		}
		sqlite3_finalize(st);
		if (src && src->file) {
			int line, col;

			/* From the last statement on: counting from the top
			 * each time is quadratic in a 50 MB section. */
			ferry__text_advance(&pos,
				(size_t)(statement_start(p, end) - sql), &line,
				&col);
			ferry__statement_done(db, src->line + line - 1,
				db->changes, ferry__now_ms() - t0);
		}
		p = tail;
	}
	return 0;
}

/*
 * One of ferry's own statements, prepared (or from the cache) with $1..$n
 * bound to `params`, in *out; 0, or `err` filled with `what` and the cause.
 */
static int prepare_bound(sqlite3_stmt **out, ferry_db *db, const char *sql,
	const ferry__val *params, int n, const char *what, ferry_error *err)
{
	sq_conn *c = CONN(db);
	sqlite3_stmt *st;
	int i, rc = SQLITE_OK;

	if (!(*out = st = prepare_cached(c, sql)))
		return fail(db, err, what);
	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		char name[16];
		int idx;

		snprintf(name, sizeof(name), "$%d", i + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (idx == 0)
			continue;
		switch (params[i].type) {
		case FERRY__VAL_NULL:
			rc = sqlite3_bind_null(st, idx);
			break;
		case FERRY__VAL_INT:
			rc = sqlite3_bind_int64(st, idx, params[i].i);
			break;
		case FERRY__VAL_SECTION_MS:
			rc = sqlite3_bind_int64(
				st, idx, ferry__now_ms() - c->section_t0);
			break;
		case FERRY__VAL_TEXT:
			rc = params[i].s
				? sqlite3_bind_text(st, idx, params[i].s, -1,
					  SQLITE_STATIC)
				: sqlite3_bind_null(st, idx);
			break;
		}
	}
	if (rc == SQLITE_OK)
		return 0;
	rc = fail(db, err, what);
	release_stmt(c, st);
	return rc;
}

static int sq_query(ferry_db *db, const char *sql, const ferry__val *params,
	int nparams, ferry__row_fn fn, void *payload, ferry_error *err)
{
	const char *what = "ledger query failed";
	sqlite3_stmt *st;
	const char *vals[32];
	int rc, ncols, i;

	if ((rc = prepare_bound(&st, db, sql, params, nparams, what, err)) < 0)
		return rc;
	ncols = sqlite3_column_count(st);
	if (ncols > 32)
		ncols = 32;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!fn)
			continue;
		for (i = 0; i < ncols; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (fn(payload, ncols, vals) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : fail(db, err, what);
	release_stmt(CONN(db), st);
	return rc;
}

/*
 * One of ferry's ledger writes that must change exactly one row. SQLite
 * runs one writer at a time, so the row count is the answer, at once.
 */
static int sq_claim(ferry_db *db, const char *sql, const ferry__val *params,
	int nparams, ferry_error *err)
{
	const char *what = "ledger write failed";
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare_bound(&st, db, sql, params, nparams, what, err)) < 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE && sqlite3_changes(CONN(db)->h) == 1)
		rc = 0;
	else if (rc == SQLITE_DONE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = ferry__error_set(err, FERRY__ECLAIMED,
			"another runner changed the ledger first");
	else
		rc = fail(db, err, what);
	release_stmt(CONN(db), st);
	return rc;
}

static int exec_simple(
	ferry_db *db, const char *sql, const char *what, ferry_error *err)
{
	if (sqlite3_exec(CONN(db)->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, err, what);
	return 0;
}

/* IMMEDIATE takes the write lock now, so no deadlock on upgrade later. */
static int sq_begin(ferry_db *db, ferry_error *err)
{
	int rc;

	/* A trial on a file not made yet runs on the empty stand-in. */
	if (!db->exists && !db->url.memory && !db->trial &&
		(rc = materialize(db, 1, err)) < 0)
		return rc;
	if ((rc = exec_simple(db, "BEGIN IMMEDIATE",
		     "cannot start a transaction", err)) < 0)
		return rc;
	CONN(db)->write_t0 = ferry__now_ms();
	return 0;
}

/* The transaction ended: the write lock is free. */
static void write_lock_end(ferry_db *db)
{
	sq_conn *c = CONN(db);

	if (c->write_t0 && sqlite3_get_autocommit(c->h)) {
		write_lock_held(db, c->write_t0);
		c->write_t0 = 0;
	}
}

static int sq_commit(ferry_db *db, ferry_error *err)
{
	int rc = exec_simple(db, "COMMIT", "cannot commit", err);

	write_lock_end(db);
	return rc;
}

static void sq_rollback(ferry_db *db)
{
	if (!sqlite3_get_autocommit(CONN(db)->h))
		sqlite3_exec(CONN(db)->h, "ROLLBACK", NULL, NULL, NULL);
	write_lock_end(db);
}

static int sq_section_start(ferry_db *db, ferry_error *err)
{
	(void)err;
	CONN(db)->section_t0 = ferry__now_ms();
	return 0;
}

static int sq_in_txn(ferry_db *db)
{
	return !sqlite3_get_autocommit(CONN(db)->h);
}

/*
 * The descriptor SQLite reads the database through, which the runner lock
 * is taken on (lock.c), or -1. SQLite has no call that returns it: the unix
 * VFS's file object starts with its methods, its VFS, its inode record and
 * then the descriptor (os_unix.c, so since 3.7). A descriptor of our own
 * would not do: closing it would drop every POSIX lock this process holds
 * on the file, the application's connections' too. So the one found there
 * is used only if it is open on the very file SQLite opened. ferry's VFS
 * (db_sqlite_vfs.c) leaves the database file to the unix VFS's own object.
 */
static int sqlite_fd(ferry_db *db)
{
	sqlite3 *h = CONN(db)->h;
	const char *name = sqlite3_db_filename(h, "main");
	sqlite3_vfs *vfs = NULL;
	sqlite3_file *f = NULL;
	struct stat a, b;
	int fd;

	if (sqlite3_file_control(h, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) !=
		SQLITE_OK)
		return -1;
	vfs = ferry__sqvfs_base(CONN(db)->vfs, vfs);
	if (!vfs || strncmp(vfs->zName, "unix", 4) != 0 ||
		vfs->szOsFile < (int)(3 * sizeof(void *) + sizeof(int)) ||
		sqlite3_file_control(h, "main", SQLITE_FCNTL_FILE_POINTER,
			&f) != SQLITE_OK ||
		!f || !f->pMethods)
		return -1;
	memcpy(&fd, (const char *)f + 3 * sizeof(void *), sizeof(fd));
	if (fd < 0 || fstat(fd, &a) < 0 || !name || stat(name, &b) < 0 ||
		a.st_dev != b.st_dev || a.st_ino != b.st_ino ||
		!S_ISREG(a.st_mode))
		return -1;
	return fd;
}

/*
 * What lock.c is handed: the descriptor to lock, from sqlite_fd(), and
 * "<the database's real path>-ferry.lock", where the holder's note goes,
 * in *note for the caller to free.
 */
static int lock_target(ferry_db *db, int *fd, char **note, ferry_error *err)
{
	const char *name = sqlite3_db_filename(CONN(db)->h, "main");
	ferry__buf b = FERRY__BUF_INIT;

	if ((*fd = sqlite_fd(db)) < 0) {
		ferry__error_set(err, FERRY_EDB,
			"cannot lock database '%s': SQLite's file is not one "
			"ferry can lock",
			db->url.display);
		ferry__error_hint(err,
			"ferry locks the database file through SQLite's unix "
			"VFS; an application that sets another VFS as the "
			"default must run migrations without it");
		return FERRY_EDB;
	}
	ferry__buf_printf(&b, "%s-ferry.lock", name ? name : db->url.file);
	if (!(*note = ferry__buf_detach(&b)))
		return ferry__error_oom(err);
	return 0;
}

/* Is the database's name still the file we locked? Not if replaced. */
static int still_named(ferry_db *db, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(db->url.file, &b) == 0 &&
		a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * A file the lock made but nothing wrote (the run was refused, or a bad
 * file stopped it) goes again, as if the run had not come: removed while
 * still locked, so a waiter that opened it sees it gone and starts over.
 */
static void remove_if_unused(ferry_db *db)
{
	sq_conn *c = CONN(db);
	struct stat st;

	if (!c->created || c->lock.fd < 0)
		return;
	c->created = 0;
	if (fstat(c->lock.fd, &st) == 0 && st.st_size == 0 &&
		still_named(db, c->lock.fd) && unlink(db->url.file) == 0)
		db->exists = 0;
}

static void sq_unlock(ferry_db *db)
{
	journal_restore(db);
	remove_if_unused(db);
	ferry__filelock_release(&CONN(db)->lock);
	db->locked = 0;
}

/*
 * The lock is on the database file itself, so the file must exist: a run
 * that is about to write creates it now. A trial (--check) writes nothing,
 * so a file that does not exist yet needs no lock.
 */
static int sq_lock(ferry_db *db, ferry_error *err)
{
	char *note;
	int rc, fd, tries;

	if (db->url.memory || (!db->exists && db->trial)) {
		db->locked = 1;
		return 0;
	}
	for (tries = 0;; tries++) {
		if (!db->exists) {
			if ((rc = materialize(db, 1, err)) < 0)
				return rc;
			CONN(db)->created = 1;
		}
		if ((rc = lock_target(db, &fd, &note, err)) < 0)
			return rc;
		rc = ferry__filelock_acquire(
			&CONN(db)->lock, fd, note, db, err);
		free(note);
		if (rc < 0)
			return rc;
		db->locked = 1;
		/* Replaced while we waited: lock what the name is now. */
		if (still_named(db, fd) || tries == 3)
			break;
		sq_unlock(db);
		if ((rc = materialize(db, 0, err)) < 0)
			return rc;
	}
	journal_fast(db);
	return 0;
}

static int sq_lock_probe(
	ferry_db *db, int *held, char **holder, ferry_error *err)
{
	char *note;
	int rc, fd;

	*held = 0;
	*holder = NULL;
	if (db->url.memory || !db->exists)
		return 0;
	if ((rc = lock_target(db, &fd, &note, err)) < 0)
		return rc;
	rc = ferry__filelock_probe(fd, note, held, holder, err);
	free(note);
	return rc;
}

static int found_row(void *payload, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)payload = 1;
	return 1;
}

static int sq_table_exists(
	ferry_db *db, const char *table, int *exists, ferry_error *err)
{
	ferry__val v = { FERRY__VAL_TEXT, 0, table };

	*exists = 0;
	return sq_query(db,
		"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
		"$1",
		&v, 1, found_row, exists, err);
}

/* SQLite reads its schema locally: asking first costs no round trip. */
static int sq_query_table(ferry_db *db, const char *table, const char *sql,
	ferry__row_fn fn, void *payload, int *exists, ferry_error *err)
{
	int rc = sq_table_exists(db, table, exists, err);

	if (rc < 0 || !*exists)
		return rc;
	return sq_query(db, sql, NULL, 0, fn, payload, err);
}

/* Backups are named after the database file. */
static int sq_backup_name(ferry_db *db, char **out, ferry_error *err)
{
	*out = ferry__strdup(db->url.path);
	return *out ? 0 : ferry__error_oom(err);
}

static int sq_ledger_ddl(ferry_db *db, ferry__buf *out)
{
	ferry__buf_printf(out,
		"CREATE TABLE IF NOT EXISTS %s (\n"
		"  version INTEGER PRIMARY KEY,\n"
		"  name TEXT NOT NULL,\n"
		"  state TEXT NOT NULL CHECK (state IN ('up', 'complete', 'failed')),\n"
		"  release TEXT,\n"
		"  has_finish INTEGER NOT NULL DEFAULT 0,\n"
		"  up_checksum TEXT,\n"
		"  finish_checksum TEXT,\n"
		"  down_checksum TEXT,\n"
		"  up_at TEXT,\n"
		"  up_ms INTEGER,\n"
		"  finish_at TEXT,\n"
		"  finish_ms INTEGER,\n"
		"  applied_by TEXT NOT NULL,\n"
		"  ferry_version TEXT NOT NULL,\n"
		"  failed_section TEXT,\n"
		"  failed_statement INTEGER,\n"
		"  progress TEXT,\n"
		"  error TEXT,\n"
		"  runner TEXT\n"
		");\n"
		"CREATE TABLE IF NOT EXISTS %s (\n"
		"  id INTEGER PRIMARY KEY,\n"
		"  at TEXT NOT NULL,\n"
		"  action TEXT NOT NULL,\n"
		"  version INTEGER,\n"
		"  name TEXT,\n"
		"  release TEXT,\n"
		"  actor TEXT NOT NULL,\n"
		"  duration_ms INTEGER,\n"
		"  success INTEGER NOT NULL,\n"
		"  error TEXT,\n"
		"  ferry_version TEXT NOT NULL\n"
		");\n",
		db->qtable, db->qhistory);
	return out->oom ? FERRY_ENOMEM : 0;
}

/*
 * Export (export.c). One read transaction holds one snapshot for the
 * whole export: BEGIN alone takes none, the first read does.
 */
static int sq_export_begin(ferry_db *db, ferry_error *err)
{
	if (exec_simple(db, "BEGIN", "cannot start a transaction", err) < 0)
		return FERRY_EDB;
	return exec_simple(db, "SELECT count(*) FROM sqlite_master",
		"cannot read the database", err);
}

/* SQLite's values carry their own types: the column, as it is. */
static void sq_export_value(
	ferry__buf *sql, const char *qcolumn, const char *kind)
{
	(void)kind;
	ferry__buf_puts(sql, qcolumn);
}

static void value_text(ferry__buf *b, sqlite3_stmt *st, int i)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *blob;
	int n, k;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		ferry__buf_printf(b, "%c%lld", FERRY__EXPORT_INT,
			(long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		ferry__buf_put(b, "f", 1);
		ferry__float_text(b, sqlite3_column_double(st, i));
		break;
	case SQLITE_BLOB:
		blob = sqlite3_column_blob(st, i);
		n = sqlite3_column_bytes(st, i);
		ferry__buf_put(b, "x", 1);
		if (ferry__buf_grow(b, (size_t)n * 2 + 1) < 0)
			return;
		for (k = 0; k < n; k++) {
			b->buf[b->len++] = hex[blob[k] >> 4];
			b->buf[b->len++] = hex[blob[k] & 15];
		}
		b->buf[b->len] = '\0';
		break;
	default: /* text; NULL is handled by the caller */
		ferry__buf_put(b, "t", 1);
		ferry__buf_puts(b, (const char *)sqlite3_column_text(st, i));
	}
}

/*
 * Step one statement, a row at a time: one buffer holds a row's values,
 * reused for the next, so memory stays that of the widest row.
 */
static int sq_export_rows(ferry_db *db, const char *sql, ferry__row_fn fn,
	void *payload, ferry_error *err)
{
	ferry__buf row = FERRY__BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char **vals = NULL;
	size_t *at = NULL;
	int rc, ncols, i;

	if (sqlite3_prepare_v2(CONN(db)->h, sql, -1, &st, NULL) != SQLITE_OK)
		return ferry__error_set(
			err, FERRY_EINVALID, "%s", sqlite3_errmsg(CONN(db)->h));
	ncols = sqlite3_column_count(st);
	vals = ferry__calloc((size_t)ncols + 1, sizeof(*vals));
	at = ferry__calloc((size_t)ncols + 1, sizeof(*at));
	if (!vals || !at) {
		rc = ferry__error_oom(err);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ferry__buf_clear(&row);
		for (i = 0; i < ncols; i++) {
			at[i] = row.len;
			if (sqlite3_column_type(st, i) != SQLITE_NULL)
				value_text(&row, st, i);
			ferry__buf_put(&row, "", 1); /* the value's NUL */
		}
		if (row.oom) {
			rc = ferry__error_oom(err);
			goto out;
		}
		for (i = 0; i < ncols; i++)
			vals[i] = row.buf[at[i]] ? row.buf + at[i] : NULL;
		if ((rc = fn(payload, ncols, vals)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : fail(db, err, "cannot read the rows");
out:
	sqlite3_finalize(st);
	ferry__buf_release(&row);
	free(vals);
	free(at);
	return rc;
}

/*
 * Loading (load.c): one prepared INSERT, bound and stepped per row. A
 * value is bound as what it is, and the column's affinity does the rest
 * as it would for any INSERT: "19.90" into a numeric column becomes 19.9.
 */
static int sq_load_exec(ferry_db *db, const char *sql, ferry_error *err)
{
	return exec_simple(db, sql, NULL, err);
}

static int sq_load_begin(ferry_db *db, const char *qtable, const char *qcols,
	int ncols, ferry_error *err)
{
	sq_conn *c = CONN(db);
	ferry__buf sql = FERRY__BUF_INIT;
	int i, rc = 0;

	ferry__buf_printf(&sql, "INSERT INTO %s (%s) VALUES (", qtable, qcols);
	for (i = 0; i < ncols; i++)
		ferry__buf_puts(&sql, i ? ", ?" : "?");
	ferry__buf_puts(&sql, ")");
	if (sql.oom)
		rc = ferry__error_oom(err);
	else if (sqlite3_prepare_v2(c->h, sql.buf, -1, &c->load, NULL) !=
		SQLITE_OK)
		rc = fail(db, err, NULL);
	c->load_ncols = ncols;
	c->load_row = 0;
	ferry__buf_release(&sql);
	return rc;
}

/* Value `i` (1-based) of the INSERT; SQLITE_MISMATCH for what SQLite
 * cannot hold. */
static int bind_value(sq_conn *c, int i, const char *v)
{
	const char *s = v ? v + 1 : NULL;
	char *end;
	size_t n, k;
	long long ll;

	if (!v)
		return sqlite3_bind_null(c->load, i);
	switch (v[0]) {
	case FERRY__EXPORT_INT:
		errno = 0;
		ll = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0')
			return sqlite3_bind_int64(c->load, i, ll);
		/* past 64 bits: as text, which affinity makes a real */
		return sqlite3_bind_text(c->load, i, s, -1, SQLITE_STATIC);
	case FERRY__EXPORT_FLOAT:
		if (!strcmp(s, "NaN"))
			return SQLITE_MISMATCH; /* SQLite stores NULL instead */
		return sqlite3_bind_double(c->load, i, strtod(s, NULL));
	case FERRY__EXPORT_BOOL:
		return sqlite3_bind_int(c->load, i, s[0] == 't');
	case FERRY__EXPORT_BYTES:
		n = strlen(s) / 2;
		ferry__buf_clear(&c->load_blob);
		if (ferry__buf_grow(&c->load_blob, n + 1) < 0)
			return SQLITE_NOMEM;
		for (k = 0; k < n; k++) {
			int hi = ferry__hex_digit(s[2 * k]),
			    lo = ferry__hex_digit(s[2 * k + 1]);

			if (hi < 0 || lo < 0)
				return SQLITE_MISMATCH;
			c->load_blob.buf[k] = (char)(hi << 4 | lo);
		}
		return sqlite3_bind_blob64(
			c->load, i, c->load_blob.buf, n, SQLITE_TRANSIENT);
	default: /* text, decimal digits */
		return sqlite3_bind_text(c->load, i, s, -1, SQLITE_STATIC);
	}
}

static int sq_load_row(ferry_db *db, const char *const *vals, ferry_error *err)
{
	sq_conn *c = CONN(db);
	int i, rc = SQLITE_OK;

	c->load_row++;
	for (i = 0; i < c->load_ncols && rc == SQLITE_OK; i++)
		rc = bind_value(c, i + 1, vals[i]);
	if (rc == SQLITE_MISMATCH) {
		ferry__error_set(err, FERRY_EINVALID,
			"value %d (%s) cannot be stored by SQLite", i,
			vals[i - 1] + 1);
		ferry__error_hint(err,
			"SQLite has no NaN: change the value, or load into "
			"PostgreSQL");
		rc = FERRY_EINVALID;
	} else if (rc == SQLITE_OK) {
		rc = sqlite3_step(c->load);
		rc = rc == SQLITE_DONE ? 0 : fail(db, err, NULL);
	} else {
		rc = fail(db, err, NULL);
	}
	sqlite3_reset(c->load);
	sqlite3_clear_bindings(c->load);
	if (rc < 0 && err) {
		err->line = (int)c->load_row;
		err->column = rc == FERRY_EINVALID ? i : 0;
	}
	return rc;
}

static int sq_load_end(ferry_db *db, int ok, ferry_error *err)
{
	sq_conn *c = CONN(db);

	(void)ok;
	(void)err;
	sqlite3_finalize(c->load);
	c->load = NULL;
	return 0;
}

const ferry__driver ferry__sqlite_driver = {
	.name = "sqlite",
	.label = "SQLite",
	.engine = FERRY__ENGINE_SQLITE,
	.dialect = FERRY__DIALECT_SQLITE,
	.schemas = 0,
	.open = sq_open,
	.close = sq_close,
	.run = sq_run,
	.query = sq_query,
	.claim = sq_claim,
	.begin = sq_begin,
	.flush = NULL, /* statements run as they come */
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_txn = sq_in_txn,
	.lock = sq_lock,
	.unlock = sq_unlock,
	.lock_probe = sq_lock_probe,
	.table_exists = sq_table_exists,
	.query_table = sq_query_table,
	.ledger_ddl = sq_ledger_ddl,
	.reset_session = NULL, /* pragmas belong to the file or are ferry's */
	.section_start = sq_section_start,
	.interrupt = NULL, /* the progress handler watches the flag */
	.export_begin = sq_export_begin,
	.export_columns_sql =
		"SELECT m.name, p.name, p.type, p.pk, '' FROM sqlite_master m, "
		"pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name "
		"NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid",
	.export_value = sq_export_value,
	.export_rows = sq_export_rows,
	.read_settings_sql = NULL, /* values carry their own types */
	.load_exec = sq_load_exec,
	.load_begin = sq_load_begin,
	.load_row = sq_load_row,
	.load_end = sq_load_end,
	.load_fks_sql = "SELECT m.name, f.\"table\" FROM sqlite_master m, "
			"pragma_foreign_key_list(m.name) f WHERE m.type = "
			"'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
	.load_sequences_sql = NULL, /* AUTOINCREMENT follows inserts */
	/* indexes made by CREATE INDEX (a constraint's have no sql) */
	.load_defer_sql = "SELECT 'DROP INDEX \"' || replace(name, '\"', "
			  "'\"\"') || '\"', sql FROM sqlite_master WHERE "
			  "type = 'index' AND tbl_name = $1 AND sql IS NOT "
			  "NULL",
	.object_exists_sql =
		"SELECT CASE WHEN $1 NOT IN ('table', 'view', 'index', "
		"'trigger') OR $2 NOT IN ('', 'main') OR EXISTS (SELECT 1 FROM "
		"sqlite_master WHERE type = $1 AND name = $3 COLLATE NOCASE) "
		"THEN 1 ELSE 0 END",
	.objects_sql =
		"SELECT name FROM sqlite_master WHERE type IN ('table', "
		"'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY "
		"name",
	/* no server: backups copy the file (backup_sqlite.c) */
	.tool_conninfo = NULL,
	/* Everything but SQLite's own: virtual tables first (their shadow
	 * tables go with them), then triggers, views, indexes, tables. */
	.reset_sql =
		"SELECT type, CASE WHEN name GLOB '[A-Za-z_]*' AND name NOT "
		"GLOB '*[^A-Za-z0-9_]*' THEN name ELSE '\"' || replace(name, "
		"'\"', '\"\"') || '\"' END, CASE WHEN type = 'table' AND name "
		"IN ($2, $3, $4) THEN 1 ELSE 0 END, 'DROP ' || upper(type) || ' IF "
		"EXISTS \"' || replace(name, '\"', '\"\"') || '\"' FROM "
		"sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
		"ORDER BY CASE WHEN type = 'table' AND sql LIKE 'CREATE "
		"VIRTUAL TABLE%' THEN 0 WHEN type = 'trigger' THEN 1 WHEN type "
		"= 'view' THEN 2 WHEN type = 'index' THEN 3 ELSE 4 END, name",
	/* no CASCADE: nothing outside the file can go */
	.reset_guard_sql = NULL,
	/* the database file, copied by SQLite's online backup API */
	.backup_ext = "sqlite",
	.backup_magic = "SQLite format 3",
	.backup_magic_len = 16, /* with its NUL */
	.backup_what = "a SQLite database",
	.backup_name = sq_backup_name,
	.backup = ferry__backup_sqlite,
	.restore_check = NULL,
	.restore = ferry__restore_sqlite,
};
