/* SPDX-License-Identifier: MIT */
/*
 * options.c - each ferry_<x>_options_init() gives what its
 * FERRY_<X>_OPTIONS_INIT gives, byte for byte, and NULL is no crash.
 */
#include "clar.h"
#include "ferry_int.h"

#include <string.h>

/*
 * The expected value is static, so its padding is zero, as is that of the
 * function's result (a copy of a static value): the bytes must be equal.
 * `got` starts as garbage so that a member left unset shows.
 */
#define CHECK_INIT(lower, UPPER) \
	do { \
		static const ferry_##lower##_options want = \
			FERRY_##UPPER##_OPTIONS_INIT; \
		ferry_##lower##_options got; \
\
		memset(&got, 0xa5, sizeof(got)); \
		ferry_##lower##_options_init(&got); \
		cl_assert_equal_i( \
			got.version, FERRY_##UPPER##_OPTIONS_VERSION); \
		cl_assert(memcmp(&got, &want, sizeof(want)) == 0); \
		ferry_##lower##_options_init(NULL); \
	} while (0)

void test_options__init_equals_macro(void)
{
	CHECK_INIT(set, SET);
	CHECK_INIT(db, DB);
	CHECK_INIT(up, UP);
	CHECK_INIT(down, DOWN);
	CHECK_INIT(lint, LINT);
	CHECK_INIT(repair, REPAIR);
	CHECK_INIT(stamp, STAMP);
	CHECK_INIT(adopt, ADOPT);
	CHECK_INIT(backup, BACKUP);
	CHECK_INIT(export, EXPORT);
	CHECK_INIT(import, IMPORT);
	CHECK_INIT(copy, COPY);
	CHECK_INIT(reset, RESET);
}
