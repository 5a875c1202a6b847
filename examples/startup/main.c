/* SPDX-License-Identifier: MIT */
/*
 * startup - an application that migrates its database at start, with
 * ferry's library: the SQL files of its migration directory, and one
 * migration written in C (version 2), which splits each customer's name
 * the way the application does, a job SQL does badly.
 *
 *	startup DATABASE_URL MIGRATION_DIR
 *
 * Exit status: 0 migrated (or nothing to do), 1 failed, 2 bad arguments
 * or files, 4 locked, 5 refused. STARTUP_CHECKSUM replaces the code
 * migration's checksum ("split-names v1"), as a changed program would;
 * STARTUP_FAIL=1 makes it fail after its first update; STARTUP_TRIAL=check
 * or dry-run tries the run (ferry_up_options.check, .dry_run) instead.
 */
#include <ferry.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows read first, written after: no statement runs while one reads. */
struct customer {
	char id[24];
	char name[200];
};

struct customers {
	struct customer v[64];
	int n;
};

static int take_row(void *payload, int ncols, const char *const *values)
{
	struct customers *c = payload;

	if (ncols < 2 || !values[0] || !values[1] || c->n == 64)
		return 1; /* no more rows wanted */
	snprintf(c->v[c->n].id, sizeof(c->v[c->n].id), "%s", values[0]);
	snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s", values[1]);
	c->n++;
	return 0;
}

/* Version 2: first name up to the first blank, last name after the last. */
static int split_names(ferry_tx *tx, void *payload, ferry_error *err)
{
	struct customers c;
	int i, rc;

	(void)payload;
	c.n = 0;
	if ((rc = ferry_tx_query(tx,
		     "SELECT id, full_name FROM customers ORDER BY id", NULL, 0,
		     take_row, &c, err)) < 0)
		return rc;
	for (i = 0; i < c.n; i++) {
		char *first = c.v[i].name, *sp = strchr(first, ' ');
		char *last = strrchr(first, ' ');
		const char *params[3];

		if (sp)
			*sp = '\0';
		params[0] = first;
		params[1] = last ? last + 1 : NULL;
		params[2] = c.v[i].id;
		if ((rc = ferry_tx_exec(tx,
			     "UPDATE customers SET first_name = $1, last_name "
			     "= $2 WHERE id = CAST($3 AS INTEGER)",
			     params, 3, err)) < 0)
			return rc;
		if (i == 0 && getenv("STARTUP_FAIL"))
			return -1; /* after a write: it must roll back */
	}
	return 0;
}

static void progress(const ferry_event *ev, void *payload)
{
	(void)payload;
	if (ev->type == FERRY_EVENT_SECTION_DONE)
		printf("%s %s: %lld ms\n", ev->section, ev->migration->id,
			(long long)ev->elapsed_ms);
}

static int exit_code(int rc)
{
	switch (rc) {
	case FERRY_EINVALID:
		return 2;
	case FERRY_ELOCKED:
		return 4;
	case FERRY_EREFUSED:
		return 5;
	default:
		return 1;
	}
}

int main(int argc, char **argv)
{
	ferry_db_options dbo = FERRY_DB_OPTIONS_INIT;
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	const char *checksum = getenv("STARTUP_CHECKSUM");
	const char *trial = getenv("STARTUP_TRIAL");
	size_t i;
	ferry_report *report = NULL;
	ferry_set *set = NULL;
	ferry_db *db = NULL;
	ferry_error err;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: startup DATABASE_URL MIGRATION_DIR\n");
		return 2;
	}
	ferry_error_init(&err);
	dbo.progress = progress;
	o.check = trial && strcmp(trial, "check") == 0;
	o.dry_run = trial && strcmp(trial, "dry-run") == 0;
	dbo.read_only = o.dry_run;
	if ((rc = ferry_set_open(&set, argv[2], &err)) < 0 ||
		(rc = ferry_set_add_code(set, 2, "split_names", NULL,
			 split_names, NULL,
			 checksum ? checksum : "split-names v1", &err)) < 0 ||
		(rc = ferry_db_open(&db, argv[1], &dbo, &err)) < 0 ||
		(rc = ferry_up(&report, db, set, &o, &err)) < 0) {
		fprintf(stderr, "startup: %s%s%s\n", err.message,
			err.detail[0] ? ": " : "", err.detail);
		if (err.hint[0])
			fprintf(stderr, "hint: %s\n", err.hint);
		ferry_db_close(db);
		ferry_set_free(set);
		return exit_code(rc);
	}
	for (i = 0; trial && i < ferry_report_count(report); i++)
		printf("%s: %s %s\n", trial, ferry_report_at(report, i)->action,
			ferry_report_at(report, i)->migration->id);
	printf("database at %s\n",
		ferry_report_version(report) ? ferry_report_version(report)
					     : "nothing");
	ferry_report_free(report);
	ferry_db_close(db);
	ferry_set_free(set);
	return 0;
}
