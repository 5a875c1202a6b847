/* SPDX-License-Identifier: MIT */
/*
 * plan.c - which sections a run takes, in which order: `up` as far as the
 * checkpoints allow, `finish`, `migrate` (both, checkpoint by checkpoint),
 * and `rollback`/`down` newest first.
 *
 * Planning reads the files and the ledger side by side and writes nothing,
 * so `plan` shows exactly what a run would do. It simulates each
 * migration's state as the steps are added: a migration without a finish
 * section that goes up is complete at once, which may finish a checkpoint
 * release within the same run.
 */
#include "ferry_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Refusals
 */

/*
 * The database is at a release older than the set's oldest migration (a
 * squashed set): what it lacks is in files these no longer have.
 */
static int refuse_behind(const ferry__pairs *pairs, ferry_error *err)
{
	char where[120], oldest[120];

	ferry__behind_where(pairs, where, sizeof(where));
	ferry__behind_oldest(pairs, oldest, sizeof(oldest));
	if (pairs->behind == FERRY__BEHIND_UNFINISHED) {
		ferry__error_set(err, FERRY_EREFUSED,
			"database is at %s but has not finished it; this set "
			"starts from it finished",
			where);
		ferry__error_hint(err,
			"finish it first with an older release ('ferry "
			"finish'), then run this one");
		return FERRY_EREFUSED;
	}
	ferry__error_set(err, FERRY_EREFUSED,
		"database is at %s, older than this set supports", where);
	ferry__error_hint(err,
		"upgrade to %s first with an older release, then run this one",
		oldest + (strncmp(oldest, "release ", 8) == 0 ? 8 : 0));
	return FERRY_EREFUSED;
}

/* The database has versions no file has: it is ahead of these files. */
int ferry__refuse_ahead(const ferry__pairs *pairs, ferry_error *err)
{
	const ferry__row *newest = NULL;
	size_t i, count = 0;

	if (pairs->behind)
		return refuse_behind(pairs, err);
	for (i = 0; i < pairs->n; i++) {
		if (pairs->v[i].mig || pairs->v[i].retired)
			continue;
		newest = pairs->v[i].row;
		count++;
	}
	if (!newest)
		return 0;
	ferry__error_set(err, FERRY_EREFUSED,
		"database is ahead of these migration files");
	if (count == 1)
		ferry__error_hint(err,
			"version %lld%s%s%s is applied but no file has it; "
			"run the newer release",
			(long long)newest->version,
			newest->release ? " (release " : "",
			newest->release ? newest->release : "",
			newest->release ? ")" : "");
	else
		ferry__error_hint(err,
			"%zu applied versions, up to %lld%s%s%s, have no "
			"file; run the newer release",
			count, (long long)newest->version,
			newest->release ? " (release " : "",
			newest->release ? newest->release : "",
			newest->release ? ")" : "");
	return FERRY_EREFUSED;
}

int ferry__refuse_drift(const ferry__pairs *pairs, ferry_error *err)
{
	size_t i;

	for (i = 0; i < pairs->n; i++) {
		const ferry__pair *p = &pairs->v[i];

		if (!p->drift)
			continue;
		ferry__error_set(err, FERRY_EREFUSED,
			"migration '%s' was changed after it was applied",
			p->mig->pub.id);
		ferry__error_detail(err, "applied by %s at %s",
			p->row->applied_by ? p->row->applied_by : "?",
			p->row->up_at ? p->row->up_at : "?");
		if (p->mig->pub.code)
			ferry__error_hint(err,
				"its checksum given to ferry_set_add_code() "
				"changed: give the one it was applied with; "
				"changes belong in a new migration");
		else
			ferry__error_hint(err,
				"restore '%s' as it was applied; changes belong in a "
				"new migration",
				p->mig->pub.path);
		return FERRY_EREFUSED;
	}
	return 0;
}

/* A version or a release name to the newest version it includes. */
int ferry__resolve_target(
	const ferry_set *set, const char *to, int64_t *out, ferry_error *err)
{
	size_t i;

	*out = INT64_MAX;
	if (!to)
		return 0;
	for (i = 0; i < set->nreleases; i++) {
		if (strcmp(set->releases[i].pub.name, to) == 0) {
			*out = set->releases[i].pub.last_version;
			return 0;
		}
	}
	if (ferry__parse_version(to, strlen(to), out) == 0 &&
		ferry__set_find(set, *out))
		return 0;
	/* Another tool's version as it writes it: Flyway's "1.2.10". */
	for (i = 0; set->format != FERRY_FORMAT_FERRY && i < set->n; i++) {
		if (strcmp(set->migs[i].pub.version_text, to) == 0) {
			*out = set->migs[i].pub.version;
			return 0;
		}
	}
	ferry__error_set(
		err, FERRY_EINVALID, "no migration or release '%s'", to);
	ferry__error_hint(err,
		"'ferry list' shows the versions and releases of this set");
	return FERRY_EINVALID;
}

/* A migration's state while planning. */
enum {
	S_PENDING,
	S_UP,
	S_COMPLETE,
	S_FAILED_UP,
	S_FAILED_FINISH,
	S_FAILED_DOWN
};

typedef struct {
	const ferry_set *set;
	const ferry__pairs *pairs;
	ferry__plan *plan;
	int *state;	 /* per pair */
	const char *cmd; /* the command a hint names: "up", "migrate" */
	ferry_error *err;
} planner;

static int state_of(const ferry__row *r)
{
	if (!r)
		return S_PENDING;
	if (r->state == FERRY_STATE_UP)
		return S_UP;
	if (r->state == FERRY_STATE_COMPLETE)
		return S_COMPLETE;
	if (ferry__row_resumable(r, FERRY__FINISH))
		return S_FAILED_FINISH;
	if (ferry__row_resumable(r, FERRY__DOWN))
		return S_FAILED_DOWN;
	return S_FAILED_UP;
}

static int planner_init(planner *pl, ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, ferry_error *err)
{
	size_t i;

	ferry__plan_clear(out); /* a plan from before, or zeroes */
	pl->set = set;
	pl->pairs = pairs;
	pl->plan = out;
	pl->cmd = "up";
	pl->err = err;
	pl->state = ferry__calloc(pairs->n + 1, sizeof(*pl->state));
	/* Each pair is stepped at most once per section. */
	out->v =
		ferry__calloc(2 * pairs->n + pairs->nreps + 1, sizeof(*out->v));
	if (!pl->state || !out->v) {
		free(pl->state);
		pl->state = NULL;
		ferry__plan_clear(out);
		ferry__error_oom(err);
		return FERRY_ENOMEM;
	}
	for (i = 0; i < pairs->n; i++)
		pl->state[i] = state_of(pairs->v[i].row);
	return 0;
}

static int planner_done(planner *pl, int rc)
{
	free(pl->state);
	if (rc < 0)
		ferry__plan_clear(pl->plan);
	return rc;
}

static void push(planner *pl, size_t i, int k, int by_up)
{
	ferry__step *s = &pl->plan->v[pl->plan->n++];

	s->mig = pl->pairs->v[i].mig;
	s->row = pl->pairs->v[i].row;
	s->k = k;
	s->by_up = by_up;
}

static int64_t version_at(const planner *pl, size_t i)
{
	const ferry__pair *p = &pl->pairs->v[i];

	return p->mig ? p->mig->pub.version : p->row->version;
}

/* Every migration of the release, and of those before it, is complete. */
static int release_finished(const planner *pl, const ferry__release *r)
{
	size_t i;

	for (i = 0; i < pl->pairs->n; i++) {
		if (version_at(pl, i) > r->pub.last_version)
			break;
		if (pl->state[i] != S_COMPLETE)
			return 0;
	}
	return 1;
}

/* The oldest checkpoint before `version` that is not finished, or NULL. */
static const ferry__release *checkpoint_before(
	const planner *pl, int64_t version)
{
	size_t i;

	for (i = 0; i < pl->set->nreleases; i++) {
		const ferry__release *r = &pl->set->releases[i];

		if (r->pub.last_version >= version)
			break;
		if (r->pub.checkpoint && !release_finished(pl, r))
			return r;
	}
	return NULL;
}

/* The newest version applied before the run (failed ups aside). */
static int64_t newest_applied(const planner *pl)
{
	int64_t newest = INT64_MIN;
	size_t i;

	for (i = 0; i < pl->pairs->n; i++)
		if (pl->pairs->v[i].row && pl->state[i] != S_FAILED_UP)
			newest = pl->pairs->v[i].row->version;
	return newest;
}

/*
 * Up sections, oldest first, up to `target` or the first unfinished
 * checkpoint in the way, which is then noted in `blocked`.
 */
static int plan_ups(planner *pl, int64_t target, int allow_ooo, int by_up)
{
	int64_t newest = newest_applied(pl);
	size_t i;

	pl->plan->blocked = NULL;
	for (i = 0; i < pl->pairs->n; i++) {
		const ferry__migration *m = pl->pairs->v[i].mig;
		int st = pl->state[i];

		if (!m || m->pub.version > target)
			continue;
		if (st != S_PENDING && st != S_FAILED_UP)
			continue;
		if ((pl->plan->blocked = checkpoint_before(pl, m->pub.version)))
			return 0;
		if (st == S_PENDING && m->pub.version < newest && !allow_ooo) {
			ferry__error_set(pl->err, FERRY_EREFUSED,
				"migration '%s' is older than the newest "
				"applied one, %lld",
				m->pub.id, (long long)newest);
			ferry__error_hint(pl->err,
				"it was probably merged late; apply it anyway "
				"with 'ferry %s --allow-out-of-order'",
				pl->cmd);
			return FERRY_EREFUSED;
		}
		push(pl, i, FERRY__UP, by_up);
		pl->state[i] = m->pub.has_finish ? S_UP : S_COMPLETE;
	}
	return 0;
}

/* Finish sections of migrations that are up, oldest first. */
static size_t plan_finishes(planner *pl, int64_t limit)
{
	size_t i, n = 0;

	for (i = 0; i < pl->pairs->n; i++) {
		const ferry__migration *m = pl->pairs->v[i].mig;

		if (!m || m->pub.version > limit)
			continue;
		if (pl->state[i] != S_UP && pl->state[i] != S_FAILED_FINISH)
			continue;
		push(pl, i, FERRY__FINISH, 0);
		pl->state[i] = S_COMPLETE;
		n++;
	}
	return n;
}

/*
 * Repeatable migrations whose text changed, by name, once the run leaves
 * every versioned migration of the files applied: a view may read a
 * column the newest migration adds.
 */
static void plan_repeatables(planner *pl, int64_t target, int by_up)
{
	size_t i;

	if (pl->set->n && target < pl->set->migs[pl->set->n - 1].pub.version)
		return;
	for (i = 0; i < pl->pairs->n; i++)
		if (pl->pairs->v[i].mig && pl->state[i] != S_UP &&
			pl->state[i] != S_COMPLETE)
			return;
	for (i = 0; i < pl->pairs->nreps; i++) {
		const ferry__pair *p = &pl->pairs->reps[i];
		ferry__step *s;

		if (!p->drift)
			continue;
		s = &pl->plan->v[pl->plan->n++];
		s->mig = p->mig;
		s->row = p->row;
		s->k = FERRY__UP;
		s->by_up = by_up;
	}
}

int ferry__plan_up(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t target, int allow_ooo,
	ferry_error *err)
{
	planner pl;
	int rc;

	if ((rc = planner_init(&pl, out, set, pairs, err)) < 0)
		return rc;
	if ((rc = plan_ups(&pl, target, allow_ooo, 1)) == 0)
		plan_repeatables(&pl, target, 1);
	return planner_done(&pl, rc);
}

int ferry__plan_finish(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t target, ferry_error *err)
{
	planner pl;
	int rc;

	if ((rc = planner_init(&pl, out, set, pairs, err)) < 0)
		return rc;
	plan_finishes(&pl, target);
	return planner_done(&pl, 0);
}

/*
 * Up to the first unfinished checkpoint, finish up to it, and again, until
 * the target is reached; then finish everything up to the target. Steps
 * of the first round are those `up` alone would take.
 */
int ferry__plan_migrate(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t target, int allow_ooo,
	ferry_error *err)
{
	const ferry__release *first_block = NULL;
	int round = 0, rc;
	planner pl;

	if ((rc = planner_init(&pl, out, set, pairs, err)) < 0)
		return rc;
	pl.cmd = "migrate";
	for (;;) {
		const ferry__release *b;

		if ((rc = plan_ups(&pl, target, allow_ooo, round == 0)) < 0)
			return planner_done(&pl, rc);
		if (!(b = out->blocked))
			break;
		if (round++ == 0)
			first_block = b;
		/* Cannot happen with a consistent set; never loop forever. */
		if (plan_finishes(&pl, b->pub.last_version) == 0)
			break;
	}
	plan_finishes(&pl, target);
	plan_repeatables(&pl, target, first_block == NULL);
	out->blocked = first_block;
	return planner_done(&pl, 0);
}

/*
 * Reverting, newest first: with `rollback`, every migration in state up;
 * else those above `to`, or the `steps` newest. Refused before anything
 * runs when one cannot be reverted.
 */
static int check_revertible(planner *pl, size_t i, const ferry__down_spec *d)
{
	const ferry__pair *p = &pl->pairs->v[i];
	const ferry__migration *m = p->mig;
	const char *cmd = d->rollback ? "roll back" : "revert";

	if (pl->state[i] == S_FAILED_UP || pl->state[i] == S_FAILED_FINISH) {
		ferry__error_set(pl->err, FERRY_EREFUSED,
			"cannot %s migration '%s': its %s section stopped "
			"half way",
			cmd, m->pub.id, p->row->failed_section);
		ferry__error_hint(pl->err,
			"run 'ferry %s' to complete it first, then revert it",
			pl->state[i] == S_FAILED_UP ? "up" : "finish");
		return FERRY_EREFUSED;
	}
	if (!m->pub.has_down) {
		ferry__error_set(pl->err, FERRY_EREFUSED,
			"cannot %s migration '%s': it has no down section", cmd,
			m->pub.id);
		if (m->format != FERRY_FORMAT_FERRY &&
			m->format != FERRY_FORMAT_AUTO)
			ferry__error_hint(pl->err, "%s; nothing was reverted",
				ferry__format_down_hint(m));
		else
			ferry__error_hint(pl->err,
				"add a '-- ferry:down' section that undoes its "
				"up section; nothing was reverted");
		return FERRY_EREFUSED;
	}
	if (pl->state[i] == S_COMPLETE && p->row->has_finish && !d->force) {
		ferry__error_set(pl->err, FERRY_EREFUSED,
			"migration '%s' is finished: its finish section ran "
			"and may have dropped data",
			m->pub.id);
		ferry__error_hint(pl->err,
			"its down section cannot bring that back; %s",
			d->rollback ? "the rollout is over, nothing was rolled "
				      "back ('ferry down --force' reverts it "
				      "anyway)"
				    : "revert it anyway with --force, after a "
				      "backup");
		return FERRY_EREFUSED;
	}
	return 0;
}

/*
 * Where the rollout a rollback reverts began: after the last release
 * before the oldest migration still up, so that the old release finds the
 * database as it left it (a migration without a finish section is
 * complete at once, but it belongs to the rollout all the same). Without
 * releases, at the oldest migration still up. Everything applied since
 * goes, newest first: leaving a newer one behind would leave a gap that
 * `up` refuses as out of order.
 */
static size_t rollout_start(const planner *pl)
{
	int64_t v, last = INT64_MIN;
	size_t i, r;

	for (i = 0; i < pl->pairs->n; i++)
		if (pl->state[i] == S_UP || pl->state[i] == S_FAILED_DOWN)
			break;
	if (i == pl->pairs->n)
		return i;
	v = version_at(pl, i);
	for (r = 0; r < pl->set->nreleases; r++)
		if (pl->set->releases[r].pub.last_version < v)
			last = pl->set->releases[r].pub.last_version;
	while (last != INT64_MIN && i > 0 && version_at(pl, i - 1) > last)
		i--;
	return i;
}

int ferry__plan_down(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, const ferry__down_spec *d, ferry_error *err)
{
	size_t i, taken = 0, start;
	planner pl;
	int rc;

	if ((rc = planner_init(&pl, out, set, pairs, err)) < 0)
		return rc;
	start = rollout_start(&pl);
	for (i = pairs->n; i-- > 0;) {
		const ferry__pair *p = &pairs->v[i];

		if (!p->row || !p->mig)
			continue;
		if (d->rollback && i < start)
			break;
		if (!d->rollback && d->steps && taken >= d->steps)
			break;
		if (!d->rollback && !d->steps && p->mig->pub.version <= d->to)
			break;
		if ((rc = check_revertible(&pl, i, d)) < 0)
			return planner_done(&pl, rc);
		push(&pl, i, FERRY__DOWN, 0);
		taken++;
	}
	return planner_done(&pl, 0);
}

int ferry__plan_rerun(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t version, ferry_error *err)
{
	const ferry__pair *p = NULL;
	const char *why = NULL, *hint = NULL;
	size_t i;

	ferry__plan_clear(out);
	for (i = 0; i < pairs->n; i++)
		if (pairs->v[i].mig && pairs->v[i].mig->pub.version == version)
			p = &pairs->v[i];
	if (!p) {
		ferry__error_set(err, FERRY_EINVALID,
			"no migration file has version %lld to rerun",
			(long long)version);
		ferry__error_hint(err, "'ferry list' shows the versions");
		return FERRY_EINVALID;
	}
	if (!p->row ||
		(p->row->state != FERRY_STATE_UP &&
			p->row->state != FERRY_STATE_COMPLETE)) {
		why = "is not applied";
		hint = p->row ? "it stopped half way: 'ferry up' resumes it"
			      : "'ferry up' applies it";
	} else if (p->mig->sec[FERRY__UP].no_transaction) {
		why = "has a no-transaction up section";
		hint = "a rerun runs an up section again in one transaction, "
		       "or not at all";
	} else if (p->row->state == FERRY_STATE_COMPLETE &&
		p->row->has_finish) {
		why = "was finished";
		hint = "its up section may expect what its finish section "
		       "removed: revert it with 'ferry down --force' and apply "
		       "it again, or write a new migration";
	}
	if (why) {
		ferry__error_set(err, FERRY_EREFUSED,
			"cannot rerun migration '%s': it %s", p->mig->pub.id,
			why);
		ferry__error_hint(err, "%s", hint);
		return FERRY_EREFUSED;
	}
	(void)set;
	out->v = ferry__calloc(2, sizeof(*out->v));
	if (!out->v)
		return ferry__error_oom(err);
	out->v[0].mig = p->mig;
	out->v[0].row = p->row;
	out->v[0].k = FERRY__UP;
	out->v[0].by_up = 1;
	out->v[0].rerun = 1;
	out->n = 1;
	return 0;
}

void ferry__plan_clear(ferry__plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		ferry__loaded_release(&p->v[i].file);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/*
 * The public plan: what `migrate` would do.
 */
struct ferry_plan {
	ferry_plan_step *steps;
	size_t n;
	const char *checkpoint;
};

static int is_checkpoint(const ferry_set *set, const char *release)
{
	size_t i;

	for (i = 0; release && i < set->nreleases; i++)
		if (strcmp(set->releases[i].pub.name, release) == 0)
			return set->releases[i].pub.checkpoint;
	return 0;
}

int ferry_plan_get(ferry_plan **out, ferry_db *db, const ferry_set *set,
	const ferry_up_options *opts, ferry_error *err)
{
	ferry_up_options defaults = FERRY_UP_OPTIONS_INIT;
	ferry__ledger ledger = { 0 };
	ferry__pairs pairs = { 0 };
	ferry__plan plan = { NULL, 0, NULL };
	ferry_plan *p = NULL;
	int64_t target;
	size_t i;
	int rc;

	if (!out || !db || !set)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_plan_get needs out, db and set");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((rc = ferry__resolve_target(set, opts->to, &target, err)) < 0 ||
		(rc = ferry__ledger_load(db, &ledger, err)) < 0 ||
		(rc = ferry__repeatables_load(db, set, &ledger, err)) < 0 ||
		(rc = ferry__pairs_build(&pairs, set, &ledger, err)) < 0 ||
		(rc = ferry__refuse_ahead(&pairs, err)) < 0 ||
		(rc = ferry__refuse_drift(&pairs, err)) < 0 ||
		(rc = ferry__plan_migrate(&plan, set, &pairs, target,
			 opts->allow_out_of_order, err)) < 0)
		goto out;
	if (!(p = ferry__calloc(1, sizeof(*p))) ||
		!(p->steps = ferry__calloc(plan.n + 1, sizeof(*p->steps)))) {
		rc = ferry__error_oom(err);
		goto out;
	}
	for (i = 0; i < plan.n; i++) {
		const ferry_migration *m = &plan.v[i].mig->pub;

		p->steps[i].action = m->repeatable
			? "repeatable"
			: ferry__section_names[plan.v[i].k];
		p->steps[i].migration = m;
		p->steps[i].checkpoint = is_checkpoint(set, m->release);
		p->steps[i].by_up = plan.v[i].by_up;
	}
	p->n = plan.n;
	p->checkpoint = plan.blocked ? plan.blocked->pub.name : NULL;
	*out = p;
	p = NULL;
out:
	ferry_plan_free(p);
	ferry__plan_clear(&plan);
	ferry__pairs_clear(&pairs);
	ferry__ledger_clear(&ledger);
	return rc;
}

size_t ferry_plan_count(const ferry_plan *plan)
{
	return plan ? plan->n : 0;
}

const ferry_plan_step *ferry_plan_at(const ferry_plan *plan, size_t i)
{
	return plan && i < plan->n ? &plan->steps[i] : NULL;
}

const char *ferry_plan_checkpoint(const ferry_plan *plan)
{
	return plan ? plan->checkpoint : NULL;
}

void ferry_plan_free(ferry_plan *plan)
{
	if (!plan)
		return;
	free(plan->steps);
	free(plan);
}
