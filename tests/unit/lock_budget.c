/* SPDX-License-Identifier: MIT */
/*
 * lock_budget.c - the lock budget's rules (src/lib/lock_budget.c): which
 * failures may be tried again and how often, the pause and its event, the
 * hint after the last try; and the database options that set it, old
 * versions of the struct included.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdio.h>
#include <string.h>

static ferry_error err;
static ferry_db *db;
static ferry_event seen;
static char seen_holder[256];
static int events;

/* What the event borrows is copied: it lives for the callback only. */
static void on_event(const ferry_event *ev, void *payload)
{
	(void)payload;
	seen = *ev;
	snprintf(seen_holder, sizeof(seen_holder), "%s",
		ev->holder ? ev->holder : "(none)");
	events++;
}

static void open_with(const ferry_db_options *opts)
{
	ferry_db_close(db);
	db = NULL;
	cl_assert_equal_i(ferry_db_open(&db, "sqlite::memory:", opts, &err), 0);
}

void test_lock_budget__initialize(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	ferry_error_init(&err);
	db = NULL;
	events = 0;
	o.progress = on_event;
	open_with(&o);
}

void test_lock_budget__cleanup(void)
{
	ferry_db_close(db);
	db = NULL;
}

static void failed_with(int code, const char *state)
{
	ferry_error_init(&err);
	err.code = code;
	snprintf(err.sqlstate, sizeof(err.sqlstate), "%s", state);
}

void test_lock_budget__defaults(void)
{
	cl_assert_equal_i(db->lock_wait_ms, FERRY_LOCK_WAIT_DEFAULT_MS);
	cl_assert_equal_i(db->lock_retries, 5);
	cl_assert_equal_i(db->exclusive, 0);
}

void test_lock_budget__old_options_get_the_defaults(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	o.version = 2;
	o.lock_wait_ms = 7; /* not read: a version 2 struct ends before it */
	o.lock_retries = 1;
	open_with(&o);
	cl_assert_equal_i(db->lock_wait_ms, FERRY_LOCK_WAIT_DEFAULT_MS);
	cl_assert_equal_i(db->lock_retries, 5);
}

void test_lock_budget__newer_options_are_refused(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;
	ferry_db *other = NULL;

	o.version = FERRY_DB_OPTIONS_VERSION + 1;
	cl_assert_equal_i(ferry_db_open(&other, "sqlite::memory:", &o, &err),
		FERRY_EINVALID);
	cl_assert(other == NULL);
}

void test_lock_budget__negative_values_mean_none(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	o.lock_wait_ms = -5;
	o.lock_retries = -1;
	open_with(&o);
	cl_assert_equal_i(db->lock_wait_ms, 0);
	cl_assert_equal_i(db->lock_retries, 0);
}

void test_lock_budget__exclusive_refused_on_sqlite(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;
	ferry_db *other = NULL;

	o.exclusive = 1;
	cl_assert_equal_i(ferry_db_open(&other, "sqlite::memory:", &o, &err),
		FERRY_EINVALID);
	cl_assert(other == NULL);
	cl_assert_equal_s(
		err.message, "--exclusive cannot be checked on SQLite");
}

void test_lock_budget__lock_timeout_and_deadlock_are_retried(void)
{
	failed_with(FERRY_ELOCKED, "55P03");
	cl_assert(ferry__budget_retryable(db, &err, 0));
	cl_assert(ferry__budget_retryable(db, &err, 4));
	cl_assert(!ferry__budget_retryable(db, &err, 5));
	failed_with(FERRY_ELOCKED, "40P01");
	cl_assert(ferry__budget_retryable(db, &err, 0));
}

void test_lock_budget__other_failures_are_not(void)
{
	failed_with(FERRY_EDB, "42P01");
	cl_assert(!ferry__budget_retryable(db, &err, 0));
	/* SQLite's busy database: no SQLSTATE, its own wait already ran */
	failed_with(FERRY_ELOCKED, "");
	cl_assert(!ferry__budget_retryable(db, &err, 0));
	failed_with(FERRY_EDB, "55P03");
	cl_assert(!ferry__budget_retryable(db, &err, 0));
}

void test_lock_budget__no_budget_no_retry(void)
{
	db->lock_wait_ms = 0;
	failed_with(FERRY_ELOCKED, "55P03");
	cl_assert(!ferry__budget_retryable(db, &err, 0));
}

void test_lock_budget__the_pause_grows_with_jitter_and_is_told(void)
{
	static const int cap[] = { 500, 1000, 2000, 4000, 8000, 8000 };
	ferry_migration m;
	int tries;

	memset(&m, 0, sizeof(m));
	m.id = "2_x";
	db->lock_retries = 6;
	for (tries = 1; tries <= 6; tries++) {
		failed_with(FERRY_ELOCKED, "55P03");
		snprintf(err.detail, sizeof(err.detail), "blocked by pid 7");
		/* No waiting in a unit test: interrupted, it still tells. */
		__atomic_store_n(&db->interrupted, 1, __ATOMIC_SEQ_CST);
		cl_assert_equal_i(ferry__budget_wait(db, &m, "up", tries, &err),
			FERRY_EINTERRUPTED);
		cl_assert_equal_i(seen.type, FERRY_EVENT_LOCK_RETRY);
		cl_assert(seen.migration == &m);
		cl_assert_equal_s(seen.section, "up");
		cl_assert_equal_s(seen_holder, "blocked by pid 7");
		cl_assert_equal_i((int)seen.index, tries + 1);
		cl_assert_equal_i((int)seen.total, 7);
		cl_assert(seen.elapsed_ms >= cap[tries - 1] / 2);
		cl_assert(seen.elapsed_ms <= cap[tries - 1]);
	}
	cl_assert_equal_i(events, 6);
}

void test_lock_budget__the_hint_after_the_last_try(void)
{
	failed_with(FERRY_ELOCKED, "55P03");
	ferry__budget_spent(db, &err, 2);
	cl_assert_equal_s(err.hint,
		"tried 3 times, waiting at most 1000 ms for the lock each "
		"time: run again once the session that holds it is done, or "
		"allow more with --lock-wait or --lock-retries");
	failed_with(FERRY_ELOCKED, "55P03");
	ferry__budget_spent(db, &err, 0);
	cl_assert(strncmp(err.hint, "tried 1 time, ", 14) == 0);
	/* A deadlock keeps the server's words. */
	failed_with(FERRY_ELOCKED, "40P01");
	ferry__budget_spent(db, &err, 3);
	cl_assert_equal_s(err.hint, "");
}
