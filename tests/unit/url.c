/* SPDX-License-Identifier: MIT */
/*
 * url.c - database URLs: engine detection, SQLite paths, password masking.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>

static ferry__url url;
static ferry_error err;

void test_url__initialize(void)
{
	ferry_error_init(&err);
}

void test_url__cleanup(void)
{
	ferry__url_clear(&url);
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
