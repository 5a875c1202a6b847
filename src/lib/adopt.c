/* SPDX-License-Identifier: MIT */
/*
 * adopt.c - `ferry adopt`: take over a database another tool migrated.
 *
 * That tool's ledger table says which migrations ran; each is mapped onto
 * the set's files (by version, or by name for the tools that key on it)
 * and recorded in ferry's ledger as complete, with an `adopt` history
 * row, in one transaction under the runner lock. The other table is only
 * read. Everything is refused before anything is written when the other
 * ledger is in a bad state (a migration that failed or stopped half way),
 * names a migration no file has, or kept a checksum the file no longer
 * matches: adopting then would record what did not run.
 *
 * The tables are read as each tool writes them (their own sources and
 * documentation); the SQL is kept to what SQLite and PostgreSQL share,
 * but for a blob in hex.
 */
#include "ferry_int.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

typedef enum {
	SUM_NONE = 0,
	SUM_FLYWAY, /* CRC32 of the lines without their ends, signed */
	SUM_SQLX,   /* SHA-384 of the file, hex */
	SUM_PRISMA  /* SHA-256 of the file, hex, either line ending */
} sum_kind;

typedef enum {
	EACH_ROW = 0, /* one row per migration that ran */
	UP_TO,	      /* golang-migrate: one row, every version up to it */
	EVENTS	      /* goose, Flyway: later rows undo or redo earlier ones */
} row_model;

/*
 * What each row query returns: the key (a version, or a name), 1 if it
 * counts as applied, 1 if it is in a state to refuse, the checksum the
 * tool kept (or NULL), and a kind (Flyway's `type`; else NULL).
 */
typedef struct {
	const char *tool;
	const char *table;
	const char *sql[2]; /* SQLite, PostgreSQL */
	int by_name;	    /* the key is a file or directory name */
	sum_kind sum;
	row_model model;
	const char *bad; /* what a refused row is, for the message */
} foreign_tool;

#define SQLITE_PG(q) \
	{ \
		q, q \
	}

static const foreign_tool tools[] = {
	{ "golang-migrate", "schema_migrations",
		SQLITE_PG("SELECT CAST(version AS TEXT), 1, CASE WHEN dirty "
			  "THEN 1 ELSE 0 END, NULL, NULL FROM "
			  "schema_migrations"),
		0, SUM_NONE, UP_TO,
		"dirty: it failed half way, and golang-migrate wants it "
		"fixed by hand and forced" },
	{ "dbmate", "schema_migrations",
		SQLITE_PG("SELECT CAST(version AS TEXT), 1, 0, NULL, NULL "
			  "FROM schema_migrations ORDER BY version"),
		0, SUM_NONE, EACH_ROW, NULL },
	{ "goose", "goose_db_version",
		SQLITE_PG("SELECT CAST(version_id AS TEXT), CASE WHEN "
			  "is_applied THEN 1 ELSE 0 END, 0, NULL, NULL FROM "
			  "goose_db_version WHERE version_id > 0 ORDER BY id"),
		0, SUM_NONE, EVENTS, NULL },
	{ "flyway", "flyway_schema_history",
		SQLITE_PG("SELECT version, 1, CASE WHEN success THEN 0 ELSE 1 "
			  "END, CAST(checksum AS TEXT), type FROM "
			  "flyway_schema_history ORDER BY installed_rank"),
		0, SUM_FLYWAY, EVENTS, "success = false: it failed" },
	{ "diesel", "__diesel_schema_migrations",
		SQLITE_PG("SELECT version, 1, 0, NULL, NULL FROM "
			  "__diesel_schema_migrations ORDER BY version"),
		0, SUM_NONE, EACH_ROW, NULL },
	{ "sqlx", "_sqlx_migrations",
		{ "SELECT CAST(version AS TEXT), 1, CASE WHEN success THEN 0 "
		  "ELSE 1 END, lower(hex(checksum)), NULL FROM "
		  "_sqlx_migrations ORDER BY version",
			"SELECT CAST(version AS TEXT), 1, CASE WHEN success "
			"THEN 0 ELSE 1 END, encode(checksum, 'hex'), NULL "
			"FROM _sqlx_migrations ORDER BY version" },
		0, SUM_SQLX, EACH_ROW, "success = false: it failed" },
	{ "prisma", "_prisma_migrations",
		SQLITE_PG("SELECT migration_name, CASE WHEN rolled_back_at IS "
			  "NULL THEN 1 ELSE 0 END, CASE WHEN finished_at IS "
			  "NULL AND rolled_back_at IS NULL THEN 1 ELSE 0 END, "
			  "checksum, NULL FROM _prisma_migrations ORDER BY "
			  "started_at, migration_name"),
		1, SUM_PRISMA, EVENTS,
		"finished_at is null: it failed or is still running" },
	{ "sql-migrate", "gorp_migrations",
		SQLITE_PG("SELECT id, 1, 0, NULL, NULL FROM gorp_migrations "
			  "ORDER BY id"),
		1, SUM_NONE, EACH_ROW, NULL },
};

#define NTOOLS (sizeof(tools) / sizeof(*tools))

/* One migration the other tool ran, as its ledger says. */
typedef struct {
	const ferry__migration *mig;
	char *key;
	char *sum; /* the tool's checksum, or NULL */
	int applied;
	int rolled_back; /* Prisma: its last row was rolled back */
} foreign_row;

typedef struct {
	ferry_db *db;
	const ferry_set *set;
	const ferry_adopt_options *opts;
	const foreign_tool *tool;
	ferry__ledger ledger;
	ferry__pairs pairs;
	foreign_row *rows;
	size_t nrows, alloc;
	int oom;
	/* the first row in a state to refuse, or that no file has */
	char *bad_key;
	int bad_unknown;
	ferry_changes *changes;
	char note[200];
} adopt_ctx;

static void rows_clear(adopt_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nrows; i++) {
		free(ctx->rows[i].key);
		free(ctx->rows[i].sum);
	}
	free(ctx->rows);
	free(ctx->bad_key);
	ctx->rows = NULL;
	ctx->bad_key = NULL;
	ctx->nrows = ctx->alloc = 0;
	ctx->bad_unknown = 0;
}

/*
 * "0042" and "42" are one version; a dotted one is compared as text, or
 * (`dotted`, Flyway) as ferry numbers it in a set whose versions have
 * parts: how `ferry import` names its files.
 */
static int same_version(const char *key, const ferry_migration *m, int dotted)
{
	int64_t parts;
	char *end;
	long long v;

	if (strcmp(key, m->version_text) == 0)
		return 1;
	if (dotted &&
		ferry__format_version(key, strlen(key), 1, &parts, NULL) == 0 &&
		parts == m->version)
		return 1;
	if (!*key || strspn(key, "0123456789") != strlen(key))
		return 0;
	v = strtoll(key, &end, 10);
	return *end == '\0' && v == m->version;
}

/* A file name (sql-migrate), or the migration's id (a Prisma
 * migration's directory). */
static int same_name(const char *key, const ferry_migration *m)
{
	const char *slash = strrchr(m->path, '/');

	return strcmp(key, m->id) == 0 ||
		strcmp(key, slash ? slash + 1 : m->path) == 0;
}

static const ferry__migration *find(const adopt_ctx *ctx, const char *key)
{
	size_t i;

	for (i = 0; i < ctx->set->n; i++) {
		const ferry_migration *m = &ctx->set->migs[i].pub;

		if (ctx->tool->by_name ? same_name(key, m)
				       : same_version(key, m,
						 ctx->tool->sum == SUM_FLYWAY))
			return &ctx->set->migs[i];
	}
	return NULL;
}

static foreign_row *row_for(adopt_ctx *ctx, const ferry__migration *m)
{
	size_t i;

	for (i = 0; i < ctx->nrows; i++)
		if (ctx->rows[i].mig == m)
			return &ctx->rows[i];
	if (FERRY__GROW(ctx->rows, ctx->alloc, ctx->nrows + 1, 16) < 0)
		return NULL;
	memset(&ctx->rows[ctx->nrows], 0, sizeof(*ctx->rows));
	ctx->rows[ctx->nrows].mig = m;
	return &ctx->rows[ctx->nrows++];
}

static void keep_bad(adopt_ctx *ctx, const char *key, int unknown)
{
	if (ctx->bad_key)
		return;
	ctx->bad_unknown = unknown;
	if (!(ctx->bad_key = ferry__strdup(key)))
		ctx->oom = 1;
}

/* Every migration up to `key` (golang-migrate; a Flyway baseline). */
static void all_up_to(adopt_ctx *ctx, const ferry__migration *last)
{
	size_t i;

	for (i = 0; i < ctx->set->n; i++) {
		foreign_row *r;

		if (ctx->set->migs[i].pub.version > last->pub.version)
			break;
		if (!(r = row_for(ctx, &ctx->set->migs[i]))) {
			ctx->oom = 1;
			return;
		}
		r->applied = 1;
	}
}

/* Every file whose version is at or before Flyway's baseline `key`. */
static void baseline_at(adopt_ctx *ctx, const char *key)
{
	int dotted = strpbrk(key, "._") != NULL;
	int64_t at;
	size_t i;

	for (i = 0; i < ctx->set->n; i++)
		dotted |=
			strchr(ctx->set->migs[i].pub.version_text, '.') != NULL;
	if (ferry__format_version(key, strlen(key), dotted, &at, NULL) < 0) {
		keep_bad(ctx, key, 1);
		return;
	}
	for (i = 0; i < ctx->set->n; i++) {
		foreign_row *r;

		if (ctx->set->migs[i].pub.version > at)
			break;
		if (!(r = row_for(ctx, &ctx->set->migs[i]))) {
			ctx->oom = 1;
			return;
		}
		r->applied = 1;
	}
}

static int read_row(void *payload, int ncols, const char *const *v)
{
	adopt_ctx *ctx = payload;
	const ferry__migration *m;
	const char *kind = ncols > 4 ? v[4] : NULL;
	foreign_row *r;

	if (ncols < 5 || ctx->oom)
		return ctx->oom;
	/* Flyway: a repeatable script (no version), the schema creation. */
	if (!v[0] || (kind && strcmp(kind, "SCHEMA") == 0))
		return 0;
	if (v[2] && strcmp(v[2], "0") != 0) {
		keep_bad(ctx, v[0], 0);
		return 0;
	}
	/* Flyway's baseline is often a version no file has (1, with the
	 * files from 2 on): every file up to it counts. */
	if (kind && strcmp(kind, "BASELINE") == 0 && !find(ctx, v[0])) {
		baseline_at(ctx, v[0]);
		return ctx->oom;
	}
	if (!(m = find(ctx, v[0]))) {
		/* Undone since, it needs no file. */
		if (v[1] && strcmp(v[1], "1") == 0 &&
			!(kind && strcmp(kind, "UNDO_SQL") == 0))
			keep_bad(ctx, v[0], 1);
		return 0;
	}
	if (ctx->tool->model == UP_TO ||
		(kind && strcmp(kind, "BASELINE") == 0)) {
		all_up_to(ctx, m);
		return 0;
	}
	if (!(r = row_for(ctx, m))) {
		ctx->oom = 1;
		return 1;
	}
	/* Flyway's undo and delete markers take a migration back. */
	r->rolled_back = ctx->tool->sum == SUM_PRISMA && strcmp(v[1], "1") != 0;
	r->applied = strcmp(v[1], "1") == 0 &&
		!(kind &&
			(strcmp(kind, "UNDO_SQL") == 0 ||
				strcmp(kind, "DELETE") == 0));
	free(r->sum);
	r->sum = NULL;
	if (r->applied && v[3] && !(r->sum = ferry__strdup(v[3])))
		ctx->oom = 1;
	free(r->key);
	if (!(r->key = ferry__strdup(v[0])))
		ctx->oom = 1;
	return ctx->oom;
}

static int first_value(void *payload, int ncols, const char *const *v)
{
	char *buf = payload;

	snprintf(buf, 8, "%s", ncols > 0 && v[0] ? v[0] : "");
	return 0;
}

/* schema_migrations with a `dirty` column is golang-migrate's. */
static int has_dirty_column(ferry_db *db, int *yes, ferry_error *err)
{
	static const char *const sql[2] = {
		"SELECT count(*) FROM pragma_table_info('schema_migrations') "
		"WHERE name = 'dirty'",
		"SELECT count(*) FROM information_schema.columns WHERE "
		"table_name = 'schema_migrations' AND column_name = 'dirty'"
	};
	char buf[8] = "";
	int rc;

	rc = db->drv->query(db, sql[db->drv->dialect == FERRY__DIALECT_PG],
		NULL, 0, first_value, buf, err);
	*yes = rc == 0 && strcmp(buf, "0") != 0;
	return rc;
}

/* Which tool's ledger is there: the one asked for, or the only one. */
static int find_tool(adopt_ctx *ctx, ferry_error *err)
{
	const foreign_tool *found = NULL;
	char names[300] = "";
	size_t i, n = 0, len = 0;
	int exists, dirty, rc;

	for (i = 0; i < NTOOLS; i++) {
		const foreign_tool *t = &tools[i];

		if (ctx->opts->from && strcmp(ctx->opts->from, t->tool) != 0)
			continue;
		if ((rc = ctx->db->drv->table_exists(
			     ctx->db, t->table, &exists, err)) < 0)
			return rc;
		if (!exists)
			continue;
		if (!strcmp(t->table, "schema_migrations") &&
			!ctx->opts->from) {
			if ((rc = has_dirty_column(ctx->db, &dirty, err)) < 0)
				return rc;
			if (dirty != !strcmp(t->tool, "golang-migrate"))
				continue;
		}
		found = t;
		len += (size_t)snprintf(names + len, sizeof(names) - len,
			"%s%s (%s)", n++ ? ", " : "", t->tool, t->table);
		if (len >= sizeof(names))
			len = sizeof(names) - 1;
	}
	if (n == 1) {
		ctx->tool = found;
		return 0;
	}
	if (n > 1) {
		ferry__error_set(err, FERRY_EINVALID,
			"the database has the ledgers of several tools: %s",
			names);
		ferry__error_hint(err, "say which with --from TOOL");
		return FERRY_EINVALID;
	}
	if (ctx->opts->from)
		ferry__error_set(err, FERRY_EREFUSED,
			"the database has no %s ledger", ctx->opts->from);
	else
		ferry__error_set(err, FERRY_EREFUSED,
			"the database has no other tool's ledger to adopt");
	ferry__error_hint(err,
		"adopt reads golang-migrate's or dbmate's "
		"schema_migrations, goose_db_version, "
		"flyway_schema_history, __diesel_schema_migrations, "
		"_sqlx_migrations, _prisma_migrations or gorp_migrations; "
		"for a database that grew without one, see 'ferry stamp'");
	return FERRY_EREFUSED;
}

/* Java's CRC32 of the lines without their ends, as Flyway keeps it. */
static void flyway_sum(const char *text, size_t len, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len;
	uLong crc = crc32(0L, Z_NULL, 0);

	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		p += 3;
	while (p < end) {
		const unsigned char *q = p;

		while (q < end && *q != '\n' && *q != '\r')
			q++;
		crc = crc32(crc, p, (uInt)(q - p));
		if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
			q++;
		p = q < end ? q + 1 : q;
	}
	snprintf(out, size, "%d", (int)(int32_t)(uint32_t)crc);
}

static void hex_of(const uint8_t *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void sqlx_sum(const char *text, size_t len, char *out)
{
	struct sha512_ctx c;
	uint8_t d[SHA384_DIGEST_SIZE];

	sha384_init(&c);
	sha384_update(&c, len, (const uint8_t *)text);
	sha384_digest(&c, sizeof(d), d);
	hex_of(d, sizeof(d), out);
}

/* SHA-256 of `text` with its line ends as they are (crlf 0), all LF
 * (crlf -1) or all CRLF (crlf 1): Prisma accepts any of them. */
static void prisma_sum(const char *text, size_t len, int crlf, char *out)
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t i, from = 0;

	sha256_init(&c);
	for (i = 0; crlf && i < len; i++) {
		if (text[i] != '\n')
			continue;
		if (i > 0 && text[i - 1] == '\r')
			sha256_update(
				&c, i - 1 - from, (const uint8_t *)text + from);
		else
			sha256_update(
				&c, i - from, (const uint8_t *)text + from);
		sha256_update(&c, crlf > 0 ? 2 : 1,
			(const uint8_t *)(crlf > 0 ? "\r\n" : "\n"));
		from = i + 1;
	}
	sha256_update(&c, len - from, (const uint8_t *)text + from);
	sha256_digest(&c, sizeof(d), d);
	hex_of(d, sizeof(d), out);
}

/* Does the file still match the checksum the other tool kept? */
static int sum_matches(const adopt_ctx *ctx, const foreign_row *r, int *match,
	ferry_error *err)
{
	const char *text;
	char *owned = NULL, now[SHA384_DIGEST_SIZE * 2 + 1];
	size_t len;
	int rc, k;

	*match = 1;
	if (!r->sum || ctx->tool->sum == SUM_NONE || r->mig->code)
		return 0;
	/* An embedded set: its bytes, not a file of that name. */
	if (r->mig->mem) {
		text = r->mig->mem;
		len = r->mig->mem_len;
	} else {
		rc = ferry__read_file(r->mig->pub.path, &owned, &len, err);
		if (rc < 0)
			return rc;
		text = owned;
	}
	switch (ctx->tool->sum) {
	case SUM_FLYWAY:
		flyway_sum(text, len, now, sizeof(now));
		*match = strcmp(now, r->sum) == 0;
		break;
	case SUM_SQLX:
		sqlx_sum(text, len, now);
		*match = strcasecmp(now, r->sum) == 0;
		break;
	default:
		for (*match = 0, k = -1; k <= 1 && !*match; k++) {
			prisma_sum(text, len, k, now);
			*match = strcasecmp(now, r->sum) == 0;
		}
		break;
	}
	free(owned);
	return 0;
}

static int refuse_bad(const adopt_ctx *ctx, ferry_error *err)
{
	if (ctx->bad_unknown) {
		ferry__error_set(err, FERRY_EREFUSED,
			"%s ran migration '%s', which no file has",
			ctx->tool->tool, ctx->bad_key);
		ferry__error_hint(err,
			"adopt with the files of the release that migrated "
			"this database (--dir), or a newer one");
		return FERRY_EREFUSED;
	}
	ferry__error_set(err, FERRY_EREFUSED,
		"%s's ledger is in a bad state: migration '%s' in %s",
		ctx->tool->tool, ctx->bad_key, ctx->tool->table);
	ferry__error_detail(err, "%s",
		ctx->tool->bad ? ctx->tool->bad : "it did not finish");
	ferry__error_hint(err,
		"settle it with %s first (finish or undo that migration), "
		"then adopt",
		ctx->tool->tool);
	return FERRY_EREFUSED;
}

/* Prisma: rolled back by hand (`migrate resolve --rolled-back`) and not
 * applied again since: what is left of it, only the user knows. */
static int refuse_rolled_back(
	const adopt_ctx *ctx, const foreign_row *r, ferry_error *err)
{
	ferry__error_set(err, FERRY_EREFUSED,
		"%s's ledger is in a bad state: migration '%s' in %s",
		ctx->tool->tool, r->key, ctx->tool->table);
	ferry__error_detail(err,
		"rolled_back_at is set: it was rolled back and not applied "
		"again");
	ferry__error_hint(err,
		"apply it again with %s (or remove what is left of it by "
		"hand), then adopt",
		ctx->tool->tool);
	return FERRY_EREFUSED;
}

static int decide(void *payload, size_t *work, ferry_error *err)
{
	adopt_ctx *ctx = payload;
	const int pg = ctx->db->drv->dialect == FERRY__DIALECT_PG;
	size_t i, j;
	int rc;

	ferry__changes_reset(ctx->changes);
	if (ctx->db->locked)
		ferry__changes_set_waited(ctx->changes, ctx->db->waited);
	ferry__pairs_clear(&ctx->pairs);
	ferry__ledger_clear(&ctx->ledger);
	rows_clear(ctx);
	if ((rc = ferry__ledger_load(ctx->db, &ctx->ledger, err)) < 0 ||
		(rc = ferry__pairs_build(
			 &ctx->pairs, ctx->set, &ctx->ledger, err)) < 0 ||
		(rc = ferry__refuse_ahead(&ctx->pairs, err)) < 0 ||
		(rc = ferry__refuse_drift(&ctx->pairs, err)) < 0 ||
		(!ctx->tool && (rc = find_tool(ctx, err)) < 0))
		return rc;
	if ((rc = ctx->db->drv->query(ctx->db, ctx->tool->sql[pg], NULL, 0,
		     read_row, ctx, err)) < 0)
		return rc;
	if (ctx->oom)
		return ferry__error_oom(err);
	if (ctx->bad_key)
		return refuse_bad(ctx, err);
	snprintf(ctx->note, sizeof(ctx->note), "%s ran it (%s)",
		ctx->tool->tool, ctx->tool->table);
	for (j = 0; j < ctx->nrows; j++)
		if (ctx->rows[j].rolled_back && !ctx->rows[j].applied)
			return refuse_rolled_back(ctx, &ctx->rows[j], err);
	/* In the files' order, each applied one ferry has no row for. */
	for (i = 0; i < ctx->pairs.n; i++) {
		const ferry__migration *m = ctx->pairs.v[i].mig;
		const foreign_row *r = NULL;
		int match;

		for (j = 0; m && j < ctx->nrows && !r; j++)
			if (ctx->rows[j].mig == m && ctx->rows[j].applied)
				r = &ctx->rows[j];
		if (!r || ctx->pairs.v[i].row)
			continue;
		if ((rc = sum_matches(ctx, r, &match, err)) < 0)
			return rc;
		if (!match) {
			ferry__error_set(err, FERRY_EREFUSED,
				"'%s' changed after %s ran it", m->pub.path,
				ctx->tool->tool);
			ferry__error_detail(err,
				"its checksum in %s is %s; the file's is "
				"not",
				ctx->tool->table, r->sum);
			ferry__error_hint(err,
				"put back the file as it ran, then adopt; "
				"nothing was written");
			return FERRY_EREFUSED;
		}
		if (ferry__changes_push(
			    ctx->changes, "adopt", &m->pub, ctx->note) < 0)
			return ferry__error_oom(err);
	}
	/* Adopted with nothing to record (a Flyway baseline before every
	 * file): ferry's ledger is made all the same, so that `up` knows
	 * the database is ferry's now. */
	*work = ferry_changes_count(ctx->changes) + !ctx->ledger.exists;
	return 0;
}

static int write_all(void *payload, ferry_error *err)
{
	adopt_ctx *ctx = payload;
	size_t i;
	int rc = 0;

	for (i = 0; i < ferry_changes_count(ctx->changes) && rc == 0; i++) {
		const ferry_change *c = ferry_changes_at(ctx->changes, i);
		ferry__history_rec rec = { "adopt", c->migration,
			ferry__val_ms(-1), 1, ctx->note };

		if ((rc = ferry__ledger_record_complete(
			     ctx->db, c->migration, err)) == 0)
			rc = ferry__history_add(ctx->db, &rec, err);
	}
	return rc;
}

int ferry_adopt(ferry_changes **out, ferry_db *db, const ferry_set *set,
	const ferry_adopt_options *opts, char **tool, ferry_error *err)
{
	ferry__writer w = { decide, write_all, 1, 1, 0 };
	ferry_adopt_options none = FERRY_ADOPT_OPTIONS_INIT;
	adopt_ctx ctx;
	size_t i;
	int rc;

	if (!out || !db || !set)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_adopt needs out, db and set");
	*out = NULL;
	if (tool)
		*tool = NULL;
	if (!opts)
		opts = &none;
	if (opts->version != FERRY_ADOPT_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	for (i = 0; opts->from && i < NTOOLS; i++)
		if (strcmp(opts->from, tools[i].tool) == 0)
			break;
	if (opts->from && i == NTOOLS) {
		ferry__error_set(
			err, FERRY_EINVALID, "unknown tool '%s'", opts->from);
		ferry__error_hint(err,
			"one of golang-migrate, dbmate, goose, flyway, "
			"diesel, sqlx, prisma, sql-migrate");
		return FERRY_EINVALID;
	}
	if (db->read_only && !opts->dry_run)
		return ferry__error_set(
			err, FERRY_EINVALID, "database was opened read-only");
	memset(&ctx, 0, sizeof(ctx));
	ctx.db = db;
	ctx.set = set;
	ctx.opts = opts;
	if (!(ctx.changes = ferry__changes_new()))
		return ferry__error_oom(err);
	w.dry_run = opts->dry_run;
	rc = ferry__decide_and_write(db, &w, &ctx, err);
	if (rc == 0 && tool && ctx.tool &&
		!(*tool = ferry__strdup(ctx.tool->tool)))
		rc = ferry__error_oom(err);
	ferry__pairs_clear(&ctx.pairs);
	ferry__ledger_clear(&ctx.ledger);
	rows_clear(&ctx);
	if (rc < 0) {
		ferry_changes_free(ctx.changes);
		return rc;
	}
	*out = ctx.changes;
	return 0;
}
