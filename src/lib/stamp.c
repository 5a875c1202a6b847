/* SPDX-License-Identifier: MIT */
/*
 * stamp.c - `ferry stamp V`: record pending migrations up to V as complete
 * without running them, for a database that already has their schema (a
 * migration that failed with "table already exists" because someone
 * created it by hand; a database that grew without ferry).
 *
 * Stamping only writes ledger rows, so it refuses what would make them
 * lie: a database ahead of the files, drift, a migration up to V that
 * stopped half way (that is for `up` to resume or `repair` to settle),
 * and, unless told not to check, a database that lacks the objects the
 * stamped sections create (created.c).
 */
#include "ferry_int.h"

#include <stdint.h>
#include <string.h>

typedef struct {
	ferry_db *db;
	const ferry_set *set;
	int64_t target;
	ferry__ledger ledger;
	ferry__pairs pairs;
	ferry_changes *changes;
	int verify;
	int dry_run;
} stamp_ctx;

static int refuse_failed(const stamp_ctx *ctx, ferry_error *err)
{
	size_t i;

	for (i = 0; i < ctx->pairs.n; i++) {
		const ferry__pair *p = &ctx->pairs.v[i];

		if (!p->row || !p->mig || p->mig->pub.version > ctx->target ||
			p->row->state != FERRY_STATE_FAILED)
			continue;
		ferry__error_set(err, FERRY_EREFUSED,
			"migration '%s' stopped half way: it cannot be stamped",
			p->mig->pub.id);
		ferry__error_detail(err,
			"its %s section stopped at statement %d",
			p->row->failed_section ? p->row->failed_section : "?",
			p->row->failed_statement);
		ferry__error_hint(err,
			"run 'ferry up' to resume it, or 'ferry repair' if you "
			"completed it by hand; then stamp");
		return FERRY_EREFUSED;
	}
	return 0;
}

/* Up to this many missing objects are named in the error's detail. */
#define MISSING_SHOWN 8

/* Refuse when the database lacks what the stamped sections create. */
static int refuse_missing(const stamp_ctx *ctx, ferry_error *err)
{
	ferry__created c;
	ferry__buf list = FERRY__BUF_INIT;
	size_t i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.dialect = ctx->db->drv->dialect;
	for (i = 0; rc == 0 && i < ferry_changes_count(ctx->changes); i++)
		rc = ferry__created_migration(&c,
			FERRY__MIG(
				ferry_changes_at(ctx->changes, i)->migration),
			err);
	if (rc == 0)
		rc = ferry__created_missing(ctx->db, &c, err);
	for (i = 0; rc == 0 && i < c.n && i < MISSING_SHOWN; i++) {
		const ferry__created_obj *o = &c.v[i];

		ferry__buf_printf(&list, "%s%s %s%s%s (%s:%d)", i ? ", " : "",
			ferry__created_kind(o), o->schema ? o->schema : "",
			o->schema ? "." : "", o->name, o->migration->pub.path,
			o->line);
	}
	if (rc == 0 && c.n > MISSING_SHOWN)
		ferry__buf_printf(&list, " and %zu more", c.n - MISSING_SHOWN);
	if (rc == 0 && list.oom)
		rc = ferry__error_oom(err);
	if (rc == 0 && c.n > 0) {
		const ferry__created_obj *o = &c.v[0];

		ferry__error_set(err, FERRY_EREFUSED,
			"the database lacks %zu object%s that the migrations "
			"to stamp create: %s %s",
			c.n, c.n == 1 ? "" : "s", ferry__created_kind(o),
			o->name);
		ferry__error_at(err, o->migration->pub.path, o->line, 1);
		ferry__error_detail(err, "missing: %s", list.buf);
		ferry__error_hint(err,
			"create them, or run those migrations with 'ferry up' "
			"instead; 'stamp --no-verify' records them anyway");
		rc = FERRY_EREFUSED;
	}
	ferry__buf_release(&list);
	ferry__created_clear(&c);
	return rc;
}

/* Read the ledger (again), refuse what is unsafe, list what to record. */
static int decide(void *payload, size_t *work, ferry_error *err)
{
	stamp_ctx *ctx = payload;
	size_t i;
	int rc;

	ferry__changes_reset(ctx->changes);
	if (ctx->db->locked)
		ferry__changes_set_waited(ctx->changes, ctx->db->waited);
	ferry__pairs_clear(&ctx->pairs);
	ferry__ledger_clear(&ctx->ledger);
	if ((rc = ferry__ledger_load(ctx->db, &ctx->ledger, err)) < 0 ||
		(rc = ferry__pairs_build(
			 &ctx->pairs, ctx->set, &ctx->ledger, err)) < 0 ||
		(rc = ferry__refuse_ahead(&ctx->pairs, err)) < 0 ||
		(rc = ferry__refuse_drift(&ctx->pairs, err)) < 0 ||
		(rc = refuse_failed(ctx, err)) < 0)
		return rc;
	for (i = 0; i < ctx->pairs.n; i++) {
		const ferry__pair *p = &ctx->pairs.v[i];

		if (p->row || p->mig->pub.version > ctx->target)
			continue;
		if (ferry__changes_push(ctx->changes, "stamp", &p->mig->pub,
			    "recorded as complete without running it") < 0)
			return ferry__error_oom(err);
	}
	/* Checked under the lock: before it, another runner may be half way
	 * through making them. A dry run takes no lock. */
	if (ctx->verify && (ctx->db->locked || ctx->dry_run) &&
		(rc = refuse_missing(ctx, err)) < 0)
		return rc;
	*work = ferry_changes_count(ctx->changes);
	return 0;
}

static int write_all(void *payload, ferry_error *err)
{
	stamp_ctx *ctx = payload;
	ferry_db *db = ctx->db;
	size_t i;
	int rc = 0;

	for (i = 0; i < ferry_changes_count(ctx->changes) && rc == 0; i++) {
		const ferry_change *c = ferry_changes_at(ctx->changes, i);
		ferry__history_rec rec = { "stamp", c->migration,
			ferry__val_ms(-1), 1, NULL };

		if ((rc = ferry__ledger_record_complete(
			     db, c->migration, err)) == 0)
			rc = ferry__history_add(db, &rec, err);
	}
	return rc;
}

int ferry_stamp(ferry_changes **out, ferry_db *db, const ferry_set *set,
	const ferry_stamp_options *opts, ferry_error *err)
{
	ferry__writer w = { decide, write_all, 1, 1, 0 };
	stamp_ctx ctx;
	int rc;

	if (!out || !db || !set || !opts || !opts->to)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_stamp needs out, db, set and opts->to");
	*out = NULL;
	if (opts->version != 1 && opts->version != FERRY_STAMP_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	if (db->read_only)
		return ferry__error_set(
			err, FERRY_EINVALID, "database was opened read-only");
	memset(&ctx, 0, sizeof(ctx));
	ctx.db = db;
	ctx.set = set;
	ctx.verify = opts->version < 2 || !opts->no_verify;
	if ((rc = ferry__resolve_target(set, opts->to, &ctx.target, err)) < 0)
		return rc;
	if (!(ctx.changes = ferry__changes_new()))
		return ferry__error_oom(err);
	w.dry_run = ctx.dry_run = opts->dry_run;
	rc = ferry__decide_and_write(db, &w, &ctx, err);
	ferry__pairs_clear(&ctx.pairs);
	ferry__ledger_clear(&ctx.ledger);
	if (rc < 0) {
		ferry_changes_free(ctx.changes);
		return rc;
	}
	*out = ctx.changes;
	return 0;
}
