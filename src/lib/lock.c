/* SPDX-License-Identifier: MIT */
/*
 * lock.c - the runner lock: one ferry acting on a database at a time.
 *
 * Every command takes it through ferry__lock(); the engine's driver does
 * the locking. For an engine without a server (SQLite), the lock itself is
 * here: an open-file-description lock on one byte of the database file,
 * FERRY__LOCK_BYTE, taken through the descriptor the engine reads the file
 * with. Its identity is the file, not a name: hard links, symbolic links,
 * `file:` URIs and relative paths that reach one file all meet on one lock,
 * and there is no lock file to delete or to plant. The kernel drops the
 * lock when the process dies, even by kill -9, and the byte is one SQLite
 * never locks, so the application keeps reading and writing between
 * migrations.
 *
 * Waiters and `ferry status` want to know who holds it, which an
 * open-file-description lock does not tell (F_OFD_GETLK gives no pid). So
 * the holder also leaves a note beside the database, `<db>-ferry.lock`,
 * written to a fresh file and renamed into place (never opened by its
 * name for writing, so a planted symbolic link leads nowhere), and removed
 * before the lock is released. The note is only ever read while the lock
 * is seen held; it decides nothing.
 *
 * Whatever the engine, a lock that is busy is waited for the same way, by
 * ferry__lock_wait(): the polls, the events, the timeout and its words.
 */
#include "ferry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int ferry__lock(ferry_db *db, ferry_error *err)
{
	int rc;

#ifdef FERRY_TESTING
	/*
	 * Test builds can run without the lock, to prove that the ledger
	 * alone never lets a migration apply twice.
	 */
	const char *off = getenv("FERRY_TEST_NO_LOCK");

	if (off && *off) {
		db->locked = 1;
		db->lock_bypassed = 1;
		return 0;
	}
#endif
	if ((rc = db->drv->lock(db, err)) < 0 || !db->exclusive)
		return rc;
	/* Nobody else may be connected while it changes: checked now that
	 * no other ferry can start meanwhile. */
	if ((rc = ferry__sessions_refuse(db, err)) < 0)
		ferry__unlock(db);
	return rc;
}

void ferry__unlock(ferry_db *db)
{
	if (db->lock_bypassed) {
		db->locked = 0;
		db->lock_bypassed = 0;
		return;
	}
	if (db->locked)
		db->drv->unlock(db);
}

void ferry__holder_text(ferry_db *db, char *buf, size_t size)
{
	char since[32];

	ferry__utc_now(since);
	snprintf(buf, size, "pid %ld, %s, since %s", (long)getpid(),
		ferry__actor(db), since);
}

static int timed_out(
	ferry_db *db, const char *holder, const char *unknown, ferry_error *err)
{
	ferry__error_set(err, FERRY_ELOCKED,
		"another ferry is working on database '%s'", db->url.display);
	ferry__error_detail(
		err, "the lock is held by %s", holder ? holder : unknown);
	ferry__error_hint(err,
		"wait for it to finish, or wait longer with --lock-timeout");
	return FERRY_ELOCKED;
}

static char *probe_holder(
	ferry_db *db, const ferry__lock_waiter *w, void *payload)
{
	char *who = NULL;
	int held;

	if (w->holder)
		return w->holder(db, payload);
	(void)db->drv->lock_probe(db, &held, &who, NULL);
	return who;
}

int ferry__lock_wait(ferry_db *db, const ferry__lock_waiter *w, void *payload,
	ferry_error *err)
{
	int64_t deadline = ferry__now_ms() + db->lock_timeout_ms;
	int waiting = 0, pause = 5, rc;
	char *who = NULL;

	for (;;) {
		if ((rc = w->take(db, payload, err)) < 0)
			break;
		if (rc == FERRY__LOCK_TAKEN) {
			if (waiting) {
				ferry_event ev = {
					.type = FERRY_EVENT_LOCK_ACQUIRED
				};

				db->waited = 1;
				ferry__emit(db, &ev);
			}
			rc = 0;
			break;
		}
		if (!waiting) {
			ferry_event ev = { .type = FERRY_EVENT_LOCK_WAIT };

			who = probe_holder(db, w, payload);
			ev.holder = who;
			ferry__emit(db, &ev);
			waiting = 1;
		}
		/* Asked again: the holder may have changed meanwhile. */
		if (ferry__now_ms() >= deadline) {
			free(who);
			who = probe_holder(db, w, payload);
			rc = timed_out(db, who, w->unknown, err);
			break;
		}
		if (ferry__interrupted(db)) {
			rc = ferry__error_interrupted(err);
			break;
		}
		ferry__sleep_ms(pause);
		if (pause * 2 <= w->pause_max_ms)
			pause *= 2;
	}
	free(who);
	return rc;
}

static int lock_byte(int fd, int cmd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = FERRY__LOCK_BYTE;
	fl.l_len = 1;
	if (fcntl(fd, cmd, &fl) < 0)
		return -1;
	return cmd == F_OFD_GETLK ? fl.l_type != F_UNLCK : 0;
}

/* The holder's note, one line, or NULL: only a regular file is read. */
static char *read_note(const char *path)
{
	char buf[512];
	struct stat st;
	ssize_t n = -1;
	char *nl;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return buf[0] ? ferry__strdup(buf) : NULL;
}

/*
 * Leave a note saying who holds the lock: a new file, renamed over
 * whatever has the name. Best effort: the lock does not depend on it.
 */
static void write_note(ferry__filelock *lk, ferry_db *db)
{
	ferry__buf tmp = FERRY__BUF_INIT;
	char line[512];
	size_t n;
	int fd, ok;

	ferry__holder_text(db, line, sizeof(line) - 1);
	n = strlen(line);
	line[n++] = '\n';
	ferry__buf_printf(&tmp, "%s.XXXXXX", lk->note);
	if (tmp.oom || (fd = mkostemp(tmp.buf, O_CLOEXEC)) < 0)
		goto out;
	/* Other users may run `ferry status` and want to read it. */
	ok = fchmod(fd, 0644) == 0 && ferry__write_all(fd, line, n) == 0 &&
		fstat(fd, &lk->note_st) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp.buf, lk->note) == 0)
		lk->wrote_note = 1;
	else
		unlink(tmp.buf);
out:
	ferry__buf_release(&tmp);
}

/* Remove the note if it is still the one we wrote. */
static void remove_note(ferry__filelock *lk)
{
	struct stat st;

	if (lk->wrote_note && lstat(lk->note, &st) == 0 &&
		st.st_dev == lk->note_st.st_dev &&
		st.st_ino == lk->note_st.st_ino)
		unlink(lk->note);
	lk->wrote_note = 0;
}

/* The file lock as ferry__lock_wait() takes it: the byte, then the note. */
typedef struct {
	ferry__filelock *lk;
	int fd;
} file_take;

static int take_byte(ferry_db *db, void *payload, ferry_error *err)
{
	file_take *t = payload;

	if (lock_byte(t->fd, F_OFD_SETLK, F_WRLCK) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			return FERRY__LOCK_BUSY;
		return ferry__error_os(err, FERRY_EDB, "lock", db->url.display);
	}
	t->lk->fd = t->fd;
	write_note(t->lk, db);
	return FERRY__LOCK_TAKEN;
}

static char *note_holder(ferry_db *db, void *payload)
{
	file_take *t = payload;

	(void)db;
	return read_note(t->lk->note);
}

int ferry__filelock_acquire(ferry__filelock *lk, int fd, const char *note,
	ferry_db *db, ferry_error *err)
{
	static const ferry__lock_waiter waiter = {
		.take = take_byte,
		.holder = note_holder,
		.unknown = "an unknown process",
		/* A local file is cheap to ask: 80 ms apart at most. */
		.pause_max_ms = 80,
	};
	file_take t = { lk, fd };
	int rc;

	memset(lk, 0, sizeof(*lk));
	lk->fd = -1;
	if (!(lk->note = ferry__strdup(note)))
		return ferry__error_oom(err);
	if ((rc = ferry__lock_wait(db, &waiter, &t, err)) < 0) {
		free(lk->note);
		lk->note = NULL;
	}
	return rc;
}

void ferry__filelock_release(ferry__filelock *lk)
{
	if (lk->fd >= 0) {
		/* The note first: while we hold the lock it is still ours. */
		remove_note(lk);
		(void)lock_byte(lk->fd, F_OFD_SETLK, F_UNLCK);
	}
	lk->fd = -1;
	free(lk->note);
	lk->note = NULL;
}

int ferry__filelock_probe(
	int fd, const char *note, int *held, char **holder, ferry_error *err)
{
	int rc = lock_byte(fd, F_OFD_GETLK, F_WRLCK);

	*held = 0;
	*holder = NULL;
	if (rc < 0)
		return ferry__error_os(
			err, FERRY_EDB, "test the lock of", note);
	if (rc > 0) {
		*held = 1;
		*holder = read_note(note);
	}
	return 0;
}
