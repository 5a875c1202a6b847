/* SPDX-License-Identifier: MIT */
/*
 * util.c - clocks, hex, text positions and whole-file reads.
 */
#include "ferry_int.h"

#include <nettle/base16.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t ferry__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ferry__sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void ferry__utc_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ferry__hex(char hex[65], const unsigned char sha[32])
{
	base16_encode_update(hex, 32, sha); /* lower case */
	hex[64] = '\0';
}

void ferry__text_advance(
	ferry__text_cursor *c, size_t offset, int *line, int *column)
{
	const char *p, *end;

	if (offset < c->offset) {
		c->offset = 0;
		c->line = 1;
		c->column = 1;
	}
	end = c->text + offset;
	for (p = c->text + c->offset; p < end; p++) {
		if (*p == '\n') {
			c->line++;
			c->column = 1;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			c->column++;
		}
	}
	c->offset = offset;
	*line = c->line;
	*column = c->column;
}

void ferry__text_pos(const char *text, size_t offset, int *line, int *column)
{
	ferry__text_cursor c = FERRY__TEXT_CURSOR_INIT(text);

	ferry__text_advance(&c, offset, line, column);
}

int ferry__parse_version(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (len < 1 || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Turn CRLF into LF in place; returns the new length. */
static size_t crlf_to_lf(char *s, size_t len)
{
	char *r = memchr(s, '\r', len), *w, *end = s + len;

	if (!r)
		return len;
	for (w = r; r < end; r++) {
		if (*r == '\r' && r + 1 < end && r[1] == '\n')
			continue;
		*w++ = *r;
	}
	return (size_t)(w - s);
}

const char *ferry__file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "of an unknown kind";
}

/*
 * open() failed with ENOENT or ENOTDIR: if `path` itself is there as a
 * symbolic link, it points nowhere, which "No such file or directory"
 * would not tell. Only on this error path: no cost to a run that works.
 */
static int dangling_link(const char *path, ferry_error *err)
{
	char target[512];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode) ||
		(n = readlink(path, target, sizeof(target) - 1)) < 0)
		return 0;
	target[n] = '\0';
	ferry__error_set(err, FERRY_EINVALID,
		"'%s' is a symbolic link to '%s' that points nowhere", path,
		target);
	ferry__error_hint(
		err, "point the link at an existing file, or remove it");
	return 1;
}

/*
 * Open `path` for reading, following symbolic links, and check on the open
 * descriptor that it is a regular file: never a FIFO, which would block
 * the open or the read, nor a device or a directory. Fills `st` from that
 * descriptor. Returns 0 and the descriptor in `*fd`, else FERRY_EINVALID
 * ("'x' is not a regular file (a FIFO)", "'x' is a symbolic link to 'y'
 * that points nowhere", a missing or unreadable file) or FERRY_ERROR, with
 * `*fd` -1.
 */
static int open_regular(
	int *fd, const char *path, struct stat *st, ferry_error *err)
{
	int e;

	/*
	 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer, maybe forever. A regular file ignores the flag.
	 */
	*fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0) {
		e = errno;
		if ((e == ENOENT || e == ENOTDIR) && dangling_link(path, err))
			return FERRY_EINVALID;
		errno = e;
		return ferry__error_os(err,
			e == ENOENT || e == EACCES || e == ENOTDIR || e == ELOOP
				? FERRY_EINVALID
				: FERRY_ERROR,
			"read", path);
	}
	if (fstat(*fd, st) < 0) {
		e = ferry__error_os(err, FERRY_ERROR, "read", path);
		close(*fd);
		*fd = -1;
		return e;
	}
	if (S_ISREG(st->st_mode))
		return 0;
	close(*fd);
	*fd = -1;
	ferry__error_set(err, FERRY_EINVALID, "'%s' is not a regular file (%s)",
		path, ferry__file_kind(st->st_mode));
	ferry__error_hint(
		err, "replace it with a regular file, or move it away");
	return FERRY_EINVALID;
}

int ferry__read_into(
	const char *path, ferry__buf *b, struct stat *st, ferry_error *err)
{
	struct stat own;
	int fd, e;

	b->len = 0;
	if (!st)
		st = &own;
	if ((e = open_regular(&fd, path, st, err)) < 0)
		return e;
	for (;;) {
		size_t want;
		ssize_t n;

		/* Room for 4 KiB at least; grow by doubling past 64 KiB. */
		if (b->len + 4096 >= b->alloc &&
			ferry__buf_grow(
				b, b->alloc > 65536 ? b->alloc : 65536) < 0) {
			close(fd);
			return ferry__error_oom(err);
		}
		want = b->alloc - b->len - 1;
		n = read(fd, b->buf + b->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = ferry__error_os(err, FERRY_ERROR, "read", path);
			close(fd);
			return e;
		}
		b->len += (size_t)n;
		/* A short read of a regular file is its end: no extra read. */
		if (n == 0 || (size_t)n < want)
			break;
	}
	close(fd);
	b->len = crlf_to_lf(b->buf, b->len);
	b->buf[b->len] = '\0';
	return 0;
}

int ferry__read_mem(
	const char *data, size_t len, ferry__buf *b, ferry_error *err)
{
	b->len = 0;
	ferry__buf_put(b, data, len);
	if (b->oom || ferry__buf_grow(b, 1) < 0)
		return ferry__error_oom(err);
	b->len = crlf_to_lf(b->buf, b->len);
	b->buf[b->len] = '\0';
	return 0;
}

int ferry__write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int ferry__read_file(
	const char *path, char **out, size_t *len, ferry_error *err)
{
	ferry__buf b = FERRY__BUF_INIT;
	int rc = ferry__read_into(path, &b, NULL, err);
	char *fit;

	*out = NULL;
	*len = b.len;
	if (rc < 0) {
		ferry__buf_release(&b);
		return rc;
	}
	/* Kept texts are as long as the file, not as the read buffer. */
	fit = ferry__realloc(b.buf, b.len + 1);
	*out = fit ? fit : b.buf;
	return 0;
}

int ferry__hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
