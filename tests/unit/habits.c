/* SPDX-License-Identifier: MIT */
/*
 * habits.c - what the CLI's habits rest on in the library: the `ferry new`
 * template told from a written section, every section split without a
 * database (ferry_set_check_split), ferry_up_options of version 4 still
 * read, and the versions ferry_version's neighbours report.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static ferry_set *set;
static ferry_error err;
static char dir[512];

#define PUT(name, content) \
	cl_assert_equal_i(cl_write(dir, (name), (content)), 0)

void test_habits__initialize(void)
{
	ferry_error_init(&err);
	set = NULL;
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	if (mkdir(dir, 0755) < 0)
		cl_fail("mkdir");
}

void test_habits__cleanup(void)
{
	ferry_set_free(set);
	set = NULL;
}

static int is_template(const char *body, int *line)
{
	return ferry__section_is_template(body, strlen(body), line);
}

void test_habits__template_alone_is_the_template(void)
{
	int line = -1;

	cl_assert(is_template(FERRY__TEMPLATE_PLACEHOLDER "\n\n", &line));
	cl_assert_equal_i(line, 0);
	cl_assert(
		is_template("\n  " FERRY__TEMPLATE_PLACEHOLDER " \r\n", &line));
	cl_assert_equal_i(line, 1);
}

void test_habits__written_or_emptied_is_not(void)
{
	int line = -1;

	cl_assert(!is_template("", &line));
	cl_assert(!is_template("\n\n", &line));
	cl_assert(!is_template("-- nothing to do\n", &line));
	cl_assert(!is_template(FERRY__TEMPLATE_PLACEHOLDER
		"\nCREATE TABLE t (id int);\n",
		&line));
	cl_assert(!is_template("-- TODO: write the up SQL here\n", &line));
}

void test_habits__new_writes_the_placeholder(void)
{
	char *path = NULL, *text = NULL;
	size_t len;

	cl_ferry_pass(ferry_migration_new(&path, dir, "a", 1, &err), &err);
	cl_ferry_pass(ferry__read_file(path, &text, &len, &err), &err);
	cl_assert(strstr(text,
			  "-- ferry:up\n" FERRY__TEMPLATE_PLACEHOLDER
			  "\n") != NULL);
	free(text);
	ferry_free(path);
}

void test_habits__split_check_passes_a_clean_set(void)
{
	PUT("1_a.sql",
		"-- ferry:up\nCREATE TABLE a (s text DEFAULT 'x;y');\n"
		"-- ferry:down\nDROP TABLE a;\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_ferry_pass(ferry_set_check_split(set, NULL, &err), &err);
	cl_ferry_pass(ferry_set_check_split(set, "sqlite", &err), &err);
	cl_ferry_pass(ferry_set_check_split(set, "postgres", &err), &err);
}

void test_habits__split_check_names_file_line_column(void)
{
	PUT("1_a.sql", "-- ferry:up\nSELECT 1;\nINSERT INTO t VALUES ('x);\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(
		ferry_set_check_split(set, NULL, &err), FERRY_EINVALID);
	cl_assert(strstr(err.message, "unterminated quoted string") != NULL);
	cl_assert(strstr(err.file, "1_a.sql") != NULL);
	cl_assert_equal_i(err.line, 3);
	cl_assert_equal_i(err.column, 23);
}

void test_habits__dollar_quotes_are_postgres_only(void)
{
	PUT("1_a.sql", "-- ferry:up\nSELECT $$ x;\n");
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_ferry_pass(ferry_set_check_split(set, "sqlite", &err), &err);
	cl_assert_equal_i(
		ferry_set_check_split(set, "postgres", &err), FERRY_EINVALID);
	cl_assert(strstr(err.message, "dollar") != NULL);
	ferry_error_init(&err);
	cl_assert_equal_i(
		ferry_set_check_split(set, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_i(
		ferry_set_check_split(set, "oracle", &err), FERRY_EINVALID);
}

void test_habits__versions_are_named(void)
{
	cl_assert(strncmp(ferry_sqlite_version(), "3.", 2) == 0);
	cl_assert(ferry_build()[0] != '\0');
	cl_assert(ferry_libpq_version() >= 0);
}
