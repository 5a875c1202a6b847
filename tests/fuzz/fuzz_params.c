/* SPDX-License-Identifier: MIT */
/*
 * fuzz_params.c - libFuzzer target for a migration's parameters: finding
 * `-- ferry:param` lines (ferry__params_each in parse.c) and putting the
 * values into SQL as psql does (ferry__params_apply, params.c).
 *
 * The input is a migration file's text, then after a NUL the values of
 * the parameters it declares, in order, each ended by a NUL: a file
 * cannot hold a NUL, a value can hold anything else (quotes, ';',
 * newlines). A parameter with no value here runs with its default, or ""
 * (binding would refuse it; apply takes any value). A file that parses
 * must have its declarations found as written: at most
 * FERRY__PARAMS_MAX, each name once, at the right line.
 *
 * ferry__params_bind needs a database handle, so the harness binds by
 * hand and applies each section's text with mask 0 and 1. Where the
 * values go cannot depend on what they are, so a first run with values
 * that are unique tags (a byte the section lacks, an index, that byte)
 * shows, walking input and output side by side, each use: where, which
 * parameter, raw or quoted. From those uses the output of the real runs
 * is built here and must match byte for byte: quotes doubled in a
 * quoted value, a secret's value (its name holds password, secret or
 * token, in any case) masked when asked and always in the history's
 * note, nothing replaced when there is no use (then out->len is 0), and
 * a raw use of a value that holds ';' refused with FERRY_EINVALID at
 * that use. For sections with no quote, bracket, dollar or block
 * comment, the uses themselves are checked against a plain reading of
 * psql's rule: `:name` after an odd run of colons (an even run is
 * casts), and not in a line comment. A failed allocation gives
 * FERRY_ENOMEM, no leak.
 */
#include "fuzz.h"

#include <strings.h>

typedef struct {
	const char *text; /* the file, exactly its size */
	size_t len;
	const char *vals; /* what follows the file's NUL, or NULL */
	const char *vals_end;
	ferry__bound_param p[FERRY__PARAMS_MAX];
	char *own[FERRY__PARAMS_MAX]; /* values copied from the input */
	size_t n;
} decls;

/* One use of a parameter in a section: `len` bytes at `pos`. */
typedef struct {
	size_t pos, len, k;
	char q; /* 0 for :x, else the quote of :'x' or :"x" */
} use;

static int is_word(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > FERRY__PARAM_NAME_MAX || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_word(s[i]))
			return 0;
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Is [p, eol) a `-- ferry:param` line (blanks aside, any case)? */
static int param_line(const char *p, const char *eol)
{
	while (p < eol && is_blank(*p))
		p++;
	if (eol - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	for (p += 2; p < eol && is_blank(*p); p++)
		;
	if (eol - p < 6 || strncasecmp(p, "ferry:", 6) != 0)
		return 0;
	for (p += 6; p < eol && is_blank(*p); p++)
		;
	return eol - p >= 5 && strncasecmp(p, "param", 5) == 0 &&
		(eol - p == 5 || is_blank(p[5]));
}

/*
 * In a file that parses, each param line is a declaration in the open (one
 * in a comment or a quote is refused), so each must have been found, in
 * order. A byte order mark is not part of the first line (parse.c).
 */
static void check_found(const decls *d)
{
	const char *p = d->text, *end = d->text + d->len;
	size_t j = 0;
	int line = 1, bom;

	bom = d->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0;
	for (p += bom ? 3 : 0; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (param_line(p, eol)) {
			CHECK(j < d->n);
			CHECK(d->p[j].line == line);
			j++;
		}
		p = nl ? nl + 1 : end;
	}
	CHECK(j == d->n);
}

static int secret_name(const char *name, size_t n)
{
	char s[FERRY__PARAM_NAME_MAX + 1];

	memcpy(s, name, n);
	s[n] = '\0';
	return strcasestr(s, "password") || strcasestr(s, "secret") ||
		strcasestr(s, "token");
}

static int collect(void *payload, const ferry__param_decl *d)
{
	decls *c = payload;
	ferry__bound_param *b;
	size_t at, i;

	/* The parse refused a file with more, or with a name twice. */
	CHECK(c->n < FERRY__PARAMS_MAX);
	CHECK(d->name >= c->text && d->name < c->text + c->len);
	at = (size_t)(d->name - c->text);
	CHECK(d->name_len <= c->len - at);
	CHECK(name_ok(d->name, d->name_len));
	CHECK(d->line == fuzz_line_of(c->text, at));
	for (i = 0; i < c->n; i++)
		CHECK(c->p[i].name_len != d->name_len ||
			memcmp(c->p[i].name, d->name, d->name_len) != 0);
	if (d->has_default) {
		const char *e = d->value + d->value_len;

		CHECK(d->value >= d->name + d->name_len);
		CHECK(e <= c->text + c->len);
		CHECK(!memchr(d->name, '\n', (size_t)(e - d->name)));
		CHECK(d->value_len == 0 ||
			(e[-1] != ' ' && e[-1] != '\t' && e[-1] != '\r'));
	}

	b = &c->p[c->n];
	b->name = d->name;
	b->name_len = d->name_len;
	b->line = d->line;
	if (c->vals && c->vals < c->vals_end) {
		const char *nul =
			memchr(c->vals, '\0', (size_t)(c->vals_end - c->vals));
		size_t n = nul ? (size_t)(nul - c->vals)
			       : (size_t)(c->vals_end - c->vals);

		/* Its own allocation, for ASan to see a read past it. */
		b->value = n ? (c->own[c->n] = fuzz_dup(c->vals, n, 0)) : "";
		b->value_len = n;
		c->vals += n + 1;
	} else if (d->has_default) {
		b->value = d->value;
		b->value_len = d->value_len;
	} else {
		b->value = "";
		b->value_len = 0;
	}
	c->n++;
	return 0;
}

static int stop_at_first(void *payload, const ferry__param_decl *d)
{
	(void)d;
	++*(int *)payload;
	return 7;
}

/* A byte that `s` lacks and that no quoting or masking writes, or -1. */
static int tag_byte(const char *s, size_t n)
{
	int b;

	for (b = 1; b < 256; b++) {
		if (b == '\n' || (b >= ' ' && b < 0x7f))
			continue;
		if (!memchr(s, b, n))
			return b;
	}
	return -1;
}

static const char hex[] = "0123456789abcdef";

/*
 * The uses that the tagged output `out` of `sql` shows. Outside a use the
 * two are byte for byte the same, and a use starts with ':' in the input
 * but with the tag byte or a quote in the output, so the walk cannot go
 * wrong; each use must name a bound parameter as a whole word.
 */
static size_t decode(const char *sql, size_t len, const ferry__buf *out,
	int tag, const ferry__loaded *f, use *u)
{
	const char *o = out->buf, *oend = out->buf + out->len;
	size_t i = 0, nu = 0;

	while (i < len || o < oend) {
		const ferry__bound_param *b;
		const char *h;
		size_t k;
		char q = 0;

		if (i < len && o < oend && sql[i] == *o) {
			i++;
			o++;
			continue;
		}
		CHECK(i < len && sql[i] == ':' && o < oend);
		if (*o == '\'' || *o == '"')
			q = *o++;
		CHECK(oend - o >= 4 && (unsigned char)o[0] == tag &&
			(unsigned char)o[3] == tag);
		CHECK((h = memchr(hex, o[1], 16)) != NULL);
		k = (size_t)(h - hex) * 16;
		CHECK((h = memchr(hex, o[2], 16)) != NULL);
		k += (size_t)(h - hex);
		CHECK(k < f->nparams);
		o += 4;
		if (q) {
			CHECK(o < oend && *o == q);
			o++;
		}
		b = &f->params[k];
		u[nu].pos = i;
		u[nu].len = 1 + b->name_len + (q ? 2 : 0);
		u[nu].k = k;
		u[nu].q = q;
		CHECK(u[nu].len <= len - i);
		i++;
		if (q)
			CHECK(sql[i++] == q);
		CHECK(memcmp(sql + i, b->name, b->name_len) == 0);
		i += b->name_len;
		if (q)
			CHECK(sql[i++] == q);
		else
			CHECK(i == len || !is_word(sql[i]));
		nu++;
	}
	return nu;
}

/*
 * No quote, bracket, dollar or block comment: all of `sql` but its line
 * comments is in the open, and the uses are what psql would see.
 */
static int plain_text(const char *sql, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr("'\"`[$/", sql[i]))
			return 0;
	return 1;
}

static void check_plain_uses(const char *sql, size_t len,
	const ferry__loaded *f, const use *u, size_t nu)
{
	size_t i = 0, r, n, k, seen = 0;
	int candidate;

	while (i < len) {
		if (sql[i] == '-' && i + 1 < len && sql[i + 1] == '-') {
			while (i < len && sql[i] != '\n')
				i++;
			continue;
		}
		if (sql[i] != ':') {
			i++;
			continue;
		}
		for (r = i; r < len && sql[r] == ':'; r++)
			;
		for (n = 0; r + n < len && is_word(sql[r + n]); n++)
			;
		/* An even run is casts; after an odd one, the last ':'. */
		candidate = (r - i) % 2 && name_ok(sql + r, n);
		for (k = 0; candidate && k < f->nparams; k++)
			if (f->params[k].name_len == n &&
				memcmp(f->params[k].name, sql + r, n) == 0)
				break;
		if (candidate && k < f->nparams) {
			CHECK(seen < nu);
			CHECK(u[seen].pos == r - 1 && u[seen].k == k &&
				!u[seen].q);
			seen++;
		}
		i = r;
	}
	CHECK(seen == nu);
}

/* `v` in quotes `q`, each `q` in it doubled, at `out`; returns the end. */
static char *quoted(char *out, const char *v, size_t n, char q)
{
	size_t i;

	*out++ = q;
	for (i = 0; i < n; i++) {
		if (v[i] == q)
			*out++ = q;
		*out++ = v[i];
	}
	*out++ = q;
	return out;
}

/* What `sql` becomes with the uses `u` put in; its length in *outlen. */
static char *expected(const char *sql, size_t len, const ferry__loaded *f,
	const use *u, size_t nu, int mask, size_t *outlen)
{
	size_t i, cap = len + 1, last = 0;
	char *e, *p;

	for (i = 0; i < nu; i++)
		cap += 2 * f->params[u[i].k].value_len + 8;
	p = e = malloc(cap);
	if (!e)
		abort();
	for (i = 0; i < nu; i++) {
		const ferry__bound_param *b = &f->params[u[i].k];

		memcpy(p, sql + last, u[i].pos - last);
		p += u[i].pos - last;
		if (mask && secret_name(b->name, b->name_len))
			p = u[i].q ? quoted(p, "****", 4, u[i].q)
				   : (char *)memcpy(p, "****", 4) + 4;
		else if (u[i].q)
			p = quoted(p, b->value, b->value_len, u[i].q);
		else
			p = (char *)memcpy(p, b->value, b->value_len) +
				b->value_len;
		last = u[i].pos + u[i].len;
	}
	memcpy(p, sql + last, len - last);
	p += len - last;
	*outlen = (size_t)(p - e);
	return e;
}

static void check_error(const ferry_error *err, int first, int last)
{
	CHECK(err->code == FERRY_EINVALID);
	CHECK(err->message[0] != '\0');
	CHECK(strchr(err->message, '\n') == NULL);
	CHECK(strcmp(err->file, "fuzz.sql") == 0);
	CHECK(err->line >= first && err->line <= last);
	CHECK(err->column >= 1);
}

/*
 * SPEC section 2: with `mask`, a secret's value must not show. Looked for
 * only where nothing else could spell it: at least 6 bytes, not in the
 * section, and holding a byte that neither the section, another value nor
 * masking and quoting can give.
 */
static void check_hidden(const ferry__loaded *f, const char *sql, size_t len,
	const ferry__buf *out)
{
	size_t i, j, c;

	for (i = 0; i < f->nparams; i++) {
		const ferry__bound_param *s = &f->params[i];
		int lone = 0;

		if (!secret_name(s->name, s->name_len) || s->value_len < 6 ||
			memmem(sql, len, s->value, s->value_len))
			continue;
		for (c = 0; c < s->value_len && !lone; c++) {
			char ch = s->value[c];

			lone = !strchr("*'\"", ch) && !memchr(sql, ch, len);
			for (j = 0; lone && j < f->nparams; j++)
				lone = secret_name(f->params[j].name,
					       f->params[j].name_len) ||
					!memchr(f->params[j].value, ch,
						f->params[j].value_len);
		}
		if (lone)
			CHECK(!out->len ||
				!memmem(out->buf, out->len, s->value,
					s->value_len));
	}
}

/* The history's note: "parameters: a=1, api_token=****", or nothing. */
static void check_note(const ferry__loaded *f)
{
	ferry__buf note = FERRY__BUF_INIT;
	size_t i, cap = 16, at = 0;
	char *e;

	for (i = 0; i < f->nparams; i++)
		cap += f->params[i].name_len + f->params[i].value_len + 8;
	if (!(e = malloc(cap)))
		abort();
	for (i = 0; i < f->nparams; i++) {
		const ferry__bound_param *b = &f->params[i];
		const char *sep = i ? ", " : "parameters: ";

		memcpy(e + at, sep, strlen(sep));
		at += strlen(sep);
		memcpy(e + at, b->name, b->name_len);
		at += b->name_len;
		e[at++] = '=';
		if (secret_name(b->name, b->name_len)) {
			memcpy(e + at, "****", 4);
			at += 4;
		} else {
			memcpy(e + at, b->value, b->value_len);
			at += b->value_len;
		}
	}
	ferry__params_note(f, &note);
	CHECK(!note.oom && note.len == at);
	CHECK(at == 0 || memcmp(note.buf, e, at) == 0);
	ferry__buf_release(&note);
	free(e);
}

static void check_oom(const uint8_t *data, size_t size, const ferry__loaded *f,
	const char *sql, size_t len, const ferry__src *src)
{
	ferry__buf out = FERRY__BUF_INIT;
	ferry_error err;
	long count;
	int rc;

	ferry__alloc_fail_from(0);
	CHECK(ferry__params_apply(f, sql, len, src, 0, &out, NULL) >= 0);
	ferry__buf_release(&out);
	count = ferry__alloc_count();
	if (count == 0)
		return;
	ferry_error_init(&err);
	ferry__alloc_fail_from(fuzz_pick(data, size, count));
	rc = ferry__params_apply(f, sql, len, src, 0, &out, &err);
	ferry__alloc_fail_from(0);
	CHECK(rc == FERRY_ENOMEM && err.code == FERRY_ENOMEM);
	ferry__buf_release(&out);
}

static void check_section(const uint8_t *data, size_t size,
	const ferry__loaded *f, const ferry__section *s)
{
	char *sql = fuzz_dup(f->text + s->offset, s->len, 0);
	size_t len = s->len, nu = 0, i, elen;
	int last_line = s->line + fuzz_line_of(sql, len) - 1;
	ferry__src src = { "fuzz.sql", s->line, 1 };
	ferry__bound_param tagged[FERRY__PARAMS_MAX];
	char tags[FERRY__PARAMS_MAX][4];
	ferry__loaded t = *f;
	ferry__buf out = FERRY__BUF_INIT;
	ferry_error err[2];
	int tag = tag_byte(sql, len), rc_tag = 0, rc[2], mask;
	use *u = malloc((len / 2 + 1) * sizeof(*u));
	const use *bad = NULL;

	if (!u)
		abort();
	if (tag >= 0) {
		for (i = 0; i < f->nparams; i++) {
			tags[i][0] = tags[i][3] = (char)tag;
			tags[i][1] = hex[i / 16];
			tags[i][2] = hex[i % 16];
			tagged[i] = f->params[i];
			tagged[i].value = tags[i];
			tagged[i].value_len = 4;
		}
		t.params = tagged;
		rc_tag = ferry__params_apply(&t, sql, len, &src, 0, &out, NULL);
		CHECK(rc_tag >= 0 || rc_tag == FERRY_EINVALID);
		if (rc_tag == 1)
			nu = decode(sql, len, &out, tag, f, u);
		if (rc_tag >= 0 && plain_text(sql, len))
			check_plain_uses(sql, len, f, u, nu);
		CHECK(rc_tag >= 0 || !plain_text(sql, len));
		ferry__buf_release(&out);
	}
	/* The first raw use of a value that holds ';' refuses the whole. */
	for (i = 0; i < nu && !bad; i++)
		if (!u[i].q &&
			memchr(f->params[u[i].k].value, ';',
				f->params[u[i].k].value_len))
			bad = &u[i];

	for (mask = 0; mask < 2; mask++) {
		ferry_error_init(&err[mask]);
		rc[mask] = ferry__params_apply(
			f, sql, len, &src, mask, &out, &err[mask]);
		CHECK(rc[mask] == 0 || rc[mask] == 1 ||
			rc[mask] == FERRY_EINVALID);
		if (!memchr(sql, ':', len) || f->nparams == 0)
			CHECK(rc[mask] == 0 && out.len == 0);
		if (rc[mask] < 0)
			check_error(&err[mask], s->line, last_line);
		else
			CHECK(err[mask].code == FERRY_OK && !out.oom);
		if (mask)
			check_hidden(f, sql, len, &out);
		if (tag < 0) {
			ferry__buf_release(&out);
			continue;
		}
		if (rc_tag < 0) {
			/* A quoted use of an undeclared name, whatever values. */
			CHECK(rc[mask] == FERRY_EINVALID);
		} else if (bad) {
			CHECK(rc[mask] == FERRY_EINVALID);
			CHECK(strstr(err[mask].message, "holds ';'") != NULL);
			CHECK(err[mask].line ==
				s->line + fuzz_line_of(sql, bad->pos) - 1);
		} else {
			char *e = expected(sql, len, f, u, nu, mask, &elen);

			/* 0: nothing to put in, the text runs as it is. */
			CHECK(rc[mask] == (nu != 0));
			CHECK(nu == 0 ||
				(out.len == elen &&
					memcmp(out.buf, e, elen) == 0));
			for (i = 0; i < nu && !mask; i++) {
				const ferry__bound_param *b =
					&f->params[u[i].k];
				char *d;
				size_t dl;

				if (u[i].q != '\'')
					continue;
				d = malloc(2 * b->value_len + 2);
				if (!d)
					abort();
				dl = (size_t)(quoted(d, b->value, b->value_len,
						      '\'') -
					d);
				CHECK(memmem(out.buf, out.len, d, dl) != NULL);
				free(d);
			}
			free(e);
		}
		ferry__buf_release(&out);
	}
	/* Masking hides values; it cannot change what is refused, or where. */
	CHECK(rc[0] == rc[1]);
	if (rc[0] < 0)
		CHECK(err[0].line == err[1].line &&
			err[0].column == err[1].column &&
			strcmp(err[0].message, err[1].message) == 0);
	else if (f->nparams)
		check_oom(data, size, f, sql, len, &src);
	free(u);
	free(sql);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - (const char *)data) : size, i;
	char *text = fuzz_dup(data, tlen, 0);
	ferry__loaded f;
	ferry_error err;
	decls d;
	int k, calls = 0;

	memset(&f, 0, sizeof(f));
	memset(&d, 0, sizeof(d));
	ferry_error_init(&err);
	if (ferry__parse_sections(f.sec, text, tlen, "fuzz.sql", NULL, &err)) {
		free(text);
		return 0;
	}
	d.text = text;
	d.len = tlen;
	if (nul) {
		d.vals = nul + 1;
		d.vals_end = (const char *)data + size;
	}
	CHECK(ferry__params_each(text, tlen, collect, &d) == 0);
	CHECK(ferry__params_each(text, tlen, stop_at_first, &calls) ==
		(d.n ? 7 : 0));
	CHECK(calls == (d.n ? 1 : 0));
	check_found(&d);

	f.text = text;
	f.len = tlen;
	f.params = d.p;
	f.nparams = d.n;
	check_note(&f);
	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (f.sec[k].present)
			check_section(data, size, &f, &f.sec[k]);
	for (i = 0; i < d.n; i++)
		free(d.own[i]);
	free(text);
	return 0;
}
