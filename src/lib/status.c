/* SPDX-License-Identifier: MIT */
/*
 * status.c - where a database stands against a migration set: the summary
 * of `ferry status` and the rows of `ferry list`, from one read of the
 * ledger. Reads only, takes no lock, creates nothing.
 *
 * Every string of a ferry_status is its own copy, so the status outlives
 * the set and the database it was read from.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	ferry_status pub;
	ferry_entry *entries; /* files and ledger merged, by version */
	size_t n;
	ferry_entry *reps; /* the repeatable files, by name */
	size_t nreps;
	const char **drift;
	char **strings;
	size_t nstrings;
	size_t alloc;
	int oom;
} status_priv;

size_t ferry_status_count(const ferry_status *status)
{
	return status ? ((const status_priv *)status)->n : 0;
}

const ferry_entry *ferry_status_at(const ferry_status *status, size_t i)
{
	const status_priv *st = (const status_priv *)status;

	return st && i < st->n ? &st->entries[i] : NULL;
}

size_t ferry_status_repeatable_count(const ferry_status *status)
{
	return status ? ((const status_priv *)status)->nreps : 0;
}

const ferry_entry *ferry_status_repeatable_at(
	const ferry_status *status, size_t i)
{
	const status_priv *st = (const status_priv *)status;

	return st && i < st->nreps ? &st->reps[i] : NULL;
}

void ferry_status_free(ferry_status *status)
{
	status_priv *st = (status_priv *)status;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nstrings; i++)
		free(st->strings[i]);
	free(st->strings);
	free(st->entries);
	free(st->reps);
	free(st->drift);
	free(st);
}

/* A copy of `s` that the status owns; NULL stays NULL. */
static const char *keep(status_priv *st, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	if (FERRY__GROW(st->strings, st->alloc, st->nstrings + 1, 256) < 0) {
		st->oom = 1;
		return NULL;
	}
	copy = ferry__strdup(s);
	if (!copy) {
		st->oom = 1;
		return NULL;
	}
	st->strings[st->nstrings++] = copy;
	return copy;
}

static const char *keep_version(status_priv *st, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return keep(st, buf);
}

static void fill_entry(status_priv *st, ferry_entry *e, const ferry__pair *p)
{
	const ferry__migration *m = p->mig;
	const ferry__row *r = p->row;

	e->version = m ? m->pub.version : r->version;
	/* A file's own spelling: another tool's version as it writes it. */
	e->version_text = m ? keep(st, m->pub.version_text)
			    : keep_version(st, e->version);
	e->name = keep(st, m ? m->pub.name : r->name);
	if (m && m->pub.release)
		e->release = keep(st, m->pub.release);
	else
		e->release = keep(st, r ? r->release : NULL);
	e->state = r ? r->state : FERRY_STATE_PENDING;
	e->up_at = keep(st, r ? r->up_at : NULL);
	e->finish_at = keep(st, r ? r->finish_at : NULL);
	e->up_ms = r ? r->up_ms : -1;
	e->finish_ms = r ? r->finish_ms : -1;
	e->applied_by = keep(st, r ? r->applied_by : NULL);
	e->drift = p->drift;
	e->in_files = m != NULL;
	e->retired = p->retired;
	e->has_finish = m ? m->pub.has_finish : r->has_finish;
	e->failed_statement =
		r && r->state == FERRY_STATE_FAILED ? r->failed_statement : 0;
	e->error = keep(st, r ? r->error : NULL);
	e->section = e->failed_statement ? keep(st, r->failed_section) : NULL;
}

/* A repeatable migration: pending until it first ran; drift, to run
 * again. */
static void fill_repeatable(
	status_priv *st, ferry_entry *e, const ferry__pair *p)
{
	const ferry__row *r = p->row;

	e->repeatable = 1;
	e->version_text = "";
	e->name = keep(st, p->mig->pub.name);
	e->state = r ? FERRY_STATE_COMPLETE : FERRY_STATE_PENDING;
	e->up_at = keep(st, r ? r->up_at : NULL);
	e->up_ms = r ? r->up_ms : -1;
	e->finish_ms = -1;
	e->applied_by = keep(st, r ? r->applied_by : NULL);
	e->drift = r && p->drift;
	e->in_files = 1;
	st->pub.repeatables++;
	st->pub.repeatables_changed += p->drift != 0;
}

/*
 * A failed section whose runner holds the runner lock is running: say so,
 * and how many statements it has, rather than that it failed.
 */
static void find_running(status_priv *st, ferry_db *db,
	const ferry__pairs *pairs, const char *holder)
{
	size_t i;

	for (i = 0; holder && i < pairs->n; i++) {
		const ferry__pair *p = &pairs->v[i];
		ferry_entry *e = &st->entries[i];

		if (!p->mig || !ferry__pair_running(db, p, holder))
			continue;
		e->state = FERRY_STATE_RUNNING;
		e->statements = ferry__section_statements(
			db, p->mig, ferry__row_failed_section(p->row));
	}
}

static void count(status_priv *st)
{
	ferry_status *s = &st->pub;
	size_t i;

	for (i = 0; i < st->n; i++) {
		const ferry_entry *e = &st->entries[i];

		if (e->retired)
			s->retired++;
		else if (!e->in_files)
			s->unknown++;
		else if (e->state == FERRY_STATE_PENDING)
			s->pending++;
		else if (e->state == FERRY_STATE_UP)
			s->up++;
		else if (e->state == FERRY_STATE_COMPLETE)
			s->complete++;
		else if (e->state == FERRY_STATE_RUNNING)
			s->running++;
		else /* failed, or a state ferry does not know */
			s->failed++;
		if (e->drift)
			st->drift[s->ndrift++] = e->version_text;
		if (e->in_files)
			s->head = e->version_text;
		if (e->state == FERRY_STATE_UP ||
			e->state == FERRY_STATE_COMPLETE)
			s->current = e->version_text;
	}
}

/* Every entry up to `last` is complete. */
static int all_complete(const status_priv *st, const ferry_entry *last)
{
	size_t i;

	for (i = 0; i < st->n && &st->entries[i] <= last; i++)
		if (st->entries[i].state != FERRY_STATE_COMPLETE)
			return 0;
	return 1;
}

/*
 * The newest release whose migrations are all complete, and the release
 * being rolled out past it: the release of the newest applied migration,
 * or "<newest release>+N" when N applied migrations belong to none yet.
 */
static void releases(status_priv *st, const ferry_set *set)
{
	ferry_status *s = &st->pub;
	const ferry_entry *newest = NULL;
	int64_t finished_last = INT64_MIN;
	size_t r, i, unreleased = 0;

	for (r = 0; set && r < set->nreleases; r++) {
		const ferry_release *rel = &set->releases[r].pub;
		int done = 1;

		for (i = 0; i < st->n && done; i++)
			if (st->entries[i].version <= rel->last_version &&
				st->entries[i].state != FERRY_STATE_COMPLETE)
				done = 0;
		if (!done)
			break;
		s->release_finished = keep(st, rel->name);
		finished_last = rel->last_version;
	}
	for (i = 0; i < st->n; i++) {
		const ferry_entry *e = &st->entries[i];

		if (e->state == FERRY_STATE_PENDING ||
			e->version <= finished_last)
			continue;
		newest = e;
		if (!e->release)
			unreleased++;
	}
	if (!newest)
		return;
	/* A release the files do not know, applied whole by a newer ferry:
	 * finished as far as the ledger can tell. */
	if (newest->release && !newest->in_files && all_complete(st, newest)) {
		s->release_finished = newest->release;
		return;
	}
	if (newest->release) {
		s->release_in_flight = newest->release;
	} else if (set && set->nreleases > 0) {
		char buf[300];

		snprintf(buf, sizeof(buf), "%s+%zu",
			set->releases[set->nreleases - 1].pub.name, unreleased);
		s->release_in_flight = keep(st, buf);
	}
}

static int last_action_row(void *payload, int ncols, const char *const *v)
{
	status_priv *st = payload;

	if (ncols < 5)
		return 1;
	st->pub.last_action = keep(st, v[0]);
	st->pub.last_version = keep(st, v[1]);
	st->pub.last_by = keep(st, v[2]);
	st->pub.last_at = keep(st, v[3]);
	st->pub.last_success = v[4] && strcmp(v[4], "0") != 0;
	return 1;
}

static int last_action(status_priv *st, ferry_db *db, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	int rc, exists;

	ferry__buf_printf(&sql,
		"SELECT action, version, actor, at, success FROM %s ORDER BY "
		"id DESC LIMIT 1",
		db->qhistory);
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->query_table(db, db->history_table, sql.buf,
		last_action_row, st, &exists, err);
	ferry__buf_release(&sql);
	return rc;
}

static int lock_state(status_priv *st, ferry_db *db, ferry_error *err)
{
	char *holder = NULL;
	int rc = db->drv->lock_probe(db, &st->pub.lock_held, &holder, err);

	st->pub.lock_holder = keep(st, holder);
	free(holder);
	return rc;
}

/*
 * The ledger cannot be read now: a migration holds the database (SQLite,
 * while a long transaction writes). Say what can be told without it: the
 * files, and who holds the runner lock. -1 when no runner does (then it is
 * the application that holds the database, and the caller's error stands).
 */
static int busy(
	status_priv *st, ferry_db *db, const ferry_set *set, ferry_error *err)
{
	ferry_error mine;
	size_t n = ferry_set_count(set);

	ferry_error_init(&mine);
	if (lock_state(st, db, &mine) < 0 || !st->pub.lock_held)
		return -1;
	st->pub.busy = 1;
	st->pub.engine = db->drv->name;
	st->pub.server_version = keep(st, ferry_db_server_version(db));
	st->pub.database = keep(st, db->url.display);
	st->pub.database_exists = db->exists;
	st->pub.ledger_exists = 1;
	if (n > 0)
		st->pub.head = keep(st, ferry_set_at(set, n - 1)->version_text);
	if (st->oom)
		return -1;
	if (err)
		ferry_error_init(err);
	return 0;
}

/* No ledger of ferry's: another tool's, which `ferry adopt` reads? */
static int foreign_ledger(status_priv *st, ferry_db *db, ferry_error *err)
{
	ferry__objects o;
	int rc;

	if ((rc = ferry__objects_count(db, &o, err)) < 0)
		return rc;
	if (o.foreign.len && !o.other_ferry)
		st->pub.foreign_ledger = keep(st, ferry__buf_cstr(&o.foreign));
	ferry__objects_clear(&o);
	return 0;
}

int ferry_status_get(ferry_status **out, ferry_db *db, const ferry_set *set,
	ferry_error *err)
{
	ferry__ledger ledger;
	ferry__pairs pairs = { 0 };
	status_priv *st;
	size_t i;
	int rc;

	if (!out || !db)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", out ? "db" : "out");
	*out = NULL;
	st = ferry__calloc(1, sizeof(*st));
	if (!st)
		return ferry__error_oom(err);
	/* Say what can be told at once rather than wait for a migration. */
	db->busy_cap_ms = 2000;
	rc = ferry__ledger_load(db, &ledger, err);
	if (rc == 0)
		rc = ferry__repeatables_load(db, set, &ledger, err);
	db->busy_cap_ms = 0;
	if (rc < 0) {
		if (rc == FERRY_ELOCKED && busy(st, db, set, err) == 0) {
			ferry__ledger_clear(&ledger);
			*out = &st->pub;
			return 0;
		}
		ferry__ledger_clear(&ledger);
		ferry_status_free(&st->pub);
		return rc;
	}
	if ((rc = ferry__pairs_build(&pairs, set, &ledger, err)) < 0)
		goto out;
	st->entries = ferry__calloc(pairs.n + 1, sizeof(*st->entries));
	st->drift = ferry__calloc(pairs.n + 1, sizeof(*st->drift));
	st->reps = ferry__calloc(pairs.nreps + 1, sizeof(*st->reps));
	if (!st->entries || !st->drift || !st->reps) {
		rc = ferry__error_oom(err);
		goto out;
	}
	st->pub.engine = db->drv->name;
	st->pub.server_version = keep(st, ferry_db_server_version(db));
	st->pub.database = keep(st, db->url.display);
	st->pub.database_exists = db->exists;
	st->pub.ledger_exists = ledger.exists;
	for (i = 0; i < pairs.n; i++)
		fill_entry(st, &st->entries[i], &pairs.v[i]);
	for (i = 0; i < pairs.nreps; i++)
		fill_repeatable(st, &st->reps[i], &pairs.reps[i]);
	st->nreps = pairs.nreps;
	if (st->oom) {
		rc = ferry__error_oom(err);
		goto out;
	}
	st->n = pairs.n;
	st->pub.drift = st->drift;
	if ((rc = lock_state(st, db, err)) < 0)
		goto out;
	if (st->pub.lock_held)
		find_running(st, db, &pairs, st->pub.lock_holder);
	count(st);
	releases(st, set);
	if (pairs.behind) {
		char buf[120];

		ferry__behind_where(&pairs, buf, sizeof(buf));
		st->pub.behind = keep(st, buf);
		ferry__behind_oldest(&pairs, buf, sizeof(buf));
		st->pub.behind_oldest = keep(st, buf);
		st->pub.behind_unfinished =
			pairs.behind == FERRY__BEHIND_UNFINISHED;
	}
	if ((rc = last_action(st, db, err)) < 0 ||
		(!ledger.exists && (rc = foreign_ledger(st, db, err)) < 0))
		goto out;
	if (st->oom)
		rc = ferry__error_oom(err);
out:
	ferry__pairs_clear(&pairs);
	ferry__ledger_clear(&ledger);
	if (rc < 0) {
		ferry_status_free(&st->pub);
		return rc;
	}
	*out = &st->pub;
	return 0;
}
