/* SPDX-License-Identifier: MIT */
/*
 * rowsum.c - the checksum `import` prints and `copy` compares (rowsum.c):
 * values compared by value after normalisation (20 = "20.00" = 2e1,
 * true = 1, a UTC time with or without its zone, blob hex in any case),
 * values kept apart by their lengths, NULL apart from '', rows in any
 * order but each counted; the exact sum of one row and of two, so the
 * definition in docs/ferry-import.md stays true; out-of-memory.
 *
 * Values are in export_rows()'s form: a kind letter (FERRY__EXPORT_*),
 * then the text; NULL is a NULL pointer.
 */
#include "clar.h"
#include "ferry_int.h"

static char hex[65], other[65];

/* The checksum of `nrows` rows of `ncols` values each, into `out`. */
static int sum_of(char out[65], int ncols, int nrows, const char *const *v)
{
	ferry__rowsum r;
	int i, rc = 0;

	ferry__rowsum_init(&r);
	for (i = 0; i < nrows && rc == 0; i++)
		rc = ferry__rowsum_add(&r, ncols, v + (size_t)i * ncols);
	ferry__rowsum_hex(&r, out);
	ferry__rowsum_release(&r);
	return rc;
}

/* The checksum of one row of one value. */
static const char *one(char out[65], const char *v)
{
	const char *row[1];

	row[0] = v;
	if (sum_of(out, 1, 1, row) < 0)
		return "(out of memory)";
	return out;
}

void test_rowsum__initialize(void)
{
	ferry__alloc_fail_from(0);
	memset(hex, 0, sizeof(hex));
	memset(other, 0, sizeof(other));
}

void test_rowsum__cleanup(void)
{
	ferry__alloc_fail_from(0);
}

void test_rowsum__numbers_by_value(void)
{
	const char *same[] = { "t20.00", "f2e1", "t20.0", "d20.00", "f2.0E+1",
		"t20", "f200e-1" };
	size_t i;

	one(hex, "i20");
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		cl_assert_equal_s(one(other, same[i]), hex);
	cl_assert(strcmp(one(other, "i21"), hex) != 0);
	cl_assert(strcmp(one(other, "i2"), hex) != 0);
	cl_assert(strcmp(one(other, "i200"), hex) != 0);
	cl_assert(strcmp(one(other, "i-20"), hex) != 0);
	/* 0.1 as a float, as numeric text, and as 1e-1. */
	cl_assert_equal_s(one(hex, "f0.1"), one(other, "d0.10000"));
	cl_assert_equal_s(one(hex, "f0.1"), one(other, "f1e-1"));
	/* Zero whatever its sign or scale. */
	cl_assert_equal_s(one(hex, "i0"), one(other, "d-0.00"));
	/* Past 2^53, digits are kept. */
	cl_assert(strcmp(one(hex, "i9007199254740993"),
			  one(other, "i9007199254740992")) != 0);
	cl_assert_equal_s(
		one(hex, "i9007199254740993"), one(other, "d9007199254740993"));
}

void test_rowsum__special_floats_are_words(void)
{
	cl_assert_equal_s(one(hex, "fNaN"), one(other, "dNaN"));
	cl_assert(strcmp(one(hex, "fInfinity"), one(other, "f-Infinity")) != 0);
	cl_assert(strcmp(one(hex, "fInfinity"), one(other, "fNaN")) != 0);
}

void test_rowsum__booleans_are_one_and_zero(void)
{
	cl_assert_equal_s(one(hex, "bt"), one(other, "i1"));
	cl_assert_equal_s(one(hex, "bf"), one(other, "i0"));
	cl_assert_equal_s(one(hex, "bt"), one(other, "t1.0"));
	cl_assert(strcmp(one(hex, "bt"), one(other, "bf")) != 0);
	/* The text "true" is text. */
	cl_assert(strcmp(one(hex, "bt"), one(other, "ttrue")) != 0);
}

void test_rowsum__utc_times_with_or_without_zone(void)
{
	const char *same[] = { "t2026-12-06T10:00:00Z",
		"t2026-12-06 10:00:00+00", "t2026-12-06 10:00:00+00:00",
		"t2026-12-06T10:00:00", "t2026-12-06 10:00:00.000",
		"t2026-12-06T10:00:00.0Z" };
	size_t i;

	one(hex, "t2026-12-06 10:00:00");
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		cl_assert_equal_s(one(other, same[i]), hex);
	/* Another zone is another time, kept as text. */
	cl_assert(strcmp(one(other, "t2026-12-06 10:00:00+01"), hex) != 0);
	cl_assert(strcmp(one(other, "t2026-12-06 11:00:00+01"), hex) != 0);
	cl_assert(strcmp(one(other, "t2026-12-06 10:00:01"), hex) != 0);
	/* Fractions: trailing zeros only. */
	cl_assert_equal_s(one(hex, "t2026-12-06 10:00:00.5+00"),
		one(other, "t2026-12-06T10:00:00.500Z"));
	cl_assert(strcmp(one(hex, "t2026-12-06 10:00:00.5"),
			  one(other, "t2026-12-06 10:00:00.05")) != 0);
	/* A date alone is text. */
	cl_assert(strcmp(one(hex, "t2026-12-06"),
			  one(other, "t2026-12-06 00:00:00")) != 0);
}

void test_rowsum__bytes_hex_in_any_case(void)
{
	cl_assert_equal_s(one(hex, "x00ff41"), one(other, "x00FF41"));
	cl_assert_equal_s(one(hex, "xABCDEF"), one(other, "xabcdef"));
	cl_assert(strcmp(one(hex, "x00ff41"), one(other, "x00ff42")) != 0);
	/* Bytes are not the text of their hex. */
	cl_assert(strcmp(one(hex, "x00ff41"), one(other, "t00ff41")) != 0);
	/* The empty blob is neither NULL nor ''. */
	cl_assert(strcmp(one(hex, "x"), one(other, NULL)) != 0);
	cl_assert(strcmp(one(hex, "x"), one(other, "t")) != 0);
}

void test_rowsum__null_is_not_the_empty_string(void)
{
	cl_assert(strcmp(one(hex, NULL), one(other, "t")) != 0);
	/* nor the text "n" it is written as */
	cl_assert(strcmp(one(hex, NULL), one(other, "tn")) != 0);
}

void test_rowsum__values_kept_apart(void)
{
	const char *a[] = { "tab", "tc" }, *b[] = { "ta", "tbc" };
	const char *c[] = { "t1:", "t" }, *d[] = { "t", "t1:" };

	cl_assert_equal_i(sum_of(hex, 2, 1, a), 0);
	cl_assert_equal_i(sum_of(other, 2, 1, b), 0);
	cl_assert(strcmp(hex, other) != 0);
	cl_assert_equal_i(sum_of(hex, 2, 1, c), 0);
	cl_assert_equal_i(sum_of(other, 2, 1, d), 0);
	cl_assert(strcmp(hex, other) != 0);
}

void test_rowsum__row_order_does_not_matter(void)
{
	const char *ab[] = { "i1", "tone", "i2", "ttwo", "i3", NULL };
	const char *ba[] = { "i3", NULL, "i1", "tone", "i2", "ttwo" };
	/* The same values in other rows is other data. */
	const char *mixed[] = { "i1", "ttwo", "i2", "tone", "i3", NULL };

	cl_assert_equal_i(sum_of(hex, 2, 3, ab), 0);
	cl_assert_equal_i(sum_of(other, 2, 3, ba), 0);
	cl_assert_equal_s(other, hex);
	cl_assert_equal_i(sum_of(other, 2, 3, mixed), 0);
	cl_assert(strcmp(other, hex) != 0);
}

void test_rowsum__a_row_twice_is_not_once(void)
{
	const char *once[] = { "i1", "tone" };
	const char *twice[] = { "i1", "tone", "i1", "tone" };
	const char *three[] = { "i1", "tone", "i1", "tone", "i1", "tone" };
	char third[65];

	cl_assert_equal_i(sum_of(hex, 2, 1, once), 0);
	cl_assert_equal_i(sum_of(other, 2, 2, twice), 0);
	cl_assert(strcmp(hex, other) != 0);
	cl_assert_equal_i(sum_of(third, 2, 3, three), 0);
	cl_assert(strcmp(third, other) != 0);
	cl_assert(strcmp(third, hex) != 0);
}

/*
 * The definition, to the byte: a row's values canonical and each
 * prefixed by its length and ':', SHA-256 of that, the rows' hashes
 * added as 256-bit little-endian numbers and the sum written most
 * significant byte first (so one row's sum is its hash reversed).
 * printf '1:n' | sha256sum, and '4:#2e1'.
 */
void test_rowsum__exact_sum(void)
{
	const char *rows[] = { NULL, "d20.00" };

	cl_assert_equal_i(sum_of(hex, 1, 0, rows), 0);
	cl_assert_equal_s(hex,
		"00000000000000000000000000000000"
		"00000000000000000000000000000000");
	cl_assert_equal_s(one(hex, NULL),
		"6cfaeb175b230ed57ffa634f69e2e9b5"
		"8b07931343b3e2720d6489d364d5d44a");
	cl_assert_equal_i(sum_of(hex, 1, 2, rows), 0);
	cl_assert_equal_s(hex,
		"1b1bd5f4f9362b982910d7aff114531f"
		"fad8b63c3983e2661424136195b4b7f2");
}

void test_rowsum__out_of_memory(void)
{
	const char *row[] = { "tsome text long enough to need a buffer",
		"x00ff41", NULL };
	ferry__rowsum r;
	long n;
	int rc = -1;

	for (n = 1; n < 64 && rc != 0; n++) {
		ferry__rowsum_init(&r);
		ferry__alloc_fail_from(n);
		rc = ferry__rowsum_add(&r, 3, row);
		ferry__alloc_fail_from(0);
		if (rc != 0) {
			cl_assert_equal_i(rc, FERRY_ENOMEM);
			/* Nothing was counted. */
			cl_assert_equal_i(r.rows, 0);
		}
		ferry__rowsum_release(&r);
	}
	cl_assert_equal_i(rc, 0);
	cl_assert(n > 2);
}
