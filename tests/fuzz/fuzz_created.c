/* SPDX-License-Identifier: MIT */
/*
 * fuzz_created.c - libFuzzer target for what `stamp` asks a database for
 * (created.c): the objects a run of statements leaves behind.
 *
 * The first byte picks the dialect (odd SQLite, even PostgreSQL); the
 * rest is a section, split as ferry splits it and read statement by
 * statement. For any input: no crash, no leak; every object has a known
 * kind and a non-empty name without a NUL, an unquoted name folded to
 * lower case, never two alike (kind, schema, name); reading is
 * deterministic; appending `DROP <kind> <name>` for each object left takes
 * every one of them away (what a statement adds, the same words remove);
 * and a failed allocation gives FERRY_ENOMEM, nothing leaked.
 */
#include "fuzz.h"

#include <strings.h>

static const char *const drop_words[] = { "TABLE", "VIEW", "MATERIALIZED VIEW",
	"INDEX", "SEQUENCE", "TYPE", "FUNCTION", "TRIGGER", "SCHEMA" };

typedef struct {
	ferry__created *c;
	const char *text;
	int rc;
} feed_ctx;

static int feed_one(void *payload, size_t offset, size_t len)
{
	feed_ctx *f = payload;

	f->rc = ferry__created_statement(f->c, NULL, 1, f->text + offset, len);
	return f->rc;
}

/* Read `text` into `c`; the statements' return, or 0. */
static int feed(ferry__created *c, const char *text, size_t len)
{
	ferry__split_error serr = { 0, NULL, NULL };
	feed_ctx f = { c, text, 0 };

	(void)ferry__split_each(text, len, c->dialect, feed_one, &f, &serr);
	return f.rc;
}

static int kind_index(const ferry__created_obj *o)
{
	static const char *const kinds[] = { "table", "view",
		"materialized view", "index", "sequence", "type", "function",
		"trigger", "schema" };
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(*kinds); k++)
		if (strcmp(ferry__created_kind(o), kinds[k]) == 0)
			return (int)k;
	return -1;
}

static void check_objects(const ferry__created *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		const ferry__created_obj *o = &c->v[i];

		CHECK(kind_index(o) >= 0);
		CHECK(o->name && *o->name);
		for (j = 0; j < i; j++)
			CHECK(!(c->v[j].kind == o->kind &&
				strcmp(c->v[j].name, o->name) == 0 &&
				((!c->v[j].schema && !o->schema) ||
					(c->v[j].schema && o->schema &&
						strcmp(c->v[j].schema,
							o->schema) == 0))));
	}
}

/* A name as a quoted identifier, quotes doubled. */
static void quote(ferry__buf *b, const char *s)
{
	ferry__buf_quote_ident(b, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ferry__created a, b, d;
	ferry__buf drops = FERRY__BUF_INIT;
	char *text;
	size_t i, len;
	long fail;
	int rc;

	if (size < 1)
		return 0;
	len = size - 1;
	/* A migration file holds no NUL (set.c refuses one). */
	if (memchr(data + 1, '\0', len))
		return 0;
	text = fuzz_dup(data + 1, len, 1);
	memset(&a, 0, sizeof(a));
	a.dialect = (data[0] & 1) ? FERRY__DIALECT_SQLITE : FERRY__DIALECT_PG;
	b = a;
	d = a;
	CHECK(feed(&a, text, len) == 0);
	check_objects(&a);
	CHECK(feed(&b, text, len) == 0);
	CHECK(a.n == b.n);
	for (i = 0; i < a.n; i++)
		CHECK(strcmp(a.v[i].name, b.v[i].name) == 0);

	/* Drop what is left, by the names as stored: nothing stays. */
	for (i = 0; i < a.n; i++) {
		const ferry__created_obj *o = &a.v[i];

		ferry__buf_printf(
			&drops, "DROP %s ", drop_words[kind_index(o)]);
		if (o->schema) {
			quote(&drops, o->schema);
			ferry__buf_puts(&drops, ".");
		}
		quote(&drops, o->name);
		ferry__buf_puts(&drops, ";\n");
	}
	CHECK(!drops.oom);
	if (a.n > 0) {
		CHECK(feed(&d, text, len) == 0);
		CHECK(feed(&d, drops.buf, drops.len) == 0);
		CHECK(d.n == 0);
	}

	/* A failed allocation: FERRY_ENOMEM, nothing leaked. */
	ferry__created_clear(&b);
	for (fail = 1; fail <= 3; fail++) {
		memset(&b, 0, sizeof(b));
		b.dialect = a.dialect;
		ferry__alloc_fail_from(fuzz_pick(data, size, 64) * fail);
		rc = feed(&b, text, len);
		ferry__alloc_fail_from(0);
		CHECK(rc == 0 || rc == FERRY_ENOMEM);
		ferry__created_clear(&b);
	}
	ferry__created_clear(&a);
	ferry__created_clear(&d);
	ferry__buf_release(&drops);
	free(text);
	return 0;
}
