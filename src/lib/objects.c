/* SPDX-License-Identifier: MIT */
/*
 * objects.c - what a database holds besides ferry's ledger: for
 * `bootstrap`, which wants none of it, and for `up`, `finish` and `migrate`,
 * which refuse a database that holds objects but no ferry ledger (another
 * tool migrated it, or ferry points at the wrong one): applying every
 * migration to it from the first would apply much of it twice. A database
 * with the ledger of another ferry set (its own --table) is ferry's.
 */
#include "ferry_int.h"

#include <string.h>

/* The ledger tables of other tools, by their default names. */
static const struct {
	const char *table;
	const char *tool;
} foreign_ledgers[] = {
	{ "schema_migrations", "dbmate, golang-migrate or Rails" },
	{ "goose_db_version", "goose" },
	{ "flyway_schema_history", "Flyway" },
	{ "__diesel_schema_migrations", "diesel" },
	{ "_sqlx_migrations", "sqlx" },
	{ "_prisma_migrations", "Prisma" },
	{ "alembic_version", "Alembic" },
	{ "gorp_migrations", "sql-migrate" },
	{ "databasechangelog", "Liquibase" },
};

/* The table name of "schema.table" or "table". */
static const char *bare(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static int is_ledger_table(const ferry_db *db, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t ns = dot ? (size_t)(dot - name) : 0;

	if (dot &&
		(strlen(db->schema) != ns ||
			strncmp(name, db->schema, ns) != 0))
		return 0;
	name = bare(name);
	return strcmp(name, db->table) == 0 ||
		strcmp(name, db->history_table) == 0 ||
		strcmp(name, db->rep_table) == 0;
}

/*
 * The runner lock's table behind a transaction pooler (db_pg_pooler.c),
 * made before the ledger when a first run takes the lock: ferry's own,
 * and no sign of anything applied.
 */
static int is_lock_table(const ferry_db *db, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t ns = dot ? (size_t)(dot - name) : 0;

	return dot && strlen(db->schema) == ns &&
		strncmp(name, db->schema, ns) == 0 &&
		strcmp(dot + 1, "ferry_lock") == 0;
}

int ferry__objects_own(const ferry_db *db, const char *name)
{
	return is_ledger_table(db, name) || is_lock_table(db, name);
}

int ferry__objects_own_table(ferry_db *db, const char *table)
{
	ferry__buf b = FERRY__BUF_INIT;
	int own;

	if (!db->drv->schemas)
		return ferry__objects_own(db, table);
	ferry__buf_printf(&b, "%s.%s", db->schema, table);
	own = ferry__objects_own(db, ferry__buf_cstr(&b));
	ferry__buf_release(&b);
	return own;
}

static int count_object(void *payload, int ncols, const char *const *v)
{
	ferry__objects *o = payload;
	size_t i;

	if (ncols >= 1 && v[0] && is_lock_table(o->db, v[0]))
		return 0;
	if (ncols < 1 || !v[0])
		return 0;
	if (is_ledger_table(o->db, v[0])) {
		o->own_ledger = 1;
		return 0;
	}
	ferry__buf_printf(&o->tables, "%s\n", v[0]);
	if (o->n < 3)
		ferry__buf_printf(&o->names, "%s%s", o->n ? ", " : "", v[0]);
	o->n++;
	for (i = 0; i < sizeof(foreign_ledgers) / sizeof(foreign_ledgers[0]);
		i++) {
		if (strcmp(bare(v[0]), foreign_ledgers[i].table) != 0)
			continue;
		ferry__buf_printf(&o->foreign, "%s'%s' (%s)",
			o->foreign.len ? ", " : "", v[0],
			foreign_ledgers[i].tool);
	}
	return 0;
}

/* Is "<name>\n" one of the lines of `list`? */
static int listed(const ferry__buf *list, const char *name, size_t n)
{
	const char *p = ferry__buf_cstr(list);

	for (; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, name, n) == 0 && p[n] == '\n')
			return 1;
	return 0;
}

/*
 * Another migration set's ferry ledger (another --table): a table and its
 * history table, named as ferry names them (x_migrations and x_history,
 * or x and x_history). Its objects are a ferry set's, not another tool's.
 */
static int other_ferry_ledger(const ferry__buf *tables)
{
	static const char suffix[] = "_migrations";
	const char *p = ferry__buf_cstr(tables), *nl;
	char want[512];

	for (; *p; p = nl + 1) {
		size_t n = (size_t)((nl = strchr(p, '\n')) - p);
		size_t base = n > sizeof(suffix) - 1 &&
				!strncmp(p + n - (sizeof(suffix) - 1), suffix,
					sizeof(suffix) - 1)
			? n - (sizeof(suffix) - 1)
			: n;

		if (base + sizeof("_history") > sizeof(want))
			continue;
		memcpy(want, p, base);
		memcpy(want + base, "_history", sizeof("_history"));
		if (listed(tables, want, base + sizeof("_history") - 1))
			return 1;
	}
	return 0;
}

int ferry__objects_count(ferry_db *db, ferry__objects *out, ferry_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->db = db;
	if (!db->exists)
		return 0;
	rc = db->drv->query(
		db, db->drv->objects_sql, NULL, 0, count_object, out, err);
	if (rc == 0 && (out->names.oom || out->foreign.oom || out->tables.oom))
		rc = ferry__error_oom(err);
	if (rc == 0)
		out->other_ferry = other_ferry_ledger(&out->tables);
	if (rc < 0)
		ferry__objects_clear(out);
	return rc;
}

void ferry__objects_clear(ferry__objects *o)
{
	ferry__buf_release(&o->names);
	ferry__buf_release(&o->foreign);
	ferry__buf_release(&o->tables);
	memset(o, 0, sizeof(*o));
}

int ferry__refuse_unledgered(
	ferry_db *db, const ferry__ledger *ledger, ferry_error *err)
{
	ferry__objects o;
	int rc;

	if (ledger->exists)
		return 0;
	if ((rc = ferry__objects_count(db, &o, err)) < 0)
		return rc;
	/*
	 * Another set's ferry ledger: a database ferry migrates already. Or
	 * this set's, which another runner made since the ledger was read
	 * (the objects are read at one moment: its tables and the ledger
	 * they come after): the run reads the ledger again under the lock.
	 */
	if (o.n == 0 || o.other_ferry || o.own_ledger) {
		ferry__objects_clear(&o);
		return 0;
	}
	ferry__error_set(err, FERRY_EREFUSED,
		"database '%s' holds %zu object%s but no ferry ledger",
		db->url.display, o.n, o.n == 1 ? "" : "s");
	if (o.foreign.len)
		ferry__error_detail(err,
			"%s%s; %s looks like another tool's "
			"ledger",
			ferry__buf_cstr(&o.names), o.n > 3 ? ", ..." : "",
			ferry__buf_cstr(&o.foreign));
	else
		ferry__error_detail(err, "%s%s", ferry__buf_cstr(&o.names),
			o.n > 3 ? ", ..." : "");
	if (o.foreign.len)
		ferry__error_hint(err,
			"'ferry adopt' records what that tool ran; else, if "
			"migrations up to V made them, 'ferry stamp V'");
	else
		ferry__error_hint(err,
			"if migrations up to V made them, record that with "
			"'ferry stamp V' or 'ferry up --baseline V'; else "
			"check the database URL");
	ferry__objects_clear(&o);
	return FERRY_EREFUSED;
}
