/* SPDX-License-Identifier: MIT */
/*
 * db_pg_pooler.c - the PostgreSQL runner lock behind a transaction pooler.
 *
 * A transaction pooler (PgBouncer's pool_mode=transaction, and the like)
 * lends a client a server connection for one transaction at a time. A
 * session's advisory lock then means nothing: it stays with a server
 * connection that the pooler hands to other clients, and the next
 * transaction of its holder may run elsewhere. Six runners started at
 * once through PgBouncer all "took" it, and raced each other.
 *
 * Finding the pooler. A client's connection announces, in its startup, a
 * process id and a key for cancel requests (PQbackendPID()). PgBouncer
 * (and Odyssey, PgCat) announce a key of their own, so that a cancel
 * reaches the pooler, which alone knows which server connection runs the
 * client's query; a direct connection, and a plain TCP proxy, pass the
 * server's own. So the pid the connection announced differs from
 * pg_backend_pid() exactly when something in between lends server
 * connections: one round trip, asked only when the lock is taken. Probes
 * of session state (does a setting stick from one transaction to the
 * next? does pg_backend_pid() change?) fail when the pooler happens to
 * lend the same server connection again, which PgBouncer does for a lone
 * client. A session pooler answers with its own key too: counted as a
 * pooler, which only refuses what would have worked (pooler.c);
 * ferry_db_options.pooler (`--pooler`) says otherwise, or says so.
 *
 * The lock row. The lock is the one row of `ferry_lock` in the ledger's
 * schema: who holds it (as waiters and `status` show it), a random token,
 * when it was taken and when it expires. Each statement on it is a
 * transaction of its own, which any server connection serves: taking it
 * is one INSERT .. ON CONFLICT that succeeds only where there is no row,
 * or an expired one, and no direct runner holds the advisory lock;
 * letting go deletes the row if it still has our token. While it is
 * held, a thread of the holder's, on a connection of its own, moves the
 * expiry on every third of LOCK_TTL_MS, however long a migration runs:
 * a runner killed with kill -9 holds the lock no longer than that.
 *
 * The lock keeps runners in turn; it does not keep a migration from
 * running twice, which the ledger's compare-and-set claim does, in the
 * migration's own transaction (run.c): a runner that took an expired
 * lock from one still at work meets that one's claim and stops.
 */
#include "ferry_int.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <libpq-fe.h>

/* How long a lock row lasts without its holder's heartbeat. */
#define LOCK_TTL_MS 30000

/* db_pg.c's advisory lock: class "ferr", key 1, as pg_locks shows it. */
#define ADVISORY_HELD \
	"EXISTS (SELECT 1 FROM pg_catalog.pg_locks k WHERE k.locktype = " \
	"'advisory' AND k.granted AND k.database = (SELECT oid FROM " \
	"pg_catalog.pg_database WHERE datname = current_database()) AND " \
	"k.classid = 1717924466::bigint::oid AND k.objid = 1::bigint::oid " \
	"AND k.objsubid = 2)"

/* The libpq functions used here, from the driver's handle. */
/* clang-format off */
#define POOL_FUNCTIONS(X) \
	X(connectdbParams, PQconnectdbParams) \
	X(status, PQstatus) \
	X(finish, PQfinish) \
	X(execParams, PQexecParams) \
	X(resultStatus, PQresultStatus) \
	X(ntuples, PQntuples) \
	X(getvalue, PQgetvalue) \
	X(resultErrorField, PQresultErrorField) \
	X(errorMessage, PQerrorMessage) \
	X(clear, PQclear) \
	X(backendPID, PQbackendPID) \
	X(transactionStatus, PQtransactionStatus)
/* clang-format on */

typedef struct {
#define X(field, name) __typeof__(&name) field; /* NOLINT */
	POOL_FUNCTIONS(X)
#undef X
} pool_api;

typedef struct ferry__pgpool ferry__pgpool;

struct ferry__pgpool {
	pool_api pq;
	PGconn *pg;	/* the driver's connection: borrowed */
	char *table;	/* the lock table, quoted and qualified */
	char *conninfo; /* for the heartbeat's own connection */
	char token[33]; /* this holding's random tag, in hex */
	char ttl[16];	/* LOCK_TTL_MS (or a test's), as text */
	int ttl_ms;
	pthread_t beat;
	int beating;
	int stop;     /* atomic: the heartbeat is to let go and end */
	int released; /* the heartbeat deleted the row */
};

static int load_api(pool_api *pq, void *libpq, ferry_error *err)
{
	void *sym;

	/* POSIX's way to a function from dlsym(), which the C standard
	 * leaves undefined. */
#define X(field, name) \
	if (!(sym = dlsym(libpq, #name))) \
		goto missing; \
	*(void **)&pq->field = sym;
	POOL_FUNCTIONS(X)
#undef X
	return 0;
missing:
	ferry__error_set(err, FERRY_EINVALID,
		"the PostgreSQL client library is too old");
	return FERRY_EINVALID;
}

/* The server's words for a failed statement on the lock. */
static int lock_error(ferry_db *db, const pool_api *pq, PGconn *pg,
	PGresult *res, ferry_error *err)
{
	const char *msg =
		res ? pq->resultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state =
		res ? pq->resultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char text[512];
	size_t n;

	snprintf(text, sizeof(text), "%s", msg ? msg : pq->errorMessage(pg));
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	ferry__error_set(err, FERRY_EDB,
		"cannot take the runner lock on database '%s'",
		db->url.display);
	ferry__error_detail(err, "%s", text);
	if (err && state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	if (state && !strcmp(state, "25006"))
		ferry__error_hint(err,
			"the database is read-only (a standby?): run "
			"migrations against the primary server");
	else if (state && !strcmp(state, "42501"))
		ferry__error_hint(err,
			"behind a transaction pooler the lock is a row of "
			"ferry_lock in schema '%s': let the user create it, or "
			"grant it SELECT, INSERT, UPDATE and DELETE on it",
			db->schema);
	return FERRY_EDB;
}

int ferry__pgpool_detect(ferry_db *db, void *libpq, void *pg, ferry_error *err)
{
	pool_api pq;
	PGresult *res;
	int rc = 0;

	db->pooled = db->pooler == FERRY_POOLER_TRANSACTION;
	if (db->pooler != FERRY_POOLER_AUTO)
		return 0;
	if ((rc = load_api(&pq, libpq, err)) < 0)
		return rc;
	res = pq.execParams(
		pg, "SELECT pg_backend_pid()", 0, NULL, NULL, NULL, NULL, 0);
	if (pq.resultStatus(res) == PGRES_TUPLES_OK && pq.ntuples(res) == 1)
		db->pooled = strtol(pq.getvalue(res, 0, 0), NULL, 10) !=
			pq.backendPID(pg);
	else
		rc = lock_error(db, &pq, pg, res, err);
	pq.clear(res);
	return rc;
}

/* The lock table's name, quoted and qualified: ferry_lock, by the ledger. */
static char *lock_table(ferry_db *db)
{
	ferry__buf b = FERRY__BUF_INIT;

	ferry__buf_quote_ident(&b, db->schema);
	ferry__buf_puts(&b, ".ferry_lock");
	return ferry__buf_detach(&b);
}

static int state_is(const pool_api *pq, const PGresult *res, const char *s)
{
	const char *state =
		res ? pq->resultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return state && !strcmp(state, s);
}

/*
 * Make the lock table (and the ledger's schema) when the first runner
 * behind a pooler finds none. Runners that start together race to make
 * it: CREATE ... IF NOT EXISTS is not safe against itself, and the loser
 * fails on a catalog's unique index (23505, "pg_type_typname_nsp_index"),
 * on the table's row type made a moment before (42710, type "ferry_lock"
 * already exists), or sees it made (42P07, 42P06): the table is there,
 * which is all that was wanted.
 */
static int make_table(ferry_db *db, ferry__pgpool *p, ferry_error *err)
{
	ferry__buf b = FERRY__BUF_INIT;
	PGresult *res;
	int i, rc = 0;

	ferry__buf_puts(&b, "CREATE SCHEMA IF NOT EXISTS ");
	ferry__buf_quote_ident(&b, db->schema);
	for (i = 0; i < 2 && rc == 0; i++) {
		if (i == 1) {
			ferry__buf_clear(&b);
			ferry__buf_printf(&b,
				"CREATE TABLE IF NOT EXISTS %s (\n"
				"  id integer PRIMARY KEY CHECK (id = 1),\n"
				"  holder text NOT NULL,\n"
				"  token text NOT NULL,\n"
				"  taken_at timestamptz NOT NULL,\n"
				"  expires_at timestamptz NOT NULL\n"
				")",
				p->table);
		}
		if (b.oom) {
			rc = ferry__error_oom(err);
			break;
		}
		res = p->pq.execParams(
			p->pg, b.buf, 0, NULL, NULL, NULL, NULL, 0);
		if (p->pq.resultStatus(res) != PGRES_COMMAND_OK &&
			!state_is(&p->pq, res, "23505") &&
			!state_is(&p->pq, res, "42710") &&
			!state_is(&p->pq, res, "42P07") &&
			!state_is(&p->pq, res, "42P06") &&
			/* No right to create the schema: it may exist. */
			!(i == 0 && state_is(&p->pq, res, "42501")))
			rc = lock_error(db, &p->pq, p->pg, res, err);
		p->pq.clear(res);
	}
	ferry__buf_release(&b);
	return rc;
}

/*
 * One try, one statement: insert the row where there is none, or take
 * over an expired one, unless a runner on a direct connection holds the
 * advisory lock. *got is 1 when the row is ours.
 */
static int try_take(ferry_db *db, ferry__pgpool *p, const char *me, int *got,
	ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	const char *vals[3] = { me, p->token, p->ttl };
	PGresult *res;
	int rc = 0, made = 0;

	*got = 0;
	ferry__buf_printf(&sql,
		"INSERT INTO %s AS l (id, holder, token, taken_at, expires_at) "
		"SELECT 1, $1, $2, clock_timestamp(), clock_timestamp() + "
		"$3::int * interval '1 millisecond' WHERE NOT " ADVISORY_HELD
		" ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, "
		"token = excluded.token, taken_at = excluded.taken_at, "
		"expires_at = excluded.expires_at WHERE l.expires_at < "
		"clock_timestamp() RETURNING 1",
		p->table);
	if (sql.oom)
		return ferry__error_oom(err);
	for (;;) {
		res = p->pq.execParams(
			p->pg, sql.buf, 3, NULL, vals, NULL, NULL, 0);
		if ((state_is(&p->pq, res, "42P01") ||
			    state_is(&p->pq, res, "3F000")) &&
			!made) {
			p->pq.clear(res);
			made = 1;
			if ((rc = make_table(db, p, err)) < 0)
				break;
			continue;
		}
		if (p->pq.resultStatus(res) == PGRES_TUPLES_OK)
			*got = p->pq.ntuples(res) == 1;
		else
			rc = lock_error(db, &p->pq, p->pg, res, err);
		p->pq.clear(res);
		break;
	}
	ferry__buf_release(&sql);
	return rc;
}

/*
 * The heartbeat: on a connection of its own (the holder's may be busy for
 * an hour in one statement), move the expiry on every third of the TTL;
 * when told to stop, let go of the row there, whatever state the
 * holder's connection is in. A failure to connect or to renew is tried
 * again at the next beat: the ledger, not the lock, keeps a migration
 * from running twice.
 */
static void *heartbeat(void *arg)
{
	ferry__pgpool *p = arg;
	const char *keys[] = { "dbname", "fallback_application_name",
		"connect_timeout", NULL };
	const char *cvals[] = { p->conninfo, "ferry heartbeat", "10", NULL };
	const char *vals[2] = { p->token, p->ttl };
	ferry__buf renew = FERRY__BUF_INIT, release = FERRY__BUF_INIT;
	PGconn *pg = NULL;
	int64_t next = 0;

	ferry__buf_printf(&renew,
		"UPDATE %s SET expires_at = clock_timestamp() + $2::int * "
		"interval '1 millisecond' WHERE id = 1 AND token = $1",
		p->table);
	ferry__buf_printf(&release,
		"DELETE FROM %s WHERE id = 1 AND token = $1", p->table);
	while (!renew.oom && !release.oom) {
		int stop = __atomic_load_n(&p->stop, __ATOMIC_SEQ_CST);

		if (!stop && ferry__now_ms() < next) {
			ferry__sleep_ms(20);
			continue;
		}
		if (pg && p->pq.status(pg) != CONNECTION_OK) {
			p->pq.finish(pg);
			pg = NULL;
		}
		if (!pg)
			pg = p->pq.connectdbParams(keys, cvals, 1);
		if (pg && p->pq.status(pg) == CONNECTION_OK) {
			PGresult *res = p->pq.execParams(pg,
				stop ? release.buf : renew.buf, stop ? 1 : 2,
				NULL, vals, NULL, NULL, 0);

			if (stop && p->pq.resultStatus(res) == PGRES_COMMAND_OK)
				p->released = 1;
			p->pq.clear(res);
		}
		if (stop)
			break;
		next = ferry__now_ms() + p->ttl_ms / 3;
	}
	if (pg)
		p->pq.finish(pg);
	ferry__buf_release(&renew);
	ferry__buf_release(&release);
	return NULL;
}

static void pool_free(ferry__pgpool *p)
{
	if (!p)
		return;
	free(p->table);
	free(p->conninfo);
	free(p);
}

static int pool_new(ferry__pgpool **out, ferry_db *db, void *libpq, void *pg,
	ferry_error *err)
{
	ferry__pgpool *p = ferry__calloc(1, sizeof(*p));
	unsigned char r[16];
	size_t i;
	int rc;

	*out = NULL;
	if (!p) {
		ferry__error_oom(err);
		return FERRY_ENOMEM;
	}
	if ((rc = load_api(&p->pq, libpq, err)) < 0) {
		pool_free(p);
		return rc;
	}
	p->pg = pg;
	p->ttl_ms = LOCK_TTL_MS;
#ifdef FERRY_TESTING
	/* Test builds wait less for a killed holder's row to expire. */
	if (getenv("FERRY_TEST_POOLER_TTL_MS"))
		p->ttl_ms = (int)strtol(
			getenv("FERRY_TEST_POOLER_TTL_MS"), NULL, 10);
	if (p->ttl_ms < 300)
		p->ttl_ms = 300;
#endif
	snprintf(p->ttl, sizeof(p->ttl), "%d", p->ttl_ms);
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		uint64_t t = (uint64_t)ferry__wall_ns() ^ (uint64_t)getpid();

		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(t >> (8 * (i % 8))) ^
				(unsigned char)i;
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(p->token + 2 * i, 3, "%02x", r[i]);
	p->table = lock_table(db);
	p->conninfo = ferry__strdup(db->url.conninfo);
	if (!p->table || !p->conninfo) {
		pool_free(p);
		ferry__error_oom(err);
		return FERRY_ENOMEM;
	}
	*out = p;
	return 0;
}

/* The lock row as ferry__lock_wait() takes it, as `me`. */
typedef struct {
	ferry__pgpool *p;
	char me[160];
} row_take;

static int take_row(ferry_db *db, void *payload, ferry_error *err)
{
	row_take *t = payload;
	ferry__pgpool *p = t->p;
	int got = 0, rc;

	if ((rc = try_take(db, p, t->me, &got, err)) < 0)
		return rc;
	if (!got)
		return FERRY__LOCK_BUSY;
	/* Without a heartbeat the row expires: still the lock, for a while. */
	if (pthread_create(&p->beat, NULL, heartbeat, p) == 0)
		p->beating = 1;
	db->pgpool = p;
	db->locked = 1;
	return FERRY__LOCK_TAKEN;
}

int ferry__pgpool_lock(ferry_db *db, void *libpq, void *pg, ferry_error *err)
{
	static const ferry__lock_waiter waiter = {
		.take = take_row,
		/* The driver's probe: a direct runner's advisory lock, or
		 * the row. */
		.holder = NULL,
		.unknown = "an unknown session",
		.pause_max_ms = 160,
	};
	row_take t;
	int rc;

	if ((rc = pool_new(&t.p, db, libpq, pg, err)) < 0)
		return rc;
	ferry__holder_text(db, t.me, sizeof(t.me));
	if ((rc = ferry__lock_wait(db, &waiter, &t, err)) < 0)
		pool_free(t.p);
	return rc;
}

void ferry__pgpool_unlock(ferry_db *db)
{
	ferry__pgpool *p = db->pgpool;

	if (!p)
		return;
	__atomic_store_n(&p->stop, 1, __ATOMIC_SEQ_CST);
	if (p->beating)
		pthread_join(p->beat, NULL);
	/* The heartbeat could not: on the holder's connection, if idle. */
	if (!p->released && p->pq.status(p->pg) == CONNECTION_OK &&
		p->pq.transactionStatus(p->pg) == PQTRANS_IDLE) {
		ferry__buf sql = FERRY__BUF_INIT;
		const char *vals[1] = { p->token };

		ferry__buf_printf(&sql,
			"DELETE FROM %s WHERE id = 1 AND token = $1", p->table);
		if (!sql.oom)
			p->pq.clear(p->pq.execParams(
				p->pg, sql.buf, 1, NULL, vals, NULL, NULL, 0));
		ferry__buf_release(&sql);
	}
	pool_free(p);
	db->pgpool = NULL;
	db->locked = 0;
}

int ferry__pgpool_holder(ferry_db *db, void *libpq, void *pg, int *held,
	char **who, ferry_error *err)
{
	pool_api pq;
	ferry__buf sql = FERRY__BUF_INIT;
	char *table;
	const char *vals[1];
	PGresult *res;
	int rc, exists = 0;

	*held = 0;
	*who = NULL;
	if ((rc = load_api(&pq, libpq, err)) < 0)
		return rc;
	if (!(table = lock_table(db)))
		return ferry__error_oom(err);
	/* Asked first, so that a missing table fails no transaction. */
	vals[0] = table;
	res = pq.execParams(pg, "SELECT to_regclass($1) IS NOT NULL", 1, NULL,
		vals, NULL, NULL, 0);
	if (pq.resultStatus(res) == PGRES_TUPLES_OK && pq.ntuples(res) == 1)
		exists = pq.getvalue(res, 0, 0)[0] == 't';
	else
		rc = lock_error(db, &pq, pg, res, err);
	pq.clear(res);
	if (rc < 0 || !exists) {
		free(table);
		return rc;
	}
	/* Our own row, while we hold it, is no other's hold. */
	ferry__buf_printf(&sql,
		"SELECT holder FROM %s WHERE id = 1 AND expires_at > "
		"clock_timestamp() AND token <> '%s'",
		table, db->pgpool ? db->pgpool->token : "");
	free(table);
	if (sql.oom)
		return ferry__error_oom(err);
	res = pq.execParams(pg, sql.buf, 0, NULL, NULL, NULL, NULL, 0);
	ferry__buf_release(&sql);
	if (pq.resultStatus(res) != PGRES_TUPLES_OK)
		rc = lock_error(db, &pq, pg, res, err);
	else if (pq.ntuples(res) == 1 &&
		!(*who = ferry__strdup(pq.getvalue(res, 0, 0))))
		rc = ferry__error_oom(err);
	*held = *who != NULL;
	pq.clear(res);
	return rc;
}
