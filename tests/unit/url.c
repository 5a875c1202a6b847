/* SPDX-License-Identifier: MIT */
/*
 * url.c - database URLs: engine detection, SQLite paths and files, typos,
 * password masking, and scrubbing libpq's messages.
 */
#include "clar.h"
#include "ferry_int.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static ferry__url url;
static ferry_error err;
/* Symbolic links a test made in cl_tmpdir(), removed before the harness
 * removes the directory (it would follow a link to a directory). */
static char links[4][PATH_MAX];

void test_url__initialize(void)
{
	ferry_error_init(&err);
}

void test_url__cleanup(void)
{
	size_t i;

	ferry__url_clear(&url);
	for (i = 0; i < sizeof(links) / sizeof(*links); i++) {
		if (links[i][0])
			unlink(links[i]);
		links[i][0] = '\0';
	}
}

void test_url__sqlite_forms(void)
{
	cl_ferry_pass(
		ferry__url_parse(&url, "sqlite:app.db", NULL, &err), &err);
	cl_assert_equal_i(url.engine, FERRY__ENGINE_SQLITE);
	cl_assert_equal_s(url.path, "app.db");
	ferry__url_clear(&url);
	cl_ferry_pass(
		ferry__url_parse(&url, "sqlite:///var/lib/app.db", NULL, &err),
		&err);
	cl_assert_equal_s(url.path, "/var/lib/app.db");
	ferry__url_clear(&url);
	cl_ferry_pass(
		ferry__url_parse(&url, "data/app.sqlite3", "/etc/app", &err),
		&err);
	cl_assert_equal_s(url.path, "/etc/app/data/app.sqlite3");
	ferry__url_clear(&url);
	cl_ferry_pass(
		ferry__url_parse(&url, "sqlite::memory:", NULL, &err), &err);
	cl_assert_equal_i(url.memory, 1);
}

/* ferry_url_engine() answers as ferry__url_parse() would, opening nothing. */
void test_url__engine_without_opening(void)
{
	cl_assert_equal_s(ferry_url_engine("sqlite:app.db"), "sqlite");
	cl_assert_equal_s(ferry_url_engine("sqlite3:///x.db"), "sqlite");
	cl_assert_equal_s(ferry_url_engine("data/app.sqlite3"), "sqlite");
	cl_assert_equal_s(ferry_url_engine("postgres://u@h/db"), "postgres");
	cl_assert_equal_s(
		ferry_url_engine("postgresql://u:p@h:5432/db"), "postgres");
	cl_assert_equal_s(
		ferry_url_engine("host=db dbname=app user=u"), "postgres");
	cl_assert(ferry_url_engine("mysql://u@h/db") == NULL);
	cl_assert(ferry_url_engine("http://x/app.db") == NULL);
	cl_assert(ferry_url_engine("app.txt") == NULL);
	cl_assert(ferry_url_engine(NULL) == NULL);
}

void test_url__masks_passwords(void)
{
	char *m = ferry_url_mask(
		"postgres://app:s3cret@db:5432/app?sslmode=require&password=x");

	cl_assert_equal_s(m,
		"postgres://app:****@db:5432/app?sslmode=require&password=****");
	free(m);
	m = ferry_url_mask("host=db password='a b\\'c' dbname=app");
	cl_assert_equal_s(m, "host=db password=**** dbname=app");
	free(m);
	/* The SSL key's passphrase is a secret too. */
	m = ferry_url_mask("host=db sslpassword=keysecret dbname=app");
	cl_assert_equal_s(m, "host=db sslpassword=**** dbname=app");
	free(m);
	m = ferry_url_mask("postgres://db/app?sslpassword=keysecret&x=1");
	cl_assert_equal_s(m, "postgres://db/app?sslpassword=****&x=1");
	free(m);
}

void test_url__unknown_scheme(void)
{
	cl_assert_equal_i(
		ferry__url_parse(&url, "mysql://root@db/app", NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "unsupported database URL scheme 'mysql'");
}

/* Parse `u` as a SQLite URL and return its path ("" on failure). */
static const char *sqlite_path(const char *u, const char *base)
{
	ferry__url_clear(&url);
	if (ferry__url_parse(&url, u, base, &err) < 0 ||
		url.engine != FERRY__ENGINE_SQLITE || url.conninfo)
		return "";
	return url.path;
}

void test_url__sqlite_prefix(void)
{
	cl_assert_equal_s(sqlite_path("sqlite:app.db", NULL), "app.db");
	cl_assert_equal_i(url.memory, 0);
	cl_assert_equal_s(url.display, "sqlite:app.db");
	cl_assert_equal_s(sqlite_path("sqlite:/var/lib/app/app.db", NULL),
		"/var/lib/app/app.db");
	cl_assert_equal_s(sqlite_path("sqlite:data/app", NULL), "data/app");
	cl_assert_equal_s(sqlite_path("SQLite:app.db", NULL), "app.db");
}

void test_url__sqlite_double_slash(void)
{
	cl_assert_equal_s(sqlite_path("sqlite://app.db", NULL), "app.db");
	cl_assert_equal_s(
		sqlite_path("sqlite://data/app.db", NULL), "data/app.db");
	cl_assert_equal_s(sqlite_path("sqlite:///var/lib/app.db", NULL),
		"/var/lib/app.db");
	cl_assert_equal_s(url.display, "sqlite:///var/lib/app.db");
}

void test_url__sqlite_memory(void)
{
	cl_assert_equal_s(sqlite_path("sqlite::memory:", NULL), ":memory:");
	cl_assert_equal_i(url.memory, 1);
	cl_assert_equal_s(url.display, "sqlite::memory:");
	/* A base directory does not turn it into a file. */
	cl_assert_equal_s(sqlite_path("sqlite::memory:", "/srv"), ":memory:");
	cl_assert_equal_i(url.memory, 1);
	cl_assert_equal_s(sqlite_path("sqlite://:memory:", NULL), ":memory:");
	cl_assert_equal_i(url.memory, 1);
}

void test_url__bare_paths(void)
{
	cl_assert_equal_s(sqlite_path("app.db", NULL), "app.db");
	cl_assert_equal_i(url.memory, 0);
	cl_assert_equal_s(url.display, "app.db");
	cl_assert_equal_s(
		sqlite_path("data/app.sqlite", NULL), "data/app.sqlite");
	cl_assert_equal_s(sqlite_path("/var/lib/app.sqlite3", NULL),
		"/var/lib/app.sqlite3");
	cl_assert_equal_s(sqlite_path("./APP.DB", NULL), "./APP.DB");
}

void test_url__base_dir(void)
{
	cl_assert_equal_s(sqlite_path("app.db", "/etc/app"), "/etc/app/app.db");
	cl_assert_equal_s(
		sqlite_path("app.db", "/etc/app/"), "/etc/app/app.db");
	cl_assert_equal_s(
		sqlite_path("sqlite:data/app.db", "conf"), "conf/data/app.db");
	cl_assert_equal_s(
		sqlite_path("sqlite://app.db", "/srv"), "/srv/app.db");
	/* Absolute paths, "." and "" leave the path alone. */
	cl_assert_equal_s(
		sqlite_path("/abs/app.db", "/etc/app"), "/abs/app.db");
	cl_assert_equal_s(
		sqlite_path("sqlite:///abs/app.db", "/etc/app"), "/abs/app.db");
	cl_assert_equal_s(sqlite_path("app.db", "."), "app.db");
	cl_assert_equal_s(sqlite_path("app.db", ""), "app.db");
	/* The display stays the URL as given. */
	cl_assert_equal_s(sqlite_path("app.db", "/etc/app"), "/etc/app/app.db");
	cl_assert_equal_s(url.display, "app.db");
}

void test_url__postgres_forms(void)
{
	static const char *const urls[] = {
		"postgres://app@db:5432/shop",
		"postgresql://app@db/shop?sslmode=require",
		"POSTGRES://db/shop",
		"host=db dbname=shop",
		"  host=/var/run/postgresql user=app",
	};
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(*urls); i++) {
		ferry__url_clear(&url);
		cl_ferry_pass(ferry__url_parse(&url, urls[i], "/etc/app", &err),
			&err);
		cl_assert_equal_i(url.engine, FERRY__ENGINE_PG);
		cl_assert_equal_s(url.conninfo, urls[i]);
		cl_assert_equal_s(url.display, urls[i]);
		cl_assert(url.path == NULL);
		cl_assert_equal_i(url.memory, 0);
	}
	/* libpq allows blanks around '='. */
	ferry__url_clear(&url);
	cl_ferry_pass(
		ferry__url_parse(&url, "dbname = shop", NULL, &err), &err);
	cl_assert_equal_i(url.engine, FERRY__ENGINE_PG);
	cl_assert_equal_s(url.conninfo, "dbname = shop");
}

void test_url__postgres_display_is_masked(void)
{
	cl_ferry_pass(ferry__url_parse(&url, "postgres://app:s3cret@db/shop",
			      NULL, &err),
		&err);
	cl_assert_equal_s(url.conninfo, "postgres://app:s3cret@db/shop");
	cl_assert_equal_s(url.display, "postgres://app:****@db/shop");
	ferry__url_clear(&url);
	cl_ferry_pass(ferry__url_parse(&url,
			      "host=db password=s3cret "
			      "dbname=shop",
			      NULL, &err),
		&err);
	cl_assert_equal_s(url.display, "host=db password=**** dbname=shop");
}

void test_url__empty(void)
{
	static const char hint[] = "pass -d URL, set DATABASE_URL, or write "
				   "'database = URL' in ferry.conf";

	cl_assert_equal_i(
		ferry__url_parse(&url, "", NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "no database given");
	cl_assert_equal_s(err.hint, hint);
	cl_assert(url.path == NULL && url.display == NULL);
	ferry_error_init(&err);
	cl_assert_equal_i(
		ferry__url_parse(&url, NULL, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "no database given");
	cl_assert_equal_s(err.hint, hint);
}

void test_url__sqlite_without_path(void)
{
	static const char hint[] = "write 'sqlite:app.db' or "
				   "'sqlite:///var/lib/app/app.db'";

	cl_assert_equal_i(
		ferry__url_parse(&url, "sqlite:", NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "database URL has no file path");
	cl_assert_equal_s(err.hint, hint);
	cl_assert(url.path == NULL && url.display == NULL);
	cl_assert_equal_i(ferry__url_parse(&url, "sqlite://", NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message, "database URL has no file path");
}

void test_url__unknown_schemes(void)
{
	static const char hint[] =
		"use 'sqlite:PATH', a path ending in "
		"'.db', 'postgres://user@host/dbname' or 'host=... dbname=...'";

	cl_assert_equal_i(
		ferry__url_parse(&url, "mysql://root:pw@db/app", NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"unsupported database URL scheme "
		"'mysql'");
	cl_assert_equal_s(err.hint, hint);
	cl_assert(url.display == NULL);
	cl_assert_equal_i(
		ferry__url_parse(&url, "postgress://db/app.db", NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"unsupported database URL scheme "
		"'postgress'");
	cl_assert_equal_i(ferry__url_parse(&url, "redis:app", NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"unsupported database URL scheme "
		"'redis'");
	cl_assert_equal_s(err.hint, hint);
}

void test_url__unrecognisable_path(void)
{
	static const char hint[] =
		"use 'sqlite:PATH', a path ending in "
		"'.db', 'postgres://user@host/dbname' or 'host=... dbname=...'";

	cl_assert_equal_i(ferry__url_parse(&url, "data/app.txt", NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"cannot tell which database "
		"'data/app.txt' is");
	cl_assert_equal_s(err.hint, hint);
	cl_assert(url.path == NULL && url.display == NULL);
	cl_assert_equal_i(
		ferry__url_parse(&url, "shop", NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "cannot tell which database 'shop' is");
}

/* Mask `u` and compare with `want`. */
static int masks_to(const char *u, const char *want, char *got, size_t size)
{
	char *m = ferry_url_mask(u);

	snprintf(got, size, "%s", m ? m : "(null)");
	ferry_free(m);
	return strcmp(got, want) == 0;
}

#define cl_assert_mask(u, want) \
	do { \
		char g_[512], m_[1200]; \
		if (!masks_to((u), (want), g_, sizeof(g_))) { \
			snprintf(m_, sizeof(m_), \
				"ferry_url_mask(\"%s\"):\n" \
				"  got      '%s'\n  expected '%s'", \
				(u), g_, (want)); \
			clar__fail(__FILE__, __LINE__, "strings differ", m_); \
			return; \
		} \
	} while (0)

void test_url__mask_uri_user_password(void)
{
	cl_assert_mask(
		"postgres://app:s3cret@db/shop", "postgres://app:****@db/shop");
	cl_assert_mask("postgresql://app:s3cret@db:5432/shop",
		"postgresql://app:****@db:5432/shop");
	cl_assert_mask(
		"postgres://:s3cret@db/shop", "postgres://:****@db/shop");
	cl_assert_mask(
		"postgres://app:@db/shop", "postgres://app:****@db/shop");
	cl_assert_mask("postgres://app:s3cret@/shop?host=/run/pg",
		"postgres://app:****@/shop?host=/run/pg");
}

void test_url__mask_uri_password_with_at_and_colon(void)
{
	cl_assert_mask(
		"postgres://app:p@ss@db/shop", "postgres://app:****@db/shop");
	cl_assert_mask(
		"postgres://app:a:b:c@db/shop", "postgres://app:****@db/shop");
	cl_assert_mask("postgres://app:a@b:c@db:5432/shop?sslmode=require",
		"postgres://app:****@db:5432/shop?sslmode=require");
	cl_assert_mask(
		"postgres://app:p%40ss@db/shop", "postgres://app:****@db/shop");
}

void test_url__mask_uri_password_with_question_mark(void)
{
	/* libpq reads the user info up to the '@', '?' and all. */
	cl_assert_mask(
		"postgres://app:pa?ss@db/shop", "postgres://app:****@db/shop");
}

void test_url__mask_uri_query_password(void)
{
	cl_assert_mask("postgres://db/shop?password=s3cret",
		"postgres://db/shop?password=****");
	cl_assert_mask("postgres://app@db/shop?sslmode=require&password=s3cret"
		       "&connect_timeout=5",
		"postgres://app@db/shop?sslmode=require&"
		"password=****&connect_timeout=5");
	/* The key stays as written; only its value is masked. */
	cl_assert_mask("postgres://db/shop?PassWord=s3cret",
		"postgres://db/shop?PassWord=****");
	/* Only the parameter called password. */
	cl_assert_mask("postgres://db/shop?passwordfile=x&"
		       "application_name=password",
		"postgres://db/shop?passwordfile=x&application_name=password");
}

void test_url__mask_uri_query_password_before_a_later_at(void)
{
	/*
	 * An '@' in the query, with no path, must not make the query look
	 * like user info (found by fuzz_url). libpq reads password=other
	 * from the first; it takes the second's query for a user name, but
	 * it was meant as a password all the same.
	 */
	cl_assert_mask("postgresql://app@db?password=other&"
		       "application_name=@erry",
		"postgresql://app@db?password=****&application_name=@erry");
	cl_assert_mask("postgres://db?password=s3cret&x=@y",
		"postgres://db?password=****&x=@y");
	/* A '?' in the user's password does not hide a later query. */
	cl_assert_mask("postgres://u:p?x@h?password=s3cret",
		"postgres://u:****@h?password=****");
	/* A value runs to the next '&', whatever '?' it holds. */
	cl_assert_mask("postgres://db?password=a?password=b&x=1",
		"postgres://db?password=****&x=1");
	/* Both readings' secrets touch: one mask for both. */
	cl_assert_mask("postgres://u:a@b?password=c@d", "postgres://u:****");
	cl_assert_mask("postgres://app:pw@db?password=",
		"postgres://app:****@db?password=****");
}

void test_url__mask_uri_without_password(void)
{
	static const char *const same[] = {
		"postgres://db/shop",
		"postgres://app@db/shop",
		"postgres://db:5432/shop",
		"postgresql://app@db:5432/shop?sslmode=require",
		"postgres://",
		"sqlite:///var/lib/app.db",
		"sqlite::memory:",
		"app.db",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(*same); i++)
		cl_assert_mask(same[i], same[i]);
	cl_assert(ferry_url_mask(NULL) == NULL);
}

void test_url__mask_keywords(void)
{
	cl_assert_mask("host=db password=s3cret dbname=shop",
		"host=db password=**** dbname=shop");
	cl_assert_mask("password=s3cret", "password=****");
	cl_assert_mask("host=db password = s3cret dbname=shop",
		"host=db password=**** dbname=shop");
	cl_assert_mask("host=db  password='a b c'  dbname=shop",
		"host=db  password=****  dbname=shop");
	cl_assert_mask("password='it\\'s a \\\\ secret' user=app",
		"password=**** user=app");
	cl_assert_mask("password='' dbname=shop", "password=**** dbname=shop");
	cl_assert_mask("dbname='my shop' password=x",
		"dbname='my shop' password=****");
}

void test_url__mask_keywords_backslash_in_bare_value(void)
{
	/* libpq reads "se cret": a backslash escapes the blank. */
	cl_assert_mask("host=db password=se\\ cret dbname=shop",
		"host=db password=**** dbname=shop");
}

void test_url__mask_keywords_after_a_closing_quote(void)
{
	/* libpq reads a new keyword right after a closing quote (found by
	 * fuzz_url): the password after it is masked, apart. */
	cl_assert_mask("host=/tmp dbname='x y'password=s3cret",
		"host=/tmp dbname='x y'password=****");
	cl_assert_mask("password='a b'sslmode=require",
		"password=**** sslmode=require");
}

void test_url__mask_keywords_without_password(void)
{
	cl_assert_mask(
		"host=db dbname=shop user=app", "host=db dbname=shop user=app");
	cl_assert_mask("host=db passfile=/home/app/.pgpass",
		"host=db passfile=/home/app/.pgpass");
	cl_assert_mask("dbname='password=x'", "dbname='password=x'");
}

/*
 * SQLite: one canonical file for every spelling (issue 12, item 1)
 */

/* The real path of the test's directory, plus "/name". */
static const char *in_tmp(const char *name)
{
	static char buf[PATH_MAX + 64];
	char real[PATH_MAX];

	if (!realpath(cl_tmpdir(), real))
		return "(no tmpdir)";
	snprintf(buf, sizeof(buf), "%s%s%s", real, *name ? "/" : "", name);
	return buf;
}

/* Parse `u` from `base`; 0 and the URL in `url`, or the error code. */
static int parse(const char *u, const char *base)
{
	ferry__url_clear(&url);
	ferry_error_init(&err);
	return ferry__url_parse(&url, u, base, &err);
}

void test_url__every_spelling_is_one_file(void)
{
	static const char *const spellings[] = {
		"app.db",
		"./app.db",
		"sqlite:app.db",
		"sqlite://app.db",
		"sqlite3:app.db",
		"sqlite:file:app.db",
		"sqlite://file:app.db",
		"file:app.db",
		"FILE:app.db",
		"file:./app.db",
		"file:%61pp.db",
		"sqlite:sub/../app.db",
		"file:sub/../app.db",
	};
	char want[PATH_MAX + 64], abs[PATH_MAX + 64], uri[2 * PATH_MAX + 200];
	const char *dir = cl_tmpdir();
	size_t i;

	cl_assert(cl_write(dir, "app.db", "") == 0);
	cl_assert(mkdir(cl_path(dir, "sub"), 0700) == 0);
	snprintf(want, sizeof(want), "%s", in_tmp("app.db"));
	for (i = 0; i < sizeof(spellings) / sizeof(*spellings); i++) {
		cl_ferry_pass(parse(spellings[i], dir), &err);
		cl_assert_equal_i(url.engine, FERRY__ENGINE_SQLITE);
		cl_assert_equal_i(url.memory, 0);
		cl_assert_equal_s(url.file, want);
		cl_assert_equal_s(url.display, spellings[i]);
		cl_assert(url.conninfo == NULL);
	}
	/* Absolute: file:///PATH, file://localhost/PATH, sqlite:///PATH. */
	snprintf(abs, sizeof(abs), "%s", in_tmp(""));
	snprintf(uri, sizeof(uri), "file://%s/app.db", abs);
	cl_ferry_pass(parse(uri, NULL), &err);
	cl_assert_equal_s(url.file, want);
	snprintf(uri, sizeof(uri), "file://localhost%s/app.db", abs);
	cl_ferry_pass(parse(uri, "/elsewhere"), &err);
	cl_assert_equal_s(url.file, want);
	snprintf(uri, sizeof(uri), "sqlite:file:%s/app.db", abs);
	cl_ferry_pass(parse(uri, NULL), &err);
	cl_assert_equal_s(url.file, want);
	cl_assert_equal_s(url.display, uri);
}

void test_url__file_uri_path_is_decoded(void)
{
	const char *dir = cl_tmpdir();
	char want[PATH_MAX + 64];

	cl_ferry_pass(parse("file:my%20app%3F.db", dir), &err);
	snprintf(want, sizeof(want), "%s/my app?.db", dir);
	cl_assert_equal_s(url.path, want);
	cl_assert_equal_s(url.file, in_tmp("my app?.db"));
	cl_assert_equal_s(url.display, "file:my%20app%3F.db");
	/* What SQLite copies as it stands, ferry does too. */
	cl_ferry_pass(parse("sqlite:file:100%.db", dir), &err);
	cl_assert_equal_s(url.file, in_tmp("100%.db"));
	/* A plain sqlite: path is no URI: nothing to decode. */
	cl_ferry_pass(parse("sqlite:my%20app.db", dir), &err);
	cl_assert_equal_s(url.file, in_tmp("my%20app.db"));
}

void test_url__path_keeps_the_relative_spelling(void)
{
	char cwd[PATH_MAX], want[PATH_MAX + 64];

	cl_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	cl_ferry_pass(parse("file:data/app.db", NULL), &err);
	cl_assert_equal_s(url.path, "data/app.db");
	cl_ferry_pass(parse("sqlite:file:data/app.db", "conf"), &err);
	cl_assert_equal_s(url.path, "conf/data/app.db");
	/* A directory that does not exist: absolute from here, no realpath. */
	snprintf(want, sizeof(want), "%s/no-such-dir-ferry/app.db", cwd);
	cl_ferry_pass(parse("file:no-such-dir-ferry/app.db", NULL), &err);
	cl_assert_equal_s(url.file, want);
	cl_ferry_pass(
		parse("sqlite:/no-such-dir-ferry/a/app.db", "/srv"), &err);
	cl_assert_equal_s(url.file, "/no-such-dir-ferry/a/app.db");
}

void test_url__a_name_that_starts_with_file_is_no_uri(void)
{
	char cwd[PATH_MAX], want[PATH_MAX + 64];

	cl_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	/* The path SQLite would be given never reads as a URI to it. */
	cl_ferry_pass(parse("file:file:x.db", NULL), &err);
	cl_assert_equal_s(url.path, "./file:x.db");
	snprintf(want, sizeof(want), "%s/file:x.db", cwd);
	cl_assert_equal_s(url.file, want);
	cl_ferry_pass(parse("sqlite:app.db", "file:conf"), &err);
	cl_assert_equal_s(url.path, "./file:conf/app.db");
	cl_ferry_pass(parse("./file:x.db", NULL), &err);
	cl_assert_equal_s(url.path, "./file:x.db");
	cl_assert_equal_s(url.file, want);
	cl_ferry_pass(parse("sqlite:///file:x.db", NULL), &err);
	cl_assert_equal_s(url.file, "/file:x.db");
}

void test_url__file_is_the_target_of_a_link(void)
{
	const char *dir = cl_tmpdir();

	cl_assert(cl_write(dir, "real.db", "") == 0);
	cl_assert(mkdir(cl_path(dir, "sub"), 0700) == 0);
	snprintf(links[0], sizeof(links[0]), "%s", cl_path(dir, "link.db"));
	cl_assert(symlink("real.db", links[0]) == 0);
	snprintf(links[1], sizeof(links[1]), "%s", cl_path(dir, "ldir"));
	cl_assert(symlink("sub", links[1]) == 0);
	snprintf(links[2], sizeof(links[2]), "%s", cl_path(dir, "dangling.db"));
	cl_assert(symlink("sub/later.db", links[2]) == 0);

	cl_ferry_pass(parse("sqlite:link.db", dir), &err);
	cl_assert_equal_s(url.file, in_tmp("real.db"));
	cl_assert_equal_s(url.path, cl_path(dir, "link.db"));
	/* A linked directory, the file not made yet. */
	cl_ferry_pass(parse("file:ldir/new.db", dir), &err);
	cl_assert_equal_s(url.file, in_tmp("sub/new.db"));
	/* A link to a file not made yet: the file SQLite would create. */
	cl_ferry_pass(parse("dangling.db", dir), &err);
	cl_assert_equal_s(url.file, in_tmp("sub/later.db"));
}

void test_url__file_memory(void)
{
	static const char *const memory[] = { "sqlite::memory:",
		"sqlite://:memory:", "file::memory:", "sqlite:file::memory:",
		"file:%3Amemory%3A" };
	size_t i;

	for (i = 0; i < sizeof(memory) / sizeof(*memory); i++) {
		cl_ferry_pass(parse(memory[i], "/srv"), &err);
		cl_assert_equal_i(url.engine, FERRY__ENGINE_SQLITE);
		cl_assert_equal_i(url.memory, 1);
		cl_assert_equal_s(url.path, ":memory:");
		cl_assert(url.file == NULL);
		cl_assert_equal_s(ferry_url_engine(memory[i]), "sqlite");
	}
	/* A file named so is a file. */
	cl_ferry_pass(parse("sqlite:./:memory:", NULL), &err);
	cl_assert_equal_i(url.memory, 0);
	cl_assert(url.file != NULL && url.file[0] == '/');
}

/* Parse `u`; it must fail with FERRY_EINVALID, `message` and `hint`. */
#define cl_assert_refused(u, want_message, want_hint) \
	do { \
		cl_assert_equal_i(parse((u), NULL), FERRY_EINVALID); \
		cl_assert_equal_s(err.message, (want_message)); \
		cl_assert_equal_s(err.hint, (want_hint)); \
		cl_assert(!url.path && !url.file && !url.display && \
			!url.conninfo && !url.engine); \
		cl_assert(ferry_url_engine(u) == NULL); \
	} while (0)

void test_url__file_uri_refusals(void)
{
	cl_assert_refused("file:app.db?mode=ro",
		"database URL 'file:app.db?mode=ro' has parameters, which "
		"ferry does not support",
		"name the file alone, as in 'sqlite:app.db'; a '?' in a file "
		"name is written %3F");
	cl_assert_refused("sqlite:file:app.db?cache=shared&vfs=unix",
		"database URL 'sqlite:file:app.db?cache=shared&vfs=unix' has "
		"parameters, which ferry does not support",
		"name the file alone, as in 'sqlite:app.db'; a '?' in a file "
		"name is written %3F");
	cl_assert_refused("file::memory:?cache=shared",
		"database URL 'file::memory:?cache=shared' has parameters, "
		"which ferry does not support",
		"name the file alone, as in 'sqlite:app.db'; a '?' in a file "
		"name is written %3F");
	cl_assert_refused("file://example.com/app.db",
		"database URL 'file://example.com/app.db' names a file on "
		"another host",
		"a file: URI names a local file, as in "
		"'file:///var/lib/app.db' or 'file:app.db'");
	cl_assert_refused("file://app.db",
		"database URL 'file://app.db' names a file on another host",
		"a file: URI names a local file, as in "
		"'file:///var/lib/app.db' or 'file:app.db'");
	cl_assert_refused("file:app#1.db",
		"database URL 'file:app#1.db' has a fragment, which ferry "
		"does not support",
		"name the file alone, as in 'sqlite:app.db'; a '#' in a file "
		"name is written %23");
	cl_assert_refused("file:app%00.db",
		"database URL 'file:app%00.db' holds '%00'",
		"a file name cannot hold a NUL byte");
	cl_assert_refused("file:", "database URL has no file path",
		"write 'sqlite:app.db' or 'sqlite:///var/lib/app/app.db'");
	cl_assert_refused("sqlite:file://localhost",
		"database URL has no file path",
		"write 'sqlite:app.db' or 'sqlite:///var/lib/app/app.db'");
}

/*
 * Typos: an error, never a new file (issue 12, item 8)
 */

void test_url__scheme_typos(void)
{
	cl_assert_refused("sqllite:app.db",
		"unsupported database URL scheme 'sqllite'",
		"did you mean 'sqlite:'? a file whose name has a colon is "
		"written './sqllite:app.db'");
	cl_assert_refused("sqlit:data/app",
		"unsupported database URL "
		"scheme 'sqlit'",
		"did you mean 'sqlite:'?");
	cl_assert_refused("SQLitte:app.db",
		"unsupported database URL scheme 'SQLitte'",
		"did you mean 'sqlite:'? a file whose name has a colon is "
		"written './SQLitte:app.db'");
	cl_assert_refused("sqlite4:app.db",
		"unsupported database URL scheme 'sqlite4'",
		"did you mean 'sqlite:'? a file whose name has a colon is "
		"written './sqlite4:app.db'");
	cl_assert_refused("fiel:app.db",
		"unsupported database URL scheme "
		"'fiel'",
		"did you mean 'file:'? a file whose name has a colon is "
		"written './fiel:app.db'");
	cl_assert_refused("postgress://app:s3cret@db/shop",
		"unsupported database URL scheme 'postgress'",
		"did you mean 'postgres://'?");
	cl_assert_refused("postgresl://db/shop",
		"unsupported database URL scheme 'postgresl'",
		"did you mean 'postgres://'?");
	cl_assert_refused("postgrsql://db/shop",
		"unsupported database URL scheme 'postgrsql'",
		"did you mean 'postgresql://'?");
}

void test_url__postgres_without_its_slashes(void)
{
	cl_assert_refused("postgresql:/app:s3cret@host",
		"invalid PostgreSQL URL 'postgresql:/app:****@host'",
		"did you mean 'postgresql://'?");
	cl_assert_refused("postgres:app@host",
		"invalid PostgreSQL URL 'postgres:app@host'",
		"did you mean 'postgres://'?");
	cl_assert_refused("Postgres:app:s3cret@host/shop",
		"invalid PostgreSQL URL 'Postgres:app:****@host/shop'",
		"did you mean 'postgres://'?");
}

void test_url__a_colon_in_a_file_name(void)
{
	cl_assert_refused("my:app.db", "unsupported database URL scheme 'my'",
		"a file whose name has a colon is written './my:app.db' or "
		"'sqlite:my:app.db'");
	cl_assert_refused("C:/data/app.db",
		"unsupported database URL scheme 'C'",
		"a file whose name has a colon is written './C:/data/app.db' "
		"or 'sqlite:C:/data/app.db'");
	/* Written the ways the hint says, it is a file. */
	cl_ferry_pass(parse("./my:app.db", NULL), &err);
	cl_assert_equal_s(url.path, "./my:app.db");
	cl_ferry_pass(parse("sqlite:my:app.db", NULL), &err);
	cl_assert_equal_s(url.path, "my:app.db");
	cl_ferry_pass(parse("data/my:app.db", NULL), &err);
	cl_assert_equal_s(url.path, "data/my:app.db");
}

void test_url__keywords_ending_in_db_are_postgres(void)
{
	cl_ferry_pass(parse("host=db dbname=app.db", NULL), &err);
	cl_assert_equal_i(url.engine, FERRY__ENGINE_PG);
	cl_assert_equal_s(url.conninfo, "host=db dbname=app.db");
	cl_assert(url.path == NULL && url.file == NULL);
	cl_assert_equal_s(
		ferry_url_engine("host=db dbname=app.db"), "postgres");
	/* A file with a '=' in its name: ./ or sqlite: says so. */
	cl_ferry_pass(parse("sqlite:v=2.db", NULL), &err);
	cl_assert_equal_i(url.engine, FERRY__ENGINE_SQLITE);
	cl_ferry_pass(parse("./v=2.db", NULL), &err);
	cl_assert_equal_i(url.engine, FERRY__ENGINE_SQLITE);
}

void test_url__engine_of_new_forms(void)
{
	cl_assert_equal_s(ferry_url_engine("file:app.db"), "sqlite");
	cl_assert_equal_s(ferry_url_engine("sqlite:file:app.db"), "sqlite");
	cl_assert_equal_s(ferry_url_engine("file:///var/lib/app"), "sqlite");
	cl_assert_equal_s(ferry_url_engine("./my:app.db"), "sqlite");
	cl_assert(ferry_url_engine("sqlite:") == NULL);
	cl_assert(ferry_url_engine("file:app.db?mode=ro") == NULL);
	cl_assert(ferry_url_engine("sqllite:app.db") == NULL);
	cl_assert(ferry_url_engine("postgres:app@host") == NULL);
}

/*
 * Passwords in malformed PostgreSQL URLs (issue 12, item 16)
 */

void test_url__mask_malformed_postgres_urls(void)
{
	cl_assert_mask(
		"postgres://app:s3cret@[::1/db", "postgres://app:****@[::1/db");
	cl_assert_mask(
		"postgres://app:s3cret@[]/db", "postgres://app:****@[]/db");
	cl_assert_mask("postgres://app:SECRET%ZZPW@localhost/db",
		"postgres://app:****@localhost/db");
	cl_assert_mask("postgres://app:SEC@RETPW@localhost/db",
		"postgres://app:****@localhost/db");
	cl_assert_mask("host=localhost password s3cret",
		"host=localhost password ****");
	cl_assert_mask("password s3cret host=localhost",
		"password **** host=localhost");
	cl_assert_mask(
		"postgresql:/app:s3cret@host", "postgresql:/app:****@host");
	cl_assert_mask("postgres:app:s3cret@host", "postgres:app:****@host");
	cl_assert_mask("postgress://app:s3cret@host/db",
		"postgress://app:****@host/db");
	cl_assert_mask("app:s3cret@host/db", "app:****@host/db");
}

void test_url__mask_a_raw_slash_in_the_password(void)
{
	/* libpq reads host "app", port "Ab3", dbname "x+Yz=@db/shop". */
	cl_assert_mask("postgres://app:Ab3/x+Yz=@db/shop",
		"postgres://app:****@db/shop");
	cl_assert_mask("postgres://app:SEC/RETPW@localhost/db",
		"postgres://app:****@localhost/db");
	/* The price: an '@' after a port, with no user, hides the rest. */
	cl_assert_mask("postgres://db:5432/shop?application_name=me@x",
		"postgres://db:****@x");
	/* No ':' before the '/', or no '@' after it: nothing to hide. */
	cl_assert_mask("postgres://db/shop?application_name=me@x",
		"postgres://db/shop?application_name=me@x");
	cl_assert_mask("postgres://db:5432/shop", "postgres://db:5432/shop");
}

void test_url__mask_a_raw_amp_or_blank_in_the_password(void)
{
	/* libpq quotes "RET" as a parameter without '='. */
	cl_assert_mask("postgres://app@h/db?password=SEC&RET",
		"postgres://app@h/db?password=****");
	cl_assert_mask("postgres://h/db?password=SEC&RET&sslmode=require",
		"postgres://h/db?password=****&sslmode=require");
	cl_assert_mask("postgres://h/db?password=a&",
		"postgres://h/db?password=****&");
	/* libpq quotes "RET" as a keyword without '='. */
	cl_assert_mask("host=localhost password=SEC RET dbname=shop",
		"host=localhost password=**** dbname=shop");
	cl_assert_mask("host=localhost password='a b'c d=e",
		"host=localhost password=**** d=e");
}

void test_url__mask_a_uri_given_as_a_keyword_value(void)
{
	/* libpq hands the server the value whole: a database named so. */
	cl_assert_mask("host=db dbname=postgres://u:s3cret@h/db user=app",
		"host=db dbname=postgres://u:****@h/db user=app");
	cl_assert_mask("dbname='postgres://u:s3cret@h/db' user=app",
		"dbname='postgres://u:****@h/db' user=app");
	/* The URI ends with its value: the next keyword is no password. */
	cl_assert_mask("dbname=x://u: user=a@b", "dbname=x://u: user=a@b");
}

void test_url__display_of_malformed_postgres_urls(void)
{
	static const char *const shapes[][2] = {
		{ "postgres://app:s3cret@[::1/db",
			"postgres://app:****@[::1/db" },
		{ "postgres://app:SE%ZZCRET@localhost/db",
			"postgres://app:****@localhost/db" },
		{ "postgres://app:SEC@RETPW@localhost/db",
			"postgres://app:****@localhost/db" },
		{ "host=localhost password s3cret",
			"host=localhost password ****" },
	};
	size_t i;

	for (i = 0; i < sizeof(shapes) / sizeof(*shapes); i++) {
		cl_ferry_pass(parse(shapes[i][0], NULL), &err);
		cl_assert_equal_i(url.engine, FERRY__ENGINE_PG);
		cl_assert_equal_s(url.display, shapes[i][1]);
	}
	cl_assert_equal_i(
		parse("password s3cret host=localhost", NULL), FERRY_EINVALID);
	cl_assert_equal_s(err.message,
		"cannot tell which database 'password **** host=localhost' is");
}

/* Scrub `text` of `u` in a buffer of `size` and compare with `want`. */
static int scrubs_to(const char *u, const char *text, size_t size,
	const char *want, char *got, size_t got_size)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", text);
	ferry__url_scrub(u, buf, size ? size : sizeof(buf));
	snprintf(got, got_size, "%s", buf);
	return strcmp(buf, want) == 0;
}

#define cl_assert_scrub_n(u, text, size, want) \
	do { \
		char g_[1024], m_[3000]; \
		if (!scrubs_to((u), (text), (size), (want), g_, sizeof(g_))) { \
			snprintf(m_, sizeof(m_), \
				"ferry__url_scrub(\"%s\", \"%s\"):\n" \
				"  got      '%s'\n  expected '%s'", \
				(u), (text), g_, (want)); \
			clar__fail(__FILE__, __LINE__, "strings differ", m_); \
			return; \
		} \
	} while (0)

#define cl_assert_scrub(u, text, want) cl_assert_scrub_n(u, text, 0, want)

/* libpq 15's own words for these URLs (PQconnectdbParams, expand_dbname). */
void test_url__scrub_libpq_messages(void)
{
	cl_assert_scrub("postgres://app:PWSECRET@[::1/db",
		"end of string reached when looking for matching \"]\" in "
		"IPv6 host address in URI: \"postgres://app:PWSECRET@[::1/db\"",
		"end of string reached when looking for matching \"]\" in "
		"IPv6 host address in URI: \"postgres://app:****@[::1/db\"");
	cl_assert_scrub("postgres://app:PWSECRET@[]/db",
		"IPv6 host address may not be empty in URI: "
		"\"postgres://app:PWSECRET@[]/db\"",
		"IPv6 host address may not be empty in URI: "
		"\"postgres://app:****@[]/db\"");
	cl_assert_scrub("postgres://app:SECRET%ZZPW@localhost/db",
		"invalid percent-encoded token: \"SECRET%ZZPW\"",
		"invalid percent-encoded token: \"****\"");
	/* The '-' of the password is no reason to mask "percent-encoded". */
	cl_assert_scrub("postgres://app:s3cret%ZZ-pw@localhost/db",
		"invalid percent-encoded token: \"s3cret%ZZ-pw\"",
		"invalid percent-encoded token: \"****\"");
	cl_assert_scrub("postgres://app:SE%00CRET@localhost/db",
		"forbidden value %00 in percent-encoded value: \"SE%00CRET\"",
		"forbidden value %00 in percent-encoded value: \"****\"");
	cl_assert_scrub("postgres://app:SEC@RETPW@localhost/db",
		"could not translate host name \"RETPW@localhost\" to "
		"address: Name or service not known",
		"could not translate host name \"****@localhost\" to "
		"address: Name or service not known");
	/* libpq decoded the host it quotes: RET%41PW is RETAPW. */
	cl_assert_scrub("postgres://app:SEC@RET%41PW@localhost/db",
		"could not translate host name \"RETAPW@localhost\" to "
		"address: Name or service not known",
		"could not translate host name \"****@localhost\" to "
		"address: Name or service not known");
	cl_assert_scrub("postgres://app:SEC/RETPW@localhost/db",
		"invalid integer value \"SEC\" for connection option \"port\"",
		"invalid integer value \"****\" for connection option "
		"\"port\"");
	cl_assert_scrub("postgres://app:PW@[::1]x/db",
		"unexpected character \"x\" at position 24 in URI (expected "
		"\":\" or \"/\"): \"postgres://app:PW@[::1]x/db\"",
		"unexpected character \"x\" at position 24 in URI (expected "
		"\":\" or \"/\"): \"postgres://app:****@[::1]x/db\"");
	cl_assert_scrub("postgres://app:pw@h/db?password=SEC&RET",
		"missing key/value separator \"=\" in URI query parameter: "
		"\"RET\"",
		"missing key/value separator \"=\" in URI query parameter: "
		"\"****\"");
	cl_assert_scrub("host=localhost password=SEC RET",
		"missing \"=\" after \"RET\" in connection info string",
		"missing \"=\" after \"****\" in connection info string");
	cl_assert_scrub("host=localhost password PWSECRET",
		"missing \"=\" after \"password\" in connection info string",
		"missing \"=\" after \"password\" in connection info string");
}

void test_url__scrub_leaves_the_rest_alone(void)
{
	static const char *const same[][2] = {
		/* a word that only starts like the password */
		{ "postgres://app:failed99@db/shop",
			"password authentication failed for user \"app\"" },
		/* a user, host or database that looks like part of it */
		{ "postgres://admin:admin123@db/shop",
			"role \"admin\" does not exist" },
		{ "postgres://shop:shopping@db/shop",
			"database \"shop\" does not exist" },
		{ "postgres://app:localhost1@localhost/shop",
			"could not translate host name \"localhost\"" },
		/* a short password inside a word */
		{ "postgres://app:pw@db/shop", "upwards and onwards" },
		/* a sign or two of it, in words of their own */
		{ "postgres://app:a-b.c@db/shop", "a word-by-word list. -v" },
		{ "postgres://app:x-p@db/shop", "the option -p is unknown" },
		/* no password at all */
		{ "postgres://app@db/shop", "role \"app\" does not exist" },
		{ "host=db dbname=shop", "database \"shop\" does not exist" },
	};
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(*same); i++)
		cl_assert_scrub(same[i][0], same[i][1], same[i][1]);
}

void test_url__scrub_the_whole_url_and_short_passwords(void)
{
	cl_assert_scrub("postgres://app:s3cret@db/shop?password=x",
		"postgres://app:s3cret@db/shop?password=x",
		"postgres://app:****@db/shop?password=****");
	/* Short: still "****", as the text has room. */
	cl_assert_scrub(
		"postgres://app:pw@db/shop", "role \"pw\"", "role \"****\"");
	cl_assert_scrub("postgres://app:pw@db/shop", "at 'app:pw@db'",
		"at 'app:****@db'");
	/* A quote cut short by the end of the text is no word's end. */
	cl_assert_scrub("postgres://app:s3cret@db/shop",
		"in URI: \"postgres://app:s3c",
		"in URI: \"postgres://app:****");
	/* What no longer fits is cut from the end. */
	cl_assert_scrub_n(
		"postgres://app:pw@db/shop", "\"pw\" end", 9, "\"****\" e");
	cl_assert_scrub_n("postgres://app:pw@db/shop", "\"pw\"", 5, "\"***");
}

void test_url__scrub_null_and_empty(void)
{
	char text[16] = "as it is";

	ferry__url_scrub(NULL, text, sizeof(text));
	cl_assert_equal_s(text, "as it is");
	ferry__url_scrub("postgres://a:b@c/d", text, 0);
	cl_assert_equal_s(text, "as it is");
	ferry__url_scrub("", text, sizeof(text));
	cl_assert_equal_s(text, "as it is");
	ferry__url_scrub("postgres://a:b@c/d", NULL, 16);
}

/*
 * Out of memory: each allocation in turn fails; the result is
 * FERRY_ENOMEM and an empty URL, or an emptied text; nothing leaks (ASan).
 */
void test_url__out_of_memory(void)
{
	long n, count;
	char text[128];
	int rc;

	ferry__alloc_fail_from(0);
	cl_ferry_pass(parse("sqlite:file:data/app.db", cl_tmpdir()), &err);
	ferry__url_clear(&url);
	count = ferry__alloc_count();
	cl_assert(count > 2);
	for (n = 1; n <= count; n++) {
		ferry__alloc_fail_from(n);
		rc = parse("sqlite:file:data/app.db", cl_tmpdir());
		ferry__alloc_fail_from(0);
		cl_assert_equal_i(rc, FERRY_ENOMEM);
		cl_assert(!url.path && !url.file && !url.display);
	}
	ferry__alloc_fail_from(0);
	snprintf(text, sizeof(text), "token: \"SECRET%%ZZPW\"");
	ferry__url_scrub("postgres://app:SECRET%ZZPW@h/db", text, sizeof(text));
	count = ferry__alloc_count();
	for (n = 1; n <= count; n++) {
		snprintf(text, sizeof(text), "token: \"SECRET%%ZZPW\"");
		ferry__alloc_fail_from(n);
		ferry__url_scrub(
			"postgres://app:SECRET%ZZPW@h/db", text, sizeof(text));
		ferry__alloc_fail_from(0);
		cl_assert_equal_s(text, "");
	}
}
