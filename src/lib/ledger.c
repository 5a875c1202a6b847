/* SPDX-License-Identifier: MIT */
/*
 * ledger.c - ferry's own tables: one row per applied migration in
 * ferry_migrations, and an append-only audit log in ferry_history.
 *
 * The SQL here is the same on every engine ($1-style parameters, plain
 * types); only the CREATE TABLE statements come from the driver. Rows carry
 * enough (release, whether a finish section exists) for an older release of
 * the files to understand a newer database.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS \
	"version, name, state, release, has_finish, up_checksum, " \
	"finish_checksum, down_checksum, up_at, up_ms, finish_at, finish_ms, " \
	"applied_by, ferry_version, failed_section, failed_statement, " \
	"progress, error"
#define NCOLUMNS 18

/* A loaded row's strings share one block, which starts with its name. */
static void row_clear(ferry__row *r)
{
	free(r->name);
	memset(r, 0, sizeof(*r));
}

void ferry__ledger_clear(ferry__ledger *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		row_clear(&l->rows[i]);
	free(l->rows);
	ferry__repeatables_clear(l);
	memset(l, 0, sizeof(*l));
}

static int64_t to_int(const char *s, int64_t none)
{
	return s ? strtoll(s, NULL, 10) : none;
}

typedef struct {
	ferry__ledger *l;
	size_t alloc;
	int oom;
} load_ctx;

/*
 * The text columns, in the order of COLUMNS, name first. A ledger of
 * thousands of rows is read on every run: one allocation per row, not one
 * per value, is a tenth of a no-op's time saved.
 */
static const int text_columns[] = { 1, 2, 3, 5, 6, 7, 8, 10, 12, 13, 14, 16,
	17 };
#define NTEXT (sizeof(text_columns) / sizeof(text_columns[0]))

/* Copy the row's strings into one block; NULL stays NULL. */
static int copy_texts(char *out[NTEXT], const char *const *v)
{
	size_t i, total = 0;
	char *block, *p;

	for (i = 0; i < NTEXT; i++)
		if (v[text_columns[i]])
			total += strlen(v[text_columns[i]]) + 1;
	if (!v[1] || !(block = ferry__malloc(total)))
		return -1;
	for (p = block, i = 0; i < NTEXT; i++) {
		const char *s = v[text_columns[i]];
		size_t n;

		out[i] = NULL;
		if (!s)
			continue;
		n = strlen(s) + 1;
		memcpy(p, s, n);
		out[i] = p;
		p += n;
	}
	return 0;
}

static int load_row(void *payload, int ncols, const char *const *v)
{
	load_ctx *ctx = payload;
	char *t[NTEXT];
	ferry__row *r;

	if (ncols < NCOLUMNS)
		return 1;
	if (FERRY__GROW(ctx->l->rows, ctx->alloc, ctx->l->n + 1, 64) < 0) {
		ctx->oom = 1;
		return 1;
	}
	r = &ctx->l->rows[ctx->l->n++];
	memset(r, 0, sizeof(*r));
	r->version = to_int(v[0], 0);
	r->has_finish = to_int(v[4], 0) != 0;
	r->up_ms = to_int(v[9], -1);
	r->finish_ms = to_int(v[11], -1);
	r->failed_statement = (int)to_int(v[15], 0);
	/* name and state are NOT NULL columns: NULL can only be OOM. */
	if (!v[2] || copy_texts(t, v) < 0) {
		ctx->l->n--;
		ctx->oom = 1;
		return 1;
	}
	r->name = t[0];
	r->state_text = t[1];
	r->state = ferry__state_parse(t[1]);
	r->release = t[2];
	r->up_checksum = t[3];
	r->finish_checksum = t[4];
	r->down_checksum = t[5];
	r->up_at = t[6];
	r->finish_at = t[7];
	r->applied_by = t[8];
	r->ferry_version = t[9];
	r->failed_section = t[10];
	r->progress = t[11];
	r->error = t[12];
	return 0;
}

static int not_a_ledger(ferry_db *db, ferry_error *err)
{
	char detail[sizeof(err->message)] = "";

	if (err)
		memcpy(detail, err->message, sizeof(detail));
	ferry__error_set(
		err, FERRY_EDB, "table '%s' is not a ferry ledger", db->table);
	ferry__error_detail(err, "%s", detail);
	ferry__error_hint(err,
		"another tool may own this table; keep ferry's ledger "
		"elsewhere with --table");
	return FERRY_EDB;
}

int ferry__ledger_load(ferry_db *db, ferry__ledger *out, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	load_ctx ctx = { out, 0, 0 };
	int rc, exists;

	memset(out, 0, sizeof(*out));
	ferry__buf_printf(&sql, "SELECT " COLUMNS " FROM %s ORDER BY version",
		db->qtable);
	if (sql.oom) {
		ferry__buf_release(&sql);
		return ferry__error_oom(err);
	}
	rc = db->drv->query_table(
		db, db->table, sql.buf, load_row, &ctx, &exists, err);
	ferry__buf_release(&sql);
	out->exists = rc == 0 && exists;
	if (rc == 0 && ctx.oom)
		rc = ferry__error_oom(err);
	else if (rc == FERRY_EDB)
		rc = not_a_ledger(db, err);
	if (rc < 0)
		ferry__ledger_clear(out);
	return rc;
}

int ferry__ledger_newest(
	ferry_db *db, char **version, char **release, ferry_error *err)
{
	ferry__ledger l = { 0 };
	const ferry__row *newest = NULL;
	char v[24];
	size_t i;
	int rc;

	*version = *release = NULL;
	if ((rc = ferry__ledger_load(db, &l, err)) < 0)
		return rc;
	for (i = 0; i < l.n; i++)
		if (l.rows[i].state != FERRY_STATE_FAILED)
			newest = &l.rows[i];
	if (newest) {
		snprintf(v, sizeof(v), "%lld", (long long)newest->version);
		*version = ferry__strdup(v);
		if (newest->release)
			*release = ferry__strdup(newest->release);
		if (!*version || (newest->release && !*release)) {
			free(*version);
			free(*release);
			*version = *release = NULL;
			rc = ferry__error_oom(err);
		}
	}
	ferry__ledger_clear(&l);
	return rc;
}

/*
 * Ledgers made by ferry 0.1.0 or older lack the `runner` column of
 * no-transaction sections' claims: add it, the first time a run writes. Older
 * ferry versions name their columns, so they read and write such a ledger
 * still.
 */
static int add_runner_column(ferry_db *db, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	int rc;

	ferry__buf_printf(
		&sql, "SELECT runner FROM %s WHERE 1 = 0", db->qtable);
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->query(db, sql.buf, NULL, 0, NULL, NULL, NULL);
	ferry__buf_release(&sql);
	if (rc == 0)
		return 0;
	ferry__buf_printf(
		&sql, "ALTER TABLE %s ADD COLUMN runner TEXT", db->qtable);
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->query(db, sql.buf, NULL, 0, NULL, NULL, err);
	ferry__buf_release(&sql);
	return rc;
}

int ferry__ledger_ensure(ferry_db *db, ferry_error *err)
{
	const ferry__driver *drv = db->drv;
	ferry__buf ddl = FERRY__BUF_INIT;
	int rc, a, b;

	if ((rc = drv->table_exists(db, db->table, &a, err)) < 0 ||
		(rc = drv->table_exists(db, db->history_table, &b, err)) < 0)
		return rc;
	if (a && b)
		return add_runner_column(db, err);
	if (db->drv->ledger_ddl(db, &ddl) < 0) {
		ferry__buf_release(&ddl);
		return ferry__error_oom(err);
	}
	if ((rc = db->drv->begin(db, err)) == 0) {
		rc = db->drv->run(db, ddl.buf, ddl.len, NULL, err);
		if (rc == 0)
			rc = db->drv->commit(db, err);
		if (rc < 0)
			db->drv->rollback(db);
	}
	ferry__buf_release(&ddl);
	/*
	 * Runners that the lock did not keep apart (a lock row that expired,
	 * test builds without the lock) race to make the tables, and the
	 * loser's CREATE TABLE IF NOT EXISTS fails on a catalog's unique
	 * index: the tables are there all the same, which is all it wanted.
	 */
	if (rc < 0 && rc != FERRY_ENOMEM &&
		drv->table_exists(db, db->table, &a, NULL) == 0 &&
		drv->table_exists(db, db->history_table, &b, NULL) == 0 && a &&
		b) {
		if (err)
			ferry_error_init(err);
		return add_runner_column(db, err);
	}
	if (rc < 0 && err && err->code != FERRY_ENOMEM &&
		err->code != FERRY_ELOCKED) {
		char detail[sizeof(err->message)];

		char state[sizeof(err->sqlstate)];

		memcpy(detail, err->message, sizeof(detail));
		memcpy(state, err->sqlstate, sizeof(state));
		ferry__error_set(err, rc, "cannot create the ledger table '%s'",
			db->table);
		ferry__error_detail(err, "%s", detail);
		memcpy(err->sqlstate, state, sizeof(state));
		if (!strcmp(state, "42501"))
			ferry__error_hint(err,
				"the database user may not create schema '%s' "
				"or tables in it: create it and grant CREATE "
				"on it, or keep the ledger elsewhere with "
				"--schema",
				db->schema);
	}
	return rc;
}

int ferry__changed_meanwhile(const ferry_migration *m, ferry_error *err)
{
	ferry__error_set(err, FERRY_EREFUSED,
		"migration '%s' changed in the ledger while ferry was working "
		"on it",
		m->id);
	ferry__error_hint(err,
		"another ferry ran at the same time; nothing was written: run "
		"the command again");
	return FERRY_EREFUSED;
}

static ferry__val text(const char *s)
{
	ferry__val v = { s ? FERRY__VAL_TEXT : FERRY__VAL_NULL, 0, s };

	return v;
}

static ferry__val integer(int64_t i)
{
	ferry__val v = { FERRY__VAL_INT, i, NULL };

	return v;
}

ferry__val ferry__val_ms(int64_t ms)
{
	ferry__val v = { ms < 0 ? FERRY__VAL_NULL : FERRY__VAL_INT, ms, NULL };

	return v;
}

/* A claim is a write that must change exactly one row: see
 * ferry__ledger_insert(). */
enum { PLAIN, CLAIM };

/* Run `sql`, released here. */
static int write_sql(ferry_db *db, ferry__buf *sql, const ferry__val *p, int n,
	int claim, ferry_error *err)
{
	int rc;

	if (sql->oom)
		rc = ferry__error_oom(err);
	else if (claim)
		rc = db->drv->claim(db, sql->buf, p, n, err);
	else
		rc = db->drv->query(db, sql->buf, p, n, NULL, NULL, err);
	ferry__buf_release(sql);
	return rc;
}

/*
 * The row as the run read it, as a condition: "WHERE version = $n AND
 * state = $n+1 AND ..." with its values from p[n - 1] on, the runner last
 * unless NULL. Returns how many parameters it took.
 */
static int as_read(ferry__buf *sql, ferry__val *p, int n, const ferry__row *r,
	const char *runner)
{
	p[n - 1] = integer(r->version);
	p[n] = text(ferry__row_state_text(r));
	p[n + 1] = text(r->failed_section ? r->failed_section : "");
	p[n + 2] = integer(r->failed_statement > 0 ? r->failed_statement : 0);
	ferry__buf_printf(sql,
		" WHERE version = $%d AND state = $%d AND "
		"COALESCE(failed_section, '') = $%d AND "
		"COALESCE(failed_statement, 0) = $%d",
		n, n + 1, n + 2, n + 3);
	if (!runner)
		return 4;
	p[n + 3] = text(runner);
	ferry__buf_printf(sql, " AND COALESCE(runner, '') = $%d", n + 4);
	return 5;
}

int ferry__ledger_insert(
	ferry_db *db, const ferry__row *r, const char *runner, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[NCOLUMNS + 1];

	p[0] = integer(r->version);
	p[1] = text(r->name);
	p[2] = text(ferry__row_state_text(r));
	p[3] = text(r->release);
	p[4] = integer(r->has_finish);
	p[5] = text(r->up_checksum);
	p[6] = text(r->finish_checksum);
	p[7] = text(r->down_checksum);
	p[8] = text(r->up_at);
	p[9] = ferry__val_ms(r->up_ms);
	p[10] = text(r->finish_at);
	p[11] = ferry__val_ms(r->finish_ms);
	p[12] = text(r->applied_by);
	p[13] = text(r->ferry_version);
	p[14] = text(r->failed_section);
	p[15] = r->failed_statement > 0 ? integer(r->failed_statement)
					: text(NULL);
	p[16] = text(r->progress);
	p[17] = text(r->error);
	p[18] = text(runner);
	ferry__buf_printf(&sql,
		"INSERT INTO %s (" COLUMNS ", runner) VALUES ($1, $2, $3, $4, "
		"$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
		"$18, $19)",
		db->qtable);
	return write_sql(db, &sql, p, NCOLUMNS + 1, CLAIM, err);
}

int ferry__ledger_take(
	ferry_db *db, const ferry__row *r, const char *runner, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[5];
	int n;

	ferry__buf_printf(&sql, "DELETE FROM %s", db->qtable);
	n = as_read(&sql, p, 1, r, runner);
	return write_sql(db, &sql, p, n, CLAIM, err);
}

int ferry__ledger_rerun(ferry_db *db, const ferry__row *r, const char *checksum,
	const char *at, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[8];
	int n;

	p[0] = text(checksum);
	p[1] = text(at);
	p[2] = text(ferry__actor(db));
	p[3] = text(FERRY_VERSION);
	ferry__buf_printf(&sql,
		"UPDATE %s SET up_checksum = $1, up_at = $2, applied_by = $3, "
		"ferry_version = $4",
		db->qtable);
	n = as_read(&sql, p, 5, r, NULL);
	return write_sql(db, &sql, p, 4 + n, CLAIM, err);
}

int ferry__ledger_record_complete(
	ferry_db *db, const ferry_migration *pub, ferry_error *err)
{
	const ferry__migration *m = FERRY__MIG(pub);
	char hex[3][65], at[32];
	ferry__row r;
	int k, rc;

	memset(&r, 0, sizeof(r));
	for (k = 0; k < FERRY__NSECTIONS; k++)
		ferry__hex(hex[k], m->sec[k].sha);
	ferry__utc_now(at);
	r.version = pub->version;
	r.name = (char *)pub->name;
	r.state = FERRY_STATE_COMPLETE;
	r.release = (char *)pub->release;
	r.has_finish = pub->has_finish;
	r.up_checksum = hex[FERRY__UP];
	r.finish_checksum = pub->has_finish ? hex[FERRY__FINISH] : NULL;
	r.down_checksum = pub->has_down ? hex[FERRY__DOWN] : NULL;
	r.up_at = at;
	r.up_ms = -1;
	r.finish_at = pub->has_finish ? at : NULL;
	r.finish_ms = -1;
	r.applied_by = (char *)ferry__actor(db);
	r.ferry_version = (char *)FERRY_VERSION;
	rc = ferry__ledger_insert(db, &r, NULL, err);
	return rc == FERRY__ECLAIMED ? ferry__changed_meanwhile(pub, err) : rc;
}

int ferry__ledger_adopt(ferry_db *db, const ferry__row *r,
	const char *const sums[3], ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[8];
	int n;

	p[0] = text(sums[FERRY__UP]);
	p[1] = text(sums[FERRY__FINISH]);
	p[2] = integer(sums[FERRY__FINISH] != NULL);
	p[3] = text(sums[FERRY__DOWN]);
	ferry__buf_printf(&sql,
		"UPDATE %s SET up_checksum = $1, finish_checksum = $2, "
		"has_finish = $3, down_checksum = $4",
		db->qtable);
	n = as_read(&sql, p, 5, r, NULL);
	return write_sql(db, &sql, p, 4 + n, CLAIM, err);
}

int ferry__ledger_finish(ferry_db *db, const ferry__row *r, const char *runner,
	const char *checksum, const char *at, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[7];
	int n;

	p[0] = text(checksum);
	p[1] = text(at);
	ferry__buf_printf(&sql,
		"UPDATE %s SET state = 'complete', finish_checksum = $1, "
		"finish_at = $2, failed_section = NULL, failed_statement = "
		"NULL, progress = NULL, error = NULL, runner = NULL",
		db->qtable);
	n = as_read(&sql, p, 3, r, runner);
	return write_sql(db, &sql, p, 2 + n, CLAIM, err);
}

int ferry__ledger_start(ferry_db *db, const ferry__row *r, const char *section,
	const char *runner, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[6];
	int n;

	p[0] = text(section);
	p[1] = text(runner);
	ferry__buf_printf(&sql,
		"UPDATE %s SET state = 'failed', failed_section = $1, "
		"failed_statement = 1, progress = NULL, error = NULL, runner = "
		"$2",
		db->qtable);
	n = as_read(&sql, p, 3, r, NULL);
	return write_sql(db, &sql, p, 2 + n, CLAIM, err);
}

int ferry__ledger_resume(ferry_db *db, const ferry__row *r,
	const char *old_runner, const char *runner, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[6];
	int n;

	p[0] = text(runner);
	ferry__buf_printf(
		&sql, "UPDATE %s SET runner = $1, error = NULL", db->qtable);
	n = as_read(&sql, p, 2, r, old_runner ? old_runner : "");
	return write_sql(db, &sql, p, 1 + n, CLAIM, err);
}

int ferry__ledger_progress(ferry_db *db, int64_t version, const char *runner,
	int statement, const char *progress, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[4];

	p[0] = integer(version);
	p[1] = text(runner);
	p[2] = integer(statement);
	p[3] = text(progress);
	ferry__buf_printf(&sql,
		"UPDATE %s SET failed_statement = $3, progress = $4 WHERE "
		"version = $1 AND state = 'failed' AND runner = $2",
		db->qtable);
	return write_sql(db, &sql, p, 4, CLAIM, err);
}

int ferry__ledger_failed(ferry_db *db, int64_t version, const char *runner,
	int statement, const char *progress, const char *error,
	ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[5];

	p[0] = integer(version);
	p[1] = text(runner);
	p[2] = integer(statement);
	p[3] = text(progress);
	p[4] = text(error);
	ferry__buf_printf(&sql,
		"UPDATE %s SET failed_statement = $3, progress = $4, error = "
		"$5 WHERE version = $1 AND state = 'failed' AND runner = $2",
		db->qtable);
	return write_sql(db, &sql, p, 5, PLAIN, err);
}

int ferry__ledger_up_done(
	ferry_db *db, const ferry__row *r, const char *runner, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[9];

	p[0] = integer(r->version);
	p[1] = text(runner);
	p[2] = text(ferry__row_state_text(r));
	p[3] = text(r->up_checksum);
	p[4] = text(r->finish_checksum);
	p[5] = text(r->down_checksum);
	p[6] = integer(r->has_finish);
	p[7] = text(r->up_at);
	p[8] = ferry__val_ms(r->up_ms);
	ferry__buf_printf(&sql,
		"UPDATE %s SET state = $3, up_checksum = $4, finish_checksum = "
		"$5, down_checksum = $6, has_finish = $7, up_at = $8, up_ms = "
		"$9, failed_section = NULL, failed_statement = NULL, progress = "
		"NULL, error = NULL, runner = NULL WHERE version = $1 AND "
		"state = 'failed' AND runner = $2",
		db->qtable);
	return write_sql(db, &sql, p, 9, CLAIM, err);
}

int ferry__ledger_set_ms(ferry_db *db, int64_t version, int k,
	ferry__val duration, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[2];

	p[0] = integer(version);
	p[1] = duration;
	ferry__buf_printf(&sql, "UPDATE %s SET %s = $2 WHERE version = $1",
		db->qtable, k == FERRY__FINISH ? "finish_ms" : "up_ms");
	return write_sql(db, &sql, p, 2, PLAIN, err);
}

static int runner_row(void *payload, int ncols, const char *const *v)
{
	char **out = payload;

	if (ncols > 0 && v[0] && !(*out = ferry__strdup(v[0])))
		return -1;
	return 1;
}

int ferry__ledger_runner(
	ferry_db *db, int64_t version, char **out, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p = integer(version);
	int rc;

	*out = NULL;
	ferry__buf_printf(
		&sql, "SELECT runner FROM %s WHERE version = $1", db->qtable);
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->query(db, sql.buf, &p, 1, runner_row, out, err);
	ferry__buf_release(&sql);
	return rc;
}

int ferry__history_add(
	ferry_db *db, const ferry__history_rec *rec, ferry_error *err)
{
	const ferry_migration *m = rec->migration;
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[10];
	char at[32];

	ferry__utc_now(at);
	p[0] = text(at);
	p[1] = text(rec->action);
	p[2] = m && !m->repeatable ? integer(m->version) : text(NULL);
	p[3] = text(m ? m->name : NULL);
	p[4] = text(m ? m->release : NULL);
	p[5] = text(ferry__actor(db));
	p[6] = rec->duration;
	p[7] = integer(rec->success);
	p[8] = text(rec->error);
	p[9] = text(FERRY_VERSION);
	ferry__buf_printf(&sql,
		"INSERT INTO %s (at, action, version, name, release, actor, "
		"duration_ms, success, error, ferry_version) VALUES ($1, $2, "
		"$3, $4, $5, $6, $7, $8, $9, $10)",
		db->qhistory);
	return write_sql(db, &sql, p, 10, PLAIN, err);
}
