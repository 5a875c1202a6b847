/* SPDX-License-Identifier: MIT */
/*
 * set.c - reading a migration directory into a ferry_set (SPEC section 1).
 *
 * Every file is read, checked and checksummed when the set is opened, so a
 * broken file stops a run before anything is applied. The file contents are
 * not kept: a set of thousands of migrations costs a few hundred bytes each,
 * and a migration's SQL is read again only when it runs.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A migration's strings share one block, which starts with its path. */
static void migration_release(ferry__migration *m)
{
	free((char *)m->pub.path);
	free(m->down_path);
}

void ferry_set_free(ferry_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		migration_release(&set->migs[i]);
	free(set->migs);
	for (i = 0; i < set->nreps; i++)
		migration_release(&set->reps[i]);
	free(set->reps);
	ferry__releases_free(set->releases, set->nreleases);
	free(set->dir);
	free(set->cache_file);
	free(set->mem);
	free(set);
}

const char *ferry_set_dir(const ferry_set *set)
{
	return set->dir;
}

size_t ferry_set_count(const ferry_set *set)
{
	return set ? set->n : 0;
}

const ferry_migration *ferry_set_at(const ferry_set *set, size_t i)
{
	return set && i < set->n ? &set->migs[i].pub : NULL;
}

const ferry_migration *ferry_set_get(const ferry_set *set, size_t i)
{
	return ferry_set_at(set, i);
}

size_t ferry_set_release_count(const ferry_set *set)
{
	return set ? set->nreleases : 0;
}

const ferry_release *ferry_set_release_at(const ferry_set *set, size_t i)
{
	return set && i < set->nreleases ? &set->releases[i].pub : NULL;
}

const ferry_release *ferry_set_release_get(const ferry_set *set, size_t i)
{
	return ferry_set_release_at(set, i);
}

const ferry__migration *ferry__set_find(const ferry_set *set, int64_t version)
{
	size_t lo = 0, hi = set ? set->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t v = set->migs[mid].pub.version;

		if (v == version)
			return &set->migs[mid];
		if (v < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Does `name` look like a migration file? Returns 1 and fills the version
 * and the length of the version digits; 0 when it is not a `.sql` file at
 * all; -1 when it is a `.sql` file whose name does not match.
 */
static int match_name(const char *name, int64_t *version, size_t *digits)
{
	size_t n = strlen(name), i = 0, j;

	if (n < 4 || strcasecmp(name + n - 4, ".sql") != 0)
		return 0;
	if (strcmp(name + n - 4, ".sql") != 0)
		return -1;
	while (i < n && isdigit((unsigned char)name[i]))
		i++;
	if (i == 0 || i > 18 || name[i] != '_' || i + 1 >= n - 4)
		return -1;
	for (j = i + 1; j < n - 4; j++) {
		unsigned char c = (unsigned char)name[j];

		if (!isalnum(c) && c != '_' && c != '-')
			return -1;
	}
	if (ferry__parse_version(name, i, version) < 0)
		return -1;
	*digits = i;
	return 1;
}

static int bad_name(const char *dir, const char *name, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' is not a valid migration file name", name);
	ferry__error_hint(err,
		"name it <version>_<name>.sql, e.g. 0001_create_users.sql "
		"(letters, digits, '_' and '-'), or move it out of '%s'",
		dir);
	return FERRY_EINVALID;
}

/* By version; equal versions by file name, so messages never depend on
 * the order the directory lists its files in. */
static int cmp_version(const void *a, const void *b)
{
	const ferry__migration *x = a, *y = b;

	if (x->pub.version != y->pub.version)
		return x->pub.version < y->pub.version ? -1 : 1;
	return strcmp(x->pub.id, y->pub.id);
}

/*
 * "<dir>/<name>", then the id (the name without ".sql") and the version in
 * decimal, in one block: a set of thousands of files is read on every run.
 */
static int name_migration(ferry__migration *m, const char *dir, size_t dir_len,
	const char *name, size_t digits)
{
	size_t n = strlen(name), slash = dir_len && dir[dir_len - 1] != '/';
	char vt[24], *p;
	int vn = snprintf(vt, sizeof(vt), "%lld", (long long)m->pub.version);

	p = ferry__malloc(
		dir_len + slash + n + 1 + (n - 4) + 1 + (size_t)vn + 1);
	if (!p)
		return -1;
	m->pub.path = p;
	memcpy(p, dir, dir_len);
	p += dir_len;
	if (slash)
		*p++ = '/';
	memcpy(p, name, n + 1);
	p += n + 1;
	m->pub.id = p;
	memcpy(p, name, n - 4);
	p[n - 4] = '\0';
	m->pub.name = p + digits + 1;
	p += n - 4 + 1;
	m->pub.version_text = p;
	memcpy(p, vt, (size_t)vn + 1);
	return 0;
}

static char *join_path(const char *dir, const char *name)
{
	ferry__buf b = FERRY__BUF_INIT;
	size_t n = strlen(dir);

	ferry__buf_puts(&b, dir);
	if (n && dir[n - 1] != '/')
		ferry__buf_puts(&b, "/");
	ferry__buf_puts(&b, name);
	return ferry__buf_detach(&b);
}

static int stat_dir(const char *dir, struct stat *st, ferry_error *err)
{
	if (stat(dir, st) < 0) {
		if (errno != ENOENT) {
			ferry__error_os(err, FERRY_EINVALID,
				"read migration directory", dir);
			return FERRY_EINVALID;
		}
		ferry__error_set(err, FERRY_EINVALID,
			"migration directory '%s' does not exist", dir);
		ferry__error_hint(err,
			"create it with 'ferry init', or name another one "
			"with --dir");
		return FERRY_EINVALID;
	}
	if (!S_ISDIR(st->st_mode)) {
		ferry__error_set(err, FERRY_EINVALID,
			"migration directory '%s' is not a directory", dir);
		ferry__error_hint(
			err, "name the directory of .sql files with --dir");
		return FERRY_EINVALID;
	}
	return 0;
}

static int open_dir(
	DIR **out, const char *dir, struct stat *st, ferry_error *err)
{
	int rc;

	if ((rc = stat_dir(dir, st, err)) < 0)
		return rc;
	if (!(*out = opendir(dir))) {
		ferry__error_os(
			err, FERRY_EINVALID, "read migration directory", dir);
		return FERRY_EINVALID;
	}
	return 0;
}

/* Room for one more migration; NULL when out of memory. */
static ferry__migration *new_migration(ferry_set *set, size_t *alloc)
{
	ferry__migration *m;

	if (FERRY__GROW(set->migs, *alloc, set->n + 1, 64) < 0)
		return NULL;
	m = &set->migs[set->n];
	memset(m, 0, sizeof(*m));
	m->format = FERRY_FORMAT_FERRY;
	return m;
}

/* List the migration files of `dir` into set->migs, names only. */
static int scan(ferry_set *set, ferry_error *err)
{
	size_t alloc = 0, dir_len = strlen(set->dir);
	struct dirent *de;
	DIR *d = opendir(set->dir);

	if (!d) {
		ferry__error_os(err, FERRY_EINVALID, "read migration directory",
			set->dir);
		return FERRY_EINVALID;
	}
	while ((de = readdir(d)) != NULL) {
		ferry__migration *m;
		int64_t version;
		size_t digits;
		int kind;

		if (de->d_name[0] == '.')
			continue;
		kind = match_name(de->d_name, &version, &digits);
		if (kind == 0)
			continue;
		if (kind < 0) {
			/* The name lives in the DIR stream: use it, then close.
			 */
			int rc = bad_name(set->dir, de->d_name, err);

			closedir(d);
			return rc;
		}
		if (!(m = new_migration(set, &alloc))) {
			closedir(d);
			return ferry__error_oom(err);
		}
		m->pub.version = version;
		m->regular = de->d_type == DT_REG;
		if (name_migration(m, set->dir, dir_len, de->d_name, digits) <
			0) {
			closedir(d);
			return ferry__error_oom(err);
		}
		set->n++;
	}
	closedir(d);
	return 0;
}

typedef struct {
	ferry_set *set;
	size_t alloc, dir_len;
	int oom;
} listing;

/* One id of the cache's listing, checked as readdir's names are. */
static int list_one(void *payload, const char *id, size_t len)
{
	listing *l = payload;
	char name[NAME_MAX + 1];
	ferry__migration *m;
	int64_t version;
	size_t digits;

	if (len + 4 > NAME_MAX)
		return -1;
	memcpy(name, id, len);
	memcpy(name + len, ".sql", 5);
	if (match_name(name, &version, &digits) != 1)
		return -1;
	if (!(m = new_migration(l->set, &l->alloc))) {
		l->oom = 1;
		return -1;
	}
	m->pub.version = version;
	if (name_migration(m, l->set->dir, l->dir_len, name, digits) < 0) {
		l->oom = 1;
		return -1;
	}
	l->set->n++;
	return 0;
}

/*
 * The first seam: the names of the migration files. `auto` first finds
 * the set's format from the directory (format.c; the cache is never asked
 * what a set is). A set in ferry's format: the set cache lists its names
 * while the directory keeps the stamp it recorded (no second readdir);
 * else, or when its listing does not parse, the directory is read.
 * Another tool's set is left to the caller.
 */
static int list_files(ferry_set *set, ferry__set_cache *cache,
	const ferry__file_stamp *dir, ferry_format *format, ferry_error *err)
{
	listing l = { set, 0, strlen(set->dir), 0 };
	size_t i;
	int rc;

	if (*format == FERRY_FORMAT_AUTO &&
		(rc = ferry__format_detect(set->dir, format, err)) < 0)
		return rc;
	if (*format != FERRY_FORMAT_FERRY)
		return 0;
	if (ferry__set_cache_list(cache, dir, list_one, &l) > 0)
		return 0;
	for (i = 0; i < set->n; i++)
		migration_release(&set->migs[i]);
	set->n = 0;
	if (l.oom)
		return ferry__error_oom(err);
	ferry__set_cache_reading(cache);
	return scan(set, err);
}

static int check_duplicates(const ferry_set *set, ferry_error *err)
{
	size_t i;

	for (i = 1; i < set->n; i++) {
		const ferry__migration *a = &set->migs[i - 1],
				       *b = &set->migs[i];

		if (a->pub.version != b->pub.version)
			continue;
		ferry__error_set(err, FERRY_EINVALID,
			"duplicate version %lld: '%s.sql' and '%s.sql'",
			(long long)a->pub.version, a->pub.id, b->pub.id);
		ferry__error_hint(err,
			"give one of them a new version, e.g. with 'ferry new'");
		return FERRY_EINVALID;
	}
	return 0;
}

/* What the public view says of a migration, once its sections are known. */
static void describe(ferry__migration *m)
{
	m->pub.has_finish = m->sec[FERRY__FINISH].present;
	m->pub.has_down = m->sec[FERRY__DOWN].present;
	m->pub.up_no_transaction = m->sec[FERRY__UP].no_transaction;
	m->pub.finish_no_transaction = m->sec[FERRY__FINISH].no_transaction;
	m->pub.down_no_transaction = m->sec[FERRY__DOWN].no_transaction;
	m->pub.up_confirm = m->sec[FERRY__UP].confirm;
	m->pub.finish_confirm = m->sec[FERRY__FINISH].confirm;
	m->pub.down_confirm = m->sec[FERRY__DOWN].confirm;
}

/*
 * The second seam: one migration's sections and checksums. The set cache
 * knows them while the file keeps the stamp it recorded (one stat, no
 * read); else the file is read, parsed and hashed, its text not kept.
 * What is not a regular file is read, which refuses it with the reason.
 */
static int load_migration(ferry_set *set, ferry__migration *m,
	ferry__set_cache *cache, ferry__hasher *h, ferry__buf *text,
	ferry_error *err)
{
	struct stat st;
	int rc;

	if (cache && stat(m->pub.path, &st) == 0 && S_ISREG(st.st_mode)) {
		ferry__file_stamp_of(&m->stamp, &st);
		if (ferry__set_cache_find(cache, m, &m->stamp)) {
			m->cache_file = set->cache_file;
			describe(m);
			return 0;
		}
	}
	ferry__set_cache_reading(cache);
	if ((rc = ferry__format_read(m, text, m->sec, h, &st, err)) < 0)
		return rc;
	ferry__file_stamp_of(&m->stamp, &st);
	describe(m);
	return 0;
}

const ferry__release *ferry__set_baseline(const ferry_set *set)
{
	size_t i;

	for (i = 0; set && i < set->nreleases; i++)
		if (set->releases[i].pub.baseline)
			return &set->releases[i];
	return NULL;
}

/* A baseline replaces every migration before it: none may be left. */
static int check_baseline(
	const ferry_set *set, const char *path, ferry_error *err)
{
	const ferry__release *b = ferry__set_baseline(set);

	if (!b || set->migs[0].pub.version == b->pub.last_version)
		return 0;
	ferry__error_set(err, FERRY_EINVALID,
		"migration '%s' is older than the baseline of release '%s' "
		"(version %lld)",
		set->migs[0].pub.id, b->pub.name,
		(long long)b->pub.last_version);
	ferry__error_hint(err,
		"the baseline migration holds the schema release '%s' "
		"leaves and replaces every migration before it: remove "
		"the older files",
		b->pub.name);
	ferry__error_at(err, path, b->line, 0);
	return FERRY_EINVALID;
}

/*
 * Another tool's set: a release line names a version as that tool writes
 * it ("2" in a Flyway set whose versions have parts), as `ferry release`
 * writes it; that migration's version it is.
 */
static void by_version_text(const ferry_set *set, ferry__release *rel)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (strcmp(set->migs[i].pub.version_text, rel->vtext) == 0) {
			rel->pub.last_version = set->migs[i].pub.version;
			return;
		}
	}
}

/*
 * The text of `releases` (the file at `path`): parse it, check it against
 * the migrations, and give each migration its release.
 */
static int apply_releases(ferry_set *set, const char *text, size_t len,
	const char *path, ferry_error *err)
{
	size_t i, r = 0;
	int rc;

	rc = (set->format == FERRY_FORMAT_FLYWAY ? ferry__releases_parse_dotted
						 : ferry__releases_parse)(
		&set->releases, &set->nreleases, text, len, path, err);
	for (i = 0; rc == 0 && i < set->nreleases; i++) {
		ferry__release *rel = &set->releases[i];

		if (set->format != FERRY_FORMAT_FERRY)
			by_version_text(set, rel);
		if (ferry__set_find(set, rel->pub.last_version))
			continue;
		ferry__error_set(err, FERRY_EINVALID,
			"release '%s' ends at version %lld, but no migration "
			"has that version",
			rel->pub.name, (long long)rel->pub.last_version);
		ferry__error_hint(err,
			"a release ends at the version of its newest "
			"migration file");
		ferry__error_at(err, path, rel->line, 0);
		rc = FERRY_EINVALID;
	}
	if (rc == 0)
		rc = check_baseline(set, path, err);
	for (i = 0; rc == 0 && i < set->n; i++) {
		while (r < set->nreleases &&
			set->releases[r].pub.last_version <
				set->migs[i].pub.version)
			r++;
		if (r < set->nreleases)
			set->migs[i].pub.release = set->releases[r].pub.name;
	}
	return rc;
}

/* Read `releases`, if present, and give each migration its release. */
static int read_releases(ferry_set *set, ferry_error *err)
{
	char *path = join_path(set->dir, "releases"), *text;
	size_t len;
	struct stat st;
	int rc;

	if (!path)
		return ferry__error_oom(err);
	/* Not there at all; a link that points nowhere is an error. */
	if (lstat(path, &st) < 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	rc = ferry__read_file(path, &text, &len, err);
	if (rc == 0) {
		rc = apply_releases(set, text, len, path, err);
		free(text);
	}
	free(path);
	return rc;
}

int ferry_set_open(ferry_set **out, const char *dir, ferry_error *err)
{
	return ferry_set_open_with(out, dir, NULL, err);
}

int ferry_set_open_cached(ferry_set **out, const char *dir,
	const char *cache_dir, ferry_error *err)
{
	ferry_set_options opts = FERRY_SET_OPTIONS_INIT;

	opts.cache_dir = cache_dir;
	return ferry_set_open_with(out, dir, &opts, err);
}

/* Already in version order, as a listing from the cache is? */
static int is_sorted(const ferry_set *set)
{
	size_t i;

	for (i = 1; i < set->n; i++)
		if (cmp_version(&set->migs[i - 1], &set->migs[i]) > 0)
			return 0;
	return 1;
}

/* A Flyway set's repeatable migrations are its R__ scripts, none else. */
static int refuse_second_repeatables(const ferry_set *set, ferry_error *err)
{
	char *path = join_path(set->dir, "repeatable");
	struct stat st;
	int there;

	if (!path)
		return ferry__error_oom(err);
	there = lstat(path, &st) == 0;
	free(path);
	if (!there)
		return 0;
	ferry__error_set(err, FERRY_EINVALID,
		"a Flyway set has a 'repeatable' directory in '%s'", set->dir);
	ferry__error_hint(err,
		"its repeatable migrations are its R__<name>.sql scripts: "
		"move repeatable/<name>.sql to R__<name>.sql");
	return FERRY_EINVALID;
}

/*
 * Another tool's set: listed in its layout, each migration read in its
 * format, never cached (the cache knows ferry's names only).
 */
static int open_foreign(
	ferry_set *set, ferry__hasher *h, ferry__buf *text, ferry_error *err)
{
	size_t i;
	int rc;

	if ((rc = ferry__format_scan(set, err)) < 0)
		return rc;
	if (set->n == 0) {
		ferry__error_set(err, FERRY_EINVALID,
			"no %s migrations in '%s'",
			ferry_format_name(set->format), set->dir);
		ferry__error_hint(err,
			"name the directory of the set with --dir, or its "
			"format with --format");
		return FERRY_EINVALID;
	}
	for (i = 0; i < set->n; i++)
		if ((rc = load_migration(
			     set, &set->migs[i], NULL, h, text, err)) < 0)
			return rc;
	if ((rc = read_releases(set, err)) < 0)
		return rc;
	/*
	 * Flyway has repeatable scripts of its own (R__); any other tool's
	 * set may carry ferry's repeatable/ directory, as it may `releases`.
	 */
	if (set->format != FERRY_FORMAT_FLYWAY)
		return ferry__repeatables_read(set, h, text, err);
	if ((rc = refuse_second_repeatables(set, err)) < 0)
		return rc;
	return ferry__repeatables_read_listed(set, h, text, err);
}

int ferry_set_open_with(ferry_set **out, const char *dir,
	const ferry_set_options *opts, ferry_error *err)
{
	const char *cache_dir = opts ? opts->cache_dir : NULL;
	ferry_format format = opts ? opts->format : FERRY_FORMAT_AUTO;
	ferry__hasher h = { 0 };
	ferry__buf text = FERRY__BUF_INIT;
	ferry__set_cache *cache = NULL;
	ferry__file_stamp dir_stamp;
	struct stat dir_st;
	size_t i;
	int rc;
	ferry_set *set;

	if (!out || !dir)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", out ? "dir" : "out");
	*out = NULL;
	if (opts && opts->version != FERRY_SET_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	set = ferry__calloc(1, sizeof(*set));
	if (!set)
		return ferry__error_oom(err);
	set->dir = ferry__strdup(dir);
	if (!set->dir) {
		rc = ferry__error_oom(err);
		goto out;
	}
	if (!ferry_format_name(format)) {
		rc = ferry__error_set(
			err, FERRY_EINVALID, "invalid argument: 'format'");
		goto out;
	}
	ferry__hasher_init(&h);
	if ((rc = stat_dir(set->dir, &dir_st, err)) < 0)
		goto out;
	ferry__file_stamp_of(&dir_stamp, &dir_st);
	if (cache_dir && (cache = ferry__set_cache_open(cache_dir, &dir_st)) &&
		!(set->cache_file =
				ferry__set_cache_path(cache_dir, &dir_st))) {
		rc = ferry__error_oom(err);
		goto out;
	}
	if ((rc = list_files(set, cache, &dir_stamp, &format, err)) < 0)
		goto out;
	set->format = format;
	if (format != FERRY_FORMAT_FERRY) {
		if ((rc = open_foreign(set, &h, &text, err)) < 0)
			goto out;
		*out = set;
		set = NULL;
		goto out;
	}
	if (set->n == 0) {
		rc = ferry__error_set(
			err, FERRY_EINVALID, "no migrations in '%s'", set->dir);
		ferry__error_hint(
			err, "write the first one with 'ferry new NAME'");
		goto out;
	}
	if (!is_sorted(set))
		qsort(set->migs, set->n, sizeof(*set->migs), cmp_version);
	if ((rc = check_duplicates(set, err)) < 0)
		goto out;
	for (i = 0; i < set->n; i++)
		if ((rc = load_migration(
			     set, &set->migs[i], cache, &h, &text, err)) < 0)
			goto out;
	if ((rc = read_releases(set, err)) < 0 ||
		(rc = ferry__repeatables_read(set, &h, &text, err)) < 0)
		goto out;
	ferry__set_cache_save(cache, set, &dir_stamp);
	*out = set;
	set = NULL;
out:
	ferry__set_cache_free(cache);
	ferry__hasher_release(&h);
	ferry__buf_release(&text);
	ferry_set_free(set);
	return rc;
}

/*
 * ferry_set_open_mem(): the files' names, as a directory's are read. A
 * name may appear once; "releases" is the releases file, names under
 * "repeatable/" the repeatable migrations, other ".sql" names versioned
 * migrations; other names are left alone, as a README in a directory is.
 */
static int mem_names(
	const ferry_mem_file *files, size_t nfiles, ferry_error *err)
{
	size_t i, j;

	for (i = 0; i < nfiles; i++) {
		if (!files[i].name || (!files[i].data && files[i].size))
			return ferry__error_set(err, FERRY_EINVALID,
				"invalid argument: 'files[%zu]' (no %s)", i,
				files[i].name ? "data" : "name");
		for (j = 0; j < i; j++) {
			if (strcmp(files[i].name, files[j].name) != 0)
				continue;
			ferry__error_set(err, FERRY_EINVALID,
				"file '%s' is given twice", files[i].name);
			ferry__error_hint(err,
				"each file of an embedded set is named once, "
				"as in a directory");
			return FERRY_EINVALID;
		}
	}
	return 0;
}

/* Each file's bytes into one block the set keeps, `copy[i]` its place. */
static int mem_copy(ferry_set *set, const ferry_mem_file *files, size_t nfiles,
	const char **copy, ferry_error *err)
{
	size_t i, total = 1;
	char *p;

	for (i = 0; i < nfiles; i++)
		total += files[i].size + 1;
	if (!(set->mem = p = ferry__malloc(total)))
		return ferry__error_oom(err);
	for (i = 0; i < nfiles; i++) {
		if (files[i].size)
			memcpy(p, files[i].data, files[i].size);
		p[files[i].size] = '\0';
		copy[i] = p;
		p += files[i].size + 1;
	}
	return 0;
}

static int mem_read(ferry_set *set, const ferry_mem_file *files, size_t nfiles,
	const char **copy, ferry__hasher *h, ferry__buf *text, ferry_error *err)
{
	static const char sub[] = "repeatable/";
	size_t i, alloc = 0, rep_alloc = 0, rel = nfiles;
	int rc;

	for (i = 0; i < nfiles; i++) {
		const char *name = files[i].name;
		ferry__migration *m;
		int64_t version;
		size_t digits;
		int kind;

		if (strcmp(name, "releases") == 0) {
			rel = i;
			continue;
		}
		if (strncmp(name, sub, sizeof(sub) - 1) == 0) {
			if ((rc = ferry__repeatable_mem(set, &rep_alloc,
				     name + sizeof(sub) - 1, copy[i],
				     files[i].size, h, text, err)) < 0)
				return rc;
			continue;
		}
		if ((kind = match_name(name, &version, &digits)) == 0)
			continue;
		if (kind < 0 || strchr(name, '/'))
			return bad_name("the embedded set", name, err);
		if (!(m = new_migration(set, &alloc)))
			return ferry__error_oom(err);
		m->pub.version = version;
		m->regular = 1;
		m->mem = copy[i];
		m->mem_len = files[i].size;
		if (name_migration(m, "", 0, name, digits) < 0)
			return ferry__error_oom(err);
		set->n++;
	}
	if (set->n == 0) {
		ferry__error_set(err, FERRY_EINVALID,
			"no migrations in the embedded set");
		ferry__error_hint(err,
			"give files named like a directory's, e.g. "
			"'0001_init.sql'");
		return FERRY_EINVALID;
	}
	qsort(set->migs, set->n, sizeof(*set->migs), cmp_version);
	if ((rc = check_duplicates(set, err)) < 0)
		return rc;
	for (i = 0; i < set->n; i++) {
		ferry__migration *m = &set->migs[i];

		if ((rc = ferry__format_read(m, text, m->sec, h, NULL, err)) <
			0)
			return rc;
		describe(m);
	}
	ferry__repeatables_sort(set);
	if (rel == nfiles)
		return 0;
	if ((rc = ferry__read_mem(copy[rel], files[rel].size, text, err)) < 0)
		return rc;
	return apply_releases(set, text->buf, text->len, "releases", err);
}

int ferry_set_open_mem(ferry_set **out, const ferry_mem_file *files,
	size_t nfiles, ferry_error *err)
{
	ferry__hasher h = { 0 };
	ferry__buf text = FERRY__BUF_INIT;
	const char **copy = NULL;
	ferry_set *set;
	int rc;

	if (out)
		*out = NULL;
	if (!out || (!files && nfiles))
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", out ? "files" : "out");
	if ((rc = mem_names(files, nfiles, err)) < 0)
		return rc;
	set = ferry__calloc(1, sizeof(*set));
	copy = ferry__calloc(nfiles + 1, sizeof(*copy));
	if (!set || !copy || !(set->dir = ferry__strdup(""))) {
		rc = ferry__error_oom(err);
		goto out;
	}
	set->format = FERRY_FORMAT_FERRY;
	ferry__hasher_init(&h);
	if ((rc = mem_copy(set, files, nfiles, copy, err)) < 0 ||
		(rc = mem_read(set, files, nfiles, copy, &h, &text, err)) < 0)
		goto out;
	*out = set;
	set = NULL;
out:
	free(copy);
	ferry__hasher_release(&h);
	ferry__buf_release(&text);
	ferry_set_free(set);
	return rc;
}

void ferry__loaded_release(ferry__loaded *f)
{
	free(f->params);
	free(f->text);
	memset(f, 0, sizeof(*f));
}

int ferry__migration_load(const ferry__migration *m, ferry__hasher *h,
	ferry__loaded *out, ferry_error *err)
{
	ferry__buf text = FERRY__BUF_INIT;
	int rc, k;

	memset(out, 0, sizeof(*out));
	rc = ferry__format_read(m, &text, out->sec, h, NULL, err);
	out->len = text.len;
	out->text = ferry__buf_detach(&text);
	if (rc == 0 && !out->text)
		rc = ferry__error_oom(err);
	for (k = 0; rc == 0 && k < FERRY__NSECTIONS; k++) {
		const ferry__section *now = &out->sec[k], *then = &m->sec[k];

		if (now->present == then->present &&
			now->no_transaction == then->no_transaction &&
			now->confirm == then->confirm &&
			memcmp(now->sha, then->sha, 32) == 0)
			continue;
		rc = ferry__error_set(err, FERRY_EINVALID,
			"'%s' changed while ferry was running", m->pub.path);
		ferry__error_hint(err, "run the command again");
		/*
		 * Or the set cache said otherwise than the file: only an
		 * optimisation, so it goes, and the next run reads the file.
		 */
		if (m->cache_file)
			(void)unlink(m->cache_file);
	}
	if (rc < 0)
		ferry__loaded_release(out);
	return rc;
}

/* A section's text as it runs: with `db`, its parameters put in. */
static int section_sql(char **out, int *line, ferry_db *db,
	const ferry_set *set, const ferry_migration *pub, const char *section,
	ferry_error *err)
{
	const ferry__migration *m;
	ferry__buf put = FERRY__BUF_INIT;
	ferry__loaded f;
	ferry__hasher h;
	int k, rc;

	if (out)
		*out = NULL;
	if (!out || !line || !set || !pub || !section)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_migration_sql needs out, line, set, migration "
			"and section");
	m = pub->repeatable ? NULL : ferry__set_find(set, pub->version);
	for (k = 0; pub->repeatable && k < (int)set->nreps; k++)
		if (&set->reps[k].pub == pub)
			m = &set->reps[k];
	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (strcmp(section, ferry__section_names[k]) == 0)
			break;
	if (m != FERRY__MIG(pub) || k == FERRY__NSECTIONS || !m->sec[k].present)
		return ferry__error_set(err, FERRY_EINVALID,
			"migration '%s' has no %s section", pub->id, section);
	if (m->code) {
		*line = 0;
		*out = ferry__strdup("-- written in C: the function the "
				     "application gave ferry_set_add_code()\n");
		return *out ? 0 : ferry__error_oom(err);
	}
	ferry__hasher_init(&h);
	rc = ferry__migration_load(m, &h, &f, err);
	ferry__hasher_release(&h);
	if (rc == 0 && db && (rc = ferry__params_bind(db, m, &f, err)) == 0) {
		ferry__src src = { m->pub.path, f.sec[k].line, 1 };

		rc = ferry__params_apply(&f, f.text + f.sec[k].offset,
			f.sec[k].len, &src, 1, &put, err);
	}
	if (rc < 0) {
		ferry__buf_release(&put);
		ferry__loaded_release(&f);
		return rc;
	}
	*line = f.sec[k].line;
	if (rc > 0) {
		*out = ferry__buf_detach(&put);
		ferry__loaded_release(&f);
		return *out ? 0 : ferry__error_oom(err);
	}
	/* The section, moved to the start of the buffer it lives in. */
	memmove(f.text, f.text + f.sec[k].offset, f.sec[k].len);
	f.text[f.sec[k].len] = '\0';
	*out = f.text;
	f.text = NULL;
	ferry__loaded_release(&f);
	return 0;
}

int ferry_migration_sql(char **out, int *line, const ferry_set *set,
	const ferry_migration *pub, const char *section, ferry_error *err)
{
	return section_sql(out, line, NULL, set, pub, section, err);
}

int ferry_migration_sql_params(char **out, int *line, ferry_db *db,
	const ferry_set *set, const ferry_migration *pub, const char *section,
	ferry_error *err)
{
	return section_sql(out, line, db, set, pub, section, err);
}

/*
 * ferry new
 */

static int name_valid(const char *name)
{
	const char *p;

	if (!*name || strlen(name) > 200)
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

/* Newest version in `dir`, the digits of its name, and whether `v` exists. */
static int newest_version(
	const char *dir, int64_t *max, size_t *width, ferry_error *err)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc;

	*max = 0;
	*width = 0;
	if ((rc = open_dir(&d, dir, &st, err)) < 0)
		return rc;
	while ((de = readdir(d)) != NULL) {
		int64_t v;
		size_t digits;

		if (de->d_name[0] == '.' ||
			match_name(de->d_name, &v, &digits) != 1)
			continue;
		if (v >= *max) {
			*max = v;
			*width = digits;
		}
	}
	closedir(d);
	return 0;
}

/*
 * A ferry file in another tool's set would mix two formats: the next read
 * could not tell which the set is in. A directory that cannot be read is
 * left for newest_version() to report.
 */
static int refuse_foreign(const char *dir, ferry_error *err)
{
	ferry_format f = FERRY_FORMAT_FERRY;

	if (ferry__format_detect(dir, &f, NULL) < 0 || f == FERRY_FORMAT_FERRY)
		return 0;
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' holds a %s set; 'ferry new' writes ferry's format", dir,
		ferry_format_name(f));
	ferry__error_hint(err,
		"write the new migration as %s names them: ferry reads it "
		"in place",
		ferry_format_name(f));
	return FERRY_EINVALID;
}

/* The first line names the migration after a word of its own: a comment
 * whose first word is "ferry" would read as a misspelt marker. */
static const char template_text[] =
	"-- Migration %s\n"
	"--\n"
	"-- Say what this migration changes and why. The up section must keep\n"
	"-- the release running now working; put what drops data in a\n"
	"-- '-- ferry:finish' section, run once the old release is gone.\n"
	"-- ferry:up\n" FERRY__TEMPLATE_PLACEHOLDER "\n"
	"\n"
	"-- ferry:down\n"
	"\n";

int ferry_migration_new(char **out, const char *dir, const char *name, int seq,
	ferry_error *err)
{
	int64_t max, v;
	size_t width;
	char stamp[32];
	ferry__buf path = FERRY__BUF_INIT;
	FILE *f;
	int rc, fd, tries;

	if (!out || !dir || !name)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_migration_new needs out, dir and name");
	*out = NULL;
	if (!name_valid(name)) {
		ferry__error_set(err, FERRY_EINVALID,
			"invalid migration name '%s'", name);
		ferry__error_hint(err,
			"use letters, digits, '_' and '-', e.g. 'add_users'");
		return FERRY_EINVALID;
	}
	if ((rc = refuse_foreign(dir, err)) < 0 ||
		(rc = newest_version(dir, &max, &width, err)) < 0)
		return rc;
	if (seq) {
		v = max + 1;
		if (width == 14 && max >= 19700101000000LL) {
			ferry__error_set(err, FERRY_EINVALID,
				"the newest version, %lld, is a timestamp",
				(long long)max);
			ferry__error_hint(err,
				"keep using timestamps: run 'ferry new' "
				"without --seq");
			return FERRY_EINVALID;
		}
	} else {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
		v = strtoll(stamp, NULL, 10);
		/* Never write a version older than one already there. */
		if (v <= max)
			v = max + 1;
		width = 14;
	}
	for (tries = 0; tries < 100; tries++, v++) {
		ferry__buf_puts(&path, dir);
		if (path.len && path.buf[path.len - 1] != '/')
			ferry__buf_puts(&path, "/");
		ferry__buf_printf(&path, "%0*lld_%s.sql",
			(int)(width ? width : 4), (long long)v, name);
		if (path.oom) {
			ferry__buf_release(&path);
			return ferry__error_oom(err);
		}
		fd = open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0644);
		if (fd >= 0 || errno != EEXIST)
			break;
		ferry__buf_release(&path);
	}
	if (fd < 0) {
		rc = ferry__error_os(
			err, FERRY_ERROR, "create", ferry__buf_cstr(&path));
		ferry__buf_release(&path);
		return rc;
	}
	f = fdopen(fd, "w");
	if (!f || fprintf(f, template_text, name) < 0 || fclose(f) != 0) {
		rc = ferry__error_os(err, FERRY_ERROR, "write", path.buf);
		if (!f)
			close(fd);
		unlink(path.buf);
		ferry__buf_release(&path);
		return rc;
	}
	*out = ferry__buf_detach(&path);
	return *out ? 0 : ferry__error_oom(err);
}
