/* SPDX-License-Identifier: MIT */
/*
 * format.c - the formats ferry reads a migration set in: their names, and
 * `auto`, which finds the layout from the directory.
 *
 * Names decide the family: Flyway's `V1__x.sql`/`U1__x.sql`/`R__x.sql`;
 * `N_x.up.sql`/`.down.sql` (golang-migrate, or sqlx when a file starts
 * with sqlx's `-- no-transaction`); a directory `<version>_<name>/` with
 * `migration.sql` (Prisma, which also leaves `migration_lock.toml`) or
 * `up.sql` (diesel); else single `N_x.sql` files, which their markers
 * tell apart: a set where any file has a `-- ferry:` marker is ferry's
 * (parse.c then names another tool's marker in it, where it stands), as
 * is one where a file without any marker (all `up`) stands beside
 * dbmate's, goose's or sql-migrate's, which mark every file; else
 * `-- +goose`, `-- +migrate` (sql-migrate), `-- migrate:` (dbmate) or
 * sqlx's `-- no-transaction` first line, one tool only. Two families, or two
 * tools' markers, in one directory are refused, naming a file of each (the
 * first by name, whatever order the directory lists them in).
 */
#include "ferry_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const names[] = {
	[FERRY_FORMAT_AUTO] = "auto",
	[FERRY_FORMAT_FERRY] = "ferry",
	[FERRY_FORMAT_GOLANG_MIGRATE] = "golang-migrate",
	[FERRY_FORMAT_DBMATE] = "dbmate",
	[FERRY_FORMAT_GOOSE] = "goose",
	[FERRY_FORMAT_FLYWAY] = "flyway",
	[FERRY_FORMAT_SQL_MIGRATE] = "sql-migrate",
	[FERRY_FORMAT_DIESEL] = "diesel",
	[FERRY_FORMAT_SQLX] = "sqlx",
	[FERRY_FORMAT_PRISMA] = "prisma",
};

#define NFORMATS (sizeof(names) / sizeof(names[0]))

const char *ferry_format_name(ferry_format format)
{
	return (unsigned)format < NFORMATS ? names[format] : NULL;
}

int ferry_format_parse(ferry_format *out, const char *name, ferry_error *err)
{
	size_t i;

	for (i = 0; name && out && i < NFORMATS; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (ferry_format)i;
			return 0;
		}
	}
	ferry__error_set(err, FERRY_EINVALID, "unknown format '%s'",
		name ? name : "(null)");
	ferry__error_hint(err,
		"use auto, ferry, golang-migrate, dbmate, goose, flyway, "
		"sql-migrate, diesel, sqlx or prisma");
	return FERRY_EINVALID;
}

ferry_format ferry_set_format(const ferry_set *set)
{
	return set ? set->format : FERRY_FORMAT_FERRY;
}

const char *ferry__section_path(const ferry__migration *m, int k)
{
	return k == FERRY__DOWN && m->down_path ? m->down_path : m->pub.path;
}

const char *ferry__format_no_txn_hint(const ferry__migration *m, int k)
{
	int down = k == FERRY__DOWN;

	switch (m->format) {
	case FERRY_FORMAT_DBMATE:
		return down
			? "add 'transaction:false' to its '-- migrate:down' "
			  "line"
			: "add 'transaction:false' to its '-- migrate:up' "
			  "line";
	case FERRY_FORMAT_GOOSE:
		return "add the line '-- +goose NO TRANSACTION' to the file";
	case FERRY_FORMAT_SQL_MIGRATE:
		return down
			? "add 'notransaction' to its '-- +migrate Down' "
			  "line"
			: "add 'notransaction' to its '-- +migrate Up' line";
	case FERRY_FORMAT_SQLX:
		return "make '-- no-transaction' the file's first line";
	case FERRY_FORMAT_DIESEL:
		return "write 'run_in_transaction = false' in the migration's "
		       "metadata.toml";
	case FERRY_FORMAT_FLYWAY:
		return "write 'executeInTransaction=false' in the script's "
		       "<script>.sql.conf file";
	default:
		return NULL;
	}
}

const char *ferry__format_down_hint(const ferry__migration *m)
{
	switch (m->format) {
	case FERRY_FORMAT_GOLANG_MIGRATE:
	case FERRY_FORMAT_SQLX:
		return "write its down file, <version>_<name>.down.sql";
	case FERRY_FORMAT_GOOSE:
		return "add a '-- +goose Down' section that undoes it";
	case FERRY_FORMAT_SQL_MIGRATE:
		return "add a '-- +migrate Down' section that undoes it";
	case FERRY_FORMAT_DBMATE:
		return "write what undoes it under its '-- migrate:down' line";
	case FERRY_FORMAT_FLYWAY:
		return "write its undo script, U<version>__<description>.sql";
	case FERRY_FORMAT_DIESEL:
		return "write its down.sql";
	case FERRY_FORMAT_PRISMA:
		return "a Prisma migration has no down part: undo it with a "
		       "new migration";
	default:
		return "add a '-- ferry:down' section that undoes its up "
		       "section";
	}
}

/* The layouts a directory may hold; one of them at most. */
enum { FAM_FLYWAY, FAM_UPDOWN, FAM_SINGLE, FAM_DIESEL, FAM_PRISMA, NFAMS };

static const char *const fam_names[NFAMS] = { "flyway",
	"golang-migrate or sqlx", "single .sql files", "diesel", "prisma" };

typedef struct {
	char first[NFAMS][256]; /* a name of each family found, or "" */
	/* Single files: the first name with each format's marker, or "". */
	char marked[FERRY_FORMAT_PRISMA + 1][256];
	int ferry;    /* a file has a ferry marker: no more to read */
	int unmarked; /* a file has no marker at all */
	int sqlx;     /* an .up.sql file starts "-- no-transaction" */
} findings;

static int digits_then(const char *s, char end)
{
	size_t i = 0;

	while (isdigit((unsigned char)s[i]))
		i++;
	return i > 0 && s[i] == end;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int is_flyway_name(const char *s)
{
	if (!ends_with(s, ".sql"))
		return 0;
	if (strncmp(s, "R__", 3) == 0)
		return 1;
	if ((s[0] != 'V' && s[0] != 'U') || !isdigit((unsigned char)s[1]))
		return 0;
	s++;
	while (isdigit((unsigned char)*s) || *s == '.' ||
		(*s == '_' && s[1] != '_'))
		s++;
	return s[0] == '_' && s[1] == '_';
}

/* Read the start of `path`, NUL-terminated, into buf; its length. */
static size_t peek(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return (size_t)n;
}

/* The first tool's marker at a line's start in `text`, else AUTO. */
static ferry_format marker_of(const char *text)
{
	const char *p = text;

	if (strncmp(text, "-- no-transaction", 17) == 0)
		return FERRY_FORMAT_SQLX;
	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p;

		if (q[0] != '-' || q[1] != '-')
			continue;
		q += 2;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "ferry:", 6) == 0)
			return FERRY_FORMAT_FERRY;
		if (strncmp(q, "+goose", 6) == 0)
			return FERRY_FORMAT_GOOSE;
		if (strncmp(q, "+migrate", 8) == 0)
			return FERRY_FORMAT_SQL_MIGRATE;
		if (strncmp(q, "migrate:", 8) == 0)
			return FERRY_FORMAT_DBMATE;
	}
	return FERRY_FORMAT_AUTO;
}

static int is_dir_with(const char *dir, const char *sub, const char *file)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, file) >=
		(int)sizeof(path))
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Keep the first of the names, by name. */
static void keep_first(char dst[256], const char *name)
{
	if (!dst[0] || strcmp(name, dst) < 0)
		snprintf(dst, 256, "%s", name);
}

static void found(findings *f, int fam, const char *name)
{
	keep_first(f->first[fam], name);
}

static void look_at(findings *f, const char *dir, const char *name)
{
	char path[4096], text[16384];

	if (strcmp(name, "migration_lock.toml") == 0) {
		found(f, FAM_PRISMA, name);
		return;
	}
	if (digits_then(name, '_') && !ends_with(name, ".sql")) {
		if (is_dir_with(dir, name, "migration.sql"))
			found(f, FAM_PRISMA, name);
		else if (is_dir_with(dir, name, "up.sql"))
			found(f, FAM_DIESEL, name);
		return;
	}
	if (digits_then(name, '-') && strchr(name, '_') &&
		is_dir_with(dir, name, "up.sql")) {
		found(f, FAM_DIESEL, name);
		return;
	}
	if (is_flyway_name(name)) {
		found(f, FAM_FLYWAY, name);
		return;
	}
	if (!ends_with(name, ".sql") || !isdigit((unsigned char)name[0]))
		return;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		(int)sizeof(path))
		return;
	if (digits_then(name, '_') &&
		(ends_with(name, ".up.sql") || ends_with(name, ".down.sql"))) {
		found(f, FAM_UPDOWN, name);
		if (!f->sqlx && peek(path, text, sizeof(text)) &&
			strncmp(text, "-- no-transaction", 17) == 0)
			f->sqlx = 1;
		return;
	}
	found(f, FAM_SINGLE, name);
	if (!f->ferry && peek(path, text, sizeof(text))) {
		ferry_format m = marker_of(text);

		if (m == FERRY_FORMAT_FERRY)
			f->ferry = 1;
		else if (m == FERRY_FORMAT_AUTO)
			f->unmarked = 1;
		else
			keep_first(f->marked[m], name);
	}
}

/* The single files' format: ferry's, or one tool's; -1 for two tools. */
static int single_format(
	const findings *f, ferry_format *out, const char *dir, ferry_error *err)
{
	int a = -1, b = -1, i;

	*out = FERRY_FORMAT_FERRY;
	if (f->ferry)
		return 0;
	/*
	 * dbmate, goose and sql-migrate mark every file; a file without a
	 * marker beside theirs is a ferry set's (all up), with a stray file
	 * that parse.c names. sqlx marks only some.
	 */
	if (f->unmarked &&
		(f->marked[FERRY_FORMAT_DBMATE][0] ||
			f->marked[FERRY_FORMAT_GOOSE][0] ||
			f->marked[FERRY_FORMAT_SQL_MIGRATE][0]))
		return 0;
	for (i = 0; i <= FERRY_FORMAT_PRISMA; i++) {
		if (!f->marked[i][0])
			continue;
		if (a < 0)
			a = i;
		else if (b < 0)
			b = i;
	}
	if (a < 0)
		return 0;
	if (b < 0) {
		*out = (ferry_format)a;
		return 0;
	}
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' mixes two tools' markers: %s ('%s') and %s ('%s')", dir,
		names[a], f->marked[a], names[b], f->marked[b]);
	ferry__error_hint(err,
		"keep one tool's files in a directory, or name the format "
		"with --format");
	return FERRY_EINVALID;
}

int ferry__format_detect(const char *dir, ferry_format *out, ferry_error *err)
{
	findings f;
	struct dirent *de;
	DIR *d = opendir(dir);
	int a = -1, b = -1, i;

	if (!d)
		return ferry__error_os(
			err, FERRY_EINVALID, "read migration directory", dir);
	memset(&f, 0, sizeof(f));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			look_at(&f, dir, de->d_name);
	closedir(d);
	for (i = 0; i < NFAMS; i++) {
		if (!f.first[i][0])
			continue;
		if (a < 0)
			a = i;
		else if (b < 0)
			b = i;
	}
	if (b >= 0) {
		ferry__error_set(err, FERRY_EINVALID,
			"'%s' mixes two layouts: %s ('%s') and %s ('%s')", dir,
			fam_names[a], f.first[a], fam_names[b], f.first[b]);
		ferry__error_hint(err,
			"keep one tool's files in a directory, or name the "
			"format with --format");
		return FERRY_EINVALID;
	}
	switch (a) {
	case FAM_FLYWAY:
		*out = FERRY_FORMAT_FLYWAY;
		break;
	case FAM_UPDOWN:
		*out = f.sqlx ? FERRY_FORMAT_SQLX : FERRY_FORMAT_GOLANG_MIGRATE;
		break;
	case FAM_DIESEL:
		*out = FERRY_FORMAT_DIESEL;
		break;
	case FAM_PRISMA:
		*out = FERRY_FORMAT_PRISMA;
		break;
	default:
		return single_format(&f, out, dir, err);
	}
	return 0;
}
