#!/bin/sh
test_description='migration parameters: -- ferry:param, --set, FERRY_PARAM_x, ferry.conf'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 4: a site-specific value (a new Cloudify URL, a log port)
# given by the operator instead of edited into the vendor's SQL. psql's
# forms: :name as it is, :'name' a literal, :"name" an identifier.

q="'"

setting() {
	db_sql "SELECT v FROM settings WHERE k = ${q}$1${q}"
}

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/0001_settings.sql <<-\EOF &&
	-- Site settings: the manager URL has no default, the port has one.
	-- ferry:param manager_url
	-- ferry:param log_port default 514
	-- ferry:param table_name default site_notes
	-- ferry:param api_token default none
	-- ferry:up
	CREATE TABLE settings (k text PRIMARY KEY, v text);
	INSERT INTO settings VALUES ('"'"'url'"'"', :'"'"'manager_url'"'"');
	INSERT INTO settings VALUES ('"'"'port'"'"', CAST(:log_port AS text));
	INSERT INTO settings VALUES ('"'"'token'"'"', :'"'"'api_token'"'"');
	-- Not replaced: :manager_url in a comment, nor in a string.
	INSERT INTO settings VALUES ('"'"'text'"'"', '"'"':manager_url and :'"'"''"'"'x'"'"''"'"''"'"');
	CREATE TABLE :"table_name" (note text);
	EOF
	db_snapshot empty
'

test_expect_success 'a parameter without value or default: exit 2 before anything runs' '
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	cat >expect <<-EOF &&
	ferry: error: migrations/0001_settings.sql:2:1: parameter ${q}manager_url${q} of migration ${q}0001_settings${q} has no value
	hint: give it with --set manager_url=VALUE, FERRY_PARAM_manager_url=VALUE or ${q}param.manager_url = VALUE${q} in ferry.conf, or declare a default
	EOF
	test_cmp expect err &&
	test_expect_code 2 ferry -d "$DB_URL" up --dry-run >out 2>err &&
	test_expect_code 2 ferry -d "$DB_URL" up --check >out 2>err &&
	db_snapshot after &&
	test_cmp empty after
'

test_expect_success '--dry-run shows the SQL with the values put in, secrets masked' '
	ferry -d "$DB_URL" up --dry-run --set "manager_url=https://m.example/it${q}s" \
		--set api_token=s3cr3t >out &&
	grep "^INSERT INTO settings VALUES (${q}url${q}, ${q}https://m.example/it${q}${q}s${q});$" out &&
	grep "^INSERT INTO settings VALUES (${q}port${q}, CAST(514 AS text));$" out &&
	grep "^INSERT INTO settings VALUES (${q}token${q}, ${q}\*\*\*\*${q});$" out &&
	grep "^-- Not replaced: :manager_url in a comment, nor in a string.$" out &&
	grep "^CREATE TABLE \"site_notes\" (note text);$" out &&
	! grep s3cr3t out
'

test_expect_success 'values from ferry.conf, the environment and --set, in that order of strength' '
	cat >ferry.conf <<-\EOF &&
	param.manager_url = https://from-conf.example
	param.log_port = 1514
	param.api_token = from-conf
	EOF
	FERRY_PARAM_log_port=2514 FERRY_PARAM_api_token=from-env \
		ferry -d "$DB_URL" up --set "api_token=it${q}s; a secret" >out 2>err &&
	test "$(setting url)" = "https://from-conf.example" &&
	test "$(setting port)" = 2514 &&
	test "$(setting token)" = "it${q}s; a secret" &&
	test "$(setting text)" = ":manager_url and :${q}x${q}" &&
	test "$(db_sql "SELECT count(*) FROM site_notes")" = 0
'

test_expect_success 'the history has the values, secrets masked; the checksum is of the file' '
	db_sql "SELECT error FROM ferry_history WHERE action = ${q}up${q}" >actual &&
	echo "parameters: manager_url=https://from-conf.example, log_port=2514, table_name=site_notes, api_token=****" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" history >out &&
	grep "ok: parameters: manager_url=https://from-conf.example, log_port=2514, table_name=site_notes, api_token=\*\*\*\*" out &&
	! grep "a secret" out &&
	ferry -d "$DB_URL" status --set log_port=9 >out &&
	grep "^drift       none$" out
'

test_expect_success 'a raw :name whose value holds ; is refused before anything runs' '
	cat >migrations/0002_more.sql <<-\EOF &&
	-- ferry:param extra default 1
	CREATE TABLE more (a integer);
	INSERT INTO more VALUES (:extra);
	EOF
	db_snapshot before &&
	test_expect_code 2 ferry -d "$DB_URL" up --set "extra=1); DROP TABLE settings; --" >out 2>err &&
	grep "^ferry: error: migrations/0002_more.sql:3:26: the value of parameter ${q}extra${q} holds ${q};${q}, which ${q}:extra${q} would put in the SQL as it is$" err &&
	grep "^hint: write :${q}extra${q} for a quoted literal, or give a value without ${q};${q}$" err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success ':${q}x${q} of a name the file does not declare is refused, at its place' '
	cat >migrations/0002_more.sql <<-\EOF &&
	-- ferry:param extra default 1
	CREATE TABLE more (a text);
	INSERT INTO more VALUES (:'"'"'extar'"'"');
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: migrations/0002_more.sql:3:26: parameter ${q}extar${q} is used but not declared$" err &&
	grep "^hint: declare it in the file with ${q}-- ferry:param extar${q}, or correct the name$" err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'in a no-transaction section and a precondition too' '
	cat >migrations/0002_more.sql <<-\EOF &&
	-- ferry:param batch default 2
	-- ferry:param min_rows default 0
	-- ferry:up no-transaction
	CREATE TABLE more (a integer);
	-- ferry:require settings must hold rows
	SELECT count(*) > :min_rows FROM settings;
	INSERT INTO more VALUES (:batch);
	EOF
	ferry -d "$DB_URL" up --set batch=7 >out 2>err &&
	test "$(db_sql "SELECT a FROM more")" = 7 &&
	cat >migrations/0003_again.sql <<-\EOF &&
	-- ferry:param min_rows default 0
	-- ferry:require settings must hold more rows
	SELECT count(*) > :min_rows FROM settings;
	CREATE TABLE again (a integer);
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up --set min_rows=99 >out 2>err &&
	grep "^ferry: error: migrations/0003_again.sql:3:1: precondition of 0003_again not met$" err
'

test_expect_success 'PostgreSQL: casts, dollar quotes and identifiers' '
	rm migrations/0003_again.sql &&
	if test "$ENGINE" != pg; then
		echo "# PostgreSQL only" && return 0
	fi &&
	cat >migrations/0003_pg.sql <<-\EOF &&
	-- ferry:param schema_name default app_data
	-- ferry:param limit_rows default 5
	CREATE SCHEMA :"schema_name";
	CREATE TABLE :"schema_name".t (n integer);
	INSERT INTO :"schema_name".t SELECT :limit_rows::integer;
	CREATE FUNCTION :"schema_name".f() RETURNS text LANGUAGE sql AS $$ SELECT '"'"':limit_rows'"'"'::text; $$;
	EOF
	ferry -d "$DB_URL" up --set "schema_name=My \"Schema\"" >out 2>err &&
	test "$(db_sql "SELECT n FROM \"My \"\"Schema\"\"\".t")" = 5 &&
	test "$(db_sql "SELECT \"My \"\"Schema\"\"\".f()")" = ":limit_rows"
'

test_expect_success 'bad declarations and bad values are refused (exit 2)' '
	db_snapshot before &&
	printf -- "-- ferry:param 9lives\nSELECT 1;\n" >migrations/0004_again.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: migrations/0004_again.sql:1: invalid ${q}-- ferry:param${q} line$" err &&
	grep "^hint: a parameter${q}s name is a letter or ${q}_${q}, then letters, digits and ${q}_${q}, at most 63 of them, e.g. ${q}-- ferry:param log_port default 514${q}$" err &&
	printf -- "-- ferry:param a dflt 3\nSELECT 1;\n" >migrations/0004_again.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^hint: after the name, only ${q}default VALUE${q}, e.g." err &&
	printf -- "-- ferry:param a\n-- ferry:param a default 2\nSELECT 1;\n" >migrations/0004_again.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: migrations/0004_again.sql:2: parameter ${q}a${q} is declared twice$" err &&
	grep "^hint: the first declaration is at line 1$" err &&
	rm -f migrations/0004_again.sql &&
	test_expect_code 2 ferry -d "$DB_URL" up --set novalue >out 2>err &&
	grep "^ferry: error: --set needs NAME=VALUE" err &&
	test_expect_code 2 ferry -d "$DB_URL" up --set "bad-name=1" >out 2>err &&
	grep "^ferry: error: --set needs NAME=VALUE" err &&
	printf "param.ok = 1\nparam.bad-name = 2\n" >ferry.conf &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: ferry.conf:2: invalid parameter name ${q}bad-name${q}$" err &&
	printf "param.ok = a\000b\n" >ferry.conf &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep -a "^ferry: error: ferry.conf:1: NUL byte$" err &&
	rm ferry.conf &&
	db_snapshot after &&
	test_cmp before after
'

test_done
