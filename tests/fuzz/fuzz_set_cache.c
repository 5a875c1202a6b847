/* SPDX-License-Identifier: MIT */
/*
 * fuzz_set_cache.c - libFuzzer target for the set cache's reader
 * (ferry__set_cache_parse, _list and _find in set_cache.c).
 *
 * The input is a whole cache file, NUL-terminated as ferry__cache_read
 * leaves it. Anyone who can write the cache can write any bytes, so for
 * any input the reader must not crash, hang or leak, and must hand out
 * only what could be true of a file:
 *
 * - the listing, when the input lists a directory with the stamp its
 *   "dir" line gives, names ids whose versions strictly ascend, each a
 *   valid migration name;
 * - a lookup of each id the lines name, in the set's order and with the
 *   stamp its line gives, finds sections that lie within the size that
 *   stamp records, start on a line from 1 to one past the last, and are
 *   transactional or not (0 or 1); an absent section is all zero;
 * - a lookup with any other stamp finds nothing;
 * - a failed allocation gives no cache and no leak.
 *
 * The seeds in tests/fuzz/corpus/set_cache/ start "ferry-set-cache 3 @",
 * which the target reads as the magic line of this version of ferry, so
 * that they stay valid caches when the version changes.
 */
#include "fuzz.h"

#define MAX_IDS 64

typedef struct {
	ferry__migration m[MAX_IDS];
	char id[MAX_IDS][64];
	ferry__file_stamp stamp[MAX_IDS];
	size_t n;
} id_list;

/* "<digits>_<name>": what list_one in set.c will accept as an id. */
static int id_ok(const char *id, size_t n, int64_t *version)
{
	size_t digits = 0, i;

	while (digits < n && id[digits] >= '0' && id[digits] <= '9')
		digits++;
	if (digits < 1 || digits > 18 || digits + 1 >= n || id[digits] != '_')
		return 0;
	for (i = digits + 1; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return ferry__parse_version(id, digits, version) == 0;
}

/* The five numbers of a stamp, read the simple way; 0 when they are not. */
static int read_stamp(const char *p, const char *end, ferry__file_stamp *s)
{
	unsigned long long v[5];
	int i;

	for (i = 0; i < 5; i++) {
		if (p >= end || *p < '0' || *p > '9')
			return 0;
		v[i] = 0;
		while (p < end && *p >= '0' && *p <= '9') {
			if (v[i] > (UINT64_MAX - 9) / 10)
				return 0;
			v[i] = v[i] * 10 + (unsigned long long)(*p++ - '0');
		}
		if (i < 4 && (p >= end || *p++ != ' '))
			return 0;
	}
	if (v[3] > INT64_MAX || v[4] > INT64_MAX)
		return 0;
	s->dev = v[0];
	s->ino = v[1];
	s->size = v[2];
	s->mtime_ns = (int64_t)v[3];
	s->ctime_ns = (int64_t)v[4];
	return 1;
}

static int cmp_mig(const void *a, const void *b)
{
	const ferry__migration *x = a, *y = b;

	if (x->pub.version != y->pub.version)
		return x->pub.version < y->pub.version ? -1 : 1;
	return strcmp(x->pub.id, y->pub.id);
}

/*
 * The ids that the lines after the second one name, with their stamps, in
 * the set's order, one per version (a set never has two).
 */
static void collect(id_list *l, const char *text, size_t size)
{
	const char *p = text, *end = text + size;
	int line = 0;
	size_t i, j;

	l->n = 0;
	while (p < end && l->n < MAX_IDS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *sp = memchr(p, ' ', (size_t)(eol - p));
		int64_t v;

		if (++line > 2 && sp && (size_t)(sp - p) < sizeof(l->id[0]) &&
			id_ok(p, (size_t)(sp - p), &v)) {
			memcpy(l->id[l->n], p, (size_t)(sp - p));
			l->id[l->n][sp - p] = '\0';
			memset(&l->m[l->n], 0, sizeof(l->m[0]));
			l->m[l->n].pub.version = v;
			/* The stamp rides in the migration, found by its id. */
			if (!read_stamp(sp + 1, eol, &l->m[l->n].stamp))
				memset(&l->m[l->n].stamp, 0xff,
					sizeof(l->m[l->n].stamp));
			l->m[l->n].pub.id = l->id[l->n];
			l->n++;
		}
		p = nl ? nl + 1 : end;
	}
	qsort(l->m, l->n, sizeof(l->m[0]), cmp_mig);
	for (i = j = 0; i < l->n; i++)
		if (j == 0 || l->m[j - 1].pub.version != l->m[i].pub.version)
			l->m[j++] = l->m[i];
	l->n = j;
}

typedef struct {
	int64_t last;
	size_t count;
} listing;

static int on_id(void *payload, const char *id, size_t len)
{
	listing *l = payload;
	int64_t v;

	CHECK(len >= 1);
	if (!id_ok(id, len, &v))
		return -1; /* set.c's list_one refuses it too */
	CHECK(v > l->last);
	l->last = v;
	l->count++;
	return 0;
}

static size_t count_bytes(const char *p, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

static void check_sections(const ferry__migration *m)
{
	int k;

	for (k = 0; k < FERRY__NSECTIONS; k++) {
		const ferry__section *s = &m->sec[k];

		if (!s->present) {
			CHECK(s->offset == 0 && s->len == 0 && s->line == 0 &&
				s->no_transaction == 0);
			continue;
		}
		CHECK(s->no_transaction == 0 || s->no_transaction == 1);
		CHECK((uint64_t)s->offset <= m->stamp.size);
		CHECK((uint64_t)s->len <= m->stamp.size - s->offset);
		CHECK(s->line >= 1);
		CHECK((uint64_t)s->line <= m->stamp.size + 1);
	}
}

/* The input as ferry__cache_read leaves it, with "@" for the version. */
static char *input(const uint8_t *data, size_t size, size_t *n)
{
	static const char seed[] = "ferry-set-cache 3 @\n";
	static const char magic[] = "ferry-set-cache 3 " FERRY_VERSION "\n";
	size_t k = sizeof(seed) - 1, m = sizeof(magic) - 1;
	char *s;

	if (size < k || memcmp(data, seed, k) != 0) {
		*n = size;
		return fuzz_dup(data, size, 1);
	}
	*n = size - k + m;
	s = malloc(*n + 1);
	if (!s)
		abort();
	memcpy(s, magic, m);
	memcpy(s + m, data + k, size - k);
	s[*n] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static id_list ids;
	ferry__file_stamp dir, other;
	ferry__set_cache *c;
	listing l = { -1, 0 };
	size_t i, n;
	char *text = input(data, size, &n);
	int rc;

	collect(&ids, text, n);

	/* The listing, with the stamp of the "dir" line when there is one. */
	memset(&dir, 0, sizeof(dir));
	{
		const char *nl = memchr(text, '\n', n), *nl2 = NULL;

		if (nl)
			nl2 = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - text));
		if (nl2 && nl2 - nl > 5 && memcmp(nl + 1, "dir ", 4) == 0)
			(void)read_stamp(nl + 5, nl2, &dir);
	}
	c = ferry__set_cache_parse(fuzz_dup(text, n, 1), n);
	CHECK(c != NULL);
	rc = ferry__set_cache_list(c, &dir, on_id, &l);
	CHECK(rc >= -1 && rc <= 1);
	/* A whole listing is every line after the header, each ended. */
	CHECK(rc != 1 || l.count + 2 == count_bytes(text, n, '\n'));

	/* Lookups in the set's order, each with its own line's stamp. */
	for (i = 0; i < ids.n; i++) {
		ferry__migration *m = &ids.m[i];
		ferry__file_stamp now = m->stamp;

		if (ferry__set_cache_find(c, m, &now)) {
			CHECK(ferry__file_stamp_equal(&m->stamp, &now));
			check_sections(m);
		}
	}
	ferry__set_cache_free(c);

	/* Any other stamp finds nothing. */
	c = ferry__set_cache_parse(fuzz_dup(text, n, 1), n);
	CHECK(c != NULL);
	for (i = 0; i < ids.n; i++) {
		other = ids.m[i].stamp;
		other.ctime_ns ^= 1;
		CHECK(ferry__set_cache_find(c, &ids.m[i], &other) == 0);
	}
	ferry__set_cache_free(c);

	/* Out of memory: no cache, and the text is not leaked. */
	ferry__alloc_fail_from(1);
	c = ferry__set_cache_parse(fuzz_dup(text, n, 1), n);
	ferry__alloc_fail_from(0);
	CHECK(c == NULL);
	free(text);
	return 0;
}
