/* SPDX-License-Identifier: MIT */
/*
 * params.c - migration parameters: the declarations a file's text holds
 * (ferry__params_each) and how bound values go into its SQL
 * (ferry__params_apply): psql's three forms, only in the open, and the
 * refusals. Pure text; the values are bound here by hand.
 */
#include "clar.h"
#include "ferry_int.h"

#include <string.h>

static ferry__bound_param bound[4];
static ferry__loaded file;
static ferry__buf out;
static ferry_error err;
static const ferry__src src = { "m.sql", 10, 1 };

void test_params__initialize(void)
{
	memset(bound, 0, sizeof(bound));
	memset(&file, 0, sizeof(file));
	memset(&out, 0, sizeof(out));
	file.params = bound;
	ferry_error_init(&err);
}

void test_params__cleanup(void)
{
	ferry__buf_release(&out);
}

static void bind(const char *name, const char *value)
{
	ferry__bound_param *b = &bound[file.nparams++];

	b->name = name;
	b->name_len = strlen(name);
	b->value = value;
	b->value_len = strlen(value);
}

/* `sql` with the values put in; "" when nothing changed; "error". */
static const char *apply(const char *sql, int mask)
{
	if (ferry__params_apply(
		    &file, sql, strlen(sql), &src, mask, &out, &err) < 0)
		return "error";
	return out.len ? ferry__buf_cstr(&out) : "";
}

void test_params__the_three_forms(void)
{
	bind("url", "http://it's");
	bind("port", "514");
	bind("tbl", "a\"b");
	cl_assert_equal_s("SELECT 'http://it''s', 514, \"a\"\"b\";",
		apply("SELECT :'url', :port, :\"tbl\";", 0));
}

void test_params__only_in_the_open(void)
{
	bind("port", "514");
	cl_assert_equal_s("", apply("SELECT ':port' -- :port\n;", 0));
	cl_assert_equal_s("", apply("/* :port */ SELECT $$ :port $$;", 0));
	cl_assert_equal_s("", apply("SELECT x::port, \":port\";", 0));
	cl_assert_equal_s("SELECT 514::int -- :port\n, 514;",
		apply("SELECT :port::int -- :port\n, :port;", 0));
}

void test_params__unknown_names(void)
{
	bind("port", "514");
	/* psql leaves :x alone; a quoted form of an undeclared name is a slip */
	cl_assert_equal_s("", apply("SELECT :portx, :1;", 0));
	cl_assert_equal_i(FERRY_EINVALID,
		ferry__params_apply(
			&file, "SELECT\n  :'prot';", 17, &src, 0, &out, &err));
	cl_assert_equal_s("m.sql", err.file);
	cl_assert_equal_i(11, err.line);
	cl_assert_equal_i(3, err.column);
}

void test_params__a_raw_value_with_a_semicolon_is_refused(void)
{
	bind("n", "1); DROP TABLE t; --");
	cl_assert_equal_i(FERRY_EINVALID,
		ferry__params_apply(
			&file, "SELECT :n;", 10, &src, 0, &out, &err));
	cl_assert_equal_i(8, err.column);
	ferry_error_init(&err);
	cl_assert_equal_s(
		"SELECT '1); DROP TABLE t; --';", apply("SELECT :'n';", 0));
}

void test_params__secrets_are_masked_on_request(void)
{
	bind("api_TOKEN", "s3cret");
	bind("port", "514");
	cl_assert_equal_s("SELECT 's3cret', 514;",
		apply("SELECT :'api_TOKEN', :port;", 0));
	cl_assert_equal_s(
		"SELECT '****', 514;", apply("SELECT :'api_TOKEN', :port;", 1));
	ferry__buf_release(&out);
	ferry__params_note(&file, &out);
	cl_assert_equal_s(
		"parameters: api_TOKEN=****, port=514", ferry__buf_cstr(&out));
}

static int collect(void *payload, const ferry__param_decl *d)
{
	ferry__buf *b = payload;

	ferry__buf_printf(b, "%d:%.*s=%s%.*s;", d->line, (int)d->name_len,
		d->name, d->has_default ? "" : "(none)", (int)d->value_len,
		d->value ? d->value : "");
	return 0;
}

void test_params__declarations(void)
{
	static const char text[] = "-- ferry:param a\n"
				   "-- FERRY:param b default 5 \n"
				   "SELECT 1; -- ferry:param c\n"
				   "--ferry:param d default\n";
	ferry__section sec[FERRY__NSECTIONS];

	cl_ferry_pass(ferry__parse_sections(
			      sec, text, strlen(text), "m.sql", NULL, &err),
		&err);
	ferry__params_each(text, strlen(text), collect, &out);
	cl_assert_equal_s("1:a=(none);2:b=5;4:d=;", ferry__buf_cstr(&out));
}
