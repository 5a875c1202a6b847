/* SPDX-License-Identifier: MIT */
/*
 * repair.c - `ferry repair`: make the ledger agree with the files after a
 * manual fix.
 *
 * Two things are repaired. Drift: the ledger takes the files' checksums
 * for the sections that changed after they ran (a finish section added to
 * a complete migration sends it back to "up", so `finish` runs it; one
 * removed is forgotten). A failed no-transaction section: by default it
 * counts as run, because the user completed its statements by hand (up:
 * the migration becomes "up" or "complete"; finish: "complete"; down: the
 * migration is reverted, its row removed); with `not_run`, as not run,
 * because the user undid them (up: pending again; finish: "up"; down:
 * back to the state before the down).
 *
 * As every command that writes (write.c): decide without the lock, then
 * lock, read the ledger again and decide again, and write every change in
 * one transaction, each with its history row.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What repair does to one migration's row. */
typedef struct {
	const ferry__pair *pair;
	int remove;		/* delete the row (else put `row`) */
	ferry__row row;		/* a shallow copy of the old row, changed */
	char hex[3][65];	/* the files' checksums now */
	char at[32];		/* now, for a finish counted as run */
	size_t first, nchanges; /* its entries in the list of changes */
} fix;

typedef struct {
	ferry_db *db;
	const ferry_set *set;
	const ferry_repair_options *opts;
	ferry__ledger ledger;
	ferry__pairs pairs;
	fix *fixes;
	size_t nfixes;
	ferry_changes *changes;
} repair_ctx;

static int changed(const char *hex, const char *now)
{
	return hex && strcmp(hex, now) != 0;
}

static int note(repair_ctx *ctx, fix *f, const char *what)
{
	if (ferry__changes_push(
		    ctx->changes, "repair", &f->pair->mig->pub, what) < 0)
		return FERRY_ENOMEM;
	f->nchanges++;
	return 0;
}

static void clear_failure(ferry__row *r)
{
	r->failed_section = NULL;
	r->failed_statement = 0;
	r->progress = NULL;
	r->error = NULL;
}

/* Sections that changed after they ran take the files' checksums. */
static int fix_drift(repair_ctx *ctx, fix *f)
{
	const ferry__migration *m = f->pair->mig;
	ferry__row *r = &f->row;
	int fin = m->sec[FERRY__FINISH].present, rc;

	if (changed(r->up_checksum, f->hex[FERRY__UP])) {
		r->up_checksum = f->hex[FERRY__UP];
		if ((rc = note(ctx, f, "accepted the changed up section")) < 0)
			return rc;
	}
	if (r->state != FERRY_STATE_COMPLETE)
		return 0;
	if (r->has_finish && !fin) {
		r->has_finish = 0;
		r->finish_checksum = NULL;
		return note(ctx, f,
			"accepted the removal of the finish section, which "
			"had run");
	}
	if (r->has_finish &&
		changed(r->finish_checksum, f->hex[FERRY__FINISH])) {
		r->finish_checksum = f->hex[FERRY__FINISH];
		return note(ctx, f, "accepted the changed finish section");
	}
	if (!r->has_finish && fin) {
		r->has_finish = 1;
		r->state = FERRY_STATE_UP;
		r->finish_checksum = f->hex[FERRY__FINISH];
		return note(ctx, f,
			"accepted the added finish section: state now 'up', "
			"'ferry finish' runs it");
	}
	return 0;
}

/* A failed section counts as run, or with `not_run` as not run. */
static int fix_failed(repair_ctx *ctx, fix *f)
{
	const ferry__migration *m = f->pair->mig;
	ferry__row *r = &f->row;
	int sec = ferry__row_failed_section(r);
	int n = r->failed_statement, not_run = ctx->opts->not_run;
	char what[200];

	/* The row goes when the migration ends up pending: an up section
	 * undone by hand, or a down section completed by hand. */
	f->remove = sec == FERRY__UP ? not_run : !not_run && sec == FERRY__DOWN;
	if (f->remove) {
		/* nothing more to change */
	} else if (sec == FERRY__UP) {
		r->state = m->pub.has_finish ? FERRY_STATE_UP
					     : FERRY_STATE_COMPLETE;
		r->has_finish = m->pub.has_finish;
		r->up_checksum = f->hex[FERRY__UP];
		r->finish_checksum =
			m->pub.has_finish ? f->hex[FERRY__FINISH] : NULL;
	} else if (sec == FERRY__FINISH && not_run) {
		r->state = FERRY_STATE_UP;
	} else if (sec == FERRY__FINISH) {
		r->state = FERRY_STATE_COMPLETE;
		r->finish_checksum = m->sec[FERRY__FINISH].present
			? f->hex[FERRY__FINISH]
			: NULL;
		ferry__utc_now(f->at);
		r->finish_at = f->at;
		r->finish_ms = -1;
	} else { /* down, not run: as it was before the down */
		r->state = r->finish_at || !r->has_finish ? FERRY_STATE_COMPLETE
							  : FERRY_STATE_UP;
	}
	clear_failure(r);
	snprintf(what, sizeof(what),
		"cleared the failed %s section (stopped at statement %d): "
		"counted as %s; %s%s%s",
		ferry__section_names[sec], n, not_run ? "not run" : "run",
		f->remove ? "the migration is pending" : "state now '",
		f->remove ? "" : ferry_state_name(r->state),
		f->remove ? "" : "'");
	return note(ctx, f, what);
}

/* Decide every change from the ledger as last read. */
static int decide(repair_ctx *ctx, ferry_error *err)
{
	size_t i;
	int rc, k;

	ferry__changes_reset(ctx->changes);
	free(ctx->fixes);
	ctx->nfixes = 0;
	if (!(ctx->fixes = ferry__calloc(
		      ctx->pairs.n + 1, sizeof(*ctx->fixes))))
		return ferry__error_oom(err);
	for (i = 0; i < ctx->pairs.n; i++) {
		const ferry__pair *p = &ctx->pairs.v[i];
		fix *f = &ctx->fixes[ctx->nfixes];

		if (!p->row || !p->mig)
			continue;
		memset(f, 0, sizeof(*f));
		f->pair = p;
		f->row = *p->row;
		f->first = ferry_changes_count(ctx->changes);
		for (k = 0; k < FERRY__NSECTIONS; k++)
			ferry__hex(f->hex[k], p->mig->sec[k].sha);
		if (ferry__row_failed_section(p->row) >= 0)
			rc = fix_failed(ctx, f);
		else if (p->row->state == FERRY_STATE_UP ||
			p->row->state == FERRY_STATE_COMPLETE)
			rc = fix_drift(ctx, f);
		else
			rc = 0; /* not ferry's: validate says so */
		if (rc < 0)
			return ferry__error_oom(err);
		if (f->nchanges == 0)
			continue;
		/* Keep the down checksum in step with the file too. */
		f->row.down_checksum =
			p->mig->pub.has_down ? f->hex[FERRY__DOWN] : NULL;
		ctx->nfixes++;
	}
	return 0;
}

static int read_and_decide(void *payload, size_t *work, ferry_error *err)
{
	repair_ctx *ctx = payload;
	int rc;

	if (ctx->db->locked)
		ferry__changes_set_waited(ctx->changes, ctx->db->waited);
	free(ctx->fixes);
	ctx->fixes = NULL;
	ctx->nfixes = 0;
	ferry__pairs_clear(&ctx->pairs);
	ferry__ledger_clear(&ctx->ledger);
	if ((rc = ferry__ledger_load(ctx->db, &ctx->ledger, err)) < 0 ||
		(rc = ferry__pairs_build(
			 &ctx->pairs, ctx->set, &ctx->ledger, err)) < 0 ||
		(rc = ferry__refuse_ahead(&ctx->pairs, err)) < 0 ||
		(rc = decide(ctx, err)) < 0)
		return rc;
	*work = ctx->nfixes;
	return 0;
}

static int write_all(void *payload, ferry_error *err)
{
	repair_ctx *ctx = payload;
	ferry_db *db = ctx->db;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < ctx->nfixes && rc == 0; i++) {
		const fix *f = &ctx->fixes[i];

		rc = ferry__ledger_take(db, f->pair->row, NULL, err);
		if (rc == 0 && !f->remove)
			rc = ferry__ledger_insert(db, &f->row, NULL, err);
		if (rc == FERRY__ECLAIMED)
			rc = ferry__changed_meanwhile(&f->pair->mig->pub, err);
		for (j = 0; j < f->nchanges && rc == 0; j++) {
			const ferry_change *c =
				ferry_changes_at(ctx->changes, f->first + j);
			ferry__history_rec rec = { "repair", c->migration,
				ferry__val_ms(-1), 1, c->what };

			rc = ferry__history_add(db, &rec, err);
		}
	}
	return rc;
}

int ferry_repair(ferry_changes **out, ferry_db *db, const ferry_set *set,
	const ferry_repair_options *opts, ferry_error *err)
{
	ferry_repair_options defaults = FERRY_REPAIR_OPTIONS_INIT;
	ferry__writer w = { read_and_decide, write_all, 1, 1, 0 };
	repair_ctx ctx;
	int rc;

	if (!out || !db || !set)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_repair needs out, db and set");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != FERRY_REPAIR_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	if (db->read_only)
		return ferry__error_set(
			err, FERRY_EINVALID, "database was opened read-only");
	memset(&ctx, 0, sizeof(ctx));
	ctx.db = db;
	ctx.set = set;
	ctx.opts = opts;
	if (!(ctx.changes = ferry__changes_new()))
		return ferry__error_oom(err);
	w.dry_run = opts->dry_run;
	rc = ferry__decide_and_write(db, &w, &ctx, err);
	free(ctx.fixes);
	ferry__pairs_clear(&ctx.pairs);
	ferry__ledger_clear(&ctx.ledger);
	if (rc < 0) {
		ferry_changes_free(ctx.changes);
		return rc;
	}
	*out = ctx.changes;
	return 0;
}
