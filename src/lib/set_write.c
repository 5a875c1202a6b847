/* SPDX-License-Identifier: MIT */
/*
 * set_write.c - a set written out as ferry's own files (`ferry import
 * --from FORMAT SRC DEST`), for a team leaving another tool's format.
 *
 * Each migration becomes `<version>_<name>.sql` with the same version, so
 * that `ferry adopt` still maps the other tool's ledger onto it, and its
 * sections under ferry's markers, their text as the set cuts it. The
 * repeatable migrations go to `repeatable/`, the releases to `releases`.
 * Everything is written into a new directory beside `dest`, read back as
 * a ferry set and checked, and only then renamed to `dest`: a failure
 * leaves nothing half written.
 */
#include "ferry_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A name part ferry's file names take: letters, digits, '_' and '-'. */
static void put_name(ferry__buf *b, const char *name)
{
	const char *p;

	for (p = name; *p; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-';

		ferry__buf_put(b, ok ? &c : "_", 1);
	}
	if (!*name)
		ferry__buf_puts(b, "migration");
}

static int write_file(
	const char *path, const ferry__buf *text, ferry_error *err)
{
	FILE *f;
	int ok;

	if (text->oom)
		return ferry__error_oom(err);
	if (!(f = fopen(path, "wx")))
		return ferry__error_os(err, FERRY_ERROR, "create", path);
	ok = fwrite(text->buf, 1, text->len, f) == text->len;
	if (fclose(f) != 0 || !ok)
		return ferry__error_os(err, FERRY_ERROR, "write", path);
	return 0;
}

/* goose's and sql-migrate's block markers: one statement between them. */
static int block_marker(const char *line, size_t len)
{
	static const char *const words[] = { "-- +goose StatementBegin",
		"-- +goose StatementEnd", "-- +migrate StatementBegin",
		"-- +migrate StatementEnd" };
	size_t k;

	while (len > 0 &&
		(line[len - 1] == ' ' || line[len - 1] == '\t' ||
			line[len - 1] == '\r'))
		len--;
	for (k = 0; k < sizeof(words) / sizeof(*words); k++)
		if (strlen(words[k]) == len && memcmp(line, words[k], len) == 0)
			return 1 + (int)(k % 2); /* 1 begin, 2 end */
	return 0;
}

/* Is `text` one statement as one engine or the other splits it? */
static int one_statement(const char *text, size_t len)
{
	ferry__dialect d[2] = { FERRY__DIALECT_PG, FERRY__DIALECT_SQLITE };
	ferry__split_error serr = { 0, NULL, NULL };
	size_t k;

	for (k = 0; k < 2; k++) {
		ferry__spans sp = { NULL, 0, 0 };
		int one = ferry__split(&sp, text, len, d[k], &serr) == 0 &&
			sp.n <= 1;

		ferry__spans_clear(&sp);
		if (one)
			return 1;
	}
	return 0;
}

/*
 * The section's text without the block markers, which ferry's format does
 * not have: ferry's splitter must then find each block one statement on
 * its own (a dollar-quoted body, a trigger's BEGIN ... END), else it is
 * refused rather than run cut at its ';'.
 */
static int put_body(ferry__buf *b, const char *sql, const ferry_migration *m,
	int line, ferry_error *err)
{
	const char *p = sql, *block = NULL;
	int at = line, block_line = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int mark = block_marker(p, len);

		if (mark == 2 && block &&
			!one_statement(block, (size_t)(p - block))) {
			ferry__error_set(err, FERRY_EINVALID,
				"the StatementBegin block of '%s' would be cut "
				"at its ';' in ferry's format",
				m->id);
			ferry__error_hint(err,
				"make it one statement ferry can tell (a "
				"dollar-quoted body), or import it by hand");
			ferry__error_at(err, m->path, block_line, 1);
			return FERRY_EINVALID;
		}
		if (mark == 1) {
			block = nl ? nl + 1 : p + len;
			block_line = at;
		} else if (mark == 2) {
			block = NULL;
		} else {
			ferry__buf_put(b, p, len);
			ferry__buf_puts(b, "\n");
		}
		at++;
		p = nl ? nl + 1 : p + len;
	}
	return 0;
}

/* One section under its marker, its text ending with a newline. */
static int put_section(ferry__buf *b, const ferry_set *set,
	const ferry_migration *m, const char *section, int notx, int confirm,
	ferry_error *err)
{
	char *sql = NULL;
	int line, rc;

	if ((rc = ferry_migration_sql(&sql, &line, set, m, section, err)) < 0)
		return rc;
	ferry__buf_printf(b, "-- ferry:%s%s%s\n", section,
		notx ? " no-transaction" : "", confirm ? " confirm" : "");
	rc = put_body(b, sql, m, line, err);
	free(sql);
	return rc;
}

static int write_migration(const ferry_set *set, const ferry_migration *m,
	const char *dir, ferry_error *err)
{
	ferry__buf path = FERRY__BUF_INIT, text = FERRY__BUF_INIT;
	int rc;

	if (m->code) {
		ferry__error_set(err, FERRY_EINVALID,
			"migration '%s' is written in C: it has no file to "
			"write",
			m->id);
		return FERRY_EINVALID;
	}
	ferry__buf_printf(&path, "%s/%lld_", dir, (long long)m->version);
	put_name(&path, m->name);
	ferry__buf_puts(&path, ".sql");
	ferry__buf_printf(&text, "-- %s, version %s, from %s\n", m->id,
		m->version_text, m->path);
	rc = put_section(
		&text, set, m, "up", m->up_no_transaction, m->up_confirm, err);
	if (rc == 0 && m->has_finish)
		rc = put_section(&text, set, m, "finish",
			m->finish_no_transaction, m->finish_confirm, err);
	if (rc == 0 && m->has_down)
		rc = put_section(&text, set, m, "down", m->down_no_transaction,
			m->down_confirm, err);
	if (rc == 0)
		rc = path.oom ? ferry__error_oom(err)
			      : write_file(path.buf, &text, err);
	ferry__buf_release(&path);
	ferry__buf_release(&text);
	return rc;
}

static int write_repeatable(const ferry_set *set, const ferry_migration *m,
	const char *dir, ferry_error *err)
{
	ferry__buf path = FERRY__BUF_INIT, text = FERRY__BUF_INIT;
	char *sql = NULL;
	int line, rc;

	if ((rc = ferry_migration_sql(&sql, &line, set, m, "up", err)) < 0)
		return rc;
	ferry__buf_printf(&path, "%s/repeatable/", dir);
	put_name(&path, m->name);
	ferry__buf_puts(&path, ".sql");
	ferry__buf_printf(&text, "-- %s, from %s\n%s", m->id, m->path, sql);
	free(sql);
	rc = path.oom ? ferry__error_oom(err)
		      : write_file(path.buf, &text, err);
	ferry__buf_release(&path);
	ferry__buf_release(&text);
	return rc;
}

static int write_releases(
	const ferry_set *set, const char *dir, ferry_error *err)
{
	ferry__buf path = FERRY__BUF_INIT, text = FERRY__BUF_INIT;
	size_t i;
	int rc;

	if (set->nreleases == 0)
		return 0;
	ferry__buf_printf(&path, "%s/releases", dir);
	ferry__buf_puts(&text,
		"# <release> <last-version> [checkpoint] "
		"[baseline]\n");
	for (i = 0; i < set->nreleases; i++) {
		const ferry_release *r = &set->releases[i].pub;

		ferry__buf_printf(&text, "%s %lld%s%s\n", r->name,
			(long long)r->last_version,
			r->checkpoint ? " checkpoint" : "",
			r->baseline ? " baseline" : "");
	}
	rc = path.oom ? ferry__error_oom(err)
		      : write_file(path.buf, &text, err);
	ferry__buf_release(&path);
	ferry__buf_release(&text);
	return rc;
}

/* Remove what this run wrote into `dir`, then `dir`. */
static void remove_tree(const char *dir)
{
	const char *sub[] = { "/repeatable", "" };
	size_t k;

	for (k = 0; k < sizeof(sub) / sizeof(*sub); k++) {
		ferry__buf d = FERRY__BUF_INIT;
		DIR *h;
		struct dirent *e;

		ferry__buf_printf(&d, "%s%s", dir, sub[k]);
		if (!d.oom && (h = opendir(d.buf))) {
			while ((e = readdir(h))) {
				ferry__buf f = FERRY__BUF_INIT;

				if (e->d_name[0] == '.')
					continue;
				ferry__buf_printf(
					&f, "%s/%s", d.buf, e->d_name);
				if (!f.oom)
					(void)unlink(f.buf);
				ferry__buf_release(&f);
			}
			closedir(h);
		}
		if (!d.oom)
			(void)rmdir(d.buf);
		ferry__buf_release(&d);
	}
}

/* `dest` must not exist, or be an empty directory (rename replaces it). */
static int dest_free(const char *dest, ferry_error *err)
{
	struct stat st;
	DIR *h;
	struct dirent *e;
	int empty = 1;

	if (lstat(dest, &st) < 0)
		return errno == ENOENT
			? 0
			: ferry__error_os(err, FERRY_ERROR, "stat", dest);
	if (S_ISDIR(st.st_mode) && (h = opendir(dest))) {
		while (empty && (e = readdir(h)))
			empty = strcmp(e->d_name, ".") == 0 ||
				strcmp(e->d_name, "..") == 0;
		closedir(h);
		if (empty)
			return 0;
	}
	ferry__error_set(err, FERRY_EINVALID, "'%s' already exists%s", dest,
		S_ISDIR(st.st_mode) ? " and is not empty" : "");
	ferry__error_hint(err,
		"name a new directory: nothing is written over what is there");
	return FERRY_EINVALID;
}

/* Read back, the set must be the same: versions, sections, releases. */
static int check_written(
	const ferry_set *set, const char *dir, ferry_error *err)
{
	ferry_set *back = NULL;
	size_t i;
	int rc;

	if ((rc = ferry_set_open(&back, dir, err)) < 0)
		return rc;
	for (i = 0; rc == 0 && i < set->n; i++) {
		const ferry_migration *a = &set->migs[i].pub;
		const ferry_migration *b =
			i < back->n ? &back->migs[i].pub : NULL;

		if (b && a->version == b->version &&
			a->has_finish == b->has_finish &&
			a->has_down == b->has_down &&
			a->up_no_transaction == b->up_no_transaction)
			continue;
		ferry__error_set(err, FERRY_EINVALID,
			"migration '%s' does not read back as written", a->id);
		ferry__error_hint(err,
			"its text holds a line ferry reads as a marker "
			"(-- ferry:...): edit that line in the source");
		rc = FERRY_EINVALID;
	}
	if (rc == 0 &&
		(back->n != set->n || back->nreps != set->nreps ||
			back->nreleases != set->nreleases))
		rc = ferry__error_set(err, FERRY_EINVALID,
			"the written set does not read back as the source");
	ferry_set_free(back);
	return rc;
}

int ferry_set_write(const ferry_set *set, const char *dest, ferry_error *err)
{
	ferry__buf tmp = FERRY__BUF_INIT;
	size_t i;
	int rc;

	if (!set || !dest || !*dest)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_set_write needs set and dest");
	if ((rc = dest_free(dest, err)) < 0)
		return rc;
	ferry__buf_printf(&tmp, "%s.ferry-tmp-%ld", dest, (long)getpid());
	if (tmp.oom)
		return ferry__error_oom(err);
	if (mkdir(tmp.buf, 0755) < 0) {
		rc = ferry__error_os(err, FERRY_ERROR, "create", tmp.buf);
		ferry__buf_release(&tmp);
		return rc;
	}
	if (set->nreps > 0) {
		ferry__buf rep = FERRY__BUF_INIT;

		ferry__buf_printf(&rep, "%s/repeatable", tmp.buf);
		if (rep.oom)
			rc = ferry__error_oom(err);
		else if (mkdir(rep.buf, 0755) < 0)
			rc = ferry__error_os(
				err, FERRY_ERROR, "create", rep.buf);
		ferry__buf_release(&rep);
	}
	for (i = 0; rc == 0 && i < set->n; i++)
		rc = write_migration(set, &set->migs[i].pub, tmp.buf, err);
	for (i = 0; rc == 0 && i < set->nreps; i++)
		rc = write_repeatable(set, &set->reps[i].pub, tmp.buf, err);
	if (rc == 0)
		rc = write_releases(set, tmp.buf, err);
	if (rc == 0)
		rc = check_written(set, tmp.buf, err);
	if (rc == 0 && rename(tmp.buf, dest) < 0)
		rc = ferry__error_os(err, FERRY_ERROR, "rename", tmp.buf);
	if (rc < 0)
		remove_tree(tmp.buf);
	ferry__buf_release(&tmp);
	return rc;
}
