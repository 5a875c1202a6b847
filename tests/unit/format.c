/* SPDX-License-Identifier: MIT */
/*
 * format.c - other tools' sets: versions as ferry's int64 (Flyway's
 * dotted ones in fixed-width parts), what `auto` finds in a directory,
 * markers cut into sections, and StatementBegin/End blocks kept whole.
 */
#include "clar.h"
#include "ferry_int.h"

#include <string.h>
#include <sys/stat.h>

static ferry_set *set;
static ferry_error err;
static char dir[512];

#define PUT(name, content) \
	cl_assert_equal_i(cl_write(dir, (name), (content)), 0)

void test_format__initialize(void)
{
	ferry_error_init(&err);
	set = NULL;
	snprintf(dir, sizeof(dir), "%s/migrations", cl_tmpdir());
	if (mkdir(dir, 0755) < 0)
		cl_fail("mkdir");
}

void test_format__cleanup(void)
{
	ferry_set_free(set);
	set = NULL;
}

static int64_t version(const char *text, int dotted)
{
	int64_t v = -1;

	if (ferry__format_version(text, strlen(text), dotted, &v, NULL) < 0)
		return -1;
	return v;
}

void test_format__integer_versions_stay_as_they_are(void)
{
	cl_assert(version("42", 0) == 42);
	cl_assert(version("0042", 0) == 42);
	cl_assert(version("20240101120000", 0) == 20240101120000LL);
	cl_assert(version("999999999999999999", 0) == 999999999999999999LL);
	cl_assert(version("1.0", 0) == 1);
	cl_assert(version("1.2", 0) == -1);
	cl_assert(version("", 0) == -1);
	cl_assert(version("1a", 0) == -1);
	cl_assert(version("1..2", 1) == -1);
}

void test_format__dotted_versions_sort_part_by_part(void)
{
	cl_assert(version("1.2.10", 1) == 1002010000000LL);
	cl_assert(version("1.2.9", 1) == 1002009000000LL);
	cl_assert(version("1.2.10", 1) > version("1.2.9", 1));
	cl_assert(version("1_2_10", 1) == version("1.2.10", 1));
	cl_assert(version("1", 1) == 1000000000000LL);
	cl_assert(version("1.0.0", 1) == version("1", 1));
	cl_assert(version("01.002", 1) == version("1.2", 1));
	cl_assert(version("2", 1) > version("1.999.999.999.999", 1));
	cl_assert(version("999999.999.999.999.999", 1) == 999999999999999999LL);
	cl_assert(version("1.2.3.4.5.0", 1) == version("1.2.3.4.5", 1));
}

void test_format__dotted_versions_that_do_not_fit_are_refused(void)
{
	cl_assert(version("1000000", 1) == -1);
	cl_assert(version("1.1000", 1) == -1);
	cl_assert(version("1.2.3.4.5.6", 1) == -1);
	cl_assert(version("1.", 1) == -1);
}

static ferry_format detect(void)
{
	ferry_format f = FERRY_FORMAT_AUTO;

	if (ferry__format_detect(dir, &f, &err) < 0)
		return (ferry_format)-1;
	return f;
}

void test_format__auto_finds_each_layout(void)
{
	PUT("1_a.up.sql", "select 1;\n");
	cl_assert_equal_i(detect(), FERRY_FORMAT_GOLANG_MIGRATE);
	PUT("2_b.up.sql", "-- no-transaction\nselect 1;\n");
	cl_assert_equal_i(detect(), FERRY_FORMAT_SQLX);
}

void test_format__auto_reads_the_first_marker(void)
{
	cl_assert_equal_i(detect(), FERRY_FORMAT_FERRY);
	PUT("1_a.sql", "-- note\n-- +goose Up\nselect 1;\n");
	cl_assert_equal_i(detect(), FERRY_FORMAT_GOOSE);
}

void test_format__auto_knows_the_directory_layouts(void)
{
	char sub[600], want[1024];

	snprintf(sub, sizeof(sub), "%s/2017-11-09-185015_posts", dir);
	cl_assert_equal_i(mkdir(sub, 0755), 0);
	cl_assert_equal_i(cl_write(sub, "up.sql", "select 1;\n"), 0);
	cl_assert_equal_i(detect(), FERRY_FORMAT_DIESEL);
	PUT("migration_lock.toml", "provider = \"sqlite\"\n");
	cl_assert_equal_i(ferry__format_detect(dir, &(ferry_format){ 0 }, &err),
		FERRY_EINVALID);
	snprintf(want, sizeof(want),
		"'%s' mixes two layouts: diesel ('2017-11-09-185015_posts') "
		"and prisma ('migration_lock.toml')",
		dir);
	cl_assert_equal_s(err.message, want);
}

void test_format__flyway_sets_sort_dotted_versions(void)
{
	ferry_set_options o = FERRY_SET_OPTIONS_INIT;

	PUT("V1.2.10__b.sql", "select 2;\n");
	PUT("V1.2.9__a.sql", "select 1;\n");
	PUT("U1.2.10__b.sql", "select 3;\n");
	PUT("R__views.sql", "select 4;\n");
	cl_ferry_pass(ferry_set_open_with(&set, dir, &o, &err), &err);
	cl_assert_equal_i(ferry_set_format(set), FERRY_FORMAT_FLYWAY);
	cl_assert_equal_i((int)ferry_set_count(set), 2);
	cl_assert_equal_s(ferry_set_at(set, 0)->version_text, "1.2.9");
	cl_assert_equal_s(ferry_set_at(set, 1)->version_text, "1.2.10");
	cl_assert(ferry_set_at(set, 1)->has_down);
	cl_assert(!ferry_set_at(set, 0)->has_down);
	cl_assert_equal_i((int)ferry_set_repeatable_count(set), 1);
	cl_assert_equal_s(ferry_set_repeatable_at(set, 0)->name, "views");
}

void test_format__goose_markers_cut_sections(void)
{
	static const char text[] = "-- +goose NO TRANSACTION\n"
				   "-- +goose Up\n"
				   "-- +goose StatementBegin\n"
				   "select 1; select 2;\n"
				   "-- +goose StatementEnd\n"
				   "-- +goose Down\n"
				   "select 3;\n";
	ferry__section sec[FERRY__NSECTIONS];

	cl_ferry_pass(ferry__markers_parse(FERRY_FORMAT_GOOSE, sec, text,
			      strlen(text), "x.sql", NULL, &err),
		&err);
	cl_assert(sec[FERRY__UP].present && sec[FERRY__DOWN].present);
	cl_assert(sec[FERRY__UP].no_transaction);
	cl_assert(sec[FERRY__UP].blocks && !sec[FERRY__DOWN].blocks);
	cl_assert_equal_i(sec[FERRY__UP].line, 3);
	cl_assert_equal_i(sec[FERRY__DOWN].line, 7);
	cl_assert(memcmp(text + sec[FERRY__DOWN].offset, "select 3;\n",
			  sec[FERRY__DOWN].len) == 0);
}

void test_format__goose_refuses_an_unclosed_block(void)
{
	static const char text[] = "-- +goose Up\n"
				   "-- +goose StatementBegin\n"
				   "select 1;\n";
	ferry__section sec[FERRY__NSECTIONS];

	cl_assert_equal_i(ferry__markers_parse(FERRY_FORMAT_GOOSE, sec, text,
				  strlen(text), "x.sql", NULL, &err),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "'-- +goose StatementBegin' is never closed");
	cl_assert_equal_i(err.line, 2);
}

void test_format__dbmate_transaction_false(void)
{
	static const char text[] = "-- migrate:up transaction:false\n"
				   "vacuum;\n"
				   "-- migrate:down\n";
	ferry__section sec[FERRY__NSECTIONS];

	cl_ferry_pass(ferry__markers_parse(FERRY_FORMAT_DBMATE, sec, text,
			      strlen(text), "x.sql", NULL, &err),
		&err);
	cl_assert(sec[FERRY__UP].no_transaction);
	cl_assert(!sec[FERRY__DOWN].no_transaction);
	cl_assert_equal_i((int)sec[FERRY__DOWN].len, 0);
}

static int count(void *payload, size_t offset, size_t len)
{
	(void)offset;
	(void)len;
	(*(int *)payload)++;
	return 0;
}

void test_format__a_block_is_one_statement(void)
{
	static const char text[] = "select 0;\n"
				   "-- +goose StatementBegin\n"
				   "select 1; select 2;\n"
				   "-- +goose StatementEnd\n"
				   "select 3; select 4;\n";
	ferry__spans spans;
	ferry__split_error serr = { 0, NULL, NULL };
	int n = 0;

	cl_assert_equal_i(ferry__split_blocks_each(text, strlen(text), 1,
				  FERRY__DIALECT_PG, count, &n, &serr),
		0);
	cl_assert_equal_i(n, 4);
	n = 0;
	cl_assert_equal_i(ferry__split_blocks_each(text, strlen(text), 0,
				  FERRY__DIALECT_PG, count, &n, &serr),
		0);
	cl_assert_equal_i(n, 5);
	cl_assert_equal_i(ferry__split_blocks(&spans, text, strlen(text), 1,
				  FERRY__DIALECT_PG, &serr),
		0);
	cl_assert_equal_i((int)spans.n, 4);
	cl_assert(memcmp(text + spans.v[1].offset, "select 1; select 2;",
			  spans.v[1].len) == 0 &&
		spans.v[1].len == strlen("select 1; select 2;"));
	ferry__spans_clear(&spans);
}

void test_format__names_parse_and_print(void)
{
	ferry_format f = FERRY_FORMAT_AUTO;

	cl_ferry_pass(ferry_format_parse(&f, "golang-migrate", &err), &err);
	cl_assert_equal_i(f, FERRY_FORMAT_GOLANG_MIGRATE);
	cl_assert_equal_s(
		ferry_format_name(FERRY_FORMAT_SQL_MIGRATE), "sql-migrate");
	cl_assert_equal_i(
		ferry_format_parse(&f, "Flyway", &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unknown format 'Flyway'");
	cl_assert(ferry_format_name((ferry_format)99) == NULL);
}

static int parse(ferry_format f, const char *text, ferry__section *sec)
{
	return ferry__markers_parse(
		f, sec, text, strlen(text), "x.sql", NULL, &err);
}

void test_format__markers_are_read_as_exactly_as_their_tools_do(void)
{
	ferry__section sec[FERRY__NSECTIONS];

	/* goose and sql-migrate match their words case-sensitively. */
	cl_assert_equal_i(
		parse(FERRY_FORMAT_GOOSE, "-- +goose up\nselect 1;\n", sec),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message, "unknown marker '-- +goose up'");
	cl_assert_equal_i(err.line, 1);
	cl_assert_equal_i(parse(FERRY_FORMAT_SQL_MIGRATE,
				  "-- +migrate up\nselect 1;\n", sec),
		FERRY_EINVALID);
	cl_assert_equal_i(parse(FERRY_FORMAT_GOOSE,
				  "-- +goose ENVSUBST ON\n-- +goose Up\n", sec),
		FERRY_EINVALID);
	/* goose trims after "--"; sql-migrate wants "-- +migrate ". */
	cl_ferry_pass(
		parse(FERRY_FORMAT_GOOSE, "--+goose Up\nselect 1;\n", sec),
		&err);
	cl_ferry_pass(parse(FERRY_FORMAT_SQL_MIGRATE,
			      "-- +migrate Down\nselect 2;\n"
			      "-- +migrate Up notransaction other\nselect 1;\n",
			      sec),
		&err);
	cl_assert(sec[FERRY__UP].no_transaction && sec[FERRY__UP].line == 4);
	/* goose wants its down section after the up one. */
	cl_assert_equal_i(
		parse(FERRY_FORMAT_GOOSE,
			"-- +goose Down\nselect 2;\n-- +goose Up\n", sec),
		FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, "'-- +goose Down' before the up section");
}

void test_format__dbmate_options_and_its_down_block(void)
{
	ferry__section sec[FERRY__NSECTIONS];

	cl_ferry_pass(
		parse(FERRY_FORMAT_DBMATE,
			"--migrate:up foo:bar transaction:false\nvacuum;\n"
			"-- migrate:down transaction:FALSE\n",
			sec),
		&err);
	cl_assert(sec[FERRY__UP].no_transaction);
	cl_assert(!sec[FERRY__DOWN].no_transaction);
	cl_assert_equal_i(
		parse(FERRY_FORMAT_DBMATE, "-- migrate:up\nselect 1;\n", sec),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message, "no '-- migrate:down' marker");
	cl_assert_equal_i(parse(FERRY_FORMAT_DBMATE,
				  "create table t (x int);\n-- migrate:up\n"
				  "-- migrate:down\n",
				  sec),
		FERRY_EINVALID);
	cl_assert_equal_s(err.message, "SQL before '-- migrate:up'");
}

void test_format__open_with_checks_its_options(void)
{
	ferry_set_options o = FERRY_SET_OPTIONS_INIT;

	PUT("00001_a.sql", "-- +goose Up\nselect 1;\n");
	o.version = 99;
	cl_assert_equal_i(
		ferry_set_open_with(&set, dir, &o, &err), FERRY_EINVALID);
	cl_assert(set == NULL);
	cl_assert_equal_s(err.message, "invalid argument: 'opts' (version 99)");
	o.version = FERRY_SET_OPTIONS_VERSION;
	o.format = (ferry_format)42;
	cl_assert_equal_i(
		ferry_set_open_with(&set, dir, &o, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "invalid argument: 'format'");
	/* ferry_set_open() is auto. */
	cl_ferry_pass(ferry_set_open(&set, dir, &err), &err);
	cl_assert_equal_i(ferry_set_format(set), FERRY_FORMAT_GOOSE);
	cl_assert_equal_s(ferry_set_at(set, 0)->id, "00001_a");
	cl_assert_equal_s(ferry_set_at(set, 0)->name, "a");
	cl_assert_equal_s(ferry_set_at(set, 0)->version_text, "1");
}

void test_format__a_named_format_is_read_as_named(void)
{
	ferry_set_options o = FERRY_SET_OPTIONS_INIT;

	PUT("1_a.sql", "select 1;\n");
	o.format = FERRY_FORMAT_SQLX;
	cl_ferry_pass(ferry_set_open_with(&set, dir, &o, &err), &err);
	cl_assert_equal_i(ferry_set_format(set), FERRY_FORMAT_SQLX);
	ferry_set_free(set);
	set = NULL;
	o.format = FERRY_FORMAT_DBMATE;
	cl_assert_equal_i(
		ferry_set_open_with(&set, dir, &o, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, "no '-- migrate:up' marker");
}
