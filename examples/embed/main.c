/* SPDX-License-Identifier: MIT */
/*
 * embed - an application that carries its migrations inside its binary and
 * brings its database up to date when it starts, on the connection it
 * already has:
 *
 *	embed [DATABASE]		(else $EMBED_DATABASE)
 *
 * DATABASE is a SQLite file (`sqlite:PATH` or a path) or a PostgreSQL URL
 * or keyword string. The program opens it itself, with sqlite3 or libpq,
 * as any application does, and hands the connection to ferry
 * (ferry_db_open_sqlite(), ferry_db_open_pg()). The migrations come from
 * `ferry embed examples/embed/migrations`, compiled in (the Makefile makes
 * that file at build time); ferry_set_open_mem() reads them. Then it
 * migrates, printing each progress event, and asks ferry whether this
 * program's release (1.1) can run on the database. It prints "ready" and
 * exits 0, or prints ferry's error and exits as the ferry command would:
 * 1 failed, 2 invalid, 3 not ready, 4 locked, 5 refused (a database ahead
 * of the program, or a migration changed after it ran).
 *
 * Every options struct is filled with ferry_<x>_options_init(), naming
 * the version of the struct this program holds, as a program in a
 * language without C macros would: the _INIT macros are the same values.
 */
#include <ferry.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef EMBED_HAVE_PG
#include <libpq-fe.h>
#endif

/* What this program was written against: it needs the schema of 1.1. */
#define RELEASE "1.1"

/* The array `ferry embed --name embed_migrations` generated. */
extern const ferry_mem_file embed_migrations[];
extern const size_t embed_migrations_count;

static const char *id_of(const ferry_event *ev)
{
	return ev->migration ? ev->migration->id : "-";
}

static void progress(const ferry_event *ev, void *payload)
{
	(void)payload;
	switch (ev->type) {
	case FERRY_EVENT_LOCK_WAIT:
		printf("event: waiting for %s\n",
			ev->holder ? ev->holder : "another runner");
		break;
	case FERRY_EVENT_SECTION_START:
		printf("event: start %s %s (%zu of %zu)\n", ev->section,
			id_of(ev), ev->index, ev->total);
		break;
	case FERRY_EVENT_SECTION_DONE:
		printf("event: done %s %s\n", ev->section, id_of(ev));
		break;
	case FERRY_EVENT_WARNING:
	case FERRY_EVENT_NOTICE:
		printf("event: %s\n", ev->message ? ev->message : "");
		break;
	default:
		break; /* statements, batches: too fine for a start-up log */
	}
	fflush(stdout);
}

static int exit_code(int rc)
{
	switch (rc) {
	case FERRY_EINVALID:
		return 2;
	case FERRY_ENOTREADY:
		return 3;
	case FERRY_ELOCKED:
		return 4;
	case FERRY_EREFUSED:
		return 5;
	default:
		return 1;
	}
}

/* The application's own connection, however it makes it. */
struct conn {
	sqlite3 *sqlite;
#ifdef EMBED_HAVE_PG
	PGconn *pg;
#endif
};

static int is_pg(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 ||
		strncmp(url, "postgresql://", 13) == 0 || strchr(url, '=');
}

static int connect_app(struct conn *c, const char *url)
{
	if (is_pg(url)) {
#ifdef EMBED_HAVE_PG
		c->pg = PQconnectdb(url);
		/* Session settings of the application's, which ferry puts
		 * back when it lets go of the connection. */
		if (PQstatus(c->pg) == CONNECTION_OK) {
			PQclear(PQexec(c->pg,
				"SET application_name = 'embed-app'; "
				"SET statement_timeout = '7s'; "
				"SET search_path = public, pg_catalog"));
			return 0;
		}
		fprintf(stderr, "embed: cannot connect: %s",
			PQerrorMessage(c->pg));
#else
		fprintf(stderr, "embed: built without PostgreSQL\n");
#endif
		return 1;
	}
	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	if (sqlite3_open(url, &c->sqlite) == SQLITE_OK)
		return 0;
	fprintf(stderr, "embed: cannot open %s: %s\n", url,
		sqlite3_errmsg(c->sqlite));
	return 1;
}

static void disconnect_app(struct conn *c)
{
	sqlite3_close(c->sqlite);
#ifdef EMBED_HAVE_PG
	if (c->pg)
		PQfinish(c->pg);
#endif
}

static int open_db(
	ferry_db **db, struct conn *c, ferry_db_options *o, ferry_error *err)
{
#ifdef EMBED_HAVE_PG
	if (c->pg)
		return ferry_db_open_pg(db, c->pg, o, err);
#endif
	return ferry_db_open_sqlite(db, c->sqlite, o, err);
}

/* PostgreSQL: the session's settings, as the application set them. */
static void print_session(struct conn *c)
{
#ifdef EMBED_HAVE_PG
	PGresult *res;

	if (!c->pg)
		return;
	res = PQexec(c->pg,
		"SELECT current_setting('application_name'), "
		"current_setting('statement_timeout'), "
		"current_setting('search_path')");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		printf("session: application_name %s, statement_timeout %s, "
		       "search_path %s\n",
			PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			PQgetvalue(res, 0, 2));
	PQclear(res);
#else
	(void)c;
#endif
}

/* The application at work: its query, on its connection. */
static int count_notes(struct conn *c)
{
	const char *sql = "SELECT count(*) FROM note_list WHERE author = "
			  "'embed'";
	int n = -1;

#ifdef EMBED_HAVE_PG
	if (c->pg) {
		PGresult *res = PQexec(c->pg, sql);

		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			n = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		return n;
	}
#endif
	{
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(c->sqlite, sql, -1, &st, NULL) ==
				SQLITE_OK &&
			sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : getenv("EMBED_DATABASE");
	struct conn c = { 0 };
	ferry_db_options dbo;
	ferry_up_options uo;
	ferry_report *report = NULL;
	ferry_set *set = NULL;
	ferry_db *db = NULL;
	ferry_error err;
	int rc;

	if (!url || argc > 2) {
		fprintf(stderr,
			"usage: embed [DATABASE] (else "
			"$EMBED_DATABASE)\n");
		return 2;
	}
	if (connect_app(&c, url) != 0) {
		disconnect_app(&c);
		return 1;
	}
	ferry_error_init(&err);
	ferry_db_options_init(&dbo, FERRY_DB_OPTIONS_VERSION);
	ferry_up_options_init(&uo, FERRY_UP_OPTIONS_VERSION);
	dbo.progress = progress;
	dbo.actor = "embed-example";
	if ((rc = ferry_set_open_mem(&set, embed_migrations,
		     embed_migrations_count, &err)) < 0 ||
		(rc = open_db(&db, &c, &dbo, &err)) < 0 ||
		(rc = ferry_migrate(&report, db, set, &uo, &err)) < 0 ||
		(rc = ferry_check_release(db, set, RELEASE, &err)) < 0) {
		fprintf(stderr, "embed: %s%s%s\n", err.message,
			err.detail[0] ? ": " : "", err.detail);
		if (err.hint[0])
			fprintf(stderr, "hint: %s\n", err.hint);
		ferry_report_free(report);
		ferry_db_close(db);
		ferry_set_free(set);
		disconnect_app(&c);
		return exit_code(rc);
	}
	printf("migrated: %zu step%s, database at %s (release %s)\n",
		ferry_report_count(report),
		ferry_report_count(report) == 1 ? "" : "s",
		ferry_report_version(report) ? ferry_report_version(report)
					     : "nothing",
		ferry_report_release(report) ? ferry_report_release(report)
					     : "none");
	ferry_report_free(report);
	/* ferry is done with the connection; the application goes on. */
	ferry_db_close(db);
	ferry_set_free(set);
	print_session(&c);
	printf("ready: release %s, %d note%s by embed\n", RELEASE,
		count_notes(&c), count_notes(&c) == 1 ? "" : "s");
	disconnect_app(&c);
	return 0;
}
