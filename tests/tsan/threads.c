/* SPDX-License-Identifier: MIT */
/*
 * threads.c - the threading rule of ferry.h, under ThreadSanitizer.
 *
 * Distinct handles are independent: eight threads at once each open their
 * own ferry_set (from tests/fixtures) and their own ferry_db on their own
 * SQLite file, apply, read the status and the history, and close, for
 * several rounds. Then all eight open their own handle on one shared file,
 * with one ferry_set shared read-only, and run `up` together: the runner
 * lock lets exactly one of them apply the set. Last, one thread stops
 * another's long migration with ferry_db_interrupt().
 *
 * Built with -fsanitize=thread (`make tsan`); any race TSan sees fails
 * the run. Exits 0 when all is well, 1 on a wrong result.
 *
 *   build/tsan/tsan-threads FIXTURES_DIR
 */
#include "ferry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NTHREADS 8
#define NROUNDS 6

static const char *const fixtures[] = { "basic", "phases", "releases", "expand",
	"notx" };
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

static const char *fixtures_dir;
static char tmp[256];

/* The shared phase: one set, one database file, read by every thread. */
static ferry_set *shared_set;
static char shared_url[512];

struct worker {
	pthread_t tid;
	int index;
	size_t events;	   /* progress events seen by this thread's handle */
	size_t applied;	   /* steps this thread's runs reported */
	char failed[1600]; /* the first thing that went wrong, or "" */
};

static void on_event(const ferry_event *ev, void *payload)
{
	struct worker *w = payload;

	(void)ev;
	w->events++;
}

static int fail(struct worker *w, const char *what, const ferry_error *err)
{
	if (!w->failed[0])
		snprintf(w->failed, sizeof(w->failed), "%s: %s (%s)", what,
			err ? err->message : "", err ? err->detail : "");
	return -1;
}

static int open_db(
	struct worker *w, ferry_db **db, const char *url, ferry_error *err)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;

	o.progress = on_event;
	o.payload = w;
	o.lock_timeout_ms = 60000;
	if (ferry_db_open(db, url, &o, err) < 0)
		return fail(w, "ferry_db_open", err);
	return 0;
}

/* One round on the thread's own set and database file. */
static int own_round(struct worker *w, int round)
{
	const char *name = fixtures[(size_t)(w->index + round) % NFIXTURES];
	char dir[512], url[512], cache[512];
	ferry_set *set = NULL;
	ferry_db *db = NULL;
	ferry_report *r = NULL;
	ferry_status *st = NULL;
	ferry_history *h = NULL;
	ferry_error err;
	int rc = -1;

	ferry_error_init(&err);
	snprintf(dir, sizeof(dir), "%s/%s", fixtures_dir, name);
	snprintf(
		url, sizeof(url), "sqlite:%s/t%d-r%d.db", tmp, w->index, round);
	snprintf(cache, sizeof(cache), "%s/cache-%d", tmp, w->index);
	/* Every other round through the thread's own set cache. */
	if ((round % 2 ? ferry_set_open_cached(&set, dir, cache, &err)
		       : ferry_set_open(&set, dir, &err)) < 0) {
		fail(w, "ferry_set_open", &err);
		goto out;
	}
	if (open_db(w, &db, url, &err) < 0)
		goto out;
	if (ferry_up(&r, db, set, NULL, &err) < 0) {
		fail(w, "ferry_up", &err);
		goto out;
	}
	w->applied += ferry_report_count(r);
	ferry_report_free(r);
	r = NULL;
	if (ferry_migrate(&r, db, set, NULL, &err) < 0) {
		fail(w, "ferry_migrate", &err);
		goto out;
	}
	ferry_report_free(r);
	r = NULL;
	if (ferry_status_get(&st, db, set, &err) < 0) {
		fail(w, "ferry_status_get", &err);
		goto out;
	}
	if (st->pending != 0 || st->up != 0 ||
		st->complete != ferry_set_count(set)) {
		fail(w, "status after migrate", NULL);
		goto out;
	}
	if (ferry_history_get(&h, db, 0, &err) < 0) {
		fail(w, "ferry_history_get", &err);
		goto out;
	}
	if (ferry_history_count(h) < ferry_set_count(set)) {
		fail(w, "history after migrate", NULL);
		goto out;
	}
	rc = 0;
out:
	ferry_history_free(h);
	ferry_status_free(st);
	ferry_report_free(r);
	ferry_db_close(db);
	ferry_set_free(set);
	return rc;
}

static void *own(void *arg)
{
	struct worker *w = arg;
	int round;

	for (round = 0; round < NROUNDS; round++)
		if (own_round(w, round) < 0)
			break;
	return NULL;
}

/* Everyone at once on one database and one set: one of them applies. */
static void *shared(void *arg)
{
	struct worker *w = arg;
	ferry_db *db = NULL;
	ferry_report *r = NULL;
	ferry_error err;

	ferry_error_init(&err);
	if (open_db(w, &db, shared_url, &err) < 0)
		return NULL;
	if (ferry_up(&r, db, shared_set, NULL, &err) < 0)
		fail(w, "ferry_up (shared)", &err);
	else
		w->applied += ferry_report_count(r);
	ferry_report_free(r);
	ferry_db_close(db);
	return NULL;
}

static int run_all(struct worker *w, void *(*fn)(void *), const char *phase)
{
	int i, bad = 0;

	for (i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].index = i;
		if (pthread_create(&w[i].tid, NULL, fn, &w[i]) != 0) {
			fprintf(stderr,
				"tsan-threads: pthread_create failed\n");
			exit(1);
		}
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(w[i].tid, NULL);
	for (i = 0; i < NTHREADS; i++) {
		if (w[i].failed[0]) {
			fprintf(stderr, "tsan-threads: %s, thread %d: %s\n",
				phase, i, w[i].failed);
			bad = 1;
		}
	}
	return bad;
}

/* ferry_db_interrupt() from another thread, while a statement runs. */
static void *interrupter(void *arg)
{
	struct timespec pause = { 0, 300 * 1000000L };

	nanosleep(&pause, NULL);
	ferry_db_interrupt(arg);
	return NULL;
}

static int interrupt_phase(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;
	ferry_report *r = NULL;
	ferry_set *set = NULL;
	ferry_db *db = NULL;
	ferry_error err;
	pthread_t tid;
	char dir[300], path[400], url[400];
	FILE *f;
	int rc;

	snprintf(dir, sizeof(dir), "%s/slow", tmp);
	snprintf(path, sizeof(path), "%s/1_slow.sql", dir);
	snprintf(url, sizeof(url), "sqlite:%s/slow.db", tmp);
	if (mkdir(dir, 0700) < 0 || !(f = fopen(path, "w")))
		return 1;
	fputs("CREATE TABLE t (a integer);\n"
	      "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
	      "WHERE i < 100000000) SELECT count(*) FROM r;\n",
		f);
	fclose(f);
	ferry_error_init(&err);
	if (ferry_set_open(&set, dir, &err) < 0 ||
		ferry_db_open(&db, url, &o, &err) < 0) {
		fprintf(stderr, "tsan-threads: interrupt: %s\n", err.message);
		ferry_set_free(set);
		return 1;
	}
	if (pthread_create(&tid, NULL, interrupter, db) != 0)
		return 1;
	rc = ferry_up(&r, db, set, NULL, &err);
	pthread_join(tid, NULL);
	ferry_report_free(r);
	ferry_db_close(db);
	ferry_set_free(set);
	if (rc != FERRY_EINTERRUPTED) {
		fprintf(stderr,
			"tsan-threads: interrupt: ferry_up returned %d, not "
			"FERRY_EINTERRUPTED (%s)\n",
			rc, err.message);
		return 1;
	}
	return 0;
}

static void remove_tmp(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "tsan-threads: cannot remove %s\n", tmp);
}

int main(int argc, char **argv)
{
	struct worker w[NTHREADS];
	ferry_error err;
	size_t applied = 0;
	char dir[512];
	int i, bad;

	if (argc != 2) {
		fprintf(stderr, "usage: tsan-threads FIXTURES_DIR\n");
		return 2;
	}
	fixtures_dir = argv[1];
	snprintf(tmp, sizeof(tmp), "%s/ferry-tsan.XXXXXX",
		getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR")
						      : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}

	bad = run_all(w, own, "own handles");

	ferry_error_init(&err);
	snprintf(dir, sizeof(dir), "%s/releases", fixtures_dir);
	snprintf(shared_url, sizeof(shared_url), "sqlite:%s/shared.db", tmp);
	if (ferry_set_open(&shared_set, dir, &err) < 0) {
		fprintf(stderr, "tsan-threads: %s\n", err.message);
		remove_tmp();
		return 1;
	}
	bad |= run_all(w, shared, "shared database");
	for (i = 0; i < NTHREADS; i++)
		applied += w[i].applied;
	if (!bad && applied != ferry_set_count(shared_set)) {
		fprintf(stderr,
			"tsan-threads: shared database: %zu steps applied in "
			"all, expected %zu\n",
			applied, ferry_set_count(shared_set));
		bad = 1;
	}
	ferry_set_free(shared_set);
	bad |= interrupt_phase();
	remove_tmp();
	if (!bad)
		printf("tsan-threads: %d threads, %d rounds each, then one "
		       "shared database, then an interrupt: ok\n",
			NTHREADS, NROUNDS);
	return bad;
}
