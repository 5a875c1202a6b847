/* SPDX-License-Identifier: MIT */
/*
 * set_write.c - a set written out as ferry's own files (ferry_set_write):
 * same versions, sections, flags, repeatables and releases, read back
 * alike; a directory that holds something is refused and nothing is left
 * of a failed write.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static ferry_set *set, *back;
static ferry_error err;
static char src[512], dest[512];

/* "<tmpdir>/<rel>", in a buffer of its own. */
static const char *tmp_path(const char *rel)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", cl_tmpdir(), rel);
	return buf;
}

void test_set_write__initialize(void)
{
	ferry_error_init(&err);
	set = back = NULL;
	snprintf(src, sizeof(src), "%s/src", cl_tmpdir());
	snprintf(dest, sizeof(dest), "%s/dest", cl_tmpdir());
	if (mkdir(src, 0755) < 0 || mkdir(dest, 0755) < 0)
		cl_fail("mkdir");
	if (cl_write(src, "0007_users.sql",
		    "-- users\n-- ferry:up\nCREATE TABLE users (id int);\n"
		    "-- ferry:finish\nALTER TABLE users ADD x int;\n"
		    "-- ferry:down\nDROP TABLE users;") < 0 ||
		cl_write(src, "0012_idx.sql",
			"-- ferry:up no-transaction confirm\n"
			"CREATE INDEX CONCURRENTLY i ON users (id);\n") < 0 ||
		cl_write(src, "releases",
			"1.0 7 baseline\n1.1 12 checkpoint\n") < 0 ||
		mkdir(tmp_path("src/repeatable"), 0755) < 0 ||
		cl_write(src, "repeatable/views.sql",
			"CREATE VIEW v AS SELECT 1;\n") < 0)
		cl_fail("cannot write the set");
	cl_ferry_pass(ferry_set_open(&set, src, &err), &err);
}

void test_set_write__cleanup(void)
{
	ferry_set_free(set);
	ferry_set_free(back);
}

static char *sql_of(
	const ferry_set *s, const ferry_migration *m, const char *section)
{
	char *out = NULL;
	int line;

	if (ferry_migration_sql(&out, &line, s, m, section, &err) < 0)
		clar__fail(__FILE__, __LINE__, "failed", err.message);
	return out ? out : ferry__strdup("");
}

void test_set_write__reads_back_the_same(void)
{
	size_t i;
	static const char *const sections[] = { "up", "finish", "down" };

	cl_ferry_pass(ferry_set_write(set, dest, &err), &err);
	cl_ferry_pass(ferry_set_open(&back, dest, &err), &err);
	cl_assert_equal_i(2, (int)ferry_set_count(back));
	for (i = 0; i < 2; i++) {
		const ferry_migration *a = ferry_set_at(set, i);
		const ferry_migration *b = ferry_set_at(back, i);
		size_t k;

		cl_assert(a->version == b->version);
		cl_assert_equal_s(a->name, b->name);
		cl_assert_equal_s(a->release, b->release);
		cl_assert_equal_i(a->up_no_transaction, b->up_no_transaction);
		cl_assert_equal_i(a->up_confirm, b->up_confirm);
		for (k = 0; k < 3; k++) {
			char *x, *y;

			if ((k == 1 && !a->has_finish) ||
				(k == 2 && !a->has_down))
				continue;
			x = sql_of(set, a, sections[k]);
			y = sql_of(back, b, sections[k]);
			/* A final newline is added to a section without. */
			cl_assert(strncmp(x, y, strlen(x)) == 0);
			free(x);
			free(y);
		}
	}
	cl_assert_equal_s(
		"7_users.sql", strrchr(ferry_set_at(back, 0)->path, '/') + 1);
	cl_assert_equal_i(1, (int)ferry_set_repeatable_count(back));
	cl_assert_equal_i(2, (int)ferry_set_release_count(back));
	cl_assert_equal_i(1, ferry_set_release_at(back, 0)->baseline);
	cl_assert_equal_i(1, ferry_set_release_at(back, 1)->checkpoint);
}

void test_set_write__refuses_a_directory_that_holds_something(void)
{
	cl_assert_equal_i(0, cl_write(dest, "keep.txt", "mine\n"));
	cl_assert_equal_i(FERRY_EINVALID, ferry_set_write(set, dest, &err));
	cl_assert(strstr(err.message, "already exists and is not empty"));
	cl_assert_equal_i(0, access(tmp_path("dest/keep.txt"), F_OK));
	cl_assert_equal_i(-1, access(tmp_path("dest/7_users.sql"), F_OK));
}

void test_set_write__a_new_directory_once(void)
{
	cl_assert_equal_i(0, rmdir(dest));
	cl_ferry_pass(ferry_set_write(set, dest, &err), &err);
	cl_assert_equal_i(0, access(tmp_path("dest/12_idx.sql"), F_OK));
	cl_assert_equal_i(FERRY_EINVALID, ferry_set_write(set, dest, &err));
	cl_assert(strstr(err.message, "already exists and is not empty"));
}
