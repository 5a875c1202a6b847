/* SPDX-License-Identifier: MIT */
/*
 * db_pg.c - the PostgreSQL driver, over libpq.
 *
 * Inside a transaction, statements are not run one round trip at a time:
 * they are queued in libpq's pipeline mode, each as its own extended-
 * protocol query, and read back when the transaction commits (or when
 * ferry needs rows). A migration and its ledger rows thus cost one round
 * trip, and a failure still belongs to one statement, so the error names
 * its file, line and column. Outside a transaction (no-transaction
 * sections, the lock) every statement runs at once.
 *
 * The runner lock is a session-level advisory lock, taken by polling
 * pg_try_advisory_lock(): a waiter blocked in pg_advisory_lock() would keep
 * a transaction open, and the holder's CREATE INDEX CONCURRENTLY would wait
 * for it forever. Behind a transaction pooler, where a session's lock
 * means nothing, the lock is a row instead (db_pg_pooler.c).
 *
 * Passwords: libpq and the server never print one, but to be sure, the
 * password in use is scrubbed from every text this driver passes on.
 */
#include "ferry_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dlfcn.h>
#include <libpq-fe.h>
#include <poll.h>
#include <strings.h>

/*
 * libpq, loaded when a PostgreSQL URL is first opened rather than linked:
 * a SQLite run then never loads it and the twenty libraries it pulls in
 * (OpenSSL, Kerberos, LDAP, ...), which would cost more than a no-op up.
 * Each connection holds its own handle (the loader counts them), so the
 * library keeps no global state. The types come from libpq-fe.h itself.
 * Not linked, the dependency is declared where packagers look: ferry.pc's
 * libpq_soname (from LIBPQ_SONAME below) and the README's build section;
 * tests/cli/t0011 runs without it.
 */
/* clang-format off */
#define PQ_FUNCTIONS(X) \
	X(connectdbParams, PQconnectdbParams) \
	X(status, PQstatus) \
	X(errorMessage, PQerrorMessage) \
	X(finish, PQfinish) \
	X(conninfo, PQconninfo) \
	X(conninfoFree, PQconninfoFree) \
	X(serverVersion, PQserverVersion) \
	X(exec, PQexec) \
	X(execParams, PQexecParams) \
	X(resultStatus, PQresultStatus) \
	X(cmdTuples, PQcmdTuples) \
	X(cmdStatus, PQcmdStatus) \
	X(ntuples, PQntuples) \
	X(nfields, PQnfields) \
	X(getvalue, PQgetvalue) \
	X(getisnull, PQgetisnull) \
	X(clear, PQclear) \
	X(resultErrorField, PQresultErrorField) \
	X(setNoticeReceiver, PQsetNoticeReceiver) \
	X(enterPipelineMode, PQenterPipelineMode) \
	X(exitPipelineMode, PQexitPipelineMode) \
	X(pipelineSync, PQpipelineSync) \
	X(sendQueryParams, PQsendQueryParams) \
	X(getResult, PQgetResult) \
	X(transactionStatus, PQtransactionStatus) \
	X(getCancel, PQgetCancel) \
	X(cancel, PQcancel) \
	X(freeCancel, PQfreeCancel) \
	X(socket, PQsocket) \
	X(isBusy, PQisBusy) \
	X(consumeInput, PQconsumeInput) \
	X(backendPID, PQbackendPID) \
	X(putCopyData, PQputCopyData) \
	X(putCopyEnd, PQputCopyEnd) \
	X(pipelineStatus, PQpipelineStatus)
/* clang-format on */

typedef struct {
	void *handle;
#define X(field, name) __typeof__(&name) field; /* NOLINT */
	PQ_FUNCTIONS(X)
#undef X
} pq_api;

#define LIBPQ_SONAME "libpq.so.5"

/*
 * Advisory lock keys, as the text sent: ferry's own class, and one key for
 * the database (the server scopes advisory locks to a database). Not one
 * per ledger: two sets with their own --table or --schema still change one
 * schema, and must not migrate it at once.
 */
#define LOCK_CLASS "1717924466" /* 0x66657272, "ferr" */
#define LOCK_KEY "1"

/* Since PostgreSQL 14: have the server notice a vanished client (try_lock). */
#define CHECK_CLIENT_SQL \
	"set_config('client_connection_check_interval', '500', false)"

/* Flush a pipeline once this much SQL waits, to bound memory. */
#define PIPELINE_BYTES (1u << 20)

/* One query waiting in the pipeline, and how to place its error. */
typedef struct {
	char *sql;	/* the text sent, kept to map a position to a line */
	ferry__src src; /* where it starts in a migration file, or no file */
	char *file;	/* src.file, copied */
	int claim;	/* a ledger write that must change one row */
} pending;

typedef struct {
	pq_api pq;
	PGconn *pg;
	char *password; /* in use, to scrub from texts; or NULL */
	int pipeline;	/* in pipeline mode, inside a transaction */
	pending *queue;
	size_t nqueue;
	size_t aqueue;
	size_t queued_bytes;
	int have_lock;
	int server_num;	      /* PQserverVersion() */
	int users_session;    /* user SQL ran outside a pipeline since the last
			       * reset: it may have SET ROLE */
	int ferry_role_local; /* this transaction's rest runs as ferry */
	char app_name[128];   /* application_name as ferry sets it */
	PGcancel *cancel;     /* for ferry_db_interrupt(), made at connect */
	/*
	 * Under the lock budget, who blocks a statement that waits: asked
	 * through a second connection, opened at the first long wait.
	 */
	PGconn *observer;
	int observer_failed; /* it could not connect: ask no more */
	int backend_pid;     /* this connection's server process */
	char blocker[512];   /* who blocked the statement waited on, or "" */
	ferry__buf load;     /* COPY data not sent yet (pg_load_row) */
	int load_ncols;
	int64_t load_rows; /* rows handed to the COPY so far */
	/* ferry_db_open_pg(): the application's application_name at open,
	 * and whether a command changed the session's settings since */
	char *app_saved;
	char *session_saved; /* SQL that sets the session's settings back */
	int touched;
} pg_conn;

#define CONN(db) ((pg_conn *)(db)->conn)

/*
 * Texts from the server and from libpq
 */

/*
 * Replace every copy of the password in `s` with ****, then mask what the
 * URL holds secret. A password shorter than the mask is left alone:
 * masking "ed" in "failed" would garble the message and tell the password
 * anyway.
 */
static void scrub_text(ferry_db *db, char *s, size_t size)
{
	const pg_conn *c = CONN(db);
	size_t n = c && c->password ? strlen(c->password) : 0;
	char *p;

	while (n >= 4 && (p = strstr(s, c->password)) != NULL) {
		memcpy(p, "****", 4); /* NOLINT: a patch, not a string */
		memmove(p + 4, p + n, strlen(p + n) + 1);
	}
	ferry__url_scrub(db->url.conninfo, s, size);
}

/* libpq's multi-line message as one line, without "FATAL:" labels. */
static void libpq_text(char *out, size_t size, const char *msg)
{
	const char *p = msg ? msg : "";
	size_t o = 0;

	while (*p && o + 1 < size) {
		if (!strncmp(p, "FATAL:  ", 8) || !strncmp(p, "ERROR:  ", 8)) {
			p += 8;
			continue;
		}
		if (*p == '\n') {
			while (*p == '\n' || *p == ' ' || *p == '\t')
				p++;
			if (*p && o + 2 < size) {
				out[o++] = ';';
				out[o++] = ' ';
			}
			continue;
		}
		out[o++] = *p++;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ';'))
		o--;
	out[o] = '\0';
}

/* Byte offset of the 1-based character `pos` (UTF-8) in `s`. */
static size_t char_to_byte(const char *s, long pos)
{
	size_t i = 0;
	long c = 1;

	while (s[i] && c < pos) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		c++;
	}
	return i;
}

/*
 * What to do about a failure, by its SQLSTATE, where ferry knows better
 * than "fix the file": the failures whose cause is not the migration (a
 * lock, the server, its disk, a privilege on ferry's own ledger), and a
 * few of PostgreSQL's own rules. `own`: one of ferry's own statements
 * failed. NULL: the statement is to blame, and the server's hint stands.
 */
static const char *known_hint(const char *state, int own)
{
	if (!state)
		return NULL;
	if (!strcmp(state, "55P04"))
		return "a new enum value can be used only after its ALTER TYPE "
		       "commits: use it in a later migration";
	if (!strcmp(state, "25001"))
		return "mark the section 'no-transaction'";
	if (!strcmp(state, "42501") && own)
		return "the database user may not write ferry's ledger: grant "
		       "it SELECT, INSERT, UPDATE and DELETE on the ledger's "
		       "tables (or run as their owner), then run again";
	if (!strcmp(state, "42501"))
		return "the database user lacks a privilege this migration "
		       "needs: grant it, or run as a user that has it";
	if (!strcmp(state, "57014"))
		return "a statement timeout or a cancel stopped it: run again, "
		       "with a longer statement_timeout if it was the timeout";
	if (!strcmp(state, "55P03"))
		return "a lock it needs is held by another session: run again "
		       "when that session is done";
	if (!strncmp(state, "40", 2))
		return "it met another transaction (deadlock or "
		       "serialization): run again";
	if (!strcmp(state, "53100"))
		return "the server is out of disk space: free some, then run "
		       "again";
	if (!strncmp(state, "53", 2))
		return "the server is out of a resource (memory, connections): "
		       "run again when it has some";
	if (!strncmp(state, "08", 2) || !strncmp(state, "57", 2))
		return "the server went away or is restarting: check the "
		       "server, then run again";
	if (!strncmp(state, "58", 2) || !strncmp(state, "XX", 2))
		return "the server failed (an I/O or internal error): check "
		       "its log and disks, then run again";
	return NULL;
}

/* What a failure means for ferry: its code, from the SQLSTATE alone. */
static int state_code(const char *state)
{
	if (state && (!strcmp(state, "55P03") || !strcmp(state, "40P01")))
		return FERRY_ELOCKED;
	return FERRY_EDB;
}

/*
 * Fill `err` from a failed result: message, detail, hint, SQLSTATE and,
 * for user SQL, the file position of the error.
 */
static int result_error(ferry_db *db, const PGresult *res, const char *sql,
	const ferry__src *src, ferry_error *err)
{
	pg_conn *c = CONN(db);
	const char *primary =
		c->pq.resultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail =
		c->pq.resultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = c->pq.resultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *context = c->pq.resultErrorField(res, PG_DIAG_CONTEXT);
	const char *state = c->pq.resultErrorField(res, PG_DIAG_SQLSTATE);
	const char *pos =
		c->pq.resultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	const char *known = known_hint(state, !src || !src->file);
	char text[1024];
	int code = state_code(state);

	if (!err)
		return code;
	if (!primary) {
		libpq_text(text, sizeof(text), c->pq.errorMessage(c->pg));
		primary = text;
	}
	ferry__error_set(err, code, "%s", primary);
	/* Out of the lock budget: who it waited for is what matters. */
	if (state && !strcmp(state, "55P03") && c->blocker[0])
		detail = c->blocker;
	if (detail && context)
		ferry__error_detail(err, "%s (%s)", detail, context);
	else if (detail || context)
		ferry__error_detail(err, "%s", detail ? detail : context);
	/* Where ferry knows the next step in its own terms, say that. */
	if (known || hint)
		ferry__error_hint(err, "%s", known ? known : hint);
	if (state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	if (src && src->file && sql) {
		size_t at = pos ? char_to_byte(sql, strtol(pos, NULL, 10)) : 0;
		int line, col;

		ferry__text_pos(sql, at, &line, &col);
		ferry__error_at(err, src->file, src->line + line - 1,
			line == 1 ? src->column + col - 1 : col);
	}
	scrub_text(db, err->message, sizeof(err->message));
	scrub_text(db, err->detail, sizeof(err->detail));
	scrub_text(db, err->hint, sizeof(err->hint));
	return code;
}

static int conn_error(ferry_db *db, const char *what, ferry_error *err)
{
	pg_conn *c = CONN(db);
	char text[1024];

	libpq_text(text, sizeof(text), c->pq.errorMessage(c->pg));
	ferry__error_set(err, FERRY_EDB, "%s", what);
	ferry__error_detail(err, "%s", text);
	if (c->pq.status(c->pg) != CONNECTION_OK)
		ferry__error_hint(err, "%s", known_hint("08006", 0));
	if (err)
		scrub_text(db, err->detail, sizeof(err->detail));
	return FERRY_EDB;
}

static int lost_connection(ferry_db *db, ferry_error *err)
{
	return conn_error(db, "lost the connection to the server", err);
}

/*
 * Connecting
 */

static int connect_failed(ferry_db *db, ferry_error *err)
{
	pg_conn *c = CONN(db);
	const char *msg = c->pq.errorMessage(c->pg);
	char text[1024];

	libpq_text(text, sizeof(text), msg);
	ferry__error_set(err, FERRY_EDB, "cannot connect to database '%s'",
		db->url.display);
	ferry__error_detail(err, "%s", text);
	/* libpq quotes the URL it could not parse, password and all. */
	if (err)
		scrub_text(db, err->detail, sizeof(err->detail));
	if (strstr(msg, "password authentication failed") ||
		strstr(msg, "no password supplied"))
		ferry__error_hint(err,
			"check the user and password (in the URL, PGPASSWORD "
			"or ~/.pgpass)");
	else if (strstr(msg, "does not exist") && strstr(msg, "database"))
		ferry__error_hint(err,
			"create the database first (createdb), or check its "
			"name in the URL");
	else if (strstr(msg, "Connection refused") ||
		strstr(msg, "could not translate host name") ||
		strstr(msg, "timeout expired") || strstr(msg, "No such file"))
		ferry__error_hint(err,
			"check the host and port, and that the server is "
			"running");
	else if (strstr(msg, "role") && strstr(msg, "does not exist"))
		ferry__error_hint(err, "check the user name in the URL");
	return FERRY_EDB;
}

/*
 * A copy of the value libpq actually uses for `key` (from the URL, the
 * environment or its defaults), or of `none` if it has no value or an
 * empty one; NULL when out of memory.
 */
static char *conninfo_value(pg_conn *c, const char *key, const char *none)
{
	PQconninfoOption *opts = c->pq.conninfo(c->pg), *o;
	const char *v = none;
	char *copy;

	if (!opts)
		return NULL;
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, key) && o->val && *o->val)
			v = o->val;
	copy = v ? ferry__strdup(v) : NULL;
	c->pq.conninfoFree(opts);
	return copy;
}

/*
 * The library never prints: a server NOTICE becomes a progress event, and
 * a WARNING (a deprecated feature, a value out of range) a warning event,
 * which the user sees without asking.
 */
static void on_notice(void *arg, const PGresult *res)
{
	ferry_db *db = arg;
	pg_conn *c = CONN(db);
	const char *msg = c->pq.resultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *sev = c->pq.resultErrorField(res, PG_DIAG_SEVERITY);
	ferry_event ev = { .type = FERRY_EVENT_NOTICE };
	char text[512];

	if (sev && strcmp(sev, "WARNING") == 0) {
		ev.type = FERRY_EVENT_WARNING;
		sev = NULL; /* the event says it */
	}
	snprintf(text, sizeof(text), "%s%s%s", sev ? sev : "", sev ? ": " : "",
		msg ? msg : "");
	scrub_text(db, text, sizeof(text));
	ev.message = text;
	ferry__emit(db, &ev);
}

/*
 * dlopen libpq and find every function ferry calls. RTLD_NODELETE: the
 * last dlclose() must not unmap libpq and what it pulled in (Kerberos,
 * LDAP, ...), whose thread-local storage and exit handlers outlive it;
 * unmapped, they crash LeakSanitizer at exit (and could crash a program's
 * own exit).
 */
static int load_libpq(pq_api *pq, ferry_error *err)
{
	const char *soname = LIBPQ_SONAME;
	void *sym;

#ifdef FERRY_TESTING
	/*
	 * Test builds load another file when FERRY_TEST_LIBPQ names one, to
	 * run as on a machine without libpq (a name no file has) or with one
	 * too old (a library without PQ* functions). The messages still name
	 * LIBPQ_SONAME, what ferry needs; the detail names the file tried.
	 */
	const char *test_soname = getenv("FERRY_TEST_LIBPQ");

	if (test_soname && *test_soname)
		soname = test_soname;
#endif
	pq->handle = dlopen(soname, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
	if (!pq->handle) {
		ferry__error_set(err, FERRY_EINVALID,
			"cannot load the "
			"PostgreSQL client library " LIBPQ_SONAME);
		ferry__error_detail(err, "%s", dlerror());
		ferry__error_hint(err, "install it (apt-get install libpq5)");
		return FERRY_EINVALID;
	}
#define X(field, name) \
	if (!(sym = dlsym(pq->handle, #name))) \
		goto missing; \
	memcpy(&pq->field, &sym, sizeof(sym));
	PQ_FUNCTIONS(X)
#undef X
	return 0;
missing:
	ferry__error_set(err, FERRY_EINVALID,
		"the PostgreSQL client library " LIBPQ_SONAME " is too old");
	ferry__error_detail(err, "%s", dlerror());
	ferry__error_hint(err,
		"ferry needs libpq 14 or later for pipeline mode (apt-get "
		"install libpq5)");
	return FERRY_EINVALID;
}

/* PQlibVersion() of the libpq a connection would load, or 0. */
int ferry_libpq_version(void)
{
	pq_api pq;
	ferry_error err;
	int (*lib_version)(void);
	void *sym;
	int v = 0;

	if (load_libpq(&pq, &err) < 0)
		return 0;
	if ((sym = dlsym(pq.handle, "PQlibVersion"))) {
		memcpy(&lib_version, &sym, sizeof(sym));
		v = lib_version();
	}
	dlclose(pq.handle);
	return v;
}

/*
 * A connection as the URL says. Defaults first: what the URL says
 * overrides them, and `app_name` (if not NULL) overrides the URL's.
 */
static PGconn *connect_to(ferry_db *db, const char *app_name)
{
	const char *keys[] = { "connect_timeout", "fallback_application_name",
		"client_encoding", "dbname", "application_name", NULL };
	const char *vals[] = { "10", "ferry", "UTF8", db->url.conninfo,
		app_name, NULL };

	if (!app_name)
		keys[4] = NULL;
	return CONN(db)->pq.connectdbParams(keys, vals, 1);
}

/*
 * ferry_db_open_pg(): is the libpq just loaded the one the application
 * made its connection with? In a program linked with libpq.so.5, dlopen()
 * of that soname returns the library already loaded, and the symbol the
 * program's own calls resolve to is ours. A program that reached another
 * libpq (another soname, a static copy) would have its PGconn read by
 * code of another layout: refused before anything is called on it. So is
 * one whose libpq is not visible to the process (loaded RTLD_LOCAL by a
 * plugin, or a static copy not exported): which libpq made the connection
 * cannot be told then, and a guess would risk memory corruption.
 */
static int same_libpq(ferry_db *db, ferry_error *err)
{
	pg_conn *c = CONN(db);
	void *global = dlsym(RTLD_DEFAULT, "PQstatus"), *ours;

	memcpy(&ours, &c->pq.status, sizeof(ours));
	if (global && global == ours)
		return 0;
	ferry__error_set(err, FERRY_EINVALID,
		global ? "the application's libpq is not " LIBPQ_SONAME
			 ", which ferry uses"
		       : "cannot tell which libpq made the application's "
			 "connection: none is loaded for the whole process");
	ferry__error_hint(err,
		"link the program with the system's libpq (-lpq, " LIBPQ_SONAME
		"; a plugin: dlopen it RTLD_GLOBAL), or give ferry a URL "
		"rather than a connection");
	return FERRY_EINVALID;
}

/*
 * The settings `c->pg` really uses (from the URL, the environment and the
 * defaults: PQconninfo()), as a keyword string, less ferry's own
 * application_name and client_encoding, and with the passwords only when
 * `secrets` says so. NULL when out of memory.
 */
static char *settings_string(pg_conn *c, int secrets)
{
	static const char *const left_out[] = { "application_name",
		"fallback_application_name", "client_encoding", "replication" };
	PQconninfoOption *opts = c->pq.conninfo(c->pg), *o;
	ferry__buf b = FERRY__BUF_INIT;
	const char *p;
	size_t i;

	if (!opts)
		return NULL;
	for (o = opts; o->keyword; o++) {
		int skip = !o->val || !*o->val ||
			(!secrets &&
				(!strcmp(o->keyword, "password") ||
					!strcmp(o->keyword, "sslpassword")));

		for (i = 0; !skip && i < sizeof(left_out) / sizeof(*left_out);
			i++)
			skip = !strcmp(o->keyword, left_out[i]);
		if (skip)
			continue;
		ferry__buf_printf(&b, "%s%s='", b.len ? " " : "", o->keyword);
		for (p = o->val; *p; p++) {
			if (*p == '\\' || *p == '\'')
				ferry__buf_put(&b, "\\", 1);
			ferry__buf_put(&b, p, 1);
		}
		ferry__buf_puts(&b, "'");
	}
	c->pq.conninfoFree(opts);
	return ferry__buf_detach(&b);
}

/*
 * The settings of a borrowed connection, for ferry's own second
 * connections (connect_to()), which set the rest themselves.
 */
static char *borrowed_conninfo(pg_conn *c)
{
	return settings_string(c, 1);
}

/*
 * The application's connection: checked to be ours to use now (connected,
 * idle, the same libpq), its URL made up from its settings, and its
 * application_name kept to put back at close. Its notice receiver stays
 * the application's.
 */
static int pg_adopt(ferry_db *db, ferry_error *err)
{
	pg_conn *c = CONN(db);
	PGresult *res;
	char *shown;
	int rc;

	if ((rc = same_libpq(db, err)) < 0)
		return rc;
	c->pg = db->borrowed;
	if (c->pq.status(c->pg) != CONNECTION_OK ||
		c->pq.transactionStatus(c->pg) != PQTRANS_IDLE ||
		c->pq.pipelineStatus(c->pg) != PQ_PIPELINE_OFF) {
		ferry__error_set(err, FERRY_EINVALID,
			"the PostgreSQL connection is %s",
			c->pq.status(c->pg) != CONNECTION_OK
				? "not connected"
				: "busy (a transaction, a query or a pipeline)");
		ferry__error_hint(err,
			"hand ferry a connected, idle connection: no "
			"transaction open, not in pipeline mode");
		return FERRY_EINVALID;
	}
	c->password = conninfo_value(c, "password", NULL);
	/* Shown in messages: made without the passwords, then masked too. */
	shown = settings_string(c, 0);
	db->url.conninfo = borrowed_conninfo(c);
	db->url.display = shown ? ferry_url_mask(shown) : NULL;
	free(shown);
	if (!db->url.conninfo || !db->url.display)
		return ferry__error_oom(err);
	/*
	 * What to give back at close, in one round trip: application_name,
	 * and every setting the application made with SET (SET ROLE and SET
	 * SESSION AUTHORIZATION included, the latter first, which resets the
	 * role) as the statements that make it again, since ferry resets the
	 * session before each section (RESET ALL).
	 */
	res = c->pq.exec(c->pg,
		"SELECT current_setting('application_name'), "
		"coalesce((SELECT string_agg(format('SELECT "
		"pg_catalog.set_config(%L, %L, false);', name, setting), ' ' "
		"ORDER BY name <> 'session_authorization', name) FROM "
		"pg_catalog.pg_settings WHERE source = 'session' AND context "
		"IN ('user', 'superuser') AND name <> 'application_name'), '')");
	if (c->pq.resultStatus(res) == PGRES_TUPLES_OK &&
		c->pq.ntuples(res) == 1) {
		c->app_saved = ferry__strdup(c->pq.getvalue(res, 0, 0));
		c->session_saved = ferry__strdup(c->pq.getvalue(res, 0, 1));
	} else
		rc = result_error(db, res, NULL, NULL, err);
	c->pq.clear(res);
	if (rc < 0)
		return rc;
	return c->app_saved && c->session_saved ? 0 : ferry__error_oom(err);
}

/* What ferry_db_close() puts back on the application's connection. */
static void pg_give_back(pg_conn *c)
{
	const char *vals[1] = { c->app_saved };

	if (!c->touched || !c->app_saved ||
		c->pq.status(c->pg) != CONNECTION_OK)
		return;
	if (c->pq.transactionStatus(c->pg) != PQTRANS_IDLE)
		c->pq.clear(c->pq.exec(c->pg, "ROLLBACK"));
	c->pq.clear(c->pq.execParams(c->pg,
		"SELECT set_config('application_name', $1, false)", 1, NULL,
		vals, NULL, NULL, 0));
	c->pq.clear(c->pq.exec(c->pg, "RESET lock_timeout"));
	if (c->server_num >= 140000)
		c->pq.clear(c->pq.exec(
			c->pg, "RESET client_connection_check_interval"));
	if (c->session_saved && *c->session_saved)
		c->pq.clear(c->pq.exec(c->pg, c->session_saved));
}

static int pg_open(ferry_db *db, ferry_error *err)
{
	pg_conn *c;
	char vbuf[32];
	int v, rc;

	c = ferry__calloc(1, sizeof(*c));
	if (!c)
		return ferry__error_oom(err);
	db->conn = c;
	if ((rc = load_libpq(&c->pq, err)) < 0)
		return rc;
	if (db->borrowed) {
		if ((rc = pg_adopt(db, err)) < 0)
			return rc;
	} else {
		c->pg = connect_to(db, NULL);
		if (!c->pg)
			return ferry__error_oom(err);
		c->password = conninfo_value(c, "password", NULL);
		if (c->pq.status(c->pg) != CONNECTION_OK)
			return connect_failed(db, err);
		c->pq.setNoticeReceiver(c->pg, on_notice, db);
	}
	if (!(c->cancel = c->pq.getCancel(c->pg)))
		return ferry__error_oom(err);
	c->backend_pid = c->pq.backendPID(c->pg);
	/* Said, so known now; a pooler found is known once the lock is. */
	db->pooled = db->pooler == FERRY_POOLER_TRANSACTION;
	v = c->server_num = c->pq.serverVersion(c->pg);
	snprintf(c->app_name, sizeof(c->app_name), "ferry");
	snprintf(vbuf, sizeof(vbuf), "%d.%d", v / 10000, v % 10000);
	db->server_version = ferry__strdup(vbuf);
	if (!db->server_version)
		return ferry__error_oom(err);
	if (v < 120000) {
		ferry__error_set(err, FERRY_EINVALID,
			"PostgreSQL %s is not supported", vbuf);
		ferry__error_hint(err, "ferry needs PostgreSQL 12 or later");
		return FERRY_EINVALID;
	}
	/* Asking whether it is a standby waits for the runner lock: a run
	 * with nothing to do asks the server nothing but the ledger. */
	return 0;
}

static void queue_clear(pg_conn *c)
{
	size_t i;

	for (i = 0; i < c->nqueue; i++) {
		free(c->queue[i].sql);
		free(c->queue[i].file);
	}
	c->nqueue = 0;
	c->queued_bytes = 0;
}

static void leave_pipeline(ferry_db *db);

static void pg_close(ferry_db *db)
{
	pg_conn *c = CONN(db);

	if (!c)
		return;
	queue_clear(c);
	free(c->queue);
	if (c->cancel)
		c->pq.freeCancel(c->cancel);
	if (c->observer)
		c->pq.finish(c->observer);
	if (c->pg && db->borrowed) {
		if (c->pipeline)
			leave_pipeline(db);
		pg_give_back(c);
	} else if (c->pg) {
		c->pq.finish(c->pg);
	}
	free(c->app_saved);
	free(c->session_saved);
	if (c->pq.handle)
		dlclose(c->pq.handle);
	free(c->password);
	ferry__buf_release(&c->load);
	free(c);
	db->conn = NULL;
}

/*
 * The pipeline
 */

static int enqueue(pg_conn *c, char *sql, const ferry__src *src, int claim)
{
	pending *p;

	if (FERRY__GROW(c->queue, c->aqueue, c->nqueue + 1, 64) < 0)
		return FERRY_ENOMEM;
	p = &c->queue[c->nqueue];
	*p = (pending){ .sql = sql, .claim = claim };
	if (src && src->file) {
		p->src = *src;
		p->file = ferry__strdup(src->file);
		if (!p->file)
			return FERRY_ENOMEM;
		p->src.file = p->file;
	}
	c->nqueue++;
	c->queued_bytes += strlen(sql);
	return 0;
}

/*
 * A claim the server refused: another runner's row has its key (23505), or
 * the queued claim changed no row and raised the cast error pg_claim()
 * provokes (22P02). Anything else is an error of its own.
 */
static int claim_failed(
	const PGresult *res, const pg_conn *c, int rc, ferry_error *err)
{
	const char *state = c->pq.resultErrorField(res, PG_DIAG_SQLSTATE);

	if (!state ||
		(strcmp(state, "23505") != 0 && strcmp(state, "22P02") != 0))
		return rc;
	return ferry__error_set(err, FERRY__ECLAIMED,
		"another runner changed the ledger first");
}

/*
 * The rows a user's statement inserted, updated or deleted: "UPDATE 12"
 * says 12. A SELECT's count is of rows returned, not changed.
 */
static int64_t rows_changed(const pq_api *pq, const PGresult *res)
{
	static const char *const writes[] = { "INSERT ", "UPDATE ", "DELETE ",
		"MERGE " };
	const char *tag = pq->cmdStatus((PGresult *)res), *n;
	size_t i;

	for (i = 0; tag && i < sizeof(writes) / sizeof(*writes); i++)
		if (strncmp(tag, writes[i], strlen(writes[i])) == 0) {
			n = pq->cmdTuples((PGresult *)res);
			return n && *n ? strtoll(n, NULL, 10) : 0;
		}
	return 0;
}

/*
 * Who blocks a waiting statement
 */

/*
 * Only while a statement waits does the server say what it waits for
 * (pg_blocking_pids()), and it cannot say so on the connection that
 * waits: a second connection asks, the observer, opened at the first
 * statement that waits long enough to be under suspicion, and kept.
 * Asked at OBSERVE_FIRST_MS (or a quarter of the budget, if less: the
 * first time, connecting takes some of it), then every half budget, so
 * that a wait that uses it up is seen at least once.
 */
#define OBSERVE_FIRST_MS 50

#define BLOCKER_SQL \
	"SELECT a.pid, COALESCE(NULLIF(a.application_name, ''), '?'), " \
	"COALESCE(a.usename::text, '?'), CASE WHEN a.client_port = -1 THEN " \
	"'local' ELSE COALESCE(host(a.client_addr), '?') END, " \
	"COALESCE(a.state, '?'), COALESCE(to_char(extract(epoch " \
	"FROM clock_timestamp() - a.xact_start), 'FM999999990.0'), '?'), " \
	"(SELECT string_agg(DISTINCT l.relation::regclass::text, ', ') " \
	"FROM pg_locks l WHERE l.pid = $1::int AND NOT l.granted AND " \
	"l.relation IS NOT NULL), count(*) OVER () FROM pg_stat_activity a " \
	"WHERE a.pid = ANY (pg_blocking_pids($1::int)) ORDER BY a.xact_start " \
	"NULLS LAST LIMIT 1"

/* "pid 12 (application 'app', user u, from local, idle in transaction,
 * its transaction open 5.6 s) holds a lock on routes". */
static void blocker_text(pg_conn *c, const PGresult *res)
{
	const char *on, *more;
	int others;

	if (c->pq.ntuples(res) != 1 || c->pq.nfields(res) != 8)
		return;
	on = c->pq.getvalue(res, 0, 6);
	more = c->pq.getvalue(res, 0, 7);
	others = (int)strtol(more, NULL, 10) - 1;
	snprintf(c->blocker, sizeof(c->blocker),
		"blocked by pid %s (application '%s', user %s, from %s, %s, "
		"its transaction open %s s)%s%s%s",
		c->pq.getvalue(res, 0, 0), c->pq.getvalue(res, 0, 1),
		c->pq.getvalue(res, 0, 2), c->pq.getvalue(res, 0, 3),
		c->pq.getvalue(res, 0, 4), c->pq.getvalue(res, 0, 5),
		*on ? ", waiting for a lock on " : "", on,
		others > 0 ? " and by other sessions" : "");
}

static void observe_blockers(ferry_db *db)
{
	pg_conn *c = CONN(db);
	char pid[16];
	const char *vals[1] = { pid };
	PGresult *res;

	/* Behind a transaction pooler the pid ferry knows is the pooler's,
	 * and an observer would take one of the pool's few connections,
	 * maybe waiting for the one this statement holds; it would also
	 * leave its name on a server connection the pooler keeps. */
	if (db->pooled)
		return;
	if (!c->observer && !c->observer_failed) {
		c->observer = connect_to(db, "ferry: lock observer");
		if (!c->observer ||
			c->pq.status(c->observer) != CONNECTION_OK) {
			if (c->observer)
				c->pq.finish(c->observer);
			c->observer = NULL;
			c->observer_failed = 1;
		}
	}
	if (!c->observer)
		return;
	snprintf(pid, sizeof(pid), "%d", c->backend_pid);
	res = c->pq.execParams(
		c->observer, BLOCKER_SQL, 1, NULL, vals, NULL, NULL, 0);
	if (c->pq.resultStatus(res) == PGRES_TUPLES_OK)
		blocker_text(c, res);
	c->pq.clear(res);
}

/*
 * PQgetResult(), but under the lock budget, while the result is slow to
 * come, have the observer look at what the statement waits for.
 */
static PGresult *next_result(ferry_db *db)
{
	pg_conn *c = CONN(db);
	int half = db->lock_wait_ms / 2, quarter = db->lock_wait_ms / 4;
	int64_t ask = ferry__now_ms() +
		(quarter < OBSERVE_FIRST_MS ? quarter : OBSERVE_FIRST_MS);

	while (db->lock_wait_ms > 0 && c->pq.isBusy(c->pg)) {
		struct pollfd p = { c->pq.socket(c->pg), POLLIN, 0 };
		int64_t now = ferry__now_ms();

		if (now >= ask) {
			observe_blockers(db);
			ask = ferry__now_ms() + (half > 0 ? half : 1);
			continue;
		}
		if (poll(&p, 1, (int)(ask - now)) < 0 && errno != EINTR)
			break;
		if (c->pq.consumeInput(c->pg) != 1)
			break;
	}
	return c->pq.getResult(c->pg);
}

/* PQexecParams(), waiting through next_result(): the last result. */
static PGresult *exec_params(
	ferry_db *db, const char *sql, int n, const char *const *vals)
{
	pg_conn *c = CONN(db);
	PGresult *last = NULL, *res;

	if (!c->pq.sendQueryParams(c->pg, sql, n, NULL, vals, NULL, NULL, 0))
		return NULL;
	while ((res = next_result(db)) != NULL) {
		ExecStatusType st = c->pq.resultStatus(res);

		/* An error stays the answer, as PQexecParams() keeps it. */
		if (last && c->pq.resultStatus(last) == PGRES_FATAL_ERROR) {
			c->pq.clear(res);
			continue;
		}
		if (last)
			c->pq.clear(last);
		last = res;
		/* A COPY gives the same result until it ends: as PQexec. */
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT ||
			st == PGRES_COPY_BOTH)
			break;
	}
	return last;
}

/*
 * Sync the pipeline and read every result, oldest first. The first
 * failure fills `err`; the queries after it were skipped by the server.
 */
static int drain(ferry_db *db, ferry_error *err)
{
	const pending *p;
	pg_conn *c = CONN(db);
	size_t i = 0;
	int rc = 0, synced = 0;

	c->blocker[0] = '\0';
	if (c->pq.pipelineSync(c->pg) != 1) {
		queue_clear(c);
		return lost_connection(db, err);
	}
	while (!synced) {
		PGresult *res = next_result(db);
		ExecStatusType st;

		if (!res) {
			if (c->pq.status(c->pg) != CONNECTION_OK) {
				if (rc == 0)
					rc = lost_connection(db, err);
				break;
			}
			continue; /* end of one query's results */
		}
		st = c->pq.resultStatus(res);
		p = i < c->nqueue ? &c->queue[i] : NULL;
		/* A user's statement has a file; ferry's own have none. */
		if (p && p->file)
			db->changes = rows_changed(&c->pq, res);
		if (p && p->file && st != PGRES_FATAL_ERROR && rc == 0)
			ferry__statement_done(db, p->src.line, db->changes, -1);
		if (st == PGRES_FATAL_ERROR && rc == 0) {
			rc = result_error(db, res, p ? p->sql : NULL,
				p && p->file ? &p->src : NULL, err);
			if (p && p->claim)
				rc = claim_failed(res, c, rc, err);
		}
		synced = st == PGRES_PIPELINE_SYNC;
		if (!synced)
			i++;
		c->pq.clear(res);
	}
	queue_clear(c);
	return rc;
}

static int send_query(ferry_db *db, char *sql, const ferry__src *src,
	const char *const *vals, int n, int claim, ferry_error *err)
{
	pg_conn *c = CONN(db);

	if (!c->pq.sendQueryParams(c->pg, sql, n, NULL, vals, NULL, NULL, 0)) {
		free(sql);
		return conn_error(db, "cannot send a query", err);
	}
	if (enqueue(c, sql, src, claim) < 0) {
		free(sql);
		return ferry__error_oom(err);
	}
	if (c->queued_bytes > PIPELINE_BYTES)
		return drain(db, err);
	return 0;
}

/*
 * Running SQL
 */

/* Hand each row of `res` to `fn` (if any), until it says stop. */
static int rows_of(
	pg_conn *c, const PGresult *res, ferry__row_fn fn, void *payload)
{
	int rows = c->pq.ntuples(res), cols = c->pq.nfields(res), r, k;
	const char *v[32];

	if (cols > 32)
		cols = 32;
	for (r = 0; fn && r < rows; r++) {
		for (k = 0; k < cols; k++)
			v[k] = c->pq.getisnull(res, r, k)
				? NULL
				: c->pq.getvalue(res, r, k);
		if (fn(payload, cols, v) != 0)
			break;
	}
	return 0;
}

/* Run one statement now, outside a pipeline. */
static int exec_now(ferry_db *db, const char *sql, const ferry__src *src,
	const char *const *vals, int n, ferry__row_fn fn, void *payload,
	ferry_error *err)
{
	pg_conn *c = CONN(db);
	int64_t t0 = ferry__now_ms();
	PGresult *res;
	ExecStatusType st;
	int rc = 0;

	c->blocker[0] = '\0';
	res = exec_params(db, sql, n, vals);
	st = c->pq.resultStatus(res);

	if (src && src->file)
		db->changes = rows_changed(&c->pq, res);
	if (st == PGRES_TUPLES_OK)
		rc = rows_of(c, res, fn, payload);
	else if (st != PGRES_COMMAND_OK && st != PGRES_EMPTY_QUERY)
		rc = res ? result_error(db, res, sql, src, err)
			 : lost_connection(db, err);
	if (rc == 0 && src && src->file)
		ferry__statement_done(
			db, src->line, db->changes, ferry__now_ms() - t0);
	c->pq.clear(res);
	return rc;
}

typedef struct {
	ferry_db *db;
	const char *sql;
	const ferry__src *src;
	ferry_error *err;
	ferry__text_cursor pos; /* where the last statement started */
} run_ctx;

/*
 * A CONCURRENTLY statement (CREATE INDEX, REINDEX, DROP INDEX, DETACH
 * PARTITION) blocks no reader or writer, but waits for every older
 * transaction to end; cut short by the lock budget, it leaves an invalid
 * index behind that a retry trips over. So it runs without the budget.
 */
static int concurrently(const char *sql, size_t len)
{
	ferry__tok tok[64];
	int n = ferry__stmt_tokens(sql, len, FERRY__DIALECT_PG, tok, 64), i;

	for (i = 0; i < n; i++)
		if (tok[i].type == FERRY__TOK_WORD && tok[i].len == 12 &&
			!strncasecmp(tok[i].s, "concurrently", 12))
			return 1;
	return 0;
}

/*
 * Outside a transaction, a statement to run without the lock budget:
 * lift it for the session, keeping in `saved` what to put back after.
 */
static void budget_off(pg_conn *c, char saved[64])
{
	PGresult *res = c->pq.exec(c->pg,
		"SELECT current_setting('lock_timeout'), "
		"set_config('lock_timeout', '0', false)");

	saved[0] = '\0';
	if (c->pq.resultStatus(res) == PGRES_TUPLES_OK &&
		c->pq.ntuples(res) == 1)
		snprintf(saved, 64, "%s", c->pq.getvalue(res, 0, 0));
	c->pq.clear(res);
}

static void budget_back(pg_conn *c, const char *saved)
{
	const char *vals[1] = { saved };

	if (saved[0])
		c->pq.clear(c->pq.execParams(c->pg,
			"SELECT set_config('lock_timeout', $1, false)", 1, NULL,
			vals, NULL, NULL, 0));
}

/* Run user statement `sql` now, outside the lock budget. */
static int exec_unbudgeted(
	ferry_db *db, const char *sql, const ferry__src *src, ferry_error *err)
{
	char saved[64];
	int rc;

	budget_off(CONN(db), saved);
	rc = exec_now(db, sql, src, NULL, 0, NULL, NULL, err);
	budget_back(CONN(db), saved);
	return rc;
}

/* One statement: queued in a transaction's pipeline, else run now. */
static int run_stmt(void *payload, size_t offset, size_t len)
{
	run_ctx *r = payload;
	ferry_db *db = r->db;
	char *copy = ferry__strndup(r->sql + offset, len);
	ferry__src at = { NULL, 0, 0 };
	int rc;

	if (!copy)
		return ferry__error_oom(r->err);
	if (r->src && r->src->file) {
		int line, col;

		ferry__text_advance(&r->pos, offset, &line, &col);
		at.file = r->src->file;
		at.line = r->src->line + line - 1;
		at.column = line == 1 ? r->src->column + col - 1 : col;
	}
	if (CONN(db)->pipeline)
		return send_query(db, copy, &at, NULL, 0, 0, r->err);
	CONN(db)->users_session = 1;
	if (db->lock_wait_ms > 0 && concurrently(copy, len))
		rc = exec_unbudgeted(db, copy, &at, r->err);
	else
		rc = exec_now(db, copy, &at, NULL, 0, NULL, NULL, r->err);
	free(copy);
	return rc;
}

/*
 * Each statement is its own query, sent as the splitter finds it, so a
 * 50 MB section costs no list of its statements.
 */
static int pg_run(ferry_db *db, const char *sql, size_t len,
	const ferry__src *src, ferry_error *err)
{
	ferry__split_error serr = { 0, NULL, NULL };
	run_ctx r = { db, sql, src, err, FERRY__TEXT_CURSOR_INIT(sql) };
	int rc;

	rc = ferry__split_each(
		sql, len, FERRY__DIALECT_PG, run_stmt, &r, &serr);
	if (rc == FERRY_EINVALID && serr.what)
		return ferry__error_set(err, FERRY_EINVALID, "%s", serr.what);
	return rc;
}

/*
 * ferry's own statement between those of a no-transaction section, which
 * may have SET ROLE for the statements after it: run it as ferry, then put
 * the section's role back. `saved` is the role to put back, or "".
 */
static int as_ferry(pg_conn *c, char saved[128])
{
	PGresult *res;
	int ok;

	saved[0] = '\0';
	if (c->pipeline || !c->users_session)
		return 0;
	res = c->pq.exec(c->pg,
		"SELECT current_setting('role'), set_config('role', 'none', "
		"false)");
	ok = c->pq.resultStatus(res) == PGRES_TUPLES_OK &&
		c->pq.ntuples(res) == 1;
	if (ok && strcmp(c->pq.getvalue(res, 0, 0), "none") != 0)
		snprintf(saved, 128, "%s", c->pq.getvalue(res, 0, 0));
	c->pq.clear(res);
	return ok ? 0 : -1;
}

static void as_section(pg_conn *c, const char *saved)
{
	const char *vals[1] = { saved };

	if (saved[0])
		c->pq.clear(c->pq.execParams(c->pg,
			"SELECT set_config('role', $1, false)", 1, NULL, vals,
			NULL, NULL, 0));
}

/*
 * The section's clock. A transaction's statements are pipelined and run at
 * its end, so the client cannot time a section: the server marks where it
 * starts in a transaction-local setting, and a FERRY__VAL_SECTION_MS
 * parameter is the server's clock since that mark, when the statement that
 * has it runs.
 */
#define SECTION_START_SQL \
	"SELECT set_config('ferry.section_start', clock_timestamp()::text, " \
	"true)"
#define SECTION_MS_SQL \
	"(extract(epoch FROM clock_timestamp() - " \
	"current_setting('ferry.section_start')::timestamptz) * 1000)::bigint"

/*
 * Ready ferry's own statement `*sql` and its parameters to send. Where a
 * parameter $n is FERRY__VAL_SECTION_MS, `*sql` is rewritten into `timed`
 * to read it from the server's clock (ferry's SQL has no quoted '$'); $n
 * stays in the text, NULL: PostgreSQL refuses a parameter a statement does
 * not use. Each parameter goes as text into `vals`, integers printed into
 * `ibuf`. The caller releases `timed`, failed or not.
 */
static int prepare(const char **sql, ferry__buf *timed, const ferry__val *p,
	int n, const char **vals, char ibuf[][24], ferry_error *err)
{
	const char *s = *sql;
	int i, clock = 0;

	for (i = 0; i < n; i++)
		clock |= p[i].type == FERRY__VAL_SECTION_MS;
	while (clock && *s) {
		char *end;
		long k;

		if (*s != '$' || s[1] < '0' || s[1] > '9') {
			ferry__buf_put(timed, s++, 1);
			continue;
		}
		k = strtol(s + 1, &end, 10);
		if (k >= 1 && k <= n && p[k - 1].type == FERRY__VAL_SECTION_MS)
			ferry__buf_printf(timed,
				"COALESCE(CAST($%ld AS bigint), " SECTION_MS_SQL
				")",
				k);
		else
			ferry__buf_put(timed, s, (size_t)(end - s));
		s = end;
	}
	if (timed->oom)
		return ferry__error_oom(err);
	if (clock)
		*sql = timed->buf;
	if (n > 32)
		return ferry__error_set(
			err, FERRY_ERROR, "too many parameters");
	for (i = 0; i < n; i++) {
		if (p[i].type == FERRY__VAL_INT) {
			snprintf(ibuf[i], 24, "%lld", (long long)p[i].i);
			vals[i] = ibuf[i];
		} else {
			vals[i] = p[i].type == FERRY__VAL_TEXT ? p[i].s : NULL;
		}
	}
	return 0;
}

/*
 * In a transaction's pipeline, after user SQL that ran outside one and may
 * have SET ROLE (a no-transaction section's statements, then a repeated
 * statement's batch): ferry's own statements run as ferry, for the rest of
 * the transaction only, so that the user's role is back after its COMMIT,
 * for the next batch.
 */
static int pipeline_as_ferry(ferry_db *db, ferry_error *err)
{
	pg_conn *c = CONN(db);

	if (!c->users_session || c->ferry_role_local)
		return 0;
	c->ferry_role_local = 1;
	return send_query(db,
		ferry__strdup("SELECT set_config('role', 'none', true)"), NULL,
		NULL, 0, 0, err);
}

static int pg_query(ferry_db *db, const char *sql, const ferry__val *params,
	int nparams, ferry__row_fn fn, void *payload, ferry_error *err)
{
	pg_conn *c = CONN(db);
	ferry__buf timed = FERRY__BUF_INIT;
	const char *vals[32];
	char ibuf[32][24], role[128], *copy;
	int rc;

	if ((rc = prepare(&sql, &timed, params, nparams, vals, ibuf, err)) < 0)
		goto out;
	if (c->pipeline && !fn) {
		if ((rc = pipeline_as_ferry(db, err)) < 0)
			goto out;
		copy = ferry__strdup(sql);
		rc = copy ? send_query(db, copy, NULL, vals, nparams, 0, err)
			  : ferry__error_oom(err);
	} else if (c->pipeline) {
		/* Rows are needed now: read what waits, then ask. */
		if ((rc = drain(db, err)) < 0)
			goto out;
		c->pq.exitPipelineMode(c->pg);
		rc = exec_now(db, sql, NULL, vals, nparams, fn, payload, err);
		c->pq.enterPipelineMode(c->pg);
	} else if (as_ferry(c, role) < 0) {
		rc = conn_error(db, "cannot reset the role", err);
	} else {
		rc = exec_now(db, sql, NULL, vals, nparams, fn, payload, err);
		as_section(c, role);
	}
out:
	ferry__buf_release(&timed);
	return rc;
}

/* The lock budget for the rest of the transaction: $1. */
#define BUDGET_LOCAL_SQL "SELECT set_config('lock_timeout', $1, true)"

/*
 * One of ferry's ledger writes that must change exactly one row. Queued in
 * a transaction's pipeline, its row count is known only at the sync, when
 * what followed it has run too: so the statement itself fails on the
 * server when it changes no row (a cast of text to integer that only the
 * wrong count reaches), and the transaction fails with it.
 */
static int pg_claim(ferry_db *db, const char *sql, const ferry__val *params,
	int nparams, ferry_error *err)
{
	pg_conn *c = CONN(db);
	ferry__buf timed = FERRY__BUF_INIT, b = FERRY__BUF_INIT;
	char ibuf[32][24], role[128], *wrapped, saved[64], budget[24];
	const char *vals[32], *zero = "0", *budget_p = budget;
	PGresult *res;
	int rc;

	snprintf(budget, sizeof(budget), "%dms", db->lock_wait_ms);

	if ((rc = prepare(&sql, &timed, params, nparams, vals, ibuf, err)) < 0)
		goto out;
	/*
	 * A claim waits only for another ferry's claim of the same row,
	 * never in the application's way: it waits without the budget, to
	 * find the row taken (FERRY__ECLAIMED) rather than time out.
	 */
	if (c->pipeline) {
		if ((rc = pipeline_as_ferry(db, err)) < 0 ||
			(db->lock_wait_ms > 0 &&
				(rc = send_query(db,
					 ferry__strdup(BUDGET_LOCAL_SQL), NULL,
					 &zero, 1, 0, err)) < 0))
			goto out;
		ferry__buf_printf(&b,
			"WITH ferry_claim AS (%s RETURNING 1) SELECT CASE "
			"count(*) WHEN 1 THEN 1 ELSE CAST('ferry: rows changed: "
			"' || count(*) AS integer) END FROM ferry_claim",
			sql);
		wrapped = ferry__buf_detach(&b); /* NULL if out of memory */
		rc = wrapped
			? send_query(db, wrapped, NULL, vals, nparams, 1, err)
			: ferry__error_oom(err);
		if (rc == 0 && db->lock_wait_ms > 0)
			rc = send_query(db, ferry__strdup(BUDGET_LOCAL_SQL),
				NULL, &budget_p, 1, 0, err);
		goto out;
	}
	if (as_ferry(c, role) < 0) {
		rc = conn_error(db, "cannot reset the role", err);
		goto out;
	}
	if (db->lock_wait_ms > 0)
		budget_off(c, saved);
	res = c->pq.execParams(c->pg, sql, nparams, NULL, vals, NULL, NULL, 0);
	if (db->lock_wait_ms > 0)
		budget_back(c, saved);
	as_section(c, role);
	if (c->pq.resultStatus(res) == PGRES_COMMAND_OK) {
		if (strcmp(c->pq.cmdTuples(res), "1") != 0)
			rc = ferry__error_set(err, FERRY__ECLAIMED,
				"another runner changed the ledger first");
	} else if (res) {
		rc = claim_failed(
			res, c, result_error(db, res, sql, NULL, err), err);
	} else {
		rc = lost_connection(db, err);
	}
	c->pq.clear(res);
out:
	ferry__buf_release(&timed);
	return rc;
}

/* libpq says PQcancel is safe in a signal handler: it only sends. */
static void pg_interrupt(ferry_db *db)
{
	pg_conn *c = CONN(db);
	char buf[256];

	if (c && c->cancel)
		(void)c->pq.cancel(c->cancel, buf, (int)sizeof(buf));
}

static int pg_section_start(ferry_db *db, ferry_error *err)
{
	return pg_query(db, SECTION_START_SQL, NULL, 0, NULL, NULL, err);
}

/*
 * Before each section, the session is put back as it was when ferry
 * connected: a plain SET search_path (or statement_timeout, or SET ROLE)
 * of one migration must not change where, or as whom, the next migration
 * runs, or the schema would depend on how migrations were batched into
 * runs. RESET ALL leaves out the role and the session user, and takes
 * ferry's own settings along, which are set again. After a section
 * (`whole` 0), only the role and the session user go back, so that ferry
 * writes its ledger as itself; the section's clock (SECTION_START_SQL)
 * has to stay.
 */
static int pg_reset_session(ferry_db *db, int whole, ferry_error *err)
{
	static const char *const reset[] = { "RESET SESSION AUTHORIZATION",
		"RESET ROLE", "RESET ALL" };
	pg_conn *c = CONN(db);
	char budget[24];
	ferry__val p[2] = { { FERRY__VAL_TEXT, 0, c->app_name },
		{ FERRY__VAL_TEXT, 0, budget } };
	char sql[256];
	size_t i;
	int rc;

	c->users_session = 0;
	c->touched = 1;
	for (i = 0; i < (whole ? 3u : 2u); i++)
		if ((rc = pg_query(db, reset[i], NULL, 0, NULL, NULL, err)) < 0)
			return rc;
	if (!whole)
		return 0;
	/* The lock budget, for the session: a no-transaction section's
	 * statements each have it too. */
	snprintf(budget, sizeof(budget), "%dms", db->lock_wait_ms);
	snprintf(sql, sizeof(sql),
		"SELECT set_config('application_name', $1, false)%s%s",
		db->lock_wait_ms > 0 ? ", set_config('lock_timeout', $2, false)"
				     : "",
		c->server_num >= 140000 ? ", " CHECK_CLIENT_SQL : "");
	return pg_query(
		db, sql, p, db->lock_wait_ms > 0 ? 2 : 1, NULL, NULL, err);
}

static int pg_begin(ferry_db *db, ferry_error *err)
{
	pg_conn *c = CONN(db);

	if (c->pq.enterPipelineMode(c->pg) != 1)
		return conn_error(db, "cannot start a transaction", err);
	c->pipeline = 1;
	c->ferry_role_local = 0;
	return send_query(db, ferry__strdup("BEGIN"), NULL, NULL, 0, 0, err);
}

static int pg_flush(ferry_db *db, ferry_error *err)
{
	return CONN(db)->pipeline && CONN(db)->nqueue ? drain(db, err) : 0;
}

/* Read what is left so the connection is usable again, and leave. */
static void leave_pipeline(ferry_db *db)
{
	pg_conn *c = CONN(db);

	if (c->pipeline) {
		if (c->nqueue)
			(void)drain(db, NULL);
		c->pq.exitPipelineMode(c->pg);
		c->pipeline = 0;
	}
}

static int pg_commit(ferry_db *db, ferry_error *err)
{
	pg_conn *c = CONN(db);
	int rc;

	rc = send_query(db, ferry__strdup("COMMIT"), NULL, NULL, 0, 0, err);
	if (rc == 0)
		rc = drain(db, err);
	leave_pipeline(db);
	if (rc < 0)
		return rc;
	if (c->pq.transactionStatus(c->pg) != PQTRANS_IDLE)
		return ferry__error_set(
			err, FERRY_EDB, "the transaction did not commit");
	return 0;
}

static void pg_rollback(ferry_db *db)
{
	pg_conn *c = CONN(db);

	leave_pipeline(db);
	if (c->pq.transactionStatus(c->pg) != PQTRANS_IDLE)
		c->pq.clear(c->pq.exec(c->pg, "ROLLBACK"));
}

static int pg_in_txn(ferry_db *db)
{
	pg_conn *c = CONN(db);

	return c->pq.transactionStatus(c->pg) != PQTRANS_IDLE;
}

/*
 * The runner lock
 */

/*
 * The holder's own words from its application_name ("ferry: pid 12,
 * user@host, since T", as on SQLite), or else what the server knows.
 */
static int holder_row(void *payload, int ncols, const char *const *v)
{
	char **out = payload;
	ferry__buf b = FERRY__BUF_INIT;

	if (ncols < 5)
		return 1;
	if (v[3] && !strncmp(v[3], "ferry: ", 7))
		ferry__buf_puts(&b, v[3] + 7);
	else
		ferry__buf_printf(&b,
			"server pid %s, %s@%s, connected since %s",
			v[0] ? v[0] : "?", v[1] ? v[1] : "?",
			v[2] ? v[2] : "local", v[4] ? v[4] : "?");
	*out = ferry__buf_detach(&b);
	return 1;
}

static int holder(ferry_db *db, int *held, char **who, ferry_error *err)
{
	const char *vals[2] = { LOCK_CLASS, LOCK_KEY };
	int rc;

	*who = NULL;
	rc = exec_now(db,
		"SELECT a.pid, a.usename, CASE WHEN a.client_port = -1 THEN "
		"'local' ELSE COALESCE(host(a.client_addr), '?') END, "
		"a.application_name, to_char(a.backend_start AT "
		"TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
		"pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE "
		"l.locktype = 'advisory' AND l.granted AND l.database = "
		"(SELECT oid FROM pg_database WHERE datname = "
		"current_database()) AND l.classid = $1::bigint::oid AND "
		"l.objid = $2::bigint::oid AND l.objsubid = 2 AND l.pid <> "
		"pg_backend_pid()",
		NULL, vals, 2, holder_row, who, err);
	/* Or a runner behind a transaction pooler, by its lock row. */
	if (rc == 0 && !*who)
		rc = ferry__pgpool_holder(
			db, CONN(db)->pq.handle, CONN(db)->pg, held, who, err);
	*held = *who != NULL;
	return rc;
}

/*
 * One round trip: refuse a standby, which cannot be written; take the lock
 * if free, and then at once tell waiters who we are through
 * application_name, so none sees the lock held by nobody. And, since 14,
 * have the server check for a vanished client while a query runs: else,
 * if ferry died mid-migration, it would run what it already received,
 * COMMIT included, and hold the lock till then.
 */
static int try_lock(ferry_db *db, int *got, ferry_error *err)
{
	pg_conn *c = CONN(db);
	char me[sizeof(c->app_name)] = "ferry: ", sql[512];
	const char *vals[3] = { LOCK_CLASS, LOCK_KEY, me }, *check = "";
	PGresult *res;
	int ok, in_recovery;

	ferry__holder_text(db, me + 7, sizeof(me) - 7);
	if (c->server_num >= 140000)
		check = " AND " CHECK_CLIENT_SQL " IS NOT NULL";
	snprintf(sql, sizeof(sql),
		"SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() "
		"AND pg_try_advisory_lock($1::int, $2::int) THEN "
		"set_config('application_name', $3, false) IS NOT NULL%s ELSE "
		"false END",
		check);
	res = c->pq.execParams(c->pg, sql, 3, NULL, vals, NULL, NULL, 0);
	ok = c->pq.resultStatus(res) == PGRES_TUPLES_OK &&
		c->pq.ntuples(res) == 1;
	in_recovery = ok && c->pq.getvalue(res, 0, 0)[0] == 't';
	*got = ok && c->pq.getvalue(res, 0, 1)[0] == 't';
	if (*got) {
		memcpy(c->app_name, me, sizeof(me));
		c->touched = 1;
	}
	if (!ok)
		result_error(db, res, NULL, NULL, err);
	c->pq.clear(res);
	if (in_recovery) {
		ferry__error_set(err, FERRY_EDB,
			"database '%s' is a standby (read-only replica)",
			db->url.display);
		ferry__error_hint(
			err, "run migrations against the primary server");
		return FERRY_EDB;
	}
	return ok ? 0 : FERRY_EDB;
}

static void pg_unlock(ferry_db *db);

/* One try for ferry__lock_wait(): the advisory lock, if no row holds it. */
static int take_lock(ferry_db *db, void *payload, ferry_error *err)
{
	char *who = NULL;
	int got = 0, held = 0, rc;

	(void)payload;
	if ((rc = try_lock(db, &got, err)) < 0)
		return rc;
	if (!got)
		return FERRY__LOCK_BUSY;
	/* A runner behind a pooler holds the lock row: wait for it. */
	if (ferry__pgpool_holder(db, CONN(db)->pq.handle, CONN(db)->pg, &held,
		    &who, NULL) == 0 &&
		held)
		got = 0;
	free(who);
	CONN(db)->have_lock = 1;
	if (!got) {
		pg_unlock(db);
		return FERRY__LOCK_BUSY;
	}
	db->locked = 1;
	return FERRY__LOCK_TAKEN;
}

static int pg_lock(ferry_db *db, ferry_error *err)
{
	static const ferry__lock_waiter waiter = {
		.take = take_lock,
		.holder = NULL, /* holder(), the driver's lock_probe */
		.unknown = "an unknown session",
		/* Each poll is a round trip: 160 ms apart at most. */
		.pause_max_ms = 160,
	};
	int rc;

	/* Behind a transaction pooler, a row (db_pg_pooler.c). */
	if ((rc = ferry__pgpool_detect(
		     db, CONN(db)->pq.handle, CONN(db)->pg, err)) < 0)
		return rc;
	if (db->pooled)
		return ferry__pgpool_lock(
			db, CONN(db)->pq.handle, CONN(db)->pg, err);
	return ferry__lock_wait(db, &waiter, NULL, err);
}

static void pg_unlock(ferry_db *db)
{
	pg_conn *c = CONN(db);

	if (db->pgpool) {
		ferry__pgpool_unlock(db);
		return;
	}
	if (c->have_lock) {
		c->pq.clear(c->pq.exec(c->pg,
			"SELECT pg_advisory_unlock(" LOCK_CLASS ", " LOCK_KEY
			"), set_config('application_name', 'ferry', false)"));
		snprintf(c->app_name, sizeof(c->app_name), "ferry");
	}
	c->have_lock = 0;
	db->locked = 0;
}

/*
 * Behind a transaction pooler the session belongs to no one: the reset
 * before and after a section keeps to its transaction (SET LOCAL,
 * set_config(..., true)), so that nothing of it stays with the server
 * connection for the pooler's next client. What another client left in
 * that session is put back to its default for this transaction only.
 * pg_reset_session()'s session-wide RESET ALL and application_name are
 * left out (the lock row says who holds the lock); the check for a
 * vanished client is the transaction's own: a pooler closes the server
 * connection of a client that died in a transaction, and the server,
 * noticing, must not run the COMMIT the pipeline already sent.
 */
#define POOLED_RESET_SQL \
	"SELECT count(set_config(name, reset_val, true)) FROM " \
	"pg_catalog.pg_settings WHERE context = 'user' AND setting IS " \
	"DISTINCT FROM reset_val AND name NOT IN ('application_name', " \
	"'client_encoding', 'role', 'session_authorization') AND name NOT " \
	"LIKE 'transaction\\_%'"

static int pg_reset_either(ferry_db *db, int whole, ferry_error *err)
{
	static const char *const reset[] = {
		"SET LOCAL SESSION AUTHORIZATION DEFAULT",
		"SET LOCAL ROLE NONE", POOLED_RESET_SQL
	};
	char budget[24], sql[160];
	ferry__val p = { FERRY__VAL_TEXT, 0, budget };
	size_t i;
	int rc;

	if (!db->pooled)
		return pg_reset_session(db, whole, err);
	CONN(db)->users_session = 0;
	for (i = 0; i < (whole ? 3u : 2u); i++)
		if ((rc = pg_query(db, reset[i], NULL, 0, NULL, NULL, err)) < 0)
			return rc;
	if (!whole)
		return 0;
	/* The lock budget, for this transaction: there is no session. */
	snprintf(budget, sizeof(budget), "%dms", db->lock_wait_ms);
	snprintf(sql, sizeof(sql), "SELECT %s%s%s",
		db->lock_wait_ms > 0 ? "set_config('lock_timeout', $1, true)"
				     : "",
		db->lock_wait_ms > 0 && CONN(db)->server_num >= 140000 ? ", "
								       : "",
		CONN(db)->server_num >= 140000
			? "set_config('client_connection_check_interval', "
			  "'500', true)"
			: "");
	if (db->lock_wait_ms <= 0 && CONN(db)->server_num < 140000)
		return 0;
	return pg_query(
		db, sql, &p, db->lock_wait_ms > 0 ? 1 : 0, NULL, NULL, err);
}

static int found_row(void *payload, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)payload = 1;
	return 1;
}

static int pg_table_exists(
	ferry_db *db, const char *table, int *exists, ferry_error *err)
{
	const char *vals[2] = { db->schema, table };

	*exists = 0;
	return exec_now(db,
		"SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND "
		"tablename = $2",
		NULL, vals, 2, found_row, exists, err);
}

/*
 * The query itself says whether its table exists (undefined_table, 42P01),
 * so a no-op run asks the server once for the ledger, not twice.
 */
static int pg_query_table(ferry_db *db, const char *table, const char *sql,
	ferry__row_fn fn, void *payload, int *exists, ferry_error *err)
{
	pg_conn *c = CONN(db);
	PGresult *res;
	const char *state;
	int rc;

	/* In a transaction a failed query would abort it: ask first. */
	if (c->pipeline || c->users_session) {
		if ((rc = pg_table_exists(db, table, exists, err)) < 0 ||
			!*exists)
			return rc;
		return pg_query(db, sql, NULL, 0, fn, payload, err);
	}
	*exists = 1;
	res = c->pq.exec(c->pg, sql);
	state = res ? c->pq.resultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state && !strcmp(state, "42P01")) {
		*exists = 0;
		rc = 0;
	} else if (c->pq.resultStatus(res) == PGRES_TUPLES_OK) {
		rc = rows_of(c, res, fn, payload);
	} else {
		rc = res ? result_error(db, res, sql, NULL, err)
			 : lost_connection(db, err);
	}
	c->pq.clear(res);
	return rc;
}

static int pg_ledger_ddl(ferry_db *db, ferry__buf *out)
{
	const char *vals[1] = { db->schema };
	int exists = 0;

	/* CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when
	 * the schema exists, which an application's user rarely has. */
	if (exec_now(db,
		    "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
		    NULL, vals, 1, found_row, &exists, NULL) == 0 &&
		!exists) {
		ferry__buf_puts(out, "CREATE SCHEMA IF NOT EXISTS ");
		ferry__buf_quote_ident(out, db->schema);
		ferry__buf_puts(out, ";\n");
	}
	ferry__buf_printf(out,
		"CREATE TABLE IF NOT EXISTS %s (\n"
		"  version bigint PRIMARY KEY,\n"
		"  name text NOT NULL,\n"
		"  state text NOT NULL CHECK (state IN ('up', 'complete', 'failed')),\n"
		"  release text,\n"
		"  has_finish integer NOT NULL DEFAULT 0,\n"
		"  up_checksum text,\n"
		"  finish_checksum text,\n"
		"  down_checksum text,\n"
		"  up_at text,\n"
		"  up_ms bigint,\n"
		"  finish_at text,\n"
		"  finish_ms bigint,\n"
		"  applied_by text NOT NULL,\n"
		"  ferry_version text NOT NULL,\n"
		"  failed_section text,\n"
		"  failed_statement integer,\n"
		"  progress text,\n"
		"  error text,\n"
		"  runner text\n"
		");\n"
		"CREATE TABLE IF NOT EXISTS %s (\n"
		"  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
		"  at text NOT NULL,\n"
		"  action text NOT NULL,\n"
		"  version bigint,\n"
		"  name text,\n"
		"  release text,\n"
		"  actor text NOT NULL,\n"
		"  duration_ms bigint,\n"
		"  success integer NOT NULL,\n"
		"  error text,\n"
		"  ferry_version text NOT NULL\n"
		");\n",
		db->qtable, db->qhistory);
	return out->oom ? FERRY_ENOMEM : 0;
}

/*
 * Settings for pg_dump, pg_restore and psql: what this connection really
 * uses (host, port, user, dbname, sslmode, ... from the URL, the
 * environment and the defaults), as a keyword string without the
 * password, which goes to the tool's environment instead: a command line
 * is visible to every user of the machine. Ferry's own application_name
 * and client_encoding stay ferry's.
 */
static int pg_tool_conninfo(
	ferry_db *db, char **conninfo, char **password, ferry_error *err)
{
	pg_conn *c = CONN(db);

	*conninfo = settings_string(c, 0);
	*password = c->password ? ferry__strdup(c->password) : NULL;
	if (!*conninfo || (c->password && !*password)) {
		free(*conninfo);
		free(*password);
		*conninfo = *password = NULL;
		return ferry__error_oom(err);
	}
	return 0;
}

/* Backups are named after the database this connection uses. */
static int pg_backup_name(ferry_db *db, char **out, ferry_error *err)
{
	*out = conninfo_value(CONN(db), "dbname", "");
	return *out ? 0 : ferry__error_oom(err);
}

/*
 * Export (export.c). One snapshot for the whole export, and text forms
 * that read back the same anywhere: timestamps in UTC, ISO dates,
 * floats exact: extra_float_digits above 0 is the shortest text that
 * reads back the same from PostgreSQL 12 on, and 3 gives 17 digits,
 * exact too, before it.
 */
#define READ_SETTINGS_SQL \
	"SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', " \
	"'ISO, YMD', true), set_config('IntervalStyle', 'iso_8601', true), " \
	"set_config('extra_float_digits', '3', true)"

static int pg_export_begin(ferry_db *db, ferry_error *err)
{
	int rc = exec_now(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		NULL, NULL, 0, NULL, NULL, err);

	return rc < 0 ? rc
		      : exec_now(db, READ_SETTINGS_SQL, NULL, NULL, 0, NULL,
				NULL, err);
}

/* The kind letter, then the value's text: bytea as hex, the rest ::text. */
static void pg_export_value(
	ferry__buf *sql, const char *qcolumn, const char *kind)
{
	char k = kind && *kind ? kind[0] : FERRY__EXPORT_TEXT;

	if (k == FERRY__EXPORT_BYTES)
		ferry__buf_printf(sql, "'x' || encode(%s, 'hex')", qcolumn);
	else
		ferry__buf_printf(sql, "'%c' || %s::text", k, qcolumn);
}

#define EXPORT_CURSOR "ferry_export"
#define EXPORT_FETCH "FETCH 1000 FROM " EXPORT_CURSOR

/*
 * A cursor, fetched a thousand rows at a time: a plain query would hold
 * the whole table in the client's memory. DECLARE plans the query, so
 * what fails there is the statement itself (FERRY_EINVALID).
 */
static int pg_export_rows(ferry_db *db, const char *sql, ferry__row_fn fn,
	void *payload, ferry_error *err)
{
	pg_conn *c = CONN(db);
	ferry__buf declare = FERRY__BUF_INIT;
	const char **vals = NULL;
	PGresult *res = NULL;
	int rc, rows, cols, r, k;

	ferry__buf_printf(&declare,
		"DECLARE " EXPORT_CURSOR " NO SCROLL CURSOR FOR %s", sql);
	if (declare.oom) {
		rc = ferry__error_oom(err);
		goto out;
	}
	if ((rc = exec_now(db, declare.buf, NULL, NULL, 0, NULL, NULL, err)) <
		0) {
		if (rc == FERRY_EDB)
			rc = FERRY_EINVALID;
		if (err)
			err->code = rc;
		goto out;
	}
	for (;;) {
		res = exec_params(db, EXPORT_FETCH, 0, NULL);
		if (c->pq.resultStatus(res) != PGRES_TUPLES_OK) {
			rc = res
				? result_error(db, res, EXPORT_FETCH, NULL, err)
				: lost_connection(db, err);
			goto out;
		}
		rows = c->pq.ntuples(res);
		cols = c->pq.nfields(res);
		if (rows == 0)
			break;
		if (!vals &&
			!(vals = ferry__calloc(
				  (size_t)cols + 1, sizeof(*vals)))) {
			rc = ferry__error_oom(err);
			goto out;
		}
		for (r = 0; r < rows; r++) {
			for (k = 0; k < cols; k++)
				vals[k] = c->pq.getisnull(res, r, k)
					? NULL
					: c->pq.getvalue(res, r, k);
			if ((rc = fn(payload, cols, vals)) != 0)
				goto out;
		}
		c->pq.clear(res);
		res = NULL;
	}
	rc = exec_now(
		db, "CLOSE " EXPORT_CURSOR, NULL, NULL, 0, NULL, NULL, err);
out:
	if (res)
		c->pq.clear(res);
	ferry__buf_release(&declare);
	free(vals);
	return rc;
}

/*
 * Loading (load.c): COPY ... FROM STDIN in text form, sent every
 * LOAD_SEND bytes. The server checks each row as it comes, but says what
 * failed only when the COPY ends; its CONTEXT names the row by its line
 * in the COPY, which is the row's number among those loaded.
 */
#define LOAD_SEND ((size_t)256 * 1024)

static int pg_load_exec(ferry_db *db, const char *sql, ferry_error *err)
{
	return exec_now(db, sql, NULL, NULL, 0, NULL, NULL, err);
}

static int pg_load_begin(ferry_db *db, const char *qtable, const char *qcols,
	int ncols, ferry_error *err)
{
	pg_conn *c = CONN(db);
	ferry__buf sql = FERRY__BUF_INIT;
	PGresult *res;
	int rc = 0;

	ferry__buf_printf(&sql, "COPY %s (%s) FROM STDIN", qtable, qcols);
	if (sql.oom)
		return ferry__error_oom(err);
	res = exec_params(db, sql.buf, 0, NULL);
	if (c->pq.resultStatus(res) != PGRES_COPY_IN)
		rc = res ? result_error(db, res, sql.buf, NULL, err)
			 : lost_connection(db, err);
	c->pq.clear(res);
	ferry__buf_release(&sql);
	ferry__buf_clear(&c->load);
	c->load_ncols = ncols;
	c->load_rows = 0;
	return rc;
}

/* COPY's text form: backslash, newline, carriage return and tab escaped. */
static void copy_text(ferry__buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = *s == '\\' ? "\\\\"
			: *s == '\n'	     ? "\\n"
			: *s == '\r'	     ? "\\r"
			: *s == '\t'	     ? "\\t"
					     : NULL;

		if (!esc)
			continue;
		ferry__buf_put(b, run, (size_t)(s - run));
		ferry__buf_puts(b, esc);
		run = s + 1;
	}
	ferry__buf_put(b, run, (size_t)(s - run));
}

static int load_send(ferry_db *db, ferry_error *err)
{
	pg_conn *c = CONN(db);

	if (c->load.len &&
		c->pq.putCopyData(c->pg, c->load.buf, (int)c->load.len) != 1)
		return conn_error(db, "cannot send rows to the server", err);
	ferry__buf_clear(&c->load);
	return 0;
}

static int pg_load_row(ferry_db *db, const char *const *vals, ferry_error *err)
{
	pg_conn *c = CONN(db);
	int i;

	for (i = 0; i < c->load_ncols; i++) {
		const char *v = vals[i];

		if (i)
			ferry__buf_put(&c->load, "\t", 1);
		if (!v)
			ferry__buf_put(&c->load, "\\N", 2);
		else if (v[0] == FERRY__EXPORT_BYTES) {
			ferry__buf_put(&c->load, "\\\\x", 3);
			ferry__buf_puts(&c->load, v + 1);
		} else
			copy_text(&c->load, v + 1);
	}
	ferry__buf_put(&c->load, "\n", 1);
	c->load_rows++;
	if (c->load.oom)
		return ferry__error_oom(err);
	return c->load.len >= LOAD_SEND ? load_send(db, err) : 0;
}

static int pg_load_end(ferry_db *db, int ok, ferry_error *err)
{
	pg_conn *c = CONN(db);
	PGresult *res;
	int rc = ok ? load_send(db, err) : 0, sent;

	sent = c->pq.putCopyEnd(c->pg, rc == 0 && ok ? NULL : "abandoned");
	if (sent != 1 && rc == 0)
		rc = conn_error(db, "cannot end the COPY", err);
	while ((res = c->pq.getResult(c->pg)) != NULL) {
		if (rc == 0 && ok &&
			c->pq.resultStatus(res) != PGRES_COMMAND_OK) {
			const char *ctx =
				c->pq.resultErrorField(res, PG_DIAG_CONTEXT);
			const char *at = ctx ? strstr(ctx, ", line ") : NULL;

			rc = result_error(db, res, NULL, NULL, err);
			if (at && err)
				err->line = (int)strtol(at + 7, NULL, 10);
		}
		c->pq.clear(res);
	}
	ferry__buf_clear(&c->load);
	return rc;
}

const ferry__driver ferry__pg_driver = {
	.name = "postgres",
	.label = "PostgreSQL",
	.engine = FERRY__ENGINE_PG,
	.dialect = FERRY__DIALECT_PG,
	.schemas = 1,
	.open = pg_open,
	.close = pg_close,
	.run = pg_run,
	.query = pg_query,
	.claim = pg_claim,
	.begin = pg_begin,
	.flush = pg_flush,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_txn = pg_in_txn,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.lock_probe = holder,
	.table_exists = pg_table_exists,
	.query_table = pg_query_table,
	.ledger_ddl = pg_ledger_ddl,
	.reset_session = pg_reset_either,
	.section_start = pg_section_start,
	.interrupt = pg_interrupt,
	.export_begin = pg_export_begin,
	/* Tables and partitioned tables, not their partitions (the parent
	 * reads their rows); a domain's kind is its base type's. */
	.export_columns_sql =
		"SELECT c.relname, a.attname, format_type(a.atttypid, "
		"a.atttypmod), COALESCE((SELECT k.n FROM "
		"unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) WHERE "
		"k.att = a.attnum), 0), CASE b.typname WHEN 'int2' THEN 'i' WHEN 'int4' "
		"THEN 'i' WHEN 'int8' THEN 'i' WHEN 'oid' THEN 'i' WHEN 'numeric' "
		"THEN 'd' WHEN 'float4' THEN 'f' WHEN 'float8' THEN 'f' WHEN "
		"'bool' THEN 'b' WHEN 'bytea' THEN 'x' ELSE 't' END FROM "
		"pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
		"c.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = "
		"c.oid AND a.attnum > 0 AND NOT a.attisdropped JOIN "
		"pg_catalog.pg_type t ON t.oid = a.atttypid JOIN "
		"pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN "
		"t.typbasetype ELSE t.oid END LEFT JOIN pg_catalog.pg_index i ON "
		"i.indrelid = c.oid AND i.indisprimary WHERE n.nspname = $1 AND "
		"c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY "
		"c.relname COLLATE \"C\", a.attnum",
	.export_value = pg_export_value,
	.export_rows = pg_export_rows,
	.read_settings_sql = READ_SETTINGS_SQL,
	.load_exec = pg_load_exec,
	.load_begin = pg_load_begin,
	.load_row = pg_load_row,
	.load_end = pg_load_end,
	.load_fks_sql =
		"SELECT c.relname, p.relname FROM pg_catalog.pg_constraint k "
		"JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN "
		"pg_catalog.pg_class p ON p.oid = k.confrelid JOIN "
		"pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
		"k.contype = 'f' AND n.nspname = $1",
	/* Indexes that back no constraint, and the table's foreign keys */
	.load_defer_sql =
		"SELECT 'DROP INDEX ' || quote_ident($2) || '.' || "
		"quote_ident(ic.relname), pg_get_indexdef(i.indexrelid) FROM "
		"pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = "
		"i.indexrelid WHERE i.indrelid = (quote_ident($2) || '.' || "
		"quote_ident($1))::regclass AND NOT i.indisunique AND NOT EXISTS "
		"(SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = "
		"i.indexrelid) UNION ALL SELECT 'ALTER TABLE ' || quote_ident($2) "
		"|| '.' || quote_ident($1) || ' DROP CONSTRAINT ' || "
		"quote_ident(k.conname), 'ALTER TABLE ' || quote_ident($2) || "
		"'.' || quote_ident($1) || ' ADD CONSTRAINT ' || "
		"quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid) "
		"FROM pg_catalog.pg_constraint k WHERE k.conrelid = "
		"(quote_ident($2) || '.' || quote_ident($1))::regclass AND "
		"k.contype = 'f'",
	/* serial and identity columns of table $2 of schema $1 */
	.load_sequences_sql =
		"SELECT a.attname, pg_get_serial_sequence(quote_ident($1) || "
		"'.' || quote_ident($2), a.attname) FROM pg_catalog.pg_attribute "
		"a WHERE a.attrelid = (quote_ident($1) || '.' || "
		"quote_ident($2))::regclass AND a.attnum > 0 AND NOT "
		"a.attisdropped AND pg_get_serial_sequence(quote_ident($1) || "
		"'.' || quote_ident($2), a.attname) IS NOT NULL",
	/* To a user without pg_read_all_stats, another user's session has
	 * no backend_type, address, port, state or start. It is listed all
	 * the same, from "?" (with any worker of its: better one too many
	 * for --exclusive than one missed). Port -1 is a Unix socket. */
	.sessions_sql =
		"SELECT COALESCE(application_name, ''), COALESCE(usename::text, "
		"'?'), CASE WHEN client_port = -1 THEN 'local' ELSE "
		"COALESCE(host(client_addr), '?') END, count(*), "
		"COALESCE(string_agg(DISTINCT state, ', '), '?'), "
		"COALESCE(to_char(min(backend_start) AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
		"COALESCE(application_name = 'ferry' OR application_name LIKE "
		"'ferry: %', false) FROM pg_stat_activity WHERE datname = "
		"current_database() AND pid <> pg_backend_pid() AND "
		"COALESCE(backend_type, 'client backend') = 'client backend' "
		"AND usesysid IS NOT NULL AND application_name IS "
		"DISTINCT FROM 'ferry: lock observer' GROUP BY 1, 2, 3, 7 "
		"ORDER BY 4 DESC, 1, 2, 3",
	/* Relations, sequences, standalone types and functions outside the
	 * system's schemas; a sequence or a type made for a table (serial,
	 * identity, row type) comes with it, an extension's members with
	 * the extension (which a DBA may have installed beforehand). */
	.objects_sql =
		"SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class "
		"c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c') AND "
		"n.nspname <> 'information_schema' AND n.nspname NOT LIKE "
		"'pg\\_%' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
		"WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid "
		"= c.oid AND d.deptype IN ('a', 'i', 'e')) UNION ALL "
		"SELECT n.nspname || '.' || t.typname FROM pg_catalog.pg_type "
		"t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
		"WHERE t.typtype IN ('e', 'd', 'r') AND n.nspname <> "
		"'information_schema' AND n.nspname NOT LIKE 'pg\\_%' AND NOT "
		"EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
		"'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND "
		"d.deptype = 'e') UNION ALL "
		"SELECT n.nspname || '.' || p.proname || '()' FROM "
		"pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = "
		"p.pronamespace WHERE n.nspname <> 'information_schema' AND "
		"n.nspname NOT LIKE 'pg\\_%' AND NOT EXISTS (SELECT 1 FROM "
		"pg_catalog.pg_depend d WHERE d.classid = "
		"'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND "
		"d.deptype = 'e') ORDER BY 1",
	.tool_conninfo = pg_tool_conninfo,
	/* Every object in the schema but an extension's members, which go
	 * with their extension, and sequences and types made for a table. In
	 * an order that drops dependents first, though CASCADE forgives. */
	/* An unqualified name is looked for where the search path finds
	 * it; an index or trigger in any schema, as its table's decides. */
	.object_exists_sql =
		"SELECT count(*) FROM (SELECT 1 FROM pg_catalog.pg_class c "
		"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"WHERE c.relname = $3 AND position(c.relkind::text IN CASE $1 "
		"WHEN 'table' THEN 'rpf' WHEN 'view' THEN 'v' WHEN "
		"'materialized view' THEN 'm' WHEN 'index' THEN 'iI' WHEN "
		"'sequence' THEN 'S' ELSE '' END) > 0 AND (n.nspname = $2 OR "
		"($2 = '' AND ($1 = 'index' OR n.nspname = ANY "
		"(pg_catalog.current_schemas(true))))) UNION ALL SELECT 1 FROM "
		"pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = "
		"t.typnamespace WHERE $1 = 'type' AND t.typname = $3 AND "
		"(n.nspname = $2 OR ($2 = '' AND n.nspname = ANY "
		"(pg_catalog.current_schemas(true)))) UNION ALL SELECT 1 FROM "
		"pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = "
		"p.pronamespace WHERE $1 = 'function' AND p.proname = $3 AND "
		"(n.nspname = $2 OR ($2 = '' AND n.nspname = ANY "
		"(pg_catalog.current_schemas(true)))) UNION ALL SELECT 1 FROM "
		"pg_catalog.pg_trigger g WHERE $1 = 'trigger' AND g.tgname = $3 "
		"AND NOT g.tgisinternal UNION ALL SELECT 1 FROM "
		"pg_catalog.pg_namespace n WHERE $1 = 'schema' AND n.nspname = "
		"$3) AS found",
	.reset_sql =
		"SELECT kind, name, ledger, stmt FROM ("
		"SELECT CASE c.relkind WHEN 'm' THEN 1 WHEN 'v' THEN 2 WHEN 'f' "
		"THEN 3 WHEN 'S' THEN 5 ELSE 4 END AS ord, "
		"CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'v' THEN "
		"'view' WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' ELSE "
		"'table' END AS kind, format('%I.%I', n.nspname, c.relname) AS name, "
		"CASE WHEN c.relkind IN ('r', 'p') AND c.relname IN ($2, $3, $4) THEN 1 "
		"ELSE 0 END AS ledger, format('DROP %s IF EXISTS %I.%I CASCADE', "
		"CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'v' THEN "
		"'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE "
		"'TABLE' END, n.nspname, c.relname) AS stmt "
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid "
		"= c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', "
		"'v', 'm', 'f', 'S') AND NOT EXISTS (SELECT 1 FROM "
		"pg_catalog.pg_depend d WHERE d.classid = "
		"'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype "
		"IN ('a', 'i', 'e')) "
		"UNION ALL SELECT CASE p.prokind WHEN 'a' THEN 6 ELSE 7 END, CASE "
		"p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE "
		"'function' END, format('%I.%I(%s)', n.nspname, p.proname, "
		"pg_catalog.pg_get_function_identity_arguments(p.oid)), 0, "
		"format('DROP %s IF EXISTS %I.%I(%s) CASCADE', CASE p.prokind WHEN "
		"'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, "
		"n.nspname, p.proname, "
		"pg_catalog.pg_get_function_identity_arguments(p.oid)) "
		"FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = "
		"p.pronamespace WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM "
		"pg_catalog.pg_depend d WHERE d.classid = "
		"'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = "
		"'e') "
		"UNION ALL SELECT 8, CASE t.typtype WHEN 'd' THEN 'domain' ELSE "
		"'type' END, format('%I.%I', n.nspname, t.typname), 0, "
		"format('DROP %s IF EXISTS %I.%I CASCADE', CASE t.typtype WHEN 'd' "
		"THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname) "
		"FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = "
		"t.typnamespace WHERE n.nspname = $1 AND (t.typtype IN ('e', 'r', "
		"'d') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM "
		"pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = "
		"'c'))) AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE "
		"d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND "
		"d.deptype = 'e') "
		"UNION ALL SELECT 9, 'collation', format('%I.%I', n.nspname, "
		"o.collname), 0, format('DROP COLLATION IF EXISTS %I.%I CASCADE', "
		"n.nspname, o.collname) FROM pg_catalog.pg_collation o JOIN "
		"pg_catalog.pg_namespace n ON n.oid = o.collnamespace WHERE "
		"n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
		"WHERE d.classid = 'pg_catalog.pg_collation'::regclass AND d.objid = "
		"o.oid AND d.deptype = 'e') "
		"UNION ALL SELECT 10, 'extension', format('%I', e.extname), 0, "
		"format('DROP EXTENSION IF EXISTS %I CASCADE', e.extname) FROM "
		"pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = "
		"e.extnamespace WHERE n.nspname = $1"
		") o ORDER BY ord, name",
	/* What a CASCADE can take along in other schemas, keyed by catalog
	 * and OID (names would read differently once a same-named object in
	 * the search_path is gone), relations first; a relation's row type
	 * and array types go with what they belong to. */
	.reset_guard_sql =
		"SELECT k, what FROM ("
		"SELECT '1' || c.oid AS k, format('relation %I.%I', n.nspname, "
		"c.relname) AS what, n.nspname AS s FROM pg_catalog.pg_class c JOIN "
		"pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"UNION ALL SELECT '2' || a.attrelid || '.' || a.attnum, "
		"format('column %I.%I.%I', n.nspname, c.relname, a.attname), "
		"n.nspname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c "
		"ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = "
		"c.relnamespace WHERE a.attnum > 0 AND NOT a.attisdropped "
		"UNION ALL SELECT '3' || d.oid, format('default of column %s of "
		"%I.%I', d.adnum, n.nspname, c.relname), n.nspname FROM "
		"pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = "
		"d.adrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"UNION ALL SELECT '4' || g.oid, format('trigger %I on %I.%I', "
		"g.tgname, n.nspname, c.relname), n.nspname FROM "
		"pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = "
		"g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"UNION ALL SELECT '5' || p.oid, format('policy %I on %I.%I', "
		"p.polname, n.nspname, c.relname), n.nspname FROM "
		"pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = "
		"p.polrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"UNION ALL SELECT '6' || k.oid, format('constraint %I in schema %I', "
		"k.conname, n.nspname), n.nspname FROM pg_catalog.pg_constraint k "
		"JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace "
		"UNION ALL SELECT '7' || t.oid, format('type %I.%I', n.nspname, "
		"t.typname), n.nspname FROM pg_catalog.pg_type t JOIN "
		"pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE "
		"t.typrelid = 0 AND t.typcategory <> 'A' "
		"UNION ALL SELECT '8' || p.oid, format('function %I.%I', n.nspname, "
		"p.proname), n.nspname FROM pg_catalog.pg_proc p JOIN "
		"pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
		") o WHERE s <> $1 AND s <> 'information_schema' AND s NOT LIKE "
		"'pg\\_%' ORDER BY k",
	/* pg_dump's custom format (backup_pg.c) */
	.backup_ext = "pgdump",
	.backup_magic = "PGDMP",
	.backup_magic_len = 5,
	.backup_what = "a pg_dump custom-format archive",
	.backup_name = pg_backup_name,
	.backup = ferry__backup_pg,
	.restore_check = ferry__restore_pg_check,
	.restore = ferry__restore_pg,
};
