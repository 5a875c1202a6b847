/* SPDX-License-Identifier: MIT */
/*
 * releases.c - the `releases` file: product releases mapped onto the set.
 *
 * One line per release, oldest first: `<release> <last-version>
 * [checkpoint] [baseline]`; `#` starts a comment. A release name must not
 * be all digits, so that `--to` can tell a release from a version. The
 * one `baseline` release is where a squashed set starts: its migration
 * holds the schema that release leaves, and set.c checks there is none
 * older.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void ferry__releases_free(ferry__release *rel, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)rel[i].pub.name);
	free(rel);
}

static int bad_line(ferry_error *err, const char *path, int line,
	const char *hint, const char *fmt, const char *arg, int len)
{
	ferry__error_set(err, FERRY_EINVALID, fmt, len, arg);
	ferry__error_hint(err, "%s", hint);
	ferry__error_at(err, path, line, 0);
	return FERRY_EINVALID;
}

static int name_ok(const char *s, size_t n)
{
	size_t i;
	int digits_only = 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '+')
			return 0;
		if (!isdigit(c))
			digits_only = 0;
	}
	return !digits_only;
}

/* Split [p, end) into up to 4 blank-separated words; 5 if more. */
static int words(const char *p, const char *end, const char *w[4], size_t wl[4])
{
	int n = 0;

	while (p < end) {
		const char *q;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p >= end)
			break;
		q = p;
		while (q < end && *q != ' ' && *q != '\t' && *q != '\r')
			q++;
		if (n == 4)
			return 5;
		w[n] = p;
		wl[n++] = (size_t)(q - p);
		p = q;
	}
	return n;
}

static int parse_line(ferry__release *r, const char *p, const char *end,
	const char *path, int line, int dotted, ferry_error *err)
{
	static const char form[] = "each line is '<release> <last-version> "
				   "[checkpoint] [baseline]'";
	const char *w[4];
	size_t wl[4];
	int n = words(p, end, w, wl), i;

	if (n < 2)
		return bad_line(err, path, line, form,
			"release line '%.*s' has no version", p,
			(int)(end - p > 60 ? 60 : end - p));
	if (n > 4)
		return bad_line(err, path, line, form,
			"too many words on release line '%.*s'", p,
			(int)(end - p > 60 ? 60 : end - p));
	if (!name_ok(w[0], wl[0]))
		return bad_line(err, path, line,
			"a release name has letters, digits, '.', '_', '-' or "
			"'+', and not only digits (write '5.0', not '5')",
			"invalid release name '%.*s'", w[0],
			(int)(wl[0] > 60 ? 60 : wl[0]));
	/*
	 * Or a dotted version of a Flyway set, as `ferry release` writes it;
	 * set.c maps another tool's version by its text (vtext).
	 */
	if (wl[1] < sizeof(r->vtext)) {
		memcpy(r->vtext, w[1], wl[1]);
		r->vtext[wl[1]] = '\0';
	}
	if (ferry__parse_version(w[1], wl[1], &r->pub.last_version) < 0 &&
		(!dotted ||
			ferry__format_version(w[1], wl[1], 1,
				&r->pub.last_version, NULL) < 0))
		return bad_line(err, path, line,
			"a version is 1 to 18 digits, as in the migration "
			"file names",
			"invalid version '%.*s'", w[1],
			(int)(wl[1] > 60 ? 60 : wl[1]));
	for (i = 2; i < n; i++) {
		int *flag = wl[i] == 10 && !memcmp(w[i], "checkpoint", 10)
			? &r->pub.checkpoint
			: wl[i] == 8 && !memcmp(w[i], "baseline", 8)
			? &r->pub.baseline
			: NULL;

		if (!flag || *flag)
			return bad_line(err, path, line, form,
				flag ? "'%.*s' is given twice"
				     : "unknown word '%.*s' after the version",
				w[i], (int)(wl[i] > 60 ? 60 : wl[i]));
		*flag = 1;
	}
	r->line = line;
	r->pub.name = ferry__strndup(w[0], wl[0]);
	return r->pub.name ? 0 : ferry__error_oom(err);
}

/*
 * Duplicate names and versions that go back. Two releases may end at one
 * version: a patch release with no migration of its own (2.1.0, then
 * 2.1.0.1), whose migrations are the first one's.
 */
static int check_order(
	const ferry__release *rel, size_t n, const char *path, ferry_error *err)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (rel[i].pub.baseline && rel[j].pub.baseline) {
				ferry__error_set(err, FERRY_EINVALID,
					"release '%s' is a second baseline",
					rel[i].pub.name);
				ferry__error_hint(err,
					"a set starts at one baseline, '%s' "
					"at line %d: remove the older lines "
					"with their migrations, or this word",
					rel[j].pub.name, rel[j].line);
				ferry__error_at(err, path, rel[i].line, 0);
				return FERRY_EINVALID;
			}
			if (strcmp(rel[i].pub.name, rel[j].pub.name) != 0)
				continue;
			ferry__error_set(err, FERRY_EINVALID,
				"release '%s' is listed twice",
				rel[i].pub.name);
			ferry__error_hint(err, "the first one is at line %d",
				rel[j].line);
			ferry__error_at(err, path, rel[i].line, 0);
			return FERRY_EINVALID;
		}
		if (rel[i].pub.last_version < rel[i - 1].pub.last_version) {
			ferry__error_set(err, FERRY_EINVALID,
				"release '%s' ends at version %lld, before "
				"release '%s' (%lld)",
				rel[i].pub.name,
				(long long)rel[i].pub.last_version,
				rel[i - 1].pub.name,
				(long long)rel[i - 1].pub.last_version);
			ferry__error_hint(err,
				"list releases oldest first, each ending at the "
				"same migration as the one before or a newer "
				"one");
			ferry__error_at(err, path, rel[i].line, 0);
			return FERRY_EINVALID;
		}
	}
	return 0;
}

/*
 * A file that names a dotted version (a Flyway set's "1.2.10") names them
 * all as parts, "2" too, so that they compare as that set's versions do.
 */
static void dotted_all(ferry__release *rel, size_t n)
{
	size_t i;
	int dotted = 0;

	for (i = 0; i < n; i++)
		if (strpbrk(rel[i].vtext, "._"))
			dotted = 1;
	for (i = 0; dotted && i < n; i++)
		(void)ferry__format_version(rel[i].vtext, strlen(rel[i].vtext),
			1, &rel[i].pub.last_version, NULL);
}

static int parse_all(ferry__release **out, size_t *n, const char *text,
	size_t len, const char *path, int dotted, ferry_error *err)
{
	const char *p = text, *end = text + len;
	ferry__release *rel = NULL;
	size_t count = 0, alloc = 0;
	int line = 0, rc;

	*out = NULL;
	*n = 0;
	if ((p = memchr(text, '\0', len)) != NULL) {
		int l, c;

		ferry__text_pos(text, (size_t)(p - text), &l, &c);
		ferry__error_set(
			err, FERRY_EINVALID, "file contains a NUL byte");
		ferry__error_at(err, path, l, c);
		return FERRY_EINVALID;
	}
	p = text;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *hash;
		const char *q;

		line++;
		hash = memchr(p, '#', (size_t)(eol - p));
		if (hash)
			eol = hash;
		for (q = p; q < eol && isspace((unsigned char)*q); q++)
			;
		if (q < eol) {
			if (FERRY__GROW(rel, alloc, count + 1, 8) < 0) {
				rc = ferry__error_oom(err);
				goto fail;
			}
			memset(&rel[count], 0, sizeof(rel[count]));
			rc = parse_line(
				&rel[count], q, eol, path, line, dotted, err);
			if (rel[count].pub.name)
				count++;
			if (rc < 0)
				goto fail;
		}
		p = nl ? nl + 1 : end;
	}
	dotted_all(rel, count);
	if ((rc = check_order(rel, count, path, err)) < 0)
		goto fail;
	*out = rel;
	*n = count;
	return 0;
fail:
	ferry__releases_free(rel, count);
	return rc;
}

int ferry__releases_parse(ferry__release **out, size_t *n, const char *text,
	size_t len, const char *path, ferry_error *err)
{
	return parse_all(out, n, text, len, path, 0, err);
}

int ferry__releases_parse_dotted(ferry__release **out, size_t *n,
	const char *text, size_t len, const char *path, ferry_error *err)
{
	return parse_all(out, n, text, len, path, 1, err);
}

/* Does the file end without a newline? Then an appended line needs one. */
static int lacks_final_newline(int fd, const struct stat *st)
{
	char c;

	if (st->st_size == 0)
		return 0;
	return pread(fd, &c, 1, st->st_size - 1) == 1 && c != '\n';
}

/*
 * The file as it is now, under its lock, may have changed since the set
 * read it (another 'ferry release', or a second call on one set): the
 * release must still be new, and no line added since.
 */
static int still_new(int fd, const struct stat *st, const char *name,
	size_t seen, const char *path, ferry_error *err)
{
	ferry__release *rel = NULL;
	size_t n = 0, i;
	char *text;
	ssize_t got;
	int rc;

	if (!(text = ferry__malloc((size_t)st->st_size + 1)))
		return ferry__error_oom(err);
	got = pread(fd, text, (size_t)st->st_size, 0);
	if (got < 0) {
		free(text);
		return ferry__error_os(err, FERRY_ERROR, "read", path);
	}
	text[got] = '\0';
	/* Only names and lines count here, whatever the set's versions. */
	rc = ferry__releases_parse_dotted(
		&rel, &n, text, (size_t)got, path, err);
	free(text);
	for (i = 0; rc == 0 && i < n; i++) {
		if (strcmp(rel[i].pub.name, name) == 0 ||
			(i == n - 1 && n != seen)) {
			rc = ferry__error_set(err, FERRY_EINVALID,
				"'%s' changed while ferry was running", path);
			ferry__error_hint(err,
				"another 'ferry release' came first: see the "
				"file, and run the command again if need be");
		}
	}
	ferry__releases_free(rel, n);
	return rc;
}

int ferry_release_add(const ferry_set *set, const char *name, int checkpoint,
	ferry_error *err)
{
	const ferry_migration *head;
	ferry__buf line = FERRY__BUF_INIT, path = FERRY__BUF_INIT;
	struct stat st;
	size_t i;
	int fd, rc = 0;

	if (!set || !name)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_release_add needs set and name");
	if (!*name || !name_ok(name, strlen(name))) {
		ferry__error_set(
			err, FERRY_EINVALID, "invalid release name '%s'", name);
		ferry__error_hint(err,
			"use letters, digits, '.', '_', '-' and '+', not "
			"digits alone (those are versions)");
		return FERRY_EINVALID;
	}
	for (i = 0; i < set->nreleases; i++) {
		if (strcmp(set->releases[i].pub.name, name) != 0)
			continue;
		ferry__error_set(err, FERRY_EINVALID,
			"release '%s' already exists", name);
		ferry__error_hint(err,
			"it ends at version %lld; pick a new name",
			(long long)set->releases[i].pub.last_version);
		return FERRY_EINVALID;
	}
	/* No new migration since the last release: a patch release. */
	head = set->n ? &set->migs[set->n - 1].pub : NULL;
	if (!head) {
		ferry__error_set(err, FERRY_EINVALID, "no migration to tag");
		ferry__error_hint(err,
			"a release tags the newest migration; add one first "
			"with 'ferry new'");
		return FERRY_EINVALID;
	}
	if (set->mem) {
		ferry__error_set(err, FERRY_EINVALID,
			"an embedded set has no releases file to add to");
		ferry__error_hint(err,
			"add the release to the migration directory, then "
			"embed it again with 'ferry embed'");
		return FERRY_EINVALID;
	}
	ferry__buf_printf(&path, "%s/releases", set->dir);
	ferry__buf_printf(&line, "%s %s%s\n", name, head->version_text,
		checkpoint ? " checkpoint" : "");
	if (path.oom || line.oom) {
		rc = ferry__error_oom(err);
		goto out;
	}
	/* O_NONBLOCK and fstat: a FIFO put there since is refused. */
	fd = open(path.buf,
		O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = ferry__error_os(err, FERRY_ERROR, "open", path.buf);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = ferry__error_os(err, FERRY_ERROR, "open", path.buf);
	} else if (!S_ISREG(st.st_mode)) {
		rc = ferry__error_set(err, FERRY_EINVALID,
			"'%s' is not a regular file (%s)", path.buf,
			ferry__file_kind(st.st_mode));
		ferry__error_hint(
			err, "replace it with a regular file, or move it away");
	} else if (flock(fd, LOCK_EX) < 0) {
		rc = ferry__error_os(err, FERRY_ERROR, "lock", path.buf);
	} else if ((rc = still_new(fd, &st, name, set->nreleases, path.buf,
			    err)) < 0) {
		/* another 'ferry release' came first */
	} else if ((lacks_final_newline(fd, &st) && write(fd, "\n", 1) != 1) ||
		write(fd, line.buf, line.len) != (ssize_t)line.len) {
		rc = ferry__error_os(err, FERRY_ERROR, "write", path.buf);
	}
	if (close(fd) < 0 && rc == 0)
		rc = ferry__error_os(err, FERRY_ERROR, "write", path.buf);
out:
	ferry__buf_release(&path);
	ferry__buf_release(&line);
	return rc;
}
