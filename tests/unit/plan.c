/* SPDX-License-Identifier: MIT */
/*
 * plan.c - which sections a run takes (ferry__plan_*): checkpoints that
 * stop `up`, `migrate` passing them in order, out-of-order refusals, and
 * what `rollback` and `down` may revert. Pure logic over a set and ledger
 * rows built here.
 */
#include "clar.h"
#include "ferry_int.h"

#define NMAX 8

static ferry__migration migs[NMAX];
static ferry__migration reps[NMAX];
static ferry__row rep_rows[NMAX];
static ferry__release rels[4];
static ferry__row rows[NMAX];
static struct ferry_set set;
static ferry__ledger ledger;
static ferry__pairs pairs;
static ferry__plan plan;
static ferry_error err;

void test_plan__initialize(void)
{
	memset(migs, 0, sizeof(migs));
	memset(reps, 0, sizeof(reps));
	memset(rep_rows, 0, sizeof(rep_rows));
	memset(rels, 0, sizeof(rels));
	memset(rows, 0, sizeof(rows));
	memset(&set, 0, sizeof(set));
	memset(&ledger, 0, sizeof(ledger));
	memset(&pairs, 0, sizeof(pairs));
	memset(&plan, 0, sizeof(plan));
	set.migs = migs;
	set.reps = reps;
	set.releases = rels;
	ledger.rows = rows;
	ledger.reps = rep_rows;
	ferry_error_init(&err);
}

void test_plan__cleanup(void)
{
	ferry__plan_clear(&plan);
	ferry__pairs_clear(&pairs);
}

/* A migration file: version, release, whether it has finish and down. */
static void mig(int64_t v, const char *release, int finish, int down)
{
	ferry__migration *m = &migs[set.n++];

	m->pub.version = v;
	m->pub.id = "m";
	m->pub.release = release;
	m->pub.has_finish = finish;
	m->pub.has_down = down;
	m->sec[FERRY__FINISH].present = finish;
	m->sec[FERRY__DOWN].present = down;
}

/* A repeatable file whose text hashes to `sha` (every byte), and the row
 * of its last run with `ran`'s bytes, or none when `ran` is -1. */
static void rep(const char *name, int sha, int ran)
{
	static char hex[NMAX][65];
	ferry__migration *m = &reps[set.nreps++];

	m->pub.name = name;
	m->pub.repeatable = 1;
	memset(m->sec[FERRY__UP].sha, sha, 32);
	m->sec[FERRY__UP].present = 1;
	if (ran < 0)
		return;
	{
		unsigned char d[32];
		ferry__row *r = &rep_rows[ledger.nreps];

		memset(d, ran, 32);
		ferry__hex(hex[ledger.nreps], d);
		r->name = (char *)name;
		r->up_checksum = hex[ledger.nreps];
		r->state = FERRY_STATE_COMPLETE;
		ledger.nreps++;
	}
}

static void release(const char *name, int64_t last, int checkpoint)
{
	ferry__release *r = &rels[set.nreleases++];

	r->pub.name = name;
	r->pub.last_version = last;
	r->pub.checkpoint = checkpoint;
}

/* A ledger row; state "failed" is failed in `section`. */
static void row(int64_t v, const char *state, int finish, const char *section)
{
	ferry__row *r = &rows[ledger.n++];

	r->version = v;
	r->state = ferry__state_parse(state);
	r->state_text = (char *)state;
	r->has_finish = finish;
	r->failed_section = (char *)section;
}

static void pair(void)
{
	ferry__pairs_clear(&pairs);
	cl_ferry_pass(ferry__pairs_build(&pairs, &set, &ledger, &err), &err);
}

/* The plan as "up:1 up:2 finish:2", for one comparison per test. */
static const char *steps(void)
{
	static char buf[256];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < plan.n; i++)
		n += plan.v[i].mig->pub.repeatable
			? (size_t)snprintf(buf + n, sizeof(buf) - n,
				  "%srep:%s%s", i ? " " : "",
				  plan.v[i].mig->pub.name,
				  plan.v[i].by_up ? "" : "*")
			: (size_t)snprintf(buf + n, sizeof(buf) - n,
				  "%s%s:%lld%s", i ? " " : "",
				  ferry__section_names[plan.v[i].k],
				  (long long)plan.v[i].mig->pub.version,
				  plan.v[i].by_up ? "" : "*");
	return buf;
}

/* 1.0: 1; 1.1 (checkpoint): 2 with a finish section; 2.0: 3. */
static void three_releases(int checkpoint_has_finish)
{
	mig(1, "1.0", 0, 1);
	mig(2, "1.1", checkpoint_has_finish, 1);
	mig(3, "2.0", 0, 1);
	release("1.0", 1, 0);
	release("1.1", 2, 1);
	release("2.0", 3, 0);
}

void test_plan__up_stops_at_an_unfinished_checkpoint(void)
{
	three_releases(1);
	pair();
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err), &err);
	cl_assert_equal_s(steps(), "up:1 up:2");
	cl_assert(plan.blocked == &rels[1]);
}

void test_plan__a_checkpoint_without_finish_is_passed_in_one_run(void)
{
	three_releases(0);
	pair();
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err), &err);
	cl_assert_equal_s(steps(), "up:1 up:2 up:3");
	cl_assert(plan.blocked == NULL);
}

void test_plan__a_target_before_the_checkpoint_is_not_blocked(void)
{
	three_releases(1);
	pair();
	cl_ferry_pass(ferry__plan_up(&plan, &set, &pairs, 2, 0, &err), &err);
	cl_assert_equal_s(steps(), "up:1 up:2");
	cl_assert(plan.blocked == NULL);
}

void test_plan__up_goes_on_once_the_checkpoint_is_finished(void)
{
	three_releases(1);
	row(1, "complete", 0, NULL);
	row(2, "complete", 1, NULL);
	pair();
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err), &err);
	cl_assert_equal_s(steps(), "up:3");
	cl_assert(plan.blocked == NULL);
}

void test_plan__migrate_finishes_each_checkpoint_before_going_on(void)
{
	three_releases(1);
	mig(4, NULL, 1, 1);
	pair();
	cl_ferry_pass(
		ferry__plan_migrate(&plan, &set, &pairs, INT64_MAX, 0, &err),
		&err);
	/* '*': steps `up` alone would not take. */
	cl_assert_equal_s(steps(), "up:1 up:2 finish:2* up:3* up:4* finish:4*");
	cl_assert(plan.blocked == &rels[1]);
}

void test_plan__migrate_several_checkpoints_behind(void)
{
	mig(1, "1.0", 1, 0);
	mig(2, "1.1", 1, 0);
	mig(3, "2.0", 1, 0);
	release("1.0", 1, 1);
	release("1.1", 2, 1);
	release("2.0", 3, 0);
	pair();
	cl_ferry_pass(
		ferry__plan_migrate(&plan, &set, &pairs, INT64_MAX, 0, &err),
		&err);
	cl_assert_equal_s(
		steps(), "up:1 finish:1* up:2* finish:2* up:3* finish:3*");
}

void test_plan__finish_takes_what_is_up_up_to_the_target(void)
{
	mig(1, NULL, 1, 0);
	mig(2, NULL, 1, 0);
	mig(3, NULL, 1, 0);
	row(1, "up", 1, NULL);
	row(2, "failed", 1, "finish");
	row(3, "up", 1, NULL);
	pair();
	cl_ferry_pass(ferry__plan_finish(&plan, &set, &pairs, 2, &err), &err);
	cl_assert_equal_s(steps(), "finish:1* finish:2*");
}

void test_plan__out_of_order_is_refused_unless_allowed(void)
{
	mig(1, NULL, 0, 0);
	mig(2, NULL, 0, 0);
	mig(3, NULL, 0, 0);
	row(1, "complete", 0, NULL);
	row(3, "complete", 0, NULL);
	pair();
	cl_assert_equal_i(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err),
		FERRY_EREFUSED);
	cl_assert(plan.n == 0 && plan.v == NULL);
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 1, &err), &err);
	cl_assert_equal_s(steps(), "up:2");
}

void test_plan__a_failed_up_resumes_and_is_not_out_of_order(void)
{
	mig(1, NULL, 0, 0);
	mig(2, NULL, 0, 0);
	row(1, "failed", 0, "up");
	pair();
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err), &err);
	cl_assert_equal_s(steps(), "up:1 up:2");
}

void test_plan__rollback_reverts_the_rollout_newest_first(void)
{
	ferry__down_spec d = { 1, 0, 0, 0 };

	mig(1, NULL, 1, 1);
	mig(2, NULL, 1, 1);
	mig(3, NULL, 0, 1);
	row(1, "complete", 1, NULL);
	row(2, "up", 1, NULL);
	row(3, "complete", 0, NULL);
	pair();
	/* 3 went up with 2 and has nothing to finish: it goes too, or up
	 * would find 2 pending behind it. 1 was finished before. */
	cl_ferry_pass(ferry__plan_down(&plan, &set, &pairs, &d, &err), &err);
	cl_assert_equal_s(steps(), "down:3* down:2*");
}

void test_plan__rollback_stops_at_a_finished_migration(void)
{
	ferry__down_spec d = { 1, 0, 0, 0 };

	mig(1, NULL, 1, 1);
	mig(2, NULL, 1, 1);
	row(1, "up", 1, NULL);
	row(2, "complete", 1, NULL);
	pair();
	cl_assert_equal_i(ferry__plan_down(&plan, &set, &pairs, &d, &err),
		FERRY_EREFUSED);
	cl_assert(plan.n == 0);
}

void test_plan__rollback_refuses_a_migration_without_down(void)
{
	ferry__down_spec d = { 1, 0, 0, 0 };

	mig(1, NULL, 1, 1);
	mig(2, NULL, 1, 0);
	migs[1].pub.id = "2_no_down";
	row(1, "up", 1, NULL);
	row(2, "up", 1, NULL);
	pair();
	cl_assert_equal_i(ferry__plan_down(&plan, &set, &pairs, &d, &err),
		FERRY_EREFUSED);
	cl_assert_equal_s(err.message,
		"cannot roll back migration '2_no_down': it has no down "
		"section");
	cl_assert(plan.n == 0 && plan.v == NULL);
}

void test_plan__down_needs_force_for_a_finished_migration(void)
{
	ferry__down_spec d = { 0, 0, 2, 0 };

	mig(1, NULL, 0, 1);
	mig(2, NULL, 1, 1);
	mig(3, NULL, 0, 1);
	row(1, "complete", 0, NULL);
	row(2, "complete", 1, NULL);
	row(3, "complete", 0, NULL);
	pair();
	cl_assert_equal_i(ferry__plan_down(&plan, &set, &pairs, &d, &err),
		FERRY_EREFUSED);
	d.force = 1;
	cl_ferry_pass(ferry__plan_down(&plan, &set, &pairs, &d, &err), &err);
	cl_assert_equal_s(steps(), "down:3* down:2*");
}

void test_plan__down_to_keeps_the_target_and_older(void)
{
	ferry__down_spec d = { 0, 1, 0, 0 };

	mig(1, NULL, 0, 1);
	mig(2, NULL, 0, 1);
	mig(3, NULL, 0, 1);
	row(1, "complete", 0, NULL);
	row(2, "complete", 0, NULL);
	row(3, "complete", 0, NULL);
	pair();
	cl_ferry_pass(ferry__plan_down(&plan, &set, &pairs, &d, &err), &err);
	cl_assert_equal_s(steps(), "down:3* down:2*");
	d.to = 0;
	cl_ferry_pass(ferry__plan_down(&plan, &set, &pairs, &d, &err), &err);
	cl_assert_equal_s(steps(), "down:3* down:2* down:1*");
}

void test_plan__down_refuses_a_migration_stopped_half_way(void)
{
	ferry__down_spec d = { 0, 0, 1, 0 };

	mig(1, NULL, 0, 1);
	row(1, "failed", 0, "up");
	pair();
	cl_assert_equal_i(ferry__plan_down(&plan, &set, &pairs, &d, &err),
		FERRY_EREFUSED);
	cl_assert_equal_s(err.hint,
		"run 'ferry up' to complete it first, then revert it");
}

void test_plan__rollback_takes_the_release_back_whole(void)
{
	ferry__down_spec d = { 1, 0, 0, 0 };

	mig(1, "1.0", 0, 1);
	mig(2, "2.0", 0, 1);
	mig(3, "2.0", 1, 1);
	release("1.0", 1, 0);
	release("2.0", 3, 0);
	row(1, "complete", 0, NULL);
	row(2, "complete", 0, NULL);
	row(3, "up", 1, NULL);
	pair();
	/* 2 has no finish section, so it is complete, but 2.0 brought it. */
	cl_ferry_pass(ferry__plan_down(&plan, &set, &pairs, &d, &err), &err);
	cl_assert_equal_s(steps(), "down:3* down:2*");
}

void test_plan__repeatables_changed_run_last_by_name(void)
{
	mig(1, NULL, 0, 0);
	mig(2, NULL, 0, 0);
	rep("data", 1, 1);   /* unchanged */
	rep("funcs", 2, 1);  /* changed */
	rep("views", 3, -1); /* never ran */
	row(1, "complete", 0, NULL);
	pair();
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err), &err);
	cl_assert_equal_s("up:2 rep:funcs rep:views", steps());
}

void test_plan__repeatables_wait_for_every_versioned_migration(void)
{
	mig(1, NULL, 0, 0);
	mig(2, NULL, 0, 0);
	rep("views", 3, -1);
	pair();
	/* up --to an older version */
	cl_ferry_pass(ferry__plan_up(&plan, &set, &pairs, 1, 0, &err), &err);
	cl_assert_equal_s("up:1", steps());
	/* a checkpoint stops up; migrate passes it, and so may not up */
	ferry__plan_clear(&plan);
	memset(migs, 0, sizeof(migs));
	set.n = 0;
	three_releases(1);
	pair();
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err), &err);
	cl_assert_equal_s("up:1 up:2", steps());
	cl_ferry_pass(
		ferry__plan_migrate(&plan, &set, &pairs, INT64_MAX, 0, &err),
		&err);
	cl_assert_equal_s("up:1 up:2 finish:2* up:3* rep:views*", steps());
}

void test_plan__repeatables_alone_when_everything_is_applied(void)
{
	mig(1, NULL, 1, 0);
	rep("views", 3, 2);
	row(1, "up", 1, NULL);
	pair();
	cl_ferry_pass(
		ferry__plan_up(&plan, &set, &pairs, INT64_MAX, 0, &err), &err);
	cl_assert_equal_s("rep:views", steps());
	ferry__plan_clear(&plan);
	cl_ferry_pass(
		ferry__plan_finish(&plan, &set, &pairs, INT64_MAX, &err), &err);
	cl_assert_equal_s("finish:1*", steps());
}
