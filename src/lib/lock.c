/* SPDX-License-Identifier: MIT */
/*
 * lock.c - the runner lock of an engine without a server: a lock file
 * beside the database, held with an open-file-description lock.
 *
 * The kernel drops the lock when the process dies, even by kill -9, and the
 * database itself is never locked by it, so the application keeps reading
 * and writing between migrations. The holder writes who it is into the
 * file for waiters and `ferry status` to show. On release the file is
 * unlinked while still locked; a waiter that then gets the lock checks that
 * its file is still the one at the path, and starts over if not.
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

static int try_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* The holder's own words from the file, one line, or NULL. */
static char *read_holder(int fd)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *nl;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf[0] ? ferry__strdup(buf) : NULL;
}

void ferry__holder_text(const ferry_db *db, char *buf, size_t size)
{
	char since[32];

	ferry__utc_now(since);
	snprintf(buf, size, "pid %ld, %s, since %s", (long)getpid(), db->actor,
		since);
}

static void write_holder(int fd, const ferry_db *db)
{
	char line[512];
	size_t n;

	ferry__holder_text(db, line, sizeof(line) - 1);
	n = strlen(line);
	line[n++] = '\n';
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, line, n, 0);
}

/* Is `fd` still the file at `path`? Not if a releaser unlinked it. */
static int still_linked(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int timed_out(ferry_db *db, const char *holder, ferry_error *err)
{
	ferry__error_set(err, FERRY_ELOCKED,
		"another ferry is working on database '%s'", db->url.display);
	ferry__error_detail(err, "the lock is held by %s",
		holder ? holder : "an unknown process");
	ferry__error_hint(err,
		"wait for it to finish, or wait longer with --lock-timeout");
	return FERRY_ELOCKED;
}

int ferry__lockfile_acquire(
	ferry__lockfile *lk, const char *path, ferry_db *db, ferry_error *err)
{
	int64_t deadline = ferry__now_ms() + db->lock_timeout_ms;
	char *holder = NULL;
	int waiting = 0, pause = 5, rc;

	lk->fd = -1;
	lk->path = ferry__strdup(path);
	if (!lk->path)
		return ferry__error_oom(err);
	for (;;) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0) {
			rc = ferry__error_os(
				err, FERRY_EDB, "create lock file", path);
			ferry__error_hint(err,
				"ferry needs write access to the database's "
				"directory");
			break;
		}
		if (try_lock(fd) == 0) {
			if (!still_linked(fd, path)) {
				close(fd);
				continue;
			}
			write_holder(fd, db);
			lk->fd = fd;
			if (waiting) {
				ferry_event ev = {
					.type = FERRY_EVENT_LOCK_ACQUIRED
				};

				db->waited = 1;
				ferry__emit(db, &ev);
			}
			free(holder);
			return 0;
		}
		if (errno != EAGAIN && errno != EACCES) {
			rc = ferry__error_os(err, FERRY_EDB, "lock", path);
			close(fd);
			break;
		}
		free(holder);
		holder = read_holder(fd);
		close(fd);
		if (!waiting) {
			ferry_event ev = { .type = FERRY_EVENT_LOCK_WAIT };

			ev.holder = holder;
			ferry__emit(db, &ev);
			waiting = 1;
		}
		if (ferry__now_ms() >= deadline) {
			rc = timed_out(db, holder, err);
			break;
		}
		sleep_ms(pause);
		if (pause < 50)
			pause *= 2;
	}
	free(holder);
	free(lk->path);
	lk->path = NULL;
	return rc;
}

void ferry__lockfile_release(ferry__lockfile *lk)
{
	if (lk->fd >= 0) {
		unlink(lk->path);
		close(lk->fd);
	}
	lk->fd = -1;
	free(lk->path);
	lk->path = NULL;
}

int ferry__lockfile_probe(
	const char *path, int *held, char **holder, ferry_error *err)
{
	struct flock fl;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*held = 0;
	*holder = NULL;
	if (fd < 0)
		return 0;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
		int rc = ferry__error_os(err, FERRY_EDB, "test lock", path);

		close(fd);
		return rc;
	}
	if (fl.l_type != F_UNLCK) {
		*held = 1;
		*holder = read_holder(fd);
	}
	close(fd);
	return 0;
}
