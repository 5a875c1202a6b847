/* SPDX-License-Identifier: MIT */
/*
 * run.c - running sections: `up`, `finish`, `migrate`, `bootstrap`,
 * `rollback` and `down` share one machine (the runner lock around a run,
 * refusals, sections in or out of a transaction, resuming a no-transaction
 * section); plan.c decides which sections run.
 *
 * The order of a run is fixed: read the ledger, refuse what is unsafe,
 * plan, lock and do all of that again, check every planned section's
 * statements, and only then apply, so a refusal or a bad file never leaves
 * half a run.
 */
#include "ferry_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

/* Files kept in memory between the check and the run; beyond, read twice. */
#define TEXT_CACHE_BYTES (8u << 20)

struct ferry_report {
	ferry_step *steps;
	size_t n;
	size_t alloc;
	int waited;
	char *version;	  /* newest applied version after the run, or NULL */
	char *release;	  /* its release, or NULL */
	char *checkpoint; /* the unfinished checkpoint `up` stopped at */
	int other_runner; /* another runner applied a step meanwhile */
	size_t baselined; /* migrations --baseline recorded first */
};

const char *ferry_report_checkpoint(const ferry_report *r)
{
	return r ? r->checkpoint : NULL;
}

const char *ferry_report_version(const ferry_report *r)
{
	return r ? r->version : NULL;
}

const char *ferry_report_release(const ferry_report *r)
{
	return r ? r->release : NULL;
}

size_t ferry_report_count(const ferry_report *r)
{
	return r ? r->n : 0;
}

const ferry_step *ferry_report_at(const ferry_report *r, size_t i)
{
	return r && i < r->n ? &r->steps[i] : NULL;
}

const ferry_step *ferry_report_get(const ferry_report *r, size_t i)
{
	return ferry_report_at(r, i);
}

int ferry_report_waited(const ferry_report *r)
{
	return r ? r->waited : 0;
}

int ferry_report_other_runner(const ferry_report *r)
{
	return r ? r->other_runner : 0;
}

size_t ferry_report_baselined(const ferry_report *r)
{
	return r ? r->baselined : 0;
}

void ferry_report_free(ferry_report *r)
{
	if (!r)
		return;
	free(r->steps);
	free(r->version);
	free(r->release);
	free(r->checkpoint);
	free(r);
}

static int report_push(ferry_report *r, const char *action,
	const ferry_migration *m, int64_t ms, size_t resumed_at)
{
	if (FERRY__GROW(r->steps, r->alloc, r->n + 1, 32) < 0)
		return FERRY_ENOMEM;
	r->steps[r->n].action = action;
	r->steps[r->n].migration = m;
	r->steps[r->n].elapsed_ms = ms;
	r->steps[r->n].resumed_at = resumed_at;
	r->steps[r->n].not_tried = 0;
	r->steps[r->n].write_lock_ms = -1;
	r->steps[r->n].lock_retries = 0;
	r->n++;
	return 0;
}

/* What a step does, as reports and the history name it. */
static const char *step_action(const ferry__step *it)
{
	if (it->mig->pub.repeatable)
		return "repeatable";
	return it->rerun ? "rerun" : ferry__section_names[it->k];
}

/* What a run does, as its command names it. */
typedef enum { RUN_UP, RUN_FINISH, RUN_MIGRATE, RUN_DOWN, RUN_RERUN } run_kind;

typedef struct {
	ferry_db *db;
	const ferry_set *set;
	ferry__ledger ledger;
	ferry__pairs pairs;
	ferry_report *report;
	ferry__plan plan;
	run_kind kind;
	int64_t target;
	int allow_ooo;
	ferry__down_spec down;
	int single_transaction;
	int dry_run;
	int check;		   /* a trial in one transaction, rolled back */
	const ferry__step *failed; /* the step a failure belongs to */
	int wrote;		   /* the lock was taken to write */
	ferry__hasher hasher;
	int64_t rerun; /* RUN_RERUN: the version */
	int yes;       /* every confirmation is yes */
	int (*confirm)(const ferry_migration *, const char *, void *);
	void *confirm_payload;
	int strict;	 /* refuse what ferry_lint() says hurts live traffic */
	int allow_empty; /* run an up section ferry new never saw written */
} run_ctx;

static int run_begin(
	run_ctx *ctx, ferry_db *db, const ferry_set *set, ferry_error *err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->db = db;
	ctx->set = set;
	ctx->report = ferry__calloc(1, sizeof(*ctx->report));
	if (!ctx->report)
		return ferry__error_oom(err);
	ferry__hasher_init(&ctx->hasher);
	return 0;
}

/* Read the ledger (again) and pair it with the files. */
static int run_read(run_ctx *ctx, ferry_error *err)
{
	int rc;

	ferry__plan_clear(&ctx->plan);
	ferry__pairs_clear(&ctx->pairs);
	ferry__ledger_clear(&ctx->ledger);
	if ((rc = ferry__ledger_load(ctx->db, &ctx->ledger, err)) < 0 ||
		(rc = ferry__repeatables_load(
			 ctx->db, ctx->set, &ctx->ledger, err)) < 0 ||
		(rc = ferry__pairs_build(
			 &ctx->pairs, ctx->set, &ctx->ledger, err)) < 0)
		return rc;
	return 0;
}

static void run_end(run_ctx *ctx)
{
	if (ctx->db && ctx->db->locked)
		ferry__unlock(ctx->db);
	ferry__plan_clear(&ctx->plan);
	ferry__pairs_clear(&ctx->pairs);
	ferry__ledger_clear(&ctx->ledger);
	ferry_report_free(ctx->report);
	ferry__hasher_release(&ctx->hasher);
}

/* Decide the steps of the run from the ledger as last read. */
static int run_plan(run_ctx *ctx, ferry_error *err)
{
	ferry__plan_clear(&ctx->plan);
	switch (ctx->kind) {
	case RUN_UP:
		return ferry__plan_up(&ctx->plan, ctx->set, &ctx->pairs,
			ctx->target, ctx->allow_ooo, err);
	case RUN_FINISH:
		return ferry__plan_finish(
			&ctx->plan, ctx->set, &ctx->pairs, ctx->target, err);
	case RUN_MIGRATE:
		return ferry__plan_migrate(&ctx->plan, ctx->set, &ctx->pairs,
			ctx->target, ctx->allow_ooo, err);
	case RUN_RERUN:
		return ferry__plan_rerun(
			&ctx->plan, ctx->set, &ctx->pairs, ctx->rerun, err);
	case RUN_DOWN:
		break;
	}
	return ferry__plan_down(
		&ctx->plan, ctx->set, &ctx->pairs, &ctx->down, err);
}

/*
 * The step's file, read again and checked against the set (ferry never
 * runs bytes it did not just check), with its parameters bound; kept
 * until released.
 */
static int load_step(run_ctx *ctx, ferry__step *it, ferry_error *err)
{
	int rc;

	if (it->file.text)
		return 0;
	if (it->mig->code) {
		/* No file: an empty text, the sections the set has. */
		if (!(it->file.text = ferry__strdup("")))
			return ferry__error_oom(err);
		memcpy(it->file.sec, it->mig->sec, sizeof(it->file.sec));
		it->file.sec[FERRY__UP].offset = it->file.sec[FERRY__UP].len =
			0;
		return 0;
	}
	if ((rc = ferry__migration_load(
		     it->mig, &ctx->hasher, &it->file, err)) < 0)
		return rc;
	if ((rc = ferry__params_bind(ctx->db, it->mig, &it->file, err)) < 0)
		ferry__loaded_release(&it->file);
	return rc;
}

/*
 * The drivers' FERRY_EVENT_STATEMENTs are of the step's section from
 * statement `next` on, of `total` (0: not known); until db->stmt.m goes
 * back to NULL.
 */
static void statements_of(
	ferry_db *db, const ferry__step *it, size_t next, size_t total)
{
	db->stmt.m = &it->mig->pub;
	db->stmt.section = ferry__section_names[it->k];
	db->stmt.next = next;
	db->stmt.total = total;
}

/*
 * Checking statements before anything runs
 */

static void src_at(ferry__src *src, const ferry__migration *m,
	const ferry__loaded *f, int k, size_t offset)
{
	int line, col;

	ferry__text_pos(f->text + f->sec[k].offset, offset, &line, &col);
	src->file = ferry__section_path(m, k);
	src->line = f->sec[k].line + line - 1;
	src->column = col;
}

/* Say what the splitter found wrong, and where. */
int ferry__split_failed(ferry_error *err, const ferry__migration *m,
	const ferry__loaded *f, int k, const ferry__split_error *serr)
{
	ferry__src src;

	src_at(&src, m, f, k, serr->offset);
	if (strcmp(serr->what, "psql meta-command") == 0) {
		const char *p = f->text + f->sec[k].offset + serr->offset;
		size_t n = 1;

		while (n < 20 && p[n] && p[n] != ' ' && p[n] != '\n')
			n++;
		ferry__error_set(err, FERRY_EINVALID,
			"psql meta-command '%.*s' in migration '%s'", (int)n, p,
			m->pub.id);
		ferry__error_hint(err,
			"ferry runs SQL, not psql scripts; write the SQL the "
			"command stands for");
	} else {
		ferry__error_set(err, FERRY_EINVALID, "%s in migration '%s'",
			serr->what, m->pub.id);
		ferry__error_hint(err, "%s",
			serr->hint
				? serr->hint
				: "close "
				  "it; everything after it would be read as part of it");
	}
	ferry__error_at(err, src.file, src.line, src.column);
	return FERRY_EINVALID;
}

/* All statements of a section, for running them one by one. */
static int split_section(ferry__spans *out, ferry_db *db,
	const ferry__migration *m, const ferry__loaded *f, int k,
	ferry_error *err)
{
	ferry__split_error serr = { 0, NULL, NULL };
	int rc;

	rc = ferry__split_blocks(out, f->text + f->sec[k].offset, f->sec[k].len,
		f->sec[k].blocks, db->drv->dialect, &serr);
	if (rc == FERRY_ENOMEM)
		return ferry__error_oom(err);
	return rc < 0 ? ferry__split_failed(err, m, f, k, &serr) : 0;
}

typedef struct {
	ferry_db *db;
	const ferry__migration *m;
	const ferry__loaded *f;
	int k;
	ferry_error *err;
	size_t n; /* statements seen */
} check_ctx;

/*
 * A directive stands between statements; one inside a statement (or a
 * trigger's body) would say nothing of any: refused, never ignored.
 */
static int directive_inside(
	check_ctx *c, const char *body, size_t offset, size_t len)
{
	size_t at = ferry__directive_within(body + offset, len);
	ferry__src src;

	if (at == len)
		return 0;
	src_at(&src, c->m, c->f, c->k, offset + at);
	ferry__error_set(c->err, FERRY_EINVALID,
		"a '-- ferry:' directive inside a statement of migration '%s'",
		c->m->pub.id);
	ferry__error_hint(c->err,
		"put it on its own line before the statement it is about, "
		"after the ';' of the one before");
	ferry__error_at(c->err, src.file, src.line, 1);
	return FERRY_EINVALID;
}

/* One statement of a transactional section: may it run in ferry's? */
static int check_stmt(void *payload, size_t offset, size_t len)
{
	check_ctx *c = payload;
	const char *body = c->f->text + c->f->sec[c->k].offset, *what;
	const char *name = ferry__section_names[c->k], *foreign;
	ferry__stmt_kind kind;
	ferry__src src;

	c->n++;
	if (directive_inside(c, body, offset, len) < 0)
		return FERRY_EINVALID;
	kind = ferry__stmt_classify(
		body + offset, len, c->db->drv->dialect, &what);
	if (kind == FERRY__STMT_PLAIN &&
		ferry__pooler_refuse_stmt(
			c->db, &c->m->pub, body + offset, len, c->err) == 0)
		return 0;
	src_at(&src, c->m, c->f, c->k, offset);
	if (kind == FERRY__STMT_PLAIN) {
		ferry__error_at(c->err, src.file, src.line, src.column);
		return FERRY_EREFUSED;
	}
	/* Another tool's set: that tool's way, which ferry reads. */
	foreign = ferry__format_no_txn_hint(c->m, c->k);
	if (kind == FERRY__STMT_TXN_CONTROL) {
		ferry__error_set(c->err, FERRY_EINVALID,
			"%s in migration '%s' would end ferry's transaction",
			what, c->m->pub.id);
		if (foreign)
			ferry__error_hint(c->err,
				"remove it: ferry runs each section in a "
				"transaction; or %s",
				foreign);
		else
			ferry__error_hint(c->err,
				"remove it: ferry runs each section in a "
				"transaction; or mark the section '-- "
				"ferry:%s no-transaction'",
				name);
	} else {
		ferry__error_set(c->err, FERRY_EINVALID,
			"%s cannot run inside a transaction (migration '%s')",
			what, c->m->pub.id);
		if (foreign)
			ferry__error_hint(c->err, "%s", foreign);
		else
			ferry__error_hint(c->err,
				"mark the section '-- ferry:%s "
				"no-transaction'",
				name);
	}
	ferry__error_at(c->err, src.file, src.line, src.column);
	return FERRY_EINVALID;
}

/* One statement of a no-transaction section: BEGIN and COMMIT are the
 * author's. */
static int no_check(void *payload, size_t offset, size_t len)
{
	check_ctx *c = payload;

	return directive_inside(
		c, c->f->text + c->f->sec[c->k].offset, offset, len);
}

/*
 * Refuse, before anything runs, text that cannot be cut into statements and
 * statements that would end, or cannot run in, ferry's transaction. In a
 * no-transaction section, BEGIN and COMMIT are the author's. Statements are
 * looked at one at a time: no memory grows with their number.
 */
static int check_section(ferry_db *db, const ferry__migration *m,
	ferry__loaded *f, int k, ferry_error *err)
{
	check_ctx c = { db, m, f, k, err, 0 };
	ferry__split_error serr = { 0, NULL, NULL };
	int rc;

	if (!f->sec[k].present)
		return 0;
	rc = ferry__split_blocks_each(f->text + f->sec[k].offset, f->sec[k].len,
		f->sec[k].blocks, db->drv->dialect,
		f->sec[k].no_transaction ? no_check : check_stmt, &c, &serr);
	if (rc == FERRY_EINVALID && serr.what)
		return ferry__split_failed(err, m, f, k, &serr);
	f->nstatements = c.n;
	return rc;
}

/* The section's parameters can be put in: refused now, not half way. */
static int check_params(const ferry__migration *m, const ferry__loaded *f,
	int k, ferry_error *err)
{
	ferry__src src = { ferry__section_path(m, k), f->sec[k].line, 1 };
	ferry__buf put = FERRY__BUF_INIT;
	int rc;

	if (f->nparams == 0 || !f->sec[k].present)
		return 0;
	rc = ferry__params_apply(f, f->text + f->sec[k].offset, f->sec[k].len,
		&src, 0, &put, err);
	ferry__buf_release(&put);
	return rc < 0 ? rc : 0;
}

static int check_steps(run_ctx *ctx, ferry_error *err)
{
	size_t i, cached = 0;
	int rc;

	for (i = 0; i < ctx->plan.n; i++) {
		ferry__step *it = &ctx->plan.v[i];
		const ferry__migration *m = it->mig;
		int k = it->k;

		/* Behind a transaction pooler: what needs one session. */
		if ((rc = ferry__pooler_refuse_section(ctx->db, &m->pub,
			     ferry__section_names[k], m->sec[k].no_transaction,
			     ctx->single_transaction, err)) < 0)
			return rc;
		if (ctx->single_transaction && m->sec[k].no_transaction) {
			ferry__error_set(err, FERRY_EINVALID,
				"cannot run migration '%s' in a single "
				"transaction",
				m->pub.id);
			ferry__error_detail(err,
				"its %s section is marked no-transaction",
				ferry__section_names[k]);
			ferry__error_hint(
				err, "run without --single-transaction");
			return FERRY_EINVALID;
		}
		if ((rc = load_step(ctx, it, err)) < 0)
			return rc;
		rc = check_section(ctx->db, m, &it->file, k, err);
		if (rc == 0)
			rc = check_params(m, &it->file, k, err);
		if (rc < 0 || cached + it->file.len > TEXT_CACHE_BYTES)
			ferry__loaded_release(&it->file);
		else
			cached += it->file.len;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Running sections
 */

/*
 * "migration 'x' failed", the engine's words kept as the detail, and a
 * hint that says what stayed applied: with `whole_run`, nothing of the
 * run (--single-transaction).
 */
static void wrap_failure(ferry_error *err, const ferry__step *it, int whole_run)
{
	char detail[sizeof(ferry_error)]; /* message, ": ", detail */
	const ferry__migration *m = it->mig;

	if (!err || err->code == FERRY_ENOMEM)
		return;
	snprintf(detail, sizeof(detail), "%s%s%s", err->message,
		err->detail[0] ? ": " : "", err->detail);
	if (it->k == FERRY__UP)
		snprintf(err->message, sizeof(err->message),
			"migration '%s' failed", m->pub.id);
	else
		snprintf(err->message, sizeof(err->message),
			"%s section of migration '%s' failed",
			ferry__section_names[it->k], m->pub.id);
	if (!err->hint[0] && whole_run)
		snprintf(err->hint, sizeof(err->hint),
			"the whole run was rolled back, nothing of it was "
			"applied; fix it and run again");
	else if (!err->hint[0] && m->sec[it->k].no_transaction)
		snprintf(err->hint, sizeof(err->hint),
			"the statements before this one stay applied; fix it "
			"and run again to resume here");
	else if (!err->hint[0])
		snprintf(err->hint, sizeof(err->hint),
			"nothing of it was %s; fix it and run again",
			it->k == FERRY__DOWN ? "reverted" : "applied");
	snprintf(err->detail, sizeof(err->detail), "%.*s",
		(int)sizeof(err->detail) - 1, detail);
}

/*
 * The failure as the history keeps it, as the CLI shows it:
 * "file:line:col: message (SQLSTATE x)".
 */
static void failure_text(char *buf, size_t size, const ferry_error *err)
{
	char state[24] = "";

	if (!err) {
		snprintf(buf, size, "failed");
		return;
	}
	if (err->sqlstate[0])
		snprintf(state, sizeof(state), " (SQLSTATE %s)", err->sqlstate);
	if (err->file[0])
		snprintf(buf, size, "%s:%d:%d: %s%s", err->file, err->line,
			err->column,
			err->detail[0] ? err->detail : err->message, state);
	else
		snprintf(buf, size, "%s%s",
			err->detail[0] ? err->detail : err->message, state);
}

static void record_failure(
	ferry_db *db, const ferry__step *it, int64_t ms, const ferry_error *err)
{
	ferry__history_rec rec = { ferry__interrupted(db) ? "interrupted"
							  : step_action(it),
		&it->mig->pub, ferry__val_ms(ms), 0, NULL };
	char text[1400];

	failure_text(text, sizeof(text), err);
	rec.error = text;
	/* Best effort: the migration's own error is what the user needs. */
	(void)ferry__history_add(db, &rec, NULL);
}

/* The ledger row of a migration whose `up` section just ran. */
static void up_row(ferry__row *r, ferry_db *db, const ferry__migration *m,
	char hex[3][65], const char *at, int64_t ms)
{
	int k;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < FERRY__NSECTIONS; k++)
		ferry__hex(hex[k], m->sec[k].sha);
	r->version = m->pub.version;
	r->name = (char *)m->pub.name;
	r->state = m->pub.has_finish ? FERRY_STATE_UP : FERRY_STATE_COMPLETE;
	r->release = (char *)m->pub.release;
	r->has_finish = m->pub.has_finish;
	r->up_checksum = hex[FERRY__UP];
	r->finish_checksum = m->pub.has_finish ? hex[FERRY__FINISH] : NULL;
	r->down_checksum = m->pub.has_down ? hex[FERRY__DOWN] : NULL;
	r->up_at = (char *)at;
	r->up_ms = ms;
	r->finish_ms = -1;
	r->applied_by = (char *)ferry__actor(db);
	r->ferry_version = (char *)FERRY_VERSION;
}

/*
 * The row a step finds: as the run read it, or, for a finish section,
 * as the run's own up section just left it.
 */
static const ferry__row *found_row(const ferry__step *it, ferry__row *tmp)
{
	if (it->row &&
		!(it->k == FERRY__FINISH &&
			ferry__row_resumable(it->row, FERRY__UP)))
		return it->row;
	memset(tmp, 0, sizeof(*tmp));
	tmp->version = it->mig->pub.version;
	tmp->state = FERRY_STATE_UP;
	return tmp;
}

/*
 * Claim a transactional section's migration in the ledger, inside the
 * section's own transaction and before its SQL: a new row for up, the row
 * as read for finish and down. Another runner that got there first makes
 * this fail, and the transaction with it (FERRY__ECLAIMED).
 */
static int claim_step(ferry_db *db, const ferry__step *it, ferry_error *err)
{
	const ferry__migration *m = it->mig;
	char hex[3][65], at[32];
	ferry__row row;

	ferry__utc_now(at);
	if (m->pub.repeatable)
		return ferry__repeatable_claim(db, m, it->row, err);
	if (it->rerun) {
		ferry__hex(hex[0], m->sec[FERRY__UP].sha);
		return ferry__ledger_rerun(db, it->row, hex[0], at, err);
	}
	if (it->k == FERRY__UP) {
		up_row(&row, db, m, hex, at, -1);
		return ferry__ledger_insert(db, &row, NULL, err);
	}
	if (it->k == FERRY__FINISH) {
		ferry__hex(hex[0], m->sec[FERRY__FINISH].sha);
		return ferry__ledger_finish(db, found_row(it, &row), NULL,
			m->sec[FERRY__FINISH].present ? hex[0] : NULL, at, err);
	}
	return ferry__ledger_take(db, it->row, NULL, err);
}

/* A section's history row, with the values of its file's parameters. */
static int add_history(ferry_db *db, const ferry__step *it,
	ferry__history_rec *rec, ferry_error *err)
{
	ferry__buf note = FERRY__BUF_INIT;
	int rc;

	ferry__params_note(&it->file, &note);
	if (note.oom)
		return ferry__error_oom(err);
	rec->error = note.len ? note.buf : NULL;
	rc = ferry__history_add(db, rec, err);
	ferry__buf_release(&note);
	return rc;
}

/*
 * After a claimed section ran, in its transaction: how long it took (as
 * the engine measured it), and the history.
 */
static int record_step(ferry_db *db, const ferry__step *it, ferry_error *err)
{
	const ferry__migration *m = it->mig;
	ferry__val took = { FERRY__VAL_SECTION_MS, 0, NULL };
	ferry__history_rec rec = { step_action(it), &m->pub, took, 1, NULL };
	int rc = 0;

	if (m->pub.repeatable)
		rc = ferry__repeatable_set_ms(db, m, err);
	else if (it->k != FERRY__DOWN)
		rc = ferry__ledger_set_ms(db, m->pub.version, it->k, took, err);
	return rc < 0 ? rc : add_history(db, it, &rec, err);
}

/*
 * This handle's name in the `runner` column of a no-transaction section
 * it claims: who it is, as waiters see it, and a random tag, so that no
 * two runners ever share one.
 */
static const char *runner_name(ferry_db *db)
{
	unsigned char r[6] = { 0 };
	char who[128];
	size_t i;

	if (db->runner[0])
		return db->runner;
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		uint64_t t = (uint64_t)ferry__wall_ns() ^ (uint64_t)getpid() ^
			(uint64_t)(uintptr_t)db;

		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(t >> (8 * i));
	}
	ferry__holder_text(db, who, sizeof(who));
	snprintf(db->runner, sizeof(db->runner),
		"%s, run %02x%02x%02x%02x%02x%02x", who, r[0], r[1], r[2], r[3],
		r[4], r[5]);
	return db->runner;
}

/*
 * Before the first statement of a no-transaction section, the runner
 * claims it: a new row failed at statement 1 for up, the row as read
 * turned to failed at statement 1 for finish and down. A kill then shows.
 */
static int claim_start(ferry_db *db, const ferry__step *it, ferry_error *err)
{
	const ferry__migration *m = it->mig;
	char hex[3][65], at[32];
	ferry__row row;

	if (it->k != FERRY__UP)
		return ferry__ledger_start(db, found_row(it, &row),
			ferry__section_names[it->k], runner_name(db), err);
	ferry__utc_now(at);
	up_row(&row, db, m, hex, at, -1);
	row.state = FERRY_STATE_FAILED;
	row.failed_section = (char *)ferry__section_names[it->k];
	row.failed_statement = 1;
	return ferry__ledger_insert(db, &row, runner_name(db), err);
}

/*
 * Take over a failed section from the runner that left it, named in its
 * row: of two runners that try at once, one wins. A runner that holds the
 * runner lock takes over only from one that is gone; were the lock
 * broken, a runner still at work would lose the section at its next
 * statement (ferry__ledger_progress()), having run at most the one
 * statement it was in a second time.
 */
static int claim_resume(ferry_db *db, const ferry__step *it, ferry_error *err)
{
	char *old = NULL;
	int rc;

	if ((rc = ferry__ledger_runner(db, it->mig->pub.version, &old, err)) ==
		0)
		rc = ferry__ledger_resume(
			db, it->row, old, runner_name(db), err);
	free(old);
	return rc;
}

/*
 * The end of a no-transaction section that ran all `n` statements: the
 * runner's claim becomes the migration's new state.
 */
static int claim_end(ferry_db *db, const ferry__step *it, size_t n, int64_t ms,
	ferry_error *err)
{
	const ferry__migration *m = it->mig;
	ferry__history_rec rec = { ferry__section_names[it->k], &m->pub,
		ferry__val_ms(ms), 1, NULL };
	char hex[3][65], at[32];
	ferry__row row;
	int rc;

	ferry__utc_now(at);
	if (it->k == FERRY__UP) {
		up_row(&row, db, m, hex, at, ms);
		rc = ferry__ledger_up_done(db, &row, runner_name(db), err);
		return rc < 0 ? rc : add_history(db, it, &rec, err);
	}
	memset(&row, 0, sizeof(row));
	row.version = m->pub.version;
	row.state = FERRY_STATE_FAILED;
	row.failed_section = (char *)ferry__section_names[it->k];
	row.failed_statement = (int)n + 1;
	if (it->k == FERRY__FINISH) {
		ferry__hex(hex[0], m->sec[FERRY__FINISH].sha);
		rc = ferry__ledger_finish(
			db, &row, runner_name(db), hex[0], at, err);
		if (rc == 0)
			rc = ferry__ledger_set_ms(db, m->pub.version,
				FERRY__FINISH, ferry__val_ms(ms), err);
	} else {
		rc = ferry__ledger_take(db, &row, runner_name(db), err);
	}
	return rc < 0 ? rc : add_history(db, it, &rec, err);
}

/*
 * Hand [off, off + len) of a migration's text to the driver, with its
 * parameters put in, NUL-terminated as drivers want it: without
 * parameters, the byte after is set aside and put back.
 */
static int run_span(ferry_db *db, ferry__loaded *f, size_t off, size_t len,
	const ferry__src *src, ferry_error *err)
{
	ferry__buf put = FERRY__BUF_INIT;
	char *text = f->text, after = text[off + len];
	int rc;

	/* Between statements, a no-transaction section and batches stop. */
	if (ferry__interrupted(db))
		return ferry__error_interrupted(err);
	if ((rc = ferry__params_apply(f, text + off, len, src, 0, &put, err)) <
		0) {
		ferry__buf_release(&put);
		return rc;
	}
	if (rc > 0) {
		rc = db->drv->run(db, ferry__buf_cstr(&put), put.len, src, err);
		ferry__buf_release(&put);
		return rc;
	}
	text[off + len] = '\0';
	rc = db->drv->run(db, text + off, len, src, err);
	text[off + len] = after;
	return rc;
}

/* Before (`whole`) and after a section: see ferry__driver.reset_session. */
static int reset_session(ferry_db *db, int whole, ferry_error *err)
{
	return db->drv->reset_session ? db->drv->reset_session(db, whole, err)
				      : 0;
}

/*
 * Preconditions
 *
 * A statement under `-- ferry:require MESSAGE` is a query, not work: it
 * runs before its section (before the section's transaction and the
 * ledger claim) and must return true in its first column. When it does
 * not, the run is refused (exit 5) with MESSAGE as the hint: nothing
 * changed, so no history. The section then runs without it.
 */

/* Is text[from, to) a gap with a require directive in it? */
static int required_at(const char *body, size_t from, size_t to)
{
	const char *msg;
	size_t len;

	return ferry__require_find(body, from, to, &msg, &len);
}

/* The end of span i - 1: where the gap before span i starts. */
static size_t gap_start(const ferry__spans *spans, size_t i)
{
	return i ? spans->v[i - 1].offset + spans->v[i - 1].len : 0;
}

/* The first column of the first row: true as the engines write it. */
static int first_true(void *payload, int ncols, const char *const *v)
{
	static const char *const yes[] = { "1", "t", "true", "on", "yes" };
	int *out = payload;
	size_t i;

	for (i = 0; ncols > 0 && v[0] && i < sizeof(yes) / sizeof(*yes); i++)
		if (strcasecmp(v[0], yes[i]) == 0)
			*out = 1;
	return 1; /* no more rows */
}

static int precondition_failed(const ferry__migration *m, const ferry__src *src,
	const char *msg, size_t len, int rc, ferry_error *err)
{
	char detail[sizeof(err->message)];

	if (!err)
		return rc;
	if (rc == FERRY_EREFUSED) {
		ferry__error_set(err, FERRY_EREFUSED,
			"precondition of %s not met", m->pub.id);
		ferry__error_hint(err, "%.*s", (int)len, msg);
	} else if (rc != FERRY_ENOMEM) {
		snprintf(detail, sizeof(detail), "%s", err->message);
		ferry__error_set(err, rc,
			"precondition of %s could not be checked: %s",
			m->pub.id, detail);
		ferry__error_hint(err,
			"fix the query after '-- ferry:require'; nothing was "
			"changed");
	}
	ferry__error_at(err, src->file, src->line, src->column);
	return rc;
}

/*
 * Run the preconditions of the step's section, as loaded; 0 when they
 * all hold (or there are none). With `apart`, in a transaction of their
 * own that is rolled back: for a dry run, which must change nothing, and
 * touch nothing when there is nothing to check.
 */
static int check_preconditions(
	run_ctx *ctx, ferry__step *it, int apart, ferry_error *err)
{
	const ferry__migration *m = it->mig;
	const ferry__section *sec;
	ferry__text_cursor pos;
	ferry__spans spans;
	const char *body, *msg;
	size_t i, len;
	int rc;

	if ((rc = load_step(ctx, it, err)) < 0)
		return rc;
	sec = &it->file.sec[it->k];
	body = it->file.text + sec->offset;
	if (!required_at(body, 0, sec->len))
		return 0;
	if ((rc = split_section(&spans, ctx->db, m, &it->file, it->k, err)) < 0)
		return rc;
	if (apart && (rc = ctx->db->drv->begin(ctx->db, err)) < 0) {
		ferry__spans_clear(&spans);
		return rc;
	}
	pos = (ferry__text_cursor)FERRY__TEXT_CURSOR_INIT(body);
	for (i = 0; rc == 0 && i < spans.n; i++) {
		ferry__src src = { m->pub.path, 0, 0 };
		ferry__buf put = FERRY__BUF_INIT;
		char *sql;
		int yes = 0;

		if (!ferry__require_find(body, gap_start(&spans, i),
			    spans.v[i].offset, &msg, &len))
			continue;
		ferry__text_advance(
			&pos, spans.v[i].offset, &src.line, &src.column);
		src.line += sec->line - 1;
		if ((rc = ferry__params_apply(&it->file,
			     body + spans.v[i].offset, spans.v[i].len, &src, 0,
			     &put, err)) < 0) {
			ferry__buf_release(&put);
			break;
		}
		if (!(sql = rc > 0 ? ferry__buf_detach(&put)
				   : ferry__strndup(body + spans.v[i].offset,
					     spans.v[i].len))) {
			rc = ferry__error_oom(err);
			break;
		}
		rc = ctx->db->drv->query(
			ctx->db, sql, NULL, 0, first_true, &yes, err);
		free(sql);
		if (rc == 0 && !yes)
			rc = FERRY_EREFUSED;
		if (rc < 0)
			rc = precondition_failed(m, &src, msg, len, rc, err);
	}
	if (apart)
		ctx->db->drv->rollback(ctx->db);
	ferry__spans_clear(&spans);
	return rc;
}

/* Run section `k` of the file as it was just read and checked, without
 * the queries of its preconditions, which ran before it; up to `upto`
 * bytes of it. */
static int run_section(ferry_db *db, const ferry__migration *m,
	ferry__loaded *f, int k, size_t upto, ferry_error *err)
{
	const char *body = f->text + f->sec[k].offset;
	ferry__src src = { ferry__section_path(m, k), f->sec[k].line, 1 };
	ferry__text_cursor pos = FERRY__TEXT_CURSOR_INIT(body);
	ferry__spans spans;
	size_t i, from = 0;
	int rc;

	if (!required_at(body, 0, f->sec[k].len))
		return run_span(db, f, f->sec[k].offset, upto, &src, err);
	if ((rc = split_section(&spans, db, m, f, k, err)) < 0)
		return rc;
	/* The text between preconditions, each piece at its own place. */
	for (i = 0; rc == 0 && from < upto; i++) {
		size_t to = upto;

		for (; i < spans.n && spans.v[i].offset < upto; i++)
			if (required_at(body, gap_start(&spans, i),
				    spans.v[i].offset)) {
				to = spans.v[i].offset;
				break;
			}
		ferry__text_advance(&pos, from, &src.line, &src.column);
		src.line += f->sec[k].line - 1;
		if (to > from)
			rc = run_span(db, f, f->sec[k].offset + from, to - from,
				&src, err);
		if (to == upto)
			break;
		from = spans.v[i].offset + spans.v[i].len;
	}
	ferry__spans_clear(&spans);
	return rc;
}

static int run_transactional(run_ctx *ctx, ferry__step *it, ferry_error *err)
{
	int k = it->k;
	ferry_db *db = ctx->db;
	const ferry__migration *m = it->mig;
	int rc;

	if ((rc = load_step(ctx, it, err)) < 0)
		return rc;
	if (!ctx->single_transaction && (rc = db->drv->begin(db, err)) < 0)
		return rc;
	if ((rc = reset_session(db, 1, err)) < 0 ||
		(rc = db->drv->section_start(db, err)) < 0)
		return rc;
	/* Claimed first: a runner that comes second runs none of it. */
	if ((rc = claim_step(db, it, err)) < 0)
		return rc;
	/* PostgreSQL's come back at the commit (or the flush). */
	statements_of(db, it, 1, it->file.nstatements);
	rc = m->code
		? ferry__code_run(db, m, err)
		: run_section(db, m, &it->file, k, it->file.sec[k].len, err);
	if (rc == 0)
		rc = reset_session(db, 0, err);
	if (rc == 0)
		rc = record_step(db, it, err);
	if (rc == 0 && !ctx->single_transaction)
		rc = db->drv->commit(db, err);
	/* One transaction for the run: still, "ok" means the section ran. */
	else if (rc == 0 && db->drv->flush)
		rc = db->drv->flush(db, err);
	db->stmt.m = NULL;
	ferry__loaded_release(&it->file);
	return rc;
}

/* Short hash of one statement, to tell on resume whether it changed. */
static void stmt_hash(
	ferry__hasher *h, char out[17], const char *stmt, size_t len)
{
	unsigned char sha[32];
	char hex[65];

	ferry__sha256(h, sha, stmt, len);
	ferry__hex(hex, sha);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

/* Do the statements a failed run got through still read the same? */
static int check_resume(run_ctx *ctx, const ferry__migration *m,
	const ferry__row *row, const char *body, const ferry__spans *spans,
	ferry_error *err)
{
	const char *p = row->progress ? row->progress : "";
	size_t i,
		done = row->failed_statement > 0
		? (size_t)row->failed_statement - 1
		: 0;

	for (i = 0; i < done; i++) {
		char h[17];

		if (i < spans->n) {
			stmt_hash(&ctx->hasher, h, body + spans->v[i].offset,
				spans->v[i].len);
			if (strncmp(p, h, 16) == 0 &&
				(p[16] == ',' || p[16] == '\0')) {
				p += p[16] ? 17 : 16;
				continue;
			}
		}
		ferry__error_set(err, FERRY_EREFUSED,
			"statement %zu of migration '%s' changed after it ran",
			i + 1, m->pub.id);
		ferry__error_detail(err,
			"the section stopped at statement %d; statements "
			"before it ran and must stay as they were",
			row->failed_statement);
		ferry__error_hint(err,
			"restore statements 1 to %zu; fix only statement %d "
			"and those after it",
			done, row->failed_statement);
		return FERRY_EREFUSED;
	}
	return 0;
}

/*
 * Repeated statements
 *
 * A statement under `-- ferry:repeat` runs in a transaction of its own,
 * again and again, until it changes no row: a backfill in batches, each
 * committed. With each batch, in its transaction, a compare-and-set on
 * the runner's claim records how many batches and rows are done, as
 * "#<batches>:<rows>" after the statements' hashes in `progress`; the
 * batch that changes nothing moves the row past the statement instead.
 * So a kill or a failure loses no committed batch and re-runs none: the
 * statement's own WHERE leaves out what earlier batches did, and the next
 * run goes on with the loop, its counts carried on.
 */
typedef struct {
	int64_t batches; /* that changed rows, earlier runs' included */
	int64_t rows;
} batch_count;

/* "#<batches>:<rows>", the last entry of a progress text, taken off. */
static void take_batch_count(ferry__buf *progress, batch_count *n)
{
	char *hash = progress->buf ? strrchr(progress->buf, '#') : NULL;
	char *colon;

	memset(n, 0, sizeof(*n));
	if (!hash)
		return;
	n->batches = strtoll(hash + 1, &colon, 10);
	n->rows = *colon == ':' ? strtoll(colon + 1, NULL, 10) : 0;
	progress->len = (size_t)(hash - progress->buf);
	if (progress->len > 0)
		progress->len--; /* its comma */
	progress->buf[progress->len] = '\0';
}

/* `progress` and then `entry`, as the ledger row is to say. */
static const char *with_entry(
	ferry__buf *out, const ferry__buf *progress, const char *entry)
{
	ferry__buf_clear(out);
	ferry__buf_puts(out, ferry__buf_cstr(progress));
	if (progress->len)
		ferry__buf_puts(out, ",");
	ferry__buf_puts(out, entry);
	return out->oom ? NULL : out->buf;
}

static int too_many_batches(const ferry__migration *m, size_t i,
	const ferry__repeat *rep, const ferry__src *src, ferry_error *err)
{
	ferry__error_set(err, FERRY_EDB,
		"statement %zu of migration '%s' still changed rows after "
		"%" PRId64 " batches",
		i + 1, m->pub.id, rep->max_batches);
	ferry__error_hint(err,
		"a repeated statement must change no row in the end: make "
		"its WHERE leave out the rows it has done, or raise max= on "
		"'-- ferry:repeat', then run again to go on");
	ferry__error_at(err, src->file, src->line, src->column);
	return FERRY_EDB;
}

/*
 * Statement `i` of the section, at `span` of its text, under `rep`.
 * `progress` holds the hashes of the statements before it, `n` what
 * earlier runs did of it. On success the statement's hash is added to
 * `progress`; on failure the last batch is rolled back and `progress`
 * ends with the committed count, for the failed row.
 */
static int run_batches(run_ctx *ctx, ferry__step *it, size_t i,
	const ferry__span *span, const ferry__src *src,
	const ferry__repeat *rep, ferry__buf *progress, batch_count *n,
	ferry_error *err)
{
	ferry_db *db = ctx->db;
	const ferry__migration *m = it->mig;
	size_t at = it->file.sec[it->k].offset + span->offset;
	ferry__buf row = FERRY__BUF_INIT;
	char h[17], count[48];
	int rc = 0, tries = 0;

	stmt_hash(&ctx->hasher, h, it->file.text + at, span->len);
	for (;;) {
		ferry_event ev = { .type = FERRY_EVENT_BATCH };
		int64_t changed, t0 = ferry__now_ms();
		const char *now;

		if (db->drv->in_txn(db)) {
			rc = ferry__error_set(err, FERRY_EINVALID,
				"statement %zu of migration '%s' is repeated "
				"inside the section's own BEGIN",
				i + 1, m->pub.id);
			ferry__error_hint(err,
				"end that transaction before '-- ferry:repeat': "
				"each batch commits on its own");
			break;
		}
		if ((rc = db->drv->begin(db, err)) < 0)
			break;
		db->changes = 0;
		rc = run_span(db, &it->file, at, span->len, src, err);
		if (rc == 0 && db->drv->flush)
			rc = db->drv->flush(db, err);
		changed = db->changes;
		/* The batch after the last one allowed must change nothing. */
		if (rc == 0 && changed && n->batches >= rep->max_batches)
			rc = too_many_batches(m, i, rep, src, err);
		snprintf(count, sizeof(count), "#%" PRId64 ":%" PRId64,
			n->batches + 1, n->rows + changed);
		now = with_entry(&row, progress, changed ? count : h);
		if (rc == 0 && !now)
			rc = ferry__error_oom(err);
		/* Still ours? Else another runner took the section over. */
		if (rc == 0)
			rc = ferry__ledger_progress(db, m->pub.version,
				runner_name(db), (int)i + (changed ? 1 : 2),
				now, err);
		if (rc == 0)
			rc = db->drv->commit(db, err);
		if (rc < 0) {
			db->drv->rollback(db);
			/* Out of the lock budget, the batch alone rolled back. */
			if (!ferry__budget_retryable(db, err, tries))
				break;
			if ((rc = ferry__budget_wait(db, &m->pub,
				     ferry__section_names[it->k], ++tries,
				     err)) < 0)
				break;
			continue;
		}
		if (!changed) {
			ferry__buf_puts(progress, progress->len ? "," : "");
			ferry__buf_puts(progress, h);
			break;
		}
		n->batches++;
		n->rows += changed;
		ev.migration = &m->pub;
		ev.section = ferry__section_names[it->k];
		ev.statement = i + 1;
		ev.batch = n->batches;
		ev.rows = changed;
		ev.rows_total = n->rows;
		ev.elapsed_ms = ferry__now_ms() - t0;
		ferry__emit(db, &ev);
		if (rep->pause_ms)
			ferry__sleep_ms((int)rep->pause_ms);
	}
	if (rc < 0)
		ferry__budget_spent(db, err, tries);
	it->tries += tries;
	if (rc < 0 && n->batches) {
		if (err && !err->hint[0])
			ferry__error_hint(err,
				"its %" PRId64 " batch%s so far (%" PRId64
				" rows) stay%s committed; fix it and run "
				"again to go on with the next batch",
				n->batches, n->batches == 1 ? "" : "es",
				n->rows, n->batches == 1 ? "s" : "");
		snprintf(count, sizeof(count), "#%" PRId64 ":%" PRId64,
			n->batches, n->rows);
		if (with_entry(&row, progress, count)) {
			ferry__buf_clear(progress);
			ferry__buf_puts(progress, row.buf);
		}
	}
	ferry__buf_release(&row);
	return rc;
}

/*
 * The resume protocol of a no-transaction section
 *
 * Its statements run one by one, outside any transaction of ferry's, so
 * a kill can stop it anywhere; the ledger says where. Before the first
 * statement the runner claims the migration: its row becomes failed at
 * statement 1, `runner` naming this run (claim_start). After each
 * statement, a compare-and-set on that runner moves failed_statement on
 * and appends the statement's short hash to `progress`
 * (ferry__ledger_progress); a runner that finds the row no longer its own
 * stops there. A kill thus leaves the row at the first statement that did
 * not complete, and the next run checks that the statements before it
 * still hash the same (check_resume), takes the claim over (claim_resume)
 * and starts there.
 *
 * Inside an author's BEGIN ... COMMIT, the progress updates are part of
 * the author's transaction and roll back with it: `durable` is the last
 * statement whose progress is committed, the BEGIN's, and a failure
 * resumes there. At the end, one transaction of ferry's turns the claim
 * into the migration's new state (claim_end).
 */
/* One statement of a no-transaction section, and its event. */
static int run_statement(run_ctx *ctx, ferry__step *it,
	const ferry__spans *spans, size_t i, const ferry__src *src,
	ferry_error *err)
{
	ferry_db *db = ctx->db;
	int rc;

	statements_of(db, it, i + 1, spans->n);
	rc = run_span(db, &it->file,
		it->file.sec[it->k].offset + spans->v[i].offset,
		spans->v[i].len, src, err);
	db->stmt.m = NULL;
	return rc;
}

/*
 * A statement of a no-transaction section that ran out of the lock budget
 * rolled back alone, unless it ran in a BEGIN of the author's: then it is
 * tried again, as a transactional section is.
 */
static int run_statement_budgeted(run_ctx *ctx, ferry__step *it,
	const ferry__spans *spans, size_t i, const ferry__src *src,
	ferry_error *err)
{
	ferry_db *db = ctx->db;
	int tries = 0, rc, in_txn;

	for (;;) {
		in_txn = db->drv->in_txn(db);
		rc = run_statement(ctx, it, spans, i, src, err);
		if (rc == 0 || in_txn ||
			!ferry__budget_retryable(db, err, tries))
			break;
		if ((rc = ferry__budget_wait(db, &it->mig->pub,
			     ferry__section_names[it->k], ++tries, err)) < 0)
			return rc;
	}
	if (rc < 0)
		ferry__budget_spent(db, err, tries);
	it->tries += tries;
	return rc;
}

static int run_no_transaction(run_ctx *ctx, ferry__step *it, int64_t t0,
	size_t *resumed_at, ferry_error *err)
{
	int k = it->k;
	ferry_db *db = ctx->db;
	const ferry__migration *m = it->mig;
	ferry__buf progress = FERRY__BUF_INIT;
	ferry__spans spans = { NULL, 0, 0 };
	ferry__text_cursor pos = FERRY__TEXT_CURSOR_INIT(NULL);
	batch_count batches = { 0, 0 };
	const char *body;
	size_t i, start = 0, durable = 0, durable_len = 0;
	int rc;

	if ((rc = load_step(ctx, it, err)) < 0)
		return rc;
	body = it->file.text + it->file.sec[k].offset;
	if ((rc = split_section(&spans, db, m, &it->file, k, err)) < 0)
		goto out;
	if (ferry__row_resumable(it->row, k)) {
		if ((rc = check_resume(ctx, m, it->row, body, &spans, err)) <
				0 ||
			(rc = claim_resume(db, it, err)) < 0)
			goto out;
		start = (size_t)it->row->failed_statement - 1;
		ferry__buf_puts(
			&progress, it->row->progress ? it->row->progress : "");
		take_batch_count(&progress, &batches);
		durable = start;
		durable_len = progress.len;
		*resumed_at = start + 1;
		{
			ferry_event ev = { .type = FERRY_EVENT_RESUME };

			ev.migration = &m->pub;
			ev.section = ferry__section_names[k];
			ev.statement = start + 1;
			ferry__emit(db, &ev);
		}
	} else if ((rc = claim_start(db, it, err)) < 0) {
		goto out;
	}
	if ((rc = reset_session(db, 1, err)) < 0)
		goto out;
	pos.text = body;
	for (i = start; i < spans.n; i++) {
		ferry__src src = { m->pub.path, 0, 0 };
		ferry__repeat rep;
		char h[17];

		ferry__text_advance(
			&pos, spans.v[i].offset, &src.line, &src.column);
		src.line += it->file.sec[k].line - 1;
		if (required_at(
			    body, gap_start(&spans, i), spans.v[i].offset)) {
			rc = 0; /* a precondition: it ran before the section */
		} else if (ferry__repeat_find(body, gap_start(&spans, i),
				   spans.v[i].offset, &rep)) {
			rc = run_batches(ctx, it, i, &spans.v[i], &src, &rep,
				&progress, &batches, err);
			if (rc == FERRY__ECLAIMED || progress.oom) {
				rc = progress.oom ? ferry__error_oom(err) : rc;
				goto out;
			}
			if (durable == i) /* no BEGIN of the author's open */
				durable_len = progress.len;
			if (rc == 0) {
				durable = i + 1;
				memset(&batches, 0, sizeof(batches));
				continue;
			}
		} else {
			/* What an earlier run counted was another statement's,
			 * if the file no longer repeats this one. */
			memset(&batches, 0, sizeof(batches));
			rc = run_statement_budgeted(
				ctx, it, &spans, i, &src, err);
		}
		if (rc < 0) {
			char text[1400];

			/*
			 * Inside a BEGIN of the author's, the statements since
			 * it are undone with it, our progress rows too: resume
			 * from the last statement that stayed, the BEGIN.
			 */
			db->drv->rollback(db);
			(void)reset_session(db, 0, NULL);
			if (durable < i)
				ferry__error_hint(err,
					"statements %zu to %zu, from the "
					"section's BEGIN, were rolled back; "
					"fix it and run again to resume at "
					"statement %zu",
					durable + 1, i + 1, durable + 1);
			failure_text(text, sizeof(text), err);
			progress.len = durable_len;
			if (progress.buf)
				progress.buf[durable_len] = '\0';
			(void)ferry__ledger_failed(db, m->pub.version,
				runner_name(db), (int)durable + 1,
				ferry__buf_cstr(&progress), text, NULL);
			goto out;
		}
		stmt_hash(&ctx->hasher, h, body + spans.v[i].offset,
			spans.v[i].len);
		if (progress.len)
			ferry__buf_puts(&progress, ",");
		ferry__buf_puts(&progress, h);
		if (progress.oom) {
			rc = ferry__error_oom(err);
			goto out;
		}
		/* Still ours? Else another runner took the section over. */
		if ((rc = ferry__ledger_progress(db, m->pub.version,
			     runner_name(db), (int)i + 2, progress.buf, err)) <
			0) {
			db->drv->rollback(db);
			goto out;
		}
		if (!db->drv->in_txn(db)) {
			durable = i + 1;
			durable_len = progress.len;
		}
	}
	if (db->drv->in_txn(db)) {
		ferry__error_set(err, FERRY_EDB,
			"migration '%s' leaves a transaction open", m->pub.id);
		ferry__error_hint(err, "end the section's BEGIN with COMMIT");
		db->drv->rollback(db);
		rc = FERRY_EDB;
		goto out;
	}
	if ((rc = reset_session(db, 0, err)) == 0 &&
		(rc = db->drv->begin(db, err)) == 0) {
		rc = claim_end(db, it, spans.n, ferry__now_ms() - t0, err);
		if (rc == 0)
			rc = db->drv->commit(db, err);
	}
out:
	ferry__spans_clear(&spans);
	ferry__buf_release(&progress);
	ferry__loaded_release(&it->file);
	return rc;
}

/*
 * Another runner changed the ledger row this step claims: it applied the
 * section, or took over a no-transaction one. Whatever the runner lock
 * did, this run applies nothing of it; it says so and stops, and finds
 * the work done as a waiter does (FERRY__ECLAIMED, turned into success by
 * apply_all()). `it` is NULL when a whole run's transaction failed so.
 */
static int other_runner(run_ctx *ctx, const ferry__step *it, ferry_error *err)
{
	ferry_event ev = { .type = FERRY_EVENT_OTHER_RUNNER };

	if (err)
		ferry_error_init(err);
	if (it) {
		ev.migration = &it->mig->pub;
		ev.section = ferry__section_names[it->k];
	}
	ferry__emit(ctx->db, &ev);
	ctx->report->other_runner = 1;
	return FERRY__ECLAIMED;
}

/*
 * A failure that ferry_db_interrupt() caused (the engine's words say
 * "interrupted" or "canceling statement"): says so first, and keeps what
 * stayed applied in the hint.
 */
static int interrupted(ferry_error *err)
{
	char msg[sizeof(err->message)];

	if (!err || err->code == FERRY_EINTERRUPTED)
		return FERRY_EINTERRUPTED;
	if (strncmp(err->message, "interrupted", 11) != 0) {
		snprintf(msg, sizeof(msg), "interrupted: %.*s",
			(int)sizeof(msg) - 14, err->message);
		memcpy(err->message, msg, sizeof(msg));
	}
	err->code = FERRY_EINTERRUPTED;
	return FERRY_EINTERRUPTED;
}

/* The step was stopped by ferry_db_interrupt(): nothing to fix. */
static int step_interrupted(
	ferry_error *err, const ferry__step *it, int whole_run)
{
	const ferry__migration *m = it->mig;

	if (!err)
		return FERRY_EINTERRUPTED;
	err->code = FERRY_EINTERRUPTED;
	snprintf(err->message, sizeof(err->message),
		"migration '%s' was interrupted", m->pub.id);
	snprintf(err->hint, sizeof(err->hint), "%s",
		whole_run ? "the whole run was rolled back, nothing of it was "
			    "applied; run it again"
			: m->sec[it->k].no_transaction
			? "the statements before this one stay applied; run "
			  "again to resume here"
			: "nothing of it was applied; run the command again");
	return FERRY_EINTERRUPTED;
}

static int apply_step(run_ctx *ctx, size_t i, ferry_error *err)
{
	ferry_db *db = ctx->db;
	ferry__step *it = &ctx->plan.v[i];
	const ferry__migration *m = it->mig;
	const char *name = ferry__section_names[it->k];
	ferry_event ev = { .type = FERRY_EVENT_SECTION_START };
	int64_t t0 = ferry__now_ms();
	size_t resumed_at = 0;
	int rc;

	ev.migration = &m->pub;
	ev.section = name;
	ev.index = i + 1;
	ev.total = ctx->plan.n;
	ferry__emit(db, &ev);
	db->write_lock_ms = -1; /* the driver counts, if it can */
	/* Not met, or not to be checked: nothing changed, no history. */
	if ((rc = check_preconditions(ctx, it, 0, err)) < 0) {
		if (!ctx->single_transaction)
			db->drv->rollback(db);
		ferry__loaded_release(&it->file);
		return rc;
	}
	if (m->sec[it->k].no_transaction) {
		rc = run_no_transaction(ctx, it, t0, &resumed_at, err);
	} else if (ferry__row_resumable(it->row, it->k)) {
		ferry__error_set(err, FERRY_EREFUSED,
			"migration '%s' stopped half way, but its %s section "
			"is no longer no-transaction",
			m->pub.id, name);
		ferry__error_hint(err,
			"mark it '-- ferry:%s no-transaction' again so ferry "
			"can resume it at statement %d",
			name, it->row->failed_statement);
		return FERRY_EREFUSED;
	} else {
		rc = run_transactional(ctx, it, err);
		/* Out of the lock budget: it changed nothing, so try again. */
		while (rc < 0 && !ctx->single_transaction &&
			ferry__budget_retryable(db, err, it->tries)) {
			db->drv->rollback(db);
			if ((rc = ferry__budget_wait(
				     db, &m->pub, name, ++it->tries, err)) < 0)
				break;
			if ((rc = check_preconditions(ctx, it, 0, err)) < 0)
				break;
			rc = run_transactional(ctx, it, err);
		}
		if (rc < 0)
			ferry__budget_spent(db, err, it->tries);
	}
	if (rc == FERRY__ECLAIMED) {
		if (!ctx->single_transaction)
			db->drv->rollback(db);
		return other_runner(ctx, it, err);
	}
	if (rc < 0) {
		if (!ctx->single_transaction)
			db->drv->rollback(db);
		/* A refusal changed nothing, so it leaves no history. */
		if (rc == FERRY_EREFUSED)
			return rc;
		wrap_failure(err, it, ctx->single_transaction);
		if (ferry__interrupted(db))
			rc = step_interrupted(err, it, ctx->single_transaction);
		ctx->failed = it;
		if (!ctx->single_transaction)
			record_failure(db, it, ferry__now_ms() - t0, err);
		return rc;
	}
	ev.type = FERRY_EVENT_SECTION_DONE;
	ev.elapsed_ms = ferry__now_ms() - t0;
	ev.write_lock_ms = db->write_lock_ms;
	ferry__emit(db, &ev);
	if (report_push(ctx->report, step_action(it), &m->pub, ev.elapsed_ms,
		    resumed_at) < 0)
		return ferry__error_oom(err);
	ctx->report->steps[ctx->report->n - 1].lock_retries = it->tries;
	ctx->report->steps[ctx->report->n - 1].write_lock_ms =
		db->write_lock_ms;
	return 0;
}

/* The step a failure names by its file, else the last one of the run. */
static const ferry__step *step_of_error(run_ctx *ctx, const ferry_error *err)
{
	size_t i;

	for (i = 0; err && err->file[0] && i < ctx->plan.n; i++)
		if (strcmp(ferry__section_path(
				   ctx->plan.v[i].mig, ctx->plan.v[i].k),
			    err->file) == 0)
			return &ctx->plan.v[i];
	return &ctx->plan.v[ctx->plan.n - 1];
}

/* Apply every item; the ledger is created only now, when it is needed. */
static int apply_all(run_ctx *ctx, ferry_error *err)
{
	ferry_db *db = ctx->db;
	size_t i;
	int rc = 0;

	if (ctx->plan.n > 0 && (rc = ferry__ledger_ensure(db, err)) < 0)
		return rc;
	/* Repeatable migrations come last, if any runs. */
	if (ctx->plan.n > 0 &&
		ctx->plan.v[ctx->plan.n - 1].mig->pub.repeatable &&
		(rc = ferry__repeatables_ensure(db, err)) < 0)
		return rc;
	if (ctx->single_transaction && ctx->plan.n > 0 &&
		(rc = db->drv->begin(db, err)) < 0)
		return rc;
	for (i = 0; i < ctx->plan.n && rc == 0; i++)
		rc = ferry__interrupted(db) ? ferry__error_interrupted(err)
					    : apply_step(ctx, i, err);
	if (!ctx->single_transaction || ctx->plan.n == 0)
		return rc == FERRY__ECLAIMED ? 0 : rc;
	if (rc == 0)
		rc = db->drv->commit(db, err);
	if (rc < 0) {
		db->drv->rollback(db);
		/* Nothing of the run stays, so nothing of it is reported. */
		ctx->report->n = 0;
		if (rc == FERRY__ECLAIMED && !ctx->report->other_runner)
			(void)other_runner(ctx, NULL, err);
		if (rc == FERRY__ECLAIMED)
			return 0;
		if (rc == FERRY_EREFUSED)
			return rc;
		/* A failure at COMMIT: the statement's file says whose. */
		if (!ctx->failed) {
			ctx->failed = step_of_error(ctx, err);
			wrap_failure(err, ctx->failed, 1);
		}
		record_failure(db, ctx->failed, -1, err);
	}
	return rc;
}

/*
 * --check
 */

/*
 * May a no-transaction section be tried all the same? When it repeats a
 * statement (what a check of a backfill is for: its first batch, on the
 * real data) and every statement of it can run inside the trial's
 * transaction, as a repeated statement's batches do. 1, 0, or an error.
 * What is tried ends with the last repeated statement (*upto): a
 * statement after it may need every batch done (SET NOT NULL), which one
 * batch in the trial would fail where the run succeeds.
 */
static int triable(
	run_ctx *ctx, ferry__step *it, size_t *upto, ferry_error *err)
{
	ferry__repeat rep;
	const ferry__section *sec;
	ferry__spans spans;
	const char *body, *what;
	size_t i;
	int rc;

	if ((rc = load_step(ctx, it, err)) < 0)
		return rc;
	sec = &it->file.sec[it->k];
	body = it->file.text + sec->offset;
	if (!ferry__count_repeats(body, sec->len))
		return 0;
	if ((rc = split_section(
		     &spans, ctx->db, it->mig, &it->file, it->k, err)) < 0)
		return rc;
	for (i = 0, rc = 1; rc && i < spans.n; i++) {
		rc = ferry__stmt_classify(body + spans.v[i].offset,
			     spans.v[i].len, ctx->db->drv->dialect,
			     &what) == FERRY__STMT_PLAIN;
		if (ferry__repeat_find(body, gap_start(&spans, i),
			    spans.v[i].offset, &rep))
			*upto = spans.v[i].offset + spans.v[i].len;
	}
	ferry__spans_clear(&spans);
	return rc;
}

/* One section of a trial: run it, and say whether it worked. */
static int check_step(run_ctx *ctx, size_t i, ferry_error *err)
{
	ferry_db *db = ctx->db;
	ferry__step *it = &ctx->plan.v[i];
	const ferry__migration *m = it->mig;
	int k = it->k;
	ferry_event ev = { .type = FERRY_EVENT_SECTION_START };
	int64_t t0 = ferry__now_ms();
	size_t upto = m->sec[k].len;
	int rc;

	/*
	 * What ran outside a transaction could not be undone: not tried. Its
	 * preconditions are only queries: they are.
	 */
	if (m->sec[k].no_transaction &&
		(rc = triable(ctx, it, &upto, err)) <= 0) {
		if (rc == 0)
			rc = check_preconditions(ctx, it, 0, err);
		ferry__loaded_release(&it->file);
		if (rc < 0)
			return rc;
		if (report_push(ctx->report, step_action(it), &m->pub, -1, 0) <
			0)
			return ferry__error_oom(err);
		ctx->report->steps[ctx->report->n - 1].not_tried = 1;
		return 0;
	}
	ev.migration = &m->pub;
	ev.section = ferry__section_names[k];
	ev.index = i + 1;
	ev.total = ctx->plan.n;
	ferry__emit(db, &ev);
	if ((rc = load_step(ctx, it, err)) < 0)
		return rc;
	if ((rc = check_preconditions(ctx, it, 0, err)) < 0) {
		ferry__loaded_release(&it->file);
		return rc;
	}
	rc = reset_session(db, 1, err);
	statements_of(db, it, 1, it->file.nstatements);
	if (rc == 0)
		rc = m->code ? ferry__code_run(db, m, err)
			     : run_section(db, m, &it->file, k, upto, err);
	if (rc == 0)
		rc = reset_session(db, 0, err);
	/* A pipelining driver says now whether the section failed. */
	if (rc == 0 && db->drv->flush)
		rc = db->drv->flush(db, err);
	db->stmt.m = NULL;
	ferry__loaded_release(&it->file);
	if (rc < 0) {
		if (err && !err->hint[0])
			snprintf(err->hint, sizeof(err->hint),
				"the check was rolled back: nothing was "
				"applied; fix it and check again");
		wrap_failure(err, it, 0);
		return rc;
	}
	ev.type = FERRY_EVENT_SECTION_DONE;
	ev.elapsed_ms = ferry__now_ms() - t0;
	/* The check's one transaction holds the lock, not the step. */
	ev.write_lock_ms = db->write_lock_ms = -1;
	ferry__emit(db, &ev);
	return report_push(ctx->report, step_action(it), &m->pub, ev.elapsed_ms,
		       0) < 0
		? ferry__error_oom(err)
		: 0;
}

/*
 * Every transactional section of the plan, for real, in one transaction
 * that is then rolled back. No ledger row and no history is written (not
 * even the ledger's creation), so the database is left as it was; a SQLite
 * file that does not exist yet is not created (db->trial).
 */
static int check_all(run_ctx *ctx, ferry_error *err)
{
	ferry_db *db = ctx->db;
	size_t i;
	int rc;

	db->trial = 1;
	rc = db->drv->begin(db, err);
	for (i = 0; i < ctx->plan.n && rc == 0; i++)
		rc = check_step(ctx, i, err);
	db->drv->rollback(db);
	db->trial = 0;
	return rc;
}

/*
 * Where the database stands after the run: its newest applied version, as
 * the ledger says it now (a down removes rows), and for `up` the checkpoint
 * that stopped it short of its target.
 */
static int report_where(run_ctx *ctx, ferry_error *err)
{
	const ferry__release *blocked = ctx->plan.blocked;
	const char *release = NULL, *text = NULL;
	int64_t newest = INT64_MIN;
	char vt[64];
	size_t i;
	int rc;

	if (ctx->kind == RUN_UP && blocked &&
		!(ctx->report->checkpoint = ferry__strdup(blocked->pub.name)))
		return ferry__error_oom(err);
	if (ctx->report->n > 0 && !ctx->dry_run && !ctx->check &&
		(rc = run_read(ctx, err)) < 0)
		return rc;
	for (i = 0; i < ctx->pairs.n; i++) {
		const ferry__pair *p = &ctx->pairs.v[i];

		if (p->row && p->row->state != FERRY_STATE_FAILED) {
			newest = p->row->version;
			release =
				p->mig ? p->mig->pub.release : p->row->release;
			text = p->mig ? p->mig->pub.version_text : NULL;
		}
	}
	if (newest == INT64_MIN)
		return 0;
	snprintf(vt, sizeof(vt), "%lld", (long long)newest);
	if (text)
		snprintf(vt, sizeof(vt), "%s", text);
	ctx->report->version = ferry__strdup(vt);
	ctx->report->release = ferry__strdup(release);
	if (!ctx->report->version || (release && !ctx->report->release))
		return ferry__error_oom(err);
	return 0;
}

/*
 * A dry run: the planned steps, as the report of a run that took none.
 * Their preconditions are checked against the database as it is, each in
 * a transaction rolled back (what the query may write does not stay), so
 * that a dry run refuses what the run would. A later step's query may
 * need, or be made true by, what the steps before it do: when it fails
 * or is not met, the dry run says so (a WARNING event) and goes on.
 */
static int report_plan(run_ctx *ctx, ferry_error *err)
{
	ferry_error mine;
	size_t i;
	int rc = 0;

	/* A SQLite file not created yet: no query could say anything. */
	for (i = 0; ctx->db->exists && i < ctx->plan.n && rc == 0; i++) {
		ferry_error_init(&mine);
		rc = check_preconditions(
			ctx, &ctx->plan.v[i], 1, i ? &mine : err);
		ferry__loaded_release(&ctx->plan.v[i].file);
		if (i && rc == FERRY_ENOMEM && err)
			*err = mine;
		else if (i && rc < 0) {
			ferry_event ev = { .type = FERRY_EVENT_WARNING };
			char text[sizeof(mine.message) + 64];

			snprintf(text, sizeof(text),
				"%s%s (before the steps ahead of it have run)",
				mine.message,
				rc == FERRY_EREFUSED ? " now" : "");
			ev.migration = &ctx->plan.v[i].mig->pub;
			ev.message = text;
			ferry__emit(ctx->db, &ev);
			rc = 0;
		}
	}
	for (i = 0; i < ctx->plan.n && rc == 0; i++)
		if (report_push(ctx->report, step_action(&ctx->plan.v[i]),
			    &ctx->plan.v[i].mig->pub, -1, 0) < 0)
			return ferry__error_oom(err);
	return rc;
}

static int refuse_unsafe(run_ctx *ctx, ferry_error *err)
{
	int rc;

	if ((rc = ferry__refuse_ahead(&ctx->pairs, err)) < 0 ||
		(rc = ferry__refuse_drift(&ctx->pairs, err)) < 0)
		return rc;
	/* Every migration from the first, onto another tool's schema? */
	return ctx->kind == RUN_DOWN
		? 0
		: ferry__refuse_unledgered(ctx->db, &ctx->ledger, err);
}

/*
 * --strict: the first section the run would run with a lint error no
 * allow suppressed refuses the run, before anything is written.
 */
static int refuse_lint(run_ctx *ctx, ferry_error *err)
{
	ferry_lint_options o = FERRY_LINT_OPTIONS_INIT;
	ferry_lint_result *r = NULL;
	size_t i, j;
	int rc;

	if (!ctx->strict || ctx->plan.n == 0)
		return 0;
	o.engine = ctx->db->drv->dialect == FERRY__DIALECT_PG ? "postgres"
							      : "sqlite";
	if ((rc = ferry_lint(&r, ctx->set, &o, err)) < 0)
		return rc;
	for (i = 0; i < ctx->plan.n && rc == 0; i++) {
		const ferry__step *it = &ctx->plan.v[i];

		for (j = 0; j < ferry_lint_result_count(r) && rc == 0; j++) {
			const ferry_lint_finding *f =
				ferry_lint_result_at(r, j);

			if (f->migration != &it->mig->pub || f->allowed ||
				f->level != FERRY_LINT_ERROR ||
				strcmp(f->section,
					ferry__section_names[it->k]) != 0)
				continue;
			rc = ferry__error_set(err, FERRY_EREFUSED,
				"--strict: the %s section of migration '%s' "
				"would hurt live traffic",
				f->section, it->mig->pub.id);
			ferry__error_detail(
				err, "[%s] %s", f->rule, f->message);
			ferry__error_at(err, f->file, f->line, f->column);
			ferry__error_hint(err,
				"%s; or allow it with '-- ferry:allow %s "
				"REASON' ('ferry lint' lists every finding)",
				f->fix, f->rule);
		}
	}
	ferry_lint_result_free(r);
	return rc;
}

/*
 * An up section the run would run that is still `ferry new`'s template
 * refuses the run, before anything is written (template.c says why).
 */
static int refuse_template(run_ctx *ctx, ferry_error *err)
{
	size_t i;
	int rc = 0, at;

	for (i = 0; i < ctx->plan.n && !ctx->allow_empty && rc == 0; i++) {
		const ferry__step *it = &ctx->plan.v[i];
		ferry__hasher h;
		ferry__loaded f;

		/* Longer than the placeholder and some blank lines: written,
		 * and not read again to know it. */
		if (it->k != FERRY__UP || it->mig->code ||
			!it->mig->sec[FERRY__UP].present ||
			it->mig->sec[FERRY__UP].len >
				sizeof(FERRY__TEMPLATE_PLACEHOLDER) + 64)
			continue;
		ferry__hasher_init(&h);
		rc = ferry__migration_load(it->mig, &h, &f, err);
		ferry__hasher_release(&h);
		if (rc == 0 &&
			ferry__section_is_template(
				f.text + f.sec[FERRY__UP].offset,
				f.sec[FERRY__UP].len, &at)) {
			rc = ferry__error_set(err, FERRY_EREFUSED,
				"the up section of migration '%s' is still "
				"the template 'ferry new' wrote",
				it->mig->pub.id);
			ferry__error_at(err, it->mig->pub.path,
				f.sec[FERRY__UP].line + at, 1);
			ferry__error_hint(err,
				"write its SQL in place of the TODO line, or "
				"pass --allow-empty to record it as applied "
				"with nothing run");
		}
		ferry__loaded_release(&f);
	}
	return rc;
}

/* Read the ledger (again), refuse what is unsafe, and plan. */
static int run_decide(void *payload, size_t *work, ferry_error *err)
{
	run_ctx *ctx = payload;
	int rc;

	if (ctx->db->locked)
		ctx->report->waited = ctx->db->waited;
	if ((rc = run_read(ctx, err)) < 0 ||
		(rc = refuse_unsafe(ctx, err)) < 0 ||
		(rc = run_plan(ctx, err)) < 0 ||
		(rc = refuse_lint(ctx, err)) < 0 ||
		(rc = refuse_template(ctx, err)) < 0)
		return rc;
	*work = ctx->plan.n;
	/* A baseline to count as applied is work of its own. */
	if (ctx->pairs.adopt && !ctx->check && ctx->kind != RUN_DOWN)
		*work += 1;
	return 0;
}

/*
 * The baseline's row was written by the older files it replaces, which
 * finished its release: it takes the baseline's checksums, so that an
 * edit to the baseline from now on is drift, with a `baseline` history
 * row that says so. One transaction, before the run's steps.
 */
static int adopt_baseline(run_ctx *ctx, ferry_error *err)
{
	const ferry__pair *p = ctx->pairs.adopt;
	const ferry__migration *m;
	ferry_db *db = ctx->db;
	char hex[FERRY__NSECTIONS][65];
	const char *sums[FERRY__NSECTIONS];
	ferry__history_rec rec = { "baseline", NULL, ferry__val_ms(-1), 1,
		"counted as applied: the older files finished this release; "
		"this file never ran here" };
	int k, rc;

	if (!p || ctx->check || ctx->kind == RUN_DOWN)
		return 0;
	m = p->mig;
	for (k = 0; k < FERRY__NSECTIONS; k++) {
		ferry__hex(hex[k], m->sec[k].sha);
		sums[k] = m->sec[k].present || k == FERRY__UP ? hex[k] : NULL;
	}
	rec.migration = &m->pub;
	if ((rc = db->drv->begin(db, err)) < 0)
		return rc;
	if ((rc = ferry__ledger_adopt(db, p->row, sums, err)) ==
		FERRY__ECLAIMED)
		rc = ferry__changed_meanwhile(&m->pub, err);
	if (rc == 0)
		rc = ferry__history_add(db, &rec, err);
	if (rc == 0)
		rc = db->drv->commit(db, err);
	if (rc < 0)
		db->drv->rollback(db);
	return rc;
}

/*
 * Each step in a transaction of its own, or all in one (apply_all); then
 * where the database is now, read while the lock still keeps it so.
 */
/*
 * Steps that ask first (a `confirm` section, a rerun), asked under the
 * lock, once the run is decided and checked, before anything is written:
 * a no refuses the whole run.
 */
static int confirm_steps(run_ctx *ctx, ferry_error *err)
{
	size_t i;

	for (i = 0; i < ctx->plan.n; i++) {
		const ferry__step *it = &ctx->plan.v[i];
		const char *what =
			it->rerun ? "rerun" : ferry__section_names[it->k];

		if (!it->rerun && !it->mig->sec[it->k].confirm)
			continue;
		if (ctx->yes ||
			(ctx->confirm &&
				ctx->confirm(&it->mig->pub, what,
					ctx->confirm_payload)))
			continue;
		ferry__error_set(err, FERRY_EREFUSED,
			"%s%s%s of migration '%s' was not confirmed",
			it->rerun ? "the rerun" : "the ", it->rerun ? "" : what,
			it->rerun ? "" : " section", it->mig->pub.id);
		ferry__error_hint(err,
			it->rerun
				? "a rerun runs only once confirmed: answer "
				  "yes, or give --yes; nothing was changed"
				: "its %s section asks before it runs: answer "
				  "yes, or give --yes; nothing was changed",
			what);
		return FERRY_EREFUSED;
	}
	return 0;
}

static int run_write(void *payload, ferry_error *err)
{
	run_ctx *ctx = payload;
	int rc;

	ctx->wrote = 1;
	if ((rc = adopt_baseline(ctx, err)) < 0 ||
		(rc = check_steps(ctx, err)) < 0 ||
		(!ctx->check && (rc = confirm_steps(ctx, err)) < 0) ||
		(rc = ctx->check ? check_all(ctx, err) : apply_all(ctx, err)) <
			0)
		return rc;
	return report_where(ctx, err);
}

/*
 * First without the lock: if there is nothing to do now, a no-op touches
 * nothing and waits for no one (write.c). A dry run stops there.
 */
static int run(ferry_report **out, run_ctx *ctx, ferry_error *err)
{
	ferry__writer w = { run_decide, run_write, 0, 0, 0 };
	ferry_error mine;
	int rc;

	/* The history keeps a failure's words even for a caller without err:
	 * and which migration a failure at COMMIT belongs to is told by them. */
	if (!err) {
		ferry_error_init(&mine);
		err = &mine;
	}

	/* A dry run only reads: a read-only database will do. */
	if (!ctx->db || (ctx->db->read_only && !ctx->dry_run)) {
		rc = ferry__error_set(
			err, FERRY_EINVALID, "database was opened read-only");
		goto out;
	}
	w.dry_run = ctx->dry_run;
	rc = ferry__decide_and_write(ctx->db, &w, ctx, err);
	/* Whatever stopped it, the interrupt is what the caller needs. */
	if (rc < 0 && ferry__interrupted(ctx->db))
		rc = interrupted(err);
	__atomic_store_n(&ctx->db->interrupted, 0, __ATOMIC_SEQ_CST);
	if (rc < 0)
		goto out;
	if (ctx->dry_run && (rc = report_plan(ctx, err)) < 0)
		goto out;
	if (!ctx->wrote && (rc = report_where(ctx, err)) < 0)
		goto out;
	*out = ctx->report;
	ctx->report = NULL;
out:
	run_end(ctx);
	return rc;
}

/* Check the arguments shared by every run and set up its context. */
static int run_setup(run_ctx *ctx, const char *fn, ferry_report **out,
	ferry_db *db, const ferry_set *set, ferry_error *err)
{
	memset(ctx, 0, sizeof(*ctx));
	if (!out || !db || !set)
		return ferry__error_set(
			err, FERRY_EINVALID, "%s needs out, db and set", fn);
	*out = NULL;
	return run_begin(ctx, db, set, err);
}

/* The caller's options as this version's: version 1 lacks baseline. */
static int up_options(
	ferry_up_options *out, const ferry_up_options *in, ferry_error *err)
{
	ferry_up_options defaults = FERRY_UP_OPTIONS_INIT;

	*out = defaults;
	if (!in)
		return 0;
	if (in->version == 1)
		memcpy(out, in, offsetof(ferry_up_options, baseline));
	else if (in->version == 2)
		memcpy(out, in, offsetof(ferry_up_options, yes));
	else if (in->version == 3)
		memcpy(out, in, offsetof(ferry_up_options, strict));
	else if (in->version == 4)
		memcpy(out, in, offsetof(ferry_up_options, allow_empty));
	else if (in->version == FERRY_UP_OPTIONS_VERSION)
		*out = *in;
	else
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", in->version);
	out->version = FERRY_UP_OPTIONS_VERSION;
	if (out->baseline && (out->dry_run || out->check)) {
		ferry__error_set(err, FERRY_EINVALID,
			"--baseline cannot be tried with %s",
			out->dry_run ? "--dry-run" : "--check");
		ferry__error_hint(err,
			"try 'ferry stamp V --dry-run', then the run without "
			"--baseline");
		return FERRY_EINVALID;
	}
	return 0;
}

/*
 * --baseline: a database whose ledger has no row yet gets the migrations
 * up to the baseline recorded as complete, as `ferry stamp` records them
 * (under the runner lock, which the stamp takes and gives back).
 */
static int baseline(run_ctx *ctx, const char *to, ferry_error *err)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *changes = NULL;
	ferry__ledger ledger = { 0 };
	int rc;

	if ((rc = ferry__ledger_load(ctx->db, &ledger, err)) < 0)
		return rc;
	if (ledger.n == 0) {
		o.to = to;
		if ((rc = ferry_stamp(&changes, ctx->db, ctx->set, &o, err)) ==
				0 &&
			ctx->report)
			ctx->report->baselined = ferry_changes_count(changes);
		ferry_changes_free(changes);
	}
	ferry__ledger_clear(&ledger);
	return rc;
}

/* Another tool's version as it writes it ("1.2.10"): 0, or -1. */
static int foreign_version(const ferry_set *set, const char *text, int64_t *out)
{
	size_t i;

	for (i = 0; set->format != FERRY_FORMAT_FERRY && i < set->n; i++) {
		if (strcmp(set->migs[i].pub.version_text, text) == 0) {
			*out = set->migs[i].pub.version;
			return 0;
		}
	}
	return -1;
}

/* `rerun`: a version, for up alone, without --to or a baseline. */
static int rerun_version(run_ctx *ctx, run_kind kind, const ferry_up_options *o,
	ferry_error *err)
{
	if (kind != RUN_UP || o->to || o->baseline) {
		ferry__error_set(err, FERRY_EINVALID,
			"a rerun goes with up alone, without --to or "
			"--baseline");
		return FERRY_EINVALID;
	}
	if (ferry__parse_version(o->rerun, strlen(o->rerun), &ctx->rerun) < 0 &&
		foreign_version(ctx->set, o->rerun, &ctx->rerun) < 0) {
		ferry__error_set(err, FERRY_EINVALID,
			"invalid version '%.40s' to rerun", o->rerun);
		ferry__error_hint(
			err, "give the version of one migration, e.g. 5");
		return FERRY_EINVALID;
	}
	ctx->kind = RUN_RERUN;
	return 0;
}

static int run_phases(ferry_report **out, ferry_db *db, const ferry_set *set,
	const ferry_up_options *in, run_kind kind, ferry_error *err)
{
	static const char *const names[] = { "ferry_up", "ferry_finish",
		"ferry_migrate", "ferry_down" };
	ferry_up_options o, *opts = &o;
	run_ctx ctx;
	int rc;

	if ((rc = up_options(&o, in, err)) < 0)
		return rc;
	if ((rc = run_setup(&ctx, names[kind], out, db, set, err)) < 0 ||
		(opts->baseline &&
			(rc = baseline(&ctx, opts->baseline, err)) < 0) ||
		(rc = ferry__resolve_target(set, opts->to, &ctx.target, err)) <
			0) {
		run_end(&ctx);
		return rc;
	}
	ctx.kind = kind;
	ctx.allow_ooo = opts->allow_out_of_order;
	ctx.single_transaction = opts->single_transaction;
	ctx.dry_run = opts->dry_run;
	ctx.check = opts->check;
	ctx.yes = opts->yes;
	ctx.confirm = opts->confirm;
	ctx.confirm_payload = opts->confirm_payload;
	ctx.strict = opts->strict;
	ctx.allow_empty = opts->allow_empty;
	if (opts->rerun && (rc = rerun_version(&ctx, kind, opts, err)) < 0) {
		run_end(&ctx);
		return rc;
	}
	return run(out, &ctx, err);
}

int ferry_up(ferry_report **out, ferry_db *db, const ferry_set *set,
	const ferry_up_options *opts, ferry_error *err)
{
	return run_phases(out, db, set, opts, RUN_UP, err);
}

int ferry_finish(ferry_report **out, ferry_db *db, const ferry_set *set,
	const ferry_up_options *opts, ferry_error *err)
{
	return run_phases(out, db, set, opts, RUN_FINISH, err);
}

int ferry_migrate(ferry_report **out, ferry_db *db, const ferry_set *set,
	const ferry_up_options *opts, ferry_error *err)
{
	return run_phases(out, db, set, opts, RUN_MIGRATE, err);
}

int ferry_rollback(ferry_report **out, ferry_db *db, const ferry_set *set,
	const ferry_up_options *opts, ferry_error *err)
{
	run_ctx ctx;
	int rc;

	if ((rc = run_setup(&ctx, "ferry_rollback", out, db, set, err)) < 0) {
		run_end(&ctx);
		return rc;
	}
	ctx.kind = RUN_DOWN;
	ctx.down.rollback = 1;
	ctx.dry_run = opts ? opts->dry_run : 0;
	ctx.check = opts ? opts->check : 0;
	if (opts && opts->version >= 3) {
		ctx.yes = opts->yes;
		ctx.confirm = opts->confirm;
		ctx.confirm_payload = opts->confirm_payload;
	}
	return run(out, &ctx, err);
}

int ferry_down(ferry_report **out, ferry_db *db, const ferry_set *set,
	const ferry_down_options *opts, ferry_error *err)
{
	run_ctx ctx;
	int rc;

	if (!opts ||
		(opts->version != 1 &&
			opts->version != FERRY_DOWN_OPTIONS_VERSION) ||
		(!opts->to == !opts->steps))
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' needs a version and either "
			"'to' or 'steps'");
	if ((rc = run_setup(&ctx, "ferry_down", out, db, set, err)) < 0 ||
		(opts->to && strcmp(opts->to, "0") != 0 &&
			(rc = ferry__resolve_target(
				 set, opts->to, &ctx.down.to, err)) < 0)) {
		run_end(&ctx);
		return rc;
	}
	if (opts->to && strcmp(opts->to, "0") == 0)
		ctx.down.to = 0;
	ctx.kind = RUN_DOWN;
	ctx.down.steps = opts->steps;
	ctx.down.force = opts->force;
	ctx.dry_run = opts->dry_run;
	ctx.check = opts->check;
	if (opts->version >= 2) {
		ctx.yes = opts->yes;
		ctx.confirm = opts->confirm;
		ctx.confirm_payload = opts->confirm_payload;
	}
	return run(out, &ctx, err);
}

/* A database to bootstrap holds nothing: no table, no view, no ledger row. */
static int refuse_not_empty(ferry_db *db, ferry_error *err)
{
	ferry__ledger ledger = { 0 };
	ferry__objects o;
	int rc;

	if ((rc = ferry__ledger_load(db, &ledger, err)) < 0)
		return rc;
	if (ledger.n > 0) {
		ferry__error_set(err, FERRY_EREFUSED,
			"database is not empty: ferry's ledger holds %zu "
			"migration%s",
			ledger.n, ledger.n == 1 ? "" : "s");
		ferry__error_hint(err,
			"bootstrap is for a new database; upgrade this one "
			"with 'ferry migrate'");
		ferry__ledger_clear(&ledger);
		return FERRY_EREFUSED;
	}
	ferry__ledger_clear(&ledger);
	if ((rc = ferry__objects_count(db, &o, err)) < 0)
		return rc;
	if (o.n > 0) {
		ferry__error_set(err, FERRY_EREFUSED,
			"database is not empty: it holds %zu object%s", o.n,
			o.n == 1 ? "" : "s");
		ferry__error_detail(err, "%s%s", ferry__buf_cstr(&o.names),
			o.n > 3 ? ", ..." : "");
		ferry__error_hint(err,
			"bootstrap is for a new, empty database; upgrade this "
			"one with 'ferry migrate'");
		rc = FERRY_EREFUSED;
	}
	ferry__objects_clear(&o);
	return rc;
}

int ferry_bootstrap(ferry_report **out, ferry_db *db, const ferry_set *set,
	const ferry_up_options *opts, ferry_error *err)
{
	ferry_up_options o;
	int rc;

	if (!out || !db || !set)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_bootstrap needs out, db and set");
	*out = NULL;
	if ((rc = up_options(&o, opts, err)) < 0)
		return rc;
	o.to = NULL;
	o.baseline = NULL;
	if ((rc = refuse_not_empty(db, err)) < 0)
		return rc;
	return run_phases(out, db, set, &o, RUN_MIGRATE, err);
}
