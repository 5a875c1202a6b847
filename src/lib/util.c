/* SPDX-License-Identifier: MIT */
/*
 * util.c - clocks, checksums, text positions and whole-file reads.
 */
#include "ferry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

int64_t ferry__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[sha[i] >> 4];
		hex[2 * i + 1] = digits[sha[i] & 15];
	}
	hex[64] = '\0';
}

int ferry__sha256(unsigned char out[32], const void *data, size_t len)
{
	unsigned int n = 32;

	/* EVP_Digest is one-shot: no context to allocate and free. */
	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
		return FERRY_ERROR;
	return 0;
}

void ferry__text_pos(const char *text, size_t offset, int *line, int *column)
{
	const char *p = text, *end = text + offset, *bol = text;
	int l = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		l++;
		p = bol = nl + 1;
	}
	*line = l;
	*column = (int)(end - bol) + 1;
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

int ferry__read_file(const char *path, char **out, size_t *len,
	ferry_error *err)
{
	struct stat st;
	size_t have = 0, cap;
	char *buf;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ferry__error_os(err, errno == ENOENT || errno == EACCES ?
			FERRY_EINVALID :
			FERRY_ERROR, "read", path);
	if (fstat(fd, &st) < 0) {
		ferry__error_os(err, FERRY_ERROR, "read", path);
		close(fd);
		return FERRY_ERROR;
	}
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	buf = ferry__malloc(cap);
	if (!buf) {
		close(fd);
		return ferry__error_oom(err);
	}
	for (;;) {
		ssize_t n;

		if (have + 1 >= cap) {
			char *p = ferry__realloc(buf, cap * 2);

			if (!p) {
				free(buf);
				close(fd);
				return ferry__error_oom(err);
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + have, cap - have - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int code = ferry__error_os(err, FERRY_ERROR, "read",
				path);

			free(buf);
			close(fd);
			return code;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	have = crlf_to_lf(buf, have);
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return 0;
}
