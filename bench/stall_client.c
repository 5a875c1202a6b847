/* SPDX-License-Identifier: MIT */
/*
 * stall_client.c - the application of bench/stall.sh on SQLite: one
 * process of short requests against the table `routes`, or the blocker
 * (the old release's long write transaction).
 *
 *   stall_client load DB SECONDS RATE BUSY_MS SEED OUT
 *   stall_client block DB SECONDS
 *
 * load: requests arrive at random (Poisson, RATE a second) for SECONDS,
 * half reads (SELECT one row by id), half writes (UPDATE one row by id,
 * autocommit), with a busy timeout of BUSY_MS. Each request's latency is
 * counted from the moment it was due, not from when the process got to
 * it, so a request that queued behind a stall pays for the queue as it
 * would in an application (pgbench -R measures the same way). One line a
 * request goes to OUT: "due_us end_us ok kind", microseconds since the
 * epoch, ok 1 or 0 (0: an error, such as SQLITE_BUSY after the timeout),
 * kind r or w.
 *
 * block: BEGIN IMMEDIATE, write one row, print "held" on stdout, sleep
 * SECONDS, COMMIT: the write lock held for that long.
 *
 * Built by stall.sh with `cc -O2 stall_client.c -lsqlite3 -lm`.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_until(int64_t t)
{
	int64_t d = t - now_us();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = d / 1000000;
	ts.tv_nsec = (d % 1000000) * 1000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "stall_client: %s: %s\n", what,
		db ? sqlite3_errmsg(db) : "out of memory");
	return 1;
}

/* Run one prepared statement to its end; 0 or the SQLite error code. */
static int run(sqlite3_stmt *st, int id)
{
	int rc;

	sqlite3_bind_int(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : rc;
}

static int load(const char *path, double secs, double rate, int busy_ms,
	unsigned seed, const char *out)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *rd = NULL, *wr = NULL;
	FILE *f;
	int64_t start, end, due;
	int rows = 0, rc;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return die(db, path);
	sqlite3_busy_timeout(db, busy_ms);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM routes", -1, &rd,
		    NULL) != SQLITE_OK)
		return die(db, "count");
	if (sqlite3_step(rd) == SQLITE_ROW)
		rows = sqlite3_column_int(rd, 0);
	sqlite3_finalize(rd);
	if (rows <= 0)
		return die(db, "no rows in routes");
	if (sqlite3_prepare_v2(db,
		    "SELECT path, hits FROM routes WHERE id = ?1", -1, &rd,
		    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
		    "UPDATE routes SET hits = hits + 1 WHERE id = ?1", -1, &wr,
		    NULL) != SQLITE_OK)
		return die(db, "prepare");
	if (!(f = fopen(out, "w"))) {
		perror(out);
		return 1;
	}
	srand(seed);
	start = now_us();
	end = start + (int64_t)(secs * 1e6);
	due = start;
	for (;;) {
		double u = (rand() + 1.0) / ((double)RAND_MAX + 2.0);
		int write = rand() & 1, id = 1 + rand() % rows;

		due += (int64_t)(-log(u) / rate * 1e6);
		if (due >= end)
			break;
		sleep_until(due);
		rc = run(write ? wr : rd, id);
		fprintf(f, "%lld %lld %d %c\n", (long long)due,
			(long long)now_us(), rc == 0, write ? 'w' : 'r');
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	sqlite3_close(db);
	return fclose(f) != 0;
}

static int block(const char *path, double secs)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return die(db, path);
	sqlite3_busy_timeout(db, 60000);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE routes SET hits = hits "
			     "WHERE id = 1", NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "begin");
	printf("held\n");
	fflush(stdout);
	sleep_until(now_us() + (int64_t)(secs * 1e6));
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "commit");
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 8 && strcmp(argv[1], "load") == 0)
		return load(argv[2], atof(argv[3]), atof(argv[4]), atoi(argv[5]),
			(unsigned)atoi(argv[6]), argv[7]);
	if (argc == 4 && strcmp(argv[1], "block") == 0)
		return block(argv[2], atof(argv[3]));
	fprintf(stderr, "usage: stall_client load DB SECONDS RATE BUSY_MS SEED OUT\n"
			"       stall_client block DB SECONDS\n");
	return 2;
}
