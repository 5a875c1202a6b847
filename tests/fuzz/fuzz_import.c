/* SPDX-License-Identifier: MIT */
/*
 * fuzz_import.c - libFuzzer target for the export reader of `ferry
 * import` (import.c, load.c, rowsum.c), into an in-memory SQLite
 * database holding two tables, p and q (q refers to p).
 *
 * An export file is whatever its writer (or an attacker) put in it. For
 * any bytes, ferry_import() must not crash, hang or leak, must answer 0
 * or one of the codes it documents, and when it answers 0 its report
 * must count exactly the rows the tables now hold.
 */
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#define SCHEMA \
	"CREATE TABLE p (id INTEGER PRIMARY KEY, a TEXT, b REAL, c BLOB);" \
	"CREATE TABLE q (id INTEGER PRIMARY KEY, p INTEGER REFERENCES " \
	"p(id), n NUMERIC);"

static int count_rows(void *payload, int ncols, const char *const *v)
{
	(void)ncols;
	*(uint64_t *)payload += v[0] ? strtoull(v[0], NULL, 10) : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ferry_import_options o = FERRY_IMPORT_OPTIONS_INIT;
	ferry_load_report *r = NULL;
	ferry_db *db = NULL;
	ferry_error err;
	uint64_t held = 0;
	char path[64];
	int fd, rc;

	fd = memfd_create("export", 0);
	CHECK(fd >= 0);
	CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ferry_error_init(&err);
	CHECK(ferry_db_open(&db, "sqlite::memory:", NULL, &err) == 0);
	CHECK(db->drv->load_exec(db, SCHEMA, &err) == 0);
	o.path = path;
	o.truncate = 1;
	rc = ferry_import(&r, db, &o, &err);
	CHECK(rc == 0 || rc == FERRY_EINVALID || rc == FERRY_EREFUSED ||
		rc == FERRY_EDB || rc == FERRY_ERROR || rc == FERRY_ENOMEM);
	CHECK(rc == 0 || err.message[0]);
	if (rc == 0) {
		CHECK(db->drv->query(db,
			      "SELECT (SELECT count(*) FROM p) + (SELECT "
			      "count(*) FROM q)",
			      NULL, 0, count_rows, &held, NULL) == 0);
		CHECK(held == ferry_load_report_rows(r));
	}
	ferry_load_report_free(r);
	ferry_db_close(db);
	close(fd);
	return 0;
}
