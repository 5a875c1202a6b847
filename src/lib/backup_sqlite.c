/* SPDX-License-Identifier: MIT */
/*
 * backup_sqlite.c - SQLite backups and restores through the online backup
 * API (sqlite3_backup_*), on connections of their own.
 *
 * A backup copies the database in steps while the application goes on
 * reading and writing; when another process writes between two steps,
 * SQLite starts the copy over, so the file is always one consistent
 * state. If writes keep it from finishing, the last attempt copies
 * everything in one step, holding a read lock for as long.
 *
 * A restore copies the backup file into the database the same way: the
 * whole copy is one write transaction of the database, kept open from the
 * first step to the last, so a restore killed half way is rolled back
 * from the journal by the next connection: old database or new, never a
 * mix.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

/* Pages per step: 4 MiB at the default page size, then a progress call. */
#define STEP_PAGES 1024
/* Copies the application's writes may restart before one goes all at once. */
#define MAX_RESTARTS 3

static int sq_fail(sqlite3 *h, ferry_error *err, int code, const char *what,
	const char *path)
{
	int rc = h ? sqlite3_errcode(h) : SQLITE_NOMEM;

	if (rc == SQLITE_NOMEM)
		return ferry__error_oom(err);
	ferry__error_set(err, code, "%s '%s'", what, path);
	ferry__error_detail(err, "%s", h ? sqlite3_errmsg(h) : "");
	if (rc == SQLITE_FULL)
		ferry__error_hint(err, "free some disk space and run again");
	else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		ferry__error_hint(err,
			"another connection held the database too long; "
			"wait longer with --lock-timeout");
	else if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
		ferry__error_hint(
			err, "the file is damaged; restore another backup");
	return code;
}

static int open_conn(sqlite3 **h, const char *path, int flags, int busy_ms)
{
	int rc = sqlite3_open_v2(path, h, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(*h, 1);
		sqlite3_busy_timeout(*h, busy_ms);
	}
	return rc;
}

/* The newest applied version in the ledger of `h`, its release, a count. */
static int read_state(
	sqlite3 *h, ferry_db *db, ferry_backup *b, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *version = NULL, *release = NULL;
	size_t n = 0;
	int rc;

	if (sqlite3_prepare_v2(h,
		    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
		    "name = ?1",
		    -1, &st, NULL) != SQLITE_OK)
		return sq_fail(h, err, FERRY_EDB, "cannot read the ledger of",
			db->url.display);
	sqlite3_bind_text(st, 1, db->table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return ferry__backup_set_state(b, NULL, NULL, 0) < 0
			? ferry__error_oom(err)
			: 0;
	ferry__buf_printf(&sql,
		"SELECT version, release FROM %s WHERE state IN ('up', "
		"'complete') ORDER BY version DESC",
		db->qtable);
	if (sql.oom)
		return ferry__error_oom(err);
	if (sqlite3_prepare_v2(h, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		ferry__buf_release(&sql);
		return sq_fail(h, err, FERRY_EDB, "cannot read the ledger of",
			db->url.display);
	}
	ferry__buf_release(&sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0) {
			const char *v =
				(const char *)sqlite3_column_text(st, 0);
			const char *r =
				(const char *)sqlite3_column_text(st, 1);

			version = v ? ferry__strdup(v) : NULL;
			release = r ? ferry__strdup(r) : NULL;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(version);
		free(release);
		return sq_fail(h, err, FERRY_EDB, "cannot read the ledger of",
			db->url.display);
	}
	rc = ferry__backup_set_state(b, version, release, n);
	free(version);
	free(release);
	return rc < 0 ? ferry__error_oom(err) : 0;
}

/*
 * Copy `src` into `dst` in steps, reporting progress. BUSY is waited out
 * until the lock timeout. Returns 0 or the SQLite code that stopped it,
 * the connection at fault in `*culprit`.
 */
static int copy(sqlite3 *dst, sqlite3 *src, ferry_db *db,
	const ferry_backup_options *opts, sqlite3 **culprit)
{
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
	int64_t deadline = ferry__now_ms() + db->lock_timeout_ms;
	int pages = STEP_PAGES, restarts = 0, last = -1, rc, rc2;

	*culprit = dst;
	if (!bk)
		return sqlite3_errcode(dst);
	for (;;) {
		int total, remaining;

		rc = sqlite3_backup_step(bk, pages);
		total = sqlite3_backup_pagecount(bk);
		remaining = sqlite3_backup_remaining(bk);
		if (opts->progress && (rc == SQLITE_OK || rc == SQLITE_DONE))
			opts->progress((uint64_t)(total - remaining),
				(uint64_t)total, opts->payload);
		if (rc == SQLITE_DONE)
			break;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (ferry__now_ms() >= deadline)
				break;
			usleep(10000);
			continue;
		}
		if (rc != SQLITE_OK)
			break;
		/* More left than after the last step: a write restarted us. */
		if (last >= 0 && remaining > last && ++restarts >= MAX_RESTARTS)
			pages = -1;
		last = remaining;
	}
	rc2 = sqlite3_backup_finish(bk);
	if (rc == SQLITE_DONE)
		rc = rc2;
	if (rc != SQLITE_OK && rc != SQLITE_DONE &&
		sqlite3_errcode(dst) == SQLITE_OK)
		*culprit = src;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The source side: read-write if we may, so a hot journal a killed
 * writer left can be rolled back first; never created. */
static int open_source(sqlite3 **h, ferry_db *db, ferry_error *err)
{
	int flags = access(db->url.file, W_OK) == 0 ? SQLITE_OPEN_READWRITE
						    : SQLITE_OPEN_READONLY;

	if (open_conn(h, db->url.file, flags, db->lock_timeout_ms) != SQLITE_OK)
		return sq_fail(*h, err, FERRY_EDB, "cannot open database",
			db->url.display);
	return 0;
}

int ferry__backup_sqlite(ferry_db *db, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err)
{
	sqlite3 *src = NULL, *dst = NULL, *culprit;
	char *final = NULL, *tmp = NULL;
	int fd = -1, rc;

	/*
	 * The name holds the version, which is read from the copy itself
	 * once made: the database's own ledger would be one more read that
	 * a busy application's writes can lock out. Until then the file is
	 * a hidden one beside a provisional name, in the same directory.
	 */
	if ((rc = ferry__backup_target(&final, db, NULL, opts, err)) < 0 ||
		(rc = ferry__backup_tmp(final, &tmp, &fd, err)) < 0)
		goto done;
	close(fd);
	if ((rc = open_source(&src, db, err)) < 0)
		goto done;
	/* The copy's own journal is not needed: on failure it is thrown
	 * away whole. */
	if (open_conn(&dst, tmp, SQLITE_OPEN_READWRITE, db->lock_timeout_ms) !=
			SQLITE_OK ||
		sqlite3_exec(dst, "PRAGMA journal_mode = OFF", NULL, NULL,
			NULL) != SQLITE_OK) {
		rc = sq_fail(dst, err, FERRY_ERROR, "cannot write", tmp);
		goto done;
	}
	if (copy(dst, src, db, opts, &culprit) != SQLITE_OK) {
		rc = sq_fail(culprit, err, FERRY_EDB, "cannot back up database",
			db->url.display);
		goto done;
	}
	/* A copy of a WAL database says WAL in its header: make it a plain
	 * file that opens anywhere, read-only too. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
		    NULL) != SQLITE_OK) {
		rc = sq_fail(dst, err, FERRY_ERROR, "cannot write", tmp);
		goto done;
	}
	if ((rc = read_state(dst, db, b, err)) < 0)
		goto done;
	if (!opts->path) {
		free(final);
		final = NULL;
		if ((rc = ferry__backup_target(
			     &final, db, b->version, opts, err)) < 0)
			goto done;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		rc = sq_fail(dst, err, FERRY_ERROR, "cannot write", tmp);
		goto done;
	}
	dst = NULL;
	if ((rc = ferry__backup_commit(tmp, final, &b->bytes, err)) < 0)
		goto done;
	b->path = final;
	final = NULL;
done:
	sqlite3_close_v2(dst);
	sqlite3_close_v2(src);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(final);
	return rc;
}

/* A backup that is damaged is refused before the database is touched. */
static int check_backup(sqlite3 *h, const char *path, ferry_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *res = NULL;
	int rc, ok = 0;

	rc = sqlite3_prepare_v2(h, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		res = (const char *)sqlite3_column_text(st, 0);
		ok = res && strcmp(res, "ok") == 0;
	}
	if (!ok) {
		ferry__error_set(err, FERRY_EINVALID,
			"backup file '%s' is damaged", path);
		ferry__error_detail(err, "%s", res ? res : sqlite3_errmsg(h));
		ferry__error_hint(
			err, "nothing was changed; restore another backup");
	}
	sqlite3_finalize(st);
	return ok ? 0 : FERRY_EINVALID;
}

int ferry__restore_sqlite(ferry_db *db, const char *path, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err)
{
	sqlite3 *src = NULL, *dst = NULL, *culprit;
	int rc = 0;

	if (open_conn(&src, path, SQLITE_OPEN_READONLY, db->lock_timeout_ms) !=
		SQLITE_OK) {
		rc = sq_fail(src, err, FERRY_EINVALID,
			"cannot read backup file", path);
		goto done;
	}
	if ((rc = check_backup(src, path, err)) < 0)
		goto done;
	if (open_conn(&dst, db->url.file,
		    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
		    db->lock_timeout_ms) != SQLITE_OK) {
		rc = sq_fail(dst, err, FERRY_EDB, "cannot open database",
			db->url.display);
		goto done;
	}
	if (copy(dst, src, db, opts, &culprit) != SQLITE_OK) {
		rc = sq_fail(culprit, err, FERRY_EDB,
			"cannot restore into database", db->url.display);
		if (err && !err->hint[0])
			ferry__error_hint(err,
				"nothing was changed: the restore runs in "
				"one transaction");
		goto done;
	}
	rc = read_state(dst, db, b, err);
done:
	sqlite3_close_v2(dst);
	sqlite3_close_v2(src);
	return rc;
}
