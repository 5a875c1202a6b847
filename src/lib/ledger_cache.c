/* SPDX-License-Identifier: MIT */
/*
 * ledger_cache.c - the ledger as it was last read from a database file
 * that nobody has written since, so that a run with nothing to do need
 * not open the database at all.
 *
 * Opening a SQLite database is parsing its whole schema: on 1,000 applied
 * migrations, half of a no-op `up`, only to read a ledger that has not
 * changed. The driver's stamp says whether it has: for SQLite, the file's
 * device, inode, size, mtime and ctime, and the change counter in its
 * header, which every write transaction increments in rollback-journal
 * mode. A file written through SQLite, by ferry or by the application,
 * carries a new counter even within one tick of the file system's clock;
 * one written any other way (copied over, restored) a new ctime. Files in
 * WAL mode, or with a journal a crash left, have no stamp.
 *
 * A ledger read is recorded only when the stamp before and after it is
 * the same, and outside any transaction, so that what is kept is what the
 * database held at that stamp. The rows are kept as the query returned
 * them, and read back through the same row callback, so a ledger from the
 * cache is the ledger from the database. One file per database file:
 *
 *   ferry-ledger-cache 1 <ferry version>
 *   <stamp> <table>
 *   <value> <value> ... one line per row
 *
 * where a value is "-" for NULL, else <length>:<bytes>.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_MAGIC "ferry-ledger-cache 1 " FERRY_VERSION "\n"
#define MAX_FIELDS 32

/* One value, then `end`: "-" for NULL, else <length>:<bytes>. */
static void put_field(ferry__buf *b, const char *v, char end)
{
	if (v)
		ferry__buf_printf(b, "%zu:%s%c", strlen(v), v, end);
	else
		ferry__buf_printf(b, "-%c", end);
}

void ferry__ledger_cache_put(ferry__buf *b, int ncols, const char *const *v)
{
	int i;

	for (i = 0; i < ncols; i++)
		put_field(b, v[i], i + 1 < ncols ? ' ' : '\n');
}

/*
 * One value at *p, NUL-terminated in place; `*last` says whether it ended
 * its line. -1 when the text does not parse.
 */
static int take_field(char **p, const char *end, char **out, int *last)
{
	char *q = *p;
	size_t len = 0;

	if (q < end && *q == '-') {
		*out = NULL;
		q++;
	} else {
		if (q == end || *q < '0' || *q > '9')
			return -1;
		while (q < end && *q >= '0' && *q <= '9') {
			if (len > (size_t)(end - q))
				return -1;
			len = len * 10 + (size_t)(*q++ - '0');
		}
		if (q == end || *q++ != ':' || len >= (size_t)(end - q))
			return -1;
		*out = q;
		q += len;
	}
	if (q == end || (*q != ' ' && *q != '\n'))
		return -1;
	*last = *q == '\n';
	*q++ = '\0';
	*p = q;
	return 0;
}

/* The values of one line; -1 when it does not parse. */
static int take_line(char **p, const char *end, char *v[MAX_FIELDS], int *n)
{
	int last = 0;

	for (*n = 0; !last; (*n)++)
		if (*n == MAX_FIELDS || take_field(p, end, &v[*n], &last) < 0)
			return -1;
	return 0;
}

int ferry__ledger_cache_rows(char *rows, ferry__row_fn fn, void *payload)
{
	char *p = rows, *end = rows + strlen(rows), *v[MAX_FIELDS];
	int n;

	while (p < end) {
		if (take_line(&p, end, v, &n) < 0)
			return -1;
		if (fn(payload, n, (const char *const *)v))
			return -1;
	}
	return 0;
}

#define SETTLE_FINE_NS (50 * 1000000LL)
#define SETTLE_COARSE_NS FERRY__CACHE_SETTLE_NS

int ferry__ledger_cache_settled(const ferry__db_stamp *s, int64_t read_at)
{
	int coarse = s->file.mtime_ns % 1000000000 == 0 &&
		s->file.ctime_ns % 1000000000 == 0;

	return ferry__file_stamp_settled(
		&s->file, read_at, coarse ? SETTLE_COARSE_NS : SETTLE_FINE_NS);
}

/* "<cache_dir>/ledger-<dev>-<ino>" of the database file. */
static char *path_of(const char *cache_dir, const ferry__db_stamp *s)
{
	return ferry__cache_path(cache_dir, "ledger", s->file.dev, s->file.ino);
}

char *ferry__ledger_cache_load(
	const char *cache_dir, const ferry__db_stamp *s, const char *table)
{
	char *path = path_of(cache_dir, s), *text = NULL, *p, *v[MAX_FIELDS];
	size_t len = 0, head;
	int n;

	if (!path || ferry__cache_read(path, &text, &len) < 0) {
		free(path);
		return NULL;
	}
	free(path);
	head = sizeof(CACHE_MAGIC) - 1;
	if (len < head || memcmp(text, CACHE_MAGIC, head) != 0 ||
		memchr(text, '\0', len))
		goto miss;
	p = text + head;
	if (take_line(&p, text + len, v, &n) < 0 || n != 2 || !v[0] || !v[1] ||
		strcmp(v[0], s->text) != 0 || strcmp(v[1], table) != 0)
		goto miss;
	/* The rows alone, at the start of the buffer. */
	memmove(text, p, len - (size_t)(p - text) + 1);
	return text;
miss:
	free(text);
	return NULL;
}

void ferry__ledger_cache_save(const char *cache_dir, const ferry__db_stamp *s,
	const char *table, const ferry__buf *rows)
{
	ferry__buf text = FERRY__BUF_INIT;
	char *path = path_of(cache_dir, s);

	ferry__buf_puts(&text, CACHE_MAGIC);
	put_field(&text, s->text, ' ');
	put_field(&text, table, '\n');
	if (rows->len)
		ferry__buf_put(&text, rows->buf, rows->len);
	if (path && !rows->oom)
		ferry__cache_write(cache_dir, path, &text);
	ferry__buf_release(&text);
	free(path);
}
