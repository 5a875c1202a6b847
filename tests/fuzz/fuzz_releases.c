/* SPDX-License-Identifier: MIT */
/*
 * fuzz_releases.c - libFuzzer target for the `releases` file parser
 * (ferry__releases_parse in releases.c).
 *
 * The input is a whole releases file. For any input the parser must not
 * crash or leak (LeakSanitizer runs with libFuzzer). On success each line
 * that holds more than blanks and a `#` comment gave one release, whose
 * name, version and checkpoint and baseline flags match the line as read
 * here (each flag word once); versions never go back (a patch release ends
 * where the one before does), at most one release is the baseline, and
 * names are unique, of the allowed characters and
 * not all digits. On failure there is nothing to free and the error is
 * one line of text. A failed allocation, anywhere
 * in a parse that succeeds, gives FERRY_ENOMEM and no leak.
 */
#include "fuzz.h"

#include <ctype.h>

/*
 * Read the release on [p, end), a line with its comment cut, the simple
 * way: blank-separated words, the version as decimal digits. Returns 0 for
 * a blank line, else 1 after checking it against `r`.
 */
static int check_line(
	const char *p, const char *end, int line, const ferry__release *r)
{
	const char *w[4];
	size_t wl[4];
	int n = 0, k, checkpoint = 0, baseline = 0;
	int64_t v = 0;
	size_t i;

	while (p < end) {
		const char *q;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		for (q = p; q < end && !isspace((unsigned char)*q); q++)
			;
		CHECK(n < 4);
		w[n] = p;
		wl[n++] = (size_t)(q - p);
		p = q;
	}
	if (n == 0)
		return 0;
	CHECK(r != NULL);
	CHECK(n >= 2);
	CHECK(r->line == line);
	CHECK(strlen(r->pub.name) == wl[0]);
	CHECK(memcmp(r->pub.name, w[0], wl[0]) == 0);
	CHECK(wl[1] >= 1 && wl[1] <= 18);
	for (i = 0; i < wl[1]; i++) {
		CHECK(isdigit((unsigned char)w[1][i]));
		v = v * 10 + (w[1][i] - '0');
	}
	CHECK(r->pub.last_version == v);
	for (k = 2; k < n; k++) {
		int c = wl[k] == 10 && memcmp(w[k], "checkpoint", 10) == 0;
		int b = wl[k] == 8 && memcmp(w[k], "baseline", 8) == 0;

		CHECK(c || b);
		CHECK(!(c && checkpoint) && !(b && baseline));
		checkpoint |= c;
		baseline |= b;
	}
	CHECK(r->pub.checkpoint == checkpoint);
	CHECK(r->pub.baseline == baseline);
	return 1;
}

static int name_ok(const char *s)
{
	int letters = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("._-+", *s))
			return 0;
		letters |= !isdigit((unsigned char)*s);
	}
	return letters;
}

static void check_success(
	const char *text, size_t size, const ferry__release *rel, size_t n)
{
	const char *p = text, *end = text + size;
	size_t i, j, k = 0;
	int line = 0;

	CHECK(n == 0 || rel != NULL);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *hash;

		line++;
		hash = memchr(p, '#', (size_t)(eol - p));
		k += check_line(
			p, hash ? hash : eol, line, k < n ? &rel[k] : NULL);
		p = nl ? nl + 1 : end;
	}
	CHECK(k == n);
	for (i = 0, k = 0; i < n; i++)
		k += rel[i].pub.baseline != 0;
	CHECK(k <= 1);
	for (i = 0; i < n; i++) {
		CHECK(name_ok(rel[i].pub.name));
		/* A patch release may end where the one before does. */
		CHECK(i == 0 ||
			rel[i].pub.last_version >= rel[i - 1].pub.last_version);
		for (j = 0; j < i; j++)
			CHECK(strcmp(rel[i].pub.name, rel[j].pub.name) != 0);
	}
}

static void check_oom(const uint8_t *data, size_t size)
{
	ferry__release *rel;
	ferry_error err;
	size_t n;
	long count;

	ferry__alloc_fail_from(0);
	CHECK(ferry__releases_parse(&rel, &n, (const char *)data, size,
		      "releases", NULL) == 0);
	ferry__releases_free(rel, n);
	count = ferry__alloc_count();
	if (count == 0)
		return;
	ferry_error_init(&err);
	ferry__alloc_fail_from(fuzz_pick(data, size, count));
	CHECK(ferry__releases_parse(&rel, &n, (const char *)data, size,
		      "releases", &err) == FERRY_ENOMEM);
	ferry__alloc_fail_from(0);
	CHECK(err.code == FERRY_ENOMEM);
	CHECK(rel == NULL && n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	ferry__release *rel = (ferry__release *)&rel;
	ferry_error err;
	size_t n = 99;
	int rc;

	ferry_error_init(&err);
	rc = ferry__releases_parse(&rel, &n, text, size, "releases", &err);
	if (rc != 0) {
		CHECK(rc == FERRY_EINVALID);
		CHECK(err.code == rc);
		CHECK(rel == NULL && n == 0);
		CHECK(err.message[0] != '\0');
		CHECK(strchr(err.message, '\n') == NULL);
		CHECK(strchr(err.hint, '\n') == NULL);
		CHECK(strcmp(err.file, "releases") == 0);
		return 0;
	}
	CHECK(err.code == FERRY_OK);
	check_success(text, size, rel, n);
	ferry__releases_free(rel, n);
	check_oom(data, size);
	return 0;
}
