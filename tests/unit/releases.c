/* SPDX-License-Identifier: MIT */
/*
 * releases.c - the `releases` file parser (ferry__releases_parse): lines,
 * comments and checkpoints, and each error with its message, hint and line.
 */
#include "clar.h"
#include "ferry_int.h"

#define PATH "migrations/releases"
#define FORM "each line is '<release> <last-version> [checkpoint] [baseline]'"

static ferry__release *rel;
static size_t n;
static ferry_error err;

void test_releases__initialize(void)
{
	ferry_error_init(&err);
	rel = NULL;
	n = 0;
}

void test_releases__cleanup(void)
{
	ferry__releases_free(rel, n);
	rel = NULL;
	n = 0;
}

static int parse(const char *text)
{
	ferry__releases_free(rel, n);
	rel = NULL;
	n = 0;
	return ferry__releases_parse(&rel, &n, text, strlen(text), PATH, &err);
}

/* A failed parse leaves nothing behind, and names the file and the line. */
#define cl_assert_bad(text, line_, message_, hint_) \
	do { \
		cl_assert_equal_i(parse(text), FERRY_EINVALID); \
		cl_assert_equal_i(err.code, FERRY_EINVALID); \
		cl_assert(rel == NULL); \
		cl_assert_equal_i(n, 0); \
		cl_assert_equal_s(err.message, message_); \
		cl_assert_equal_s(err.hint, hint_); \
		cl_assert_equal_s(err.file, PATH); \
		cl_assert_equal_i(err.line, line_); \
	} while (0)

void test_releases__lines(void)
{
	cl_ferry_pass(parse("# Releases of the shop, oldest first.\n"
			    "\n"
			    "1.0 3\n"
			    "   1.1\t0007   # a comment after the words\n"
			    "2.0.0-rc.1 12 checkpoint\n"
			    "  # indented comment\n"
			    "v3+build_2 20"),
		&err);
	cl_assert_equal_i(n, 4);
	cl_assert_equal_s(rel[0].pub.name, "1.0");
	cl_assert_equal_i(rel[0].pub.last_version, 3);
	cl_assert_equal_i(rel[0].pub.checkpoint, 0);
	cl_assert_equal_i(rel[0].line, 3);
	cl_assert_equal_s(rel[1].pub.name, "1.1");
	cl_assert_equal_i(rel[1].pub.last_version, 7);
	cl_assert_equal_i(rel[1].pub.checkpoint, 0);
	cl_assert_equal_i(rel[1].line, 4);
	cl_assert_equal_s(rel[2].pub.name, "2.0.0-rc.1");
	cl_assert_equal_i(rel[2].pub.last_version, 12);
	cl_assert_equal_i(rel[2].pub.checkpoint, 1);
	cl_assert_equal_i(rel[2].line, 5);
	cl_assert_equal_s(rel[3].pub.name, "v3+build_2");
	cl_assert_equal_i(rel[3].pub.last_version, 20);
	cl_assert_equal_i(rel[3].line, 7);
}

void test_releases__crlf_and_trailing_blanks(void)
{
	cl_ferry_pass(parse("1.0 3 checkpoint \r\n2.0 4\r\n"), &err);
	cl_assert_equal_i(n, 2);
	cl_assert_equal_i(rel[0].pub.checkpoint, 1);
	cl_assert_equal_s(rel[1].pub.name, "2.0");
	cl_assert_equal_i(rel[1].pub.last_version, 4);
}

void test_releases__empty_and_comment_only(void)
{
	cl_ferry_pass(parse(""), &err);
	cl_assert_equal_i(n, 0);
	cl_ferry_pass(parse("# nothing released yet\n\n   \n"), &err);
	cl_assert_equal_i(n, 0);
}

void test_releases__eighteen_digit_version(void)
{
	cl_ferry_pass(
		parse("1.0 20240101120000\n2.0 999999999999999999\n"), &err);
	cl_assert_equal_i(n, 2);
	cl_assert_equal_i(rel[0].pub.last_version, 20240101120000LL);
	cl_assert_equal_i(rel[1].pub.last_version, 999999999999999999LL);
}

void test_releases__no_version(void)
{
	cl_assert_bad(
		"1.0 3\n2.0\n", 2, "release line '2.0' has no version", FORM);
}

void test_releases__too_many_words(void)
{
	cl_assert_bad("# r\n1.0 3 checkpoint baseline now\n", 2,
		"too many words on release line '1.0 3 checkpoint baseline "
		"now'",
		FORM);
	cl_assert_bad("1.0 3 checkpoint now\n", 1,
		"unknown word 'now' after the version", FORM);
}

void test_releases__baseline(void)
{
	cl_assert_equal_i(0, parse("1.0 3 baseline\n1.1 4 checkpoint\n"));
	cl_assert_equal_i(1, rel[0].pub.baseline);
	cl_assert_equal_i(0, rel[0].pub.checkpoint);
	cl_assert_equal_i(0, rel[1].pub.baseline);
	cl_assert_equal_i(1, rel[1].pub.checkpoint);
	cl_assert_equal_i(0, parse("1.0 3\n2.0 5 baseline checkpoint\n"));
	cl_assert_equal_i(1, rel[1].pub.baseline);
	cl_assert_equal_i(1, rel[1].pub.checkpoint);
	cl_assert_bad("1.0 3 checkpoint checkpoint\n", 1,
		"'checkpoint' is given twice", FORM);
	cl_assert_bad("1.0 3 baseline\n2.0 4\n3.0 5 baseline\n", 3,
		"release '3.0' is a second baseline",
		"a set starts at one baseline, '1.0' at line 1: remove the "
		"older lines with their migrations, or this word");
}

void test_releases__unknown_third_word(void)
{
	cl_assert_bad("1.0 3 Checkpoint\n", 1,
		"unknown word 'Checkpoint' after the version", FORM);
}

void test_releases__all_digit_name(void)
{
	cl_assert_bad("1.0 3\n\n5 7\n", 3, "invalid release name '5'",
		"a release name has letters, digits, '.', '_', '-' or '+', "
		"and not only digits (write '5.0', not '5')");
}

void test_releases__bad_name_characters(void)
{
	cl_assert_bad("release/1 3\n", 1, "invalid release name 'release/1'",
		"a release name has letters, digits, '.', '_', '-' or '+', "
		"and not only digits (write '5.0', not '5')");
	cl_assert_bad("1.0 3\n'2.0' 4\n", 2, "invalid release name ''2.0''",
		"a release name has letters, digits, '.', '_', '-' or '+', "
		"and not only digits (write '5.0', not '5')");
}

void test_releases__bad_versions(void)
{
	static const char hint[] = "a version is 1 to 18 digits, as in the "
				   "migration file names";

	cl_assert_bad("1.0 three\n", 1, "invalid version 'three'", hint);
	cl_assert_bad("1.0 -3\n", 1, "invalid version '-3'", hint);
	cl_assert_bad("1.0 +3\n", 1, "invalid version '+3'", hint);
	cl_assert_bad("1.0 3.1\n", 1, "invalid version '3.1'", hint);
	cl_assert_bad("1.0 0x10\n", 1, "invalid version '0x10'", hint);
	cl_assert_bad("1.0 3\n2.0 1000000000000000000\n", 2,
		"invalid version '1000000000000000000'", hint);
}

void test_releases__duplicate_name(void)
{
	cl_assert_bad("1.0 3\n# again\n1.1 5\n1.0 9\n", 4,
		"release '1.0' is listed twice", "the first one is at line 1");
}

void test_releases__versions_must_not_go_back(void)
{
	static const char hint[] = "list releases oldest first, each ending "
				   "at the same migration as the one before "
				   "or a newer one";

	cl_assert_bad("1.0 5\n\n1.1 3\n", 3,
		"release '1.1' ends at version 3, before release '1.0' (5)",
		hint);
	cl_assert_bad("1.0 5\n1.1 5\n1.2 0004\n", 3,
		"release '1.2' ends at version 4, before release '1.1' (5)",
		hint);
}

void test_releases__a_patch_release_ends_where_the_one_before_does(void)
{
	static const char t[] = "2.1.0 7\n2.1.0.1 0007\n";

	cl_ferry_pass(
		ferry__releases_parse(&rel, &n, t, sizeof(t) - 1, PATH, &err),
		&err);
	cl_assert_equal_i(n, 2);
	cl_assert_equal_s(rel[1].pub.name, "2.1.0.1");
	cl_assert_equal_i(rel[1].pub.last_version, 7);
}

void test_releases__nul_byte(void)
{
	static const char t[] = "1.0 3\n2.0\0 4\n";

	cl_assert_equal_i(
		ferry__releases_parse(&rel, &n, t, sizeof(t) - 1, PATH, &err),
		FERRY_EINVALID);
	cl_assert(rel == NULL);
	cl_assert_equal_s(err.message, "file contains a NUL byte");
	cl_assert_equal_s(err.file, PATH);
	/* Like every other error of this file, it names the line. */
	cl_assert_equal_i(err.line, 2);
}

void test_releases__error_without_err(void)
{
	cl_assert_equal_i(ferry__releases_parse(&rel, &n, "5 3", 3, PATH, NULL),
		FERRY_EINVALID);
	cl_assert(rel == NULL);
}
