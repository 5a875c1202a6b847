/* SPDX-License-Identifier: MIT */
/*
 * lock_budget.c - the lock budget: how long a migration may make the
 * application wait, and what to do when it runs out.
 *
 * A statement that waits for a lock (an ALTER TABLE behind a transaction
 * the old release left open) makes every query on that table queue
 * behind it: the application stalls for as long as the migration waits.
 * So each statement waits at most db->lock_wait_ms (PostgreSQL's
 * lock_timeout, set by the driver), and a section that ran out of it,
 * rolled back and so changed nothing, is tried again after a pause, up to
 * db->lock_retries times. The pause grows and has jitter, so that the
 * blocker gets time to finish and several runners do not knock at once.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The first pause, and the longest. */
#define PAUSE_FIRST_MS 500
#define PAUSE_MAX_MS 8000

int ferry__budget_retryable(ferry_db *db, const ferry_error *err, int tries)
{
	/* A deadlock the server broke rolled back whole, like a timeout. */
	return err && db->lock_wait_ms > 0 && tries < db->lock_retries &&
		err->code == FERRY_ELOCKED &&
		(!strcmp(err->sqlstate, "55P03") ||
			!strcmp(err->sqlstate, "40P01"));
}

/* Half the pause to all of it: no two runners in step. */
static int jittered(int pause, int tries)
{
	static __thread unsigned int state;
	unsigned int x;

	if (!state)
		state = (unsigned int)getpid() ^ (unsigned int)ferry__now_ms();
	x = state ^ (unsigned int)tries * 2654435761u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	state = x;
	return pause / 2 + (int)(x % (unsigned int)(pause / 2 + 1));
}

int ferry__budget_wait(ferry_db *db, const ferry_migration *m,
	const char *section, int tries, ferry_error *err)
{
	ferry_event ev = { .type = FERRY_EVENT_LOCK_RETRY };
	int pause = PAUSE_FIRST_MS, waited;
	int64_t until;

	for (waited = 1; waited < tries && pause < PAUSE_MAX_MS; waited++)
		pause *= 2;
	if (pause > PAUSE_MAX_MS)
		pause = PAUSE_MAX_MS;
	pause = jittered(pause, tries);
	ev.migration = m;
	ev.section = section;
	ev.holder = err && err->detail[0] ? err->detail : NULL;
	ev.elapsed_ms = pause;
	ev.index = (size_t)tries + 1;
	ev.total = (size_t)db->lock_retries + 1;
	ferry__emit(db, &ev);
	/* In steps, so that an interrupt does not wait out the pause. */
	for (until = ferry__now_ms() + pause; ferry__now_ms() < until;) {
		if (ferry__interrupted(db))
			return ferry__error_interrupted(err);
		ferry__sleep_ms(20);
	}
	return 0;
}

void ferry__budget_spent(ferry_db *db, ferry_error *err, int tries)
{
	if (!err || db->lock_wait_ms <= 0 || err->code != FERRY_ELOCKED ||
		strcmp(err->sqlstate, "55P03") != 0)
		return;
	snprintf(err->hint, sizeof(err->hint),
		"tried %d time%s, waiting at most %d ms for the lock each "
		"time: run again once the session that holds it is done, or "
		"allow more with --lock-wait or --lock-retries",
		tries + 1, tries ? "s" : "", db->lock_wait_ms);
}
