/* SPDX-License-Identifier: MIT */
/*
 * set_cache.c - ferry_set_open_cached: unchanged files come from the cache
 * without being read, changed ones are read again, files too new to trust
 * are not recorded, and a broken or unwritable cache changes nothing.
 *
 * The clock is moved (ferry__wall_shift) instead of waiting for files to
 * settle. A hit is proven by a checksum planted in the cache: only a set
 * that took it from there, without reading the file, carries it.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static ferry_set *set;
static ferry_error err;
static char dir[512], cache_dir[512];
static char *cache_file;

#define PUT(name, content) \
	cl_assert_equal_i(cl_write(dir, (name), (content)), 0)

/* An hour on: every file written by the test counts as settled. */
#define LATER (3600 * 1000000000LL)

void test_set_cache__initialize(void)
{
	struct stat st;

	ferry_error_init(&err);
	set = NULL;
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	snprintf(cache_dir, sizeof(cache_dir), "%s/home/.cache/ferry",
		cl_tmpdir());
	if (mkdir(dir, 0755) < 0 || stat(dir, &st) < 0)
		cl_fail("mkdir");
	cache_file = ferry__set_cache_path(cache_dir, &st);
	ferry__wall_shift(0);
}

void test_set_cache__cleanup(void)
{
	ferry_set_free(set);
	set = NULL;
	free(cache_file);
	cache_file = NULL;
	ferry__wall_shift(0);
}

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;

	if (ferry__read_file(path, &text, &len, NULL) < 0)
		return NULL;
	return text;
}

static int spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The up checksum of migration `i`, in hex. */
static const char *up_sha(size_t i)
{
	static char hex[65];

	ferry__hex(hex, FERRY__MIG(ferry_set_get(set, i))->sec[FERRY__UP].sha);
	return hex;
}

static int reopen(void)
{
	ferry_set_free(set);
	set = NULL;
	ferry_error_init(&err);
	return ferry_set_open_cached(&set, dir, cache_dir, &err);
}

/* Replace the first `from` in the cache file with `to`, same length. */
static int plant(const char *from, const char *to)
{
	char *text = slurp(cache_file), *at;
	int rc = -1;

	if (text && (at = strstr(text, from)) != NULL) {
		memcpy(at, to, strlen(to));
		rc = spit(cache_file, text);
	}
	free(text);
	return rc;
}

#define FAKE_SHA \
	"00000000000000000000000000000000" \
	"00000000000000000000000000000000"

void test_set_cache__new_files_are_not_recorded(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(ferry_set_count(set), 1);
	/* Just written: a second edit in the same clock tick could hide. */
	cl_assert(access(cache_file, F_OK) < 0);
	cl_assert(access(cache_dir, F_OK) < 0);
}

void test_set_cache__settled_files_are_recorded_privately(void)
{
	struct stat st;
	char *text;

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql",
		"-- ferry:up no-transaction\nSELECT 2;\n"
		"-- ferry:finish\nSELECT 3;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert(stat(cache_dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	cl_assert(stat(cache_file, &st) == 0 && (st.st_mode & 0777) == 0600);
	text = slurp(cache_file);
	cl_assert(text != NULL);
	cl_assert(strncmp(text, "ferry-set-cache 2 " FERRY_VERSION "\ndir ",
			  strlen("ferry-set-cache 2 " FERRY_VERSION
				 "\ndir ")) == 0);
	cl_assert(strstr(text, "\n1_a ") != NULL);
	cl_assert(strstr(text, "\n2_b ") != NULL);
	free(text);
}

void test_set_cache__unchanged_files_come_from_the_cache(void)
{
	const ferry_migration *m;
	char real[65];

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql",
		"-- ferry:up no-transaction\nSELECT 2;\n"
		"-- ferry:finish\nSELECT 3;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	memcpy(real, up_sha(0), sizeof(real));
	cl_assert_equal_i(plant(real, FAKE_SHA), 0);

	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), FAKE_SHA);
	/* Everything else as read from the file. */
	m = ferry_set_get(set, 1);
	cl_assert_equal_s(m->version_text, "2");
	cl_assert(m->up_no_transaction && m->has_finish && !m->has_down);
	cl_assert_equal_i(FERRY__MIG(m)->sec[FERRY__FINISH].line, 4);

	/* Without a cache directory, every file is read. */
	ferry_set_free(set);
	set = NULL;
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_s(up_sha(0), real);
}

void test_set_cache__an_edited_file_is_read_again(void)
{
	char planted[65];

	PUT("1_a.sql", "SELECT 1;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(plant(up_sha(0), FAKE_SHA), 0);
	/*
	 * Same size, same second: the ctime still moves, once the file
	 * system's clock has ticked (at most 10 ms). Within one tick is the
	 * race the settling time rules out, which the shifted clock skips.
	 */
	usleep(25000);
	PUT("1_a.sql", "SELECT 2;\n");
	cl_ferry_pass(reopen(), &err);
	memcpy(planted, up_sha(0), sizeof(planted));
	cl_assert(strcmp(planted, FAKE_SHA) != 0);
	{
		ferry_set *fresh = NULL;

		cl_ferry_pass(ferry_set_open(&fresh, dir, &err), &err);
		ferry__hex(planted,
			FERRY__MIG(ferry_set_get(fresh, 0))->sec[FERRY__UP].sha);
		ferry_set_free(fresh);
	}
	cl_assert_equal_s(up_sha(0), planted);
}

/*
 * Only readdir says whether a file is regular: the cache's listing does
 * not, which tells a listing from the cache from a read directory.
 */
static int listed_from_cache(void)
{
	return !FERRY__MIG(ferry_set_get(set, 0))->regular;
}

void test_set_cache__an_unchanged_directory_is_not_read(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "SELECT 2;\n");
	PUT("README", "not a migration\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_ferry_pass(reopen(), &err);
	cl_assert(listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
	cl_assert_equal_s(ferry_set_get(set, 0)->id, "1_a");
	cl_assert_equal_s(ferry_set_get(set, 1)->name, "b");
	cl_assert_equal_s(ferry_set_get(set, 1)->version_text, "2");
	cl_assert(strcmp(ferry_set_get(set, 1)->path,
			  cl_path(dir, "2_b.sql")) == 0);
	/* A listing that does not parse: the directory is read. */
	cl_assert_equal_i(plant("\n2_b ", "\n2_b/"), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
}

/*
 * The tests shift the clock so that files count as settled at once; a
 * change to the directory must then wait for a new tick of the file
 * system's clock (at most 10 ms) to show in its times, as it would have
 * had two seconds to in real use.
 */
#define NEXT_TICK() usleep(25000)

void test_set_cache__a_directory_with_new_files_is_not_listed(void)
{
	char *text;

	PUT("1_a.sql", "SELECT 1;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	/* A file too new to record: the directory is not listed either. */
	ferry__wall_shift(0);
	NEXT_TICK();
	PUT("2_b.sql", "SELECT 2;\n");
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
	text = slurp(cache_file);
	cl_assert(text != NULL);
	cl_assert(strstr(text, "\n2_b ") == NULL);
	free(text);
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
}

void test_set_cache__added_and_removed_files(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "SELECT 2;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_ferry_pass(reopen(), &err);
	cl_assert(listed_from_cache());
	NEXT_TICK();
	cl_assert_equal_i(unlink(cl_path(dir, "2_b.sql")), 0);
	PUT("3_c.sql", "SELECT 3;\n");
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
	cl_assert_equal_s(ferry_set_get(set, 1)->id, "3_c");
	/* A rename alone changes the directory too. */
	cl_ferry_pass(reopen(), &err);
	cl_assert(listed_from_cache());
	NEXT_TICK();
	{
		char from[600], to[600];

		snprintf(from, sizeof(from), "%s/3_c.sql", dir);
		snprintf(to, sizeof(to), "%s/4_c.sql", dir);
		cl_assert_equal_i(rename(from, to), 0);
	}
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(ferry_set_get(set, 1)->id, "4_c");
}

/* One pass over the cache: a file it does not know, between two it does. */
void test_set_cache__a_file_between_two_known_ones(void)
{
	char real[65];

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("3_c.sql", "SELECT 3;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	memcpy(real, up_sha(1), sizeof(real));
	cl_assert_equal_i(plant(real, FAKE_SHA), 0);
	NEXT_TICK();
	PUT("2_b.sql", "SELECT 2;\n");
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(ferry_set_count(set), 3);
	cl_assert_equal_s(ferry_set_get(set, 1)->id, "2_b");
	cl_assert(strcmp(up_sha(1), FAKE_SHA) != 0);
	cl_assert_equal_s(up_sha(2), FAKE_SHA); /* still from the cache */
}

void test_set_cache__a_bad_file_is_still_refused(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	PUT("1_a.sql", "-- ferry:sideways\nSELECT 1;\n");
	cl_assert_equal_i(reopen(), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_i(err.line, 1);
}

void test_set_cache__a_broken_cache_is_ignored_and_rewritten(void)
{
	static const char *const broken[] = {
		"",
		"not a cache\n",
		"ferry-set-cache 0 " FERRY_VERSION "\n",
		"ferry-set-cache 2 " FERRY_VERSION "\ndir -\n1_a 1 2 3\n",
		"ferry-set-cache 2 " FERRY_VERSION
		"\ndir -\n1_a 1 2 3 4 5 - - -",
		"ferry-set-cache 1 " FERRY_VERSION
		"\n1_a 1 2 3 4 5 0,0,10,1,zz - -\n",
	};
	char real[65], *text;
	size_t i;

	PUT("1_a.sql", "SELECT 1;\n");
	cl_ferry_pass(reopen(), &err);
	memcpy(real, up_sha(0), sizeof(real));
	ferry__wall_shift(LATER);
	(void)mkdir(cl_path(cl_tmpdir(), "home"), 0700);
	(void)mkdir(cl_path(cl_tmpdir(), "home/.cache"), 0700);
	cl_assert_equal_i(mkdir(cache_dir, 0700), 0);
	for (i = 0; i < sizeof(broken) / sizeof(*broken); i++) {
		cl_assert_equal_i(spit(cache_file, broken[i]), 0);
		cl_ferry_pass(reopen(), &err);
		cl_assert_equal_s(up_sha(0), real);
		text = slurp(cache_file);
		cl_assert(text && strstr(text, real) != NULL);
		free(text);
	}
}

void test_set_cache__an_unwritable_cache_changes_nothing(void)
{
	/* The cache directory's parent is a regular file. */
	cl_assert_equal_i(cl_write(cl_tmpdir(), "home", "a file\n"), 0);
	PUT("1_a.sql", "SELECT 1;\n");
	ferry__wall_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(ferry_set_count(set), 1);
	cl_assert(access(cache_file, F_OK) < 0);
}
