/* SPDX-License-Identifier: MIT */
/*
 * state.c - a migration's state, and the files and the ledger side by side.
 *
 * The ledger spells a state as text; it is read into a ferry_state once,
 * where the ledger is loaded, and every question the rest of the library
 * asks of it is a predicate here.
 *
 * Files and ledger are both sorted by version, so one merge pass pairs
 * each file with its ledger row. A pair without a row is pending; a row
 * without a file is a migration this set does not know (the database is
 * ahead). Drift is a change to a section that already ran: `up` once
 * applied, `finish` once finished, or a finish section added to a
 * migration already complete.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
	[FERRY_STATE_PENDING] = "pending",
	[FERRY_STATE_UP] = "up",
	[FERRY_STATE_COMPLETE] = "complete",
	[FERRY_STATE_FAILED] = "failed",
	[FERRY_STATE_RUNNING] = "running",
	[FERRY_STATE_UNKNOWN] = "unknown",
};

const char *ferry_state_name(ferry_state state)
{
	if ((unsigned)state >= sizeof(state_names) / sizeof(*state_names))
		return "unknown";
	return state_names[state];
}

ferry_state ferry__state_parse(const char *text)
{
	/* Only these three are stored; pending and running never are. */
	static const ferry_state stored[] = { FERRY_STATE_UP,
		FERRY_STATE_COMPLETE, FERRY_STATE_FAILED };
	size_t i;

	for (i = 0; text && i < sizeof(stored) / sizeof(*stored); i++)
		if (strcmp(text, state_names[stored[i]]) == 0)
			return stored[i];
	return FERRY_STATE_UNKNOWN;
}

const char *ferry__row_state_text(const ferry__row *r)
{
	if (r->state == FERRY_STATE_UNKNOWN && r->state_text)
		return r->state_text;
	return ferry_state_name(r->state);
}

int ferry__row_failed_section(const ferry__row *r)
{
	int k;

	if (!r || r->state != FERRY_STATE_FAILED || !r->failed_section)
		return -1;
	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (strcmp(r->failed_section, ferry__section_names[k]) == 0)
			return k;
	return -1;
}

int ferry__row_applied(const ferry__row *r)
{
	int k = ferry__row_failed_section(r);

	if (!r)
		return 0;
	if (r->state != FERRY_STATE_FAILED)
		return 1;
	return k == FERRY__FINISH || k == FERRY__DOWN;
}

int ferry__row_finished(const ferry__row *r)
{
	int k = ferry__row_failed_section(r);

	if (!r || !r->has_finish)
		return 0;
	if (r->state == FERRY_STATE_COMPLETE)
		return 1;
	/* Half a finish may have dropped as much as a whole one. */
	return k == FERRY__FINISH || k == FERRY__DOWN;
}

int ferry__row_resumable(const ferry__row *r, int k)
{
	return ferry__row_failed_section(r) == k;
}

static int same_sum(const char *hex, const unsigned char sha[32])
{
	char now[65];

	if (!hex)
		return 1; /* nothing recorded, nothing to compare */
	ferry__hex(now, sha);
	return strcmp(hex, now) == 0;
}

static int drifted(const ferry__migration *m, const ferry__row *r)
{
	if (r->state == FERRY_STATE_FAILED)
		return 0; /* resume checks the statements that ran */
	if (!same_sum(r->up_checksum, m->sec[FERRY__UP].sha))
		return 1;
	if (r->state != FERRY_STATE_COMPLETE)
		return 0;
	if (r->has_finish)
		return !m->sec[FERRY__FINISH].present ||
			!same_sum(
				r->finish_checksum, m->sec[FERRY__FINISH].sha);
	return m->sec[FERRY__FINISH].present;
}

/*
 * Each repeatable file with its row, if it ran: to run again (`drift`)
 * unless the text that last ran is this one.
 */
static int pair_repeatables(ferry__pairs *out, const ferry_set *set,
	const ferry__ledger *l, ferry_error *err)
{
	size_t i;

	if (!set || set->nreps == 0)
		return 0;
	out->reps = ferry__calloc(set->nreps, sizeof(*out->reps));
	if (!out->reps)
		return ferry__error_oom(err);
	for (i = 0; i < set->nreps; i++) {
		ferry__pair *p = &out->reps[out->nreps++];
		char hex[65];

		p->mig = &set->reps[i];
		p->row = ferry__repeatable_row(l, p->mig->pub.name);
		ferry__hex(hex, p->mig->sec[FERRY__UP].sha);
		p->drift = !p->row || strcmp(p->row->up_checksum, hex) != 0;
	}
	return 0;
}

/*
 * Rows older than the oldest file: a squashed set left their migrations
 * out. The database has moved past them when it applied the oldest file
 * (for a baseline, finished it, its row then written by the files the
 * baseline replaced: counted as applied, never drift, since the baseline
 * never ran there). Else it is behind: at a release these files cannot
 * upgrade from.
 */
static void find_retired(ferry__pairs *out, const ferry_set *set)
{
	const ferry__release *base = ferry__set_baseline(set);
	ferry__pair *oldest = NULL;
	size_t i;

	for (i = 0; i < out->n; i++) {
		ferry__pair *p = &out->v[i];

		if (p->mig && !oldest)
			oldest = p;
		if (p->mig || oldest)
			continue;
		p->retired = 1;
		out->retired++;
		out->newest_retired = p->row;
	}
	if (!out->retired || !oldest)
		return;
	if (!base) {
		for (i = 0; i < out->n; i++)
			if (out->v[i].mig && out->v[i].row)
				return;
		out->behind = FERRY__BEHIND_OLDER;
	} else if (!oldest->row) {
		out->behind = FERRY__BEHIND_OLDER;
	} else if (oldest->row->state != FERRY_STATE_COMPLETE) {
		out->behind = FERRY__BEHIND_UNFINISHED;
	} else if (oldest->drift) {
		oldest->drift = 0;
		oldest->adopt = 1;
		out->adopt = oldest;
	}
}

static void release_or_version(
	char *buf, size_t size, const char *release, int64_t version)
{
	if (release)
		snprintf(buf, size, "release %s", release);
	else
		snprintf(buf, size, "version %lld", (long long)version);
}

void ferry__behind_where(const ferry__pairs *p, char *buf, size_t size)
{
	const ferry__row *r = p->newest_retired;
	size_t i;

	/* Unfinished: at the baseline's release, which it has begun. */
	for (i = 0; p->behind == FERRY__BEHIND_UNFINISHED && i < p->n; i++)
		if (p->v[i].mig && p->v[i].row)
			r = p->v[i].row;
	if (!r) {
		snprintf(buf, size, "an older release");
		return;
	}
	release_or_version(buf, size, r->release, r->version);
}

void ferry__behind_oldest(const ferry__pairs *p, char *buf, size_t size)
{
	const ferry_migration *m =
		p->set && p->set->n ? &p->set->migs[0].pub : NULL;

	if (!m) {
		snprintf(buf, size, "an older release");
		return;
	}
	release_or_version(buf, size, m->release, m->version);
}

int ferry__pairs_build(ferry__pairs *out, const ferry_set *set,
	const ferry__ledger *l, ferry_error *err)
{
	size_t i = 0, j = 0, nset = set ? set->n : 0;

	memset(out, 0, sizeof(*out));
	out->set = set;
	out->v = ferry__calloc(nset + l->n + 1, sizeof(*out->v));
	if (!out->v)
		return ferry__error_oom(err);
	while (i < nset || j < l->n) {
		ferry__pair *p = &out->v[out->n++];

		if (j >= l->n ||
			(i < nset &&
				set->migs[i].pub.version <
					l->rows[j].version)) {
			p->mig = &set->migs[i++];
		} else if (i >= nset ||
			l->rows[j].version < set->migs[i].pub.version) {
			p->row = &l->rows[j++];
		} else {
			p->mig = &set->migs[i++];
			p->row = &l->rows[j++];
			p->drift = drifted(p->mig, p->row);
		}
	}
	find_retired(out, set);
	return pair_repeatables(out, set, l, err);
}

void ferry__pairs_clear(ferry__pairs *p)
{
	free(p->v);
	free(p->reps);
	memset(p, 0, sizeof(*p));
}

/*
 * Running or failed
 *
 * A no-transaction section that stopped half way, or that is still being
 * run, reads `failed` in the ledger, claimed by its runner ("pid N,
 * user@host, since T, run X"). It is running while that runner holds the
 * runner lock, which says "pid N, user@host, since T": the same process,
 * alive, since the kernel or the server drops the lock of one that died.
 */

int ferry__lock_holder(ferry_db *db, char **holder, ferry_error *err)
{
	int held = 0, rc;

	*holder = NULL;
	if ((rc = db->drv->lock_probe(db, &held, holder, err)) < 0)
		return rc;
	if (!held) {
		free(*holder);
		*holder = NULL;
	}
	return 0;
}

/* "pid N, user@host": who, not since when (the lock and the claim were
 * taken at different moments). */
static size_t who_len(const char *s)
{
	const char *since = strstr(s, ", since ");

	return since ? (size_t)(since - s) : strlen(s);
}

int ferry__pair_running(ferry_db *db, const ferry__pair *p, const char *holder)
{
	char *runner = NULL;
	int running;

	if (!holder || !p->row || p->row->state != FERRY_STATE_FAILED ||
		ferry__ledger_runner(db, p->row->version, &runner, NULL) < 0 ||
		!runner)
		return 0;
	running = who_len(runner) == who_len(holder) &&
		strncmp(runner, holder, who_len(holder)) == 0;
	free(runner);
	return running;
}

static int count_stmt(void *payload, size_t offset, size_t len)
{
	(void)offset;
	(void)len;
	(*(int *)payload)++;
	return 0;
}

int ferry__section_statements(ferry_db *db, const ferry__migration *m, int k)
{
	ferry__split_error serr = { 0, NULL, NULL };
	ferry__hasher h;
	ferry__loaded f;
	int n = 0;

	if (k < 0 || m->code)
		return 0;
	ferry__hasher_init(&h);
	if (ferry__migration_load(m, &h, &f, NULL) == 0 && f.sec[k].present &&
		ferry__split_blocks_each(f.text + f.sec[k].offset, f.sec[k].len,
			f.sec[k].blocks, db->drv->dialect, count_stmt, &n,
			&serr) < 0)
		n = 0;
	ferry__loaded_release(&f);
	ferry__hasher_release(&h);
	return n;
}
