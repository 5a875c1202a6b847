/* SPDX-License-Identifier: MIT */
/*
 * url.c - database URLs: which engine, which file or server, and the same
 * URL with its password masked for every message ferry writes (SPEC 2).
 *
 * PostgreSQL URLs and keyword strings are handed to libpq unparsed; this
 * file only recognises them and finds the password to mask.
 */
#include "ferry_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/*
 * postgres://user:secret@host/db?password=x -> user:****@host/db?password=****
 *
 * What may be a password is hidden under each reading of the URL:
 *
 *  - the user info runs to the last '@' before the path, as a password
 *    with a raw '@' or '?' must not show, where libpq stops at the first;
 *  - libpq's query starts at the first '?' after that first '@';
 *  - a `password=` after an earlier '?' was meant as a password too, even
 *    where a later '@' makes libpq take it for a user name.
 *
 * A `password=` value runs to the next '&'. One inside the user info's
 * secret is part of that secret, unless it is in libpq's query, so that
 * what a password holds never changes the shape of its mask. Secrets that
 * touch show as one mask. Masking twice gives what masking once gave,
 * unless a secret held an '@', '/', '?' or '&'.
 */
static void mask_uri(ferry__buf *b, const char *url)
{
	const char *auth = strstr(url, "://") + 3;
	const char *path = auth + strcspn(auth, "/");
	const char *query = strchr(auth, '?'), *libpq_query;
	const char *first_at = NULL, *last_at = NULL, *colon = NULL;
	const char *value = NULL, *value_end = NULL, *p;
	int masked = 0;

	for (p = auth; p < path; p++) {
		if (*p == '@' && !first_at)
			first_at = p;
		if (*p == '@')
			last_at = p;
	}
	if (last_at)
		colon = memchr(auth, ':', (size_t)(last_at - auth));
	libpq_query = first_at ? strchr(first_at, '?') : query;
	for (p = url;; p++) {
		int in_user_secret = colon && p > colon && p < last_at;
		int starts, secret;

		/* The key as written: only the value is the user's secret. */
		if (query && p > query && (p[-1] == '&' || p[-1] == '?') &&
			!(value && p < value_end) &&
			(!in_user_secret || (libpq_query && p > libpq_query)) &&
			strncasecmp(p, "password=", 9) == 0) {
			value = p + 9;
			value_end = value + strcspn(value, "&");
		}
		starts = (colon && p == colon + 1) || p == value;
		secret = in_user_secret ||
			(value && p >= value && p < value_end);
		if ((starts || secret) && !masked) {
			ferry__buf_puts(b, MASK);
			masked = 1;
		}
		if (!*p)
			break;
		if (!secret) {
			ferry__buf_put(b, p, 1);
			masked = 0;
		}
	}
}

/* host=x password='a b' dbname=y -> host=x password=**** dbname=y */
static void mask_keywords(ferry__buf *b, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *key = p, *v;
		size_t klen;
		int is_pw;

		if (isspace((unsigned char)*p)) {
			ferry__buf_put(b, p++, 1);
			continue;
		}
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		klen = (size_t)(p - key);
		is_pw = klen == 8 && strncasecmp(key, "password", 8) == 0;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=') {
			ferry__buf_put(b, key, (size_t)(p - key));
			continue;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
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
			/* libpq lets a backslash escape a space here too */
			while (*p && !isspace((unsigned char)*p))
				p += *p == '\\' && p[1] ? 2 : 1;
		}
		ferry__buf_put(b, key, klen);
		ferry__buf_puts(b, "=");
		/* A blank keeps the mask apart from the next keyword, so
		 * that masking the mask reads the same keywords. */
		if (is_pw)
			ferry__buf_puts(b,
				*p && !isspace((unsigned char)*p) ? MASK " "
								  : MASK);
		else
			ferry__buf_put(b, v, (size_t)(p - v));
	}
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

char *ferry_url_mask(const char *url)
{
	ferry__buf b = FERRY__BUF_INIT;
	int pg_uri;

	if (!url)
		return NULL;
	/* libpq reads a URI only from these prefixes; "x=1 y=a://b" is a
	 * keyword string whatever it holds. Any other scheme:// is masked as
	 * a URI all the same. */
	pg_uri = has_prefix(url, "postgresql://") ||
		has_prefix(url, "postgres://");
	if (!pg_uri && looks_like_keywords(url))
		mask_keywords(&b, url);
	else if (strstr(url, "://"))
		mask_uri(&b, url);
	else
		ferry__buf_puts(&b, url);
	return ferry__buf_detach(&b);
}

void ferry__url_clear(ferry__url *url)
{
	free(url->path);
	free(url->conninfo);
	free(url->display);
	memset(url, 0, sizeof(*url));
}

static int sqlite_path(
	ferry__url *out, const char *path, const char *base, ferry_error *err)
{
	ferry__buf b = FERRY__BUF_INIT;

	if (!*path) {
		ferry__error_set(
			err, FERRY_EINVALID, "database URL has no file path");
		ferry__error_hint(err,
			"write 'sqlite:app.db' or "
			"'sqlite:///var/lib/app/app.db'");
		return FERRY_EINVALID;
	}
	out->engine = FERRY__ENGINE_SQLITE;
	if (strcmp(path, ":memory:") == 0) {
		out->memory = 1;
		out->path = ferry__strdup(":memory:");
		return out->path ? 0 : ferry__error_oom(err);
	}
	if (base && *base && path[0] != '/' && strcmp(base, ".") != 0) {
		ferry__buf_puts(&b, base);
		if (base[strlen(base) - 1] != '/')
			ferry__buf_puts(&b, "/");
	}
	ferry__buf_puts(&b, path);
	out->path = ferry__buf_detach(&b);
	return out->path ? 0 : ferry__error_oom(err);
}

static int unknown_url(const char *url, const char *masked, ferry_error *err)
{
	const char *sep = strstr(url, "://");

	if (sep || (strchr(url, ':') && !strchr(url, '/'))) {
		const char *end = sep ? sep : strchr(url, ':');

		ferry__error_set(err, FERRY_EINVALID,
			"unsupported database URL scheme '%.*s'",
			(int)(end - url > 32 ? 32 : end - url), url);
	} else {
		ferry__error_set(err, FERRY_EINVALID,
			"cannot tell which database '%s' is", masked);
	}
	ferry__error_hint(err,
		"use 'sqlite:PATH', a path ending in '.db', "
		"'postgres://user@host/dbname' or 'host=... dbname=...'");
	return FERRY_EINVALID;
}

/* The file path of a SQLite URL, or NULL when the URL is not SQLite's. */
static const char *sqlite_url_path(const char *url)
{
	static const char *const schemes[] = { "sqlite://", "sqlite3://",
		"sqlite:", "sqlite3:" };
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (has_prefix(url, schemes[i]))
			return url + strlen(schemes[i]);
	if (!strstr(url, "://") &&
		(has_suffix(url, ".db") || has_suffix(url, ".sqlite") ||
			has_suffix(url, ".sqlite3")))
		return url;
	return NULL;
}

static int is_pg_url(const char *url)
{
	return has_prefix(url, "postgres://") ||
		has_prefix(url, "postgresql://") || looks_like_keywords(url);
}

const char *ferry_url_engine(const char *url)
{
	if (!url)
		return NULL;
	if (sqlite_url_path(url))
		return "sqlite";
	return is_pg_url(url) ? "postgres" : NULL;
}

int ferry__url_parse(ferry__url *out, const char *url, const char *base_dir,
	ferry_error *err)
{
	const char *path;
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

	if ((path = sqlite_url_path(url)) != NULL)
		rc = sqlite_path(out, path, base_dir, err);
	else if (is_pg_url(url)) {
		out->engine = FERRY__ENGINE_PG;
		out->conninfo = ferry__strdup(url);
		rc = out->conninfo ? 0 : ferry__error_oom(err);
	} else
		rc = unknown_url(url, out->display, err);
	if (rc < 0)
		ferry__url_clear(out);
	return rc;
}
