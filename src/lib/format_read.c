/* SPDX-License-Identifier: MIT */
/*
 * format_read.c - one migration of any format read and cut into ferry's
 * sections, when the set is opened and again when it runs (set.c), so
 * that what runs is cut exactly as what was checksummed.
 *
 * Two-file layouts (golang-migrate, sqlx, Flyway's undo, diesel) read the
 * up file, then the down file's bytes after it in the same buffer: each
 * section is one whole file, checksummed as it is. How each tool runs a
 * file outside a transaction:
 *
 *   sqlx            a file whose first line starts "-- no-transaction"
 *   diesel          `run_in_transaction = false` in the migration
 *                   directory's metadata.toml
 *   flyway          `executeInTransaction=false` in the script's config
 *                   file, `<script>.sql.conf` (format_flyway.c); without
 *                   it, Flyway itself runs a script outside a transaction
 *                   when a statement of it cannot run inside one
 *   golang-migrate, prisma   send a file as one script: PostgreSQL
 *                   runs such a script in one implicit transaction unless
 *                   it says BEGIN/COMMIT itself (golang-migrate's SQLite
 *                   driver wraps it in one). ferry runs it in a
 *                   transaction, unless the file holds transaction control
 *                   of its own or a statement that cannot run in one; then
 *                   statement by statement, as the file says
 */
#include "ferry_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int nul_check(
	const char *text, size_t len, const char *path, ferry_error *err)
{
	const char *nul = memchr(text, '\0', len);
	int line, col;

	if (!nul)
		return 0;
	ferry__text_pos(text, (size_t)(nul - text), &line, &col);
	ferry__error_set(err, FERRY_EINVALID, "file contains a NUL byte");
	ferry__error_hint(err, "a migration is SQL text; remove the NUL byte");
	ferry__error_at(err, path, line, col);
	return FERRY_EINVALID;
}

typedef struct {
	const char *text;
	int found;
} own_txn;

static int own_txn_stmt(void *payload, size_t offset, size_t len)
{
	own_txn *o = payload;
	const char *what;

	if (ferry__stmt_classify(o->text + offset, len, FERRY__DIALECT_PG,
		    &what) != FERRY__STMT_PLAIN ||
		ferry__stmt_classify(o->text + offset, len,
			FERRY__DIALECT_SQLITE, &what) != FERRY__STMT_PLAIN) {
		o->found = 1;
		return 1;
	}
	return 0;
}

/*
 * Does `text` manage its own transactions, or hold a statement no
 * transaction may hold, under either engine's reading? Text that does not
 * split is left to the run, which names the problem.
 */
static int runs_own_txn(const char *text, size_t len)
{
	own_txn o = { text, 0 };
	ferry__split_error serr = { 0, NULL, NULL };

	(void)ferry__split_each(
		text, len, FERRY__DIALECT_PG, own_txn_stmt, &o, &serr);
	return o.found;
}

/* Is `key = false` (or `key=false`) a line of `text`? */
static int key_false(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, key, n) != 0)
			continue;
		q += n;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=')
			continue;
		q++;
		while (*q == ' ' || *q == '\t' || *q == '"')
			q++;
		if (strncmp(q, "false", 5) == 0)
			return 1;
	}
	return 0;
}

/*
 * diesel: `run_in_transaction = false` in the migration directory's
 * metadata.toml. 1 if it says so, 0 if not or there is none, <0 on a read
 * error.
 */
static int diesel_no_txn(const ferry__migration *m, ferry_error *err)
{
	ferry__buf path = FERRY__BUF_INIT;
	const char *slash = strrchr(m->pub.path, '/');
	struct stat st;
	char *text;
	size_t len;
	int rc;

	ferry__buf_put(&path, m->pub.path,
		slash ? (size_t)(slash - m->pub.path) + 1 : 0);
	ferry__buf_puts(&path, "metadata.toml");
	if (path.oom)
		return ferry__error_oom(err);
	if (lstat(path.buf, &st) < 0 && errno == ENOENT) {
		ferry__buf_release(&path);
		return 0;
	}
	rc = ferry__read_file(path.buf, &text, &len, err);
	ferry__buf_release(&path);
	if (rc < 0)
		return rc;
	rc = key_false(text, "run_in_transaction");
	free(text);
	return rc;
}

/*
 * Whether a section, the whole file text[off, off+len), runs outside a
 * transaction; `fc`: a Flyway script's settings.
 */
static int whole_file_no_txn(const ferry__migration *m, const char *text,
	size_t off, size_t len, const ferry__flyway_conf *fc, ferry_error *err)
{
	switch (m->format) {
	case FERRY_FORMAT_SQLX:
		return len >= 17 &&
			strncmp(text + off, "-- no-transaction", 17) == 0;
	case FERRY_FORMAT_DIESEL:
		return diesel_no_txn(m, err);
	case FERRY_FORMAT_FLYWAY:
		if (fc->in_transaction >= 0)
			return !fc->in_transaction;
		return runs_own_txn(text + off, len);
	case FERRY_FORMAT_GOLANG_MIGRATE:
	case FERRY_FORMAT_PRISMA:
		return runs_own_txn(text + off, len);
	default:
		return 0;
	}
}

/* What every file of a two-file or directory layout must pass. */
static int check_text(const ferry__migration *m, const char *text, size_t len,
	const char *path, const ferry__flyway_conf *fc, ferry_error *err)
{
	int rc = nul_check(text, len, path, err);

	if (rc == 0 && m->format == FERRY_FORMAT_FLYWAY && fc->placeholders)
		rc = ferry__flyway_placeholder(text, len, path, err);
	return rc;
}

/* A section that is the whole file text[off, end). */
static int whole_file(const ferry__migration *m, const char *text, size_t off,
	size_t end, ferry__section *sec, ferry__hasher *h,
	const ferry__flyway_conf *fc, ferry_error *err)
{
	int rc;

	/*
	 * A UTF-8 byte order mark, as some editors write, is not SQL; sqlx
	 * looks for its "-- no-transaction" at the file's first byte even so.
	 */
	if (m->format != FERRY_FORMAT_SQLX && end - off >= 3 &&
		memcmp(text + off, "\xEF\xBB\xBF", 3) == 0)
		off += 3;
	sec->present = 1;
	sec->offset = off;
	sec->len = end - off;
	sec->line = 1;
	ferry__sha256(h, sec->sha, text + off, end - off);
	if ((rc = whole_file_no_txn(m, text, off, end - off, fc, err)) < 0)
		return rc;
	sec->no_transaction = rc;
	return 0;
}

int ferry__format_read(const ferry__migration *m, ferry__buf *text,
	ferry__section sec[FERRY__NSECTIONS], ferry__hasher *h, struct stat *st,
	ferry_error *err)
{
	ferry__buf down = FERRY__BUF_INIT;
	ferry__flyway_conf fc[2] = { { -1, 1 }, { -1, 1 } };
	size_t up_len;
	int rc;

	memset(sec, 0, sizeof(*sec) * FERRY__NSECTIONS);
	if (m->mem) {
		if (st)
			memset(st, 0, sizeof(*st));
		rc = ferry__read_mem(m->mem, m->mem_len, text, err);
	} else {
		rc = ferry__read_into(m->pub.path, text, st, err);
	}
	if (rc < 0)
		return rc;
	switch (m->format) {
	case FERRY_FORMAT_AUTO:
	case FERRY_FORMAT_FERRY:
		return ferry__parse_sections(
			sec, text->buf, text->len, m->pub.path, h, err);
	case FERRY_FORMAT_DBMATE:
	case FERRY_FORMAT_GOOSE:
	case FERRY_FORMAT_SQL_MIGRATE:
		return ferry__markers_parse(m->format, sec, text->buf,
			text->len, m->pub.path, h, err);
	default:
		break;
	}
	/* Flyway: the script's and its undo script's settings. */
	if (m->format == FERRY_FORMAT_FLYWAY &&
		((rc = ferry__flyway_conf_read(m->pub.path, &fc[0], err)) < 0 ||
			(m->down_path &&
				(rc = ferry__flyway_conf_read(
					 m->down_path, &fc[1], err)) < 0)))
		return rc;
	if ((rc = check_text(
		     m, text->buf, text->len, m->pub.path, &fc[0], err)) < 0)
		return rc;
	up_len = text->len;
	if (m->down_path) {
		if ((rc = ferry__read_into(m->down_path, &down, NULL, err)) <
				0 ||
			(rc = check_text(m, down.buf, down.len, m->down_path,
				 &fc[1], err)) < 0) {
			ferry__buf_release(&down);
			return rc;
		}
		ferry__buf_put(text, down.buf, down.len);
		ferry__buf_release(&down);
		if (text->oom)
			return ferry__error_oom(err);
	}
	if ((rc = whole_file(m, text->buf, 0, up_len, &sec[FERRY__UP], h,
		     &fc[0], err)) < 0)
		return rc;
	if (m->down_path &&
		(rc = whole_file(m, text->buf, up_len, text->len,
			 &sec[FERRY__DOWN], h, &fc[1], err)) < 0)
		return rc;
	return 0;
}
