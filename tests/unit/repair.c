/* SPDX-License-Identifier: MIT */
/*
 * repair.c - the ledger tools through the public API, on SQLite:
 * ferry_validate (findings are a result, not an error), ferry_stamp and
 * ferry_repair (what they change, what they refuse), and each of the three
 * with every allocation failing in turn: FERRY_ENOMEM or success, never a
 * wrong result (a leak shows under ASan).
 */
#include "clar.h"
#include "ferry_int.h"

#include <sys/stat.h>
#include <unistd.h>

static char dir[512];
static char db_url[600];
static ferry_set *set;
static ferry_db *db;
static ferry_error err;

static void write_set(const char *one)
{
	if (cl_write(dir, "1_users.sql", one) < 0 ||
		cl_write(dir, "2_email.sql",
			"-- ferry:up\nALTER TABLE users ADD COLUMN email text;\n"
			"-- ferry:finish\nUPDATE users SET email = NULL;\n") <
			0 ||
		cl_write(dir, "3_orders.sql",
			"CREATE TABLE orders (id integer PRIMARY KEY);\n") <
			0 ||
		cl_write(dir, "releases", "1.0 2\n2.0 3\n") < 0)
		cl_fail("cannot write the migration set");
}

#define USERS "CREATE TABLE users (id integer PRIMARY KEY);\n"

void test_repair__initialize(void)
{
	ferry__alloc_fail_from(0);
	ferry_error_init(&err);
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	snprintf(db_url, sizeof(db_url), "sqlite:%s/test.db", cl_tmpdir());
	if (mkdir(dir, 0755) < 0)
		cl_fail("mkdir");
	write_set(USERS);
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_ferry_pass(ferry_db_open(&db, db_url, NULL, &err), &err);
}

void test_repair__cleanup(void)
{
	ferry__alloc_fail_from(0);
	ferry_db_close(db);
	db = NULL;
	ferry_set_free(set);
	set = NULL;
}

static size_t stamp(const char *to, int dry_run)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *c = NULL;
	size_t n;

	o.to = to;
	o.dry_run = dry_run;
	o.no_verify = 1; /* the ledger is what these tests look at */
	if (ferry_stamp(&c, db, set, &o, &err) < 0)
		return (size_t)-1;
	n = ferry_changes_count(c);
	ferry_changes_free(c);
	return n;
}

/* As stamp(), checking the objects. */
static size_t stamp_checked(const char *to)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *c = NULL;
	size_t n;

	o.to = to;
	if (ferry_stamp(&c, db, set, &o, &err) < 0)
		return (size_t)-1;
	n = ferry_changes_count(c);
	ferry_changes_free(c);
	return n;
}

static size_t findings(void)
{
	ferry_validation *v = NULL;
	size_t n;

	if (ferry_validate(&v, db, set, &err) < 0)
		return (size_t)-1;
	n = ferry_validation_count(v);
	ferry_validation_free(v);
	return n;
}

void test_repair__validate_without_ledger(void)
{
	cl_assert_equal_i(0, (int)findings());
}

void test_repair__stamp_records_and_leaves_applied_alone(void)
{
	ferry_changes *c = NULL;
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;

	cl_assert_equal_i(2, (int)stamp("1.0", 1));
	cl_assert_equal_i(0, (int)findings()); /* the dry run wrote nothing */
	o.to = "1.0";
	o.no_verify = 1;
	cl_ferry_pass(ferry_stamp(&c, db, set, &o, &err), &err);
	cl_assert_equal_i(2, (int)ferry_changes_count(c));
	cl_assert_equal_s("stamp", ferry_changes_at(c, 1)->action);
	cl_assert_equal_s("2_email", ferry_changes_at(c, 1)->migration->id);
	cl_assert(ferry_changes_at(c, 2) == NULL);
	ferry_changes_free(c);
	cl_assert_equal_i(0, (int)stamp("2", 0));
	cl_assert_equal_i(1, (int)stamp("3", 0));
	cl_assert_equal_i(0, (int)findings());
}

void test_repair__stamp_refuses_unknown_target(void)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *c = (ferry_changes *)1;

	cl_assert_equal_i(FERRY_EINVALID, ferry_stamp(&c, db, set, &o, &err));
	cl_assert(c == (ferry_changes *)1); /* bad arguments: out untouched */
	o.to = "9";
	cl_assert_equal_i(FERRY_EINVALID, ferry_stamp(&c, db, set, &o, &err));
	cl_assert(c == NULL);
	cl_assert_equal_s("no migration or release '9'", err.message);
}

void test_repair__drift_found_then_repaired(void)
{
	ferry_repair_options o = FERRY_REPAIR_OPTIONS_INIT;
	ferry_validation *v = NULL;
	ferry_changes *c = NULL;

	cl_assert_equal_i(3, (int)stamp("3", 0));
	ferry_set_free(set);
	set = NULL;
	write_set("CREATE TABLE users (id integer PRIMARY KEY, x text);\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_ferry_pass(ferry_validate(&v, db, set, &err), &err);
	cl_assert_equal_i(1, (int)ferry_validation_count(v));
	cl_assert_equal_s("drift", ferry_validation_at(v, 0)->kind);
	cl_assert_equal_s("1", ferry_validation_at(v, 0)->version_text);
	cl_assert_equal_s("users", ferry_validation_at(v, 0)->name);
	cl_assert_equal_s("up section changed after it was applied",
		ferry_validation_at(v, 0)->message);
	ferry_validation_free(v);
	cl_assert_equal_i(-1, (int)stamp("3", 0)); /* stamp refuses drift */
	cl_assert_equal_i(FERRY_EREFUSED, err.code);
	o.dry_run = 1;
	cl_ferry_pass(ferry_repair(&c, db, set, &o, &err), &err);
	cl_assert_equal_i(1, (int)ferry_changes_count(c));
	ferry_changes_free(c);
	cl_assert_equal_i(1, (int)findings());
	o.dry_run = 0;
	cl_ferry_pass(ferry_repair(&c, db, set, &o, &err), &err);
	cl_assert_equal_s("accepted the changed up section",
		ferry_changes_at(c, 0)->what);
	ferry_changes_free(c);
	cl_assert_equal_i(0, (int)findings());
	cl_ferry_pass(ferry_repair(&c, db, set, NULL, &err), &err);
	cl_assert_equal_i(0, (int)ferry_changes_count(c));
	ferry_changes_free(c);
}

void test_repair__read_only_database(void)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;
	ferry_db *ro = NULL;
	ferry_changes *c = NULL;
	ferry_stamp_options so = FERRY_STAMP_OPTIONS_INIT;

	o.read_only = 1;
	cl_ferry_pass(ferry_db_open(&ro, db_url, &o, &err), &err);
	cl_assert_equal_i(
		FERRY_EINVALID, ferry_repair(&c, ro, set, NULL, &err));
	cl_assert_equal_s("database was opened read-only", err.message);
	so.to = "1";
	cl_assert_equal_i(FERRY_EINVALID, ferry_stamp(&c, ro, set, &so, &err));
	ferry_db_close(ro);
}

/*
 * Fault injection: allocation n and every later one fail, for n = 1, 2,
 * ... until the operation succeeds without reaching it. Every database is
 * new and in memory; only the operation itself runs with failures armed.
 */
typedef int (*op_fn)(ferry_db *d, ferry_error *e);

static int op_stamp(ferry_db *d, ferry_error *e)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *c = NULL;
	int rc;

	o.to = "3";
	o.no_verify = 1;
	if ((rc = ferry_stamp(&c, d, set, &o, e)) < 0)
		return c ? -100 : rc;
	rc = ferry_changes_count(c) == 3 ? 0 : -100;
	ferry_changes_free(c);
	return rc;
}

/* Checked, on a database without the tables: refused, never half. */
static int op_stamp_verified(ferry_db *d, ferry_error *e)
{
	ferry_stamp_options o = FERRY_STAMP_OPTIONS_INIT;
	ferry_changes *c = NULL;
	int rc;

	o.to = "3";
	rc = ferry_stamp(&c, d, set, &o, e);
	if (c)
		return -100;
	if (rc == FERRY_EREFUSED &&
		(!strstr(e->detail, "missing: table users (") ||
			!strstr(e->detail, "/1_users.sql:1), table orders (") ||
			!strstr(e->detail, "/3_orders.sql:1)")))
		return -101;
	return rc == FERRY_EREFUSED ? 0 : rc;
}

static int op_validate(ferry_db *d, ferry_error *e)
{
	ferry_validation *v = NULL;
	int rc;

	if ((rc = ferry_validate(&v, d, set, e)) < 0)
		return v ? -100 : rc;
	rc = ferry_validation_count(v) == 1 ? 0 : -100;
	ferry_validation_free(v);
	return rc;
}

static int op_repair(ferry_db *d, ferry_error *e)
{
	ferry_changes *c = NULL;
	int rc;

	if ((rc = ferry_repair(&c, d, set, NULL, e)) < 0)
		return c ? -100 : rc;
	rc = ferry_changes_count(c) == 1 ? 0 : -100;
	ferry_changes_free(c);
	return rc;
}

/* A new database in memory, with 1 to 3 stamped by `set`. */
static ferry_db *stamped_db(void)
{
	ferry_db *d = NULL, *saved = db;
	size_t n;

	if (ferry_db_open(&d, "sqlite::memory:", NULL, &err) < 0)
		return NULL;
	db = d; /* stamp() works on `db` */
	n = stamp("3", 0);
	db = saved;
	if (n != 3) {
		ferry_db_close(d);
		return NULL;
	}
	return d;
}

static void faultsim(op_fn op, const char *what)
{
	long n;

	for (n = 1; n < 100000; n++) {
		ferry_db *d = NULL;
		ferry_error e;
		int rc;
		long used;

		ferry_error_init(&e);
		ferry_db_open(&d, "sqlite::memory:", NULL, &e);
		cl_assert(d != NULL);
		ferry__alloc_fail_from(n);
		rc = op(d, &e);
		used = ferry__alloc_count();
		ferry__alloc_fail_from(0);
		ferry_db_close(d);
		if (rc == 0 && used < n) {
			cl_assert(n > 10); /* it did fail allocations */
			return;
		}
		if (rc == 0)
			continue;
		if (rc != FERRY_ENOMEM || e.code != FERRY_ENOMEM ||
			strcmp(e.message, "out of memory") != 0) {
			char m[1400];

			snprintf(m, sizeof(m),
				"%s with allocation %ld failing: %d '%s'", what,
				n, rc, e.message);
			cl_fail(m);
		}
	}
	cl_fail("never succeeded");
}

void test_repair__oom_stamp(void)
{
	faultsim(op_stamp, "ferry_stamp");
	faultsim(op_stamp_verified, "ferry_stamp, checked");
}

void test_repair__stamp_checks_what_the_sections_create(void)
{
	cl_assert_equal_i(-1, (int)stamp_checked("3"));
	cl_assert_equal_i(FERRY_EREFUSED, err.code);
	cl_assert_equal_s("the database lacks 2 objects that the migrations "
			  "to stamp create: table users",
		err.message);
	cl_assert_equal_i(1, err.line);
	cl_assert(strstr(err.file, "1_users.sql"));
	cl_assert_equal_i(3, (int)stamp("3", 1)); /* nothing recorded */
}

void test_repair__oom_validate_and_repair(void)
{
	ferry_set_free(set);
	set = NULL;
	/* The databases are stamped with this set... */
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	{
		ferry_set *stamped = set;
		ferry_set *changed = NULL;
		long n;

		write_set("CREATE TABLE users (id integer PRIMARY KEY, x "
			  "text);\n");
		cl_ferry_pass(ferry_set_open(&changed, dir, &err), &err);
		/* ... and checked against this one: one drifted section. */
		for (n = 0; n < 2; n++) {
			op_fn op = n == 0 ? op_validate : op_repair;
			long k;

			for (k = 1; k < 100000; k++) {
				ferry_db *d;
				ferry_error e;
				long used;
				int rc;

				set = stamped;
				d = stamped_db();
				cl_assert(d != NULL);
				set = changed;
				ferry_error_init(&e);
				ferry__alloc_fail_from(k);
				rc = op(d, &e);
				used = ferry__alloc_count();
				ferry__alloc_fail_from(0);
				ferry_db_close(d);
				if (rc == 0 && used < k) {
					cl_assert(k > 5);
					break;
				}
				if (rc == 0)
					continue;
				if (rc != FERRY_ENOMEM ||
					strcmp(e.message, "out of memory") !=
						0) {
					set = stamped;
					ferry_set_free(changed);
					cl_fail(e.message);
				}
			}
		}
		set = stamped;
		ferry_set_free(changed);
	}
}
