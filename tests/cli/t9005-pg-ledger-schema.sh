#!/bin/sh
test_description='PostgreSQL: the ledger in --schema, odd names, a user without CREATE on the database'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# SPEC section 2 and issue 3, part 1: the ledger lives in --schema
# (default public, created if missing), its names quoted so that odd
# schema and table names work; the user's SQL runs with the connection's
# own search_path, whatever --schema says.

q="'"
HOST=$(db_sql "SELECT host(inet_server_addr())")
PORT=$(db_sql "SELECT inet_server_port()")
DB=$(db_sql "SELECT current_database()")
APP_ROLE=ferry_t9005_app_$$
case $DB_URL in
*\?*) path_url="$DB_URL&options=-csearch_path%3Dapp_s" ;;
*) path_url="$DB_URL?options=-csearch_path%3Dapp_s" ;;
esac

# The role is the cluster's, not the database's: drop it whatever happens
# (after test_done has dropped the database and with it the role's rights).
trap '"$PSQL" -X -q -d "$PG_ADMIN_URL" -c "DROP ROLE IF EXISTS $APP_ROLE" >/dev/null 2>&1' EXIT

# Every table outside the system schemas, as schema|table.
all_tables() {
	db_sql "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
}

test_expect_success '--schema names a schema that does not exist yet: created, the ledger in it' '
	mkdir m1 &&
	echo "CREATE TABLE plain (id int);" >m1/1_plain.sql &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE second (id int);" "-- ferry:finish" "DROP TABLE plain;" >m1/2_second.sql &&
	db_sql "SELECT count(*) FROM pg_namespace WHERE nspname = ${q}ledger_s${q}" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" --dir m1 --schema ledger_s up >out 2>err &&
	test_must_be_empty err &&
	all_tables >actual &&
	cat >expect <<-\EOF &&
	ledger_s|ferry_history
	ledger_s|ferry_migrations
	public|plain
	public|second
	EOF
	test_cmp expect actual
'

test_expect_success '... the ledger there records the run; status, list, history read it' '
	db_sql "SELECT version, state FROM ledger_s.ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|up\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, version FROM ledger_s.ferry_history ORDER BY id" >actual &&
	printf "up|1\nup|2\n" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" --dir m1 --schema ledger_s status >out &&
	grep "^migrations  1 complete, 1 up (finish pending), 0 pending\$" out &&
	ferry -d "$DB_URL" --dir m1 --schema ledger_s list >out &&
	test_line_count = 3 out &&
	ferry -d "$DB_URL" --dir m1 --schema ledger_s history >out &&
	test_line_count = 3 out
'

test_expect_success '... and FERRY_SCHEMA says the same' '
	test_env FERRY_SCHEMA=ledger_s "$FERRY" -d "$DB_URL" --dir m1 status >out &&
	grep "^migrations  1 complete, 1 up (finish pending), 0 pending\$" out
'

test_expect_success 'without --schema the ledger in public is another, empty one' '
	ferry -d "$DB_URL" --dir m1 status >out &&
	grep "^migrations  0 complete, 2 pending\$" out
'

# The connection's search_path, from the URL's options, decides where an
# unqualified name goes, not --schema.
test_expect_success 'the user'"'"'s SQL runs with the connection'"'"'s own search_path' '
	db_sql "CREATE SCHEMA app_s" &&
	mkdir m2 &&
	echo "CREATE TABLE in_path (id int);" >m2/1_in_path.sql &&
	ferry -d "$path_url" --dir m2 --schema ledger_s --table m2_migrations up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT schemaname FROM pg_tables WHERE tablename = ${q}in_path${q}" >actual &&
	echo app_s >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version FROM ledger_s.m2_migrations" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

odd_schema='my "odd" schema'
odd_table='app migrations'

odd() {
	ferry -d "$DB_URL" --dir m3 --schema "$odd_schema" --table "$odd_table" "$@"
}

test_expect_success 'a schema and a table with spaces and double quotes: up' '
	mkdir m3 &&
	echo "CREATE TABLE odd_one (id int);" >m3/1_odd_one.sql &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE odd_two (id int);" "-- ferry:finish" "DROP TABLE odd_one;" >m3/2_odd_two.sql &&
	odd up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_odd_one ... ok (N ms)
	up     2_odd_two ... ok (N ms)
	applied 2 migrations; database at 2
	EOF
	test_cmp expect actual &&
	db_sql "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ${q}my \"odd\" schema${q} ORDER BY 2" >actual &&
	cat >expect <<-\EOF &&
	my "odd" schema|app migrations
	my "odd" schema|app migrations_history
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, name, state FROM \"my \"\"odd\"\" schema\".\"app migrations\" ORDER BY version" >actual &&
	printf "1|odd_one|complete\n2|odd_two|up\n" >expect &&
	test_cmp expect actual
'

test_expect_success '... status, list, history' '
	odd status >out 2>err &&
	test_must_be_empty err &&
	sed 1d out | normalize >actual &&
	cat >expect <<-\EOF &&
	release     none finished
	version     at 2; newest file 2
	migrations  1 complete, 1 up (finish pending), 0 pending
	drift       none
	lock        free
	last action up 2 by USER@HOST at TIME

	STATE  VERSION  NAME     RELEASE  NOTE
	up     2        odd_two  -        finish pending
	EOF
	test_cmp expect actual &&
	odd list >out 2>err &&
	test_must_be_empty err &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	VERSION  NAME  RELEASE  STATE  APPLIED AT  TOOK  NOTE
	1  odd_one  -  complete  TIME  N ms
	2  odd_two  -  up  TIME  N ms  finish pending
	EOF
	test_cmp expect actual &&
	odd history >out 2>err &&
	test_must_be_empty err &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	AT  ACTION  VERSION  NAME  BY  TOOK  RESULT
	TIME  up  2  odd_two  USER@HOST  N ms  ok
	TIME  up  1  odd_one  USER@HOST  N ms  ok
	EOF
	test_cmp expect actual
'

test_expect_success '... a second up has nothing to do; a new migration goes up' '
	odd up >out 2>err &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect out &&
	echo "CREATE TABLE odd_three (id int);" >m3/3_odd_three.sql &&
	odd -q up &&
	db_sql "SELECT max(version) FROM \"my \"\"odd\"\" schema\".\"app migrations\"" >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'setup: a role without CREATE on the database, with rights on schema app_s' '
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" -c "CREATE ROLE $APP_ROLE LOGIN" &&
	db_sql "REVOKE CREATE ON DATABASE \"$DB\" FROM PUBLIC; GRANT USAGE, CREATE ON SCHEMA app_s TO $APP_ROLE" &&
	db_sql "SELECT has_database_privilege(${q}$APP_ROLE${q}, current_database(), ${q}CREATE${q}), has_schema_privilege(${q}$APP_ROLE${q}, ${q}app_s${q}, ${q}CREATE${q})" >actual &&
	echo "f|t" >expect &&
	test_cmp expect actual
'

app_url="postgres://$APP_ROLE@$HOST:$PORT/$DB?sslmode=disable"

test_expect_success 'that user can run up with --schema app_s: no CREATE SCHEMA tried' '
	mkdir m4 &&
	echo "CREATE TABLE app_s.items (id int);" >m4/1_items.sql &&
	ferry -d "$app_url" --dir m4 --schema app_s up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	printf "%s\n" "up     1_items ... ok (N ms)" "applied 1 migration; database at 1" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = ${q}app_s${q} ORDER BY 1" >actual &&
	cat >expect <<-EOF &&
	ferry_history|$APP_ROLE
	ferry_migrations|$APP_ROLE
	in_path|postgres
	items|$APP_ROLE
	EOF
	test_cmp expect actual &&
	ferry -d "$app_url" --dir m4 --schema app_s status >out &&
	grep "^migrations  1 complete, 0 pending\$" out
'

test_expect_success '... but not with a schema that needs creating: exit 1, the server'"'"'s words' '
	test_expect_code 1 ferry -d "$app_url" --dir m4 --schema new_s up >out 2>err &&
	test_must_be_empty out &&
	sed -n 2p err >actual &&
	echo "permission denied for database $DB (SQLSTATE 42501)" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM pg_namespace WHERE nspname = ${q}new_s${q}" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_done
