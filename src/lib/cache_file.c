/* SPDX-License-Identifier: MIT */
/*
 * cache_file.c - the files of ferry's set cache (set_cache.c):
 * where they are, and how they are written so that no reader ever sees
 * half of one.
 *
 * A cache is only ever an optimisation: every failure here is silent, and
 * the caller reads what the cache would have spared it.
 */
#include "ferry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ferry__cache_path(
	const char *cache_dir, const char *kind, uint64_t dev, uint64_t ino)
{
	ferry__buf b = FERRY__BUF_INIT;
	size_t n = strlen(cache_dir);

	ferry__buf_printf(&b, "%s%s%s-%llx-%llx", cache_dir,
		n && cache_dir[n - 1] == '/' ? "" : "/", kind,
		(unsigned long long)dev, (unsigned long long)ino);
	return ferry__buf_detach(&b);
}

int ferry__cache_read(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *text = NULL;
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return -1;
	/*
	 * One read for the whole file; a file that grew meanwhile is being
	 * replaced, and what was read is checked by its parser anyway.
	 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		text = ferry__malloc((size_t)st.st_size + 1);
	if (text)
		got = read(fd, text, (size_t)st.st_size + 1);
	close(fd);
	if (!text || got < 0 || got != st.st_size) {
		free(text);
		return -1;
	}
	text[got] = '\0';
	*out = text;
	*len = (size_t)got;
	return 0;
}

/* mkdir -p, private to the user: the cache names their files. */
static int make_dirs(const char *dir)
{
	char *copy = ferry__strdup(dir), *p;
	int rc = 0;

	if (!copy)
		return -1;
	for (p = copy + 1; rc == 0 && *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (rc == 0 && mkdir(copy, 0700) < 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

void ferry__cache_write(
	const char *cache_dir, const char *path, const ferry__buf *text)
{
	ferry__buf tmp = FERRY__BUF_INIT;
	int fd, ok;

	/*
	 * Other writers of the same cache each write their own, then rename:
	 * a reader sees one whole cache or another. mkostemp: mode 0600.
	 */
	ferry__buf_printf(&tmp, "%s.XXXXXX", path);
	if (text->oom || tmp.oom)
		goto out;
	fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && make_dirs(cache_dir) == 0) {
		memcpy(tmp.buf + tmp.len - 6, "XXXXXX", 6);
		fd = mkostemp(tmp.buf, O_CLOEXEC);
	}
	if (fd < 0)
		goto out;
	ok = ferry__write_all(fd, text->buf, text->len) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp.buf, path) < 0)
		unlink(tmp.buf);
out:
	ferry__buf_release(&tmp);
}
