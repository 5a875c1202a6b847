/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - the library's allocator wrappers.
 *
 * Every allocation in src/lib goes through here so that a test build can
 * fail the Nth one and prove the caller returns FERRY_ENOMEM without leaking
 * (SQLite's do_faultsim_test, curl's allocation limits). The counters exist
 * only when FERRY_TESTING is defined; a release build keeps no state.
 */
#include "ferry_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef FERRY_TESTING
static long fail_from;
static long count;

void ferry__alloc_fail_from(long n)
{
	fail_from = n;
	count = 0;
}

long ferry__alloc_count(void)
{
	return count;
}

static int should_fail(void)
{
	count++;
	return fail_from > 0 && count >= fail_from;
}
#else
#define should_fail() 0
#endif

void *ferry__malloc(size_t size)
{
	if (should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *ferry__calloc(size_t n, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *ferry__realloc(void *ptr, size_t size)
{
	if (should_fail())
		return NULL;
	return realloc(ptr, size ? size : 1);
}

int ferry__grow(
	void *array, size_t *alloc, size_t need, size_t size, size_t first)
{
	size_t n = *alloc ? *alloc : (first ? first : 1);
	void *old, *grown;

	if (need <= *alloc)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return -1;
	/* `array` points to a pointer of any type: copied, not cast. */
	memcpy(&old, array, sizeof(old));
	if (!(grown = ferry__realloc(old, n * size)))
		return -1;
	memcpy(array, &grown, sizeof(grown));
	*alloc = n;
	return 0;
}

char *ferry__strndup(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = ferry__malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ferry__strdup(const char *s)
{
	return s ? ferry__strndup(s, strlen(s)) : NULL;
}

void ferry_free(void *ptr)
{
	free(ptr);
}
