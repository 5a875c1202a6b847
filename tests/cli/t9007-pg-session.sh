#!/bin/sh
test_description='PostgreSQL: every section starts from the same session state'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# A plain SET (search_path, statement_timeout, a role) in one migration
# must not change where, or as whom, the next migration runs: else the
# schema would depend on how migrations were batched into runs. ferry
# resets the session before each section (RESET ALL, RESET SESSION
# AUTHORIZATION, RESET ROLE); SET LOCAL is what a section keeps to itself.

q="'"

setup_set() {
	rm -rf migrations &&
	mkdir migrations &&
	cat >migrations/1_schemas.sql <<-\EOF &&
	CREATE SCHEMA side;
	DO $$ BEGIN
	  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ferry_t_other') THEN
	    CREATE ROLE ferry_t_other;
	  END IF;
	END $$;
	GRANT CREATE, USAGE ON SCHEMA public, side TO ferry_t_other;
	EOF
	cat >migrations/2_settings.sql <<-EOF &&
	-- ferry:up $1
	SET search_path TO side, public;
	SET statement_timeout = 50;
	SET ROLE ferry_t_other;
	CREATE TABLE in_side (id int);
	EOF
	cat >migrations/3_table.sql <<-\EOF
	SELECT pg_sleep(0.2);
	CREATE TABLE third (id int);
	EOF
}

# where TABLE: "schema|owner" of the table.
where() {
	db_sql "SELECT schemaname || $q|$q || tableowner FROM pg_tables WHERE tablename = $q$1$q"
}

me() {
	db_sql "SELECT current_user"
}

fresh_db() {
	db_sql "DROP SCHEMA IF EXISTS side CASCADE; DROP TABLE IF EXISTS third, ferry_migrations, ferry_history" &&
	db_sql "DROP OWNED BY ferry_t_other" 2>/dev/null
	true
}

test_expect_success 'one run: the third migration runs as if the second had set nothing' '
	setup_set "" &&
	ferry -d "$DB_URL" up >out 2>err &&
	test "$(where in_side)" = "side|ferry_t_other" &&
	test "$(where third)" = "public|$(me)"
'

test_expect_success 'the same, one migration per run: the same schema' '
	fresh_db &&
	ferry -d "$DB_URL" up --to 2 >out 2>err &&
	ferry -d "$DB_URL" up >out 2>err &&
	test "$(where third)" = "public|$(me)"
'

test_expect_success '--single-transaction: the same' '
	fresh_db &&
	ferry -d "$DB_URL" up --single-transaction >out 2>err &&
	test "$(where third)" = "public|$(me)"
'

test_expect_success 'after a no-transaction section: the same' '
	fresh_db &&
	setup_set no-transaction &&
	ferry -d "$DB_URL" up >out 2>err &&
	test "$(where in_side)" = "side|ferry_t_other" &&
	test "$(where third)" = "public|$(me)"
'

test_expect_success '--check runs the sections as up would: no timeout, no error' '
	fresh_db &&
	setup_set "" &&
	ferry -d "$DB_URL" up --check >out 2>err &&
	grep "^check passed: 3 up sections ran in one transaction" out
'

test_expect_success 'SET LOCAL still holds for the rest of its own section' '
	fresh_db &&
	rm -rf migrations && mkdir migrations &&
	cat >migrations/1_local.sql <<-\EOF &&
	CREATE SCHEMA side;
	SET LOCAL search_path TO side;
	CREATE TABLE local_one (id int);
	EOF
	ferry -d "$DB_URL" up >out 2>err &&
	test "$(where local_one)" = "side|$(me)"
'

test_done
