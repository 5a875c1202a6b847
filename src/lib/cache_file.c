/* SPDX-License-Identifier: MIT */
/*
 * cache_file.c - the files of ferry's set cache (set_cache.c): where they
 * are, which of them ferry may trust, and how they are written so that no
 * reader ever sees half of one.
 *
 * What a cache says decides which files are read again, so a cache is
 * used only when nobody but the user ferry runs as could have written it:
 * the directory is a directory of theirs (not a symbolic link) that no
 * other user may write in, and the file a regular file of theirs that no
 * other user may read or write. Each is checked with fstat on the
 * descriptor that is then used, opened with O_NOFOLLOW, so nothing can be
 * swapped in between the check and the use; a FIFO is opened with
 * O_NONBLOCK and refused, never waited on. A directory that fails the
 * check is left alone: nothing is read from it or written into it.
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

char *ferry__cache_name(const char *kind, uint64_t dev, uint64_t ino)
{
	ferry__buf b = FERRY__BUF_INIT;

	ferry__buf_printf(&b, "%s-%llx-%llx", kind, (unsigned long long)dev,
		(unsigned long long)ino);
	return ferry__buf_detach(&b);
}

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

int ferry__cache_dir_trusted(const struct stat *st, uid_t uid)
{
	return S_ISDIR(st->st_mode) && st->st_uid == uid &&
		(st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int ferry__cache_file_trusted(const struct stat *st, uid_t uid)
{
	return S_ISREG(st->st_mode) && st->st_uid == uid &&
		(st->st_mode & (S_IRWXG | S_IRWXO)) == 0;
}

int ferry__cache_dir_open(const char *cache_dir, int *missing)
{
	struct stat st;
	int fd = open(
		cache_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	*missing = fd < 0 && errno == ENOENT;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !ferry__cache_dir_trusted(&st, geteuid())) {
		close(fd);
		return -1;
	}
	return fd;
}

int ferry__cache_read(int dir_fd, const char *name, char **out, size_t *len,
	int64_t *mtime_ns)
{
	struct stat st;
	char *text = NULL;
	ssize_t got = -1;
	int fd = openat(
		dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return -1;
	/*
	 * One read for the whole file: a cache is replaced by a rename,
	 * never written in place, so the file open here does not grow.
	 */
	if (fstat(fd, &st) == 0 && ferry__cache_file_trusted(&st, geteuid()) &&
		st.st_size <= FERRY__CACHE_MAX_BYTES)
		text = ferry__malloc((size_t)st.st_size + 1);
	if (text)
		got = read(fd, text, (size_t)st.st_size + 1);
	close(fd);
	if (!text || got != st.st_size) {
		free(text);
		return -1;
	}
	text[got] = '\0';
	*out = text;
	*len = (size_t)got;
	*mtime_ns =
		(int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
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

int ferry__cache_dir_create(const char *cache_dir)
{
	int missing;

	if (make_dirs(cache_dir) < 0)
		return -1;
	return ferry__cache_dir_open(cache_dir, &missing);
}

int ferry__cache_tmp_open(int dir_fd, const char *name, ferry__buf *tmp)
{
	uint64_t r = (uint64_t)ferry__wall_ns() ^ ((uint64_t)getpid() << 32);
	int fd = -1, tries;

	/*
	 * Other writers of the same cache each write their own, then rename:
	 * a reader sees one whole cache or another. The name is new (O_EXCL)
	 * and private (0600).
	 */
	for (tries = 0; fd < 0 && tries < 16; tries++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		ferry__buf_release(tmp);
		ferry__buf_printf(
			tmp, "%s.%06llx", name, (unsigned long long)(r >> 40));
		if (tmp->oom)
			return -1;
		fd = openat(dir_fd, tmp->buf,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0600);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	return fd;
}

void ferry__cache_tmp_commit(int dir_fd, int fd, const char *tmp,
	const char *name, const ferry__buf *text, int64_t mtime_ns)
{
	struct timespec times[2];
	int ok;

	times[0].tv_sec = times[1].tv_sec = mtime_ns / 1000000000;
	times[0].tv_nsec = times[1].tv_nsec = mtime_ns % 1000000000;
	ok = !text->oom && ferry__write_all(fd, text->buf, text->len) == 0 &&
		futimens(fd, times) == 0;
	ok = close(fd) == 0 && ok;
	/*
	 * The rename replaces whatever had the cache's name in this trusted
	 * directory, a stray FIFO or link included.
	 */
	if (!ok || renameat(dir_fd, tmp, dir_fd, name) < 0)
		unlinkat(dir_fd, tmp, 0);
}
