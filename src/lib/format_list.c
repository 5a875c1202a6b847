/* SPDX-License-Identifier: MIT */
/*
 * format_list.c - the migrations of a set in another tool's layout: which
 * names are migrations, their versions, and which file holds the down
 * part. Each tool's naming, from its documentation and source:
 *
 *   golang-migrate  N_name.up.sql, N_name.down.sql
 *   sqlx            N_desc.sql, or N_desc.up.sql and N_desc.down.sql
 *   goose           N_name.sql (N_name.go: a Go migration, refused)
 *   dbmate          N<anything>.sql
 *   sql-migrate     any .sql file; ferry needs its leading digits
 *   flyway          V<ver>__desc.sql, U<ver>__desc.sql (its undo),
 *                   R__desc.sql (repeatable); ver "1", "1.2", "1_2"
 *   diesel          <ver>_<name>/up.sql and down.sql; ver digits and
 *                   dashes ("2017-11-09-185015"), dashes dropped
 *   prisma          <ver>_<name>/migration.sql; no down
 *
 * A down file of a version no up file has is an error, as is a .sql file
 * the layout does not name: nothing is silently left out.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { ROLE_UP, ROLE_DOWN, ROLE_REPEATABLE };

/* One name of the directory that is part of the set. */
typedef struct {
	char *entry;	/* the directory entry */
	int role;	/* ROLE_* */
	size_t id_len;	/* the id: entry[0, id_len) */
	size_t ver_at;	/* the version's text: entry[ver_at, +ver_len) */
	size_t ver_len; /* 0 for a repeatable migration */
	size_t name_at; /* the name: entry[name_at, +name_len) */
	size_t name_len;
	int dir; /* diesel, prisma: a directory */
} entry;

typedef struct {
	entry *v;
	size_t n, alloc;
} entries;

static void entries_clear(entries *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].entry);
	free(e->v);
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n > m && memcmp(s + n - m, suffix, m) == 0;
}

static size_t leading_digits(const char *s)
{
	size_t i = 0;

	while (isdigit((unsigned char)s[i]))
		i++;
	return i;
}

static int is_dir(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		(int)sizeof(path))
		return 0;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* N_name.up.sql / .down.sql (golang-migrate, sqlx); N_desc.sql (sqlx). */
static int match_updown(entry *e, size_t n, int simple_too)
{
	const char *s = e->entry;
	size_t d = leading_digits(s);

	if (d == 0 || s[d] != '_')
		return -1;
	e->ver_at = 0;
	e->ver_len = d;
	e->name_at = d + 1;
	if (ends_with(s, n, ".up.sql")) {
		e->id_len = n - 7;
	} else if (ends_with(s, n, ".down.sql")) {
		e->id_len = n - 9;
		e->role = ROLE_DOWN;
	} else if (simple_too) {
		e->id_len = n - 4;
	} else {
		return -1;
	}
	if (e->id_len < d + 1)
		return -1;
	e->name_len = e->id_len - e->name_at;
	return 1;
}

/* N_name.sql (goose), N<anything>.sql (dbmate, sql-migrate). */
static int match_single(entry *e, size_t n, int underscore)
{
	const char *s = e->entry;
	size_t d = leading_digits(s);

	if (d == 0 || (underscore && s[d] != '_'))
		return -1;
	e->ver_len = d;
	e->id_len = n - 4;
	e->name_at = d < e->id_len && (s[d] == '_' || s[d] == '-') ? d + 1 : d;
	e->name_len = e->id_len - e->name_at;
	return 1;
}

/* V<ver>__desc.sql, U<ver>__desc.sql, R__desc.sql. */
static int match_flyway(entry *e, size_t n)
{
	const char *s = e->entry, *sep = strstr(s, "__");

	if (!sep || (size_t)(sep - s) + 2 > n - 4)
		return -1;
	e->id_len = n - 4;
	e->name_at = (size_t)(sep - s) + 2;
	e->name_len = e->id_len - e->name_at;
	if (s[0] == 'R' && sep == s + 1) {
		e->role = ROLE_REPEATABLE;
		return e->name_len ? 1 : -1;
	}
	if ((s[0] != 'V' && s[0] != 'U') || sep == s + 1)
		return -1;
	e->role = s[0] == 'U' ? ROLE_DOWN : ROLE_UP;
	e->ver_at = 1;
	e->ver_len = (size_t)(sep - s) - 1;
	return 1;
}

/* <ver>_<name>/ (diesel: ver of digits and dashes; prisma: digits). */
static int match_dir(entry *e, size_t n, int dashes)
{
	const char *s = e->entry;
	size_t i = 0;

	while (isdigit((unsigned char)s[i]) || (dashes && s[i] == '-'))
		i++;
	if (i == 0 || s[i] != '_' || i + 1 >= n)
		return -1;
	e->ver_len = i;
	e->id_len = n;
	e->name_at = i + 1;
	e->name_len = n - i - 1;
	e->dir = 1;
	return 1;
}

/* 1: part of the set; 0: not a migration (ignored); -1: a bad name. */
static int match(ferry_format f, const char *dir, entry *e)
{
	const char *s = e->entry;
	size_t n = strlen(s);
	int sql = ends_with(s, n, ".sql");

	e->role = ROLE_UP;
	switch (f) {
	case FERRY_FORMAT_GOLANG_MIGRATE:
		return sql ? match_updown(e, n, 0) : 0;
	case FERRY_FORMAT_SQLX:
		return sql ? match_updown(e, n, 1) : 0;
	case FERRY_FORMAT_GOOSE:
		if (ends_with(s, n, ".go") && leading_digits(s))
			return -1;
		return sql ? match_single(e, n, 1) : 0;
	case FERRY_FORMAT_DBMATE:
	case FERRY_FORMAT_SQL_MIGRATE:
		return sql ? match_single(e, n, 0) : 0;
	case FERRY_FORMAT_FLYWAY:
		return sql ? match_flyway(e, n) : 0;
	case FERRY_FORMAT_DIESEL:
	case FERRY_FORMAT_PRISMA:
		if (sql)
			return -1;
		if (!is_dir(dir, s) || strcmp(s, "repeatable") == 0)
			return 0;
		return match_dir(e, n, f == FERRY_FORMAT_DIESEL);
	default:
		return 0;
	}
}

static const char *naming(ferry_format f)
{
	switch (f) {
	case FERRY_FORMAT_GOLANG_MIGRATE:
		return "<version>_<name>.up.sql and <version>_<name>.down.sql";
	case FERRY_FORMAT_SQLX:
		return "<version>_<description>.sql, or .up.sql and .down.sql";
	case FERRY_FORMAT_GOOSE:
		return "<version>_<name>.sql";
	case FERRY_FORMAT_FLYWAY:
		return "V<version>__<description>.sql, U<version>__... or "
		       "R__<description>.sql";
	case FERRY_FORMAT_DIESEL:
		return "a directory <version>_<name>/ holding up.sql";
	case FERRY_FORMAT_PRISMA:
		return "a directory <timestamp>_<name>/ holding migration.sql";
	default:
		return "<version>_<name>.sql";
	}
}

static int bad_name(const ferry_set *set, const char *name, ferry_error *err)
{
	if (set->format == FERRY_FORMAT_GOOSE &&
		ends_with(name, strlen(name), ".go")) {
		ferry__error_set(err, FERRY_EINVALID,
			"'%s' is a goose migration written in Go, which ferry "
			"cannot run",
			name);
		ferry__error_hint(err,
			"write it as SQL, or as a code migration "
			"(ferry_set_add_code) in the application");
		return FERRY_EINVALID;
	}
	/* Flyway's callbacks: beforeMigrate.sql, afterEachMigrate.sql, ... */
	if (set->format == FERRY_FORMAT_FLYWAY &&
		(strncmp(name, "before", 6) == 0 ||
			strncmp(name, "after", 5) == 0)) {
		ferry__error_set(err, FERRY_EINVALID,
			"'%s' is a Flyway callback, which ferry does not run",
			name);
		ferry__error_hint(err,
			"move it out of '%s'; what it must do before or after "
			"a run belongs in a migration or in the deployment",
			set->dir);
		return FERRY_EINVALID;
	}
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' is not a valid %s migration name", name,
		ferry_format_name(set->format));
	ferry__error_hint(err, "name it %s, or move it out of '%s'",
		naming(set->format), set->dir);
	return FERRY_EINVALID;
}

static int read_entries(const ferry_set *set, entries *out, ferry_error *err)
{
	struct dirent *de;
	DIR *d = opendir(set->dir);
	int rc = 0;

	if (!d)
		return ferry__error_os(err, FERRY_EINVALID,
			"read migration directory", set->dir);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		entry e;
		int kind;

		if (de->d_name[0] == '.')
			continue;
		memset(&e, 0, sizeof(e));
		e.entry = de->d_name;
		kind = match(set->format, set->dir, &e);
		if (kind == 0)
			continue;
		if (kind < 0) {
			rc = bad_name(set, de->d_name, err);
			break;
		}
		if (FERRY__GROW(out->v, out->alloc, out->n + 1, 64) < 0 ||
			!(e.entry = ferry__strdup(de->d_name))) {
			rc = ferry__error_oom(err);
			break;
		}
		out->v[out->n++] = e;
	}
	closedir(d);
	return rc;
}

/* The version's text as the tool shows it: Flyway's "1_2" as "1.2". */
static void version_text(
	char *out, size_t size, ferry_format f, const entry *e, int64_t v)
{
	size_t i;

	if (f != FERRY_FORMAT_FLYWAY || e->ver_len >= size) {
		snprintf(out, size, "%lld", (long long)v);
		return;
	}
	for (i = 0; i < e->ver_len; i++)
		out[i] = e->entry[e->ver_at + i] == '_'
			? '.'
			: e->entry[e->ver_at + i];
	out[i] = '\0';
}

static int bad_version(const ferry_set *set, const entry *e, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' has a version ferry cannot hold: '%.*s'", e->entry,
		(int)e->ver_len, e->entry + e->ver_at);
	if (set->format == FERRY_FORMAT_FLYWAY)
		ferry__error_hint(err,
			"dotted versions take up to 5 parts, the first of up "
			"to 6 digits, the others of up to 3");
	else
		ferry__error_hint(err, "a version is 1 to 18 digits");
	return FERRY_EINVALID;
}

/* The version of `e`, dashes (diesel) left out. */
static int version_of(const entry *e, int dotted, int64_t *v, int *parts)
{
	char text[64];
	size_t i, n = 0;

	for (i = 0; i < e->ver_len && n < sizeof(text); i++)
		if (e->entry[e->ver_at + i] != '-')
			text[n++] = e->entry[e->ver_at + i];
	if (i < e->ver_len)
		return -1;
	return ferry__format_version(text, n, dotted, v, parts);
}

/* path, id, name and version text in one block, freed with the path. */
static int name_migration(ferry__migration *m, const ferry_set *set,
	const entry *e, const char *file, const char *vt)
{
	ferry__buf b = FERRY__BUF_INIT;
	size_t dl = strlen(set->dir), at_id, at_name, at_vt;
	char *p;

	ferry__buf_put(&b, set->dir, dl);
	if (dl && set->dir[dl - 1] != '/')
		ferry__buf_puts(&b, "/");
	ferry__buf_puts(&b, e->entry);
	if (file)
		ferry__buf_printf(&b, "/%s", file);
	ferry__buf_put(&b, "", 1);
	at_id = b.len;
	ferry__buf_put(&b, e->entry, e->id_len);
	ferry__buf_put(&b, "", 1);
	at_name = b.len;
	ferry__buf_put(&b, e->entry + e->name_at, e->name_len);
	ferry__buf_put(&b, "", 1);
	at_vt = b.len;
	ferry__buf_puts(&b, vt);
	if (!(p = ferry__buf_detach(&b)))
		return -1;
	m->pub.path = p;
	m->pub.id = p + at_id;
	m->pub.name = p + at_name;
	m->pub.version_text = p + at_vt;
	m->format = set->format;
	return 0;
}

static int cmp_version(const void *a, const void *b)
{
	const ferry__migration *x = a, *y = b;

	if (x->pub.version != y->pub.version)
		return x->pub.version < y->pub.version ? -1 : 1;
	return strcmp(x->pub.id, y->pub.id);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const ferry__migration *)a)->pub.name,
		((const ferry__migration *)b)->pub.name);
}

static const char *base(const ferry_set *set, const char *path)
{
	size_t n = strlen(set->dir);

	return strncmp(path, set->dir, n) == 0 && path[n] == '/' ? path + n + 1
								 : path;
}

static int duplicate(const ferry_set *set, const char *a, const char *b,
	const char *vt, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID,
		"duplicate version %s: '%s' and '%s'", vt, base(set, a),
		base(set, b));
	ferry__error_hint(err, "give one of them a new version");
	return FERRY_EINVALID;
}

/* The file inside a directory migration, or NULL for a file's own. */
static const char *up_file(ferry_format f)
{
	return f == FERRY_FORMAT_DIESEL	   ? "up.sql"
		: f == FERRY_FORMAT_PRISMA ? "migration.sql"
					   : NULL;
}

static int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Diesel: `down.sql` beside `up.sql`, when there is one. */
static int dir_down(ferry__migration *m, ferry_error *err)
{
	size_t n = strlen(m->pub.path);
	ferry__buf b = FERRY__BUF_INIT;

	ferry__buf_put(&b, m->pub.path, n - strlen("up.sql"));
	ferry__buf_puts(&b, "down.sql");
	if (b.oom)
		return ferry__error_oom(err);
	if (path_exists(b.buf))
		m->pub.down_path = m->down_path = ferry__buf_detach(&b);
	else
		ferry__buf_release(&b);
	return 0;
}

static int add_migration(ferry_set *set, size_t *alloc, const entry *e,
	int dotted, ferry_error *err)
{
	ferry__migration *m;
	char vt[64];
	int64_t v = 0;

	if (e->role != ROLE_REPEATABLE && version_of(e, dotted, &v, NULL) < 0)
		return bad_version(set, e, err);
	if (e->role == ROLE_REPEATABLE) {
		if (FERRY__GROW(set->reps, *alloc, set->nreps + 1, 8) < 0)
			return ferry__error_oom(err);
		m = &set->reps[set->nreps];
		memset(m, 0, sizeof(*m));
		if (name_migration(m, set, e, NULL, "") < 0)
			return ferry__error_oom(err);
		m->pub.repeatable = 1;
		set->nreps++;
		return 0;
	}
	if (FERRY__GROW(set->migs, *alloc, set->n + 1, 64) < 0)
		return ferry__error_oom(err);
	m = &set->migs[set->n];
	memset(m, 0, sizeof(*m));
	m->pub.version = v;
	version_text(vt, sizeof(vt), set->format, e, v);
	if (name_migration(m, set, e, up_file(set->format), vt) < 0)
		return ferry__error_oom(err);
	set->n++;
	if (e->dir && !path_exists(m->pub.path)) {
		ferry__error_set(err, FERRY_EINVALID,
			"migration directory '%s' has no '%s'", e->entry,
			up_file(set->format));
		ferry__error_hint(err, "write it, or move '%s' out of '%s'",
			e->entry, set->dir);
		return FERRY_EINVALID;
	}
	if (set->format == FERRY_FORMAT_DIESEL)
		return dir_down(m, err);
	return 0;
}

/* A down file goes with the up file of its version. */
static int add_down(
	ferry_set *set, const entry *e, int dotted, ferry_error *err)
{
	ferry__migration *m;
	ferry__buf b = FERRY__BUF_INIT;
	size_t dl = strlen(set->dir);
	int64_t v;

	if (version_of(e, dotted, &v, NULL) < 0)
		return bad_version(set, e, err);
	m = (ferry__migration *)ferry__set_find(set, v);
	ferry__buf_put(&b, set->dir, dl);
	if (dl && set->dir[dl - 1] != '/')
		ferry__buf_puts(&b, "/");
	ferry__buf_puts(&b, e->entry);
	if (b.oom)
		return ferry__error_oom(err);
	if (!m) {
		ferry__error_set(err, FERRY_EINVALID,
			"'%s' has no up migration of its version", e->entry);
		ferry__error_hint(err,
			set->format == FERRY_FORMAT_FLYWAY
				? "an undo script U<version>__... needs its "
				  "V<version>__... script"
				: "a .down.sql file needs its .up.sql file "
				  "of the same version");
		ferry__buf_release(&b);
		return FERRY_EINVALID;
	}
	if (m->down_path) {
		int rc = duplicate(
			set, m->down_path, b.buf, m->pub.version_text, err);

		ferry__buf_release(&b);
		return rc;
	}
	m->pub.down_path = m->down_path = ferry__buf_detach(&b);
	return 0;
}

int ferry__format_scan(ferry_set *set, ferry_error *err)
{
	entries es = { NULL, 0, 0 };
	size_t i, alloc = 0, ralloc = 0;
	int rc, dotted = 0;

	if ((rc = read_entries(set, &es, err)) < 0)
		goto out;
	for (i = 0; set->format == FERRY_FORMAT_FLYWAY && i < es.n; i++) {
		int parts = 1;
		int64_t v;

		if (es.v[i].role != ROLE_REPEATABLE &&
			version_of(&es.v[i], 1, &v, &parts) == 0 && parts > 1)
			dotted = 1;
	}
	for (i = 0; rc == 0 && i < es.n; i++)
		if (es.v[i].role != ROLE_DOWN)
			rc = add_migration(set,
				es.v[i].role == ROLE_REPEATABLE ? &ralloc
								: &alloc,
				&es.v[i], dotted, err);
	if (rc < 0)
		goto out;
	qsort(set->migs, set->n, sizeof(*set->migs), cmp_version);
	if (set->nreps > 1)
		qsort(set->reps, set->nreps, sizeof(*set->reps), cmp_name);
	for (i = 1; i < set->n; i++)
		if (set->migs[i - 1].pub.version == set->migs[i].pub.version) {
			rc = duplicate(set, set->migs[i - 1].pub.path,
				set->migs[i].pub.path,
				set->migs[i].pub.version_text, err);
			goto out;
		}
	for (i = 1; i < set->nreps; i++)
		if (strcmp(set->reps[i - 1].pub.name, set->reps[i].pub.name) ==
			0) {
			rc = ferry__error_set(err, FERRY_EINVALID,
				"two repeatable migrations named '%s'",
				set->reps[i].pub.name);
			goto out;
		}
	for (i = 0; rc == 0 && i < es.n; i++)
		if (es.v[i].role == ROLE_DOWN)
			rc = add_down(set, &es.v[i], dotted, err);
out:
	entries_clear(&es);
	return rc;
}
