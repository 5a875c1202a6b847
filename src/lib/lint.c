/* SPDX-License-Identifier: MIT */
/*
 * lint.c - `ferry lint`: every section of every migration, statement by
 * statement, through the rules of lint_rules.c; the findings kept with
 * where they are, and the `-- ferry:allow RULE reason` comments that
 * suppress them.
 *
 * Offline: the files only. A table is taken as existing, with traffic on
 * it, unless the same migration created it (created.c reads that from its
 * statements). With no engine chosen, the rules of both run: the SQLite
 * ones on a SQLite reading of the text, the generic and PostgreSQL ones on
 * a PostgreSQL reading (which a SQLite file survives, while a PostgreSQL
 * function body read as SQLite would be cut at each ';').
 */
#include "ferry_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ALLOWS 8
/* How much of one statement lint reads: 1.5 MB of tokens. */
#define LINT_MAX_TOKENS 65536

/* A finding, and the section it is in, counted across the set: the
 * first key of file order. */
typedef struct {
	ferry_lint_finding pub;
	size_t section;
} item;

struct ferry_lint_result {
	item *v;
	size_t n, alloc;
	char **strings;
	size_t nstrings, salloc;
	int oom;
};

/* A `-- ferry:allow RULE reason` of the statement being read. */
typedef struct {
	const char *at; /* the comment's "--" */
	const char *rule;
	size_t rule_len;
	const char *reason;
	size_t reason_len;
} allow;

struct ferry__lint_pass {
	ferry_lint_result *res;
	unsigned families;
	const char *engine; /* the tag of every finding, or NULL: the rule's */
	const ferry__migration *m;
	size_t mig_index;
	int k;
	const char *body; /* the section's text, and its first line */
	int line;
	allow allows[MAX_ALLOWS];
	int nallows;
	ferry__lint_checks checks;
};

size_t ferry_lint_result_count(const ferry_lint_result *r)
{
	return r ? r->n : 0;
}

const ferry_lint_finding *ferry_lint_result_at(
	const ferry_lint_result *r, size_t i)
{
	return r && i < r->n ? &r->v[i].pub : NULL;
}

size_t ferry_lint_result_errors(const ferry_lint_result *r)
{
	size_t i, n = 0;

	for (i = 0; r && i < r->n; i++)
		n += r->v[i].pub.level == FERRY_LINT_ERROR &&
			!r->v[i].pub.allowed;
	return n;
}

void ferry_lint_result_free(ferry_lint_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nstrings; i++)
		free(r->strings[i]);
	free(r->strings);
	free(r->v);
	free(r);
}

/* Keep `s` (taken over) with the result; NULL marks oom. */
static const char *keep(ferry_lint_result *r, char *s)
{
	if (!s || FERRY__GROW(r->strings, r->salloc, r->nstrings + 1, 32) < 0) {
		free(s);
		r->oom = 1;
		return NULL;
	}
	r->strings[r->nstrings++] = s;
	return s;
}

static const char *family_engine(unsigned family)
{
	if (family == FERRY__LINT_PG)
		return "postgres";
	return family == FERRY__LINT_SQLITE ? "sqlite" : "any";
}

/* Line and column of `at` in the section being read. */
static void position(
	const ferry__lint_pass *p, const char *at, int *line, int *col)
{
	const char *q, *bol = p->body;

	*line = p->line;
	for (q = p->body; q < at; q++)
		if (*q == '\n') {
			(*line)++;
			bol = q + 1;
		}
	*col = (int)(at - bol) + 1;
}

static void add_finding(ferry__lint_pass *p, const ferry__lint_rule *rule,
	const char *at, char *message)
{
	ferry_lint_result *r = p->res;
	ferry_lint_finding *f;
	int i;

	if (FERRY__GROW(r->v, r->alloc, r->n + 1, 16) < 0) {
		free(message);
		r->oom = 1;
		return;
	}
	memset(&r->v[r->n], 0, sizeof(*r->v));
	r->v[r->n].section = p->mig_index * FERRY__NSECTIONS + (size_t)p->k;
	f = &r->v[r->n++].pub;
	f->file = ferry__section_path(p->m, p->k);
	position(p, at, &f->line, &f->column);
	f->migration = &p->m->pub;
	f->section = ferry__section_names[p->k];
	f->rule = rule->id;
	f->level = rule->level;
	f->engine = p->engine ? p->engine : family_engine(rule->family);
	f->message = keep(r, message);
	f->why = rule->why;
	f->fix = rule->fix;
	f->breaking = rule->up_only;
	for (i = 0; i < p->nallows; i++) {
		const allow *a = &p->allows[i];

		if (a->reason_len > 0 && a->rule_len == strlen(rule->id) &&
			strncmp(a->rule, rule->id, a->rule_len) == 0) {
			f->allowed = 1;
			f->reason = keep(
				r, ferry__strndup(a->reason, a->reason_len));
		}
	}
}

void ferry__lint_hit(ferry__lint_pass *p, const char *id, const ferry__tok *at,
	const char *fmt, ...)
{
	const ferry__lint_rule *rule = ferry__lint_rule_find(id, strlen(id));
	ferry__buf b = FERRY__BUF_INIT;
	va_list ap;

	if (!rule || !(rule->family & p->families) ||
		(rule->up_only && p->k != FERRY__UP))
		return;
	va_start(ap, fmt);
	ferry__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	add_finding(p, rule, at->s, ferry__buf_detach(&b));
}

/* The allow on the line [q, eol) after its "--", if it is one. */
static void read_allow(ferry__lint_pass *p, const char *dash, const char *eol)
{
	const char *q = dash + 2;
	allow *a;

	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	if (eol - q < 11 || strncasecmp(q, "ferry:allow", 11) != 0 ||
		(q + 11 < eol && q[11] != ' ' && q[11] != '\t') ||
		p->nallows == MAX_ALLOWS)
		return;
	a = &p->allows[p->nallows++];
	a->at = dash;
	for (q += 11; q < eol && (*q == ' ' || *q == '\t'); q++)
		;
	a->rule = q;
	while (q < eol && *q != ' ' && *q != '\t')
		q++;
	a->rule_len = (size_t)(q - a->rule);
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	a->reason = q;
	while (eol > q &&
		(eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
		eol--;
	a->reason_len = (size_t)(eol - q);
}

/*
 * The allows of the statement at `start`: whole comment lines between the
 * statement before it (whose own line is its own) and it, and a comment on
 * its first line (after it, or inside it).
 */
static void find_allows(
	ferry__lint_pass *p, size_t gap, size_t start, size_t len)
{
	const char *q = p->body + gap, *end = p->body + start, *eol;
	const char *stop = p->body + len;

	p->nallows = 0;
	if (gap > 0 && p->body[gap - 1] != '\n') {
		q = memchr(q, '\n', (size_t)(end - q));
		q = q ? q + 1 : end;
	}
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		eol = nl ? nl : end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (eol - q >= 2 && q[0] == '-' && q[1] == '-')
			read_allow(p, q, eol);
		q = nl ? nl + 1 : end;
	}
	eol = memchr(end, '\n', (size_t)(stop - end));
	if (!eol)
		eol = stop;
	for (q = end; q + 1 < eol; q++)
		if (q[0] == '-' && q[1] == '-') {
			read_allow(p, q, eol);
			break;
		}
}

/* Allows that suppress nothing: no reason, or a rule nobody knows. */
static void check_allows(ferry__lint_pass *p)
{
	int i;

	if (!(p->families & FERRY__LINT_GENERIC))
		return;
	for (i = 0; i < p->nallows; i++) {
		const allow *a = &p->allows[i];
		ferry__buf b = FERRY__BUF_INIT;
		const char *id;

		if (!ferry__lint_rule_find(a->rule, a->rule_len)) {
			id = "allow-unknown-rule";
			ferry__buf_printf(&b,
				"'-- ferry:allow' names no rule: "
				"'%.*s'",
				(int)a->rule_len, a->rule);
		} else if (a->reason_len == 0) {
			id = "allow-without-reason";
			ferry__buf_printf(&b,
				"'-- ferry:allow %.*s' gives no reason",
				(int)a->rule_len, a->rule);
		} else {
			continue;
		}
		add_finding(p, ferry__lint_rule_find(id, strlen(id)), a->at,
			ferry__buf_detach(&b));
	}
}

typedef struct {
	ferry__lint_pass *p;
	ferry__created *created;
	ferry__dialect dialect;
	const ferry__section *sec;
} section_ctx;

/*
 * An up section `ferry new` wrote and nobody filled in (template.c): no
 * statement to read, but the one thing in a pull request that `up` is
 * sure to refuse. Found at its placeholder line.
 */
static void check_template(ferry__lint_pass *p, size_t len)
{
	const ferry__lint_rule *rule;
	const char *at = p->body;
	int line;

	if (p->k != FERRY__UP ||
		!ferry__section_is_template(p->body, len, &line))
		return;
	rule = ferry__lint_rule_find(
		"up-untouched-template", strlen("up-untouched-template"));
	if (!rule || !(rule->family & p->families))
		return;
	while (line-- > 0 &&
		(at = memchr(at, '\n', len - (size_t)(at - p->body))))
		at++;
	add_finding(p, rule, at ? at : p->body,
		ferry__strdup("the up section is still the template "
			      "'ferry new' wrote"));
}

/*
 * Every token of the statement [stmt, stmt + len) into `*t`, grown until
 * they fit, so that the rules read to its end: a WHERE far into a long
 * UPDATE, a DROP COLUMN after many ADDs. How many, or -1 when out of
 * memory.
 */
static int tokenize(ferry__tok **t, size_t *alloc, const char *stmt, size_t len,
	ferry__dialect dialect)
{
	for (;;) {
		int max = *alloc > INT_MAX ? INT_MAX : (int)*alloc;
		int n = ferry__stmt_tokens(stmt, len, dialect, *t, max);

		/* Room to spare: that was all of them. Past the cap, the
		 * start of a statement is all lint reads: a 64 MB INSERT
		 * ... VALUES would otherwise cost it gigabytes. */
		if (n < max || max >= LINT_MAX_TOKENS)
			return n;
		if (FERRY__GROW(*t, *alloc, *alloc + 1, 64) < 0)
			return -1;
	}
}

static void lint_section(section_ctx *c, const char *text)
{
	ferry__lint_pass *p = c->p;
	ferry__split_error serr = { 0, NULL, NULL };
	ferry__spans spans = { NULL, 0, 0 };
	ferry__tok *t = NULL;
	size_t i, talloc = 0, gap = 0;
	int rc;

	p->body = text + c->sec->offset;
	p->line = c->sec->line;
	check_template(p, c->sec->len);
	/* A section that does not split fails when it runs: nothing here. */
	if ((rc = ferry__split_blocks(&spans, p->body, c->sec->len,
		     c->sec->blocks, c->dialect, &serr)) < 0) {
		if (rc == FERRY_ENOMEM)
			p->res->oom = 1;
		ferry__spans_clear(&spans);
		return;
	}
	for (i = 0; i < spans.n && !p->res->oom; i++) {
		const ferry__span *sp = &spans.v[i];
		ferry__repeat rep;
		ferry__lint_stmt s;
		int line, col;

		memset(&s, 0, sizeof(s));
		if ((s.n = tokenize(&t, &talloc, p->body + sp->offset, sp->len,
			     c->dialect)) < 0) {
			p->res->oom = 1;
			break;
		}
		s.t = t;
		s.k = p->k;
		s.transactional = !c->sec->no_transaction;
		s.repeat = ferry__repeat_find(p->body, gap, sp->offset, &rep);
		s.dialect = c->dialect;
		s.created = c->created;
		s.checks = &p->checks;
		s.oom = &p->res->oom;
		s.body = p->body;
		s.next = sp + 1;
		s.nnext = spans.n - i - 1;
		find_allows(p, gap, sp->offset, c->sec->len);
		ferry__lint_statement(p, &s);
		check_allows(p);
		position(p, p->body + sp->offset, &line, &col);
		if (ferry__created_statement(c->created, p->m, line,
			    p->body + sp->offset, sp->len) < 0)
			p->res->oom = 1;
		gap = sp->offset + sp->len;
	}
	if (p->checks.oom)
		p->res->oom = 1;
	free(t);
	ferry__spans_clear(&spans);
}

static int lint_migration(
	ferry__lint_pass *p, ferry__dialect dialect, ferry_error *err)
{
	ferry__created created = { dialect, NULL, 0, 0 };
	ferry__hasher h;
	ferry__loaded f;
	int k, rc;

	if (p->m->code)
		return 0;
	ferry__hasher_init(&h);
	rc = ferry__migration_load(p->m, &h, &f, err);
	ferry__hasher_release(&h);
	for (k = 0; rc == 0 && k < FERRY__NSECTIONS; k++) {
		section_ctx c = { p, &created, dialect, &f.sec[k] };

		if (!f.sec[k].present)
			continue;
		p->k = k;
		lint_section(&c, f.text);
	}
	ferry__created_clear(&created);
	ferry__loaded_release(&f);
	return rc;
}

static int lint_pass(ferry_lint_result *r, const ferry_set *set,
	ferry__dialect dialect, unsigned families, const char *engine,
	ferry_error *err)
{
	ferry__lint_pass p;
	size_t i;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.res = r;
	p.families = families;
	p.engine = engine;
	for (i = 0; i < set->n && rc == 0 && !r->oom; i++) {
		p.m = &set->migs[i];
		p.mig_index = i;
		rc = lint_migration(&p, dialect, err);
	}
	ferry__lint_checks_clear(&p.checks);
	return rc;
}

/* File order: migration and section, then line and column. */
static int before(const item *a, const item *b)
{
	if (a->section != b->section)
		return a->section < b->section;
	if (a->pub.line != b->pub.line)
		return a->pub.line < b->pub.line;
	return a->pub.column < b->pub.column;
}

static void sort_findings(ferry_lint_result *r)
{
	size_t i, j;

	/* Insertion sort: stable, and the passes left it nearly sorted. */
	for (i = 1; i < r->n; i++) {
		item it = r->v[i];

		for (j = i; j > 0 && before(&it, &r->v[j - 1]); j--)
			r->v[j] = r->v[j - 1];
		r->v[j] = it;
	}
}

int ferry_lint(ferry_lint_result **out, const ferry_set *set,
	const ferry_lint_options *opts, ferry_error *err)
{
	const char *engine = opts ? opts->engine : NULL;
	ferry_lint_result *r;
	int rc;

	if (!out || !set)
		return ferry__error_set(
			err, FERRY_EINVALID, "ferry_lint needs out and set");
	*out = NULL;
	if (opts && opts->version != FERRY_LINT_OPTIONS_VERSION)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: 'opts' (version %u)", opts->version);
	if (engine && strcmp(engine, "sqlite") != 0 &&
		strcmp(engine, "postgres") != 0) {
		ferry__error_set(
			err, FERRY_EINVALID, "unknown engine '%.40s'", engine);
		ferry__error_hint(err, "give 'sqlite' or 'postgres'");
		return FERRY_EINVALID;
	}
	if (!(r = ferry__calloc(1, sizeof(*r))))
		return ferry__error_oom(err);
	if (!engine) {
		rc = lint_pass(r, set, FERRY__DIALECT_SQLITE,
			FERRY__LINT_SQLITE, NULL, err);
		if (rc == 0)
			rc = lint_pass(r, set, FERRY__DIALECT_PG,
				FERRY__LINT_GENERIC | FERRY__LINT_PG, NULL,
				err);
	} else if (strcmp(engine, "sqlite") == 0)
		rc = lint_pass(r, set, FERRY__DIALECT_SQLITE,
			FERRY__LINT_GENERIC | FERRY__LINT_SQLITE, "sqlite",
			err);
	else
		rc = lint_pass(r, set, FERRY__DIALECT_PG,
			FERRY__LINT_GENERIC | FERRY__LINT_PG, "postgres", err);
	if (rc == 0 && r->oom)
		rc = ferry__error_oom(err);
	if (rc < 0) {
		ferry_lint_result_free(r);
		return rc;
	}
	sort_findings(r);
	*out = r;
	return 0;
}
