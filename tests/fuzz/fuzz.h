/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share: a check that
 * names the broken property before it aborts (libFuzzer then saves the
 * input as a crash), exact-size copies so that AddressSanitizer sees a
 * read one byte too far, and a way to fail one allocation of a call that
 * is known to succeed, to prove FERRY_ENOMEM comes back without a leak.
 *
 * The targets are built with -DFERRY_TESTING, which gives the library's
 * allocator its failure hook (alloc.c).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "ferry_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

static inline void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
	abort();
}

/*
 * A copy of `n` bytes in an allocation of exactly that size, plus a NUL
 * when `nul` is set. Input that sits inside a larger buffer would let an
 * overread go unseen.
 */
static inline char *fuzz_dup(const void *p, size_t n, int nul)
{
	char *s = malloc(n + (nul ? 1 : 0));

	if (!s && (n || nul))
		abort();
	if (n)
		memcpy(s, p, n);
	if (nul)
		s[n] = '\0';
	return s;
}

/*
 * Which of `count` allocations to fail, 1-based. A hash of the input picks
 * it, so that as the fuzzer varies inputs every allocation site is hit.
 */
static inline long fuzz_pick(const uint8_t *data, size_t size, long count)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return 1 + (long)(h % (uint32_t)count);
}

/* Occurrences of `needle` in `hay`, overlapping ones included. */
static inline size_t fuzz_count(const char *hay, const char *needle)
{
	size_t n = 0;

	if (!*needle)
		return 0;
	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* The 1-based line of text[offset]. */
static inline int fuzz_line_of(const char *text, size_t offset)
{
	int line = 1;
	size_t i;

	for (i = 0; i < offset; i++)
		line += text[i] == '\n';
	return line;
}

#endif /* FUZZ_H */
