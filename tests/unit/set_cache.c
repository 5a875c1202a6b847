/* SPDX-License-Identifier: MIT */
/*
 * set_cache.c - ferry_set_open_cached: unchanged files come from the cache
 * without being read, changed ones are read again, files too new to trust
 * are not recorded, and a broken or unwritable cache changes nothing.
 *
 * The clock is moved (ferry__cache_clock_shift) instead of waiting for files to
 * settle. A hit is proven by a checksum planted in the cache: only a set
 * that took it from there, without reading the file, carries it.
 */
#include "clar.h"
#include "ferry_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
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
	ferry__cache_clock_shift(0);
}

void test_set_cache__cleanup(void)
{
	ferry_set_free(set);
	set = NULL;
	free(cache_file);
	cache_file = NULL;
	ferry__cache_clock_shift(0);
}

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;

	if (ferry__read_file(path, &text, &len, NULL) < 0)
		return NULL;
	return text;
}

/*
 * Write a cache file by hand, dated as one written with the clock shifted
 * by LATER is: the cache trusts only files older than its own date.
 */
static int spit(const char *path, const char *text)
{
	struct timespec later[2];
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0 || clock_gettime(CLOCK_REALTIME, &later[0]) < 0)
		return -1;
	later[0].tv_sec += LATER / 1000000000LL;
	later[1] = later[0];
	return utimensat(AT_FDCWD, path, later, 0);
}

/* The up checksum of migration `i`, in hex. */
static const char *up_sha(size_t i)
{
	static char hex[65];

	ferry__hex(hex, FERRY__MIG(ferry_set_at(set, i))->sec[FERRY__UP].sha);
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

/* Names in `path`, "." and ".." included. */
static int entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
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
	/* The file that took the clock's reading is gone too. */
	cl_assert_equal_i(entries(cache_dir), 2);
}

void test_set_cache__settled_files_are_recorded_privately(void)
{
	struct stat st;
	char *text;

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql",
		"-- ferry:up no-transaction\nSELECT 2;\n"
		"-- ferry:finish\nSELECT 3;\n");
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert(stat(cache_dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	cl_assert(stat(cache_file, &st) == 0 && (st.st_mode & 0777) == 0600);
	text = slurp(cache_file);
	cl_assert(text != NULL);
	cl_assert(strncmp(text, "ferry-set-cache 3 " FERRY_VERSION "\ndir ",
			  strlen("ferry-set-cache 3 " FERRY_VERSION
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
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	memcpy(real, up_sha(0), sizeof(real));
	cl_assert_equal_i(plant(real, FAKE_SHA), 0);

	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), FAKE_SHA);
	/* Everything else as read from the file. */
	m = ferry_set_at(set, 1);
	cl_assert_equal_s(m->version_text, "2");
	cl_assert(m->up_no_transaction && m->has_finish && !m->has_down);
	cl_assert_equal_i(FERRY__MIG(m)->sec[FERRY__FINISH].line, 4);

	/* Without a cache directory, every file is read. */
	ferry_set_free(set);
	set = NULL;
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_s(up_sha(0), real);
}

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/*
 * The cache file is dated when the reading began, by the file system's
 * clock: after a file made just before, before the cache file's own ctime.
 */
void test_set_cache__the_cache_is_dated_when_reading_began(void)
{
	struct stat probe, cache;

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("probe", "the file system's clock\n");
	cl_assert_equal_i(stat(cl_path(dir, "probe"), &probe), 0);
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(stat(cache_file, &cache), 0);
	cl_assert(ns_of(&cache.st_mtim) - LATER >= ns_of(&probe.st_ctim));
	cl_assert(ns_of(&cache.st_mtim) - LATER <= ns_of(&cache.st_ctim));
}

/*
 * As git's index: an entry no older than the cache file's own date, less
 * the settling time, is "racily clean" and read again, whatever the
 * entry says and whoever wrote it.
 */
void test_set_cache__a_racily_clean_entry_is_read_again(void)
{
	struct timespec then[2];
	struct stat st;
	char real[65];

	PUT("1_a.sql", "SELECT 1;\n");
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	memcpy(real, up_sha(0), sizeof(real));
	cl_assert_equal_i(plant(real, FAKE_SHA), 0);
	cl_assert_equal_i(stat(cl_path(dir, "1_a.sql"), &st), 0);
	then[0] = then[1] = st.st_ctim;
	then[0].tv_sec = then[1].tv_sec += 1;
	cl_assert_equal_i(utimensat(AT_FDCWD, cache_file, then, 0), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), real);
}

void test_set_cache__an_edited_file_is_read_again(void)
{
	char planted[65];

	PUT("1_a.sql", "SELECT 1;\n");
	ferry__cache_clock_shift(LATER);
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
			FERRY__MIG(ferry_set_at(fresh, 0))->sec[FERRY__UP].sha);
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
	return !FERRY__MIG(ferry_set_at(set, 0))->regular;
}

void test_set_cache__an_unchanged_directory_is_not_read(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "SELECT 2;\n");
	PUT("README", "not a migration\n");
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_ferry_pass(reopen(), &err);
	cl_assert(listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
	cl_assert_equal_s(ferry_set_at(set, 0)->id, "1_a");
	cl_assert_equal_s(ferry_set_at(set, 1)->name, "b");
	cl_assert_equal_s(ferry_set_at(set, 1)->version_text, "2");
	cl_assert(strcmp(ferry_set_at(set, 1)->path, cl_path(dir, "2_b.sql")) ==
		0);
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
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	/* A file too new to record: the directory is not listed either. */
	ferry__cache_clock_shift(0);
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
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_ferry_pass(reopen(), &err);
	cl_assert(listed_from_cache());
	NEXT_TICK();
	cl_assert_equal_i(unlink(cl_path(dir, "2_b.sql")), 0);
	PUT("3_c.sql", "SELECT 3;\n");
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
	cl_assert_equal_s(ferry_set_at(set, 1)->id, "3_c");
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
	cl_assert_equal_s(ferry_set_at(set, 1)->id, "4_c");
}

/* One pass over the cache: a file it does not know, between two it does. */
void test_set_cache__a_file_between_two_known_ones(void)
{
	char real[65];

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("3_c.sql", "SELECT 3;\n");
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	memcpy(real, up_sha(1), sizeof(real));
	cl_assert_equal_i(plant(real, FAKE_SHA), 0);
	NEXT_TICK();
	PUT("2_b.sql", "SELECT 2;\n");
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(ferry_set_count(set), 3);
	cl_assert_equal_s(ferry_set_at(set, 1)->id, "2_b");
	cl_assert(strcmp(up_sha(1), FAKE_SHA) != 0);
	cl_assert_equal_s(up_sha(2), FAKE_SHA); /* still from the cache */
}

void test_set_cache__a_bad_file_is_still_refused(void)
{
	PUT("1_a.sql", "SELECT 1;\n");
	ferry__cache_clock_shift(LATER);
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
		"ferry-set-cache 3 " FERRY_VERSION "\ndir -\n1_a 1 2 3\n",
		"ferry-set-cache 3 " FERRY_VERSION
		"\ndir -\n1_a 1 2 3 4 5 - - -",
		"ferry-set-cache 1 " FERRY_VERSION
		"\n1_a 1 2 3 4 5 0,0,10,1,zz - -\n",
	};
	char real[65], *text;
	size_t i;

	PUT("1_a.sql", "SELECT 1;\n");
	cl_ferry_pass(reopen(), &err);
	memcpy(real, up_sha(0), sizeof(real));
	ferry__cache_clock_shift(LATER);
	(void)mkdir(cl_path(cl_tmpdir(), "home"), 0700);
	(void)mkdir(cl_path(cl_tmpdir(), "home/.cache"), 0700);
	(void)mkdir(cache_dir, 0700);
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
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(ferry_set_count(set), 1);
	cl_assert(access(cache_file, F_OK) < 0);
}

/*
 * Trust. A cache decides which files are read again, so only one that
 * nobody but the user could have written is used; a directory that fails
 * the checks is left alone. Each test plants a checksum: a set that
 * carries it took the cache.
 */

static char real_sha[65];

/* 1_a.sql recorded, then a fake checksum planted in its line. */
static int planted(void)
{
	if (cl_write(dir, "1_a.sql", "SELECT 1;\n") < 0)
		return -1;
	ferry__cache_clock_shift(LATER);
	if (reopen() < 0)
		return -1;
	memcpy(real_sha, up_sha(0), sizeof(real_sha));
	return plant(real_sha, FAKE_SHA);
}

/* The whole of a file, to tell that nothing wrote into it. */
typedef struct {
	struct stat st;
	char *text;
} snapshot;

static int snap(snapshot *s, const char *path)
{
	s->text = NULL;
	if (lstat(path, &s->st) < 0)
		return -1;
	s->text = slurp(path);
	return s->text ? 0 : -1;
}

static int same(const snapshot *a, const char *path)
{
	snapshot b;
	int rc;

	if (snap(&b, path) < 0)
		return 0;
	rc = a->st.st_ino == b.st.st_ino && a->st.st_size == b.st.st_size &&
		a->st.st_mtim.tv_sec == b.st.st_mtim.tv_sec &&
		a->st.st_mtim.tv_nsec == b.st.st_mtim.tv_nsec &&
		strcmp(a->text, b.text) == 0;
	free(b.text);
	return rc;
}

/* Entries in a directory, "." and ".." included. */
void test_set_cache__a_planted_checksum_is_used_when_trusted(void)
{
	/* The control for the tests below: the plant works. */
	cl_assert_equal_i(planted(), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), FAKE_SHA);
}

void test_set_cache__the_trust_rules(void)
{
	struct stat st;
	uid_t me = geteuid(), other = me ? 0 : 65534;

	memset(&st, 0, sizeof(st));
	st.st_uid = me;
	st.st_mode = S_IFDIR | 0700;
	cl_assert(ferry__cache_dir_trusted(&st, me));
	st.st_mode = S_IFDIR | 0755; /* others may list it, not write */
	cl_assert(ferry__cache_dir_trusted(&st, me));
	st.st_mode = S_IFDIR | 0775;
	cl_assert(!ferry__cache_dir_trusted(&st, me));
	st.st_mode = S_IFDIR | 0777;
	cl_assert(!ferry__cache_dir_trusted(&st, me));
	st.st_mode = S_IFDIR | 01777; /* even sticky, as /tmp */
	cl_assert(!ferry__cache_dir_trusted(&st, me));
	st.st_mode = S_IFREG | 0700;
	cl_assert(!ferry__cache_dir_trusted(&st, me));
	st.st_mode = S_IFDIR | 0700;
	st.st_uid = other;
	cl_assert(!ferry__cache_dir_trusted(&st, me));

	st.st_uid = me;
	st.st_mode = S_IFREG | 0600;
	cl_assert(ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFREG | 0400;
	cl_assert(ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFREG | 0640;
	cl_assert(!ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFREG | 0644;
	cl_assert(!ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFREG | 0666;
	cl_assert(!ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFREG | 0604;
	cl_assert(!ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFIFO | 0600;
	cl_assert(!ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFLNK | 0600;
	cl_assert(!ferry__cache_file_trusted(&st, me));
	st.st_mode = S_IFREG | 0600;
	st.st_uid = other;
	cl_assert(!ferry__cache_file_trusted(&st, me));
}

void test_set_cache__a_file_others_may_read_or_write_is_not_read(void)
{
	static const mode_t modes[] = { 0644, 0666, 0640, 0606 };
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		cl_assert_equal_i(planted(), 0);
		cl_assert_equal_i(chmod(cache_file, modes[i]), 0);
		cl_ferry_pass(reopen(), &err);
		cl_assert_equal_s(up_sha(0), real_sha);
		/* Replaced, in the user's own directory, by a private one. */
		{
			struct stat st;

			cl_assert_equal_i(stat(cache_file, &st), 0);
			cl_assert_equal_i(st.st_mode & 0777, 0600);
		}
	}
}

void test_set_cache__a_file_of_another_user_is_not_read(void)
{
	if (geteuid() != 0)
		return; /* only root can give a file away */
	cl_assert_equal_i(planted(), 0);
	cl_assert_equal_i(chown(cache_file, 65534, 65534), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), real_sha);
}

/* A directory to leave alone: not read, and nothing written into it. */
static void left_alone(const char *where)
{
	snapshot before;
	int n = entries(where);

	cl_assert(n > 2);
	cl_assert_equal_i(snap(&before, cache_file), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), real_sha);
	cl_assert(same(&before, cache_file));
	cl_assert_equal_i(entries(where), n);
	free(before.text);
}

void test_set_cache__a_directory_others_may_write_in_is_left_alone(void)
{
	cl_assert_equal_i(planted(), 0);
	cl_assert_equal_i(chmod(cache_dir, 0777), 0);
	left_alone(cache_dir);
	cl_assert_equal_i(chmod(cache_dir, 0770), 0);
	left_alone(cache_dir);
	cl_assert_equal_i(chmod(cache_dir, 01777), 0);
	left_alone(cache_dir);
	/* Readable by others is fine: the files in it are private. */
	cl_assert_equal_i(chmod(cache_dir, 0755), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), FAKE_SHA);
}

void test_set_cache__a_directory_of_another_user_is_left_alone(void)
{
	if (geteuid() != 0)
		return; /* only root can give a directory away */
	cl_assert_equal_i(planted(), 0);
	cl_assert_equal_i(chown(cache_dir, 65534, 65534), 0);
	left_alone(cache_dir);
}

void test_set_cache__a_directory_made_by_another_user_is_not_used(void)
{
	char *text;

	if (geteuid() != 0)
		return;
	/* Made ahead by someone else, as in a shared /tmp: never filled. */
	PUT("1_a.sql", "SELECT 1;\n");
	(void)mkdir(cl_path(cl_tmpdir(), "home"), 0700);
	(void)mkdir(cl_path(cl_tmpdir(), "home/.cache"), 0700);
	cl_assert_equal_i(mkdir(cache_dir, 0700), 0);
	cl_assert_equal_i(chown(cache_dir, 65534, 65534), 0);
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_i(entries(cache_dir), 2);
	text = slurp(cache_file);
	cl_assert(text == NULL);
}

void test_set_cache__a_linked_directory_is_left_alone(void)
{
	char real_dir[600];

	cl_assert_equal_i(planted(), 0);
	snprintf(real_dir, sizeof(real_dir), "%s.real", cache_dir);
	cl_assert_equal_i(rename(cache_dir, real_dir), 0);
	cl_assert_equal_i(symlink(real_dir, cache_dir), 0);
	left_alone(real_dir);
}

void test_set_cache__a_linked_file_is_not_read_nor_written_through(void)
{
	char elsewhere[600];
	snapshot before;

	cl_assert_equal_i(planted(), 0);
	snprintf(elsewhere, sizeof(elsewhere), "%s/planted", cl_tmpdir());
	cl_assert_equal_i(rename(cache_file, elsewhere), 0);
	cl_assert_equal_i(symlink(elsewhere, cache_file), 0);
	cl_assert_equal_i(snap(&before, elsewhere), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), real_sha);
	cl_assert(same(&before, elsewhere));
	free(before.text);
	/* The link was replaced by a cache of the user's own. */
	{
		struct stat st;

		cl_assert_equal_i(lstat(cache_file, &st), 0);
		cl_assert(S_ISREG(st.st_mode));
	}
}

void test_set_cache__a_fifo_in_the_cache_s_place_is_not_waited_on(void)
{
	struct stat st;

	cl_assert_equal_i(planted(), 0);
	cl_assert_equal_i(unlink(cache_file), 0);
	cl_assert_equal_i(mkfifo(cache_file, 0600), 0);
	/* Opening it for reading would wait for a writer forever. */
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), real_sha);
	cl_assert_equal_i(lstat(cache_file, &st), 0);
	cl_assert(S_ISREG(st.st_mode));
}

void test_set_cache__a_cache_too_large_is_not_read(void)
{
	static char pad[1 << 16];
	FILE *f;
	size_t i, line = strlen("99_z 1 2 3 4 5 - - -\n");

	cl_assert_equal_i(planted(), 0);
	/* Lines after the last file are never looked at: a valid cache. */
	for (i = 0; i + line <= sizeof(pad); i += line)
		memcpy(pad + i, "99_z 1 2 3 4 5 - - -\n", line);
	f = fopen(cache_file, "a");
	cl_assert(f != NULL);
	for (i = 0;
		i < FERRY__CACHE_MAX_BYTES / (sizeof(pad) / line * line) + 1;
		i++)
		fwrite(pad, 1, sizeof(pad) / line * line, f);
	cl_assert_equal_i(fclose(f), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert_equal_s(up_sha(0), real_sha);
}

/*
 * Content. Every field is checked before a line is used: a section lies
 * within the file's recorded size and starts on a line from 1.
 */

/* Replace the first `from` in the cache file with `to`, any length. */
static int plant_any(const char *from, const char *to)
{
	char *text = slurp(cache_file), *at, *out;
	int rc = -1;

	if (text && (at = strstr(text, from)) != NULL &&
		(out = malloc(strlen(text) + strlen(to) + 1)) != NULL) {
		memcpy(out, text, (size_t)(at - text));
		strcpy(out + (at - text), to);
		strcat(out, at + strlen(from));
		rc = spit(cache_file, out);
		free(out);
	}
	free(text);
	return rc;
}

void test_set_cache__sections_outside_the_file_are_not_used(void)
{
	/* "SELECT 1;\n": 10 bytes, all up, from line 1. */
	static const char *const bad[] = {
		" 0,11,0,1,",			/* starts past the end */
		" 0,0,11,1,",			/* ends past the end */
		" 0,5,6,1,",			/* ends past the end */
		" 0,18446744073709551615,1,1,", /* offset + length wraps */
		" 0,1,18446744073709551615,1,", /* offset + length wraps */
		" 0,0,10,0,",			/* line 0 */
		" 0,0,10,12,",			/* more lines than bytes */
		" 0,0,10,2147483648,",		/* not an int */
		" 4,0,10,1,",			/* options are 0 to 3 */
	};
	static const char *const good[] = {
		" 0,10,0,1,", /* an empty body at the very end */
		" 0,0,10,11,",
		" 1,0,10,1,",
	};
	size_t i;

	cl_assert_equal_i(planted(), 0);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		cl_assert_equal_i(plant_any(" 0,0,10,1,", bad[i]), 0);
		cl_ferry_pass(reopen(), &err);
		cl_assert_equal_s(up_sha(0), real_sha);
		/* Read again and recorded afresh; plant again. */
		cl_assert_equal_i(plant(real_sha, FAKE_SHA), 0);
	}
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		cl_assert_equal_i(plant_any(" 0,0,10,1,", good[i]), 0);
		cl_ferry_pass(reopen(), &err);
		cl_assert_equal_s(up_sha(0), FAKE_SHA);
		cl_assert_equal_i(plant_any(good[i], " 0,0,10,1,"), 0);
	}
}

void test_set_cache__a_listing_out_of_order_is_not_used(void)
{
	char *text, *a, *b;
	size_t la;

	PUT("1_a.sql", "SELECT 1;\n");
	PUT("2_b.sql", "SELECT 2;\n");
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	cl_ferry_pass(reopen(), &err);
	cl_assert(listed_from_cache());
	/* Swap the two lines: the same ids, out of order. */
	text = slurp(cache_file);
	cl_assert(text != NULL);
	a = strstr(text, "\n1_a ") + 1;
	b = strstr(text, "\n2_b ") + 1;
	la = (size_t)(b - a);
	{
		char *out = malloc(strlen(text) + 1);

		cl_assert(out != NULL);
		memcpy(out, text, (size_t)(a - text));
		strcpy(out + (a - text), b);
		strncat(out, a, la);
		cl_assert_equal_i(spit(cache_file, out), 0);
		free(out);
	}
	free(text);
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
	/* The same line twice: a duplicate version, never a refusal. */
	cl_ferry_pass(reopen(), &err);
	cl_assert(listed_from_cache());
	cl_assert_equal_i(plant("\n2_b ", "\n1_a "), 0);
	cl_ferry_pass(reopen(), &err);
	cl_assert(!listed_from_cache());
	cl_assert_equal_i(ferry_set_count(set), 2);
}

void test_set_cache__an_entry_for_a_fifo_is_not_trusted(void)
{
	ferry__file_stamp s;
	struct stat st;
	char text[1024], want[800];

	PUT("1_a.sql", "SELECT 1;\n");
	ferry__cache_clock_shift(LATER);
	cl_ferry_pass(reopen(), &err);
	/* A FIFO in the file's place, and a cache that records it. */
	cl_assert_equal_i(unlink(cl_path(dir, "1_a.sql")), 0);
	cl_assert_equal_i(mkfifo(cl_path(dir, "1_a.sql"), 0644), 0);
	cl_assert_equal_i(stat(cl_path(dir, "1_a.sql"), &st), 0);
	ferry__file_stamp_of(&s, &st);
	snprintf(text, sizeof(text),
		"ferry-set-cache 3 " FERRY_VERSION "\ndir -\n"
		"1_a %llu %llu %llu %lld %lld 0,0,0,1," FAKE_SHA " - -\n",
		(unsigned long long)s.dev, (unsigned long long)s.ino,
		(unsigned long long)s.size, (long long)s.mtime_ns,
		(long long)s.ctime_ns);
	cl_assert_equal_i(spit(cache_file, text), 0);
	cl_assert_equal_i(reopen(), FERRY_EINVALID);
	snprintf(want, sizeof(want),
		"'%s/1_a.sql' is not a regular file (a FIFO)", dir);
	cl_assert_equal_s(err.message, want);
}
