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
 * first left it. As git judges its index, an entry is trusted only if the
 * file's ctime and mtime are older than the cache file's own modification
 * time, by FERRY__CACHE_SETTLE_NS for file systems with coarse times. The
 * cache file is dated when its reading began, in the file system's clock,
 * not the client's: before the first file is read, ferry creates the file
 * the cache will be written to and takes its ctime. A file read after that
 * moment and edited later carries a newer ctime; one edited within the
 * same tick is never trusted.
 *
 * The cache is only ever an optimisation: a missing, unreadable, corrupt,
 * or older-format cache is ignored and rewritten, and a failed write is
 * forgotten. It never decides what runs: the bytes that run are cut by a
 * fresh parse of the file read for running them, and only its checksums
 * are compared with the cache's (ferry__migration_load). Still, every
 * field is checked before a line is used (a section within the file's
 * recorded size, a line from 1), a cache is trusted only if nobody but
 * its user could have written it (cache_file.c), and no content of it
 * can crash or hang ferry (tests/fuzz/fuzz_set_cache.c).
 *
 * One file per directory, named by the directory's device and inode,
 * holds a text line per migration, in the set's order:
 *
 *   ferry-set-cache 3 <ferry version>
 *   dir <dev> <ino> <size> <mtime ns> <ctime ns>   (or "dir -")
 *   <id> <dev> <ino> <size> <mtime ns> <ctime ns> <up> <finish> <down>
 *
 * The "dir" line is the directory's own stamp when every migration in it
 * was recorded: while the directory keeps that stamp, no file was added,
 * removed or renamed in it, and the lines list it without a readdir. A
 * section is "-" when absent, else
 * <options>,<offset>,<length>,<line>,<sha-256 in hex>, the options its
 * marker's (1 no-transaction, 2 confirm, added). The format
 * number goes up whenever what parse.c finds in a file changes meaning.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CACHE_MAGIC "ferry-set-cache 3 " FERRY_VERSION "\n"

typedef struct {
	ferry__file_stamp stamp;
	ferry__section sec[FERRY__NSECTIONS];
} cache_entry;

/*
 * The lines are in the set's order, by version then id, and so are the
 * lookups: one pass over the text finds them all, with no index to build.
 */
struct ferry__set_cache {
	char *text; /* NULL when there is no usable cache file */
	size_t len;
	size_t start; /* the first migration's line */
	size_t pos;   /* the first line not yet passed */
	int listed;   /* the lines are the whole directory at `dir` */
	ferry__file_stamp dir;
	int list_used;	       /* the set was listed by the cache */
	int64_t written_at;    /* the cache file's mtime: its reading began */
	const char *cache_dir; /* borrowed; NULL: never written */
	char *name;	       /* the file's name in cache_dir */
	int dir_fd;	       /* cache_dir, checked; -1 while it is missing */
	int clock_read;	       /* ferry__set_cache_reading() was called */
	int64_t read_at;       /* the file system's clock then */
	int tmp_fd;	       /* the file the cache is written to, or -1 */
	ferry__buf tmp;	       /* its name in cache_dir */
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
static int64_t clock_shift_ns;

void ferry__cache_clock_shift(int64_t ns)
{
	clock_shift_ns = ns;
}
#else
#define clock_shift_ns 0
#endif

int64_t ferry__wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int ferry__file_stamp_equal(
	const ferry__file_stamp *a, const ferry__file_stamp *b)
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
 * Parsing. Every field of a line is checked before the line is used; the
 * first line that does not parse ends the use of the cache.
 */

static int take_u64(char **p, uint64_t *out)
{
	char *q = *p;
	uint64_t v = 0;

	if (*q < '0' || *q > '9')
		return -1;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	*out = v;
	*p = q;
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

/*
 * A section as the cache records it, in a file of `size` bytes: its body
 * lies within the file, and starts on a line from 1 to one past the last.
 */
static int take_section(char **p, ferry__section *sec, uint64_t size)
{
	uint64_t opts, offset, len, line;

	memset(sec, 0, sizeof(*sec));
	if (**p == '-') {
		(*p)++;
		return 0;
	}
	/* Its marker's options: 1 no-transaction, 2 confirm. */
	if (take_u64(p, &opts) < 0 || opts > 3 || take_char(p, ',') < 0 ||
		take_u64(p, &offset) < 0 || take_char(p, ',') < 0 ||
		take_u64(p, &len) < 0 || take_char(p, ',') < 0 ||
		take_u64(p, &line) < 0 || line > INT32_MAX ||
		take_char(p, ',') < 0 || take_sha(p, sec->sha) < 0)
		return -1;
	if (offset > size || len > size - offset || line < 1 || line > size + 1)
		return -1;
	sec->present = 1;
	sec->no_transaction = (opts & 1) != 0;
	sec->confirm = (opts & 2) != 0;
	sec->offset = (size_t)offset;
	sec->len = (size_t)len;
	sec->line = (int)line;
	return 0;
}

/* "<dev> <ino> <size> <mtime ns> <ctime ns>" */
static int take_stamp(char **p, ferry__file_stamp *s)
{
	if (take_u64(p, &s->dev) < 0 || take_char(p, ' ') < 0 ||
		take_u64(p, &s->ino) < 0 || take_char(p, ' ') < 0 ||
		take_u64(p, &s->size) < 0 || take_char(p, ' ') < 0 ||
		take_i64(p, &s->mtime_ns) < 0 || take_char(p, ' ') < 0 ||
		take_i64(p, &s->ctime_ns) < 0)
		return -1;
	return 0;
}

/* What follows the id on a line; *p ends past the '\n'. */
static int take_entry(char **p, cache_entry *e)
{
	int k;

	if (take_stamp(p, &e->stamp) < 0)
		return -1;
	for (k = 0; k < FERRY__NSECTIONS; k++)
		if (take_char(p, ' ') < 0 ||
			take_section(p, &e->sec[k], e->stamp.size) < 0)
			return -1;
	return take_char(p, '\n');
}

void ferry__set_cache_free(ferry__set_cache *c)
{
	if (!c)
		return;
	if (c->tmp_fd >= 0) {
		close(c->tmp_fd);
		unlinkat(c->dir_fd, c->tmp.buf, 0);
	}
	ferry__buf_release(&c->tmp);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	free(c->name);
	free(c->text);
	free(c);
}

/* Take `text` (freed here if it is no cache of this version) into `c`. */
static void take_text(ferry__set_cache *c, char *text, size_t len)
{
	char *p;

	if (len < sizeof(CACHE_MAGIC) - 1 ||
		memcmp(text, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0 ||
		memchr(text, '\0', len)) {
		free(text);
		return;
	}
	c->text = text;
	c->len = len;
	p = text + sizeof(CACHE_MAGIC) - 1;
	if (strncmp(p, "dir -\n", 6) == 0) {
		p += 6;
	} else if (strncmp(p, "dir ", 4) == 0) {
		p += 4;
		if (take_stamp(&p, &c->dir) == 0 && take_char(&p, '\n') == 0)
			c->listed = 1;
		else
			p = text + len; /* no line is used */
	} else {
		p = text + len;
	}
	c->start = c->pos = (size_t)(p - text);
}

static ferry__set_cache *cache_new(void)
{
	ferry__set_cache *c = ferry__calloc(1, sizeof(*c));

	if (c) {
		c->dir_fd = c->tmp_fd = -1;
		c->tmp = (ferry__buf)FERRY__BUF_INIT;
	}
	return c;
}

ferry__set_cache *ferry__set_cache_parse(char *text, size_t len)
{
	ferry__set_cache *c = cache_new();

	if (!c) {
		free(text);
	} else {
		take_text(c, text, len);
		c->written_at = INT64_MAX; /* whatever the stamps say */
	}
	return c;
}

ferry__set_cache *ferry__set_cache_open(
	const char *cache_dir, const struct stat *dir_st)
{
	ferry__set_cache *c = cache_new();
	char *text;
	size_t len;
	int missing;

	if (!c)
		return NULL;
	c->cache_dir = cache_dir;
	c->name = ferry__cache_name(
		"set", (uint64_t)dir_st->st_dev, (uint64_t)dir_st->st_ino);
	c->dir_fd = ferry__cache_dir_open(cache_dir, &missing);
	if (!c->name || (c->dir_fd < 0 && !missing)) {
		/* Out of memory, or a directory to leave alone. */
		ferry__set_cache_free(c);
		return NULL;
	}
	if (c->dir_fd >= 0 &&
		ferry__cache_read(
			c->dir_fd, c->name, &text, &len, &c->written_at) == 0)
		take_text(c, text, len);
	return c;
}

int ferry__set_cache_list(ferry__set_cache *c, const ferry__file_stamp *dir,
	ferry__name_fn fn, void *payload)
{
	const char *line, *end, *nl, *sp;
	int64_t last = -1, version;
	size_t digits;

	if (!c || !c->listed || !ferry__file_stamp_equal(&c->dir, dir) ||
		!ferry__file_stamp_settled(dir, c->written_at))
		return 0;
	/*
	 * Only the ids are used here, and only in the order a set is in:
	 * versions ascend, each once. The rest of a line is checked when the
	 * file is looked up.
	 */
	line = c->text + c->start;
	for (end = c->text + c->len; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		sp = nl ? memchr(line, ' ', (size_t)(nl - line)) : NULL;
		if (!sp || sp == line)
			return -1;
		for (digits = 0; line + digits < sp && line[digits] >= '0' &&
			line[digits] <= '9';
			digits++)
			;
		if (ferry__parse_version(line, digits, &version) < 0 ||
			version <= last ||
			fn(payload, line, (size_t)(sp - line)))
			return -1;
		last = version;
	}
	c->list_used = 1;
	return 1;
}

/* The order of an id on a line against m's: by version, then by id. */
static int compare_id(
	const char *id, size_t n, const ferry__migration *m, int *order)
{
	size_t digits = 0, mn = strlen(m->pub.id);
	int64_t version;
	int c;

	while (digits < n && id[digits] >= '0' && id[digits] <= '9')
		digits++;
	if (ferry__parse_version(id, digits, &version) < 0)
		return -1;
	if (version != m->pub.version) {
		*order = version < m->pub.version ? -1 : 1;
		return 0;
	}
	c = memcmp(id, m->pub.id, n < mn ? n : mn);
	*order = c ? c : n < mn ? -1 : n > mn;
	return 0;
}

int ferry__set_cache_find(
	ferry__set_cache *c, ferry__migration *m, const ferry__file_stamp *now)
{
	cache_entry e;

	while (c && c->pos < c->len) {
		char *line = c->text + c->pos, *p;
		char *nl = memchr(line, '\n', c->len - c->pos);
		char *sp = nl ? memchr(line, ' ', (size_t)(nl - line)) : NULL;
		int order;

		/* A line that does not parse ends the cache's use. */
		if (!sp || compare_id(line, (size_t)(sp - line), m, &order) < 0)
			break;
		if (order > 0)
			return 0; /* a file the cache does not know */
		c->pos = (size_t)(nl + 1 - c->text);
		if (order < 0)
			continue; /* a file gone since */
		p = sp + 1;
		if (take_entry(&p, &e) < 0 || p != nl + 1)
			break;
		if (!ferry__file_stamp_equal(&e.stamp, now) ||
			!ferry__file_stamp_settled(now, c->written_at))
			return 0;
		memcpy(m->sec, e.sec, sizeof(m->sec));
		return 1;
	}
	if (c)
		c->pos = c->len;
	return 0;
}

/*
 * Writing
 */

/* The counterpart of take_stamp(). */
static void put_stamp(ferry__buf *b, const ferry__file_stamp *s)
{
	ferry__buf_printf(b, "%llu %llu %llu %lld %lld",
		(unsigned long long)s->dev, (unsigned long long)s->ino,
		(unsigned long long)s->size, (long long)s->mtime_ns,
		(long long)s->ctime_ns);
}

static void put_entry(ferry__buf *b, const ferry__migration *m)
{
	char hex[65];
	int k;

	ferry__buf_printf(b, "%s ", m->pub.id);
	put_stamp(b, &m->stamp);
	for (k = 0; k < FERRY__NSECTIONS; k++) {
		const ferry__section *sec = &m->sec[k];

		if (!sec->present) {
			ferry__buf_puts(b, " -");
			continue;
		}
		ferry__hex(hex, sec->sha);
		ferry__buf_printf(b, " %d,%zu,%zu,%d,%s",
			sec->no_transaction | sec->confirm << 1, sec->offset,
			sec->len, sec->line, hex);
	}
	ferry__buf_puts(b, "\n");
}

void ferry__set_cache_reading(ferry__set_cache *c)
{
	struct stat st;

	if (!c || c->clock_read || !c->cache_dir)
		return;
	c->clock_read = 1;
	/* Created now, and checked as an existing one is. */
	if (c->dir_fd < 0 &&
		(c->dir_fd = ferry__cache_dir_create(c->cache_dir)) < 0)
		return;
	c->tmp_fd = ferry__cache_tmp_open(c->dir_fd, c->name, &c->tmp);
	if (c->tmp_fd >= 0 && fstat(c->tmp_fd, &st) == 0)
		c->read_at = (int64_t)st.st_ctim.tv_sec * 1000000000 +
			st.st_ctim.tv_nsec + clock_shift_ns;
}

void ferry__set_cache_save(
	ferry__set_cache *c, const ferry_set *set, const ferry__file_stamp *dir)
{
	ferry__buf text = FERRY__BUF_INIT;
	size_t i, learnt = 0;
	int whole;

	if (!c || c->tmp_fd < 0 || !c->read_at)
		return; /* nothing was read, or nowhere to write */
	whole = ferry__file_stamp_settled(dir, c->read_at);
	for (i = 0; i < set->n; i++) {
		const ferry__migration *m = &set->migs[i];

		if (!ferry__file_stamp_settled(&m->stamp, c->read_at))
			whole = 0;
		else if (!m->cache_file)
			learnt++;
	}
	/* Write when a file was learnt, or the cache can now list them. */
	if (!learnt && (c->list_used || !whole))
		return;
	ferry__buf_puts(&text, CACHE_MAGIC);
	ferry__buf_puts(&text, "dir ");
	if (whole)
		put_stamp(&text, dir);
	else
		ferry__buf_puts(&text, "-");
	ferry__buf_puts(&text, "\n");
	for (i = 0; i < set->n; i++)
		if (ferry__file_stamp_settled(&set->migs[i].stamp, c->read_at))
			put_entry(&text, &set->migs[i]);
	ferry__cache_tmp_commit(
		c->dir_fd, c->tmp_fd, c->tmp.buf, c->name, &text, c->read_at);
	c->tmp_fd = -1;
	ferry__buf_release(&text);
}
