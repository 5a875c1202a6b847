/* SPDX-License-Identifier: MIT */
/*
 * ferry_int.h - what the library's modules share and the outside never sees.
 *
 * Names here are ferry__<module>_<verb>. The engines sit behind one driver
 * vtable (ferry__driver) so that the engine in run.c, ledger.c and status.c
 * never knows whether it talks to SQLite or PostgreSQL.
 */
#ifndef FERRY_INT_H
#define FERRY_INT_H

#include "ferry.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <nettle/sha2.h>

#define FERRY__PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * Memory. In test builds (FERRY_TESTING) the allocator can be told to fail
 * the Nth allocation, to prove every path handles out-of-memory.
 */
void *ferry__malloc(size_t size);
void *ferry__calloc(size_t n, size_t size);
void *ferry__realloc(void *ptr, size_t size);
char *ferry__strdup(const char *s);
char *ferry__strndup(const char *s, size_t n);
#ifdef FERRY_TESTING
/* Fail allocation number `n` (1-based) and every one after; 0 disables. */
FERRY_EXTERN void ferry__alloc_fail_from(long n);
FERRY_EXTERN long ferry__alloc_count(void);
#endif

/*
 * Arrays. Make room in the array `*array` (of `*alloc` items of `size`
 * bytes) for `need` items: grown to twice its size, or `first` items at
 * first, as often as it takes. Returns 0, or -1 when out of memory or when
 * the size would overflow, with the array and `*alloc` as they were.
 */
int ferry__grow(
	void *array, size_t *alloc, size_t need, size_t size, size_t first);
#define FERRY__GROW(v, alloc, need, first) \
	ferry__grow(&(v), &(alloc), (need), sizeof(*(v)), (first))

/*
 * A growable string, in the manner of git's strbuf. Out-of-memory is
 * sticky: once an append fails, later ones do nothing and `oom` stays set,
 * so a caller builds a whole string and checks once.
 */
typedef struct {
	char *buf;
	size_t len;
	size_t alloc;
	int oom;
} ferry__buf;

#define FERRY__BUF_INIT \
	{ \
		NULL, 0, 0, 0 \
	}

int ferry__buf_grow(ferry__buf *b, size_t extra);
void ferry__buf_put(ferry__buf *b, const char *data, size_t len);
void ferry__buf_puts(ferry__buf *b, const char *s);
void ferry__buf_printf(ferry__buf *b, const char *fmt, ...) FERRY__PRINTF(2, 3);
void ferry__buf_vprintf(ferry__buf *b, const char *fmt, va_list ap);
/* Append `s` as an SQL identifier in double quotes, quotes doubled. */
void ferry__buf_quote_ident(ferry__buf *b, const char *s);
/* Append `s` as an SQL string literal, quotes doubled; backslashes stay
 * (standard_conforming_strings, PostgreSQL's default since 9.1). */
void ferry__buf_quote_literal(ferry__buf *b, const char *s);
/* The string, or "" when empty; never NULL. */
const char *ferry__buf_cstr(const ferry__buf *b);
/* Hand the string to the caller (NULL on oom) and reset the buffer. */
char *ferry__buf_detach(ferry__buf *b);
/* Empty it, keeping its memory. */
void ferry__buf_clear(ferry__buf *b);
void ferry__buf_release(ferry__buf *b);

/*
 * Errors. Each setter returns the code so one line both fills and fails:
 *	return ferry__error_set(err, FERRY_EINVALID, "bad thing '%s'", x);
 * `err` may be NULL everywhere.
 */
int ferry__error_set(ferry_error *err, int code, const char *fmt, ...)
	FERRY__PRINTF(3, 4);
void ferry__error_detail(ferry_error *err, const char *fmt, ...)
	FERRY__PRINTF(2, 3);
void ferry__error_hint(ferry_error *err, const char *fmt, ...)
	FERRY__PRINTF(2, 3);
void ferry__error_at(ferry_error *err, const char *file, int line, int column);
int ferry__error_oom(ferry_error *err);
/* ferry_db_interrupt() stopped what had not started: nothing changed. */
int ferry__error_interrupted(ferry_error *err);
/* Fill from errno after a failed system call on `path`. */
int ferry__error_os(
	ferry_error *err, int code, const char *what, const char *path);

/*
 * Small utilities (util.c).
 */
/* Milliseconds on a monotonic clock. */
int64_t ferry__now_ms(void);
/* Current UTC time as RFC 3339 ("2026-11-22T03:37:00Z") into buf[32]. */
void ferry__utc_now(char buf[32]);
/* Lowercase hex of a SHA-256 digest into hex[65]. */
void ferry__hex(char hex[65], const unsigned char sha[32]);
/* The value of a hex digit, either case, or -1. */
int ferry__hex_digit(char c);
/*
 * SHA-256 through Nettle (sha256.c). A hasher is one context, started
 * afresh after each digest, reused for a whole set.
 */
typedef struct {
	struct sha256_ctx ctx;
} ferry__hasher;

/* Neither can fail: no allocation, no library to find. */
void ferry__hasher_init(ferry__hasher *h);
void ferry__hasher_release(ferry__hasher *h);
/* SHA-256 of `len` bytes; `h` may be NULL for a one-off. Cannot fail. */
void ferry__sha256(
	ferry__hasher *h, unsigned char out[32], const void *data, size_t len);
/* 1-based line and column of `offset` in `text`; columns count UTF-8
 * characters. */
void ferry__text_pos(const char *text, size_t offset, int *line, int *column);

/*
 * The same for offsets that grow, as statements come one after another:
 * each call counts only from the last, so a file's statements cost one
 * pass over it, not one per statement.
 */
typedef struct {
	const char *text;
	size_t offset;
	int line;
	int column;
} ferry__text_cursor;

#define FERRY__TEXT_CURSOR_INIT(text) \
	{ \
		(text), 0, 1, 1 \
	}

void ferry__text_advance(
	ferry__text_cursor *c, size_t offset, int *line, int *column);
/* Sleep `ms` milliseconds, whatever signals come. */
void ferry__sleep_ms(int ms);
/* Parse 1 to 18 decimal digits; returns 0 or -1. */
int ferry__parse_version(const char *s, size_t len, int64_t *out);
/*
 * What a file that is not a regular file is, for messages: "a FIFO", "a
 * directory", "a character device", ...
 */
const char *ferry__file_kind(mode_t mode);
/*
 * Read a whole regular file (never a FIFO or a device) into `b`, replacing what
 * it held; CRLF becomes LF and the text is NUL-terminated. One buffer
 * serves a whole set. With `st`, the file's stat data as the open
 * descriptor had it before the read, for the set cache.
 */
int ferry__read_into(
	const char *path, ferry__buf *b, struct stat *st, ferry_error *err);
/* The same into a new allocation, freed with free(). */
int ferry__read_file(
	const char *path, char **out, size_t *len, ferry_error *err);
/* The same from memory: `len` bytes of `data` (ferry_set_open_mem()),
 * CRLF made LF, NUL-terminated, as a file's would be. */
int ferry__read_mem(
	const char *data, size_t len, ferry__buf *b, ferry_error *err);
/* Write all of `data`, across short writes and EINTR; 0 or -1 (errno). */
int ferry__write_all(int fd, const char *data, size_t len);

/*
 * Database URLs (url.c).
 */
typedef enum { FERRY__ENGINE_SQLITE = 1, FERRY__ENGINE_PG } ferry__engine;

typedef struct {
	ferry__engine engine;
	char *path;	/* SQLite: the path as written, decoded from a file: URI
			 * and read from base_dir; or ":memory:" */
	char *file;	/* SQLite: the canonical absolute path of the file, to
			 * open and lock (never a URI to SQLite: it starts with
			 * '/'); NULL for ":memory:" */
	int memory;	/* SQLite: in-memory database */
	char *conninfo; /* PostgreSQL: the URL or keyword string for libpq */
	char *display;	/* the URL as given, password masked */
} ferry__url;

/*
 * Read the database URL `url`, relative SQLite paths from `base_dir` (NULL
 * or "." for the working directory). SQLite forms (sqlite:PATH, a bare
 * path, a file: URI) become one `file`: the real path of the file, or of
 * its directory plus its name, or the absolute path when the directory is
 * missing. A scheme ferry does not know is FERRY_EINVALID, with a hint
 * when it looks like a typo. On failure `out` is all zero.
 * Returns 0, FERRY_EINVALID or FERRY_ENOMEM.
 */
int ferry__url_parse(ferry__url *out, const char *url, const char *base_dir,
	ferry_error *err);
void ferry__url_clear(ferry__url *url);

/*
 * Mask in `text` (a NUL-terminated string in a buffer of `size` bytes,
 * changed in place) each piece of `url` that holds part of what may be its
 * password, under every reading of `url` that ferry_url_mask() knows: the
 * piece's secret bytes become "****", the rest stays; what no longer fits
 * in `size` is cut from the end. Made for libpq's and the server's
 * messages, which quote the URL whole, a token of it ("SECRET%ZZPW"), or a
 * piece libpq decoded ("RETPW@localhost"). Left alone: a piece that is
 * also a piece of the URL free of secrets (a host named like the
 * password), one that starts or ends inside a word ("failed" is no
 * password "failed99"), and one too small to tell anything (a lone '-' of
 * a password, unless quoted alone). Out of memory, `text` is emptied.
 * `url` NULL: nothing is done. Costs strlen(url) * strlen(text) steps.
 */
void ferry__url_scrub(const char *url, char *text, size_t size);

/*
 * Migration files (parse.c): markers, sections and checksums.
 */
enum {
	FERRY__UP = 0,
	FERRY__FINISH = 1,
	FERRY__DOWN = 2,
	FERRY__NSECTIONS = 3
};

extern const char *const ferry__section_names[FERRY__NSECTIONS];

typedef struct {
	int present;
	int no_transaction;
	int confirm;	       /* `-- ferry:up confirm`: asks before it runs */
	size_t offset;	       /* first byte of the body in the file text */
	size_t len;	       /* body length, marker line excluded */
	int line;	       /* file line of the body's first byte */
	unsigned char sha[32]; /* SHA-256 of the body (LF line ends) */
	int blocks; /* goose/sql-migrate StatementBegin ... StatementEnd
		     * blocks inside: each is one statement */
} ferry__section;

/*
 * Split a migration file's text (CRLF already read as LF) into sections
 * and checksum each (with `h`, or NULL for a one-off). Errors name
 * `path:line`.
 */
/*
 * `-- ferry:repeat [pause=DURATION] [max=N]`: the statement after it, in a
 * no-transaction section, runs again and again, each time in a
 * transaction of its own, until it changes no row (parse.c, run.c).
 */
typedef struct {
	int64_t pause_ms;    /* between two batches */
	int64_t max_batches; /* a statement still changing rows then fails */
} ferry__repeat;

#define FERRY__REPEAT_MAX_BATCHES 100000

/*
 * Is there a repeat directive in text[from, to), the comments and blanks
 * before a statement? 1 and `out` filled, else 0. The file was checked
 * when the set was read: a directive here parses.
 */
int ferry__repeat_find(
	const char *text, size_t from, size_t to, ferry__repeat *out);
/*
 * `-- ferry:require MESSAGE` before a statement: a query that must return
 * true before the section runs, or the run is refused with MESSAGE as the
 * hint. Is there one in text[from, to)? 1 and the message (not
 * NUL-terminated) in *message, *len; else 0.
 */
int ferry__require_find(const char *text, size_t from, size_t to,
	const char **message, size_t *len);
/*
 * Where a directive line starts inside the statement [stmt, stmt + len)
 * (after its first line), or `len`.
 */
size_t ferry__directive_within(const char *stmt, size_t len);
/* How many repeat directives a section's text holds. */
size_t ferry__count_repeats(const char *text, size_t len);

/*
 * `-- ferry:param NAME [default VALUE]`: a value the file's SQL uses as
 * psql does, `:NAME` raw, `:'NAME'` as a literal, `:"NAME"` as an
 * identifier (params.c). A declaration is of the whole file; NAME is a
 * letter or '_', then letters, digits and '_'. The value runs to the
 * line's end, trailing blanks dropped.
 */
#define FERRY__PARAM_NAME_MAX 63
#define FERRY__PARAMS_MAX 64 /* per file */

typedef struct {
	const char *name; /* in the file's text, not NUL-terminated */
	size_t name_len;
	const char *value; /* the default, when it has one */
	size_t value_len;
	int has_default;
	int line;
} ferry__param_decl;

typedef int (*ferry__param_fn)(void *payload, const ferry__param_decl *d);
/* Each declaration of a file's text that parsed, in order; stops at the
 * first nonzero return of `fn`, which it returns. */
int ferry__params_each(
	const char *text, size_t len, ferry__param_fn fn, void *payload);

int ferry__parse_sections(ferry__section sec[FERRY__NSECTIONS],
	const char *text, size_t len, const char *path, ferry__hasher *h,
	ferry_error *err);

/*
 * The `releases` file (releases.c). Checks syntax, duplicate names and that
 * versions never go back (equal for a patch release); set.c checks them
 * against the migrations.
 */
typedef struct {
	ferry_release pub;
	int line;
	char vtext[64]; /* the version as written: another tool's spelling */
} ferry__release;

int ferry__releases_parse(ferry__release **out, size_t *n, const char *text,
	size_t len, const char *path, ferry_error *err);
/* The same, where a version may also have parts ("1.2.10"): a Flyway set. */
int ferry__releases_parse_dotted(ferry__release **out, size_t *n,
	const char *text, size_t len, const char *path, ferry_error *err);
void ferry__releases_free(ferry__release *rel, size_t n);

/*
 * Migration sets (set.c).
 */
/* What stat(2) says of a file, as far as telling a change goes. */
typedef struct {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
} ferry__file_stamp;

typedef struct {
	ferry_migration pub;
	ferry__section sec[FERRY__NSECTIONS];
	int regular; /* readdir said it is a regular file: a hint, for tests
		      * to tell a read directory from a listed one */
	ferry__file_stamp stamp;
	const char *cache_file; /* the set cache it came from, or NULL */
	ferry_code_fn code;	/* ferry_set_add_code(): its work */
	void *code_payload;
	ferry_format format; /* how its file(s) are read and cut */
	char *down_path;     /* a down section in a file of its own, or NULL */
	/* ferry_set_open_mem(): the file's bytes, in the set's `mem`, read
	 * in place of `path`; else NULL */
	const char *mem;
	size_t mem_len;
} ferry__migration;

/* The file section `k` of `m` is read from, for messages. */
const char *ferry__section_path(const ferry__migration *m, int k);
/*
 * How the tool of another tool's set runs section `k` of `m` outside a
 * transaction, as a hint ("add the line '-- +goose NO TRANSACTION' to
 * the file"); NULL for ferry's own format.
 */
const char *ferry__format_no_txn_hint(const ferry__migration *m, int k);
/* How the tool of `m`'s set writes a down part, as a hint. */
const char *ferry__format_down_hint(const ferry__migration *m);

/* A code migration's handle on its transaction (code.c). */
struct ferry_tx {
	ferry_db *db;
	const ferry__migration *m;
};

/* Run code migration `m` in the open transaction of `db`. */
int ferry__code_run(ferry_db *db, const ferry__migration *m, ferry_error *err);

struct ferry_set {
	char *dir;
	ferry__migration *migs;
	size_t n;
	ferry__release *releases;
	size_t nreleases;
	char *cache_file;	/* the set cache read, or NULL */
	ferry__migration *reps; /* repeatable/, by name */
	size_t nreps;
	ferry_format format; /* never FERRY_FORMAT_AUTO once read */
	char *mem; /* ferry_set_open_mem(): every file's bytes; else NULL */
};

/*
 * Other tools' sets, read in place (format*.c).
 */
/* Which format `dir` is written in (FERRY_FORMAT_FERRY when it holds no
 * other tool's layout); FERRY_EINVALID when it mixes two. */
int ferry__format_detect(const char *dir, ferry_format *out, ferry_error *err);
/*
 * List the migrations of `set->dir`, in `set->format` (not ferry's), into
 * set->migs (and set->reps for Flyway's R__ files): names, versions and
 * paths; their files are read later, by ferry__format_read().
 */
int ferry__format_scan(ferry_set *set, ferry_error *err);
/*
 * Read the file(s) of `m` into `text` (its down file, if it has one of its
 * own, after its up file's bytes) and cut them into sections as m->format
 * says, checksumming each. With `st`, the up file's stat data.
 */
int ferry__format_read(const ferry__migration *m, ferry__buf *text,
	ferry__section sec[FERRY__NSECTIONS], ferry__hasher *h, struct stat *st,
	ferry_error *err);
/*
 * Flyway's script configuration file, `<script>.conf` (format_flyway.c):
 * defaults when there is none; FERRY_EINVALID, at its line, for what ferry
 * cannot do as Flyway would.
 */
typedef struct {
	int in_transaction; /* executeInTransaction: 1, 0, or -1 unsaid */
	int placeholders;   /* placeholderReplacement, 1 unless false */
} ferry__flyway_conf;

int ferry__flyway_conf_read(
	const char *script, ferry__flyway_conf *out, ferry_error *err);
/* Refuse a `${name}` placeholder in text[0, len), at its place. */
int ferry__flyway_placeholder(
	const char *text, size_t len, const char *path, ferry_error *err);
/*
 * dbmate, goose and sql-migrate: one file, sections opened by that tool's
 * marker comments (format_markers.c).
 */
int ferry__markers_parse(ferry_format format,
	ferry__section sec[FERRY__NSECTIONS], const char *text, size_t len,
	const char *path, ferry__hasher *h, ferry_error *err);
/*
 * An upstream version ("42", "1.2.10", "1_2") as ferry's int64
 * (format_version.c). Without `dotted`, 1 to 18 digits, as they are. With
 * it (a set where some version has parts), parts split at '.' or '_',
 * trailing zero parts dropped, the first up to 6 digits, then up to 4
 * parts of up to 3 digits: p0 * 10^12 + p1 * 10^9 + ... + p4. Returns 0,
 * or -1 when the text is no version or does not fit. `*parts` (may be
 * NULL) is how many significant parts it has.
 */
int ferry__format_version(
	const char *text, size_t len, int dotted, int64_t *out, int *parts);

#define FERRY__MIG(m) ((const ferry__migration *)(m))

/*
 * What an earlier read of a set found (set_cache.c): files whose stamp is
 * unchanged are not read again. Every failure of the cache is silent.
 * set.c asks it at two seams: the list of files, and each migration.
 */
typedef struct ferry__set_cache ferry__set_cache;

/*
 * A file changed this shortly before a read began may change again unseen
 * (within one tick of a coarse file system clock): never trusted.
 */
#define FERRY__CACHE_SETTLE_NS (2 * 1000000000LL)

void ferry__file_stamp_of(ferry__file_stamp *out, const struct stat *st);
/* Were both times at least FERRY__CACHE_SETTLE_NS before `read_at_ns`? */
int ferry__file_stamp_settled(const ferry__file_stamp *s, int64_t read_at_ns);
/* The same device, inode, size and times? */
int ferry__file_stamp_equal(
	const ferry__file_stamp *a, const ferry__file_stamp *b);
/* The wall clock in nanoseconds: a seed, never compared with file times. */
int64_t ferry__wall_ns(void);
#ifdef FERRY_TESTING
/*
 * Move the set cache's reading of the file system clock by `ns`, so tests
 * need not wait for files to settle.
 */
FERRY_EXTERN void ferry__cache_clock_shift(int64_t ns);
#endif
/* The cache file of the directory `dir_st` describes; NULL on OOM. */
char *ferry__set_cache_path(const char *cache_dir, const struct stat *dir_st);
/*
 * The cache of the directory `dir_st` describes, kept in `cache_dir`
 * (borrowed: it must outlive the cache). NULL when out of memory or when
 * `cache_dir` is not to be trusted (cache_file.c): then no cache is read
 * or written. A cache with no usable file finds nothing, and may still be
 * saved.
 */
ferry__set_cache *ferry__set_cache_open(
	const char *cache_dir, const struct stat *dir_st);
/*
 * A cache of the text `text` (taken: freed with the cache), which is never
 * saved: for tests and the fuzzer. NULL when out of memory.
 */
ferry__set_cache *ferry__set_cache_parse(char *text, size_t len);
/* Called with each file name's id (not NUL-terminated); nonzero stops. */
typedef int (*ferry__name_fn)(void *payload, const char *id, size_t len);
/*
 * The first seam. When the cache lists the whole directory and the
 * directory's stamp is still `dir`: call `fn` on each id, in the set's
 * order, and return 1; -1 when a line is out of order or does not parse,
 * or `fn` fails; 0 when the directory must be read.
 */
int ferry__set_cache_list(ferry__set_cache *c, const ferry__file_stamp *dir,
	ferry__name_fn fn, void *payload);
/* The second seam: 1 and m->sec filled when the cache knows m's file with
 * stamp `now`. */
int ferry__set_cache_find(
	ferry__set_cache *c, ferry__migration *m, const ferry__file_stamp *now);
/*
 * Something the cache did not know is about to be read: note the file
 * system's clock, once, to judge later what was read (see set_cache.c).
 */
void ferry__set_cache_reading(ferry__set_cache *c);
/*
 * Record what this read learnt: the settled migrations of `set`, and the
 * listing of the directory with stamp `dir` if all of it is settled.
 * Writes nothing when nothing new was read.
 */
void ferry__set_cache_save(ferry__set_cache *c, const ferry_set *set,
	const ferry__file_stamp *dir);
void ferry__set_cache_free(ferry__set_cache *c);

/*
 * The files of the set cache (cache_file.c). Every failure is silent: a
 * cache only spares work that is done without it.
 */
/* A cache file larger than this is ignored: 64 MiB, some 200,000 files. */
#define FERRY__CACHE_MAX_BYTES ((int64_t)64 << 20)
/* "<kind>-<dev>-<ino>", in hex; NULL on OOM. */
char *ferry__cache_name(const char *kind, uint64_t dev, uint64_t ino);
/* "<cache_dir>/<kind>-<dev>-<ino>", in hex; NULL on OOM. */
char *ferry__cache_path(
	const char *cache_dir, const char *kind, uint64_t dev, uint64_t ino);
/* A directory of `uid`'s that no other user may write in? */
int ferry__cache_dir_trusted(const struct stat *st, uid_t uid);
/* A regular file of `uid`'s that no other user may read or write? */
int ferry__cache_file_trusted(const struct stat *st, uid_t uid);
/*
 * Open `cache_dir` (not through a symbolic link) when it is trusted for
 * the effective user; -1 otherwise, with *missing set when there is none.
 */
int ferry__cache_dir_open(const char *cache_dir, int *missing);
/* Create `cache_dir` (mode 0700), then open it as ferry__cache_dir_open. */
int ferry__cache_dir_create(const char *cache_dir);
/*
 * The whole file `name` in the directory `dir_fd`, NUL-terminated, and its
 * modification time, when it is trusted and at most FERRY__CACHE_MAX_BYTES
 * long; 0 or -1.
 */
int ferry__cache_read(int dir_fd, const char *name, char **out, size_t *len,
	int64_t *mtime_ns);
/*
 * A new private file in `dir_fd` for the next text of `name`; its name in
 * `tmp`. The descriptor, or -1.
 */
int ferry__cache_tmp_open(int dir_fd, const char *name, ferry__buf *tmp);
/*
 * Write `text` into the file `tmp` that `fd` (closed here) has open, date
 * it `mtime_ns`, and rename it to `name` at once: a reader sees one whole
 * cache or another. On any failure it is unlinked.
 */
void ferry__cache_tmp_commit(int dir_fd, int fd, const char *tmp,
	const char *name, const ferry__buf *text, int64_t mtime_ns);

/*
 * A migration's file as read for running it: its text, and its sections
 * as parsed from that very text. What runs is cut by these, never by what
 * the set (or its cache) recorded: only checksums are compared with those.
 */
/* A declared parameter and the value it runs with (params.c). */
typedef struct {
	const char *name; /* in the file's text */
	size_t name_len;
	const char *value; /* the handle's, or the default in the text */
	size_t value_len;
	int line;
} ferry__bound_param;

typedef struct {
	char *text; /* NULL when not loaded */
	size_t len;
	ferry__section sec[FERRY__NSECTIONS];
	ferry__bound_param *params; /* bound by ferry__params_bind */
	size_t nparams;
	size_t nstatements; /* of the planned section, once checked; or 0 */
} ferry__loaded;

/*
 * Read a migration's file again for running it, and check that each
 * section is still what the set read (a file edited mid-run must not run
 * half old, half new). Release `out` with ferry__loaded_release().
 */
int ferry__migration_load(const ferry__migration *m, ferry__hasher *h,
	ferry__loaded *out, ferry_error *err);
void ferry__loaded_release(ferry__loaded *f);

/*
 * The line `ferry new` writes into the up section (template.c): a section
 * whose only line it is was never written, and `up` refuses it unless
 * allow_empty.
 */
#define FERRY__TEMPLATE_PLACEHOLDER \
	"-- TODO: write the up SQL here; until then 'ferry up' refuses this file"
int ferry__section_is_template(const char *body, size_t len, int *line);

/* The release marked `baseline`, or NULL. */
const ferry__release *ferry__set_baseline(const ferry_set *set);

/* The migration with `version`, or NULL. */
const ferry__migration *ferry__set_find(const ferry_set *set, int64_t version);

/*
 * Statement splitting (split.c). Spans cover a statement from its first
 * token to its terminating ';' (or the end of the text); what lies between
 * spans is only whitespace and comments.
 */
typedef enum { FERRY__DIALECT_SQLITE, FERRY__DIALECT_PG } ferry__dialect;

typedef struct {
	size_t offset;
	size_t len;
} ferry__span;

typedef struct {
	ferry__span *v;
	size_t n;
	size_t alloc;
} ferry__spans;

typedef struct {
	size_t offset;	  /* where the problem starts */
	const char *what; /* "unterminated quoted string", ... */
	const char *hint; /* what to do, or NULL */
} ferry__split_error;

/* Called for each statement in order; a nonzero return stops the split. */
typedef int (*ferry__stmt_fn)(void *payload, size_t offset, size_t len);

/*
 * Split without keeping the statements: O(1) memory however many there
 * are. Returns 0, FERRY_EINVALID (with `serr` filled, possibly after
 * statements before the problem were delivered) or what `fn` returned.
 */
int ferry__split_each(const char *text, size_t len, ferry__dialect dialect,
	ferry__stmt_fn fn, void *payload, ferry__split_error *serr);

/* All statements at once. Returns 0, FERRY_EINVALID or FERRY_ENOMEM. */
int ferry__split(ferry__spans *out, const char *text, size_t len,
	ferry__dialect dialect, ferry__split_error *serr);
void ferry__spans_clear(ferry__spans *s);
/* A section of `m` that does not split, as the error that names its
 * file, line and column (run.c). Returns FERRY_EINVALID. */
int ferry__split_failed(ferry_error *err, const ferry__migration *m,
	const ferry__loaded *f, int k, const ferry__split_error *serr);
/*
 * Statement splitting that keeps each StatementBegin ... StatementEnd
 * block of a section (`blocks`) as one statement; without `blocks`,
 * ferry__split_each() itself (format_blocks.c).
 */
int ferry__split_blocks_each(const char *text, size_t len, int blocks,
	ferry__dialect dialect, ferry__stmt_fn fn, void *payload,
	ferry__split_error *serr);
int ferry__split_blocks(ferry__spans *out, const char *text, size_t len,
	int blocks, ferry__dialect dialect, ferry__split_error *serr);

/*
 * Where lines start, lexically: in the open, or inside a block comment, a
 * quoted string or identifier, or a dollar quote. parse.c asks it of marker
 * lines, so that one lexer decides both where sections and where
 * statements end. A set is read before its engine is known, so the text is
 * read as both engines would at once: every quote either has ('...',
 * E'...', "...", [...], `...`, $tag$...$tag$) and block comments both as
 * SQLite ends them (at the first star-slash) and as PostgreSQL nests them.
 * A line inside a comment under either reading is inside one here;
 * `first_end` tells the two apart.
 */
typedef enum {
	FERRY__LEX_CODE = 0, /* inside none of these */
	FERRY__LEX_COMMENT,  /* a block comment */
	FERRY__LEX_STRING,   /* '...', E'...', U&'...' */
	FERRY__LEX_IDENT,    /* "...", [...], `...`, U&"..." */
	FERRY__LEX_DOLLAR    /* $$...$$, $tag$...$tag$ */
} ferry__lex_kind;

typedef struct {
	ferry__lex_kind kind;
	size_t start;	  /* where it opens */
	size_t end;	  /* just after it closes; SIZE_MAX if it never does */
	size_t first_end; /* COMMENT: just after its first star-slash, where
			     SQLite (no nesting) ends it; SIZE_MAX if none */
	size_t tag_len;	  /* DOLLAR: the length of its tag, 2 for "$$" */
} ferry__lex_span;

typedef struct {
	const char *text;
	size_t len;
	size_t pos;		/* lexed up to here */
	ferry__lex_span last;	/* the last comment or quoted run lexed */
	ferry__lex_span nested; /* the last comment PostgreSQL ends later
				   than SQLite, as PostgreSQL reads it */
	const char *cache[2];	/* split.c's, for '[' */
} ferry__lex_cursor;

/* Start reading `text`; nothing is lexed until ferry__lex_at. */
void ferry__lex_cursor_init(ferry__lex_cursor *c, const char *text, size_t len);

/*
 * What the line that starts at `offset` (or the end of the text, at `len`)
 * starts inside: `out->kind` is FERRY__LEX_CODE if nothing. A run that
 * starts at `offset` itself is not around it. Offsets must not decrease
 * from one call to the next; the text is lexed once, however many calls
 * are made. Never fails and never allocates.
 */
void ferry__lex_at(ferry__lex_cursor *c, size_t offset, ferry__lex_span *out);

/*
 * Where the first token of `text` starts, comments nested as PostgreSQL
 * nests them; `len` if there is none. An unclosed comment counts as a
 * token, at its start.
 */
size_t ferry__first_token(const char *text, size_t len);

typedef enum {
	FERRY__STMT_PLAIN = 0,
	FERRY__STMT_TXN_CONTROL, /* BEGIN, COMMIT, ROLLBACK, ... */
	FERRY__STMT_NO_TXN	 /* cannot run inside a transaction block */
} ferry__stmt_kind;

/*
 * What kind of statement `stmt` is; `*what` names the offending words
 * ("COMMIT", "CREATE INDEX CONCURRENTLY") for messages.
 */
ferry__stmt_kind ferry__stmt_classify(const char *stmt, size_t len,
	ferry__dialect dialect, const char **what);

/*
 * A statement's first tokens, comments skipped, for readers of its words
 * (created.c). A U&"..." identifier is a STRING: not read as a name.
 */
typedef enum {
	FERRY__TOK_WORD = 1, /* a keyword or unquoted identifier */
	FERRY__TOK_QUOTED,   /* "x", [x], `x` */
	FERRY__TOK_STRING,   /* 'x', E'x', $$x$$ */
	FERRY__TOK_PUNCT     /* ( ) . , and every other run of symbols */
} ferry__tok_type;

typedef struct {
	ferry__tok_type type;
	const char *s;
	size_t len;
} ferry__tok;

/* Up to `max` tokens of `stmt`, until its ';'; how many. */
int ferry__stmt_tokens(const char *stmt, size_t len, ferry__dialect dialect,
	ferry__tok *out, int max);

/*
 * Drivers. An engine implements this table; ferry_db holds one.
 */
typedef enum {
	FERRY__VAL_NULL = 0,
	FERRY__VAL_INT,
	FERRY__VAL_TEXT,
	/* The milliseconds the current section has run (since the driver's
	 * section_start), as the engine knows them when it runs the statement
	 * this value is a parameter of: a driver that runs a transaction's
	 * statements late measures them where they run. */
	FERRY__VAL_SECTION_MS
} ferry__val_type;

typedef struct {
	ferry__val_type type;
	int64_t i;
	const char *s;
} ferry__val;

/* Called per result row; values are NULL for SQL NULL. Nonzero stops. */
typedef int (*ferry__row_fn)(
	void *payload, int ncols, const char *const *values);

/* Where user SQL came from, so an error can name file:line:column. */
typedef struct {
	const char *file;
	int line;   /* line of the SQL's first byte */
	int column; /* column of the SQL's first byte */
} ferry__src;

/*
 * Bind the parameters `f` declares to the values of `db`, else their
 * defaults: FERRY_EINVALID, at the declaration, for one with neither.
 */
int ferry__params_bind(ferry_db *db, const ferry__migration *m,
	ferry__loaded *f, ferry_error *err);
/*
 * `sql` (a part of f->text that starts in the open, `src` where) with the
 * bound parameters put in, into `out`: 1, or 0 when there was nothing to
 * put in (run `sql` as it is). With `mask`, secret values show as ****.
 * Refuses
 * (FERRY_EINVALID, at the use) :'x' or :"x" of a name the file does not
 * declare, and a raw :x whose value holds ';'.
 */
int ferry__params_apply(const ferry__loaded *f, const char *sql, size_t len,
	const ferry__src *src, int mask, ferry__buf *out, ferry_error *err);
/* "parameters: a=1, api_token=****" for the history; nothing if none. */
void ferry__params_note(const ferry__loaded *f, ferry__buf *out);
void ferry__db_params_free(ferry_db *db);

typedef struct ferry__driver {
	const char *name;     /* "sqlite", as ferry_url_engine() says */
	const char *label;    /* "SQLite", for messages */
	ferry__engine engine; /* the URLs it serves, as url.c reads them */
	ferry__dialect dialect;
	int schemas; /* table names are qualified by a schema */
	int (*open)(ferry_db *db, ferry_error *err);
	void (*close)(ferry_db *db);
	/* Run user SQL, maybe several statements, in the current transaction
	 * state; sql[len] is '\0'. Errors carry the failing statement's
	 * location. Inside a transaction a driver may defer running until
	 * commit, so an error may come from commit() instead. When a
	 * statement has run (after flush() for a deferred one), db->changes
	 * holds the rows it inserted, updated or deleted. */
	int (*run)(ferry_db *db, const char *sql, size_t len,
		const ferry__src *src, ferry_error *err);
	/* Run one statement of ferry's own, `$1`-style parameters. */
	int (*query)(ferry_db *db, const char *sql, const ferry__val *params,
		int nparams, ferry__row_fn fn, void *payload, ferry_error *err);
	/*
	 * Run a write of ferry's own that must change exactly one row: a
	 * compare-and-set on the ledger. A duplicate key or no row changed
	 * fails with FERRY__ECLAIMED; inside a transaction a driver may say so
	 * only at commit, but the transaction then fails whole.
	 */
	int (*claim)(ferry_db *db, const char *sql, const ferry__val *params,
		int nparams, ferry_error *err);
	int (*begin)(ferry_db *db, ferry_error *err);
	/* Run what a driver deferred, without committing; NULL if it never
	 * defers. An error then belongs to what was just run. */
	int (*flush)(ferry_db *db, ferry_error *err);
	int (*commit)(ferry_db *db, ferry_error *err);
	/* Roll back any open transaction, ferry's or the user's own. */
	void (*rollback)(ferry_db *db);
	/* Is a transaction open, e.g. one a no-transaction section began? */
	int (*in_txn)(ferry_db *db);
	/* The runner lock: one ferry acting on a database at a time. */
	int (*lock)(ferry_db *db, ferry_error *err);
	void (*unlock)(ferry_db *db);
	int (*lock_probe)(
		ferry_db *db, int *held, char **holder, ferry_error *err);
	int (*table_exists)(
		ferry_db *db, const char *table, int *exists, ferry_error *err);
	/*
	 * Run query `sql` of ferry's own on its table `table` (unquoted, in
	 * the ledger's schema), which may not exist yet: then `*exists` is 0
	 * and no row comes. One round trip where the engine tells a missing
	 * table from the query's own failure.
	 */
	int (*query_table)(ferry_db *db, const char *table, const char *sql,
		ferry__row_fn fn, void *payload, int *exists, ferry_error *err);
	/* CREATE TABLE statements of the ledger, in this engine's types. */
	int (*ledger_ddl)(ferry_db *db, ferry__buf *out);
	/*
	 * Before each section (`whole`): put the session back as it was at
	 * connect, so that what one section SET for the session does not
	 * change the next. After each section's SQL, whether it worked or not
	 * (`whole` 0): enough of it that ferry's own statements run as
	 * ferry (its role). NULL: nothing to do.
	 */
	int (*reset_session)(ferry_db *db, int whole, ferry_error *err);
	/* A transactional section starts: what FERRY__VAL_SECTION_MS
	 * measures from, until the next one. */
	int (*section_start)(ferry_db *db, ferry_error *err);
	/* ferry_db_interrupt(): cancel the running statement; safe in a
	 * signal handler and from another thread. NULL: the driver watches
	 * the flag itself. */
	void (*interrupt)(ferry_db *db);
	/* The user's objects (SQLite: tables and views; PostgreSQL: also
	 * sequences, types and functions), one name per row, for `bootstrap`
	 * to refuse a database that is not empty. */
	const char *objects_sql;
	/* Does the object exist? $1 its kind ("table", "index", ... as
	 * created.c names them), $2 its schema ('' when not named), $3 its
	 * name, both as the engine stores them; one row, "0" if not. A kind
	 * the engine does not have, or a schema it cannot look into, counts
	 * as there. */
	const char *object_exists_sql;
	/* The other sessions on the database (sessions.c): application,
	 * user, client, count, states, oldest start, are they ferry
	 * runners; NULL when the engine cannot tell. */
	const char *sessions_sql;
	/* For tools the driver starts (pg_dump, pg_restore, psql): the
	 * connection's settings as a keyword string without the password,
	 * and the password in use (or NULL). NULL for an engine without a
	 * server. */
	int (*tool_conninfo)(ferry_db *db, char **conninfo, char **password,
		ferry_error *err);
	/* `reset` (reset.c): what to drop, one row per object in the order
	 * to drop it: kind, name for humans, 1 for a ledger table else 0, the
	 * DROP statement. $1 is the ledger's schema, $2 and $3 the ledger's
	 * tables. */
	const char *reset_sql;
	/* What dropping with CASCADE could take along outside schema $1, one
	 * row per object, to compare before and after; NULL if nothing. */
	const char *reset_guard_sql;
	/*
	 * Backups (backup.c names, checks and locks; the copying is the
	 * engine's, in backup_<engine>.c). A backup file starts with
	 * `backup_magic` and is named "*.<backup_ext>".
	 */
	const char *backup_ext;
	const char *backup_magic;
	size_t backup_magic_len;
	const char *backup_what; /* "a SQLite database", for messages */
	/* What backups are named after (backup.c keeps the last path
	 * component, without its extension): SQLite's file, PostgreSQL's
	 * database name. A new string. */
	int (*backup_name)(ferry_db *db, char **out, ferry_error *err);
	int (*backup)(ferry_db *db, ferry_backup *b,
		const ferry_backup_options *opts, ferry_error *err);
	/* Could a restore run (the tools it needs)? NULL: it could. */
	int (*restore_check)(ferry_db *db, const ferry_backup_options *opts,
		ferry_error *err);
	int (*restore)(ferry_db *db, const char *path, ferry_backup *b,
		const ferry_backup_options *opts, ferry_error *err);
	/*
	 * Export (export.c decides what and where; the engine reads).
	 * export_begin: one read-only snapshot for the whole export, with
	 * the session settings its text forms need; rollback() ends it.
	 * export_columns_sql: every table's columns, one row each, by table
	 * then position: table, column, declared type, place in the primary
	 * key ("0": none), kind (FERRY__EXPORT_* below, "" when each value
	 * carries its own). export_value: append the select-list expression
	 * of one column (quoted name given) of that kind. export_rows: run
	 * one SELECT, each row to `fn` with all its columns, in memory that
	 * does not grow with the rows; FERRY_EINVALID when the engine
	 * refuses the statement itself (a bad condition), FERRY_EDB after.
	 */
	int (*export_begin)(ferry_db *db, ferry_error *err);
	const char *export_columns_sql;
	void (*export_value)(
		ferry__buf *sql, const char *qcolumn, const char *kind);
	int (*export_rows)(ferry_db *db, const char *sql, ferry__row_fn fn,
		void *payload, ferry_error *err);
	/* The session settings of the text forms export_begin sets, for the
	 * current transaction only: for other reads of the same kind (copy
	 * reads back what it loaded); NULL when there are none. */
	const char *read_settings_sql;
	/*
	 * Loading rows (load.c). load_exec: a statement of ferry's own that
	 * returns no rows, run now, outside any pipeline (BEGIN, COMMIT,
	 * TRUNCATE). load_begin: rows for the `ncols` columns `qcols`
	 * (quoted, comma-separated) of table `qtable` (quoted, qualified)
	 * follow, each to load_row() in export_rows()'s form. A row the
	 * engine refuses may fail at load_row() or only at load_end(); the
	 * error's `line` is then the row's 1-based number among those
	 * loaded (0: not known), its `column` the value's (0: not known).
	 * load_end(ok 0): abandon what was sent; the caller rolls back.
	 */
	int (*load_exec)(ferry_db *db, const char *sql, ferry_error *err);
	int (*load_begin)(ferry_db *db, const char *qtable, const char *qcols,
		int ncols, ferry_error *err);
	int (*load_row)(
		ferry_db *db, const char *const *vals, ferry_error *err);
	int (*load_end)(ferry_db *db, int ok, ferry_error *err);
	/* The foreign keys among the tables of schema $1: child, parent. */
	const char *load_fks_sql;
	/* What load.c drops before table $1's rows (of schema $2) and makes
	 * again after: the statement that drops, the one that creates, per
	 * index or key. Never a constraint's own index (a key may need it).
	 * NULL: none. */
	const char *load_defer_sql;
	/* The sequences of table $2 of schema $1's columns: column,
	 * sequence; NULL when the engine moves them on insert itself. */
	const char *load_sequences_sql;
} ferry__driver;

/*
 * What export_rows() hands export.c: each value NULL for SQL NULL, else
 * one of these kind letters followed by the engine's text of the value.
 */
#define FERRY__EXPORT_INT 'i'	  /* decimal digits, maybe a '-' */
#define FERRY__EXPORT_FLOAT 'f'	  /* a round-trip text, NaN, [-]Infinity */
#define FERRY__EXPORT_DECIMAL 'd' /* exact digits: kept a JSON string */
#define FERRY__EXPORT_BOOL 'b'	  /* "t" or "f" */
#define FERRY__EXPORT_BYTES 'x'	  /* lowercase or uppercase hex */
#define FERRY__EXPORT_TEXT 't'	  /* UTF-8 text */

/*
 * JSON for the export (export_json.c), by hand: the library has no JSON
 * library, and export needs only to write, never to parse.
 */
/* `len` bytes of UTF-8 as a JSON string; a byte that is not UTF-8
 * becomes U+FFFD, so the line is always valid JSON. */
void ferry__json_str(ferry__buf *b, const char *s, size_t len);
/* Is `s` an integer JSON readers hold exactly (|v| <= 2^53)? */
int ferry__json_int_exact(const char *s);
/* Is `s` a number by JSON's grammar? */
int ferry__json_number(const char *s);
/* `hex` (an even count of hex digits) as base64 (RFC 4648, padded, no
 * line breaks), in a JSON string. -1 (nothing appended) on bad hex. */
int ferry__json_base64_hex(ferry__buf *b, const char *hex);
/* The shortest "%.*g" of `d` that reads back as the same double; NaN and
 * infinities as the words "NaN", "Infinity", "-Infinity". */
void ferry__float_text(ferry__buf *b, double d);
/* One value as export_rows() hands it (kind letter, text) as JSON. */
void ferry__json_export_value(ferry__buf *b, const char *v);

/*
 * A checksum of rows that SQLite and PostgreSQL agree on (rowsum.c):
 * values in export_rows()'s form, compared by value (20 = "20.00", true =
 * 1, a UTC time with or without its "+00"), rows in any order.
 */
typedef struct {
	ferry__hasher hasher;
	ferry__buf scratch, value;
	unsigned char sum[32];
	uint64_t rows;
} ferry__rowsum;

void ferry__rowsum_init(ferry__rowsum *r);
void ferry__rowsum_release(ferry__rowsum *r);
/* FERRY_ENOMEM or 0. */
int ferry__rowsum_add(ferry__rowsum *r, int ncols, const char *const *vals);
void ferry__rowsum_hex(const ferry__rowsum *r, char hex[65]);

/*
 * Loading rows into the tables of a database (load.c), for import.c and
 * copy.c: the target's tables as it has them, their order by foreign
 * keys, and one table's rows through the engine's bulk path.
 */
typedef struct {
	char *name;
	char **cols;
	char **kinds; /* as export_columns_sql gives them */
	size_t ncols, acols, akinds;
} ferry__load_table;

typedef struct {
	ferry__load_table *tables;
	size_t n, alloc;
	int oom;
} ferry__load_schema;

/* Every table of the database (the ledger's schema) and its columns. */
int ferry__load_schema_read(
	ferry_db *db, ferry__load_schema *s, ferry_error *err);
void ferry__load_schema_clear(ferry__load_schema *s);
ferry__load_table *ferry__load_schema_find(
	ferry__load_schema *s, const char *name);
/* The column's place in the table, or -1. */
int ferry__load_table_column(const ferry__load_table *t, const char *name);
/*
 * `order` (n items): the indexes of `names`, parents before the tables
 * whose foreign keys refer to them, else in the given order.
 * FERRY_EINVALID, naming them, for tables in a cycle.
 */
int ferry__load_order(
	ferry_db *db, char **names, size_t n, size_t *order, ferry_error *err);
int ferry__load_is_empty(
	ferry_db *db, const char *table, int *empty, ferry_error *err);
/* Empty the tables `names`, taken in `order` (as ferry__load_order()). */
int ferry__load_empty_tables(ferry_db *db, char **names, size_t n,
	const size_t *order, ferry_error *err);

typedef struct {
	ferry_db *db;
	const char *table;
	ferry__rowsum sum; /* of the rows loaded */
	ferry__buf remake; /* indexes and keys dropped: drop, create, ... */
	uint64_t rows;
	int open; /* load_begin() done, load_end() not yet */
} ferry__loader;

/* Rows for the columns `cols` of `table` follow; release() after, always. */
int ferry__load_begin(ferry__loader *l, ferry_db *db, const char *table,
	const char *const *cols, size_t ncols, ferry_error *err);
/* One row, values in export_rows()'s form. */
int ferry__load_row(
	ferry__loader *l, int ncols, const char *const *vals, ferry_error *err);
/* The rows are all there (ok) or abandoned (0); sequences moved past the
 * loaded values. The caller commits or rolls back. */
int ferry__load_end(ferry__loader *l, int ok, ferry_error *err);
void ferry__load_release(ferry__loader *l);
/* An engine's error about a row, reworded "table 't', ROW, column 'c':
 * what the engine said" (row and column may be NULL), keeping its detail,
 * hint and SQLSTATE; its file position cleared. */
void ferry__load_error_place(ferry_error *err, const char *table,
	const char *column, const char *row);
/* The 1-based place among `cols` of the column an engine's error names
 * (PostgreSQL: "COPY t, line 2, column c: ..."), or 0. */
int ferry__load_error_column(
	const ferry_error *err, char *const *cols, size_t ncols);

/* import_via.c: the export at `file_version` through a scratch database
 * migrated to `db_version`, then copied into `db`. */
int ferry__import_via(ferry_load_report **out, ferry_db *db,
	const ferry_import_options *opts, const char *file_version,
	const char *db_version, ferry_error *err);

struct ferry_load_report {
	ferry_load_table *tables;
	size_t n, alloc;
	uint64_t rows;
};

/* A table at the end of `r`, its checksum from `sum`; NULL when out of
 * memory. */
ferry_load_table *ferry__load_report_add(ferry_load_report *r, const char *name,
	uint64_t rows, const ferry__rowsum *sum);

/* Every driver built in, NULL last (db.c). */
extern const ferry__driver *const ferry__drivers[];
extern const ferry__driver ferry__sqlite_driver;

/*
 * The VFS of ferry's own SQLite connection (db_sqlite_vfs.c): the unix
 * VFS, but a journal already on disk is opened without O_CREAT, so its
 * directory is not synced again at every commit. One per ferry_db.
 */
typedef struct ferry__sqvfs ferry__sqvfs;
struct sqlite3_vfs;
/* Register a new one. *out is NULL (and 0 returned) when the default VFS
 * is not unix's: the connection then uses the default. 0 or FERRY_ENOMEM. */
int ferry__sqvfs_new(ferry__sqvfs **out);
/* The name to give sqlite3_open_v2(), or NULL for the default VFS. */
const char *ferry__sqvfs_name(const ferry__sqvfs *v);
/* The VFS that does the work: unix's if `vfs` is `v`'s, else `vfs`. */
struct sqlite3_vfs *ferry__sqvfs_base(
	const ferry__sqvfs *v, struct sqlite3_vfs *vfs);
/* Let go of the journal known to be on disk (the run is over). */
void ferry__sqvfs_forget(ferry__sqvfs *v);
/* Unregister and free; only once no connection uses it. NULL is fine. */
void ferry__sqvfs_free(ferry__sqvfs *v);

struct ferry_db {
	const ferry__driver *drv;
	void *conn; /* the driver's own state */
	ferry__url url;
	int lock_timeout_ms;
	int lock_wait_ms; /* the lock budget of one statement; 0: none */
	int lock_retries; /* tries of a section beyond the first */
	int exclusive;	  /* refuse while another session is connected */
	int read_only;
	ferry_progress_cb progress;
	void *payload;
	char *table; /* ledger table name, unquoted */
	char *history_table;
	char *schema; /* PostgreSQL schema, unquoted */
	char *qtable; /* quoted, qualified names for SQL text */
	char *qhistory;
	char *rep_table; /* the repeatable migrations' table (repeatable.c) */
	char *qrep;
	char *server_version;
	char *actor;	   /* "user@host", once ferry__actor() looked it up */
	int exists;	   /* 0: SQLite file missing, read-only open */
	int locked;	   /* the runner lock is ours */
	int lock_bypassed; /* test builds: locked without a lock */
	int busy_cap_ms;   /* nonzero: wait at most this long for a writer */
	char runner[192];  /* this handle's claim on a ledger row, or "" */
	int waited;	   /* we waited for another runner */
	int trial;	   /* --check: nothing may outlive the transaction */
	int64_t changes;   /* rows the user's last statement changed (run) */
	/* SQLite: how long the last transaction held the write lock, from
	 * its first write to its end (-1: not measured) */
	int64_t write_lock_ms;
	int interrupted; /* ferry_db_interrupt() was called: atomic, read
			  * with ferry__interrupted() */
	/*
	 * FERRY_EVENT_STATEMENT: run.c names the section whose SQL runs, the
	 * number its next statement has and how many it has (0: unknown);
	 * the driver calls ferry__statement_done() for each statement of a
	 * file once it has run (PostgreSQL: when its result comes back).
	 */
	struct {
		const ferry_migration *m; /* NULL: send none */
		const char *section;
		size_t next, total;
	} stmt;
	struct {
		char *name, *value;
	} * params; /* ferry_db_set_param() */
	size_t nparams, aparams;
	/* Behind a transaction pooler (pooler.c, db_pg_pooler.c). */
	ferry_pooler pooler; /* as ferry_db_options said */
	int pooled;	     /* one is in the way: said (at open), or found each
			      * time the runner lock is taken; else 0 */
	struct ferry__pgpool *pgpool; /* PostgreSQL's lock row, while held */
	/* ferry_db_open_sqlite(), _pg(): the application's connection (a
	 * sqlite3 *, a PGconn *), which the driver uses but never closes;
	 * NULL when ferry opened its own */
	void *borrowed;
};

/* PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
#define FERRY__NAME_MAX 63

/*
 * Was the handle interrupted? ferry_db_interrupt() sets the flag from any
 * thread or a signal handler: a lock-free atomic, safe in both.
 */
static inline int ferry__interrupted(ferry_db *db)
{
	return __atomic_load_n(&db->interrupted, __ATOMIC_SEQ_CST);
}

/* A statement of the section run.c named ran: its event. */
void ferry__statement_done(
	ferry_db *db, int line, int64_t rows, int64_t elapsed_ms);

/* "user@host" of this process, looked up at the first call. */
const char *ferry__actor(ferry_db *db);

/* Report a progress event if the caller asked for them. */
void ferry__emit(ferry_db *db, const ferry_event *ev);

/*
 * The runner lock (lock.c). Every command takes it with ferry__lock(),
 * which the driver implements; test builds can turn it off
 * (FERRY_TEST_NO_LOCK) to prove the ledger alone applies nothing twice.
 */
int ferry__lock(ferry_db *db, ferry_error *err);
void ferry__unlock(ferry_db *db);

/* How a runner describes itself to waiters: "pid 12, user@host, since T". */
void ferry__holder_text(ferry_db *db, char *buf, size_t size);

/* What a lock's take() says when it did not fail. */
#define FERRY__LOCK_BUSY 0  /* someone else holds it */
#define FERRY__LOCK_TAKEN 1 /* ours now */

/*
 * A runner lock as ferry__lock_wait() polls it: each driver's own way to
 * take it, and to say who holds it.
 */
typedef struct {
	/* Try once, without waiting: FERRY__LOCK_TAKEN with everything that
	 * holding it needs done (db->locked set), FERRY__LOCK_BUSY, or an
	 * error code with `err` filled. */
	int (*take)(ferry_db *db, void *payload, ferry_error *err);
	/* Who holds it, allocated, or NULL when that is not known; NULL
	 * here asks the driver's lock_probe(). */
	char *(*holder)(ferry_db *db, void *payload);
	const char *unknown; /* the holder when not known: "an unknown ..." */
	int pause_max_ms;    /* polls 5 ms apart, doubling up to this */
} ferry__lock_waiter;

/*
 * Take the lock `w` describes, waiting up to db->lock_timeout_ms. The
 * first time it is busy, says so with FERRY_EVENT_LOCK_WAIT (and who holds
 * it); on taking it after that, FERRY_EVENT_LOCK_ACQUIRED and db->waited.
 * Returns 0, take()'s error, FERRY_ELOCKED when the time is up (who holds
 * it in the detail), or FERRY_EINTERRUPTED. `payload` goes to the
 * callbacks.
 */
int ferry__lock_wait(ferry_db *db, const ferry__lock_waiter *w, void *payload,
	ferry_error *err);

/*
 * Behind a transaction pooler (pooler.c): what needs one session for
 * longer than a transaction is refused, FERRY_EREFUSED with a hint that
 * names the way around it. Each returns 0 when db->pooled is 0.
 */
/* A no-transaction section of `m`, or a whole run in one transaction. */
int ferry__pooler_refuse_section(ferry_db *db, const ferry_migration *m,
	const char *section, int no_transaction, int single_transaction,
	ferry_error *err);
/* A statement whose effect outlives its transaction (a session SET, ...);
 * the caller places the error at the statement. */
int ferry__pooler_refuse_stmt(ferry_db *db, const ferry_migration *m,
	const char *stmt, size_t len, ferry_error *err);
/* A backup or a restore (`what`), whose tools keep session settings. */
int ferry__pooler_refuse_tool(ferry_db *db, const char *what, ferry_error *err);

#ifdef FERRY_HAVE_PG
/*
 * The PostgreSQL driver's side of a transaction pooler (db_pg_pooler.c).
 * `libpq` is the driver's dlopen() handle, `pg` its PGconn.
 */
/* Set db->pooled: from the option, or by asking the server (one query). */
int ferry__pgpool_detect(ferry_db *db, void *libpq, void *pg, ferry_error *err);
/* The runner lock as a row of ferry_lock, waiting up to the timeout. */
int ferry__pgpool_lock(ferry_db *db, void *libpq, void *pg, ferry_error *err);
void ferry__pgpool_unlock(ferry_db *db);
/* Who holds the lock row, if anyone (an expired row holds nothing). */
int ferry__pgpool_holder(ferry_db *db, void *libpq, void *pg, int *held,
	char **who, ferry_error *err);
#endif

/*
 * The lock of an engine without a server: an open-file-description lock
 * on this byte of the database file. SQLite locks the bytes from 0x40000000
 * to 0x400001ff, in a page it never stores data in; this is the first one
 * after them.
 */
#define FERRY__LOCK_BYTE 0x40000200

typedef struct {
	int fd;		     /* the database file's descriptor, or -1 */
	char *note;	     /* where the holder's note goes */
	int wrote_note;	     /* the note there is ours */
	struct stat note_st; /* which file that note is */
} ferry__filelock;

/* Lock `fd`, waiting up to db->lock_timeout_ms; `note` says who waits. */
int ferry__filelock_acquire(ferry__filelock *lk, int fd, const char *note,
	ferry_db *db, ferry_error *err);
void ferry__filelock_release(ferry__filelock *lk);
/* Is the lock of `fd` held by anyone (this handle aside), and by whom? */
int ferry__filelock_probe(
	int fd, const char *note, int *held, char **holder, ferry_error *err);

/*
 * The ledger (ledger.c): ferry_migrations and ferry_history.
 */
typedef struct {
	int64_t version;
	char *name;
	ferry_state state; /* UP, COMPLETE, FAILED; or UNKNOWN */
	char *state_text;  /* the state as the ledger spells it; NULL in
			    * rows ferry builds to write */
	char *release;
	int has_finish;
	char *up_checksum; /* hex SHA-256, or NULL */
	char *finish_checksum;
	char *down_checksum;
	char *up_at;
	int64_t up_ms;
	char *finish_at;
	int64_t finish_ms;
	char *applied_by;
	char *ferry_version;
	char *failed_section; /* "up" or "finish" when failed */
	int failed_statement; /* 1-based statement to resume at */
	char *progress; /* hashes of the statements run, comma separated */
	char *error;
} ferry__row;

typedef struct {
	ferry__row *rows; /* by version */
	size_t n;
	int exists;
	/*
	 * The repeatable migrations' rows, by name, read only for a set that
	 * has some (ferry__repeatables_load): `name`, `up_checksum` (of the
	 * text that last ran), `up_at`, `up_ms`, `applied_by`.
	 */
	ferry__row *reps;
	size_t nreps;
} ferry__ledger;

int ferry__ledger_ensure(ferry_db *db, ferry_error *err);
int ferry__ledger_load(ferry_db *db, ferry__ledger *out, ferry_error *err);
/* The newest migration applied (up or complete) as a decimal string, and
 * its release; both NULL when none (or no ledger). New strings. */
int ferry__ledger_newest(
	ferry_db *db, char **version, char **release, ferry_error *err);
void ferry__ledger_clear(ferry__ledger *l);

/*
 * Writes of the ledger. Every change of a migration's state is a
 * compare-and-set on its row as the run read it, so that whatever the
 * runner lock does, two runners cannot both apply a migration: inside the
 * section's own transaction, a new row is inserted, never replaced, and
 * any other change names the row's expected state (and, for a section that
 * runs outside a transaction, the runner that claimed it). The second
 * runner's write changes no row, or meets the first one's key: the driver
 * fails it with FERRY__ECLAIMED, and its transaction rolls back whole.
 */
#define FERRY__ECLAIMED (-100) /* internal: never returned to a caller */

/*
 * What a command that is not a run says of FERRY__ECLAIMED: another ferry
 * changed `m`'s row while it worked (FERRY_EREFUSED, nothing written).
 */
int ferry__changed_meanwhile(const ferry_migration *m, ferry_error *err);

/* A new row: pending -> up/complete, or the start of a no-transaction up
 * section (state failed, statement 1, claimed by `runner`). */
int ferry__ledger_insert(ferry_db *db, const ferry__row *row,
	const char *runner, ferry_error *err);
/* Its up section ran again (a rerun): the row as read, newly dated. */
int ferry__ledger_rerun(ferry_db *db, const ferry__row *as_read,
	const char *checksum, const char *at, ferry_error *err);
/* A new row for `pub` recorded as complete, both phases, without running
 * it (stamp, adopt): the files' checksums, no timings. A row already
 * there fails with "changed meanwhile". */
int ferry__ledger_record_complete(
	ferry_db *db, const ferry_migration *pub, ferry_error *err);
/* The baseline's row, as read (written by the files it replaced), takes
 * the baseline's checksums, NULL for a section it lacks. */
int ferry__ledger_adopt(ferry_db *db, const ferry__row *as_read,
	const char *const sums[3], ferry_error *err);
/* Remove the row as read (down; repair). `runner`: NULL, or must match. */
int ferry__ledger_take(ferry_db *db, const ferry__row *as_read,
	const char *runner, ferry_error *err);
/* The finish section ran: up (or failed in finish, with `runner`) ->
 * complete. */
int ferry__ledger_finish(ferry_db *db, const ferry__row *as_read,
	const char *runner, const char *checksum, const char *at,
	ferry_error *err);
/* A no-transaction finish or down section starts: until it ends, the
 * migration is failed at its first statement, claimed by `runner`, so a
 * kill shows. */
int ferry__ledger_start(ferry_db *db, const ferry__row *as_read,
	const char *section, const char *runner, ferry_error *err);
/* Take over a failed no-transaction section claimed by `old_runner`. */
int ferry__ledger_resume(ferry_db *db, const ferry__row *as_read,
	const char *old_runner, const char *runner, ferry_error *err);
/* The runner that claimed a row's section, or NULL in `*out`. */
int ferry__ledger_runner(
	ferry_db *db, int64_t version, char **out, ferry_error *err);
/*
 * A statement of a no-transaction section ran: the next is `statement`.
 * Fails with FERRY__ECLAIMED unless `runner` still has the section (the
 * row's statement is not compared: an author's ROLLBACK takes back the
 * updates made since the author's BEGIN).
 */
int ferry__ledger_progress(ferry_db *db, int64_t version, const char *runner,
	int statement, const char *progress, ferry_error *err);
/* Where a no-transaction section stopped, and why (not a claim). */
int ferry__ledger_failed(ferry_db *db, int64_t version, const char *runner,
	int statement, const char *progress, const char *error,
	ferry_error *err);
/* A no-transaction up section ended: the runner's failed row becomes `r`
 * (state, checksums, when and how long). */
int ferry__ledger_up_done(ferry_db *db, const ferry__row *r, const char *runner,
	ferry_error *err);
/* How long the up or finish section (k) of the run's own row took. */
int ferry__ledger_set_ms(ferry_db *db, int64_t version, int k,
	ferry__val duration, ferry_error *err);

/* A duration of `ms` milliseconds as a parameter; NULL when negative (not
 * measured). */
ferry__val ferry__val_ms(int64_t ms);

/*
 * Repeatable migrations (repeatable.c): `<dir>/repeatable/<name>.sql`,
 * one transactional up section each, run again whenever their text
 * changes. Their rows (ferry__ledger.reps) live in a table of their own
 * (x_migrations -> x_repeatable), made when the first one runs.
 */
int ferry__repeatables_read(
	ferry_set *set, ferry__hasher *h, ferry__buf *text, ferry_error *err);
/* Read the repeatable migrations another tool's layout listed (Flyway's
 * R__ files) into set->reps, each checked as one transactional section. */
/* ferry_set_open_mem(): the repeatable migration `file` ("<name>.sql",
 * under "repeatable/"), its bytes `data` kept by the set. */
int ferry__repeatable_mem(ferry_set *set, size_t *alloc, const char *file,
	const char *data, size_t len, ferry__hasher *h, ferry__buf *text,
	ferry_error *err);
void ferry__repeatables_sort(ferry_set *set);
int ferry__repeatables_read_listed(
	ferry_set *set, ferry__hasher *h, ferry__buf *text, ferry_error *err);
/* Read the rows of `set`'s repeatable migrations; none when it has none. */
int ferry__repeatables_load(
	ferry_db *db, const ferry_set *set, ferry__ledger *l, ferry_error *err);
void ferry__repeatables_clear(ferry__ledger *l);
/* The row of repeatable migration `name`, or NULL when it never ran. */
const ferry__row *ferry__repeatable_row(
	const ferry__ledger *l, const char *name);
int ferry__repeatables_ensure(ferry_db *db, ferry_error *err);
/* In its transaction, before its SQL: a new row, or the row as read with
 * the new checksum; FERRY__ECLAIMED when another runner was first. */
int ferry__repeatable_claim(ferry_db *db, const ferry__migration *m,
	const ferry__row *as_read, ferry_error *err);
/* After its SQL: how long it took, as the engine measured it. */
int ferry__repeatable_set_ms(
	ferry_db *db, const ferry__migration *m, ferry_error *err);

typedef struct {
	const char *action;
	const ferry_migration *migration; /* or NULL */
	ferry__val duration; /* ferry__val_ms(), or FERRY__VAL_SECTION_MS */
	int success;
	const char *error; /* the failure; on success, what changed; or NULL */
} ferry__history_rec;

int ferry__history_add(
	ferry_db *db, const ferry__history_rec *rec, ferry_error *err);

/*
 * The shape of every command that writes (write.c): decide without the
 * runner lock; with work to do, lock, decide again, and write.
 */
typedef struct {
	/* Read what the decision needs (again) and decide; `*work` is how
	 * much there is to do, 0 for nothing. db->locked tells which time. */
	int (*decide)(void *payload, size_t *work, ferry_error *err);
	/* Write what the last decision found, under the lock. */
	int (*write)(void *payload, ferry_error *err);
	int ledger;	     /* make the ledger first if it is missing */
	int one_transaction; /* write() runs in one transaction of ours */
	int dry_run;	     /* decide once, without the lock; write nothing */
} ferry__writer;

int ferry__decide_and_write(
	ferry_db *db, const ferry__writer *w, void *payload, ferry_error *err);

/*
 * The objects a run of migrations leaves behind (created.c), for `stamp`
 * to check that a database has them.
 */
typedef struct {
	int kind;     /* see ferry__created_kind() */
	char *schema; /* as the engine stores it; NULL if not named */
	char *name;
	char *on; /* an index's or trigger's table, or NULL */
	const ferry__migration *migration;
	int line; /* of the statement that created it */
} ferry__created_obj;

typedef struct {
	ferry__dialect dialect;
	ferry__created_obj *v;
	size_t n;
	size_t alloc;
} ferry__created;

/* Read one statement of `m` at `line`: 0 or FERRY_ENOMEM. */
int ferry__created_statement(ferry__created *c, const ferry__migration *m,
	int line, const char *stmt, size_t len);
/* Read the up and finish sections of `m`, from its file read again. */
int ferry__created_migration(
	ferry__created *c, const ferry__migration *m, ferry_error *err);
/* Keep only the objects `db` lacks, in the order they were created. */
int ferry__created_missing(ferry_db *db, ferry__created *c, ferry_error *err);
/* "table", "index", "materialized view", ... */
const char *ferry__created_kind(const ferry__created_obj *o);
void ferry__created_clear(ferry__created *c);
/* Is there an object of `kind` ("table", "index", ...) named by the
 * token `name` (its last part, folded as the engine folds it)? 1, 0, or
 * FERRY_ENOMEM. */
int ferry__created_has(
	const ferry__created *c, const char *kind, const ferry__tok *name);

/*
 * Linting for live traffic (lint.c walks the sections and keeps the
 * findings; lint_rules.c reads each statement).
 */
typedef struct ferry__lint_pass ferry__lint_pass;

/* The rule families a pass runs. */
#define FERRY__LINT_GENERIC 1u
#define FERRY__LINT_PG 2u
#define FERRY__LINT_SQLITE 4u

typedef struct {
	const char *id;
	ferry_lint_level level;
	unsigned family; /* one of FERRY__LINT_* */
	int up_only;	 /* breaks the previous release: up sections only */
	const char *why;
	const char *fix;
} ferry__lint_rule;

/* The rule called `id` (len bytes), or NULL. */
const ferry__lint_rule *ferry__lint_rule_find(const char *id, size_t len);

/* CHECK (col IS NOT NULL) constraints seen so far, for SET NOT NULL. */
typedef struct {
	char *table, *column, *name;
	int valid;
} ferry__lint_check;

typedef struct {
	ferry__lint_check *v;
	size_t n, alloc;
	int oom;
} ferry__lint_checks;

void ferry__lint_checks_clear(ferry__lint_checks *c);

/* One statement, as the rules see it. */
typedef struct {
	const ferry__tok *t;
	int n;
	int k;		   /* FERRY__UP, FERRY__FINISH or FERRY__DOWN */
	int transactional; /* the section runs in one transaction */
	int repeat;	   /* under `-- ferry:repeat` */
	ferry__dialect dialect;
	const ferry__created *created; /* the migration's objects so far */
	ferry__lint_checks *checks;    /* of the whole pass */
	int *oom;		       /* set when out of memory */
	const char *body;	       /* the section, to look ahead in */
	const ferry__span *next;       /* the statements after this one */
	size_t nnext;
} ferry__lint_stmt;

/* Run every rule on one statement; findings go to the pass. */
void ferry__lint_statement(ferry__lint_pass *p, const ferry__lint_stmt *s);
/* A finding of `rule` at the token `at`, unless the pass runs no such
 * rule (another family, or an up-only rule outside up). */
void ferry__lint_hit(ferry__lint_pass *p, const char *rule,
	const ferry__tok *at, const char *fmt, ...) FERRY__PRINTF(4, 5);

/*
 * What a database holds besides ferry's ledger (objects.c).
 */
typedef struct {
	const ferry_db *db;
	size_t n;	    /* the user's objects */
	ferry__buf names;   /* the first three, for messages */
	ferry__buf foreign; /* other tools' ledger tables, with the tool */
	ferry__buf tables;  /* every table name, '\n' after each */
	int other_ferry;    /* another set's ferry ledger is there */
	int own_ledger;	    /* this set's ledger is there (made meanwhile) */
} ferry__objects;

int ferry__objects_count(ferry_db *db, ferry__objects *out, ferry_error *err);
void ferry__objects_clear(ferry__objects *o);
/* Is table `name` ("schema.table" or "table") one of ferry's own: the
 * ledger, its history, the repeatables, the pooler's lock table? */
int ferry__objects_own(const ferry_db *db, const char *name);
/* The same for a table of the ledger's schema, named without it. */
int ferry__objects_own_table(ferry_db *db, const char *table);
/*
 * Refuse (FERRY_EREFUSED) a database that holds objects but no ferry
 * ledger (`ledger` as just read): another tool migrated it, or it is the
 * wrong one.
 */
int ferry__refuse_unledgered(
	ferry_db *db, const ferry__ledger *ledger, ferry_error *err);

/*
 * The state model (state.c). A ledger row's state is read once, by
 * ferry__state_parse(); every question about it is one of these
 * predicates. A NULL row is a pending migration.
 */
/* The state the ledger spells `text`; FERRY_STATE_UNKNOWN when none. */
ferry_state ferry__state_parse(const char *text);
/* The state of `r` as the ledger spells it, to write or compare. */
const char *ferry__row_state_text(const ferry__row *r);
/* The section (FERRY__UP, ...) a failed row stopped in; -1 if none. */
int ferry__row_failed_section(const ferry__row *r);
/* Did the up section run: up, complete, or failed in finish or down? */
int ferry__row_applied(const ferry__row *r);
/* Has the finish section run, or begun (it may have dropped as much)? */
int ferry__row_finished(const ferry__row *r);
/* Did the row's migration stop in section `k`, to be resumed there? */
int ferry__row_resumable(const ferry__row *r, int k);

/*
 * Files and ledger side by side (state.c).
 */
typedef struct {
	const ferry__migration *mig; /* NULL: applied, but no file */
	const ferry__row *row;	     /* NULL: pending */
	int drift;
	/* A row older than every file: one of the migrations a squashed
	 * set left out. Neither ahead of the files nor drift. */
	int retired;
	/* The baseline migration's row, written by the older files it
	 * replaces: counted as applied; the ledger does not say so yet. */
	int adopt;
} ferry__pair;

/* Why a database is behind the files (ferry__pairs.behind). */
enum {
	FERRY__BEHIND_NO = 0,
	FERRY__BEHIND_OLDER,	 /* at a release older than the oldest file */
	FERRY__BEHIND_UNFINISHED /* the baseline release not finished */
};

typedef struct {
	ferry__pair *v;
	size_t n;
	/* Repeatable files and their rows; `drift`: to run (never ran, or
	 * changed). Rows no file has are left out. */
	ferry__pair *reps;
	size_t nreps;
	/* Rows older than every file, and the newest of them. */
	size_t retired;
	const ferry__row *newest_retired;
	/* With retired rows: has the database not reached the set's oldest
	 * migration (the baseline's, finished)? Then it is behind. */
	int behind;
	const ferry_set *set;
	const ferry__pair *adopt; /* the pair to adopt, or NULL */
} ferry__pairs;

int ferry__pairs_build(ferry__pairs *out, const ferry_set *set,
	const ferry__ledger *l, ferry_error *err);
void ferry__pairs_clear(ferry__pairs *p);
/* "release 1.1", or "version 4": where a database behind the files is. */
void ferry__behind_where(const ferry__pairs *p, char *buf, size_t size);
/* "release 1.2", or "version 6": the oldest these files upgrade from. */
void ferry__behind_oldest(const ferry__pairs *p, char *buf, size_t size);

/*
 * Running or failed (state.c): a failed section is running while the
 * runner that claimed it holds the runner lock.
 */
/*
 * The lock budget (lock_budget.c). May a section that failed with `err`,
 * tried `tries` times beyond the first, be tried again? It ran out of the
 * budget or met a deadlock, and rolled back.
 */
int ferry__budget_retryable(ferry_db *db, const ferry_error *err, int tries);
/* Tell of retry `tries` (1 for the first) and pause before it; 0, or
 * interrupted. */
int ferry__budget_wait(ferry_db *db, const ferry_migration *m,
	const char *section, int tries, ferry_error *err);
/* The last try failed so: say how often it was tried, and what now. */
void ferry__budget_spent(ferry_db *db, ferry_error *err, int tries);

/* --exclusive: refuse (FERRY_EREFUSED) while another session that is not
 * a ferry is connected; FERRY_EINVALID where that cannot be known. */
int ferry__sessions_refuse(ferry_db *db, ferry_error *err);

/* The runner lock's holder, or NULL in `*holder` when it is free. */
int ferry__lock_holder(ferry_db *db, char **holder, ferry_error *err);
/* Is the failed section of `p` being run by `holder` (NULL: no one)? */
int ferry__pair_running(ferry_db *db, const ferry__pair *p, const char *holder);
/* How many statements section `k` of `m` has; 0 when it cannot tell. */
int ferry__section_statements(ferry_db *db, const ferry__migration *m, int k);

/*
 * Planning a run (plan.c): which sections run, in which order. Nothing is
 * written; `blocked` is the unfinished checkpoint release that stopped the
 * up sections short of the target. `out` is zeroed or holds an earlier
 * plan, which is freed first.
 */
typedef struct {
	const ferry__migration *mig;
	const ferry__row *row; /* its ledger row before the run, or NULL */
	int k;		       /* FERRY__UP, FERRY__FINISH or FERRY__DOWN */
	int by_up;	       /* `up` alone would take this step */
	int rerun;	       /* an applied up section, run again */
	ferry__loaded file;    /* the file while kept in memory */
	int tries;	       /* tries beyond the first (lock budget) */
} ferry__step;

typedef struct {
	ferry__step *v;
	size_t n;
	const ferry__release *blocked;
} ferry__plan;

typedef struct {
	int rollback; /* every migration in state up */
	int64_t to;   /* else those newer than this version */
	size_t steps; /* or, when nonzero, this many newest */
	int force;    /* revert finished migrations too */
} ferry__down_spec;

/* Refusals every run makes: versions no file has, files that changed. */
int ferry__refuse_ahead(const ferry__pairs *pairs, ferry_error *err);
int ferry__refuse_drift(const ferry__pairs *pairs, ferry_error *err);
/* A version or a release name to the newest version it includes; NULL is
 * everything (INT64_MAX). */
int ferry__resolve_target(
	const ferry_set *set, const char *to, int64_t *out, ferry_error *err);

int ferry__plan_up(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t target, int allow_ooo,
	ferry_error *err);
int ferry__plan_finish(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t target, ferry_error *err);
int ferry__plan_migrate(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t target, int allow_ooo,
	ferry_error *err);
int ferry__plan_down(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, const ferry__down_spec *d, ferry_error *err);
/* `up --rerun V`: the up section of applied migration V, again. */
int ferry__plan_rerun(ferry__plan *out, const ferry_set *set,
	const ferry__pairs *pairs, int64_t version, ferry_error *err);
void ferry__plan_clear(ferry__plan *p);

/*
 * What repair and stamp changed (changes.c). `what` is copied.
 */
ferry_changes *ferry__changes_new(void);
int ferry__changes_push(ferry_changes *c, const char *action,
	const ferry_migration *m, const char *what);
void ferry__changes_set_waited(ferry_changes *c, int waited);
void ferry__changes_reset(ferry_changes *c);

/*
 * Backup and restore (backup.c; the copying in backup_sqlite.c and
 * backup_pg.c).
 */
struct ferry_backup {
	char *path;
	const char *engine;
	char *version; /* newest applied version, or NULL */
	char *release;
	size_t applied;
	int64_t bytes;
};

int ferry__backup_set_state(ferry_backup *b, const char *version,
	const char *release, size_t applied);
/* The state from the ledger of `db`, as it is now. */
int ferry__backup_state_from_ledger(
	ferry_backup *b, ferry_db *db, ferry_error *err);
/*
 * The names of backups made without a path, which ferry alone lists and
 * prunes: "<dir>/<db>-<UTC time>-v<version>[-<attempt>].<ext>", where
 * <db> is the last path component of `dbname` without its extension.
 * ferry__backup_default_name() formats one (NULL when out of memory);
 * ferry__backup_parse_name() reads one (a file name, no directory): 1
 * with `out` filled when ferry would have given that name to a backup of
 * `dbname` with extension `ext`, else 0.
 */
typedef struct {
	char time[17];	  /* "20261130T120000Z" */
	char version[21]; /* digits; "0" when nothing was applied */
	int attempt;	  /* 1, or the suffix of a second in one second */
} ferry__backup_name;

char *ferry__backup_default_name(const char *dir, const char *dbname,
	const char *version, const char *ext, int attempt);
int ferry__backup_parse_name(ferry__backup_name *out, const char *file,
	const char *dbname, const char *ext);
/* The backups of `dbname` with extension `ext` in `dir`, oldest first. */
int ferry__backup_list_dir(ferry_backups **out, const char *dir,
	const char *dbname, const char *ext, ferry_error *err);
/* The final name: opts->path, or a made-up one no file has yet. */
int ferry__backup_target(char **final, ferry_db *db, const char *version,
	const ferry_backup_options *opts, ferry_error *err);
/* A new hidden file beside `final`, O_EXCL, mode 0600. */
int ferry__backup_tmp(const char *final, char **tmp, int *fd, ferry_error *err);
/* Sync `tmp` and rename it to `final`, never replacing a file. */
int ferry__backup_commit(
	const char *tmp, const char *final, int64_t *bytes, ferry_error *err);
/* The driver whose backups start as the file's first bytes do. */
int ferry__backup_kind(
	const char *path, const ferry__driver **drv, ferry_error *err);

/* Each engine's copying, for its driver table (backup_<engine>.c). */
int ferry__backup_sqlite(ferry_db *db, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err);
int ferry__restore_sqlite(ferry_db *db, const char *path, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err);
int ferry__backup_pg(ferry_db *db, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err);
int ferry__restore_pg_check(
	ferry_db *db, const ferry_backup_options *opts, ferry_error *err);
int ferry__restore_pg(ferry_db *db, const char *path, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err);
/* The major version in "pg_dump (PostgreSQL) 15.4 (Debian ...)", or -1. */
int ferry__pg_tool_major(const char *version_text);

#endif /* FERRY_INT_H */
