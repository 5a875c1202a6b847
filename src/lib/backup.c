/* SPDX-License-Identifier: MIT */
/*
 * backup.c - `ferry backup` and `ferry restore` for both engines: the
 * file's name, its safe creation and its renaming into place, telling a
 * backup file from any other, and the ledger state a backup holds; the
 * listing and pruning of the backups ferry named, read by the code that
 * writes their names. The copying itself is per engine: backup_sqlite.c,
 * backup_pg.c.
 *
 * A backup is written to a hidden file beside its final name, created
 * with O_EXCL and mode 0600 (never following a link an attacker left),
 * synced, and renamed into place without replacing anything: a killed
 * backup leaves no partial file under the final name.
 */
#include "ferry_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *ferry_backup_path(const ferry_backup *b)
{
	return b->path;
}

const char *ferry_backup_engine(const ferry_backup *b)
{
	return b->engine;
}

const char *ferry_backup_version(const ferry_backup *b)
{
	return b->version;
}

const char *ferry_backup_release(const ferry_backup *b)
{
	return b->release;
}

size_t ferry_backup_applied(const ferry_backup *b)
{
	return b->applied;
}

int64_t ferry_backup_bytes(const ferry_backup *b)
{
	return b->bytes;
}

void ferry_backup_free(ferry_backup *b)
{
	if (!b)
		return;
	free(b->path);
	free(b->version);
	free(b->release);
	free(b);
}

int ferry__backup_set_state(ferry_backup *b, const char *version,
	const char *release, size_t applied)
{
	free(b->version);
	free(b->release);
	b->version = version ? ferry__strdup(version) : NULL;
	b->release = release ? ferry__strdup(release) : NULL;
	b->applied = applied;
	return (version && !b->version) || (release && !b->release)
		? FERRY_ENOMEM
		: 0;
}

int ferry__backup_state_from_ledger(
	ferry_backup *b, ferry_db *db, ferry_error *err)
{
	ferry__ledger l = { 0 };
	const ferry__row *newest = NULL;
	char vbuf[24] = "";
	size_t i, applied = 0;
	int rc;

	if ((rc = ferry__ledger_load(db, &l, err)) < 0)
		return rc;
	for (i = 0; i < l.n; i++) {
		if (l.rows[i].state == FERRY_STATE_FAILED)
			continue;
		applied++;
		newest = &l.rows[i];
	}
	if (newest)
		snprintf(
			vbuf, sizeof(vbuf), "%lld", (long long)newest->version);
	rc = ferry__backup_set_state(b, newest ? vbuf : NULL,
		newest ? newest->release : NULL, applied);
	ferry__ledger_clear(&l);
	return rc < 0 ? ferry__error_oom(err) : 0;
}

/*
 * The names of backups made without a path. Both directions live here,
 * so that what ferry lists and prunes is exactly what it names:
 *
 *	<dir>/<db>-<YYYYMMDD>T<HHMMSS>Z-v<version>[-<attempt>].<ext>
 *
 * <db> is "shop" of "/srv/shop.db" (the last path component without its
 * extension) and the database name on PostgreSQL, each space or tab made
 * '_'; "database" when that leaves nothing.
 */

/* The part of `dbname` that <db> is made of. */
static void name_span(const char *dbname, const char **start, size_t *n)
{
	const char *base = strrchr(dbname, '/'), *dot;

	base = base ? base + 1 : dbname;
	dot = strrchr(base, '.');
	*start = base;
	*n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
}

/* A name stays one plain word: no separators, no spaces. */
static char name_char(char c)
{
	return c == '/' || c == ' ' || c == '\t' || c == '\n' ? '_' : c;
}

static void name_part(ferry__buf *out, const char *dbname)
{
	const char *p;
	size_t n;

	name_span(dbname, &p, &n);
	if (n == 0) {
		ferry__buf_puts(out, "database");
		return;
	}
	for (; n > 0; n--, p++) {
		char c = name_char(*p);

		ferry__buf_put(out, &c, 1);
	}
}

/* The length of <db> at the start of `file`, or 0 when it is not there. */
static size_t name_part_len(const char *file, const char *dbname)
{
	const char *p;
	size_t n, i;

	name_span(dbname, &p, &n);
	if (n == 0)
		return strncmp(file, "database", 8) == 0 ? 8 : 0;
	for (i = 0; i < n; i++)
		if (file[i] != name_char(p[i]))
			return 0;
	return n;
}

/* "<dir>/", or nothing for the current directory. */
static void dir_prefix(ferry__buf *out, const char *dir)
{
	if (!dir || !*dir)
		return;
	ferry__buf_puts(out, dir);
	if (dir[strlen(dir) - 1] != '/')
		ferry__buf_puts(out, "/");
}

char *ferry__backup_default_name(const char *dir, const char *dbname,
	const char *version, const char *ext, int attempt)
{
	ferry__buf b = FERRY__BUF_INIT;
	char when[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	dir_prefix(&b, dir);
	name_part(&b, dbname);
	ferry__buf_printf(&b, "-%s-v%s", when, version ? version : "0");
	if (attempt > 1)
		ferry__buf_printf(&b, "-%d", attempt);
	ferry__buf_printf(&b, ".%s", ext);
	return ferry__buf_detach(&b);
}

/* How many ASCII digits `s` starts with. */
static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

int ferry__backup_parse_name(ferry__backup_name *out, const char *file,
	const char *dbname, const char *ext)
{
	const char *p = file + name_part_len(file, dbname);
	size_t n;

	if (p == file || *p++ != '-')
		return 0;
	/* YYYYMMDDTHHMMSSZ */
	if (digits(p) != 8 || p[8] != 'T' || digits(p + 9) != 6 || p[15] != 'Z')
		return 0;
	memcpy(out->time, p, 16);
	out->time[16] = '\0';
	p += 16;
	if (strncmp(p, "-v", 2) != 0)
		return 0;
	p += 2;
	if ((n = digits(p)) == 0 || n >= sizeof(out->version))
		return 0;
	memcpy(out->version, p, n);
	out->version[n] = '\0';
	p += n;
	out->attempt = 1;
	if (*p == '-') {
		p++;
		if ((n = digits(p)) == 0 || n > 2)
			return 0;
		for (out->attempt = 0; n > 0; n--, p++)
			out->attempt = out->attempt * 10 + (*p - '0');
	}
	return *p == '.' && strcmp(p + 1, ext) == 0;
}

/* One backup found; `pub` points into it once the list is complete. */
typedef struct {
	ferry_backup_file pub;
	char *path;
	ferry__backup_name name;
	struct timespec mtime;
} backup_entry;

struct ferry_backups {
	backup_entry *v;
	size_t n, alloc;
};

size_t ferry_backups_count(const ferry_backups *list)
{
	return list ? list->n : 0;
}

const ferry_backup_file *ferry_backups_at(const ferry_backups *list, size_t i)
{
	return list && i < list->n ? &list->v[i].pub : NULL;
}

void ferry_backups_free(ferry_backups *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++)
		free(list->v[i].path);
	free(list->v);
	free(list);
}

/* Oldest first: by the time in the name, then (same second) on disk. */
static int by_age(const void *pa, const void *pb)
{
	const backup_entry *a = pa, *b = pb;
	int c = strcmp(a->name.time, b->name.time);

	if (c)
		return c;
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec < b->mtime.tv_sec ? -1 : 1;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec < b->mtime.tv_nsec ? -1 : 1;
	return strcmp(a->path, b->path);
}

/* Add `file` of `dir` if it is one of the backups and a regular file. */
static int list_add(ferry_backups *l, const char *dir, const char *file,
	const char *dbname, const char *ext)
{
	ferry__buf b = FERRY__BUF_INIT;
	ferry__backup_name name;
	struct stat st;
	backup_entry *e;

	if (!ferry__backup_parse_name(&name, file, dbname, ext))
		return 0;
	dir_prefix(&b, dir);
	ferry__buf_puts(&b, file);
	if (b.oom || FERRY__GROW(l->v, l->alloc, l->n + 1, 16) < 0) {
		ferry__buf_release(&b);
		return FERRY_ENOMEM;
	}
	/* A link, a directory, a FIFO: not a backup ferry wrote. */
	if (lstat(b.buf, &st) != 0 || !S_ISREG(st.st_mode)) {
		ferry__buf_release(&b);
		return 0;
	}
	e = &l->v[l->n++];
	e->path = ferry__buf_detach(&b);
	e->name = name;
	e->mtime = st.st_mtim;
	return 0;
}

int ferry__backup_list_dir(ferry_backups **out, const char *dir,
	const char *dbname, const char *ext, ferry_error *err)
{
	ferry_backups *l;
	struct dirent *de;
	size_t i;
	DIR *d;
	int rc = 0;

	*out = NULL;
	if (!(l = ferry__calloc(1, sizeof(*l))))
		return ferry__error_oom(err);
	if (!(d = opendir(dir && *dir ? dir : "."))) {
		rc = ferry__error_os(err, FERRY_ERROR, "read directory",
			dir && *dir ? dir : ".");
		ferry_backups_free(l);
		return rc;
	}
	while (rc == 0 && (de = readdir(d)) != NULL)
		rc = list_add(l, dir, de->d_name, dbname, ext);
	closedir(d);
	if (rc < 0) {
		ferry_backups_free(l);
		return ferry__error_oom(err);
	}
	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), by_age);
	for (i = 0; i < l->n; i++) {
		l->v[i].pub.path = l->v[i].path;
		l->v[i].pub.time = l->v[i].name.time;
		l->v[i].pub.version = l->v[i].name.version;
	}
	*out = l;
	return 0;
}

int ferry_backup_list(
	ferry_backups **out, ferry_db *db, const char *dir, ferry_error *err)
{
	char *dbname = NULL;
	int rc;

	if (!out || !db)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", out ? "db" : "out");
	*out = NULL;
	if (db->url.memory)
		return ferry__error_set(err, FERRY_EINVALID,
			"an in-memory database has no backups");
	if ((rc = db->drv->backup_name(db, &dbname, err)) < 0)
		return rc;
	rc = ferry__backup_list_dir(out, dir, dbname, db->drv->backup_ext, err);
	free(dbname);
	return rc;
}

int ferry_backup_prune(ferry_db *db, const char *dir, size_t keep,
	ferry_backup_removed_cb removed, void *payload, ferry_error *err)
{
	ferry_backups *l = NULL;
	size_t i, n;
	int rc, first = 0;

	if ((rc = ferry_backup_list(&l, db, dir, err)) < 0)
		return rc;
	n = ferry_backups_count(l);
	for (i = 0; n > keep && i < n - keep; i++) {
		const char *path = ferry_backups_at(l, i)->path;

		if (unlink(path) == 0) {
			if (removed)
				removed(path, payload);
		} else if (errno != ENOENT && first == 0) {
			/* The others still go; the first failure is said. */
			first = ferry__error_os(
				err, FERRY_ERROR, "remove old backup", path);
		}
	}
	ferry_backups_free(l);
	return first;
}

/* The directory part of `path`, for the temporary file and fsync. */
static char *dir_of(const char *path)
{
	char *copy = ferry__strdup(path), *d, *out;

	if (!copy)
		return NULL;
	d = dirname(copy);
	out = ferry__strdup(d);
	free(copy);
	return out;
}

static int refuse_existing(const char *path, ferry_error *err)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	ferry__error_set(err, FERRY_EINVALID, "'%s' already exists", path);
	ferry__error_hint(err,
		"ferry never overwrites a file with a backup; choose another "
		"name, or remove it first");
	return FERRY_EINVALID;
}

int ferry__backup_tmp(const char *final, char **tmp, int *fd, ferry_error *err)
{
	char *dir = dir_of(final), *copy = ferry__strdup(final);
	ferry__buf b = FERRY__BUF_INIT;
	int rc = 0;

	*tmp = NULL;
	*fd = -1;
	if (!dir || !copy) {
		free(dir);
		free(copy);
		return ferry__error_oom(err);
	}
	ferry__buf_printf(&b, "%s/.%s.partial-XXXXXX", dir, basename(copy));
	free(copy);
	if (b.oom) {
		free(dir);
		return ferry__error_oom(err);
	}
	/* mkostemp: O_CREAT | O_EXCL, mode 0600 whatever the umask says. */
	*fd = mkostemp(b.buf, O_CLOEXEC);
	if (*fd < 0) {
		rc = ferry__error_os(err, FERRY_ERROR, "create a file in", dir);
		if (errno == ENOENT)
			ferry__error_hint(err,
				"create the directory first, or choose "
				"another with -o");
		ferry__buf_release(&b);
	} else {
		*tmp = ferry__buf_detach(&b);
	}
	free(dir);
	return rc;
}

static int sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd, rc = 0;

	if (!dir)
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

/* rename() that never replaces: RENAME_NOREPLACE, else link + unlink. */
static int rename_noreplace(const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	if (link(from, to) != 0)
		return -1;
	unlink(from);
	return 0;
}

int ferry__backup_commit(
	const char *tmp, const char *final, int64_t *bytes, ferry_error *err)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0 || fsync(fd) != 0) {
		int rc = ferry__error_os(err, FERRY_ERROR, "write", tmp);

		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	*bytes = (int64_t)st.st_size;
	if (rename_noreplace(tmp, final) != 0) {
		if (errno == EEXIST)
			return refuse_existing(final, err);
		return ferry__error_os(err, FERRY_ERROR, "rename into", final);
	}
	(void)sync_dir(final);
	return 0;
}

/* Each driver's backups start with its own magic bytes. */
static const ferry__driver *driver_of(const char *head, size_t n)
{
	size_t i;

	for (i = 0; ferry__drivers[i]; i++) {
		const ferry__driver *d = ferry__drivers[i];

		if (n >= d->backup_magic_len &&
			memcmp(head, d->backup_magic, d->backup_magic_len) == 0)
			return d;
	}
	return NULL;
}

int ferry__backup_kind(
	const char *path, const ferry__driver **drv, ferry_error *err)
{
	ferry__buf kinds = FERRY__BUF_INIT;
	char head[64];
	struct stat st;
	ssize_t n;
	size_t i;
	int fd;

	*drv = NULL;
	/* O_NONBLOCK: a FIFO must be refused, not waited on for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int rc = ferry__error_os(
			err, FERRY_EINVALID, "read backup file", path);

		if (errno == ENOENT)
			ferry__error_hint(err,
				"check the path; 'ferry backup' prints the "
				"name of each file it writes");
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		int rc = ferry__error_os(
			err, FERRY_EINVALID, "read backup file", path);

		close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		ferry__error_set(err, FERRY_EINVALID,
			"'%s' is a directory, not a backup file", path);
		ferry__error_hint(err, "name the backup file itself");
		return FERRY_EINVALID;
	}
	/* A FIFO, a device such as /dev/zero: never a backup, maybe endless. */
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		ferry__error_set(err, FERRY_EINVALID,
			"'%s' is not a regular file (%s)", path,
			ferry__file_kind(st.st_mode));
		ferry__error_hint(
			err, "restore a file that 'ferry backup' wrote");
		return FERRY_EINVALID;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	if ((*drv = driver_of(head, n > 0 ? (size_t)n : 0)))
		return 0;
	ferry__error_set(
		err, FERRY_EINVALID, "'%s' is not a ferry backup", path);
	for (i = 0; ferry__drivers[i]; i++)
		ferry__buf_printf(&kinds, "%s%s",
			i == 0				? ""
				: ferry__drivers[i + 1] ? ", "
							: " nor ",
			ferry__drivers[i]->backup_what);
	ferry__error_detail(err, "it is %s%s", i > 1 ? "neither " : "not ",
		ferry__buf_cstr(&kinds));
	ferry__buf_release(&kinds);
	ferry__error_hint(err,
		"restore a file that 'ferry backup' wrote; a plain SQL dump "
		"goes through psql or sqlite3");
	return FERRY_EINVALID;
}

static int check_options(const ferry_backup_options *opts, ferry_error *err)
{
	if (opts && opts->version != FERRY_BACKUP_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	return 0;
}

static int engine_matches(ferry_db *db, const char *path,
	const ferry__driver *kind, ferry_error *err)
{
	if (kind == db->drv)
		return 0;
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' is a backup of a %s database, not of %s", path,
		kind ? kind->label : "another", db->drv->label);
	ferry__error_hint(err,
		"restore it into a database of its own engine; ferry does "
		"not convert between engines");
	return FERRY_EINVALID;
}

int ferry_restore_check(ferry_db *db, const char *path,
	const ferry_backup_options *opts, ferry_error *err)
{
	ferry_backup_options defaults = FERRY_BACKUP_OPTIONS_INIT;
	const ferry__driver *kind;
	int rc;

	if (!db || !path)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", db ? "path" : "db");
	if ((rc = check_options(opts, err)) < 0)
		return rc;
	if (!opts)
		opts = &defaults;
	if (db->url.memory)
		return ferry__error_set(err, FERRY_EINVALID,
			"an in-memory database cannot be restored into");
	if ((rc = ferry__backup_kind(path, &kind, err)) < 0 ||
		(rc = engine_matches(db, path, kind, err)) < 0)
		return rc;
	return db->drv->restore_check ? db->drv->restore_check(db, opts, err)
				      : 0;
}

static ferry_backup *backup_new(ferry_db *db)
{
	ferry_backup *b = ferry__calloc(1, sizeof(*b));

	if (b)
		b->engine = db->drv->name;
	return b;
}

int ferry_backup_create(ferry_backup **out, ferry_db *db,
	const ferry_backup_options *opts, ferry_error *err)
{
	ferry_backup_options defaults = FERRY_BACKUP_OPTIONS_INIT;
	ferry_backup *b;
	int rc, locked_here = 0;

	if (!out || !db)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", out ? "db" : "out");
	*out = NULL;
	if ((rc = check_options(opts, err)) < 0)
		return rc;
	if (!opts)
		opts = &defaults;
	if (db->url.memory)
		return ferry__error_set(err, FERRY_EINVALID,
			"an in-memory database cannot be backed up");
	if (!db->exists) {
		ferry__error_set(err, FERRY_EINVALID,
			"database '%s' does not exist: nothing to back up",
			db->url.display);
		ferry__error_hint(err, "check the database path");
		return FERRY_EINVALID;
	}
	if (opts->path && (rc = refuse_existing(opts->path, err)) < 0)
		return rc;
	if (!(b = backup_new(db)))
		return ferry__error_oom(err);
	/* No migration runs while we copy: the ledger we report is the one
	 * in the copy. The application's own work goes on. */
	if (!db->locked) {
		if ((rc = ferry__lock(db, err)) < 0)
			goto done;
		locked_here = 1;
	}
	if ((rc = ferry__pooler_refuse_tool(db, "backup", err)) == 0)
		rc = db->drv->backup(db, b, opts, err);
done:
	if (locked_here)
		ferry__unlock(db);
	if (rc < 0) {
		ferry_backup_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int ferry_restore(ferry_backup **out, ferry_db *db, const char *path,
	const ferry_backup_options *opts, ferry_error *err)
{
	ferry_backup_options defaults = FERRY_BACKUP_OPTIONS_INIT;
	ferry_backup *b;
	int rc, locked_here = 0;

	if (out)
		*out = NULL;
	if ((rc = ferry_restore_check(db, path, opts, err)) < 0)
		return rc;
	if (db->read_only)
		return ferry__error_set(
			err, FERRY_EINVALID, "database was opened read-only");
	if (!opts)
		opts = &defaults;
	if (!(b = backup_new(db)))
		return ferry__error_oom(err);
	if (!(b->path = ferry__strdup(path))) {
		ferry_backup_free(b);
		return ferry__error_oom(err);
	}
	if (!db->locked) {
		if ((rc = ferry__lock(db, err)) < 0)
			goto done;
		locked_here = 1;
	}
	if ((rc = ferry__pooler_refuse_tool(db, "restore", err)) == 0)
		rc = db->drv->restore(db, path, b, opts, err);
done:
	if (locked_here)
		ferry__unlock(db);
	if (rc < 0 || !out)
		ferry_backup_free(b);
	else
		*out = b;
	return rc;
}

int ferry__backup_target(char **final, ferry_db *db, const char *version,
	const ferry_backup_options *opts, ferry_error *err)
{
	const char *ext = db->drv->backup_ext;
	char *dbname = NULL;
	struct stat st;
	int attempt, rc;

	*final = NULL;
	if (opts->path) {
		*final = ferry__strdup(opts->path);
		return *final ? 0 : ferry__error_oom(err);
	}
	if ((rc = db->drv->backup_name(db, &dbname, err)) < 0)
		return rc;
	/* Two backups in one second at one version: a suffix tells them
	 * apart, and the rename still refuses to replace anything. */
	for (attempt = 1; attempt < 100; attempt++) {
		*final = ferry__backup_default_name(
			opts->dir, dbname, version, ext, attempt);
		if (!*final || lstat(*final, &st) != 0)
			break;
		free(*final);
		*final = NULL;
	}
	free(dbname);
	if (*final)
		return 0;
	if (attempt < 100)
		return ferry__error_oom(err);
	return ferry__error_set(
		err, FERRY_ERROR, "cannot find a free name for the backup");
}
