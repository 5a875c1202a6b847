/* SPDX-License-Identifier: MIT */
/*
 * import_via.c - `ferry import --via-migrations`: an export from an older
 * version, brought up to the database's by the set's own migrations.
 *
 * StackStorm's "export, install the new version, import with the records
 * readjusted", as one step:
 *
 *	scratch database (SQLite: a hidden file beside the database;
 *	  PostgreSQL: a new database on the same server)
 *	-> migrate it to the export's version -> import the export there
 *	-> migrate it to the database's version (the set readjusts the rows)
 *	-> copy its tables into the database (copy.c: verified per table)
 *	-> drop the scratch database, whatever happened
 */
#include "ferry_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	char *url;  /* to open it */
	char *name; /* PostgreSQL: the database; SQLite: the file */
	int made;   /* it exists: drop it at the end */
} scratch_db;

static int sqlite_scratch(ferry_db *db, scratch_db *s, ferry_error *err)
{
	ferry__buf b = FERRY__BUF_INIT;
	const char *slash = strrchr(db->url.file, '/');
	int fd;

	ferry__buf_printf(&b, "%.*s/.ferry-import-XXXXXX",
		(int)(slash - db->url.file), db->url.file);
	if (b.oom)
		return ferry__error_oom(err);
	s->name = ferry__buf_detach(&b);
	if ((fd = mkstemp(s->name)) < 0)
		return ferry__error_os(
			err, FERRY_ERROR, "create a scratch database", s->name);
	close(fd);
	s->made = 1;
	ferry__buf_printf(&b, "sqlite:%s", s->name);
	return (s->url = ferry__buf_detach(&b)) ? 0 : ferry__error_oom(err);
}

/* A keyword string: the database's settings, password included, and
 * another dbname, which a later keyword overrides. */
static int pg_scratch(ferry_db *db, scratch_db *s, ferry_error *err)
{
	ferry__buf b = FERRY__BUF_INIT;
	char *conninfo = NULL, *password = NULL, name[64];
	const char *p;
	int rc;

	snprintf(name, sizeof(name), "ferry_import_%ld_%ld", (long)getpid(),
		(long)(ferry__now_ms() % 1000000));
	if (!(s->name = ferry__strdup(name)))
		return ferry__error_oom(err);
	ferry__buf_printf(&b, "CREATE DATABASE %s", name);
	if (b.oom)
		return ferry__error_oom(err);
	rc = db->drv->load_exec(db, b.buf, err);
	ferry__buf_release(&b);
	if (rc < 0) {
		ferry__error_hint(err,
			"--via-migrations makes a scratch database: the user "
			"needs CREATEDB, or bring the export to the database's "
			"version another way");
		return rc;
	}
	s->made = 1;
	if ((rc = db->drv->tool_conninfo(db, &conninfo, &password, err)) < 0)
		return rc;
	ferry__buf_printf(&b, "%s dbname='%s'", conninfo, name);
	if (password) {
		ferry__buf_puts(&b, " password='");
		for (p = password; *p; p++) {
			if (*p == '\\' || *p == '\'')
				ferry__buf_put(&b, "\\", 1);
			ferry__buf_put(&b, p, 1);
		}
		ferry__buf_puts(&b, "'");
	}
	free(conninfo);
	free(password);
	return (s->url = ferry__buf_detach(&b)) ? 0 : ferry__error_oom(err);
}

static void drop_scratch(ferry_db *db, scratch_db *s)
{
	if (s->made && db->drv->engine == FERRY__ENGINE_PG) {
		ferry__buf b = FERRY__BUF_INIT;

		ferry__buf_printf(&b, "DROP DATABASE IF EXISTS %s", s->name);
		if (!b.oom)
			(void)db->drv->load_exec(db, b.buf, NULL);
		ferry__buf_release(&b);
	} else if (s->made) {
		ferry__buf b = FERRY__BUF_INIT;

		unlink(s->name);
		ferry__buf_printf(&b, "%s-journal", s->name);
		if (!b.oom)
			unlink(b.buf);
		ferry__buf_release(&b);
	}
	free(s->url);
	free(s->name);
}

/* The scratch database is migrated all the way, finish sections too:
 * the database must be the same, no rollout half done. */
static int all_finished(ferry_db *db, ferry_error *err)
{
	ferry__ledger l = { 0 };
	size_t i;
	int rc;

	if ((rc = ferry__ledger_load(db, &l, err)) < 0)
		return rc;
	for (i = 0; i < l.n && rc == 0; i++)
		if (l.rows[i].state == FERRY_STATE_UP) {
			ferry__error_set(err, FERRY_EREFUSED,
				"the database is in the middle of a rollout: "
				"migration %lld is up, its finish not run",
				(long long)l.rows[i].version);
			ferry__error_hint(err,
				"--via-migrations brings the export to a "
				"finished version: run ferry finish first");
			rc = FERRY_EREFUSED;
		}
	ferry__ledger_clear(&l);
	return rc;
}

/* Migrate `db` to `version` (NULL: nothing to do). */
static int migrate_to(ferry_db *db, const ferry_set *set, const char *version,
	ferry_error *err)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_report *r = NULL;
	int rc;

	if (!version)
		return 0;
	o.to = version;
	rc = ferry_migrate(&r, db, set, &o, err);
	ferry_report_free(r);
	return rc;
}

int ferry__import_via(ferry_load_report **out, ferry_db *db,
	const ferry_import_options *opts, const char *file_version,
	const char *db_version, ferry_error *err)
{
	ferry_db_options dbo = FERRY_DB_OPTIONS_INIT;
	ferry_import_options io = *opts;
	ferry_copy_options co = FERRY_COPY_OPTIONS_INIT;
	ferry_load_report *loaded = NULL;
	scratch_db s = { NULL, NULL, 0 };
	ferry_db *scratch = NULL;
	int rc;

	if (!opts->set)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (via_migrations without set)");
	if ((rc = all_finished(db, err)) < 0)
		return rc;
	rc = db->drv->engine == FERRY__ENGINE_PG ? pg_scratch(db, &s, err)
						 : sqlite_scratch(db, &s, err);
	if (rc < 0)
		goto out;
	dbo.table = db->table;
	dbo.schema = db->schema;
	if ((rc = ferry_db_open(&scratch, s.url, &dbo, err)) < 0)
		goto out;
	io.via_migrations = 0;
	io.truncate = 0;
	if ((rc = migrate_to(scratch, opts->set, file_version, err)) < 0 ||
		(rc = ferry_import(&loaded, scratch, &io, err)) < 0 ||
		(rc = migrate_to(scratch, opts->set, db_version, err)) < 0)
		goto out;
	co.truncate = opts->truncate;
	co.progress = opts->progress;
	co.payload = opts->payload;
	rc = ferry_copy(out, scratch, db, &co, err);
out:
	ferry_load_report_free(loaded);
	ferry_db_close(scratch);
	drop_scratch(db, &s);
	return rc;
}
