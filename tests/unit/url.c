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
	cl_ferry_pass(ferry__url_parse(&url, "sqlite:app.db", NULL, &err), &err);
	cl_assert_equal_i(url.engine, FERRY__ENGINE_SQLITE);
	cl_assert_equal_s(url.path, "app.db");
	ferry__url_clear(&url);
	cl_ferry_pass(ferry__url_parse(&url, "sqlite:///var/lib/app.db", NULL,
		&err), &err);
	cl_assert_equal_s(url.path, "/var/lib/app.db");
	ferry__url_clear(&url);
	cl_ferry_pass(ferry__url_parse(&url, "data/app.sqlite3", "/etc/app",
		&err), &err);
	cl_assert_equal_s(url.path, "/etc/app/data/app.sqlite3");
	ferry__url_clear(&url);
	cl_ferry_pass(ferry__url_parse(&url, "sqlite::memory:", NULL, &err),
		&err);
	cl_assert_equal_i(url.memory, 1);
}

void test_url__masks_passwords(void)
{
	char *m = ferry_url_mask("postgres://app:s3cret@db:5432/app?sslmode=require&password=x");

	cl_assert_equal_s(m, "postgres://app:****@db:5432/app?sslmode=require&password=****");
	free(m);
	m = ferry_url_mask("host=db password='a b\\'c' dbname=app");
	cl_assert_equal_s(m, "host=db password=**** dbname=app");
	free(m);
}

void test_url__unknown_scheme(void)
{
	cl_assert_equal_i(ferry__url_parse(&url, "mysql://root@db/app", NULL,
		&err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unsupported database URL scheme 'mysql'");
}
