/* SPDX-License-Identifier: MIT */
/*
 * lint_rules.c - the rules of `ferry lint`: which statements hurt an
 * application that runs on the database while they run, read from a
 * statement's words as created.c reads them.
 *
 * Two families. In an up section, what breaks the previous release, which
 * still runs in the blue-green model (a dropped or renamed column, a type
 * changed under it, a NOT NULL its inserts do not satisfy): up-* rules,
 * errors, never raised in finish or down. In every section, what holds a
 * lock that stops traffic for as long as the table is big: a rewrite, an
 * index built without CONCURRENTLY, a whole-table UPDATE. A table the same
 * migration created has no traffic yet: nothing done to it is flagged.
 * What a statement says is read loosely, as a reviewer would: a rule that
 * cried wolf would teach `-- ferry:allow` everywhere.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define G FERRY__LINT_GENERIC
#define PG FERRY__LINT_PG
#define SQ FERRY__LINT_SQLITE
#define E FERRY_LINT_ERROR
#define W FERRY_LINT_WARNING

#define TO_FINISH \
	"move it to the finish section, which runs once no node " \
	"runs the previous release"

static const ferry__lint_rule rules[] = {
	{ "up-drop-table", E, G, 1,
		"the previous release still reads and writes the table: its "
		"queries fail once it is gone",
		TO_FINISH },
	{ "up-drop-column", E, G, 1,
		"the previous release still reads and writes the column: its "
		"queries fail once it is gone",
		TO_FINISH },
	{ "up-drop-view", E, G, 1,
		"the previous release still reads the view: its queries fail "
		"once it is gone",
		TO_FINISH },
	{ "up-rename-table", E, G, 1,
		"the previous release still uses the old name: its queries "
		"fail at once",
		"create the new table in up, write to both, copy, and drop the "
		"old one in finish" },
	{ "up-rename-column", E, G, 1,
		"the previous release still uses the old name: its queries "
		"fail at once",
		"add the new column in up, write to both, backfill, and drop "
		"the old one in finish" },
	{ "up-alter-type", E, G, 1,
		"the previous release reads and writes the column as its old "
		"type",
		"add a column of the new type in up, backfill it, and drop the "
		"old one in finish" },
	{ "up-set-not-null", E, G, 1,
		"the previous release may insert rows without the column: its "
		"inserts fail",
		TO_FINISH },
	{ "up-truncate", E, G, 1,
		"it empties a table the previous release is serving",
		TO_FINISH },
	{ "up-add-column-not-null", E, G, 1,
		"the previous release inserts rows without the new column: "
		"its inserts fail",
		"give the column a DEFAULT, or add it nullable and set NOT NULL "
		"in finish" },
	{ "unbounded-write", W, G, 0,
		"one statement changes every row in one transaction, holding "
		"its locks (SQLite's: the whole database) until it ends",
		"change the rows in batches: a bounded statement under "
		"'-- ferry:repeat' in a no-transaction section" },
	{ "pg-create-index-blocking", E, PG, 0,
		"CREATE INDEX blocks every write to the table until the index "
		"is built",
		"use CREATE INDEX CONCURRENTLY, in a no-transaction section" },
	{ "pg-drop-index-blocking", E, PG, 0,
		"DROP INDEX waits for, then blocks, every query of the table "
		"(ACCESS EXCLUSIVE)",
		"use DROP INDEX CONCURRENTLY, in a no-transaction section" },
	{ "pg-volatile-default", E, PG, 0,
		"a volatile default rewrites the whole table under an ACCESS "
		"EXCLUSIVE lock: no query of it runs meanwhile",
		"add the column without a default (a constant or now() is "
		"fine), then backfill it in batches under '-- ferry:repeat'" },
	{ "pg-alter-type-rewrite", E, PG, 0,
		"the type change rewrites the table and its indexes under an "
		"ACCESS EXCLUSIVE lock: no query of it runs meanwhile",
		"add a column of the new type, backfill it in batches, and "
		"switch over in finish" },
	{ "pg-constraint-not-valid", E, PG, 0,
		"adding the constraint scans the whole table while holding a "
		"lock that blocks its writes",
		"add it NOT VALID, then VALIDATE CONSTRAINT in a later "
		"statement, which lets writes through" },
	{ "pg-set-not-null-scan", E, PG, 0,
		"SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE "
		"lock: no query of it runs meanwhile",
		"first add CHECK (column IS NOT NULL) NOT VALID and validate "
		"it: SET NOT NULL then skips the scan (PostgreSQL 12+)" },
	{ "pg-vacuum-full", E, PG, 0,
		"VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE "
		"lock: no query of it runs meanwhile",
		"use plain VACUUM, or pg_repack, outside the migrations" },
	{ "pg-cluster", E, PG, 0,
		"CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock: no "
		"query of it runs meanwhile",
		"use pg_repack outside the migrations" },
	{ "pg-lock-table", W, PG, 0,
		"an explicit lock makes other sessions wait until the "
		"transaction ends",
		"keep the transaction short and set lock_timeout, or do "
		"without the lock" },
	{ "sqlite-table-rebuild", E, SQ, 0,
		"copying the whole table holds SQLite's write lock for the "
		"whole copy: every writer waits",
		"copy in batches under '-- ferry:repeat' in a no-transaction "
		"section, or rebuild in a maintenance window" },
	{ "sqlite-pragma-in-transaction", W, SQ, 0,
		"SQLite ignores this pragma inside a transaction: the setting "
		"silently stays as it was",
		"put it in a section marked no-transaction" },
	{ "up-untouched-template", E, G, 1,
		"the up section is still the placeholder 'ferry new' wrote: "
		"'ferry up' refuses it, or with --allow-empty records the "
		"migration as applied with nothing run",
		"write its SQL in place of the TODO line" },
	{ "allow-without-reason", E, G, 0,
		"a suppression without a reason cannot be reviewed; it "
		"suppresses nothing",
		"say why the statement is safe: '-- ferry:allow RULE REASON'" },
	{ "allow-unknown-rule", E, G, 0,
		"an allow that names no rule suppresses nothing",
		"name a rule 'ferry lint --help' lists" },
};

const ferry__lint_rule *ferry__lint_rule_find(const char *id, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(*rules); i++)
		if (strlen(rules[i].id) == len &&
			strncmp(rules[i].id, id, len) == 0)
			return &rules[i];
	return NULL;
}

void ferry__lint_checks_clear(ferry__lint_checks *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].table);
		free(c->v[i].column);
		free(c->v[i].name);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* A statement's tokens and where the reading stands. */
typedef struct {
	const ferry__lint_stmt *s;
	const ferry__tok *t;
	int n;
	int i;
} reader;

static int is_word(const reader *r, int i, const char *w)
{
	return i >= 0 && i < r->n && r->t[i].type == FERRY__TOK_WORD &&
		strlen(w) == r->t[i].len &&
		strncasecmp(r->t[i].s, w, r->t[i].len) == 0;
}

static int accept(reader *r, const char *w)
{
	if (!is_word(r, r->i, w))
		return 0;
	r->i++;
	return 1;
}

static int is_punct(const reader *r, int i, char c)
{
	return i >= 0 && i < r->n && r->t[i].type == FERRY__TOK_PUNCT &&
		r->t[i].len == 1 && r->t[i].s[0] == c;
}

static int is_ident(const reader *r, int i)
{
	return i >= 0 && i < r->n &&
		(r->t[i].type == FERRY__TOK_WORD ||
			r->t[i].type == FERRY__TOK_QUOTED);
}

/* [schema.]name at the reader: the token of its last part, or -1. */
static int read_name(reader *r)
{
	int name;

	if (!is_ident(r, r->i))
		return -1;
	name = r->i++;
	while (is_punct(r, r->i, '.') && is_ident(r, r->i + 1)) {
		name = r->i + 1;
		r->i += 2;
	}
	return name;
}

/* A token's name for messages and comparisons: quotes off, at most 63
 * bytes, lower case unless quoted. */
static const char *name_of(const ferry__tok *t, char buf[64])
{
	const char *s = t->s;
	size_t len = t->len, i, o = 0;
	int quoted = t->type == FERRY__TOK_QUOTED && len >= 2;

	if (quoted) {
		s++;
		len -= 2;
	}
	for (i = 0; i < len && o < 63; i++) {
		char c = s[i];

		if (!quoted && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf[o++] = c;
	}
	buf[o] = '\0';
	return buf;
}

/* The migration created this table (or index, view...): no traffic. */
static int created(const reader *r, const char *kind, int tok)
{
	int rc;

	if (tok < 0)
		return 0;
	if ((rc = ferry__created_has(r->s->created, kind, &r->t[tok])) < 0)
		*r->s->oom = 1;
	return rc > 0;
}

/* The index just after the parenthesised group or token at `i`. */
static int skip_one(const reader *r, int i)
{
	int depth = 0;

	for (; i < r->n; i++) {
		if (is_punct(r, i, '('))
			depth++;
		else if (is_punct(r, i, ')'))
			depth--;
		if (depth <= 0)
			return i + 1;
	}
	return r->n;
}

/* Is word `w` at parenthesis depth 0 in [from, to)? Its index, or -1. */
static int find_word(const reader *r, int from, int to, const char *w)
{
	int i;

	for (i = from; i < to; i = skip_one(r, i))
		if (is_word(r, i, w))
			return i;
	return -1;
}

/* NOT followed by w (NULL, VALID) in [from, to), at depth 0. */
static int find_not(const reader *r, int from, int to, const char *w)
{
	int i;

	for (i = from; i < to; i = skip_one(r, i))
		if (is_word(r, i, "not") && is_word(r, i + 1, w))
			return i;
	return -1;
}

static void hit_drop(ferry__lint_pass *p, reader *r)
{
	const char *rule = NULL, *kind = "index", *shown = NULL;
	char b[64];
	int concurrently, name;

	if (accept(r, "table")) {
		rule = "up-drop-table";
		kind = "table";
		shown = "TABLE";
	} else if (accept(r, "view") ||
		(accept(r, "materialized") && accept(r, "view"))) {
		rule = "up-drop-view";
		kind = is_word(r, 1, "materialized") ? "materialized view"
						     : "view";
		shown = is_word(r, 1, "materialized") ? "MATERIALIZED VIEW"
						      : "VIEW";
	} else if (!accept(r, "index")) {
		return;
	}
	concurrently = accept(r, "concurrently");
	(void)(accept(r, "if") && accept(r, "exists"));
	while ((name = read_name(r)) >= 0) {
		if (!created(r, kind, name)) {
			if (rule)
				ferry__lint_hit(p, rule, &r->t[0],
					"DROP %s '%s', which the previous "
					"release may still use",
					shown, name_of(&r->t[name], b));
			else if (!concurrently)
				ferry__lint_hit(p, "pg-drop-index-blocking",
					&r->t[0],
					"DROP INDEX '%s' without CONCURRENTLY",
					name_of(&r->t[name], b));
		}
		if (!is_punct(r, r->i, ','))
			break;
		r->i++;
	}
}

static void hit_truncate(ferry__lint_pass *p, reader *r)
{
	char b[64];
	int name;

	(void)accept(r, "table");
	(void)accept(r, "only");
	while ((name = read_name(r)) >= 0) {
		if (!created(r, "table", name))
			ferry__lint_hit(p, "up-truncate", &r->t[0],
				"TRUNCATE of '%s', which the previous release "
				"is serving",
				name_of(&r->t[name], b));
		if (!is_punct(r, r->i, ','))
			break;
		r->i++;
	}
}

/* Functions whose value differs per row: a default of theirs rewrites. */
static int volatile_call(const reader *r, int i)
{
	static const char *const names[] = { "random", "clock_timestamp",
		"gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1",
		"uuid_generate_v1mc", "timeofday", "nextval" };
	size_t k;

	for (k = 0; k < sizeof(names) / sizeof(*names); k++)
		if (is_word(r, i, names[k]) && is_punct(r, i + 1, '('))
			return 1;
	return 0;
}

/* ADD [COLUMN] [IF NOT EXISTS] name type ... in [i, end). */
static void add_column(
	ferry__lint_pass *p, reader *r, int table, int i, int end)
{
	int col, def, j;
	char b[64], c[64];

	r->i = i;
	(void)accept(r, "column");
	(void)(accept(r, "if") && accept(r, "not") && accept(r, "exists"));
	if ((col = read_name(r)) < 0)
		return;
	def = find_word(r, r->i, end, "default");
	if (find_not(r, r->i, end, "null") >= 0 && def < 0 &&
		find_word(r, r->i, end, "generated") < 0)
		ferry__lint_hit(p, "up-add-column-not-null", &r->t[i - 1],
			"ADD COLUMN '%s' to '%s': NOT NULL without a DEFAULT",
			name_of(&r->t[col], b), name_of(&r->t[table], c));
	if (is_word(r, r->i, "serial") || is_word(r, r->i, "bigserial") ||
		is_word(r, r->i, "smallserial")) {
		ferry__lint_hit(p, "pg-volatile-default", &r->t[i - 1],
			"ADD COLUMN '%s' to '%s' as %.*s: each row gets its own "
			"value",
			name_of(&r->t[col], b), name_of(&r->t[table], c),
			(int)r->t[r->i].len, r->t[r->i].s);
		return;
	}
	for (j = def + 1; def >= 0 && j < end; j++)
		if (volatile_call(r, j)) {
			ferry__lint_hit(p, "pg-volatile-default", &r->t[i - 1],
				"ADD COLUMN '%s' to '%s' with the volatile "
				"default %.*s()",
				name_of(&r->t[col], b),
				name_of(&r->t[table], c), (int)r->t[j].len,
				r->t[j].s);
			return;
		}
}

/* Keep a CHECK (col IS NOT NULL) constraint, for SET NOT NULL later. */
static void keep_check(
	const reader *r, int table, int name, int check, int end, int valid)
{
	ferry__lint_checks *cs = r->s->checks;
	ferry__lint_check *k;
	char b[64];
	int col = check + 2;

	/* CHECK ( col IS NOT NULL ) and nothing more */
	if (!is_punct(r, check + 1, '(') || !is_ident(r, col) ||
		!is_word(r, col + 1, "is") || !is_word(r, col + 2, "not") ||
		!is_word(r, col + 3, "null") || !is_punct(r, col + 4, ')') ||
		col + 4 >= end)
		return;
	if (FERRY__GROW(cs->v, cs->alloc, cs->n + 1, 8) < 0) {
		cs->oom = 1;
		return;
	}
	k = &cs->v[cs->n];
	k->table = ferry__strdup(name_of(&r->t[table], b));
	k->column = ferry__strdup(name_of(&r->t[col], b));
	k->name = name >= 0 ? ferry__strdup(name_of(&r->t[name], b)) : NULL;
	k->valid = valid;
	if (!k->table || !k->column || (name >= 0 && !k->name)) {
		free(k->table);
		free(k->column);
		free(k->name);
		cs->oom = 1;
		return;
	}
	cs->n++;
}

static void validate_check(const reader *r, int table, int name)
{
	ferry__lint_checks *cs = r->s->checks;
	char b[64], c[64];
	size_t i;

	name_of(&r->t[table], b);
	name_of(&r->t[name], c);
	for (i = 0; i < cs->n; i++)
		if (cs->v[i].name && strcmp(cs->v[i].table, b) == 0 &&
			strcmp(cs->v[i].name, c) == 0)
			cs->v[i].valid = 1;
}

static int has_valid_check(const reader *r, int table, int col)
{
	const ferry__lint_checks *cs = r->s->checks;
	char b[64], c[64];
	size_t i;

	name_of(&r->t[table], b);
	name_of(&r->t[col], c);
	for (i = 0; i < cs->n; i++)
		if (cs->v[i].valid && strcmp(cs->v[i].table, b) == 0 &&
			strcmp(cs->v[i].column, c) == 0)
			return 1;
	return 0;
}

/* ADD [CONSTRAINT name] FOREIGN KEY / CHECK ... in [i, end). */
static void add_constraint(
	ferry__lint_pass *p, reader *r, int table, int i, int end, int fresh)
{
	int name = -1, kind, not_valid;
	char b[64];

	r->i = i;
	if (accept(r, "constraint"))
		name = read_name(r);
	kind = r->i;
	/* UNIQUE, PRIMARY KEY: an index built as CREATE INDEX builds it,
	 * unless USING INDEX adopts one built CONCURRENTLY. */
	if ((is_word(r, kind, "unique") || is_word(r, kind, "primary")) &&
		!fresh && find_word(r, kind, end, "using") < 0) {
		ferry__lint_hit(p, "pg-create-index-blocking", &r->t[i - 1],
			"ADD %s constraint to '%s' builds its index without "
			"CONCURRENTLY",
			is_word(r, kind, "unique") ? "UNIQUE" : "PRIMARY KEY",
			name_of(&r->t[table], b));
		return;
	}
	if (!is_word(r, kind, "foreign") && !is_word(r, kind, "check"))
		return;
	not_valid = find_not(r, kind, end, "valid") >= 0;
	if (is_word(r, kind, "check"))
		keep_check(r, table, name, kind, end, !not_valid);
	if (!not_valid && !fresh)
		ferry__lint_hit(p, "pg-constraint-not-valid", &r->t[i - 1],
			"ADD %s constraint to '%s' without NOT VALID",
			is_word(r, kind, "check") ? "CHECK" : "FOREIGN KEY",
			name_of(&r->t[table], b));
}

/* Types PostgreSQL changes to without a rewrite, when widening. */
static int binary_coercible(const reader *r, int type, int end)
{
	if (find_word(r, type, end, "using") >= 0)
		return 0;
	return is_word(r, type, "text") || is_word(r, type, "varchar") ||
		(is_word(r, type, "character") &&
			is_word(r, type + 1, "varying"));
}

/* ALTER [COLUMN] col TYPE / SET NOT NULL, in [i, end). */
static void alter_column(
	ferry__lint_pass *p, reader *r, int table, int i, int end)
{
	int col, type;
	char b[64], c[64];

	r->i = i;
	(void)accept(r, "column");
	if ((col = read_name(r)) < 0)
		return;
	name_of(&r->t[col], b);
	name_of(&r->t[table], c);
	if (accept(r, "type") ||
		(accept(r, "set") && accept(r, "data") && accept(r, "type"))) {
		type = r->i;
		if (binary_coercible(r, type, end))
			return;
		ferry__lint_hit(p, "up-alter-type", &r->t[i - 1],
			"ALTER COLUMN '%s' of '%s' to another type", b, c);
		ferry__lint_hit(p, "pg-alter-type-rewrite", &r->t[i - 1],
			"ALTER COLUMN '%s' of '%s' TYPE %.*s", b, c,
			type < r->n ? (int)r->t[type].len : 0,
			type < r->n ? r->t[type].s : "");
		return;
	}
	r->i = col + 1;
	if (accept(r, "set") && accept(r, "not") && accept(r, "null")) {
		ferry__lint_hit(p, "up-set-not-null", &r->t[i - 1],
			"SET NOT NULL on '%s' of '%s'", b, c);
		if (!has_valid_check(r, table, col))
			ferry__lint_hit(p, "pg-set-not-null-scan", &r->t[i - 1],
				"SET NOT NULL on '%s' of '%s' without a "
				"validated CHECK (%s IS NOT NULL) before it",
				b, c, b);
	}
}

/* One action of ALTER TABLE, tokens [i, end). */
static void alter_action(
	ferry__lint_pass *p, reader *r, int table, int i, int end, int fresh)
{
	char b[64], c[64];
	int col;

	name_of(&r->t[table], c);
	r->i = i + 1;
	if (is_word(r, i, "add")) {
		if (fresh)
			add_constraint(p, r, table, i + 1, end, 1);
		else if (is_word(r, i + 1, "constraint") ||
			is_word(r, i + 1, "foreign") ||
			is_word(r, i + 1, "check") ||
			is_word(r, i + 1, "primary") ||
			is_word(r, i + 1, "unique"))
			add_constraint(p, r, table, i + 1, end, 0);
		else if (!is_word(r, i + 1, "exclude"))
			add_column(p, r, table, i + 1, end);
		return;
	}
	if (is_word(r, i, "validate") && accept(r, "constraint") &&
		(col = read_name(r)) >= 0) {
		validate_check(r, table, col);
		return;
	}
	if (fresh)
		return;
	if (is_word(r, i, "drop")) {
		if (is_word(r, r->i, "constraint") ||
			is_word(r, r->i, "default") || is_word(r, r->i, "not"))
			return;
		(void)accept(r, "column");
		(void)(accept(r, "if") && accept(r, "exists"));
		if ((col = read_name(r)) >= 0)
			ferry__lint_hit(p, "up-drop-column", &r->t[i],
				"DROP COLUMN '%s' of '%s', which the previous "
				"release may still use",
				name_of(&r->t[col], b), c);
	} else if (is_word(r, i, "rename")) {
		if (accept(r, "to")) {
			ferry__lint_hit(p, "up-rename-table", &r->t[i],
				"RENAME of table '%s'", c);
			return;
		}
		if (is_word(r, r->i, "constraint"))
			return;
		(void)accept(r, "column");
		if ((col = read_name(r)) >= 0)
			ferry__lint_hit(p, "up-rename-column", &r->t[i],
				"RENAME of column '%s' of '%s'",
				name_of(&r->t[col], b), c);
	} else if (is_word(r, i, "alter")) {
		alter_column(p, r, table, i + 1, end);
	}
}

static void hit_alter(ferry__lint_pass *p, reader *r)
{
	int table, i, start, fresh;

	if (!accept(r, "table"))
		return;
	(void)(accept(r, "if") && accept(r, "exists"));
	(void)accept(r, "only");
	if ((table = read_name(r)) < 0)
		return;
	if (is_punct(r, r->i, '*'))
		r->i++;
	fresh = created(r, "table", table);
	/* Actions, split at the commas outside parentheses. */
	for (start = i = r->i; i <= r->n;
		i = i < r->n ? skip_one(r, i) : i + 1) {
		if (i < r->n && !is_punct(r, i, ','))
			continue;
		if (start < i)
			alter_action(p, r, table, start, i, fresh);
		start = i + 1;
	}
}

static void hit_create_index(ferry__lint_pass *p, reader *r)
{
	int concurrently, on, table;
	char b[64];

	(void)accept(r, "unique");
	if (!accept(r, "index"))
		return;
	concurrently = accept(r, "concurrently");
	if ((on = find_word(r, r->i, r->n, "on")) < 0)
		return;
	r->i = on + 1;
	(void)accept(r, "only");
	if ((table = read_name(r)) < 0 || concurrently ||
		created(r, "table", table))
		return;
	ferry__lint_hit(p, "pg-create-index-blocking", &r->t[0],
		"CREATE INDEX on '%s' without CONCURRENTLY",
		name_of(&r->t[table], b));
}

/* Does a later statement of the section drop `old` or rename `copy`? */
static int swapped_later(const reader *r, int copy, int old)
{
	const ferry__lint_stmt *s = r->s;
	ferry__tok t[12];
	char a[64], b[64];
	size_t k;

	for (k = 0; k < s->nnext; k++) {
		reader n = { s, t, 0, 1 };
		int name;

		n.n = ferry__stmt_tokens(s->body + s->next[k].offset,
			s->next[k].len, s->dialect, t, 12);
		if (is_word(&n, 0, "drop") && accept(&n, "table")) {
			(void)(accept(&n, "if") && accept(&n, "exists"));
			if ((name = read_name(&n)) >= 0 &&
				strcmp(name_of(&t[name], a),
					name_of(&r->t[old], b)) == 0)
				return 1;
		} else if (is_word(&n, 0, "alter") && accept(&n, "table")) {
			if ((name = read_name(&n)) >= 0 &&
				accept(&n, "rename") && accept(&n, "to") &&
				strcmp(name_of(&t[name], a),
					name_of(&r->t[copy], b)) == 0)
				return 1;
		}
	}
	return 0;
}

/* INSERT INTO copy SELECT ... FROM old, then old swapped for copy. */
static void hit_rebuild(ferry__lint_pass *p, reader *r)
{
	int copy, sel, from, old;
	char b[64];

	if (!accept(r, "into") || (copy = read_name(r)) < 0 ||
		!created(r, "table", copy) || r->s->repeat)
		return;
	if (is_punct(r, r->i, '('))
		r->i = skip_one(r, r->i);
	sel = r->i;
	if (!is_word(r, sel, "select") ||
		(from = find_word(r, sel, r->n, "from")) < 0)
		return;
	r->i = from + 1;
	if ((old = read_name(r)) < 0 || created(r, "table", old) ||
		!swapped_later(r, copy, old))
		return;
	ferry__lint_hit(p, "sqlite-table-rebuild", &r->t[0],
		"table '%s' rebuilt by copying it whole",
		name_of(&r->t[old], b));
}

/* UPDATE t ... / DELETE FROM t ... without WHERE, not in batches. */
static void hit_write(ferry__lint_pass *p, reader *r, int update)
{
	int table;
	char b[64];

	if (update) {
		if (accept(r, "or"))
			r->i++; /* SQLite's OR IGNORE, OR REPLACE, ... */
	} else if (!accept(r, "from")) {
		return;
	}
	(void)accept(r, "only");
	if ((table = read_name(r)) < 0 || r->s->repeat ||
		created(r, "table", table) ||
		find_word(r, r->i, r->n, "where") >= 0)
		return;
	ferry__lint_hit(p, "unbounded-write", &r->t[0],
		"%s of every row of '%s' in one statement",
		update ? "UPDATE" : "DELETE", name_of(&r->t[table], b));
}

/*
 * The tables a statement names from the reader on, `[ONLY] a [*] [(cols)],
 * ...` (VACUUM, LOCK): does one of them have traffic? Naming none is the
 * whole database: it has.
 */
static int table_with_traffic(reader *r)
{
	int name, named = 0;

	for (;;) {
		(void)accept(r, "only");
		if ((name = read_name(r)) < 0)
			break;
		named = 1;
		if (!created(r, "table", name))
			return 1;
		if (is_punct(r, r->i, '*'))
			r->i++;
		if (is_punct(r, r->i, '('))
			r->i = skip_one(r, r->i);
		if (!is_punct(r, r->i, ','))
			break;
		r->i++;
	}
	return !named;
}

/* VACUUM FULL [FREEZE ...] or VACUUM (FULL ...), then its tables. */
static void hit_vacuum(ferry__lint_pass *p, reader *r)
{
	int full, end;

	if (is_punct(r, r->i, '(')) {
		end = skip_one(r, r->i);
		full = find_word(r, r->i + 1, end - 1, "full") >= 0;
		r->i = end;
	} else {
		full = accept(r, "full");
		while (accept(r, "freeze") || accept(r, "verbose") ||
			accept(r, "analyze") || accept(r, "analyse"))
			;
	}
	if (full && table_with_traffic(r))
		ferry__lint_hit(p, "pg-vacuum-full", &r->t[0], "VACUUM FULL");
}

/* CLUSTER [VERBOSE | (options)] [table [USING index]], or the old
 * CLUSTER index ON table; without a table, every table clustered before. */
static void hit_cluster(ferry__lint_pass *p, reader *r)
{
	int table;

	if (is_punct(r, r->i, '('))
		r->i = skip_one(r, r->i);
	else
		(void)accept(r, "verbose");
	table = read_name(r);
	if (table >= 0 && accept(r, "on"))
		table = read_name(r);
	if (!created(r, "table", table))
		ferry__lint_hit(p, "pg-cluster", &r->t[0], "CLUSTER");
}

static void hit_lock(ferry__lint_pass *p, reader *r)
{
	(void)accept(r, "table");
	if (table_with_traffic(r))
		ferry__lint_hit(p, "pg-lock-table", &r->t[0], "LOCK TABLE");
}

static void hit_pragma(ferry__lint_pass *p, reader *r)
{
	int name = read_name(r);
	char b[64];

	if (name < 0 || !r->s->transactional ||
		(!is_punct(r, r->i, '=') && !is_punct(r, r->i, '(')))
		return;
	name_of(&r->t[name], b);
	if (strcmp(b, "foreign_keys") == 0 || strcmp(b, "journal_mode") == 0)
		ferry__lint_hit(p, "sqlite-pragma-in-transaction", &r->t[0],
			"PRAGMA %s in a section that runs in a transaction", b);
}

void ferry__lint_statement(ferry__lint_pass *p, const ferry__lint_stmt *s)
{
	reader r = { s, s->t, s->n, 1 };

	if (is_word(&r, 0, "drop"))
		hit_drop(p, &r);
	else if (is_word(&r, 0, "truncate"))
		hit_truncate(p, &r);
	else if (is_word(&r, 0, "alter"))
		hit_alter(p, &r);
	else if (is_word(&r, 0, "create"))
		hit_create_index(p, &r);
	else if (is_word(&r, 0, "insert"))
		hit_rebuild(p, &r);
	else if (is_word(&r, 0, "update") || is_word(&r, 0, "delete"))
		hit_write(p, &r, is_word(&r, 0, "update"));
	else if (is_word(&r, 0, "pragma"))
		hit_pragma(p, &r);
	else if (is_word(&r, 0, "vacuum"))
		hit_vacuum(p, &r);
	else if (is_word(&r, 0, "cluster"))
		hit_cluster(p, &r);
	else if (is_word(&r, 0, "lock"))
		hit_lock(p, &r);
}
