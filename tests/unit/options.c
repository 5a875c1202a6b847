/* SPDX-License-Identifier: MIT */
/*
 * options.c - each ferry_<x>_options_init() gives what its
 * FERRY_<X>_OPTIONS_INIT gives, byte for byte; an older version gets its
 * own fields and nothing past them; a bad version or NULL is refused.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stddef.h>
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
		cl_assert_equal_i(ferry_##lower##_options_init(&got, \
					  FERRY_##UPPER##_OPTIONS_VERSION), \
			0); \
		cl_assert_equal_i( \
			got.version, FERRY_##UPPER##_OPTIONS_VERSION); \
		cl_assert(memcmp(&got, &want, sizeof(want)) == 0); \
		cl_assert_equal_i(ferry_##lower##_options_init(NULL, \
					  FERRY_##UPPER##_OPTIONS_VERSION), \
			FERRY_EINVALID); \
		cl_assert_equal_i(ferry_##lower##_options_init(&got, 0), \
			FERRY_EINVALID); \
		cl_assert_equal_i( \
			ferry_##lower##_options_init( \
				&got, FERRY_##UPPER##_OPTIONS_VERSION + 1), \
			FERRY_EINVALID); \
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

/* Is every byte of [from, to) of `p` still the 0xa5 it started as? */
static int untouched(const void *p, size_t from, size_t to)
{
	const unsigned char *b = p;

	for (; from < to; from++)
		if (b[from] != 0xa5)
			return 0;
	return 1;
}

/*
 * A program built against ferry.h of db options version 3 holds a struct
 * that ends before `actor`: the library must write nothing from there on.
 */
void test_options__an_older_version_gets_only_its_own_fields(void)
{
	ferry_db_options db;
	ferry_up_options up;
	ferry_down_options down;
	ferry_stamp_options stamp;
	size_t end;

	memset(&db, 0xa5, sizeof(db));
	cl_assert_equal_i(ferry_db_options_init(&db, 3), 0);
	cl_assert_equal_i(db.version, 3);
	cl_assert_equal_i(db.lock_timeout_ms, 60000);
	cl_assert_equal_i(db.pooler, FERRY_POOLER_AUTO);
	end = offsetof(ferry_db_options, actor);
	cl_assert(untouched(&db, end, sizeof(db)));

	memset(&db, 0xa5, sizeof(db));
	cl_assert_equal_i(ferry_db_options_init(&db, 1), 0);
	cl_assert(db.progress == NULL && db.payload == NULL);
	cl_assert(untouched(
		&db, offsetof(ferry_db_options, cache_dir), sizeof(db)));

	memset(&up, 0xa5, sizeof(up));
	cl_assert_equal_i(ferry_up_options_init(&up, 2), 0);
	cl_assert(up.baseline == NULL);
	cl_assert(untouched(&up, offsetof(ferry_up_options, yes), sizeof(up)));

	memset(&down, 0xa5, sizeof(down));
	cl_assert_equal_i(ferry_down_options_init(&down, 1), 0);
	cl_assert(untouched(
		&down, offsetof(ferry_down_options, yes), sizeof(down)));

	memset(&stamp, 0xa5, sizeof(stamp));
	cl_assert_equal_i(ferry_stamp_options_init(&stamp, 1), 0);
	cl_assert(untouched(&stamp, offsetof(ferry_stamp_options, no_verify),
		sizeof(stamp)));
}
