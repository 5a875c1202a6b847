/* SPDX-License-Identifier: MIT */
/*
 * db.c - the ferry_db handle: URL to driver, ledger names, who is acting.
 *
 * Everything engine-specific is behind db->drv; this file only chooses the
 * driver and keeps what every driver needs.
 */
#include "ferry_int.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ferry__emit(ferry_db *db, const ferry_event *ev)
{
	if (db->progress)
		db->progress(ev, db->payload);
}

const char *ferry_db_engine(const ferry_db *db)
{
	return db->drv->name;
}

const char *ferry_db_server_version(const ferry_db *db)
{
	return db->server_version ? db->server_version : "";
}

const char *ferry_db_display_url(const ferry_db *db)
{
	return db->url.display;
}

/*
 * "user@host" of this process, for the ledger and the lock: asked for only
 * when ferry writes or locks (looking the user up reads nsswitch.conf and
 * the password database, a tenth of a no-op's time). getpwuid_r, not
 * getpwuid: two threads may open handles at once (see ferry.h), and
 * getpwuid's result lives in one static buffer of the C library.
 */
static char *lookup_actor(void)
{
	struct passwd pwd, *pw = NULL;
	char stack[1024], *heap = NULL, *buf = stack;
	size_t size = sizeof(stack);
	const char *user;
	char host[256] = "localhost";
	ferry__buf b = FERRY__BUF_INIT;
	int e;

	/* A long entry (many groups, a long GECOS) wants a bigger buffer. */
	while ((e = getpwuid_r(geteuid(), &pwd, buf, size, &pw)) == ERANGE &&
		size < 65536) {
		char *nb = ferry__realloc(heap, size * 4);

		if (!nb)
			break;
		heap = buf = nb;
		size *= 4;
	}
	if (e != 0)
		pw = NULL;
	user = pw ? pw->pw_name : getenv("USER");
	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	ferry__buf_printf(&b, "%s@%s", user ? user : "unknown", host);
	free(heap);
	return ferry__buf_detach(&b);
}

const char *ferry__actor(ferry_db *db)
{
	if (!db->actor)
		db->actor = lookup_actor();
	return db->actor ? db->actor : "unknown@localhost";
}

/* ferry_migrations -> ferry_<what>; app_migrations -> app_<what>; x ->
 * x_<what> */
static char *companion_name(const char *table, const char *what)
{
	static const char suffix[] = "_migrations";
	size_t n = strlen(table), m = sizeof(suffix) - 1;
	ferry__buf b = FERRY__BUF_INIT;

	if (n > m && strcmp(table + n - m, suffix) == 0)
		ferry__buf_put(&b, table, n - m);
	else
		ferry__buf_puts(&b, table);
	ferry__buf_puts(&b, "_");
	ferry__buf_puts(&b, what);
	return ferry__buf_detach(&b);
}

static char *history_name(const char *table)
{
	return companion_name(table, "history");
}

static char *qualified(const ferry_db *db, const char *name)
{
	ferry__buf b = FERRY__BUF_INIT;

	if (db->drv->schemas) {
		ferry__buf_quote_ident(&b, db->schema);
		ferry__buf_puts(&b, ".");
	}
	ferry__buf_quote_ident(&b, name);
	return ferry__buf_detach(&b);
}

static int check_name(const char *what, const char *name, ferry_error *err)
{
	if (*name && strlen(name) <= FERRY__NAME_MAX)
		return 0;
	ferry__error_set(
		err, FERRY_EINVALID, "invalid %s name '%s'", what, name);
	ferry__error_hint(
		err, "a %s name has 1 to %d characters", what, FERRY__NAME_MAX);
	return FERRY_EINVALID;
}

/*
 * The history table's name comes from the ledger's, so it too must fit
 * PostgreSQL's identifier limit, which would otherwise cut it silently and
 * make every later statement fail with words about a migration. One rule
 * for both engines: a ledger that works on SQLite moves to PostgreSQL.
 */
static int check_history_name(const char *table, ferry_error *err)
{
	char *history = history_name(table);
	size_t n;

	if (!history)
		return ferry__error_oom(err);
	n = strlen(history);
	if (n <= FERRY__NAME_MAX) {
		free(history);
		return 0;
	}
	ferry__error_set(err, FERRY_EINVALID,
		"invalid table name '%s': its history table '%s' would have "
		"%zu characters, more than %d",
		table, history, n, FERRY__NAME_MAX);
	ferry__error_hint(err,
		"use a table name of at most %d characters, or of at most %d "
		"ending in '_migrations'",
		FERRY__NAME_MAX - 8, FERRY__NAME_MAX);
	free(history);
	return FERRY_EINVALID;
}

/*
 * The actor the caller names goes into the ledger, the history and the
 * lock holder's text, which are read back as one line each: text without
 * control characters, of a length a terminal line and a column hold.
 */
static int check_actor(const char *actor, ferry_error *err)
{
	size_t n = strlen(actor), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)actor[i] < 0x20 || actor[i] == 0x7f)
			break;
	if (n > 0 && n <= FERRY_ACTOR_MAX && i == n)
		return 0;
	if (n == 0)
		ferry__error_set(err, FERRY_EINVALID, "invalid actor: empty");
	else if (i < n)
		ferry__error_set(err, FERRY_EINVALID,
			"invalid actor: it holds a control character at byte "
			"%zu",
			i + 1);
	else
		ferry__error_set(err, FERRY_EINVALID,
			"invalid actor: %zu bytes, more than %d", n,
			FERRY_ACTOR_MAX);
	ferry__error_hint(err,
		"name who acts in 1 to %d bytes of printable text, e.g. "
		"'deploy-bot' or 'alice@ci'",
		FERRY_ACTOR_MAX);
	return FERRY_EINVALID;
}

#ifdef FERRY_HAVE_PG
extern const ferry__driver ferry__pg_driver;
#endif

const ferry__driver *const ferry__drivers[] = {
	&ferry__sqlite_driver,
#ifdef FERRY_HAVE_PG
	&ferry__pg_driver,
#endif
	NULL,
};

static const ferry__driver *driver_for(const ferry__url *url)
{
	size_t i;

	for (i = 0; ferry__drivers[i]; i++)
		if (ferry__drivers[i]->engine == url->engine)
			return ferry__drivers[i];
	return NULL;
}

/*
 * ferry_db_open() with a URL; ferry_db_open_sqlite() and _pg() with
 * `borrowed`, the application's connection to `engine`, which the driver
 * takes as its own but never closes, and whose URL it makes up.
 */
static int db_open(ferry_db **out, const char *url, ferry__engine engine,
	void *borrowed, const ferry_db_options *opts, ferry_error *err)
{
	ferry_db_options defaults = FERRY_DB_OPTIONS_INIT;
	ferry_db *db;
	int rc;

	if (!out)
		return ferry__error_set(
			err, FERRY_EINVALID, "invalid argument: 'out'");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version < 1 || opts->version > FERRY_DB_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	if ((rc = check_name("table",
		     opts->table ? opts->table : "ferry_migrations", err)) <
			0 ||
		(rc = check_history_name(
			 opts->table ? opts->table : "ferry_migrations", err)) <
			0 ||
		(rc = check_name("schema",
			 opts->schema ? opts->schema : "public", err)) < 0)
		return rc;
	db = ferry__calloc(1, sizeof(*db));
	if (!db)
		return ferry__error_oom(err);
	db->exists = 1;
	db->write_lock_ms = -1;
	db->lock_timeout_ms =
		opts->lock_timeout_ms < 0 ? 0 : opts->lock_timeout_ms;
	db->read_only = opts->read_only;
	/* Older structs end before the budget: theirs is the default. */
	db->lock_wait_ms = FERRY_LOCK_WAIT_DEFAULT_MS;
	db->lock_retries = 5;
	if (opts->version >= 3) {
		db->lock_wait_ms =
			opts->lock_wait_ms < 0 ? 0 : opts->lock_wait_ms;
		db->lock_retries =
			opts->lock_retries < 0 ? 0 : opts->lock_retries;
		db->exclusive = opts->exclusive;
	}
	/* A version 1 or 2 caller's struct ends before `pooler`. */
	db->pooler = opts->version >= 3 ? opts->pooler : FERRY_POOLER_AUTO;
	if (db->pooler != FERRY_POOLER_AUTO &&
		db->pooler != FERRY_POOLER_NONE &&
		db->pooler != FERRY_POOLER_TRANSACTION) {
		rc = ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (pooler %d)",
			(int)db->pooler);
		goto fail;
	}
	db->progress = opts->progress;
	db->payload = opts->payload;
	/* A version 3 caller's struct ends before `actor`. */
	if (opts->version >= 4 && opts->actor &&
		((rc = check_actor(opts->actor, err)) < 0 ||
			(!(db->actor = ferry__strdup(opts->actor)) &&
				(rc = ferry__error_oom(err)) < 0)))
		goto fail;
	if (borrowed) {
		db->url.engine = engine;
		db->borrowed = borrowed;
	} else if ((rc = ferry__url_parse(&db->url, url, opts->base_dir, err)) <
		0) {
		goto fail;
	}
	db->drv = driver_for(&db->url);
	if (!db->drv) {
		rc = ferry__error_set(err, FERRY_EINVALID,
			"this ferry was built without PostgreSQL support");
		ferry__error_hint(err,
			"rebuild with libpq installed (apt-get install "
			"libpq-dev)");
		goto fail;
	}
	/* Refused at once where it cannot be known, not at the first change. */
	if (db->exclusive && !db->drv->sessions_sql &&
		(rc = ferry__sessions_refuse(db, err)) < 0)
		goto fail;
	db->table =
		ferry__strdup(opts->table ? opts->table : "ferry_migrations");
	db->schema = ferry__strdup(opts->schema ? opts->schema : "public");
	db->history_table = db->table ? history_name(db->table) : NULL;
	db->rep_table =
		db->table ? companion_name(db->table, "repeatable") : NULL;
	if (!db->table || !db->schema || !db->history_table || !db->rep_table) {
		rc = ferry__error_oom(err);
		goto fail;
	}
	db->qtable = qualified(db, db->table);
	db->qhistory = qualified(db, db->history_table);
	db->qrep = qualified(db, db->rep_table);
	if (!db->qtable || !db->qhistory || !db->qrep) {
		rc = ferry__error_oom(err);
		goto fail;
	}
	if ((rc = db->drv->open(db, err)) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	ferry_db_close(db);
	return rc;
}

int ferry_db_open(ferry_db **out, const char *url, const ferry_db_options *opts,
	ferry_error *err)
{
	return db_open(out, url, 0, NULL, opts, err);
}

int ferry_db_open_sqlite(ferry_db **out, struct sqlite3 *handle,
	const ferry_db_options *opts, ferry_error *err)
{
	if (!handle) {
		if (out)
			*out = NULL;
		return ferry__error_set(
			err, FERRY_EINVALID, "invalid argument: 'handle'");
	}
	return db_open(out, NULL, FERRY__ENGINE_SQLITE, handle, opts, err);
}

int ferry_db_open_pg(ferry_db **out, struct pg_conn *conn,
	const ferry_db_options *opts, ferry_error *err)
{
	if (!conn) {
		if (out)
			*out = NULL;
		return ferry__error_set(
			err, FERRY_EINVALID, "invalid argument: 'conn'");
	}
	return db_open(out, NULL, FERRY__ENGINE_PG, conn, opts, err);
}

void ferry__statement_done(
	ferry_db *db, int line, int64_t rows, int64_t elapsed_ms)
{
	ferry_event ev = { .type = FERRY_EVENT_STATEMENT };

	if (!db->stmt.m)
		return;
	ev.migration = db->stmt.m;
	ev.section = db->stmt.section;
	ev.statement = db->stmt.next++;
	ev.total = db->stmt.total;
	ev.line = line;
	ev.rows = rows;
	ev.elapsed_ms = elapsed_ms;
	ferry__emit(db, &ev);
}

void ferry_db_interrupt(ferry_db *db)
{
	if (!db)
		return;
	__atomic_store_n(&db->interrupted, 1, __ATOMIC_SEQ_CST);
	if (db->drv && db->drv->interrupt && db->conn)
		db->drv->interrupt(db);
}

void ferry_db_close(ferry_db *db)
{
	if (!db)
		return;
	if (db->drv && db->conn) {
		if (db->locked)
			db->drv->unlock(db);
		db->drv->close(db);
	}
	ferry__url_clear(&db->url);
	free(db->table);
	free(db->history_table);
	free(db->schema);
	free(db->qtable);
	free(db->qhistory);
	ferry__db_params_free(db);
	free(db->rep_table);
	free(db->qrep);
	free(db->server_version);
	free(db->actor);
	free(db);
}
