/* SPDX-License-Identifier: MIT */
/*
 * url.c - database URLs: which engine, which file or server, and the same
 * URL with its password masked for every message ferry writes (SPEC 2).
 *
 * SQLite: every way to name a file (sqlite:PATH, sqlite://PATH, a bare
 * path, a file: URI read as SQLite reads it) comes down to one canonical
 * absolute path, `file`, which SQLite can never take for a URI: two
 * spellings of one database are one database. A name that starts like a
 * URL scheme ferry does not know is an error, never a new file.
 *
 * PostgreSQL URLs and keyword strings are handed to libpq unparsed; this
 * file only recognises them and finds what may be a password. It does not
 * stop at libpq's reading: a user who wrote an '@', '/', '&' or blank in a
 * password raw, or left out a '=' or the '//', meant a password all the
 * same, and libpq's error then quotes a piece of it. Each byte of the URL
 * gets flags (find_secrets()); the mask and the scrub of other texts
 * (ferry__url_scrub()) both read them.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MASK "****"

static int has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

static int has_sqlite_suffix(const char *s)
{
	return has_suffix(s, ".db") || has_suffix(s, ".sqlite") ||
		has_suffix(s, ".sqlite3");
}

/*
 * The length of the scheme `s` starts with (RFC 3986: a letter, then
 * letters, digits, '+', '-' or '.', then ':'), without the ':'; 0 if none.
 */
static size_t scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
		s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

/* Is the scheme of `n` bytes at `s` postgres or postgresql? */
static int is_pg_scheme(const char *s, size_t n)
{
	return (n == 8 && strncasecmp(s, "postgres", 8) == 0) ||
		(n == 10 && strncasecmp(s, "postgresql", 10) == 0);
}

/* A libpq keyword string starts with `word =`. */
static int looks_like_keywords(const char *s)
{
	const char *p = s;

	while (isspace((unsigned char)*p))
		p++;
	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	while (isspace((unsigned char)*p))
		p++;
	return *p == '=';
}

typedef enum {
	URL_PG,	      /* postgres:// or postgresql:// (libpq reads a URI) */
	URL_KEYWORDS, /* host=... dbname=... */
	URL_SQLITE,   /* sqlite:, sqlite3:, sqlite://, sqlite3:// */
	URL_FILE,     /* a file: URI */
	URL_BARE,     /* a path ending in .db, .sqlite or .sqlite3 */
	URL_SCHEME, /* a scheme ferry does not know, or postgres: without // */
	URL_UNKNOWN
} url_kind;

/*
 * What `url` is. For SQLite, `*rest` is what names the file: the text
 * after sqlite:, or the whole URL (a file: URI or a bare path).
 */
static url_kind classify(const char *url, const char **rest)
{
	static const char *const sqlite_schemes[] = { "sqlite://", "sqlite3://",
		"sqlite:", "sqlite3:" };
	size_t i, n;

	*rest = url;
	/* libpq reads a URI only from these prefixes, in any case. */
	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
		return URL_PG;
	for (i = 0; i < sizeof(sqlite_schemes) / sizeof(*sqlite_schemes); i++)
		if (has_prefix(url, sqlite_schemes[i])) {
			*rest = url + strlen(sqlite_schemes[i]);
			return URL_SQLITE;
		}
	if (has_prefix(url, "file:"))
		return URL_FILE;
	/* "host=db dbname=app.db" is PostgreSQL's, whatever it ends with. */
	if (looks_like_keywords(url))
		return URL_KEYWORDS;
	n = scheme_len(url);
	if (n)
		return URL_SCHEME;
	return has_sqlite_suffix(url) ? URL_BARE : URL_UNKNOWN;
}

/*
 * Passwords
 */

/*
 * What each byte of a URL is to the mask; one more flag stands for the
 * end of the URL, where an empty password at the end shows its mask.
 */
enum {
	SECRET = 1,	  /* may be part of a password: hidden */
	EMPTY_SECRET = 2, /* a password starts here, maybe empty: masked */
	DROP = 4,	  /* a blank around a keyword's '=': not shown */
	BLANK = 8	  /* a blank goes before this byte, after a mask */
};

static void mark(unsigned char *f, const char *url, const char *from,
	const char *to, unsigned char bit)
{
	size_t k;

	for (k = (size_t)(from - url); k < (size_t)(to - url); k++)
		f[k] |= bit;
}

/* The first `c` in [p, end), or `end`. */
static const char *find(const char *p, const char *end, char c)
{
	const char *q = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;

	return q ? q : end;
}

/*
 * Where a query's `password=` value ends: at the next '&' that starts a
 * `key=value` pair (or at `end`). A pair without '=' is an error to libpq,
 * which quotes it: it was the rest of a password with a raw '&'.
 */
static const char *query_value_end(const char *v, const char *end)
{
	const char *e = find(v, end, '&');

	while (e < end && e + 1 < end &&
		!memchr(e + 1, '=', (size_t)(find(e + 1, end, '&') - (e + 1))))
		e = find(e + 1, end, '&');
	return e;
}

/*
 * A password with a raw '/' in it: libpq finds no user info then
 * (`u:a/b@h` is host u, port "a", dbname "b@h") and quotes "a" as a bad
 * port. The password ran from the ':' to the last '@' before the next '/'
 * after an '@' (`path` is the first '/'); NULL when no '@' follows.
 */
static const char *slash_password_end(const char *path, const char *end)
{
	const char *at = find(path, end, '@'), *stop, *p, *last = NULL;

	if (at == end)
		return NULL;
	stop = find(at, end, '/');
	for (p = at; p < stop; p++)
		if (*p == '@')
			last = p;
	return last;
}

/* The length of `password=` or `sslpassword=` (the key of the SSL key's
 * passphrase) at `p`, else 0. */
static size_t secret_key(const char *p, const char *end)
{
	if (end - p >= 9 && strncasecmp(p, "password=", 9) == 0)
		return 9;
	if (end - p >= 12 && strncasecmp(p, "sslpassword=", 12) == 0)
		return 12;
	return 0;
}

/*
 * postgres://user:secret@host/db?password=x: what may be a password, the
 * authority starting at `auth` and the URI ending at `end`, under each
 * reading of the URI:
 *
 *  - the user info runs to the last '@' before the path, as a password
 *    with a raw '@' or '?' must not show, where libpq stops at the first;
 *  - with no '@' before the first '/', a ':' before it and an '@' after
 *    it, the password held a raw '/' (slash_password_end());
 *  - libpq's query starts at the first '?' after that first '@';
 *  - a `password=` after an earlier '?' was meant as a password too, even
 *    where a later '@' makes libpq take it for a user name; its value
 *    runs to the next '&' that starts a `key=value` pair.
 *
 * A `password=` inside the user info's secret is part of that secret,
 * unless it is in libpq's query, so that what a password holds never
 * changes the shape of its mask. Masking twice gives what masking once
 * gave, unless a secret held an '@', '/', '?', '&' or '='.
 */
static void uri_secrets(
	const char *url, const char *auth, const char *end, unsigned char *f)
{
	const char *path, *query, *libpq_query;
	const char *first_at = NULL, *last_at = NULL, *colon = NULL;
	const char *value = NULL, *value_end = NULL, *p;
	size_t key_len;

	if (auth >= end)
		return;
	path = find(auth, end, '/');
	query = find(auth, end, '?');
	if (query == end)
		query = NULL;
	for (p = auth; p < path; p++) {
		if (*p == '@' && !first_at)
			first_at = p;
		if (*p == '@')
			last_at = p;
	}
	if (last_at) {
		colon = find(auth, last_at, ':');
		if (colon == last_at)
			colon = NULL;
	} else if (path < end && find(auth, path, ':') < path &&
		(last_at = slash_password_end(path, end)) != NULL) {
		colon = find(auth, path, ':');
	}
	libpq_query = first_at ? find(first_at, end, '?') : query;
	if (libpq_query == end)
		libpq_query = NULL;
	if (colon)
		f[colon + 1 - url] |= EMPTY_SECRET;
	for (p = auth; p < end; p++) {
		int in_user_secret = colon && p > colon && p < last_at;

		if (in_user_secret)
			f[p - url] |= SECRET;
		/* The key as written: only the value is the user's secret. */
		if (query && p > query && (p[-1] == '&' || p[-1] == '?') &&
			!(value && p < value_end) &&
			(!in_user_secret || (libpq_query && p > libpq_query)) &&
			(key_len = secret_key(p, end)) > 0) {
			value = p + key_len;
			value_end = query_value_end(value, end);
			f[value - url] |= EMPTY_SECRET;
			mark(f, url, value, value_end, SECRET);
		}
	}
}

/*
 * The end of the words from `p` on that hold no '='. After a password,
 * libpq stops at the first with an error that quotes it ("missing '='
 * after", or "invalid connection option" when a '=' follows a blank):
 * they were the password's, written with a raw blank.
 */
static const char *more_words(const char *p)
{
	for (;;) {
		const char *q = p, *w;

		while (isspace((unsigned char)*q))
			q++;
		for (w = q; *w && *w != '=' && !isspace((unsigned char)*w); w++)
			;
		if (w == q || *w == '=')
			return p;
		p = w;
	}
}

/* A URI in the keyword value [v, end), quoted or not, ends with it. */
static void uri_in_value(
	const char *s, const char *v, const char *end, unsigned char *f)
{
	const char *sep;

	if (*v == '\'') {
		v++;
		if (end > v && end[-1] == '\'')
			end--;
	}
	if (end > v && (sep = memmem(v, (size_t)(end - v), "://", 3)) != NULL)
		uri_secrets(s, sep + 3, end, f);
}

/*
 * host=x password='a b' dbname=y: the value of each `password` keyword as
 * libpq reads it (quotes, backslashes, a new keyword right after a
 * closing quote), with the words after it that hold no '='; after
 * `password` with its '=' forgotten (`password s3cret`), the words that
 * follow; and the password of a URI given as a value. In a keyword string
 * proper (`tidy`) the mask shows each pair as `key=value`. A blank keeps a mask
 * apart from a keyword right after it, so that masking the mask reads the same
 * keywords.
 */
static void keyword_secrets(const char *s, unsigned char *f, int tidy)
{
	const char *p = s;

	while (*p) {
		const char *key = p, *key_end, *v, *end;
		int is_pw;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		key_end = p;
		is_pw = (key_end - key == 8 &&
				strncasecmp(key, "password", 8) == 0) ||
			(key_end - key == 11 &&
				strncasecmp(key, "sslpassword", 11) == 0);
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=') {
			if (is_pw)
				mark(f, s, p, more_words(p), SECRET);
			continue;
		}
		/* A key that may be a password's word keeps its blanks. */
		if (tidy && !(f[key - s] & SECRET))
			mark(f, s, key_end, p, DROP);
		v = ++p;
		while (isspace((unsigned char)*p))
			p++;
		if (tidy)
			mark(f, s, v, p, DROP);
		v = p;
		if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
			/*
			 * libpq reads a new keyword right after the closing
			 * quote: `dbname='x'password=y` has a password.
			 */
		} else {
			/* libpq lets a backslash escape a blank here too */
			while (*p && !isspace((unsigned char)*p))
				p += *p == '\\' && p[1] ? 2 : 1;
		}
		/* "dbname=postgres://u:pw@h/db" goes to the server whole. */
		uri_in_value(s, v, p, f);
		if (!is_pw)
			continue;
		/* The words after it are still read as keywords too. */
		end = more_words(p);
		f[v - s] |= EMPTY_SECRET;
		mark(f, s, v, end, SECRET);
		if (*end && !isspace((unsigned char)*end))
			f[end - s] |= BLANK;
	}
}

/*
 * Flag in `f` (strlen(url) + 1 bytes, zeroed) what may be a password in
 * `url`, under every reading the URL's shape allows.
 */
static void find_secrets(const char *url, unsigned char *f)
{
	const char *sep = strstr(url, "://"), *rest, *auth;
	const char *end = url + strlen(url);
	size_t n;

	switch (classify(url, &rest)) {
	case URL_PG:
		uri_secrets(url, sep + 3, end, f);
		return;
	case URL_KEYWORDS:
		keyword_secrets(url, f, 1);
		return;
	case URL_SQLITE:
	case URL_FILE:
	case URL_BARE:
		if (sep)
			uri_secrets(url, sep + 3, end, f);
		return;
	case URL_SCHEME:
	case URL_UNKNOWN:
		break;
	}
	/*
	 * Not a URL ferry reads: whatever it was meant to be. libpq takes
	 * any text with a '=' for keywords; "postgresql:/u:pw@h" lacks a
	 * slash, "u:pw@h" its scheme.
	 */
	if (strchr(url, '='))
		keyword_secrets(url, f, 0);
	if (sep)
		uri_secrets(url, sep + 3, end, f);
	n = scheme_len(url);
	if (n && sep != url + n) {
		for (auth = url + n + 1; *auth == '/'; auth++)
			;
		uri_secrets(url, auth, end, f);
	}
	/* Unless it starts `scheme://` or `postgres:`, a user may come first. */
	if ((!n || sep != url + n) && !(n && is_pg_scheme(url, n)))
		uri_secrets(url, url, end, f);
}

/* The URL with each run of secret bytes shown as one mask. */
static char *write_mask(const char *url, const unsigned char *f)
{
	ferry__buf b = FERRY__BUF_INIT;
	size_t k, n = strlen(url);
	int masked = 0;

	for (k = 0;; k++) {
		if ((f[k] & (SECRET | EMPTY_SECRET)) && !masked) {
			ferry__buf_puts(&b, MASK);
			masked = 1;
		}
		if (k == n)
			break;
		if (f[k] & (SECRET | DROP))
			continue;
		if (f[k] & BLANK)
			ferry__buf_puts(&b, " ");
		ferry__buf_put(&b, url + k, 1);
		masked = 0;
	}
	return ferry__buf_detach(&b);
}

static char *mask_once(const char *url)
{
	unsigned char *f = ferry__calloc(strlen(url) + 1, 1);
	char *m;

	if (!f)
		return NULL;
	find_secrets(url, f);
	m = write_mask(url, f);
	free(f);
	return m;
}

static size_t count_of(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* The mask has the URL's shape: the same separators, as many. */
static int same_shape(const char *a, const char *b)
{
	const char *c;

	for (c = "/@?&= "; *c; c++)
		if (count_of(a, *c) != count_of(b, *c))
			return 0;
	return 1;
}

char *ferry_url_mask(const char *url)
{
	char *m, *again;
	int i;

	if (!url || !(m = mask_once(url)))
		return NULL;
	/*
	 * A mask can read as a URL with a secret the original's layout hid
	 * (a user before a scheme that is none, found by fuzz_url): mask
	 * until nothing more is hidden, so that what is shown, shown
	 * again, is the same. Only ever hides more.
	 */
	for (i = 0; i < 4 && same_shape(url, m); i++) {
		if (!(again = mask_once(m))) {
			free(m);
			return NULL;
		}
		if (!strcmp(again, m)) {
			free(again);
			break;
		}
		free(m);
		m = again;
	}
	return m;
}

/*
 * Scrubbing other texts
 */

/* A byte that ends a token of a URL, or of a message. */
static int delim(unsigned char c)
{
	return c < 128 && !isalnum(c);
}

#define IS_SECRET(k) ((sec[k] & SECRET) != 0)

/*
 * Does the match of t[i, i + len) and s[j, j + len), which holds secret
 * bytes, quote the URL rather than happen to look like it? Each end that
 * is a secret byte must be a token's end in `s` or a secret's, and a
 * token's end in `t` (or where `t` starts or stops: a quote cut short).
 * And it must tell something: 3 letters or digits, or a whole quoted token
 * (libpq's "%s"), or 4 bytes or more that are whole secrets. A lone '-'
 * of a password is no reason to mask "percent-encoded".
 */
static int telling(const char *s, const unsigned char *sec, size_t m,
	const size_t *pa, const char *t, size_t n, size_t i, size_t j,
	size_t len)
{
	size_t e = j + len, te = i + len;
	int left, right, quoted, whole;

	left = i == 0 || !IS_SECRET(j) ||
		((j == 0 || !IS_SECRET(j - 1) ||
			 delim((unsigned char)s[j - 1]) ||
			 delim((unsigned char)s[j])) &&
			(delim((unsigned char)t[i - 1]) ||
				delim((unsigned char)t[i])));
	right = te == n || !IS_SECRET(e - 1) ||
		((e == m || !IS_SECRET(e) || delim((unsigned char)s[e - 1]) ||
			 delim((unsigned char)s[e])) &&
			(delim((unsigned char)t[te - 1]) ||
				delim((unsigned char)t[te])));
	if (!left || !right)
		return 0;
	quoted = i > 0 && te < n && (t[i - 1] == '"' || t[i - 1] == '\'') &&
		t[te] == t[i - 1];
	whole = (j == 0 || !IS_SECRET(j - 1) || !IS_SECRET(j)) &&
		(e == m || !IS_SECRET(e) || !IS_SECRET(e - 1));
	return pa[e] - pa[j] >= 3 || quoted || (whole && len >= 4);
}

/*
 * The work of ferry__url_scrub() against one spelling `s` of the URL (m
 * bytes, `sec` its flags): set hide[k] for each byte k of the text `t` (n
 * bytes) to hide. A piece of `t` equal to a piece of `s` (a match, as long
 * as it goes both ways) that holds secret bytes hides them when it is
 * telling(), unless the same text is also a piece of `s` that holds no
 * secret byte: a host that happens to look like part of the password is
 * the host.
 *
 * Each pass over all (i, j) keeps one row of common-prefix lengths (the
 * match of t[i..] and s[j..]), so the cost is n * m steps and O(m) memory.
 * Returns 0, or -1 when out of memory.
 */
static int scrub_against(const char *s, const unsigned char *sec, size_t m,
	const char *t, size_t n, unsigned char *hide)
{
	size_t *ps, *pa, *ns, *cur, *prev, *reach, *tmp, i, j, k;
	int rc = -1;

	ps = ferry__calloc(m + 1, sizeof(*ps));
	pa = ferry__calloc(m + 1, sizeof(*pa));
	ns = ferry__calloc(m + 1, sizeof(*ns));
	cur = ferry__calloc(m + 1, sizeof(*cur));
	prev = ferry__calloc(m + 1, sizeof(*prev));
	reach = ferry__calloc(n, sizeof(*reach));
	if (!ps || !pa || !ns || !cur || !prev || !reach)
		goto out;
	/*
	 * Secret bytes and letters or digits before j, and the first secret
	 * byte at or after j.
	 */
	for (j = 0; j < m; j++) {
		ps[j + 1] = ps[j] + IS_SECRET(j);
		pa[j + 1] = pa[j] + !delim((unsigned char)s[j]);
	}
	ns[m] = m;
	for (j = m; j-- > 0;)
		ns[j] = IS_SECRET(j) ? j : ns[j + 1];

	/* reach[i]: how far text from i on matches a piece with no secret. */
	for (i = n; i-- > 0;) {
		size_t best = 0;

		for (j = 0; j < m; j++) {
			size_t len = t[i] == s[j] ? prev[j + 1] + 1 : 0;
			size_t clean = ns[j] - j;

			cur[j] = len;
			if ((len < clean ? len : clean) > best)
				best = len < clean ? len : clean;
		}
		reach[i] = i + best;
		tmp = cur;
		cur = prev;
		prev = tmp;
	}
	/* ...and from any start at or before i. */
	for (i = 1; i < n; i++)
		if (reach[i] < reach[i - 1])
			reach[i] = reach[i - 1];

	memset(prev, 0, (m + 1) * sizeof(*prev));
	for (i = n; i-- > 0;) {
		for (j = 0; j < m; j++) {
			size_t len = t[i] == s[j] ? prev[j + 1] + 1 : 0;

			cur[j] = len;
			/* Only whole matches: not one that goes on leftwards. */
			if (!len || (i && j && t[i - 1] == s[j - 1]))
				continue;
			if (ps[j + len] == ps[j] || reach[i] >= i + len ||
				!telling(s, sec, m, pa, t, n, i, j, len))
				continue;
			for (k = j; k < j + len; k++)
				if (IS_SECRET(k))
					hide[i + k - j] = 1;
		}
		tmp = cur;
		cur = prev;
		prev = tmp;
	}
	rc = 0;
out:
	free(ps);
	free(pa);
	free(ns);
	free(cur);
	free(prev);
	free(reach);
	return rc;
}

#undef IS_SECRET

static int hex_value(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/*
 * `url` with its %XX escapes decoded, as libpq quotes a host it decoded,
 * into `out` (strlen(url) + 1 bytes); a decoded byte has the flags of its
 * escape. Returns the length.
 */
static size_t decode_flagged(
	const char *url, const unsigned char *f, char *out, unsigned char *fo)
{
	size_t i = 0, o = 0;

	while (url[i]) {
		if (url[i] == '%' && isxdigit((unsigned char)url[i + 1]) &&
			isxdigit((unsigned char)url[i + 2]) &&
			(url[i + 1] != '0' || url[i + 2] != '0')) {
			out[o] = (char)(hex_value((unsigned char)url[i + 1]) *
					16 +
				hex_value((unsigned char)url[i + 2]));
			fo[o++] = f[i] | f[i + 1] | f[i + 2];
			i += 3;
		} else {
			out[o] = url[i];
			fo[o++] = f[i++];
		}
	}
	out[o] = '\0';
	return o;
}

void ferry__url_scrub(const char *url, char *text, size_t size)
{
	unsigned char *f = NULL, *df = NULL, *hide = NULL;
	char *dec = NULL;
	ferry__buf b = FERRY__BUF_INIT;
	size_t m, n, dm, r, k;
	int any = 0;

	if (!url || !text || !size || !*text)
		return;
	m = strlen(url);
	n = strnlen(text, size - 1);
	text[n] = '\0';
	f = ferry__calloc(m + 1, 1);
	df = ferry__calloc(m + 1, 1);
	dec = ferry__malloc(m + 1);
	hide = ferry__calloc(n, 1);
	if (!f || !df || !dec || !hide)
		goto fail;
	find_secrets(url, f);
	for (k = 0; k < m; k++)
		any |= f[k] & SECRET;
	if (!any)
		goto out;
	dm = decode_flagged(url, f, dec, df);
	if (scrub_against(url, f, m, text, n, hide) < 0 ||
		(dm != m && scrub_against(dec, df, dm, text, n, hide) < 0))
		goto fail;
	/*
	 * Each run of hidden bytes becomes one mask; what no longer fits in
	 * `size` is cut from the end.
	 */
	for (r = 0; r < n;) {
		for (k = r; k < n && !hide[k]; k++)
			;
		ferry__buf_put(&b, text + r, k - r);
		if (k == n)
			break;
		ferry__buf_puts(&b, MASK);
		for (r = k; r < n && hide[r]; r++)
			;
	}
	if (b.oom)
		goto fail;
	k = b.len < size - 1 ? b.len : size - 1;
	memcpy(text, ferry__buf_cstr(&b), k);
	text[k] = '\0';
	goto out;
fail:
	text[0] = '\0';
out:
	ferry__buf_release(&b);
	free(f);
	free(df);
	free(dec);
	free(hide);
}

/*
 * SQLite files
 */

void ferry__url_clear(ferry__url *url)
{
	free(url->path);
	free(url->file);
	free(url->conninfo);
	free(url->display);
	memset(url, 0, sizeof(*url));
}

/*
 * Append to `b` the real path of the directory of `path` and its last
 * name. Returns -1, `b` untouched, when the directory cannot be resolved.
 */
static int real_dir_join(ferry__buf *b, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX], real[PATH_MAX];
	size_t n;

	if (!slash) {
		memcpy(dir, ".", 2);
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return -1;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (!realpath(dir, real))
		return -1;
	ferry__buf_puts(b, real);
	if (real[strlen(real) - 1] != '/')
		ferry__buf_puts(b, "/");
	ferry__buf_puts(b, slash ? slash + 1 : path);
	return 0;
}

/*
 * The file a SQLite path names, as one absolute path with no symbolic
 * link in it: the real path of the file when it exists; else the real
 * path of its directory and its name, after following the name when it
 * is a symbolic link to a file not made yet; under a directory that does
 * not exist, the path made absolute from the working directory. Never a
 * URI to SQLite: it starts with '/'.
 */
static int canonical_file(const char *path, char **out, ferry_error *err)
{
	ferry__buf cur = FERRY__BUF_INIT, next = FERRY__BUF_INIT;
	char real[PATH_MAX], link[PATH_MAX];
	int hops;

	*out = NULL;
	if (realpath(path, real)) {
		*out = ferry__strdup(real);
		return *out ? 0 : ferry__error_oom(err);
	}
	ferry__buf_puts(&cur, path);
	for (hops = 0; !cur.oom; hops++) {
		struct stat st;
		ssize_t len = -1;
		char *slash;

		if (real_dir_join(&next, cur.buf) < 0) {
			/* No such directory: the path from here, as it is. */
			if (cur.buf[0] != '/') {
				if (!getcwd(real, sizeof(real))) {
					ferry__buf_release(&cur);
					ferry__buf_release(&next);
					return ferry__error_os(err,
						FERRY_EINVALID,
						"resolve the path of database",
						path);
				}
				ferry__buf_printf(&next, "%s%s%s", real,
					strcmp(real, "/") ? "/" : "", cur.buf);
			} else {
				ferry__buf_puts(&next, cur.buf);
			}
			break;
		}
		if (next.oom)
			break;
		/* As SQLite does, give up on a loop of links: it fails then. */
		if (hops < 40 && lstat(next.buf, &st) == 0 &&
			S_ISLNK(st.st_mode))
			len = readlink(next.buf, link, sizeof(link) - 1);
		if (len <= 0 || (size_t)len >= sizeof(link) - 1)
			break;
		link[len] = '\0';
		/* A relative link is read from the directory it is in. */
		slash = strrchr(next.buf, '/');
		ferry__buf_release(&cur);
		if (link[0] != '/')
			ferry__buf_put(
				&cur, next.buf, (size_t)(slash - next.buf + 1));
		ferry__buf_puts(&cur, link);
		ferry__buf_release(&next);
	}
	if (cur.oom) {
		ferry__buf_release(&next);
		return ferry__error_oom(err);
	}
	ferry__buf_release(&cur);
	*out = ferry__buf_detach(&next);
	return *out ? 0 : ferry__error_oom(err);
}

static int no_file_path(ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID, "database URL has no file path");
	ferry__error_hint(
		err, "write 'sqlite:app.db' or 'sqlite:///var/lib/app/app.db'");
	return FERRY_EINVALID;
}

/*
 * `path` (not a URI) read from `base`, into out->path, and the file it
 * names into out->file.
 */
static int sqlite_path(
	ferry__url *out, const char *path, const char *base, ferry_error *err)
{
	ferry__buf b = FERRY__BUF_INIT;
	int join = base && *base && path[0] != '/' && strcmp(base, ".") != 0;

	if (!*path)
		return no_file_path(err);
	out->engine = FERRY__ENGINE_SQLITE;
	if (strcmp(path, ":memory:") == 0) {
		out->memory = 1;
		out->path = ferry__strdup(":memory:");
		return out->path ? 0 : ferry__error_oom(err);
	}
	/* SQLite would read a name that starts with "file:" as a URI. */
	if (has_prefix(join ? base : path, "file:"))
		ferry__buf_puts(&b, "./");
	if (join) {
		ferry__buf_puts(&b, base);
		if (base[strlen(base) - 1] != '/')
			ferry__buf_puts(&b, "/");
	}
	ferry__buf_puts(&b, path);
	out->path = ferry__buf_detach(&b);
	if (!out->path)
		return ferry__error_oom(err);
	return canonical_file(out->path, &out->file, err);
}

/*
 * A file: URI as SQLite reads it (sqlite3ParseUri): file:PATH,
 * file:///PATH or file://localhost/PATH, %XX decoded. What SQLite would
 * read besides the file is refused, not half-honoured: another host,
 * parameters (?mode=ro, ?vfs=, ...; ferry opens the file read-write
 * itself), a fragment, and %00 (where SQLite quietly cuts the name). On
 * success [*start, *end) is the path as written, to decode.
 */
static int file_uri_path(const char *uri, const char *display,
	const char **start, const char **end, ferry_error *err)
{
	const char *p = uri + 5, *stop, *q;

	if (p[0] == '/' && p[1] == '/') {
		const char *auth = p + 2;
		size_t n = strcspn(auth, "/");

		if (n && !(n == 9 && memcmp(auth, "localhost", 9) == 0)) {
			ferry__error_set(err, FERRY_EINVALID,
				"database URL '%s' names a file on another "
				"host",
				display);
			ferry__error_hint(err,
				"a file: URI names a local file, as in "
				"'file:///var/lib/app.db' or 'file:app.db'");
			return FERRY_EINVALID;
		}
		p = auth + n;
	}
	stop = p + strcspn(p, "?#");
	if (*stop == '?') {
		ferry__error_set(err, FERRY_EINVALID,
			"database URL '%s' has parameters, which ferry does "
			"not support",
			display);
		ferry__error_hint(err,
			"name the file alone, as in 'sqlite:app.db'; a '?' in "
			"a file name is written %%3F");
		return FERRY_EINVALID;
	}
	if (*stop == '#') {
		ferry__error_set(err, FERRY_EINVALID,
			"database URL '%s' has a fragment, which ferry does "
			"not support",
			display);
		ferry__error_hint(err,
			"name the file alone, as in 'sqlite:app.db'; a '#' in "
			"a file name is written %%23");
		return FERRY_EINVALID;
	}
	for (q = p; q + 2 < stop; q++)
		if (q[0] == '%' && q[1] == '0' && q[2] == '0') {
			ferry__error_set(err, FERRY_EINVALID,
				"database URL '%s' holds '%%00'", display);
			ferry__error_hint(
				err, "a file name cannot hold a NUL byte");
			return FERRY_EINVALID;
		}
	*start = p;
	*end = stop;
	return 0;
}

/* The path of a SQLite URL's `rest` (see classify()), decoded. */
static int sqlite_url(
	ferry__url *out, const char *rest, const char *base, ferry_error *err)
{
	ferry__buf b = FERRY__BUF_INIT;
	const char *p, *end;
	char *path;
	int rc;

	if (!has_prefix(rest, "file:"))
		return sqlite_path(out, rest, base, err);
	if ((rc = file_uri_path(rest, out->display, &p, &end, err)) < 0)
		return rc;
	while (p < end) {
		char c = *p++;

		if (c == '%' && end - p >= 2 && isxdigit((unsigned char)p[0]) &&
			isxdigit((unsigned char)p[1])) {
			c = (char)(hex_value((unsigned char)p[0]) * 16 +
				hex_value((unsigned char)p[1]));
			p += 2;
		}
		ferry__buf_put(&b, &c, 1);
	}
	if (!(path = ferry__buf_detach(&b)))
		return ferry__error_oom(err);
	rc = sqlite_path(out, path, base, err);
	free(path);
	return rc;
}

/*
 * Typos
 */

/* Edit distance, a swap of two neighbours counting once (sqllite, -1). */
static int distance(const char *a, size_t n, const char *b)
{
	size_t m = strlen(b), i, j;
	int d[24][24];

	if (n > 20 || m > 20)
		return 99;
	for (i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= n; i++) {
		for (j = 1; j <= m; j++) {
			int cost = tolower((unsigned char)a[i - 1]) != b[j - 1];
			int best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
				tolower((unsigned char)a[i - 1]) == b[j - 2] &&
				tolower((unsigned char)a[i - 2]) == b[j - 1] &&
				d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

/* The URL prefix a mistyped scheme of `n` bytes was meant to be, or NULL. */
static const char *meant_scheme(const char *s, size_t n)
{
	static const struct {
		const char *name, *write;
	} known[] = {
		{ "sqlite", "sqlite:" },
		{ "sqlite3", "sqlite3:" },
		{ "postgres", "postgres://" },
		{ "postgresql", "postgresql://" },
		{ "file", "file:" },
	};
	const char *best = NULL;
	int best_d = 99;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(*known); i++) {
		int d = distance(s, n, known[i].name);
		int most = strlen(known[i].name) >= 6 ? 2 : 1;

		if (d <= most && d < best_d) {
			best = known[i].write;
			best_d = d;
		}
	}
	return best;
}

/*
 * `url` starts with a scheme ferry does not read: a typo of one it knows
 * (sqllite:app.db would otherwise be a new file of that name), another
 * database's, or postgres: without its '//'.
 */
static int scheme_error(const char *url, const char *display, ferry_error *err)
{
	size_t n = scheme_len(url);
	const char *meant;
	int file_like = !strstr(url, "://") && has_sqlite_suffix(url);

	if (is_pg_scheme(url, n)) {
		ferry__error_set(err, FERRY_EINVALID,
			"invalid PostgreSQL URL '%s'", display);
		ferry__error_hint(err, "did you mean '%s'?",
			n == 8 ? "postgres://" : "postgresql://");
		return FERRY_EINVALID;
	}
	ferry__error_set(err, FERRY_EINVALID,
		"unsupported database URL scheme '%.*s'",
		(int)(n > 32 ? 32 : n), url);
	meant = meant_scheme(url, n);
	if (meant && file_like)
		ferry__error_hint(err,
			"did you mean '%s'? a file whose name has a colon is "
			"written './%s'",
			meant, display);
	else if (meant)
		ferry__error_hint(err, "did you mean '%s'?", meant);
	else if (file_like)
		ferry__error_hint(err,
			"a file whose name has a colon is written './%s' or "
			"'sqlite:%s'",
			display, display);
	else
		ferry__error_hint(err,
			"use 'sqlite:PATH', a path ending in '.db', "
			"'postgres://user@host/dbname' or 'host=... "
			"dbname=...'");
	return FERRY_EINVALID;
}

/*
 * Reading URLs
 */

const char *ferry_url_engine(const char *url)
{
	const char *rest, *start, *end;

	if (!url)
		return NULL;
	switch (classify(url, &rest)) {
	case URL_PG:
	case URL_KEYWORDS:
		return "postgres";
	case URL_SQLITE:
	case URL_FILE:
	case URL_BARE:
		if (has_prefix(rest, "file:"))
			return file_uri_path(rest, "", &start, &end, NULL) ==
						0 &&
					start < end
				? "sqlite"
				: NULL;
		return *rest ? "sqlite" : NULL;
	case URL_SCHEME:
	case URL_UNKNOWN:
		break;
	}
	return NULL;
}

int ferry__url_parse(ferry__url *out, const char *url, const char *base_dir,
	ferry_error *err)
{
	const char *rest;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!url || !*url) {
		ferry__error_set(err, FERRY_EINVALID, "no database given");
		ferry__error_hint(err,
			"pass -d URL, set DATABASE_URL, or write 'database = "
			"URL' in ferry.conf");
		return FERRY_EINVALID;
	}
	out->display = ferry_url_mask(url);
	if (!out->display)
		return ferry__error_oom(err);

	switch (classify(url, &rest)) {
	case URL_PG:
	case URL_KEYWORDS:
		out->engine = FERRY__ENGINE_PG;
		out->conninfo = ferry__strdup(url);
		rc = out->conninfo ? 0 : ferry__error_oom(err);
		break;
	case URL_SQLITE:
	case URL_FILE:
	case URL_BARE:
		rc = sqlite_url(out, rest, base_dir, err);
		break;
	case URL_SCHEME:
		rc = scheme_error(url, out->display, err);
		break;
	case URL_UNKNOWN:
		ferry__error_set(err, FERRY_EINVALID,
			"cannot tell which database '%s' is", out->display);
		ferry__error_hint(err,
			"use 'sqlite:PATH', a path ending in '.db', "
			"'postgres://user@host/dbname' or 'host=... "
			"dbname=...'");
		rc = FERRY_EINVALID;
		break;
	}
	if (rc < 0)
		ferry__url_clear(out);
	return rc;
}
