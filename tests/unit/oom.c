/* SPDX-License-Identifier: MIT */
/*
 * oom.c - out-of-memory fault injection, in the manner of SQLite's
 * do_faultsim_test: for n = 1, 2, 3, ... fail ferry's allocation n and
 * every later one, run an operation, and require that it either succeeds
 * or returns FERRY_ENOMEM with "out of memory", cleanly, until it succeeds
 * without reaching allocation n. Only ferry's own allocations fail;
 * SQLite and OpenSSL keep their allocators.
 *
 * Each operation's loop runs in a child process, so that a crash on some
 * allocation fails that test (naming n) instead of ending the whole run.
 * The child exits normally, so under ASan the leak checker runs there and
 * a leak fails the test as well.
 */
#include "clar.h"
#include "ferry_int.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the child is doing, for the parent to tell after a crash. */
struct progress {
	long n;
	char step[64];
	int finished; /* 1: the child got to exit(), 2: and it passed */
};

static struct progress *prog;
static int child_done;
static long armed;
static char dir[512];
static char db_path[600];
static ferry_set *set;

/* A result that is wrong, not merely out of memory. */
#define WRONG (-100)

void test_oom__initialize(void)
{
	ferry__alloc_fail_from(0);
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	snprintf(db_path, sizeof(db_path), "%s/test.db", cl_tmpdir());
	if (mkdir(dir, 0755) < 0)
		cl_fail("mkdir");
	if (cl_write(dir, "1_users.sql",
		    "-- Users.\n-- ferry:up\n"
		    "CREATE TABLE users (id integer PRIMARY KEY, name text);\n"
		    "-- ferry:down\nDROP TABLE users;\n") < 0 ||
		cl_write(dir, "0002_email.sql",
			"-- ferry:up\n"
			"ALTER TABLE users ADD COLUMN email text;\n"
			"UPDATE users SET email = name || '@example.com';\n"
			"-- ferry:finish\nUPDATE users SET name = NULL;\n") <
			0 ||
		cl_write(dir, "3_index.sql",
			"-- ferry:up no-transaction\n"
			"CREATE INDEX users_email ON users (email);\n"
			"INSERT INTO users (name) VALUES ('it''s; me');\n") <
			0 ||
		cl_write(dir, "releases", "# shop\n1.0 1\n2.0 3 checkpoint\n") <
			0)
		cl_fail("cannot write the migration set");
	prog = mmap(NULL, sizeof(*prog), PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (prog == MAP_FAILED) {
		prog = NULL;
		cl_fail("mmap");
	}
}

void test_oom__cleanup(void)
{
	ferry__alloc_fail_from(0);
	ferry_set_free(set);
	set = NULL;
	if (prog)
		munmap(prog, sizeof(*prog));
	prog = NULL;
}

/*
 * Run `fn` in a child. It sets child_done when it got to its end; an
 * assertion that failed returned early and has printed why.
 */
static void in_child(const char *file, int line, void (*fn)(void))
{
	char m[300];
	pid_t pid;
	int status;

	prog->n = 0;
	prog->step[0] = '\0';
	prog->finished = 0;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		clar__fail(file, line, "fork failed", NULL);
		return;
	}
	if (pid == 0) {
		child_done = 0;
		fn();
		ferry__alloc_fail_from(0);
		fflush(stdout);
		prog->finished = child_done ? 2 : 1;
		exit(child_done ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) < 0) {
		clar__fail(file, line, "waitpid failed", NULL);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFSIGNALED(status))
		snprintf(m, sizeof(m),
			"killed by signal %d (%s) in %s with "
			"allocation %ld failing",
			WTERMSIG(status), strsignal(WTERMSIG(status)),
			prog->step, prog->n);
	else if (!prog->finished)
		snprintf(m, sizeof(m),
			"stopped with status %d in %s with "
			"allocation %ld failing (see the report above)",
			WEXITSTATUS(status), prog->step, prog->n);
	else if (prog->finished == 2)
		snprintf(m, sizeof(m),
			"%s passed, but the process exited "
			"with status %d: a leak (see the report above)",
			prog->step, WEXITSTATUS(status));
	else
		snprintf(m, sizeof(m),
			"failed in %s with allocation %ld "
			"failing (see above)",
			prog->step, prog->n);
	clar__fail(file, line, "fault injection failed", m);
}

#define cl_in_child(fn) in_child(__FILE__, __LINE__, (fn))

typedef int (*op_fn)(ferry_error *err);

/*
 * An operation that needs setup first turns failures off, sets up, then
 * arms the failure again: allocations are counted from there.
 */
static void disarm(void)
{
	ferry__alloc_fail_from(0);
}

static void arm(void)
{
	ferry__alloc_fail_from(armed);
}

/*
 * The loop itself: returns 0 once `op` succeeded without reaching the
 * failing allocation, -1 (after reporting) on anything else. `has_err`:
 * the operation fills a ferry_error.
 */
static int faultsim(
	const char *file, int line, const char *step, op_fn op, int has_err)
{
	char m[1400];
	long n;

	snprintf(prog->step, sizeof(prog->step), "%s", step);
	for (n = 1; n < 100000; n++) {
		ferry_error err;
		long used;
		int rc;

		ferry_error_init(&err);
		prog->n = n;
		armed = n;
		ferry__alloc_fail_from(n);
		rc = op(&err);
		used = ferry__alloc_count();
		ferry__alloc_fail_from(0);
		if (rc == 0 && used < n)
			return 0;
		if (rc == 0)
			continue; /* a failure it could do without */
		if (rc != FERRY_ENOMEM ||
			(has_err &&
				(err.code != FERRY_ENOMEM ||
					strcmp(err.message, "out of memory") !=
						0))) {
			snprintf(m, sizeof(m),
				"%s with allocation %ld "
				"failing: returned %d, error %d '%s' (%s)",
				step, n, rc, err.code, err.message, err.detail);
			clar__fail(file, line,
				rc == WRONG ? "wrong result"
					    : "not FERRY_ENOMEM",
				m);
			return -1;
		}
	}
	clar__fail(file, line, "never succeeded", step);
	return -1;
}

#define FAULTSIM(step, op, has_err) \
	do { \
		if (faultsim(__FILE__, __LINE__, (step), (op), (has_err)) < 0) \
			return; \
	} while (0)

/*
 * Migration sets
 */

/* The cache, when a test uses one; files count as settled an hour on. */
static const char *cache_dir;

static int op_set_open(ferry_error *err)
{
	ferry_set *s = (ferry_set *)1;
	int rc = ferry_set_open_cached(&s, dir, cache_dir, err);

	if (rc < 0)
		return s == NULL ? rc : WRONG;
	if (ferry_set_count(s) != 3 ||
		strcmp(ferry_set_at(s, 1)->id, "0002_email") != 0 ||
		strcmp(ferry_set_at(s, 1)->version_text, "2") != 0 ||
		ferry_set_release_count(s) != 2 ||
		strcmp(ferry_set_at(s, 2)->release, "2.0") != 0)
		rc = WRONG;
	ferry_set_free(s);
	return rc;
}

static void faultsim_set_open(void)
{
	FAULTSIM("ferry_set_open", op_set_open, 1);
	child_done = 1;
}

void test_oom__set_open(void)
{
	cl_in_child(faultsim_set_open);
}

/* Writing the set cache, then reading from it: a cache that fails for
 * want of memory is done without, never a wrong set. */
static void faultsim_set_open_cached(void)
{
	static char path[512];
	ferry_error err;
	ferry_set *s = NULL;

	ferry__cache_clock_shift(3600 * 1000000000LL);
	snprintf(path, sizeof(path), "%s/cache", cl_tmpdir());
	cache_dir = path;
	FAULTSIM("ferry_set_open_cached, writing", op_set_open, 1);
	ferry_error_init(&err);
	if (ferry_set_open_cached(&s, dir, cache_dir, &err) < 0 ||
		access(path, F_OK) < 0)
		cl_fail("the cache was not written");
	ferry_set_free(s);
	FAULTSIM("ferry_set_open_cached, reading", op_set_open, 1);
	child_done = 1;
}

void test_oom__set_open_cached(void)
{
	cl_in_child(faultsim_set_open_cached);
}

/* Another tool's set: a Flyway one with dotted versions, an undo script,
 * a repeatable script, a script config file and a releases file. */
static char other_dir[512];

static int op_set_open_flyway(ferry_error *err)
{
	ferry_set *s = (ferry_set *)1;
	ferry_set_options o = FERRY_SET_OPTIONS_INIT;
	int rc = ferry_set_open_with(&s, other_dir, &o, err);

	if (rc < 0)
		return s == NULL ? rc : WRONG;
	if (ferry_set_count(s) != 3 ||
		strcmp(ferry_set_at(s, 2)->version_text, "1.2.10") != 0 ||
		!ferry_set_at(s, 2)->has_down ||
		!ferry_set_at(s, 1)->up_no_transaction ||
		ferry_set_repeatable_count(s) != 1 ||
		strcmp(ferry_set_at(s, 2)->release, "2.0") != 0)
		rc = WRONG;
	ferry_set_free(s);
	return rc;
}

static int op_set_open_goose(ferry_error *err)
{
	ferry_set *s = (ferry_set *)1;
	int rc = ferry_set_open(&s, other_dir, err);

	if (rc < 0)
		return s == NULL ? rc : WRONG;
	if (ferry_set_count(s) != 1 || !ferry_set_at(s, 0)->has_down)
		rc = WRONG;
	ferry_set_free(s);
	return rc;
}

static void faultsim_set_open_other(void)
{
	snprintf(other_dir, sizeof(other_dir), "%s/flyway", cl_tmpdir());
	if (mkdir(other_dir, 0755) < 0 ||
		cl_write(other_dir, "V1__a.sql", "SELECT 1;\n") < 0 ||
		cl_write(other_dir, "V1.2.9__b.sql", "VACUUM;\n") < 0 ||
		cl_write(other_dir, "V1.2.10__c.sql", "SELECT 3;\n") < 0 ||
		cl_write(other_dir, "U1.2.10__c.sql", "SELECT 4;\n") < 0 ||
		cl_write(other_dir, "R__views.sql", "SELECT 5;\n") < 0 ||
		cl_write(other_dir, "V1__a.sql.conf",
			"executeInTransaction=true\n") < 0 ||
		cl_write(other_dir, "releases", "1.0 1\n2.0 1.2.10\n") < 0)
		cl_fail("cannot write the Flyway set");
	FAULTSIM("ferry_set_open_with, flyway", op_set_open_flyway, 1);
	snprintf(other_dir, sizeof(other_dir), "%s/goose", cl_tmpdir());
	if (mkdir(other_dir, 0755) < 0 ||
		cl_write(other_dir, "00001_a.sql",
			"-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n"
			"-- +goose StatementEnd\n-- +goose Down\nSELECT 2;\n") <
			0)
		cl_fail("cannot write the goose set");
	FAULTSIM("ferry_set_open, goose", op_set_open_goose, 1);
	child_done = 1;
}

void test_oom__set_open_other_formats(void)
{
	cl_in_child(faultsim_set_open_other);
}

static int op_releases(ferry_error *err)
{
	static const char text[] =
		"1.0 1\n1.1 2\n1.2 3\n1.3 4\n1.4 5\n1.5 6\n"
		"1.6 7\n1.7 8\n# more than the first allocation holds\n"
		"2.0 9 checkpoint\n2.1 10\n";
	ferry__release *rel = (ferry__release *)1;
	size_t n = 99;
	int rc = ferry__releases_parse(
		&rel, &n, text, sizeof(text) - 1, "releases", err);

	if (rc < 0)
		return rel == NULL && n == 0 ? rc : WRONG;
	if (n != 10 || strcmp(rel[8].pub.name, "2.0") != 0 ||
		!rel[8].pub.checkpoint)
		rc = WRONG;
	ferry__releases_free(rel, n);
	return rc;
}

static void faultsim_releases(void)
{
	FAULTSIM("ferry__releases_parse", op_releases, 1);
	child_done = 1;
}

void test_oom__releases_parse(void)
{
	cl_in_child(faultsim_releases);
}

/* How many entries `dir` has. */
static int count_files(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int op_migration_new(ferry_error *err)
{
	char *path = (char *)1;
	int before = count_files();
	int rc = ferry_migration_new(&path, dir, "add_orders", 1, err);

	/* The newest file, 3_index.sql, has no zero padding. */

	if (rc < 0)
		/* A failure leaves no file behind. */
		return path == NULL && count_files() == before ? rc : WRONG;
	if (strcmp(path + strlen(dir), "/4_add_orders.sql") != 0)
		rc = WRONG;
	ferry_free(path);
	return rc;
}

static void faultsim_migration_new(void)
{
	FAULTSIM("ferry_migration_new", op_migration_new, 1);
	child_done = 1;
}

void test_oom__migration_new(void)
{
	cl_in_child(faultsim_migration_new);
}

/*
 * Linting: findings, an allow's reason, a CHECK kept for SET NOT NULL.
 */

static size_t lint_expected;

static int op_lint(ferry_error *err)
{
	ferry_lint_result *r = (ferry_lint_result *)1;
	size_t n;
	int rc = ferry_lint(&r, set, NULL, err);

	if (rc < 0)
		return r == NULL ? rc : WRONG;
	n = ferry_lint_result_count(r);
	if (n > 0 && !ferry_lint_result_at(r, n - 1)->message)
		n = 0;
	ferry_lint_result_free(r);
	return n == lint_expected ? 0 : WRONG;
}

static void faultsim_lint(void)
{
	ferry_error err;
	ferry_lint_result *r = NULL;
	char alter[2048];
	size_t len;
	int i;

	ferry_error_init(&err);
	/* The last migration, 300 tokens before a DROP COLUMN: the token
	 * array grows thrice, and a growth that failed unseen would lose
	 * the finding. */
	len = (size_t)snprintf(alter, sizeof(alter), "ALTER TABLE users");
	for (i = 0; i < 60; i++)
		len += (size_t)snprintf(alter + len, sizeof(alter) - len,
			" ADD COLUMN c%d int,", i);
	snprintf(alter + len, sizeof(alter) - len, " DROP COLUMN email;\n");
	if (cl_write(dir, "5_long.sql", alter) < 0)
		cl_fail("cannot write 5_long.sql");
	if (cl_write(dir, "4_lint.sql",
		    "-- ferry:up\nALTER TABLE users DROP COLUMN name;\n"
		    "-- ferry:allow up-drop-table unused since 1.0\n"
		    "DROP TABLE users;\n"
		    "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT "
		    "NULL) NOT VALID;\n-- ferry:finish\n"
		    "ALTER TABLE users ALTER email SET NOT NULL;\n") < 0)
		cl_fail("cannot write 4_lint.sql");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_ferry_pass(ferry_lint(&r, set, NULL, &err), &err);
	lint_expected = ferry_lint_result_count(r);
	ferry_lint_result_free(r);
	cl_assert(lint_expected >= 5);
	FAULTSIM("ferry_lint", op_lint, 1);
	child_done = 1;
}

void test_oom__lint(void)
{
	cl_in_child(faultsim_lint);
}

/*
 * Splitting and URLs
 */

static int op_split(ferry_error *err)
{
	static const char sqlite_text[] =
		"CREATE TABLE t (a int);\n"
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;\n";
	static const char pg_text[] =
		"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ "
		"LANGUAGE sql;\nSELECT 'a;b'; SELECT 3";
	ferry__spans sp = { (ferry__span *)1, 7, 7 };
	ferry__split_error serr;
	char big[4000];
	size_t i;
	int rc;

	(void)err;
	memset(&serr, 0, sizeof(serr));
	rc = ferry__split(&sp, sqlite_text, sizeof(sqlite_text) - 1,
		FERRY__DIALECT_SQLITE, &serr);
	if (rc < 0)
		return sp.v == NULL && sp.n == 0 ? rc : WRONG;
	i = sp.n;
	ferry__spans_clear(&sp);
	if (i != 2)
		return WRONG;
	rc = ferry__split(
		&sp, pg_text, sizeof(pg_text) - 1, FERRY__DIALECT_PG, &serr);
	if (rc < 0)
		return sp.v == NULL && sp.n == 0 ? rc : WRONG;
	i = sp.n;
	ferry__spans_clear(&sp);
	if (i != 3)
		return WRONG;
	/* Enough statements to grow the array a few times. */
	for (i = 0; i < 100; i++)
		memcpy(big + i * 10, "SELECT 1; ", 10);
	rc = ferry__split(&sp, big, 1000, FERRY__DIALECT_PG, &serr);
	if (rc < 0)
		return sp.v == NULL && sp.n == 0 ? rc : WRONG;
	i = sp.n;
	ferry__spans_clear(&sp);
	return i == 100 ? 0 : WRONG;
}

static void faultsim_split(void)
{
	FAULTSIM("ferry__split", op_split, 0);
	child_done = 1;
}

void test_oom__split(void)
{
	cl_in_child(faultsim_split);
}

static int check_url(ferry__url *u, const char *s, const char *base,
	const char *want_path, const char *want_display, ferry_error *err)
{
	int rc = ferry__url_parse(u, s, base, err);

	if (rc < 0)
		return !u->path && !u->conninfo && !u->display ? rc : WRONG;
	if ((want_path && (!u->path || strcmp(u->path, want_path) != 0)) ||
		strcmp(u->display, want_display) != 0)
		rc = WRONG;
	ferry__url_clear(u);
	return rc;
}

static int op_url(ferry_error *err)
{
	ferry__url u;
	char *m;
	int rc;

	if ((rc = check_url(&u, "sqlite:data/app.db", "/srv/app",
		     "/srv/app/data/app.db", "sqlite:data/app.db", err)) < 0 ||
		(rc = check_url(&u, "sqlite::memory:", NULL,
			 ":memory:", "sqlite::memory:", err)) < 0 ||
		(rc = check_url(&u, "postgres://app:s3cret@db/shop?password=x",
			 NULL, NULL,
			 "postgres://app:****@db/shop?password=****", err)) <
			0 ||
		(rc = check_url(&u, "host=db password='a b' dbname=shop", NULL,
			 NULL, "host=db password=**** dbname=shop", err)) < 0)
		return rc;
	m = ferry_url_mask("postgres://app:s3cret@db/shop");
	if (!m)
		return ferry__error_oom(err);
	rc = strcmp(m, "postgres://app:****@db/shop") == 0 ? 0 : WRONG;
	ferry_free(m);
	return rc;
}

static void faultsim_url(void)
{
	FAULTSIM("ferry__url_parse", op_url, 1);
	child_done = 1;
}

void test_oom__url_parse(void)
{
	cl_in_child(faultsim_url);
}

/*
 * Databases: open, status, up, status again, history
 */

static const char *db_url;

/* A fresh database for each round: the file and what lies beside it. */
static void remove_db(void)
{
	static const char *const suffix[] = { "", "-ferry.lock", "-journal" };
	char p[700];
	size_t i;

	if (db_url != db_path)
		return;
	for (i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
		snprintf(p, sizeof(p), "%s%s", db_path, suffix[i]);
		unlink(p);
	}
}

/* Status before anything ran: all three pending. */
static int status_pending(ferry_db *db, ferry_error *err)
{
	ferry_status *st = (ferry_status *)1;
	int rc = ferry_status_get(&st, db, set, err);

	if (rc < 0)
		return st == NULL ? rc : WRONG;
	if (st->pending != 3 || st->complete != 0 || !st->head ||
		strcmp(st->head, "3") != 0)
		rc = WRONG;
	ferry_status_free(st);
	return rc;
}

/* Apply all three; a second run has nothing to do. */
static int up_all(ferry_db *db, ferry_error *err)
{
	ferry_report *rep = (ferry_report *)1;
	int rc = ferry_up(&rep, db, set, NULL, err);

	if (rc < 0)
		return rep == NULL ? rc : WRONG;
	if (ferry_report_count(rep) != 3)
		rc = WRONG;
	ferry_report_free(rep);
	if (rc < 0)
		return rc;
	rep = (ferry_report *)1;
	if ((rc = ferry_up(&rep, db, set, NULL, err)) < 0)
		return rep == NULL ? rc : WRONG;
	if (ferry_report_count(rep) != 0)
		rc = WRONG;
	ferry_report_free(rep);
	return rc;
}

/* Status after up_all(): 1 and 3 complete, 2 waiting for its finish. */
static int status_applied(ferry_db *db, ferry_error *err)
{
	ferry_status *st = (ferry_status *)1;
	int rc = ferry_status_get(&st, db, set, err);

	if (rc < 0)
		return st == NULL ? rc : WRONG;
	if (st->complete != 2 || st->up != 1 || st->pending != 0 ||
		ferry_status_count(st) != 3 ||
		ferry_status_at(st, 1)->state != FERRY_STATE_UP ||
		!st->release_finished ||
		strcmp(st->release_finished, "1.0") != 0 ||
		!st->release_in_flight ||
		strcmp(st->release_in_flight, "2.0") != 0 || !st->last_action ||
		strcmp(st->last_action, "up") != 0)
		rc = WRONG;
	ferry_status_free(st);
	return rc;
}

static int history(ferry_db *db, ferry_error *err)
{
	ferry_history *h = (ferry_history *)1;
	int rc = ferry_history_get(&h, db, 0, err);

	if (rc < 0)
		return h == NULL ? rc : WRONG;
	if (ferry_history_count(h) != 3 ||
		strcmp(ferry_history_at(h, 0)->action, "up") != 0 ||
		strcmp(ferry_history_at(h, 0)->version, "3") != 0)
		rc = WRONG;
	ferry_history_free(h);
	return rc;
}

static int open_db(ferry_db **db, ferry_error *err)
{
	ferry_db_options o = FERRY_DB_OPTIONS_INIT;
	int rc;

	*db = (ferry_db *)1;
	rc = ferry_db_open(db, db_url, &o, err);
	if (rc < 0 && *db != NULL)
		return WRONG;
	return rc;
}

/* The whole life of a database: open, status, up, status, history. */
static int op_db(ferry_error *err)
{
	ferry_db *db;
	int rc;

	remove_db();
	if ((rc = open_db(&db, err)) < 0)
		return rc;
	if ((rc = status_pending(db, err)) == 0 &&
		(rc = up_all(db, err)) == 0 &&
		(rc = status_applied(db, err)) == 0)
		rc = history(db, err);
	ferry_db_close(db);
	return rc;
}

/* ferry_up alone, on a database opened without failures. */
static int op_up(ferry_error *err)
{
	ferry_db *db;
	int rc;

	disarm();
	remove_db();
	if ((rc = open_db(&db, err)) < 0)
		return WRONG;
	arm();
	if ((rc = up_all(db, err)) == 0)
		rc = history(db, err);
	ferry_db_close(db);
	return rc;
}

/* ferry_status_get alone, before and after the migrations ran. */
static int op_status(ferry_error *err)
{
	ferry_db *db;
	int rc;

	disarm();
	remove_db();
	if (open_db(&db, err) < 0)
		return WRONG;
	arm();
	if ((rc = status_pending(db, err)) == 0) {
		disarm();
		if (up_all(db, err) < 0) {
			ferry_db_close(db);
			return WRONG;
		}
		arm();
		rc = status_applied(db, err);
	}
	ferry_db_close(db);
	return rc;
}

static int open_set(void)
{
	ferry_error err;

	ferry_error_init(&err);
	if (ferry_set_open(&set, dir, &err) == 0)
		return 0;
	printf("# cannot open the migration set: %s\n", err.message);
	return -1;
}

static void faultsim_db(void)
{
	if (open_set() < 0)
		return;
	FAULTSIM(db_url == db_path ? "database in a file" : "sqlite::memory:",
		op_db, 1);
	child_done = 1;
}

static void faultsim_up(void)
{
	if (open_set() < 0)
		return;
	FAULTSIM("ferry_up", op_up, 1);
	child_done = 1;
}

static void faultsim_status(void)
{
	if (open_set() < 0)
		return;
	FAULTSIM("ferry_status_get", op_status, 1);
	child_done = 1;
}

/* A no-op up on the database up_all() left. */
static int op_noop(ferry_error *err)
{
	ferry_report *rep = (ferry_report *)1;
	ferry_db *db;
	int rc;

	if ((rc = open_db(&db, err)) < 0)
		return rc;
	rc = ferry_up(&rep, db, set, NULL, err);
	ferry_db_close(db);
	if (rc < 0)
		return rep == NULL ? rc : WRONG;
	if (ferry_report_count(rep) != 0 || !ferry_report_version(rep) ||
		strcmp(ferry_report_version(rep), "3") != 0)
		rc = WRONG;
	ferry_report_free(rep);
	return rc;
}

/* A no-op up on a file database: read the ledger, find nothing to do. */
static void faultsim_noop(void)
{
	ferry_error err;
	ferry_db *db;

	if (open_set() < 0)
		return;
	db_url = db_path;
	remove_db();
	ferry_error_init(&err);
	if (open_db(&db, &err) < 0 || up_all(db, &err) < 0)
		cl_fail("cannot apply the set");
	ferry_db_close(db);
	FAULTSIM("no-op up", op_noop, 1);
	child_done = 1;
}

void test_oom__noop(void)
{
	cl_in_child(faultsim_noop);
}

void test_oom__db_memory(void)
{
	db_url = "sqlite::memory:";
	cl_in_child(faultsim_db);
}

void test_oom__db_file(void)
{
	db_url = db_path;
	cl_in_child(faultsim_db);
}

void test_oom__up_memory(void)
{
	db_url = "sqlite::memory:";
	cl_in_child(faultsim_up);
}

void test_oom__up_file(void)
{
	db_url = db_path;
	cl_in_child(faultsim_up);
}

void test_oom__status_memory(void)
{
	db_url = "sqlite::memory:";
	cl_in_child(faultsim_status);
}

void test_oom__status_file(void)
{
	db_url = db_path;
	cl_in_child(faultsim_status);
}

/*
 * Reset: list (dry run), then drop, on a database the migrations built.
 */

/* users, its index, and the two ledger tables. */
#define RESET_OBJECTS 4

static int reset_once(ferry_db *db, int dry_run, ferry_error *err)
{
	ferry_reset_options o = FERRY_RESET_OPTIONS_INIT;
	ferry_dropped *d = (ferry_dropped *)1;
	int rc;

	o.dry_run = dry_run;
	if ((rc = ferry_reset(&d, db, &o, err)) < 0)
		return d == NULL ? rc : WRONG;
	if (ferry_dropped_count(d) != RESET_OBJECTS ||
		strcmp(ferry_dropped_at(d, 0)->kind, "index") != 0 ||
		!ferry_dropped_at(d, 1)->ledger)
		rc = WRONG;
	ferry_dropped_free(d);
	return rc;
}

static int op_reset(ferry_error *err)
{
	ferry_db *db;
	int rc;

	disarm();
	remove_db();
	if (open_db(&db, err) < 0 || up_all(db, err) < 0) {
		ferry_db_close(db);
		return WRONG;
	}
	arm();
	if ((rc = reset_once(db, 1, err)) == 0)
		rc = reset_once(db, 0, err);
	if (rc == 0) {
		disarm();
		rc = status_pending(db, err) < 0 ? WRONG : 0;
	}
	ferry_db_close(db);
	return rc;
}

static void faultsim_reset(void)
{
	if (open_set() < 0)
		return;
	FAULTSIM("ferry_reset", op_reset, 1);
	child_done = 1;
}

void test_oom__reset_file(void)
{
	db_url = db_path;
	cl_in_child(faultsim_reset);
}
