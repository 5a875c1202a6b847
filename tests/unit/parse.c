/* SPDX-License-Identifier: MIT */
/*
 * parse.c - a migration file's sections (ferry__parse_sections): markers
 * and their options, where each body starts and ends, the errors that name
 * path:line, and the per-section SHA-256 with CRLF read as LF.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>

#define PATH "migrations/0001_a.sql"

/* SHA-256 of "CREATE TABLE t (a int);\n", from sha256sum(1). */
#define SHA_CREATE \
	"25312a357ba5c43fcf8242755b307bf3c82a057fcc4c030926b979b34cca9bc8"
/* SHA-256 of "DROP TABLE t;\n". */
#define SHA_DROP \
	"2b7ffedb74b81e66d9bf4a83e5d7eb5ef17380c664415459a009e2827d6b9dbd"
/* SHA-256 of no bytes. */
#define SHA_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static ferry__section sec[FERRY__NSECTIONS];
static ferry_error err;
static const char *text;
static char *file_a, *file_b;

void test_parse__initialize(void)
{
	ferry_error_init(&err);
	text = NULL;
}

void test_parse__cleanup(void)
{
	free(file_a);
	free(file_b);
	file_a = file_b = NULL;
}

static int parse(const char *t)
{
	text = t;
	return ferry__parse_sections(sec, t, strlen(t), PATH, NULL, &err);
}

/* The body of section `k` of the text last parsed. */
static const char *body(int k)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%.*s", (int)sec[k].len,
		text + sec[k].offset);
	return buf;
}

static const char *sha(const ferry__section *s)
{
	static char hex[65];

	ferry__hex(hex, s->sha);
	return hex;
}

void test_parse__no_marker_is_all_up(void)
{
	cl_ferry_pass(parse("CREATE TABLE t (a int);\n"), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].offset, 0);
	cl_assert_equal_i(sec[FERRY__UP].len, 24);
	cl_assert_equal_i(sec[FERRY__UP].line, 1);
	cl_assert_equal_i(sec[FERRY__UP].no_transaction, 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__comment_only_file_is_all_up(void)
{
	cl_ferry_pass(parse("-- nothing to do yet\n/* really */\n"), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_s(
		body(FERRY__UP), "-- nothing to do yet\n/* really */\n");
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__empty_file(void)
{
	cl_ferry_pass(parse(""), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].offset, 0);
	cl_assert_equal_i(sec[FERRY__UP].len, 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_EMPTY);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__three_sections(void)
{
	cl_ferry_pass(parse("-- Add t.\n"		/* line 1 */
			    "-- ferry:up\n"		/* 2, offset 10 */
			    "CREATE TABLE t (a int);\n" /* 3, offset 22 */
			    "-- ferry:finish\n"		/* 4, offset 46 */
			    "DELETE FROM t;\n"		/* 5, offset 62 */
			    "\n"			/* 6 */
			    "-- ferry:down\n"		/* 7, offset 78 */
			    "DROP TABLE t;\n"),		/* 8, offset 92 */
		&err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].offset, 22);
	cl_assert_equal_i(sec[FERRY__UP].len, 24);
	cl_assert_equal_i(sec[FERRY__UP].line, 3);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);

	cl_assert_equal_i(sec[FERRY__FINISH].present, 1);
	cl_assert_equal_i(sec[FERRY__FINISH].offset, 62);
	cl_assert_equal_i(sec[FERRY__FINISH].len, 16);
	cl_assert_equal_i(sec[FERRY__FINISH].line, 5);
	cl_assert_equal_s(body(FERRY__FINISH), "DELETE FROM t;\n\n");

	cl_assert_equal_i(sec[FERRY__DOWN].present, 1);
	cl_assert_equal_i(sec[FERRY__DOWN].offset, 92);
	cl_assert_equal_i(sec[FERRY__DOWN].len, 14);
	cl_assert_equal_i(sec[FERRY__DOWN].line, 8);
	cl_assert_equal_s(sha(&sec[FERRY__DOWN]), SHA_DROP);
	cl_assert_equal_i(sec[FERRY__UP].no_transaction, 0);
	cl_assert_equal_i(sec[FERRY__FINISH].no_transaction, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].no_transaction, 0);
}

void test_parse__sections_in_any_order(void)
{
	cl_ferry_pass(parse("-- ferry:down\nDROP TABLE t;\n"
			    "-- ferry:up\nCREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_i(sec[FERRY__UP].line, 4);
	cl_assert_equal_s(body(FERRY__DOWN), "DROP TABLE t;\n");
	cl_assert_equal_i(sec[FERRY__DOWN].line, 2);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 0);
}

void test_parse__last_line_without_newline(void)
{
	cl_ferry_pass(parse("-- ferry:up\nSELECT 1;"), &err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1;");
	cl_ferry_pass(parse("-- ferry:up\nSELECT 1;\n-- ferry:down"), &err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1;\n");
	cl_assert_equal_i(sec[FERRY__DOWN].present, 1);
	cl_assert_equal_i(sec[FERRY__DOWN].len, 0);
}

void test_parse__markers_without_up(void)
{
	cl_ferry_pass(parse("-- header\n-- ferry:finish\nDELETE FROM t;\n"
			    "-- ferry:down\nSELECT 1;\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].len, 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_EMPTY);
	cl_assert_equal_s(body(FERRY__FINISH), "DELETE FROM t;\n");
	cl_assert_equal_s(body(FERRY__DOWN), "SELECT 1;\n");
}

void test_parse__empty_sections(void)
{
	cl_ferry_pass(
		parse("-- ferry:up\n-- ferry:finish\n-- ferry:down\n"), &err);
	cl_assert_equal_i(sec[FERRY__UP].present, 1);
	cl_assert_equal_i(sec[FERRY__UP].len, 0);
	cl_assert_equal_i(sec[FERRY__UP].line, 2);
	cl_assert_equal_i(sec[FERRY__FINISH].present, 1);
	cl_assert_equal_i(sec[FERRY__FINISH].len, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].present, 1);
	cl_assert_equal_i(sec[FERRY__DOWN].len, 0);
	cl_assert_equal_s(sha(&sec[FERRY__FINISH]), SHA_EMPTY);
}

void test_parse__no_transaction_option(void)
{
	cl_ferry_pass(
		parse("-- ferry:up no-transaction\n"
		      "CREATE INDEX CONCURRENTLY i ON t (a);\n"
		      "-- ferry:finish\nSELECT 1;\n"
		      "-- ferry:down   no-transaction  \nDROP INDEX i;\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__UP].no_transaction, 1);
	cl_assert_equal_i(sec[FERRY__FINISH].no_transaction, 0);
	cl_assert_equal_i(sec[FERRY__DOWN].no_transaction, 1);
	cl_assert_equal_s(
		body(FERRY__UP), "CREATE INDEX CONCURRENTLY i ON t (a);\n");
	cl_assert_equal_s(body(FERRY__DOWN), "DROP INDEX i;\n");
}

void test_parse__marker_spelling(void)
{
	/* Case, blanks around "--" and after "ferry:", a CR at the end. */
	cl_ferry_pass(parse("  --ferry:UP\r\nSELECT 1;\n"
			    "--  Ferry:Finish No-Transaction\nSELECT 2;\n"
			    "\t-- FERRY: down\nSELECT 3;\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "SELECT 1;\n");
	cl_assert_equal_s(body(FERRY__FINISH), "SELECT 2;\n");
	cl_assert_equal_i(sec[FERRY__FINISH].no_transaction, 1);
	cl_assert_equal_s(body(FERRY__DOWN), "SELECT 3;\n");
}

void test_parse__comment_lines_are_not_markers(void)
{
	cl_ferry_pass(
		parse("-- ferry:up\n-- ferry up, ferry down\n"
		      "--- ferry:up is how a section starts\nSELECT 1;\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP),
		"-- ferry up, ferry down\n"
		"--- ferry:up is how a section starts\nSELECT 1;\n");
	cl_assert_equal_i(sec[FERRY__DOWN].present, 0);
}

void test_parse__unknown_marker(void)
{
	cl_assert_equal_i(parse("-- ferry:up\nSELECT 1;\n-- ferry:dwon\n"
				"SELECT 2;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unknown marker 'ferry:dwon'");
	cl_assert_equal_s(err.hint,
		"a section starts with '-- ferry:up', "
		"'-- ferry:finish' or '-- ferry:down'");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 3);
}

void test_parse__unknown_marker_joined_option(void)
{
	cl_assert_equal_i(parse("-- ferry:up-no-transaction\nSELECT 1;\n"),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "unknown marker 'ferry:up-no-transaction'");
	cl_assert_equal_i(err.line, 1);
}

void test_parse__empty_marker(void)
{
	cl_assert_equal_i(
		parse("-- a\n-- ferry:\nSELECT 1;\n"), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unknown marker 'ferry:'");
	cl_assert_equal_i(err.line, 2);
}

void test_parse__unknown_option(void)
{
	cl_assert_equal_i(
		parse("-- ferry:up\nSELECT 1;\n"
		      "-- ferry:Down no-transaction notx\nSELECT 2;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "unknown option 'notx' on marker 'ferry:down'");
	cl_assert_equal_s(err.hint,
		"the only marker option is "
		"'no-transaction'");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 3);
}

void test_parse__second_section_of_a_kind(void)
{
	cl_assert_equal_i(
		parse("-- top\n-- ferry:up\nSELECT 1;\n"
		      "-- ferry:down\nSELECT 2;\n-- ferry:up\nSELECT 3;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message, "second '-- ferry:up' section");
	cl_assert_equal_s(err.hint,
		"the first one starts at line 2; a file "
		"has at most one of each section");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 6);
}

void test_parse__sql_before_first_marker(void)
{
	cl_assert_equal_i(parse("-- Add t.\n\n  CREATE TABLE t (a int);\n"
				"-- ferry:up\nSELECT 1;\n"),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "SQL before the first '-- ferry:' marker");
	cl_assert_equal_s(err.hint,
		"move it below '-- ferry:up', or start "
		"the file with that marker");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 3);
	cl_assert_equal_i(err.column, 3);
}

void test_parse__sql_after_block_comment_before_marker(void)
{
	cl_assert_equal_i(parse("/* a\n * b */ SELECT 1;\n-- ferry:down\n"),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "SQL before the first '-- ferry:' marker");
	cl_assert_equal_i(err.line, 2);
	cl_assert_equal_i(err.column, 9);
}

void test_parse__comments_before_first_marker(void)
{
	cl_ferry_pass(parse("-- Add t.\n\n/* several\n   lines */\n\t\n"
			    "-- ferry:up\nCREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_i(sec[FERRY__UP].line, 7);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
}

void test_parse__nul_byte(void)
{
	static const char t[] = "-- ferry:up\nSELECT\0 1;\n";

	text = t;
	cl_assert_equal_i(
		ferry__parse_sections(sec, t, sizeof(t) - 1, PATH, NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message, "file contains a NUL byte");
	cl_assert_equal_s(err.hint,
		"migration files are UTF-8 text; convert "
		"the file (UTF-16 is not supported)");
	cl_assert_equal_s(err.file, PATH);
	cl_assert_equal_i(err.line, 2);
	cl_assert_equal_i(err.column, 7);
}

void test_parse__utf16_is_a_nul_byte(void)
{
	/* "SE" in UTF-16LE, after its byte order mark. */
	static const char t[] = "\xFF\xFE"
				"S\0E\0";

	text = t;
	cl_assert_equal_i(
		ferry__parse_sections(sec, t, sizeof(t) - 1, PATH, NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message, "file contains a NUL byte");
	cl_assert_equal_i(err.line, 1);
	cl_assert_equal_i(err.column, 4);
}

void test_parse__bom_is_skipped(void)
{
	cl_ferry_pass(parse("\xEF\xBB\xBF"
			    "CREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_i(sec[FERRY__UP].offset, 3);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);

	cl_ferry_pass(parse("\xEF\xBB\xBF-- ferry:up\n"
			    "CREATE TABLE t (a int);\n"),
		&err);
	cl_assert_equal_s(body(FERRY__UP), "CREATE TABLE t (a int);\n");
	cl_assert_equal_i(sec[FERRY__UP].line, 2);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
}

void test_parse__error_without_err(void)
{
	cl_assert_equal_i(ferry__parse_sections(
				  sec, "-- ferry:x\n", 11, PATH, NULL, NULL),
		FERRY_EINVALID);
}

/* Write `content` to a file and read it back as ferry does. */
static int read_back(
	const char *name, const char *content, char **out, size_t *len)
{
	const char *dir = cl_tmpdir();

	if (cl_write(dir, name, content) < 0)
		return -1;
	return ferry__read_file(cl_path(dir, name), out, len, &err);
}

void test_parse__crlf_and_lf_checksums_agree(void)
{
	ferry__section lf[FERRY__NSECTIONS], crlf[FERRY__NSECTIONS];
	ferry__hasher h;
	size_t la, lb;
	int k, rc;

	cl_ferry_pass(
		read_back("lf.sql",
			"-- ferry:up\n"
			"CREATE TABLE t (a int);\n-- ferry:finish\nSELECT 1;\n"
			"-- ferry:down\nDROP TABLE t;\n",
			&file_a, &la),
		&err);
	cl_ferry_pass(
		read_back("crlf.sql",
			"-- ferry:up\r\n"
			"CREATE TABLE t (a int);\r\n-- ferry:finish\r\nSELECT 1;\r\n"
			"-- ferry:down\r\nDROP TABLE t;\r\n",
			&file_b, &lb),
		&err);
	cl_assert_equal_i(la, lb);
	cl_assert_equal_s(file_a, file_b);
	/* One-off hashing for one, a reused hasher for the other. */
	cl_ferry_pass(
		ferry__parse_sections(lf, file_a, la, "lf.sql", NULL, &err),
		&err);
	cl_assert_equal_i(ferry__hasher_init(&h), 0);
	rc = ferry__parse_sections(crlf, file_b, lb, "crlf.sql", &h, &err);
	ferry__hasher_release(&h);
	cl_ferry_pass(rc, &err);
	for (k = 0; k < FERRY__NSECTIONS; k++) {
		cl_assert_equal_i(crlf[k].present, 1);
		cl_assert(memcmp(lf[k].sha, crlf[k].sha, 32) == 0);
	}
	cl_assert_equal_s(sha(&crlf[FERRY__UP]), SHA_CREATE);
	cl_assert_equal_s(sha(&crlf[FERRY__DOWN]), SHA_DROP);
}

void test_parse__one_byte_changes_the_checksum(void)
{
	ferry__section a[FERRY__NSECTIONS], b[FERRY__NSECTIONS];
	size_t la, lb;

	cl_ferry_pass(
		read_back("a.sql",
			"-- ferry:up\n"
			"CREATE TABLE t (a int);\n-- ferry:down\nDROP TABLE t;\n",
			&file_a, &la),
		&err);
	cl_ferry_pass(
		read_back("b.sql",
			"-- ferry:up\n"
			"CREATE TABLE t (a Int);\n-- ferry:down\nDROP TABLE t;\n",
			&file_b, &lb),
		&err);
	cl_ferry_pass(ferry__parse_sections(a, file_a, la, "a.sql", NULL, &err),
		&err);
	cl_ferry_pass(ferry__parse_sections(b, file_b, lb, "b.sql", NULL, &err),
		&err);
	cl_assert_equal_s(sha(&a[FERRY__UP]), SHA_CREATE);
	cl_assert(memcmp(a[FERRY__UP].sha, b[FERRY__UP].sha, 32) != 0);
	/* The down sections are the same bytes. */
	cl_assert(memcmp(a[FERRY__DOWN].sha, b[FERRY__DOWN].sha, 32) == 0);
}

void test_parse__marker_line_is_not_in_the_checksum(void)
{
	ferry__section a[FERRY__NSECTIONS];

	cl_ferry_pass(parse("-- ferry:up no-transaction\n"
			    "CREATE TABLE t (a int);\n"),
		&err);
	memcpy(a, sec, sizeof(a));
	cl_ferry_pass(parse("-- ferry:up\nCREATE TABLE t (a int);\n"), &err);
	cl_assert(memcmp(a[FERRY__UP].sha, sec[FERRY__UP].sha, 32) == 0);
	cl_assert_equal_s(sha(&sec[FERRY__UP]), SHA_CREATE);
}
