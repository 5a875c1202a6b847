/* SPDX-License-Identifier: MIT */
/*
 * set_cache.c - what an earlier read of a migration directory found, so
 * that files which have not changed are not read and hashed again.
 *
 * A no-op `up` on 1,000 applied migrations spent half its time reading
 * and hashing files nobody had touched. As git's index does, the cache
 * trusts a file's stat data: an entry is used only when the device, inode,
 * size, mtime and ctime are exactly those recorded. Any write to a file
 * moves its ctime, which no user can set back, so an edited, replaced or
 * restored file is read again.
 *
 * The one trap is the "racy" file, edited twice within one tick of the
 * file system's clock: the second edit can leave every stat field as the
 * first left it. So a file is recorded only if its ctime and mtime are
 * FERRY__CACHE_SETTLE_NS older than the moment its read began; a later
 * edit then necessarily carries a newer ctime.
 *
 * The cache is only ever an optimisation: a missing, unreadable, corrupt,
 * or older-format cache is ignored and rewritten, and a failed write is
 * forgotten. One file per directory, named by the directory's device and
 * inode, holds a text line per migration:
 *
 *   ferry-set-cache 1 <ferry version>
 *   <id> <dev> <ino> <size> <mtime ns> <ctime ns> <up> <finish> <down>
 *
 * where a section is "-" when absent, else
 * <no-transaction>,<offset>,<length>,<line>,<sha-256 in hex>. The format
 * number goes up whenever what parse.c finds in a file changes meaning.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CACHE_MAGIC "ferry-set-cache 1 " FERRY_VERSION "\n"

typedef struct {
	const char *id; /* points into the cache's text */
	ferry__file_stamp stamp;
	ferry__section sec[FERRY__NSECTIONS];
} cache_entry;

struct ferry__set_cache {
	char *text;
	cache_entry *entries; /* sorted by id */
	size_t n;
	size_t next; /* where the next lookup looks first */
};

void ferry__file_stamp_of(ferry__file_stamp *out, const struct stat *st)
{
	out->dev = (uint64_t)st->st_dev;
	out->ino = (uint64_t)st->st_ino;
	out->size = (uint64_t)st->st_size;
	out->mtime_ns =
		(int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	out->ctime_ns =
		(int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

int ferry__file_stamp_settled(const ferry__file_stamp *s, int64_t read_at_ns)
{
	int64_t limit = read_at_ns - FERRY__CACHE_SETTLE_NS;

	return s->ctime_ns < limit && s->mtime_ns < limit;
}

#ifdef FERRY_TESTING
static int64_t wall_shift_ns;

void ferry__wall_shift(int64_t ns)
{
	wall_shift_ns = ns;
}
#endif

int64_t ferry__wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
#ifdef FERRY_TESTING
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + wall_shift_ns;
#else
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#endif
}

static int stamp_equal(const ferry__file_stamp *a, const ferry__file_stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
		a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* "<dir>/set-<dev>-<ino>", or NULL when out of memory. */
char *ferry__set_cache_path(const char *cache_dir, const struct stat *dir_st)
{
	return ferry__cache_path(cache_dir, "set", (uint64_t)dir_st->st_dev,
		(uint64_t)dir_st->st_ino);
}

/*
 * Parsing. Every field is checked: a cache that does not parse in full
 * is not used at all.
 */

static int take_u64(char **p, uint64_t *out)
{
	const char *q = *p;
	uint64_t v = 0;

	if (*q < '0' || *q > '9')
		return -1;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	*out = v;
	*p += q - *p;
	return 0;
}

static int take_i64(char **p, int64_t *out)
{
	uint64_t v;

	if (take_u64(p, &v) < 0 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int take_char(char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int take_sha(char **p, unsigned char sha[32])
{
	const char *q = *p;
	size_t i;

	for (i = 0; i < 32; i++, q += 2) {
		int hi = hex_value(q[0]), lo;

		if (hi < 0 || (lo = hex_value(q[1])) < 0)
			return -1;
		sha[i] = (unsigned char)(hi << 4 | lo);
	}
	*p += 64;
	return 0;
}

static int take_section(char **p, ferry__section *sec)
{
	uint64_t no_tx, offset, len, line;

	memset(sec, 0, sizeof(*sec));
	if (**p == '-') {
		(*p)++;
		return 0;
	}
	if (take_u64(p, &no_tx) < 0 || no_tx > 1 || take_char(p, ',') < 0 ||
		take_u64(p, &offset) < 0 || take_char(p, ',') < 0 ||
		take_u64(p, &len) < 0 || take_char(p, ',') < 0 ||
		take_u64(p, &line) < 0 || line > INT32_MAX ||
		take_char(p, ',') < 0 || take_sha(p, sec->sha) < 0)
		return -1;
	sec->present = 1;
	sec->no_transaction = (int)no_tx;
	sec->offset = (size_t)offset;
	sec->len = (size_t)len;
	sec->line = (int)line;
	return 0;
}

/* One line, NUL-terminating the id in place; *p ends past the '\n'. */
static int take_entry(char **p, cache_entry *e)
{
	char *id = *p, *space = strchr(id, ' ');
	int k;

	if (!space || space == id || memchr(id, '\n', (size_t)(space - id)))
		return -1;
	*space = '\0';
	e->id = id;
	*p = space + 1;
	if (take_u64(p, &e->stamp.dev) < 0 || take_char(p, ' ') < 0 ||
		take_u64(p, &e->stamp.ino) < 0 || take_char(p, ' ') < 0 ||
		take_u64(p, &e->stamp.size) < 0 || take_char(p, ' ') < 0 ||
		take_i64(p, &e->stamp.mtime_ns) < 0 || take_char(p, ' ') < 0 ||
		take_i64(p, &e->stamp.ctime_ns) < 0)
		return -1;
	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (take_char(p, ' ') < 0 || take_section(p, &e->sec[k]) < 0)
			return -1;
	return take_char(p, '\n');
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(
		((const cache_entry *)a)->id, ((const cache_entry *)b)->id);
}

void ferry__set_cache_free(ferry__set_cache *c)
{
	if (!c)
		return;
	free(c->text);
	free(c->entries);
	free(c);
}

static int parse_cache(ferry__set_cache *c, size_t len)
{
	size_t lines = 0, alloc;
	char *p, *q, *end = c->text + len;

	if (len < sizeof(CACHE_MAGIC) - 1 ||
		memcmp(c->text, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0)
		return -1;
	p = c->text + sizeof(CACHE_MAGIC) - 1;
	for (q = p; q < end; q++)
		lines += *q == '\n';
	alloc = lines ? lines : 1;
	c->entries = ferry__calloc(alloc, sizeof(*c->entries));
	if (!c->entries)
		return -1;
	while (p < end) {
		if (c->n == lines || take_entry(&p, &c->entries[c->n]) < 0)
			return -1;
		c->n++;
	}
	qsort(c->entries, c->n, sizeof(*c->entries), cmp_entry);
	return 0;
}

ferry__set_cache *ferry__set_cache_load(const char *path)
{
	ferry__set_cache *c;
	char *text;
	size_t len;

	if (ferry__read_file(path, &text, &len, NULL) < 0)
		return NULL;
	if (memchr(text, '\0', len)) {
		free(text);
		return NULL;
	}
	c = ferry__calloc(1, sizeof(*c));
	if (!c) {
		free(text);
		return NULL;
	}
	c->text = text;
	if (parse_cache(c, len) < 0) {
		ferry__set_cache_free(c);
		return NULL;
	}
	return c;
}

int ferry__set_cache_find(
	ferry__set_cache *c, ferry__migration *m, const ferry__file_stamp *now)
{
	cache_entry key = { .id = m->pub.id }, *e = NULL;

	if (!c)
		return 0;
	/* Files are looked up in version order, which is usually the order
	 * of their ids too: try the entry after the last one found first. */
	if (c->next < c->n && strcmp(c->entries[c->next].id, m->pub.id) == 0)
		e = &c->entries[c->next];
	else
		e = bsearch(
			&key, c->entries, c->n, sizeof(*c->entries), cmp_entry);
	if (e)
		c->next = (size_t)(e - c->entries) + 1;
	if (!e || !stamp_equal(&e->stamp, now))
		return 0;
	memcpy(m->sec, e->sec, sizeof(m->sec));
	return 1;
}

/*
 * Writing
 */

static void put_entry(ferry__buf *b, const ferry__migration *m)
{
	const ferry__file_stamp *s = &m->stamp;
	char hex[65];
	int k;

	ferry__buf_printf(b, "%s %llu %llu %llu %lld %lld", m->pub.id,
		(unsigned long long)s->dev, (unsigned long long)s->ino,
		(unsigned long long)s->size, (long long)s->mtime_ns,
		(long long)s->ctime_ns);
	for (k = 0; k < FERRY__NSECTIONS; k++) {
		const ferry__section *sec = &m->sec[k];

		if (!sec->present) {
			ferry__buf_puts(b, " -");
			continue;
		}
		ferry__hex(hex, sec->sha);
		ferry__buf_printf(b, " %d,%zu,%zu,%d,%s", sec->no_transaction,
			sec->offset, sec->len, sec->line, hex);
	}
	ferry__buf_puts(b, "\n");
}

void ferry__set_cache_save(
	const char *cache_dir, const char *path, const ferry_set *set)
{
	ferry__buf text = FERRY__BUF_INIT;
	size_t i;

	ferry__buf_puts(&text, CACHE_MAGIC);
	for (i = 0; i < set->n; i++)
		if (set->migs[i].settled)
			put_entry(&text, &set->migs[i]);
	ferry__cache_write(cache_dir, path, &text);
	ferry__buf_release(&text);
}
