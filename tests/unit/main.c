/* SPDX-License-Identifier: MIT */
/*
 * main.c - runs the unit tests that generate.sh found.
 *
 *   build/unit-tests [module | module::case ...]
 */
#include "clar.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct clar_test {
	const char *module;
	const char *name;
	void (*fn)(void);
	void (*initialize)(void);
	void (*cleanup)(void);
};

#include "tests.inc"

static int failed_now;
static char tmpdir[256];
static char pathbuf[1024];

void clar__fail(
	const char *file, int line, const char *what, const char *detail)
{
	failed_now = 1;
	printf("# %s:%d: %s\n", file, line, what);
	if (detail) {
		const char *p = detail;

		while (*p) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);

			printf("#   %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
	}
}

int clar__streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void remove_tree(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char sub[1024];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		chmod(sub, 0700);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

const char *cl_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s/ferry-unit.XXXXXX",
			base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return tmpdir;
}

const char *cl_path(const char *dir, const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", dir, name);
	return pathbuf;
}

int cl_write_len(
	const char *dir, const char *name, const char *content, size_t len)
{
	FILE *f = fopen(cl_path(dir, name), "wb");

	if (!f)
		return -1;
	if (fwrite(content, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

int cl_write(const char *dir, const char *name, const char *content)
{
	return cl_write_len(dir, name, content, strlen(content));
}

static int selected(const struct clar_test *t, int argc, char **argv)
{
	char full[256];
	int i;

	if (argc < 2)
		return 1;
	snprintf(full, sizeof(full), "%s::%s", t->module, t->name);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], t->module) || !strcmp(argv[i], full))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct clar_test *t;
	int n = 0, failed = 0;

	for (t = clar_tests; t->module; t++) {
		if (!selected(t, argc, argv))
			continue;
		failed_now = 0;
		tmpdir[0] = '\0';
		if (t->initialize)
			t->initialize();
		if (!failed_now)
			t->fn();
		if (t->cleanup)
			t->cleanup();
		if (tmpdir[0])
			remove_tree(tmpdir);
		n++;
		if (failed_now)
			failed++;
		printf("%s %d - %s::%s\n", failed_now ? "not ok" : "ok", n,
			t->module, t->name);
	}
	printf("1..%d\n%d passed, %d failed\n", n, n - failed, failed);
	return failed ? 1 : 0;
}
