/* SPDX-License-Identifier: MIT */
/*
 * clar.h - a small unit-test harness in the manner of libgit2's clar.
 *
 * A test is `void test_<module>__<case>(void)` in tests/unit/<module>.c;
 * `test_<module>__initialize` and `test_<module>__cleanup`, when present,
 * run around each case. generate.sh finds them all; main.c runs them and
 * prints TAP and "N passed, N failed". An assertion that fails returns from
 * the test, so a test keeps its cleanup in __cleanup.
 */
#ifndef FERRY_CLAR_H
#define FERRY_CLAR_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

void clar__fail(
	const char *file, int line, const char *what, const char *detail);
int clar__streq(const char *a, const char *b);

#define cl_fail(msg) \
	do { \
		clar__fail(__FILE__, __LINE__, "failed", (msg)); \
		return; \
	} while (0)

#define cl_assert(expr) \
	do { \
		if (!(expr)) { \
			clar__fail(__FILE__, __LINE__, "assertion failed", \
				#expr); \
			return; \
		} \
	} while (0)

#define cl_assert_equal_i(a, b) \
	do { \
		long long a_ = (long long)(a), b_ = (long long)(b); \
		if (a_ != b_) { \
			char m_[200]; \
			snprintf(m_, sizeof(m_), "%s == %s: %lld != %lld", #a, \
				#b, a_, b_); \
			clar__fail(__FILE__, __LINE__, "not equal", m_); \
			return; \
		} \
	} while (0)

#define cl_assert_equal_s(a, b) \
	do { \
		const char *a_ = (a), *b_ = (b); \
		if (!clar__streq(a_, b_)) { \
			char m_[2400]; \
			snprintf(m_, sizeof(m_), \
				"%.200s == %.200s:\n" \
				"  got      '%.900s'\n  expected '%.900s'", \
				#a, #b, a_ ? a_ : "(null)", \
				b_ ? b_ : "(null)"); \
			clar__fail(__FILE__, __LINE__, "strings differ", m_); \
			return; \
		} \
	} while (0)

/* A ferry call that must succeed; shows the error if not. */
#define cl_ferry_pass(expr, errp) \
	do { \
		int rc_ = (expr); \
		if (rc_ != 0) { \
			char m_[1600]; \
			snprintf(m_, sizeof(m_), \
				"%.200s returned %d: %s (%s)", #expr, rc_, \
				(errp)->message, (errp)->detail); \
			clar__fail(__FILE__, __LINE__, "call failed", m_); \
			return; \
		} \
	} while (0)

/* A fresh, empty directory for this test; removed after it. */
const char *cl_tmpdir(void);
/* Write `content` to `dir/name`; returns 0 or -1. */
int cl_write(const char *dir, const char *name, const char *content);
int cl_write_len(
	const char *dir, const char *name, const char *content, size_t len);
/* "dir/name" in a static buffer (one at a time). */
const char *cl_path(const char *dir, const char *name);

#endif /* FERRY_CLAR_H */
