/* SPDX-License-Identifier: MIT */
/*
 * db_sqlite_vfs.c - the files of ferry's own SQLite connection: SQLite's
 * unix VFS, except that a rollback journal already on disk is not
 * announced to the disk again at every commit.
 *
 * SQLite's pager closes the rollback journal at the end of every
 * transaction (on unix another connection could delete it under an open
 * descriptor) and opens it again, with O_CREAT, for the next one. The unix
 * VFS treats every such open as the birth of a journal: at the journal's
 * first sync it also syncs the directory, so that the journal's name is
 * on disk before the database is written. In DELETE mode each commit did
 * create the journal. In PERSIST (or TRUNCATE) mode, which ferry's
 * connection uses for the length of a run (db_sqlite.c), the journal is
 * the same file from one migration to the next, and that directory sync is
 * a fifth sync per commit: one more than sqlite3 makes in DELETE mode.
 *
 * So the journal is opened through here. An open that may create it is
 * SQLite's, directory sync and all, and this VFS keeps a descriptor of
 * the file it opened; when that file's first sync has succeeded, its name
 * is on disk. A later open that finds the same file under the name (same
 * device and inode: no other file can have them while the descriptor is
 * held) opens it without O_CREAT, so SQLite does not sync the directory
 * again. Anything else (another journal, one the application made, none)
 * goes SQLite's way. The database file and its locks, WAL files and
 * temporary files are the unix VFS's own: they are opened by it, into the
 * memory SQLite gives, and never see this file again.
 *
 * Each ferry_db with a SQLite file has its own such VFS, registered under
 * a name of its own (SQLite finds a VFS by name only) and unregistered
 * when the handle closes. It is never the default VFS: the application's
 * connections never use it.
 */
#include "ferry_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

struct ferry__sqvfs {
	sqlite3_vfs vfs;   /* first: SQLite hands it back to jv_open() */
	sqlite3_vfs *base; /* the unix VFS, which does all the work */
	int known;	   /* a journal whose name is on disk, or -1 */
	char name[40];
};

/*
 * A journal as SQLite holds it: this header, then the unix VFS's own file
 * object, which every method is handed on to.
 */
typedef struct {
	sqlite3_file f; /* pMethods: journal_methods */
	ferry__sqvfs *v;
	int fresh; /* this journal, until its first sync, or -1 */
} jfile;

/* Where the unix VFS's object starts: aligned for any of its members. */
#define JHEAD ((sizeof(jfile) + 15) & ~(size_t)15)
#define REAL(p) ((sqlite3_file *)((char *)(p) + JHEAD))

static int j_close(sqlite3_file *p)
{
	jfile *j = (jfile *)p;

	if (j->fresh >= 0)
		close(j->fresh);
	j->fresh = -1;
	return REAL(p)->pMethods->xClose(REAL(p));
}

/*
 * The methods the journal leaves to the unix VFS's object as they are:
 * `name` takes `params`, in which the file is p, and calls `method` with
 * `args`, which pass REAL(p) in its place. Not formatted: clang-format
 * reads "sqlite3_file *p" there as a product.
 */
/* clang-format off */
#define FORWARD(name, method, params, args) \
	static int name params \
	{ \
		return REAL(p)->pMethods->method args; \
	}
FORWARD(j_read, xRead, (sqlite3_file *p, void *buf, int n, sqlite3_int64 off),
	(REAL(p), buf, n, off))
FORWARD(j_write, xWrite,
	(sqlite3_file *p, const void *buf, int n, sqlite3_int64 off),
	(REAL(p), buf, n, off))
FORWARD(j_truncate, xTruncate, (sqlite3_file *p, sqlite3_int64 size),
	(REAL(p), size))
FORWARD(j_size, xFileSize, (sqlite3_file *p, sqlite3_int64 *size),
	(REAL(p), size))
FORWARD(j_lock, xLock, (sqlite3_file *p, int level), (REAL(p), level))
FORWARD(j_unlock, xUnlock, (sqlite3_file *p, int level), (REAL(p), level))
FORWARD(j_reserved, xCheckReservedLock, (sqlite3_file *p, int *out),
	(REAL(p), out))
FORWARD(j_control, xFileControl, (sqlite3_file *p, int op, void *arg),
	(REAL(p), op, arg))
FORWARD(j_sector, xSectorSize, (sqlite3_file *p), (REAL(p)))
FORWARD(j_device, xDeviceCharacteristics, (sqlite3_file *p), (REAL(p)))
/* clang-format on */

/*
 * The first sync of a journal opened with O_CREAT syncs its directory too
 * (unixSync(), UNIXFILE_DIRSYNC): from then on its name is on disk.
 */
static int j_sync(sqlite3_file *p, int flags)
{
	jfile *j = (jfile *)p;
	int rc = REAL(p)->pMethods->xSync(REAL(p), flags);

	if (rc == SQLITE_OK && j->fresh >= 0) {
		if (j->v->known >= 0)
			close(j->v->known);
		j->v->known = j->fresh;
		j->fresh = -1;
	}
	return rc;
}

/* Version 1: a journal is never memory-mapped nor shared-memory. */
static const sqlite3_io_methods journal_methods = {
	.iVersion = 1,
	.xClose = j_close,
	.xRead = j_read,
	.xWrite = j_write,
	.xTruncate = j_truncate,
	.xSync = j_sync,
	.xFileSize = j_size,
	.xLock = j_lock,
	.xUnlock = j_unlock,
	.xCheckReservedLock = j_reserved,
	.xFileControl = j_control,
	.xSectorSize = j_sector,
	.xDeviceCharacteristics = j_device,
};

/* Is the file under `name` the journal known to be on disk? */
static int is_known(const ferry__sqvfs *v, const char *name)
{
	struct stat a, b;

	return v->known >= 0 && fstat(v->known, &a) == 0 &&
		lstat(name, &b) == 0 && a.st_dev == b.st_dev &&
		a.st_ino == b.st_ino;
}

static int jv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
	int flags, int *out_flags)
{
	ferry__sqvfs *v = (ferry__sqvfs *)vfs;
	sqlite3_vfs *base = v->base;
	jfile *j = (jfile *)f;
	int rc = SQLITE_CANTOPEN;

	if (!(flags & SQLITE_OPEN_MAIN_JOURNAL) || !name)
		return base->xOpen(base, name, f, flags, out_flags);
	*j = (jfile){ .v = v, .fresh = -1 };
	if ((flags & SQLITE_OPEN_CREATE) && is_known(v, name))
		rc = base->xOpen(base, name, REAL(f),
			flags & ~SQLITE_OPEN_CREATE, out_flags);
	/* Not known, or gone since it was looked at: SQLite's way. The
	 * pager holds the database's RESERVED lock while it opens a journal
	 * to write, so no other connection replaces it meanwhile. */
	if (rc != SQLITE_OK) {
		rc = base->xOpen(base, name, REAL(f), flags, out_flags);
		if (rc == SQLITE_OK && (flags & SQLITE_OPEN_CREATE))
			j->fresh =
				open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (rc != SQLITE_OK)
		return rc; /* f->pMethods stays NULL: nothing to close */
	f->pMethods = &journal_methods;
	return SQLITE_OK;
}

int ferry__sqvfs_new(ferry__sqvfs **out)
{
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);
	ferry__sqvfs *v;

	*out = NULL;
	/* Another default VFS: it is used as it is (and the runner lock,
	 * which needs unix's, says so). */
	if (!base || !base->zName || strncmp(base->zName, "unix", 4) != 0)
		return 0;
	if (!(v = ferry__calloc(1, sizeof(*v))))
		return FERRY_ENOMEM;
	/* The unix VFS's methods ignore the VFS they are called with, but
	 * for its path length and its own data, both copied. */
	v->vfs = *base;
	v->vfs.pNext = NULL;
	v->vfs.szOsFile = (int)JHEAD + base->szOsFile;
	snprintf(v->name, sizeof(v->name), "ferry-%p", (void *)v);
	v->vfs.zName = v->name;
	v->vfs.xOpen = jv_open;
	v->base = base;
	v->known = -1;
	if (sqlite3_vfs_register(&v->vfs, 0) != SQLITE_OK) {
		free(v);
		return 0; /* the default VFS will do, one sync more */
	}
	*out = v;
	return 0;
}

const char *ferry__sqvfs_name(const ferry__sqvfs *v)
{
	return v ? v->name : NULL;
}

struct sqlite3_vfs *ferry__sqvfs_base(
	const ferry__sqvfs *v, struct sqlite3_vfs *vfs)
{
	return v && vfs == &v->vfs ? v->base : vfs;
}

void ferry__sqvfs_forget(ferry__sqvfs *v)
{
	if (v && v->known >= 0) {
		close(v->known);
		v->known = -1;
	}
}

void ferry__sqvfs_free(ferry__sqvfs *v)
{
	if (!v)
		return;
	sqlite3_vfs_unregister(&v->vfs);
	ferry__sqvfs_forget(v);
	free(v);
}
