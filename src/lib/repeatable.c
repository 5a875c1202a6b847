/* SPDX-License-Identifier: MIT */
/*
 * repeatable.c - repeatable migrations: `<dir>/repeatable/<name>.sql`, for
 * views, functions and reference data, which a release replaces rather
 * than alters. Each is one up section in a transaction, with no version;
 * `up`, `migrate` and `bootstrap` run it again whenever its text differs
 * from the text that last ran (plan.c, run.c).
 *
 * Their rows live in a table of their own, named after the ledger
 * (ferry_migrations -> ferry_repeatable), made when the first one runs: a
 * set without them leaves the ledger exactly as before, and a ferry that
 * predates them reads a ledger that has them without seeing a version it
 * does not know. Each run is a compare-and-set on the row as read, as the
 * versioned migrations' are: a second runner's claim changes no row.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define SUBDIR "repeatable"

/* "<name>.sql", the name of letters, digits, '_' and '-': 1; another
 * ".sql" name: -1; anything else: 0 (ignored, like a README). */
static int match_name(const char *file)
{
	size_t n = strlen(file), i;

	if (n < 4 || strcasecmp(file + n - 4, ".sql") != 0)
		return 0;
	if (n == 4 || strcmp(file + n - 4, ".sql") != 0)
		return -1;
	for (i = 0; i < n - 4; i++)
		if (!isalnum((unsigned char)file[i]) && file[i] != '_' &&
			file[i] != '-')
			return -1;
	return 1;
}

static int bad_name(const char *dir, const char *file, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' is not a valid repeatable migration file name", file);
	ferry__error_hint(err,
		"name it <name>.sql, e.g. views.sql (letters, digits, '_' and "
		"'-'), or move it out of '%s'",
		dir);
	return FERRY_EINVALID;
}

/* path "<dir>/repeatable/<file>", id "repeatable/<name>", name, and an
 * empty version text, in one block, as set.c names its migrations. */
static int name_repeatable(
	ferry__migration *m, const char *sub, const char *file)
{
	size_t ns = strlen(sub), nf = strlen(file), nn = nf - 4;
	size_t nid = sizeof(SUBDIR) + nn;
	char *p = ferry__malloc(ns + 1 + nf + 1 + nid + 1 + 1);

	if (!p)
		return -1;
	m->pub.path = p;
	memcpy(p, sub, ns);
	p[ns] = '/';
	memcpy(p + ns + 1, file, nf + 1);
	p += ns + 1 + nf + 1;
	m->pub.id = p;
	memcpy(p, SUBDIR "/", sizeof(SUBDIR));
	memcpy(p + sizeof(SUBDIR), file, nn);
	p[nid] = '\0';
	m->pub.name = p + sizeof(SUBDIR);
	m->pub.version_text = p + nid; /* "" */
	m->pub.repeatable = 1;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const ferry__migration *)a)->pub.name,
		((const ferry__migration *)b)->pub.name);
}

/* A repeatable migration is one transactional up section: say which
 * part of the file is not. */
static int check_sections(const ferry__migration *m, ferry_error *err)
{
	const ferry__section *sec = m->sec;
	int k;

	for (k = FERRY__UP + 1; k < FERRY__NSECTIONS; k++) {
		if (!sec[k].present)
			continue;
		ferry__error_set(err, FERRY_EINVALID,
			"a repeatable migration has no %s section",
			ferry__section_names[k]);
		ferry__error_hint(err,
			"it runs again, whole, whenever it changes: keep only "
			"its up part, or make it a versioned migration");
		ferry__error_at(err, m->pub.path, sec[k].line - 1, 1);
		return FERRY_EINVALID;
	}
	if (!sec[FERRY__UP].no_transaction)
		return 0;
	ferry__error_set(err, FERRY_EINVALID,
		"a repeatable migration runs in a transaction");
	ferry__error_hint(err,
		"remove 'no-transaction'; what must run outside a transaction "
		"belongs in a versioned migration");
	ferry__error_at(err, m->pub.path, sec[FERRY__UP].line - 1, 1);
	return FERRY_EINVALID;
}

static int read_one(ferry_set *set, size_t *alloc, const char *sub,
	const char *file, ferry__hasher *h, ferry__buf *text, ferry_error *err)
{
	ferry__migration *m;
	struct stat st;
	int rc;

	if (FERRY__GROW(set->reps, *alloc, set->nreps + 1, 8) < 0)
		return ferry__error_oom(err);
	m = &set->reps[set->nreps];
	memset(m, 0, sizeof(*m));
	if (name_repeatable(m, sub, file) < 0)
		return ferry__error_oom(err);
	set->nreps++;
	if ((rc = ferry__read_into(m->pub.path, text, &st, err)) < 0 ||
		(rc = ferry__parse_sections(m->sec, text->buf, text->len,
			 m->pub.path, h, err)) < 0 ||
		(rc = check_sections(m, err)) < 0)
		return rc;
	ferry__file_stamp_of(&m->stamp, &st);
	m->regular = 1;
	m->pub.up_confirm = m->sec[FERRY__UP].confirm;
	return 0;
}

int ferry__repeatable_mem(ferry_set *set, size_t *alloc, const char *file,
	const char *data, size_t len, ferry__hasher *h, ferry__buf *text,
	ferry_error *err)
{
	ferry__migration *m;
	int kind = match_name(file), rc;

	if (kind == 0)
		return 0; /* not a migration, as in a directory */
	if (kind < 0)
		return bad_name(SUBDIR, file, err);
	if (FERRY__GROW(set->reps, *alloc, set->nreps + 1, 8) < 0)
		return ferry__error_oom(err);
	m = &set->reps[set->nreps];
	memset(m, 0, sizeof(*m));
	if (name_repeatable(m, SUBDIR, file) < 0)
		return ferry__error_oom(err);
	set->nreps++;
	m->mem = data;
	m->mem_len = len;
	if ((rc = ferry__read_mem(data, len, text, err)) < 0 ||
		(rc = ferry__parse_sections(m->sec, text->buf, text->len,
			 m->pub.path, h, err)) < 0 ||
		(rc = check_sections(m, err)) < 0)
		return rc;
	m->pub.up_confirm = m->sec[FERRY__UP].confirm;
	return 0;
}

/* By name, as a directory's are once read. */
void ferry__repeatables_sort(ferry_set *set)
{
	if (set->nreps > 1)
		qsort(set->reps, set->nreps, sizeof(*set->reps), cmp_name);
}

int ferry__repeatables_read(
	ferry_set *set, ferry__hasher *h, ferry__buf *text, ferry_error *err)
{
	ferry__buf sub = FERRY__BUF_INIT;
	struct dirent *de;
	struct stat st;
	size_t alloc = 0, n = strlen(set->dir);
	DIR *d = NULL;
	int rc = 0;

	ferry__buf_puts(&sub, set->dir);
	if (n && set->dir[n - 1] != '/')
		ferry__buf_puts(&sub, "/");
	ferry__buf_puts(&sub, SUBDIR);
	if (sub.oom)
		return ferry__error_oom(err);
	if (stat(sub.buf, &st) < 0 && errno == ENOENT) {
		ferry__buf_release(&sub);
		return 0;
	}
	if (!(d = opendir(sub.buf))) {
		rc = ferry__error_os(err, FERRY_EINVALID,
			"read the repeatable migrations' directory", sub.buf);
		ferry__error_hint(err,
			"'%s' holds repeatable migrations only: make it a "
			"readable directory, or move it away",
			sub.buf);
		goto out;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		int kind;

		if (de->d_name[0] == '.' || !(kind = match_name(de->d_name)))
			continue;
		rc = kind < 0 ? bad_name(sub.buf, de->d_name, err)
			      : read_one(set, &alloc, sub.buf, de->d_name, h,
					text, err);
	}
	if (rc == 0 && set->nreps > 1)
		qsort(set->reps, set->nreps, sizeof(*set->reps), cmp_name);
out:
	if (d)
		closedir(d);
	ferry__buf_release(&sub);
	return rc;
}

int ferry__repeatables_read_listed(
	ferry_set *set, ferry__hasher *h, ferry__buf *text, ferry_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < set->nreps; i++) {
		ferry__migration *m = &set->reps[i];
		struct stat st;

		if ((rc = ferry__format_read(m, text, m->sec, h, &st, err)) <
				0 ||
			(rc = check_sections(m, err)) < 0)
			return rc;
		ferry__file_stamp_of(&m->stamp, &st);
		m->regular = 1;
		m->pub.up_confirm = m->sec[FERRY__UP].confirm;
	}
	return 0;
}

size_t ferry_set_repeatable_count(const ferry_set *set)
{
	return set ? set->nreps : 0;
}

const ferry_migration *ferry_set_repeatable_at(const ferry_set *set, size_t i)
{
	return set && i < set->nreps ? &set->reps[i].pub : NULL;
}

/*
 * The table
 */

/* PostgreSQL would cut a longer name silently. */
static int check_table_name(ferry_db *db, ferry_error *err)
{
	size_t n = strlen(db->rep_table);

	if (n <= FERRY__NAME_MAX)
		return 0;
	ferry__error_set(err, FERRY_EINVALID,
		"invalid table name '%s': its repeatable migrations' table "
		"'%s' would have %zu characters, more than %d",
		db->table, db->rep_table, n, FERRY__NAME_MAX);
	ferry__error_hint(err,
		"use a table name of at most %d characters, or of at most %d "
		"ending in '_migrations'",
		FERRY__NAME_MAX - (int)sizeof("_repeatable") + 1,
		FERRY__NAME_MAX);
	return FERRY_EINVALID;
}

typedef struct {
	ferry__ledger *l;
	size_t alloc;
	int oom;
} load_ctx;

/* name, checksum, applied_at, applied_ms, applied_by */
static int load_row(void *payload, int ncols, const char *const *v)
{
	load_ctx *ctx = payload;
	ferry__row *r;

	if (ncols < 5 || !v[0] || !v[1])
		return 0;
	if (FERRY__GROW(ctx->l->reps, ctx->alloc, ctx->l->nreps + 1, 8) < 0) {
		ctx->oom = 1;
		return 1;
	}
	r = &ctx->l->reps[ctx->l->nreps];
	memset(r, 0, sizeof(*r));
	r->state = FERRY_STATE_COMPLETE;
	r->up_ms = v[3] ? strtoll(v[3], NULL, 10) : -1;
	r->finish_ms = -1;
	r->name = ferry__strdup(v[0]);
	r->up_checksum = ferry__strdup(v[1]);
	r->up_at = v[2] ? ferry__strdup(v[2]) : NULL;
	r->applied_by = v[4] ? ferry__strdup(v[4]) : NULL;
	ctx->l->nreps++;
	if (!r->name || !r->up_checksum || (v[2] && !r->up_at) ||
		(v[4] && !r->applied_by)) {
		ctx->oom = 1;
		return 1;
	}
	return 0;
}

void ferry__repeatables_clear(ferry__ledger *l)
{
	size_t i;

	for (i = 0; i < l->nreps; i++) {
		free(l->reps[i].name);
		free(l->reps[i].up_checksum);
		free(l->reps[i].up_at);
		free(l->reps[i].applied_by);
	}
	free(l->reps);
	l->reps = NULL;
	l->nreps = 0;
}

int ferry__repeatables_load(
	ferry_db *db, const ferry_set *set, ferry__ledger *l, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	load_ctx ctx = { l, 0, 0 };
	int rc, exists;

	ferry__repeatables_clear(l);
	if (!set || set->nreps == 0 || !db->exists)
		return 0;
	if ((rc = check_table_name(db, err)) < 0)
		return rc;
	ferry__buf_printf(&sql,
		"SELECT name, checksum, applied_at, applied_ms, applied_by "
		"FROM %s",
		db->qrep);
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->query_table(
		db, db->rep_table, sql.buf, load_row, &ctx, &exists, err);
	ferry__buf_release(&sql);
	if (rc == 0 && ctx.oom)
		rc = ferry__error_oom(err);
	if (rc < 0)
		ferry__repeatables_clear(l);
	return rc;
}

const ferry__row *ferry__repeatable_row(
	const ferry__ledger *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nreps; i++)
		if (strcmp(l->reps[i].name, name) == 0)
			return &l->reps[i];
	return NULL;
}

int ferry__repeatables_ensure(ferry_db *db, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	int rc;

	if ((rc = check_table_name(db, err)) < 0)
		return rc;
	/* Types both engines read alike; one runner at a time makes it. */
	ferry__buf_printf(&sql,
		"CREATE TABLE IF NOT EXISTS %s (\n"
		"  name TEXT PRIMARY KEY,\n"
		"  checksum TEXT NOT NULL,\n"
		"  applied_at TEXT NOT NULL,\n"
		"  applied_ms BIGINT,\n"
		"  runs BIGINT NOT NULL,\n"
		"  applied_by TEXT NOT NULL,\n"
		"  ferry_version TEXT NOT NULL\n"
		")",
		db->qrep);
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->query(db, sql.buf, NULL, 0, NULL, NULL, err);
	ferry__buf_release(&sql);
	return rc;
}

int ferry__repeatable_claim(ferry_db *db, const ferry__migration *m,
	const ferry__row *as_read, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[6];
	char hex[65], at[32];
	int rc;

	ferry__hex(hex, m->sec[FERRY__UP].sha);
	ferry__utc_now(at);
	p[0] = (ferry__val){ FERRY__VAL_TEXT, 0, m->pub.name };
	p[1] = (ferry__val){ FERRY__VAL_TEXT, 0, hex };
	p[2] = (ferry__val){ FERRY__VAL_TEXT, 0, at };
	p[3] = (ferry__val){ FERRY__VAL_TEXT, 0, ferry__actor(db) };
	p[4] = (ferry__val){ FERRY__VAL_TEXT, 0, FERRY_VERSION };
	if (!as_read) {
		ferry__buf_printf(&sql,
			"INSERT INTO %s (name, checksum, applied_at, runs, "
			"applied_by, ferry_version) VALUES ($1, $2, $3, 1, $4, "
			"$5)",
			db->qrep);
	} else {
		p[5] = (ferry__val){ FERRY__VAL_TEXT, 0, as_read->up_checksum };
		ferry__buf_printf(&sql,
			"UPDATE %s SET checksum = $2, applied_at = $3, "
			"applied_ms = NULL, runs = runs + 1, applied_by = $4, "
			"ferry_version = $5 WHERE name = $1 AND checksum = $6",
			db->qrep);
	}
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->claim(db, sql.buf, p, as_read ? 6 : 5, err);
	ferry__buf_release(&sql);
	return rc;
}

int ferry__repeatable_set_ms(
	ferry_db *db, const ferry__migration *m, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry__val p[2] = { { FERRY__VAL_SECTION_MS, 0, NULL },
		{ FERRY__VAL_TEXT, 0, m->pub.name } };
	int rc;

	ferry__buf_printf(&sql, "UPDATE %s SET applied_ms = $1 WHERE name = $2",
		db->qrep);
	if (sql.oom)
		return ferry__error_oom(err);
	rc = db->drv->query(db, sql.buf, p, 2, NULL, NULL, err);
	ferry__buf_release(&sql);
	return rc;
}
