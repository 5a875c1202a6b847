/* SPDX-License-Identifier: MIT */
/*
 * set.c - reading a migration directory (ferry_set_open): file names,
 * numeric order, duplicates, ignored files, the `releases` file and the
 * release each migration belongs to; and writing a new migration file
 * (ferry_migration_new) with a timestamp or the next sequence number.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BAD_NAME_HINT \
	"name it <version>_<name>.sql, e.g. 0001_create_users.sql (letters, " \
	"digits, '_' and '-'), or move it out of '%s'"

static ferry_set *set;
static ferry_error err;
static char dir[512];
static char *created;

/* Write a file into the migration directory; fails the test if it can't. */
#define PUT(name, content) \
	cl_assert_equal_i(cl_write(dir, (name), (content)), 0)

void test_set__initialize(void)
{
	ferry_error_init(&err);
	set = NULL;
	created = NULL;
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	if (mkdir(dir, 0755) < 0)
		cl_fail("mkdir");
}

void test_set__cleanup(void)
{
	ferry_set_free(set);
	set = NULL;
	ferry_free(created);
	created = NULL;
}

/* "<dir>/<name>", in a buffer of its own. */
static const char *in_dir(const char *name)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static const char *fmt(const char *f, const char *arg)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), f, arg);
	return buf;
}

/* Open the set, expecting a bad-name error for `name`. */
static int bad_name(const char *name)
{
	ferry_error_init(&err);
	if (ferry_set_open(&set, dir, &err) != FERRY_EINVALID || set)
		return 0;
	return strcmp(err.message,
		       fmt("'%s' is not a valid migration file "
			   "name",
			       name)) == 0 &&
		strcmp(err.hint, fmt(BAD_NAME_HINT, dir)) == 0;
}

/* "'<dir>/<name>' is not a regular file (<kind>)" */
static const char *not_regular(const char *name, const char *kind)
{
	static char buf[1200];

	snprintf(buf, sizeof(buf), "'%s/%s' is not a regular file (%s)", dir,
		name, kind);
	return buf;
}

/* Open the set, expecting exit 2 with this message and hint. */
static int refused(const char *message, const char *hint)
{
	ferry_error_init(&err);
	if (ferry_set_open(&set, dir, &err) != FERRY_EINVALID || set ||
		err.code != FERRY_EINVALID)
		return 0;
	if (strcmp(err.message, message) != 0 || strcmp(err.hint, hint) != 0) {
		fprintf(stderr, "# got '%s' / '%s'\n", err.message, err.hint);
		return 0;
	}
	return 1;
}

void test_set__numeric_order(void)
{
	const ferry_migration *m;

	PUT("10_ten.sql", "SELECT 10;\n");
	PUT("2_two.sql", "SELECT 2;\n");
	PUT("0011_eleven.sql", "SELECT 11;\n");
	PUT("1_one-first.sql", "SELECT 1;\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_s(ferry_set_dir(set), dir);
	cl_assert_equal_i(ferry_set_count(set), 4);

	m = ferry_set_at(set, 0);
	cl_assert_equal_i(m->version, 1);
	cl_assert_equal_s(m->version_text, "1");
	cl_assert_equal_s(m->id, "1_one-first");
	cl_assert_equal_s(m->name, "one-first");
	cl_assert_equal_s(m->path, in_dir("1_one-first.sql"));
	cl_assert(m->release == NULL);

	m = ferry_set_at(set, 1);
	cl_assert_equal_i(m->version, 2);
	cl_assert_equal_s(m->id, "2_two");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	cl_assert(ferry_set_get(set, 1) == m); /* the 0.1 name, kept */
	cl_assert(ferry_set_get(set, 4) == NULL);
#pragma GCC diagnostic pop

	m = ferry_set_at(set, 2);
	cl_assert_equal_i(m->version, 10);
	cl_assert_equal_s(m->version_text, "10");
	cl_assert_equal_s(m->name, "ten");

	m = ferry_set_at(set, 3);
	cl_assert_equal_i(m->version, 11);
	cl_assert_equal_s(m->version_text, "11");
	cl_assert_equal_s(m->id, "0011_eleven");
	cl_assert_equal_s(m->name, "eleven");
	cl_assert_equal_s(m->path, in_dir("0011_eleven.sql"));

	cl_assert(ferry_set_at(set, 4) == NULL);
	cl_assert(ferry__set_find(set, 10) == FERRY__MIG(ferry_set_at(set, 2)));
	cl_assert(ferry__set_find(set, 3) == NULL);
}

void test_set__timestamp_and_long_versions(void)
{
	PUT("20240101120000_a.sql", "SELECT 1;\n");
	PUT("999999999999999999_max.sql", "SELECT 2;\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_count(set), 2);
	cl_assert_equal_i(ferry_set_at(set, 0)->version, 20240101120000LL);
	cl_assert_equal_s(
		ferry_set_at(set, 1)->version_text, "999999999999999999");
}

void test_set__trailing_slash_in_dir(void)
{
	char d[600];

	PUT("1_a.sql", "SELECT 1;\n");
	snprintf(d, sizeof(d), "%s/", dir);
	cl_ferry_pass(ferry_set_open(&set, d, &err), &err);
	cl_assert_equal_s(ferry_set_at(set, 0)->path, in_dir("1_a.sql"));
}

void test_set__sections_and_flags(void)
{
	const ferry_migration *m;

	PUT("1_a.sql", "CREATE TABLE t (a int);\n");
	PUT("2_b.sql",
		"-- ferry:up no-transaction\nSELECT 1;\n"
		"-- ferry:finish\nSELECT 2;\n-- ferry:down no-transaction\n"
		"SELECT 3;\n");
	PUT("3_c.sql", "-- ferry:up\n-- ferry:finish no-transaction\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);

	m = ferry_set_at(set, 0);
	cl_assert_equal_i(m->has_finish, 0);
	cl_assert_equal_i(m->has_down, 0);
	cl_assert_equal_i(m->up_no_transaction, 0);

	m = ferry_set_at(set, 1);
	cl_assert_equal_i(m->has_finish, 1);
	cl_assert_equal_i(m->has_down, 1);
	cl_assert_equal_i(m->up_no_transaction, 1);
	cl_assert_equal_i(m->finish_no_transaction, 0);
	cl_assert_equal_i(m->down_no_transaction, 1);
	cl_assert_equal_i(FERRY__MIG(m)->sec[FERRY__FINISH].line, 4);

	m = ferry_set_at(set, 2);
	cl_assert_equal_i(m->has_finish, 1);
	cl_assert_equal_i(m->has_down, 0);
	cl_assert_equal_i(m->up_no_transaction, 0);
	cl_assert_equal_i(m->finish_no_transaction, 1);
}

void test_set__crlf_file_has_lf_checksum(void)
{
	char hex[65];

	PUT("1_a.sql", "-- ferry:up\r\nCREATE TABLE t (a int);\r\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	ferry__hex(hex, FERRY__MIG(ferry_set_at(set, 0))->sec[FERRY__UP].sha);
	cl_assert_equal_s(hex,
		"25312a357ba5c43fcf8242755b307bf3c82a057fcc4c"
		"030926b979b34cca9bc8");
}

void test_set__other_files_are_ignored(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("README", "not a migration\n");
	PUT("README.md", "# notes\n");
	PUT("1_a.sql~", "editor backup\n");
	PUT("1_a.sql.bak", "another backup\n");
	PUT("notes.txt", "SELECT 2;\n");
	PUT(".2_hidden.sql", "SELECT 2;\n");
	PUT(".#1_a.sql", "an editor's lock file\n");
	PUT(".sql", "just the extension, hidden\n");
	cl_assert_equal_i(mkdir(in_dir(".git"), 0755), 0);
	cl_assert_equal_i(mkdir(in_dir("drafts"), 0755), 0);
	cl_assert_equal_i(
		cl_write(in_dir("drafts"), "2_draft.sql", "SELECT 2;\n"), 0);
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_count(set), 1);
	cl_assert_equal_s(ferry_set_at(set, 0)->id, "1_a");
}

void test_set__bad_file_names(void)
{
	static const char *const names[] = {
		"create_users.sql",
		"1.sql",
		"1_.sql",
		"_users.sql",
		"1-users.sql",
		"1_add users.sql",
		"1_add.users.sql",
		"1_caf\xc3\xa9.sql",
		"0000000000000000001_too_long.sql",
		"v1_users.sql",
		"1_a.SQL",
		"2_b.Sql",
	};
	size_t i;

	PUT("0001_good.sql", "SELECT 1;\n");
	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		PUT(names[i], "SELECT 2;\n");
		if (!bad_name(names[i])) {
			char m[1400];

			snprintf(m, sizeof(m), "'%s': %d %s / %s", names[i],
				err.code, err.message, err.hint);
			cl_fail(m);
		}
		cl_assert_equal_i(unlink(in_dir(names[i])), 0);
	}
}

void test_set__duplicate_versions(void)
{
	PUT("0001_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "SELECT 2;\n");
	PUT("002_c.sql", "SELECT 3;\n");
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "duplicate version 2: '002_c.sql' and '2_b.sql'");
	cl_assert_equal_s(err.hint,
		"give one of them a new version, e.g. with 'ferry new'");
}

void test_set__duplicate_message_does_not_depend_on_directory_order(void)
{
	char first[256];
	int i;

	/*
	 * The same two files, written in the two orders: readdir() returns
	 * them in different orders, and the message must not change.
	 */
	for (i = 0; i < 2; i++) {
		char sub[600];

		snprintf(sub, sizeof(sub), "%s/d%d", cl_tmpdir(), i);
		cl_assert_equal_i(mkdir(sub, 0755), 0);
		cl_assert_equal_i(
			cl_write(sub, i ? "7_late.sql" : "07_early.sql",
				"SELECT 1;\n"),
			0);
		cl_assert_equal_i(
			cl_write(sub, i ? "07_early.sql" : "7_late.sql",
				"SELECT 1;\n"),
			0);
		cl_assert_equal_i(
			ferry_set_open(&set, sub, &err), FERRY_EINVALID);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", err.message);
	}
	cl_assert_equal_s(err.message, first);
	cl_assert_equal_s(err.message,
		"duplicate version 7: '07_early.sql' and '7_late.sql'");
}

void test_set__missing_dir(void)
{
	char d[600];

	snprintf(d, sizeof(d), "%s/nope", cl_tmpdir());
	cl_assert_equal_i(ferry_set_open(&set, d, &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_s(err.message,
		fmt("migration directory '%s' does not "
		    "exist",
			d));
	cl_assert_equal_s(err.hint,
		"create it with 'ferry init', or name "
		"another one with --dir");
}

void test_set__dir_is_a_file(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(
		ferry_set_open(&set, in_dir("1_a.sql"), &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_s(err.message,
		fmt("migration directory '%s' is not a "
		    "directory",
			in_dir("1_a.sql")));
	cl_assert_equal_s(err.hint,
		"name the directory of .sql files with "
		"--dir");
}

void test_set__empty_dir(void)
{
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_s(err.message, fmt("no migrations in '%s'", dir));
	cl_assert_equal_s(err.hint,
		"write the first one with 'ferry new "
		"NAME'");
	/* Files that are not migrations do not make it less empty. */
	PUT("README", "x\n");
	PUT("releases", "1.0 1\n");
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, fmt("no migrations in '%s'", dir));
}

void test_set__directory_named_like_a_bad_migration(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(mkdir(in_dir("old.sql"), 0755), 0);
	cl_assert(bad_name("old.sql"));
}

void test_set__directory_named_like_a_migration(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(mkdir(in_dir("2_b.sql"), 0755), 0);
	/* Bad input, not an I/O failure: exit 2 (SPEC section 4). */
	cl_assert(refused(not_regular("2_b.sql", "a directory"),
		"replace it with a regular file, or move it away"));
}

/*
 * Special files, symbolic links: read for what they are, refused with
 * what they are, never waited on.
 */

void test_set__a_fifo_migration_is_refused_not_waited_on(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(mkfifo(in_dir("2_b.sql"), 0644), 0);
	cl_assert(refused(not_regular("2_b.sql", "a FIFO"),
		"replace it with a regular file, or move it away"));
}

void test_set__a_device_migration_is_refused(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(symlink("/dev/zero", in_dir("2_b.sql")), 0);
	cl_assert(refused(not_regular("2_b.sql", "a character device"),
		"replace it with a regular file, or move it away"));
}

void test_set__a_dangling_link_says_so(void)
{
	char want[1200];

	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(
		symlink("../shared/0002_x.sql", in_dir("2_b.sql")), 0);
	snprintf(want, sizeof(want),
		"'%s' is a symbolic link to '../shared/0002_x.sql' that "
		"points nowhere",
		in_dir("2_b.sql"));
	cl_assert(refused(
		want, "point the link at an existing file, or remove it"));
}

void test_set__a_link_to_a_file_is_a_migration(void)
{
	char target[600];

	PUT("1_a.sql", "SELECT 1;\n");
	snprintf(target, sizeof(target), "%s/shared.sql", cl_tmpdir());
	cl_assert_equal_i(cl_write(cl_tmpdir(), "shared.sql",
				  "-- ferry:up\nSELECT 2;\n-- ferry:down\n"),
		0);
	cl_assert_equal_i(symlink(target, in_dir("2_b.sql")), 0);
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_count(set), 2);
	cl_assert(ferry_set_at(set, 1)->has_down);
}

void test_set__a_fifo_releases_file_is_refused(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(mkfifo(in_dir("releases"), 0644), 0);
	cl_assert(refused(not_regular("releases", "a FIFO"),
		"replace it with a regular file, or move it away"));
}

void test_set__a_dangling_releases_link_is_not_a_missing_file(void)
{
	char want[1200];

	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(symlink("../releases", in_dir("releases")), 0);
	snprintf(want, sizeof(want),
		"'%s' is a symbolic link to '../releases' that points nowhere",
		in_dir("releases"));
	cl_assert(refused(
		want, "point the link at an existing file, or remove it"));
}

void test_set__bad_file_names_the_file_and_line(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "-- ferry:up\nSELECT 1;\n-- ferry:downn\n");
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_s(err.message, "unknown marker 'ferry:downn'");
	cl_assert_equal_s(err.file, in_dir("2_b.sql"));
	cl_assert_equal_i(err.line, 3);
}

void test_set__nul_byte_in_a_file(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(
		cl_write_len(dir, "2_b.sql", "SELECT 1;\n\n  \0", 14), 0);
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "file contains a NUL byte");
	cl_assert_equal_s(err.file, in_dir("2_b.sql"));
	cl_assert_equal_i(err.line, 3);
	cl_assert_equal_i(err.column, 3);
}

void test_set__releases(void)
{
	const ferry_release *r;

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "SELECT 2;\n");
	PUT("3_c.sql", "SELECT 3;\n");
	PUT("0005_e.sql", "SELECT 5;\n");
	PUT("8_h.sql", "SELECT 8;\n");
	PUT("releases", "# shop\n1.0 2\n1.1 3 checkpoint\n2.0 0005\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_release_count(set), 3);
	r = ferry_set_release_at(set, 0);
	cl_assert_equal_s(r->name, "1.0");
	cl_assert_equal_i(r->last_version, 2);
	cl_assert_equal_i(r->checkpoint, 0);
	r = ferry_set_release_at(set, 1);
	cl_assert_equal_s(r->name, "1.1");
	cl_assert_equal_i(r->last_version, 3);
	cl_assert_equal_i(r->checkpoint, 1);
	r = ferry_set_release_at(set, 2);
	cl_assert_equal_s(r->name, "2.0");
	cl_assert_equal_i(r->last_version, 5);
	cl_assert(ferry_set_release_at(set, 3) == NULL);

	cl_assert_equal_s(ferry_set_at(set, 0)->release, "1.0");
	cl_assert_equal_s(ferry_set_at(set, 1)->release, "1.0");
	cl_assert_equal_s(ferry_set_at(set, 2)->release, "1.1");
	cl_assert_equal_s(ferry_set_at(set, 3)->release, "2.0");
	cl_assert(ferry_set_at(set, 4)->release == NULL);
}

void test_set__no_releases_file(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_release_count(set), 0);
	cl_assert(ferry_set_release_at(set, 0) == NULL);
	cl_assert(ferry_set_at(set, 0)->release == NULL);
}

void test_set__release_ends_at_a_missing_version(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("3_c.sql", "SELECT 3;\n");
	PUT("releases", "1.0 1\n\n2.0 2\n");
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_s(err.message,
		"release '2.0' ends at version 2, but "
		"no migration has that version");
	cl_assert_equal_s(err.hint,
		"a release ends at the version of its "
		"newest migration file");
	cl_assert_equal_s(err.file, in_dir("releases"));
	cl_assert_equal_i(err.line, 3);
}

void test_set__bad_releases_file(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("releases", "1.0 1\n1 1\n");
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_s(err.message, "invalid release name '1'");
	cl_assert_equal_s(err.file, in_dir("releases"));
	cl_assert_equal_i(err.line, 2);
}

void test_set__crlf_releases_file(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "SELECT 2;\n");
	PUT("releases", "1.0 1\r\n2.0 2 checkpoint\r\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_release_count(set), 2);
	cl_assert_equal_i(ferry_set_release_at(set, 1)->checkpoint, 1);
	cl_assert_equal_s(ferry_set_at(set, 1)->release, "2.0");
}

void test_set__invalid_arguments(void)
{
	cl_assert_equal_i(ferry_set_open(NULL, dir, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "invalid argument: 'out'");
	cl_assert_equal_i(ferry_set_open(&set, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "invalid argument: 'dir'");
	cl_assert_equal_i(ferry_set_count(NULL), 0);
	cl_assert(ferry_set_at(NULL, 0) == NULL);
	ferry_set_free(NULL);
}

/*
 * ferry_migration_new
 */

/* The UTC time now as a version, YYYYMMDDHHMMSS. */
static long long utc_version(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
	return strtoll(buf, NULL, 10);
}

void test_set__new_with_timestamp(void)
{
	long long before = utc_version(), after, v;
	const char *base;
	char *text = NULL;
	size_t len;

	cl_ferry_pass(
		ferry_migration_new(&created, dir, "add_users", 0, &err), &err);
	after = utc_version();
	cl_assert(created != NULL);
	cl_assert(strncmp(created, in_dir(""), strlen(in_dir(""))) == 0);
	base = created + strlen(in_dir(""));
	cl_assert_equal_i(strlen(base), 14 + strlen("_add_users.sql"));
	cl_assert_equal_s(base + 14, "_add_users.sql");
	cl_assert_equal_i(strspn(base, "0123456789"), 14);
	v = strtoll(base, NULL, 10);
	cl_assert(v >= before && v <= after);

	/* The template is a valid migration with an up and a down section. */
	cl_ferry_pass(ferry__read_file(created, &text, &len, &err), &err);
	cl_assert(strncmp(text, "-- Migration add_users\n", 23) == 0);
	free(text);
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_count(set), 1);
	cl_assert_equal_i(ferry_set_at(set, 0)->version, v);
	cl_assert_equal_s(ferry_set_at(set, 0)->name, "add_users");
	cl_assert_equal_i(ferry_set_at(set, 0)->has_down, 1);
	cl_assert_equal_i(ferry_set_at(set, 0)->has_finish, 0);
}

void test_set__new_timestamps_ascend(void)
{
	char *second = NULL;
	const char *a, *b;

	/* Within one second, the second file still gets a newer version. */
	cl_ferry_pass(ferry_migration_new(&created, dir, "a", 0, &err), &err);
	cl_ferry_pass(ferry_migration_new(&second, dir, "b", 0, &err), &err);
	a = created + strlen(in_dir(""));
	b = second + strlen(in_dir(""));
	if (strtoll(b, NULL, 10) <= strtoll(a, NULL, 10)) {
		char m[600];

		snprintf(m, sizeof(m), "'%s' after '%s'", b, a);
		ferry_free(second);
		cl_fail(m);
	}
	ferry_free(second);
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_count(set), 2);
}

void test_set__new_timestamp_after_a_newer_file(void)
{
	PUT("99990101000000_future.sql", "SELECT 1;\n");
	cl_ferry_pass(
		ferry_migration_new(&created, dir, "next", 0, &err), &err);
	cl_assert_equal_s(created, in_dir("99990101000001_next.sql"));
}

void test_set__new_seq_in_empty_dir(void)
{
	cl_ferry_pass(
		ferry_migration_new(&created, dir, "first", 1, &err), &err);
	cl_assert_equal_s(created, in_dir("0001_first.sql"));
	cl_assert_equal_i(access(created, F_OK), 0);
	ferry_free(created);
	cl_ferry_pass(ferry_migration_new(&created, dir, "second-one", 1, &err),
		&err);
	cl_assert_equal_s(created, in_dir("0002_second-one.sql"));
}

void test_set__new_seq_keeps_the_padding(void)
{
	PUT("007_a.sql", "SELECT 1;\n");
	PUT("3_b.sql", "SELECT 1;\n");
	PUT("README", "x\n");
	cl_ferry_pass(ferry_migration_new(&created, dir, "c", 1, &err), &err);
	cl_assert_equal_s(created, in_dir("008_c.sql"));
	ferry_free(created);
	created = NULL;

	PUT("099_d.sql", "SELECT 1;\n");
	cl_ferry_pass(ferry_migration_new(&created, dir, "e", 1, &err), &err);
	cl_assert_equal_s(created, in_dir("100_e.sql"));
	ferry_free(created);
	created = NULL;

	PUT("999_f.sql", "SELECT 1;\n");
	cl_ferry_pass(ferry_migration_new(&created, dir, "g", 1, &err), &err);
	cl_assert_equal_s(created, in_dir("1000_g.sql"));
}

void test_set__new_seq_without_padding(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("9_b.sql", "SELECT 1;\n");
	cl_ferry_pass(ferry_migration_new(&created, dir, "c", 1, &err), &err);
	cl_assert_equal_s(created, in_dir("10_c.sql"));
}

void test_set__new_seq_after_a_timestamp(void)
{
	PUT("20240101120000_a.sql", "SELECT 1;\n");
	cl_assert_equal_i(ferry_migration_new(&created, dir, "b", 1, &err),
		FERRY_EINVALID);
	cl_assert(created == NULL);
	cl_assert_equal_s(err.message,
		"the newest version, 20240101120000, is "
		"a timestamp");
	cl_assert_equal_s(err.hint,
		"keep using timestamps: run 'ferry new' "
		"without --seq");
}

void test_set__new_ignores_invalid_files(void)
{
	/* It reads names only, so a broken file does not stop it. */
	PUT("0004_a.sql", "-- ferry:bogus\n");
	cl_ferry_pass(ferry_migration_new(&created, dir, "b", 1, &err), &err);
	cl_assert_equal_s(created, in_dir("0005_b.sql"));
}

void test_set__new_bad_names(void)
{
	static const char *const names[] = {
		"",
		"add users",
		"add/users",
		"add.users",
		"../escape",
		"caf\xc3\xa9",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		ferry_error_init(&err);
		cl_assert_equal_i(
			ferry_migration_new(&created, dir, names[i], 1, &err),
			FERRY_EINVALID);
		cl_assert(created == NULL);
		cl_assert_equal_s(err.message,
			fmt("invalid migration name "
			    "'%s'",
				names[i]));
		cl_assert_equal_s(err.hint,
			"use letters, digits, '_' and '-', "
			"e.g. 'add_users'");
	}
	/* Nothing was written. */
	cl_assert_equal_i(ferry_set_open(&set, dir, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, fmt("no migrations in '%s'", dir));
}

void test_set__new_in_missing_dir(void)
{
	char d[600];

	snprintf(d, sizeof(d), "%s/nope", cl_tmpdir());
	cl_assert_equal_i(
		ferry_migration_new(&created, d, "a", 0, &err), FERRY_EINVALID);
	cl_assert(created == NULL);
	cl_assert_equal_s(err.message,
		fmt("migration directory '%s' does not "
		    "exist",
			d));
	cl_assert_equal_s(err.hint,
		"create it with 'ferry init', or name "
		"another one with --dir");
}

static int noop_code(ferry_tx *tx, void *payload, ferry_error *e)
{
	(void)tx;
	(void)payload;
	(void)e;
	return 0;
}

void test_set__code_migrations_join_in_version_order(void)
{
	char release[8] = "2.0";
	const ferry_migration *m;

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("3_c.sql", "SELECT 3;\n");
	PUT("releases", "1.0 1\n2.0 3\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_ferry_pass(ferry_set_add_code(set, 2, "b", release, noop_code, NULL,
			      "v1", &err),
		&err);
	memcpy(release, "XXX", 4); /* the set keeps a copy */
	cl_ferry_pass(ferry_set_add_code(
			      set, 4, "d", NULL, noop_code, NULL, "v1", &err),
		&err);
	cl_assert_equal_i(ferry_set_count(set), 4);
	m = ferry_set_at(set, 1);
	cl_assert(m->code && !m->has_finish);
	cl_assert_equal_s(m->id, "2_b");
	cl_assert_equal_s(m->name, "b");
	cl_assert_equal_s(m->version_text, "2");
	cl_assert_equal_s(m->release, "2.0");
	cl_assert(ferry_set_at(set, 3)->release == NULL); /* unreleased */
	cl_assert_equal_i(ferry_set_add_code(set, 3, "dup", NULL, noop_code,
				  NULL, "v1", &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"duplicate version 3: code migration 'dup' and '3_c'");
	cl_assert_equal_i(ferry_set_add_code(set, 5, "bad name", NULL,
				  noop_code, NULL, "v1", &err),
		FERRY_EINVALID);
	cl_assert_equal_i(ferry_set_add_code(set, 5, "e", NULL, noop_code, NULL,
				  NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_i(ferry_set_count(set), 4);
}
