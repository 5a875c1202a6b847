/* SPDX-License-Identifier: MIT */
/*
 * reset.c - `reset`: drop everything ferry's migrations made, and the
 * ledger, so that every migration is pending again.
 *
 * The driver says what there is to drop and how (its reset_sql); this file
 * lists it, and drops it under the runner lock in one transaction, so that
 * a failure or a kill leaves the database as it was. PostgreSQL drops with
 * CASCADE, which may reach into other schemas (a view there on a table
 * here): what the driver's reset_guard_sql sees outside the schema is
 * compared before and after, and anything gone undoes the whole reset.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	ferry_dropped_object pub;
	char *drop; /* the DROP statement */
} reset_object;

struct ferry_dropped {
	reset_object *v;
	size_t n;
	size_t alloc;
	int oom;
};

size_t ferry_dropped_count(const ferry_dropped *r)
{
	return r ? r->n : 0;
}

const ferry_dropped_object *ferry_dropped_at(const ferry_dropped *r, size_t i)
{
	return r && i < r->n ? &r->v[i].pub : NULL;
}

const ferry_dropped_object *ferry_dropped_get(const ferry_dropped *r, size_t i)
{
	return ferry_dropped_at(r, i);
}

static void objects_clear(ferry_dropped *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free((char *)r->v[i].pub.kind);
		free((char *)r->v[i].pub.name);
		free(r->v[i].drop);
	}
	r->n = 0;
	r->oom = 0;
}

void ferry_dropped_free(ferry_dropped *r)
{
	if (!r)
		return;
	objects_clear(r);
	free(r->v);
	free(r);
}

/* A row of reset_sql: kind, name, ledger, DROP statement. */
static int add_object(void *payload, int ncols, const char *const *v)
{
	ferry_dropped *r = payload;
	reset_object *o;

	if (ncols < 4 || !v[0] || !v[1] || !v[3])
		return 0;
	if (FERRY__GROW(r->v, r->alloc, r->n + 1, 16) < 0) {
		r->oom = 1;
		return 1;
	}
	o = &r->v[r->n];
	o->pub.kind = ferry__strdup(v[0]);
	o->pub.name = ferry__strdup(v[1]);
	o->pub.ledger = v[2] && v[2][0] == '1';
	o->drop = ferry__strdup(v[3]);
	r->n++;
	if (!o->pub.kind || !o->pub.name || !o->drop) {
		r->oom = 1;
		return 1;
	}
	return 0;
}

/* What there is to drop now, replacing what `r` held. */
static int list_objects(ferry_db *db, ferry_dropped *r, ferry_error *err)
{
	ferry__val p[4] = { { FERRY__VAL_TEXT, 0, db->schema },
		{ FERRY__VAL_TEXT, 0, db->table },
		{ FERRY__VAL_TEXT, 0, db->history_table },
		{ FERRY__VAL_TEXT, 0, db->rep_table } };
	int rc;

	objects_clear(r);
	if (!db->exists)
		return 0; /* a SQLite file not made yet holds nothing */
	rc = db->drv->query(db, db->drv->reset_sql, p, 4, add_object, r, err);
	if (r->oom)
		return ferry__error_oom(err);
	return rc;
}

/*
 * The guard: rows of (key, description), sorted by key, of what lies
 * outside the schema.
 */
typedef struct {
	char **keys;
	char **what;
	size_t n;
	size_t alloc;
	int oom;
} outside;

static void outside_clear(outside *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->keys[i]);
		free(o->what[i]);
	}
	free(o->keys);
	free(o->what);
	memset(o, 0, sizeof(*o));
}

static int add_outside(void *payload, int ncols, const char *const *v)
{
	outside *o = payload;

	if (ncols < 2 || !v[0])
		return 0;
	if (o->n == o->alloc) {
		size_t keys = o->alloc, what = o->alloc;

		/* Two arrays of one length: it grows once both have. */
		if (FERRY__GROW(o->keys, keys, o->n + 1, 256) < 0 ||
			FERRY__GROW(o->what, what, o->n + 1, 256) < 0) {
			o->oom = 1;
			return 1;
		}
		o->alloc = what;
	}
	o->keys[o->n] = ferry__strdup(v[0]);
	o->what[o->n] = ferry__strdup(v[1] ? v[1] : v[0]);
	o->n++;
	if (!o->keys[o->n - 1] || !o->what[o->n - 1]) {
		o->oom = 1;
		return 1;
	}
	return 0;
}

static int read_outside(ferry_db *db, outside *o, ferry_error *err)
{
	ferry__val p = { FERRY__VAL_TEXT, 0, db->schema };
	int rc;

	rc = db->drv->query(
		db, db->drv->reset_guard_sql, &p, 1, add_outside, o, err);
	if (o->oom)
		return ferry__error_oom(err);
	return rc;
}

/*
 * Refuse if anything of `before` is missing from `after`. Both are sorted
 * the same way, and nothing is made outside the schema meanwhile, so one
 * walk finds what went.
 */
static int refuse_gone(const ferry_db *db, const outside *before,
	const outside *after, ferry_error *err)
{
	ferry__buf names = FERRY__BUF_INIT;
	size_t i, j = 0, gone = 0;

	for (i = 0; i < before->n; i++) {
		if (j < after->n &&
			strcmp(before->keys[i], after->keys[j]) == 0) {
			j++;
			continue;
		}
		if (gone < 3)
			ferry__buf_printf(&names, "%s%s", gone ? ", " : "",
				before->what[i]);
		gone++;
	}
	if (gone == 0) {
		ferry__buf_release(&names);
		return 0;
	}
	ferry__error_set(err, FERRY_EREFUSED,
		"reset would also drop %zu object%s outside schema '%s'", gone,
		gone == 1 ? "" : "s", db->schema);
	ferry__error_detail(
		err, "%s%s", ferry__buf_cstr(&names), gone > 3 ? ", ..." : "");
	ferry__error_hint(err,
		"they depend on objects in '%s'; drop or change them first, "
		"nothing was dropped",
		db->schema);
	ferry__buf_release(&names);
	return FERRY_EREFUSED;
}

/* Drop what `r` lists, in the transaction the caller opened. */
static int drop_all(ferry_db *db, ferry_dropped *r, ferry_error *err)
{
	outside before = { NULL, NULL, 0, 0, 0 }, after = before;
	size_t i;
	int rc = 0;

	if (db->drv->reset_guard_sql &&
		(rc = read_outside(db, &before, err)) < 0)
		goto out;
	for (i = 0; i < r->n && rc == 0; i++)
		rc = db->drv->query(db, r->v[i].drop, NULL, 0, NULL, NULL, err);
	if (rc == 0 && db->drv->reset_guard_sql &&
		(rc = read_outside(db, &after, err)) == 0)
		rc = refuse_gone(db, &before, &after, err);
	if (rc == 0)
		rc = db->drv->commit(db, err);
out:
	outside_clear(&before);
	outside_clear(&after);
	return rc;
}

/*
 * The server's words as the detail, under a message that says what failed.
 * Returns `rc`, the failure's own code, whether or not there is an `err`
 * to rewrite: a lock not had stays FERRY_ELOCKED for a caller without one.
 */
static int reset_failed(ferry_db *db, int rc, ferry_error *err)
{
	char detail[sizeof(err->message) + sizeof(err->detail) + 2];

	if (!err || rc == FERRY_ENOMEM || rc == FERRY_EREFUSED ||
		rc == FERRY_ELOCKED)
		return rc;
	snprintf(detail, sizeof(detail), "%s%s%s", err->message,
		err->detail[0] ? ": " : "", err->detail);
	snprintf(err->message, sizeof(err->message),
		"cannot reset database '%s'", db->url.display);
	snprintf(err->detail, sizeof(err->detail), "%.*s",
		(int)sizeof(err->detail) - 1, detail);
	/* The driver's hint speaks of migrations; this is about ownership. */
	if (strcmp(err->sqlstate, "42501") == 0)
		snprintf(err->hint, sizeof(err->hint),
			"nothing was dropped; run reset as the owner of the "
			"objects");
	else
		snprintf(err->hint, sizeof(err->hint),
			"nothing was dropped; fix the cause and run it again");
	return rc;
}

typedef struct {
	ferry_db *db;
	ferry_dropped *r;
} reset_ctx;

static int decide(void *payload, size_t *work, ferry_error *err)
{
	reset_ctx *ctx = payload;
	int rc = list_objects(ctx->db, ctx->r, err);

	*work = ctx->r->n;
	return rc < 0 && ctx->db->locked ? reset_failed(ctx->db, rc, err) : rc;
}

/*
 * Under the lock: list again in the transaction that drops, so that what
 * is dropped is what is listed, however the application goes on.
 */
static int drop_now(void *payload, ferry_error *err)
{
	reset_ctx *ctx = payload;
	ferry_db *db = ctx->db;
	int rc;

	if ((rc = db->drv->begin(db, err)) == 0 &&
		(rc = list_objects(db, ctx->r, err)) == 0)
		rc = drop_all(db, ctx->r, err);
	if (rc < 0) {
		db->drv->rollback(db);
		rc = reset_failed(db, rc, err);
	}
	return rc;
}

int ferry_reset(ferry_dropped **out, ferry_db *db,
	const ferry_reset_options *opts, ferry_error *err)
{
	ferry_reset_options defaults = FERRY_RESET_OPTIONS_INIT;
	ferry__writer w = { decide, drop_now, 0, 0, 0 };
	reset_ctx ctx;
	ferry_dropped *r;
	int rc;

	if (!out || !db)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: ferry_reset needs out and db");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != FERRY_RESET_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	if (db->read_only && !opts->dry_run)
		return ferry__error_set(
			err, FERRY_EINVALID, "database was opened read-only");
	if (!(r = ferry__calloc(1, sizeof(*r))))
		return ferry__error_oom(err);
	ctx.db = db;
	ctx.r = r;
	w.dry_run = opts->dry_run;
	rc = ferry__decide_and_write(db, &w, &ctx, err);
	if (rc < 0) {
		ferry_dropped_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
