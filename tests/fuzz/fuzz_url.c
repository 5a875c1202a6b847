/* SPDX-License-Identifier: MIT */
/*
 * fuzz_url.c - libFuzzer target for database URLs and password masking
 * (ferry__url_parse and ferry_url_mask in url.c).
 *
 * SPEC section 2: no password in any output. Each input is used three
 * ways. As it stands, it is parsed and masked: no crash, masking is
 * idempotent, the parse result is consistent and what it displays is the
 * masked URL. libpq's own parser (PQconninfoParse, which reads no files
 * and opens nothing) then says what the password is, and when that
 * password shows as written in the input, it must not survive masking.
 * Last, the bytes build `postgres://USER:PASSWORD@REST` and a keyword
 * string `host=USER password=PASSWORD REST`, and the shapes of issue 12
 * that libpq cannot parse or reads otherwise (one slash or none after
 * `postgres:`, an IPv6 address not closed, a raw '@', '/', '&' or blank
 * or a bad %-escape in the password, `password` without '='). Their
 * password must not show in the mask, the display or an error; nor in
 * the URL or a libpq-like message quoting a piece of it, once scrubbed
 * by ferry__url_scrub(); nor in libpq's own parse error, scrubbed. And,
 * judged by libpq, the mask of such a string must not change when only
 * the password does. A failed allocation gives FERRY_ENOMEM and leaks
 * nothing.
 *
 * "Must not show" needs care, since masking keeps the rest of the text: a
 * password that also occurs elsewhere in the input (a user named like it)
 * is not looked for, nor one holding '*' (it could match the mask itself)
 * or '=' (masking writes `key = v` as `key=v`, which can join text into
 * it). What remains is at least 4 bytes that occur once in the input.
 */
#include "fuzz.h"

#include <ctype.h>
#include <libpq-fe.h>

/* Can `pw`, a password that `s` holds, be looked for in its mask? */
static int findable(const char *s, const char *pw)
{
	return strlen(pw) >= 4 && !strpbrk(pw, "*=") &&
		fuzz_count(s, pw) == 1;
}

static void check_hidden_in(const char *what, const char *pw)
{
	if (strstr(what, pw))
		fprintf(stderr, "password '%s' shows in '%s'\n", pw, what);
	CHECK(strstr(what, pw) == NULL);
}

static const char *base_dirs[] = { NULL, "", ".", "/srv/app", "rel/dir/" };

/*
 * Parse and mask `s`. With `pw` (findable in `s`), also require that
 * neither the mask, the display nor any error text shows it.
 */
/* Blanks in `s`, as libpq's keyword parser counts them. */
static size_t blanks(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += isspace((unsigned char)*s) != 0;
	return n;
}

/* A keyword string proper: `word =` first (url.c's looks_like_keywords). */
static int keyword_string(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!isalpha((unsigned char)*s))
		return 0;
	while (isalnum((unsigned char)*s) || *s == '_')
		s++;
	while (isspace((unsigned char)*s))
		s++;
	return *s == '=';
}

static void check_url(const char *s, const char *pw, const char *base)
{
	ferry__url url;
	ferry_error err;
	char *m, *m2;
	int rc;

	m = ferry_url_mask(s);
	CHECK(m != NULL);
	m2 = ferry_url_mask(m);
	CHECK(m2 != NULL);
	/*
	 * Masking twice gives what masking once gave, unless the secret it
	 * hid held the '/' or '@' that told where the user info ends, the
	 * '?' or '&' that told where a query value does, the '=' of the
	 * keyword that ended the words of a password, or, in a text that is
	 * no keyword string but read as one too, a blank that ended a word
	 * (a keyword string proper drops blanks around '=' of its own): a
	 * masked mask is then a different URL, and is masked as one.
	 */
	if (fuzz_count(s, "/") == fuzz_count(m, "/") &&
		fuzz_count(s, "@") == fuzz_count(m, "@") &&
		fuzz_count(s, "?") == fuzz_count(m, "?") &&
		fuzz_count(s, "&") == fuzz_count(m, "&") &&
		fuzz_count(s, "=") == fuzz_count(m, "=") &&
		(keyword_string(s) || blanks(s) == blanks(m)) &&
		strcmp(m, m2) != 0) {
		fprintf(stderr, "'%s' masks to '%s', and that to '%s'\n", s,
			m, m2);
		CHECK(strcmp(m, m2) == 0);
	}
	free(m2);

	ferry_error_init(&err);
	rc = ferry__url_parse(&url, s, base, &err);
	if (rc == 0) {
		CHECK(err.code == FERRY_OK);
		CHECK(url.display != NULL && strcmp(url.display, m) == 0);
		if (url.engine == FERRY__ENGINE_SQLITE) {
			CHECK(url.path != NULL && *url.path != '\0');
			CHECK(url.conninfo == NULL);
			CHECK(url.memory == (strcmp(url.path, ":memory:") == 0));
			/* One absolute file, never a URI to SQLite. */
			CHECK(url.memory ? url.file == NULL
					 : url.file && url.file[0] == '/');
			CHECK(strncmp(url.path, "file:", 5) != 0);
			CHECK(strcmp(ferry_url_engine(s), "sqlite") == 0);
		} else {
			CHECK(url.engine == FERRY__ENGINE_PG);
			CHECK(url.path == NULL && url.file == NULL &&
				!url.memory);
			CHECK(url.conninfo != NULL &&
				strcmp(url.conninfo, s) == 0);
			CHECK(strcmp(ferry_url_engine(s), "postgres") == 0);
		}
	} else {
		CHECK(rc == FERRY_EINVALID);
		CHECK(err.code == rc);
		CHECK(err.message[0] != '\0');
		CHECK(!url.path && !url.file && !url.conninfo && !url.display &&
			!url.engine);
	}
	if (pw) {
		check_hidden_in(m, pw);
		check_hidden_in(err.message, pw);
		check_hidden_in(err.detail, pw);
		check_hidden_in(err.hint, pw);
	}
	ferry__url_clear(&url);
	free(m);
}

/* Scrubbing is n * m: the checks keep to inputs of a readable size. */
#define SCRUB_MAX 512

/* Scrub `text` of `s` in a buffer of 1024 bytes: `pw` must not show. */
static void check_scrubbed(const char *s, const char *text, const char *pw)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", text);
	/* A password the message's own words hold is not looked for. */
	if (fuzz_count(buf, pw) != 1)
		return;
	ferry__url_scrub(s, buf, sizeof(buf));
	if (strstr(buf, pw))
		fprintf(stderr, "scrubbed of '%s', '%s' is '%s'\n", s, text,
			buf);
	CHECK(strstr(buf, pw) == NULL);
}

/* A byte that ends a token: ASCII, not a letter or digit (url.c's). */
static int delim(unsigned char c)
{
	return c < 128 && !isalnum(c);
}

/* Does a token of a URL start (or end) at byte `k` of `s`? */
static int token_edge(const char *s, size_t k, size_t n)
{
	return k == 0 || k == n || delim((unsigned char)s[k - 1]) ||
		delim((unsigned char)s[k]);
}

/*
 * The password `pw`, which `s` holds once, must not survive ferry's scrub
 * of: `s` itself; a libpq-like message quoting a piece of `s` that holds
 * it, from token edge to token edge (picked by `data`), as libpq quotes a
 * token, a host or the whole URI; and libpq's own error for `s`. A
 * password with a '"' is not looked for: the quotes of a message can make
 * it out of what is no secret (`?password"` of a key quoted).
 */
static void check_scrub(const uint8_t *data, size_t size, const char *s,
	const char *pw)
{
	size_t n = strlen(s), at = (size_t)(strstr(s, pw) - s), a, b;
	size_t back = size ? data[size - 1] % 16 : 0;
	size_t on = size > 1 ? data[size - 2] % 16 : 0;
	PQconninfoOption *opts;
	char *errmsg = NULL, *msg;

	if (n > SCRUB_MAX || strchr(pw, '"'))
		return;
	check_scrubbed(s, s, pw);
	a = at > back ? at - back : 0;
	while (!token_edge(s, a, n))
		a--;
	b = at + strlen(pw) + on < n ? at + strlen(pw) + on : n;
	while (!token_edge(s, b, n))
		b++;
	msg = malloc(b - a + 64);
	if (!msg)
		abort();
	snprintf(msg, b - a + 64, "could not translate host name \"%.*s\" to "
		"address", (int)(b - a), s + a);
	check_scrubbed(s, msg, pw);
	free(msg);
	opts = PQconninfoParse(s, &errmsg);
	PQconninfoFree(opts);
	if (errmsg)
		check_scrubbed(s, errmsg, pw);
	PQfreemem(errmsg);
}

/*
 * The password libpq finds in `s`, when it is the input's own bytes: no
 * '%' (URI decoding) and no backslash (keyword escapes) could have made
 * it. Free with free(); NULL when there is none to look for.
 */
static char *libpq_password(const char *s)
{
	PQconninfoOption *opts, *o;
	char *errmsg = NULL, *pw = NULL;

	if (strpbrk(s, "%\\"))
		return NULL;
	opts = PQconninfoParse(s, &errmsg);
	if (!opts) {
		PQfreemem(errmsg);
		return NULL;
	}
	for (o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val &&
			findable(s, o->val))
			pw = fuzz_dup(o->val, strlen(o->val), 1);
	PQconninfoFree(opts);
	return pw;
}

/* Take `n` bytes for a field, each byte in `bad` replaced with `good`. */
static size_t take(char *to, const uint8_t **p, const uint8_t *end,
	size_t n, const char *bad, char good)
{
	size_t i;

	for (i = 0; i < n && *p < end; i++, (*p)++)
		to[i] = **p && !strchr(bad, **p) ? (char)**p : good;
	to[i] = '\0';
	return i;
}

/*
 * Change each letter and digit of a password, keeping its class: digits
 * stay digits, a-f stay a-f (so %-escapes stay valid), other letters stay
 * letters of their case. Nothing that gives a URL its structure moves.
 */
static void rotate(char *s)
{
	static const char *const rings[] = {
		"0123456789", "abcdef", "ABCDEF", "ghijklmnopqrstuvwxyz",
		"GHIJKLMNOPQRSTUVWXYZ"
	};
	size_t i;
	const char *r, *at;

	for (; *s; s++) {
		for (i = 0; i < sizeof(rings) / sizeof(*rings); i++) {
			r = rings[i];
			if ((at = strchr(r, *s)) != NULL) {
				*s = at[1] ? at[1] : r[0];
				break;
			}
		}
	}
}

/* Does libpq read `a` and `b` alike, but for a different password? */
static int only_password_differs(const char *a, const char *b)
{
	PQconninfoOption *oa, *ob, *x, *y;
	char *errmsg = NULL;
	int others_same = 1, pw_differs = 0;

	oa = PQconninfoParse(a, &errmsg);
	PQfreemem(errmsg);
	errmsg = NULL;
	ob = oa ? PQconninfoParse(b, &errmsg) : NULL;
	PQfreemem(errmsg);
	if (!oa || !ob) {
		PQconninfoFree(oa);
		return 0;
	}
	for (x = oa, y = ob; x->keyword && y->keyword; x++, y++) {
		int same = x->val && y->val ? strcmp(x->val, y->val) == 0 :
			x->val == y->val;

		if (strcmp(x->keyword, "password") == 0)
			pw_differs = !same;
		else if (!same)
			others_same = 0;
	}
	PQconninfoFree(oa);
	PQconninfoFree(ob);
	return others_same && pw_differs;
}

/*
 * The shapes a password is built into (`shape`, 0 to 7). URIs, where
 * `pg` is "postgres" or "postgresql": 0 to 2 and 5 to 7 put USER:PASSWORD
 * in the user info, after `pg://`, `pg:/` (one slash), `pg:` (none), and
 * 3 before an IPv6 address not closed; 4 puts it in the query. Keyword
 * strings: odd shapes forget the '=' after `password`.
 */
static char *build(int keywords, int ql, int shape, const char *user,
	const char *pw, const uint8_t *rest, size_t nrest)
{
	static const char *const uri_forms[] = {
		"%s://%s:%s@%.*s",
		"%s:/%s:%s@%.*s",
		"%s:%s:%s@%.*s",
		"%s://%s:%s@[%.*s",
		NULL,
		"%s://%s:%s@%.*s",
		"%s://%s:%s@%.*s",
		"%s://%s:%s@%.*s",
	};
	size_t cap = 48 + strlen(user) + strlen(pw) + nrest;
	const char *pg = ql ? "postgresql" : "postgres";
	char *s = malloc(cap);

	if (!s)
		abort();
	if (keywords)
		snprintf(s, cap, "host=%s password%s%s %.*s", user,
			shape & 1 ? " " : "=", pw, (int)nrest,
			(const char *)rest);
	else if (shape == 4)
		snprintf(s, cap, "%s://%s@%.*s?password=%s", pg, user,
			(int)nrest, (const char *)rest, pw);
	else
		snprintf(s, cap, uri_forms[shape], pg, user, pw, (int)nrest,
			(const char *)rest);
	return s;
}

/*
 * The bytes a password may not hold in `shape` (see build()), so that
 * the built string holds it whole under ferry's readings: a URI's user
 * info ends at '@' (shape 5 allows a raw '@') and a '/' would end the
 * authority (shape 6 allows a raw '/'); a query value ends at '&' before
 * a pair with '=' (shape 4 allows '&'); a keyword value ends at a blank
 * (shape 2 allows blanks between words), a quote or a backslash. No shape
 * allows '*' or '=', which the mask can join to a password.
 */
static const char *bad_bytes(int keywords, int shape)
{
	static const char *const uri_bad[] = { "@/*=", "@/*=", "@/*=",
		"@/*=", "*=", "/*=", "@*=", "@/*=" };

	if (keywords)
		return shape == 2 ? "\t\n\v\f\r'\\*=" : " \t\n\v\f\r'\\*=";
	return uri_bad[shape];
}

/*
 * Inputs built around a password: postgres[ql]://USER:PASSWORD@REST, as
 * libpq reads a user (ending at ':') and a password (ending at '@'; a '/'
 * before it would end the authority), or host=USER password=PASSWORD
 * REST, the password without blanks, quotes or backslashes. That password
 * must not show. With bit 2 of the first byte the password is any bytes
 * instead, and libpq is the judge: when the same input with the password's
 * letters and digits changed reads the same but for the password, the two
 * masks must be equal, so no part of a password, however quoted or
 * escaped, gets through.
 */
static void check_built(const uint8_t *data, size_t size)
{
	char user[16], pw[40], *s, *s2, *m, *m2;
	const uint8_t *p = data + 3, *end = data + size;
	size_t nuser, npw, nrest;
	int keywords, any, shape;

	if (size < 3)
		return;
	keywords = data[0] & 2;
	any = data[0] & 4;
	shape = (data[0] >> 3) & 7;
	nuser = take(user, &p, end, data[1] % sizeof(user), keywords ?
		" \t\n\v\f\r'\\" : ":@/", 'u');
	npw = take(pw, &p, end, 4 + data[2] % (sizeof(pw) - 4), any ? "" :
		bad_bytes(keywords, shape), 'p');
	if (npw < 4)
		return;
	/* A bad escape: libpq quotes the whole token. */
	if (!keywords && shape == 7)
		memcpy(pw + npw / 2, "%Z", 2);
	/* A blank at either end is no part of a keyword's value. */
	if (keywords && shape == 2)
		pw[0] = pw[npw - 1] = 'p';
	/* "host= password=x" gives host the value "password=x". */
	if (keywords && nuser == 0)
		strcpy(user, "u");
	nrest = strnlen((const char *)p, (size_t)(end - p));
	s = build(keywords, data[0] & 1, shape, user, pw, p, nrest);
	check_url(s, !any && findable(s, pw) ? pw : NULL,
		base_dirs[size % 5]);
	if (!any && findable(s, pw))
		check_scrub(data, size, s, pw);

	rotate(pw);
	s2 = build(keywords, data[0] & 1, shape, user, pw, p, nrest);
	if (only_password_differs(s, s2)) {
		m = ferry_url_mask(s);
		m2 = ferry_url_mask(s2);
		CHECK(m != NULL && m2 != NULL);
		if (strcmp(m, m2) != 0)
			fprintf(stderr,
				"masks differ: '%s' and '%s' (of '%s' and '%s')\n",
				m, m2, s, s2);
		CHECK(strcmp(m, m2) == 0);
		free(m);
		free(m2);
	}
	free(s2);
	free(s);
}

/*
 * A failed allocation, any one of a parse's, gives FERRY_ENOMEM and an
 * empty result, and masking after it gives NULL; nothing leaks.
 */
static void check_oom(const uint8_t *data, size_t size, const char *s,
	const char *base)
{
	ferry__url url;
	ferry_error err;
	char *m;
	long count;
	int rc;

	ferry__alloc_fail_from(0);
	ferry__url_parse(&url, s, base, NULL);
	ferry__url_clear(&url);
	count = ferry__alloc_count();
	if (count == 0)
		return;
	ferry_error_init(&err);
	ferry__alloc_fail_from(fuzz_pick(data, size, count));
	rc = ferry__url_parse(&url, s, base, &err);
	m = ferry_url_mask(s);
	ferry__alloc_fail_from(0);
	CHECK(rc == FERRY_ENOMEM && err.code == FERRY_ENOMEM);
	CHECK(!url.path && !url.conninfo && !url.display);
	CHECK(m == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_dup(data, size, 1);
	char *pw = libpq_password(s);

	check_url(s, pw, base_dirs[size % 5]);
	if (pw)
		check_scrub(data, size, s, pw);
	check_oom(data, size, s, base_dirs[size % 5]);
	free(pw);
	free(s);
	check_built(data, size);
	return 0;
}
