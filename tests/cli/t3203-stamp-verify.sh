#!/bin/sh
test_description='ferry stamp checks that what it records as run is there'
. "$(dirname "$0")/test-lib.sh"

# Issue 15 part 6: stamp recorded a migration complete while two of its
# tables and an index were missing, and validate then said all was well.
# By default stamp reads the sections it stamps for the objects they
# create and refuses (exit 5), naming them, when the database lacks any;
# --no-verify records them anyway.

test_expect_success 'setup: two migrations that make three tables, an index and a view' '
	mkdir migrations &&
	cat >migrations/1_accounts.sql <<-\EOF &&
	CREATE TABLE accounts (id integer PRIMARY KEY, name text);
	EOF
	cat >migrations/2_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, account integer);
	CREATE TABLE IF NOT EXISTS order_lines (
	    id integer PRIMARY KEY,
	    note text DEFAULT '"'"'a; b'"'"'
	);
	CREATE INDEX orders_by_account ON orders (account);
	-- ferry:finish
	CREATE VIEW big_orders AS SELECT * FROM orders WHERE id > 100;
	EOF
	db_sql "CREATE TABLE accounts (id integer PRIMARY KEY, name text)" &&
	db_sql "CREATE TABLE orders (id integer PRIMARY KEY, account integer)"
'

test_expect_success 'a database that lacks a table, an index and a view: refused, each named, nothing written' '
	cat >expect <<-\EOF &&
	ferry: error: the database lacks 3 objects that the migrations to stamp create: table order_lines
	migrations/2_orders.sql:3:1: missing: table order_lines (migrations/2_orders.sql:3), index orders_by_account (migrations/2_orders.sql:7), view big_orders (migrations/2_orders.sql:9)
	hint: create them, or run those migrations with '"'"'ferry up'"'"' instead; '"'"'stamp --no-verify'"'"' records them anyway
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" stamp 2
'

test_expect_success 'the dry run says the same' '
	test_refused_unchanged 5 ferry -d "$DB_URL" stamp 2 --dry-run
'

test_expect_success 'stamping only what is there works: 1 makes a table the database has' '
	ferry -d "$DB_URL" stamp 1 >out 2>err &&
	test_must_be_empty err &&
	grep "^recorded 1 migration as complete, up to 1\$" out
'

test_expect_success 'once the objects are made by hand, stamp records 2' '
	db_sql "CREATE TABLE order_lines (id integer PRIMARY KEY, note text)" &&
	db_sql "CREATE INDEX orders_by_account ON orders (account)" &&
	db_sql "CREATE VIEW big_orders AS SELECT * FROM orders WHERE id > 100" &&
	ferry -d "$DB_URL" stamp 2 >out 2>err &&
	test_must_be_empty err &&
	grep "^recorded 1 migration as complete, up to 2\$" out &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n" >expect &&
	test_cmp expect actual
'

test_expect_success '--no-verify records migrations whose objects are missing' '
	mkdir nv &&
	echo "CREATE TABLE nv_gone (id integer);" >nv/1_gone.sql &&
	ferry -d "$DB_URL" --dir nv --table nv_migrations stamp 1 --no-verify >out 2>err &&
	test_must_be_empty err &&
	grep "^recorded 1 migration as complete, up to 1\$" out &&
	db_sql "SELECT version, state FROM nv_migrations" >actual &&
	echo "1|complete" >expect &&
	test_cmp expect actual
'

test_expect_success 'what later stamped sections drop or rename is not asked for' '
	mkdir moved &&
	cat >moved/1_make.sql <<-\EOF &&
	CREATE TABLE mv_scratch (id integer);
	CREATE TABLE mv_old (id integer);
	CREATE TABLE Mv_Kept (id integer);
	CREATE INDEX mv_old_id ON mv_old (id);
	CREATE TABLE mv_tmp (id integer);
	CREATE INDEX mv_tmp_id ON mv_tmp (id);
	EOF
	cat >moved/2_change.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE mv_old RENAME TO mv_new;
	-- ferry:finish
	DROP TABLE IF EXISTS mv_scratch, mv_tmp;
	EOF
	db_sql "CREATE TABLE mv_new (id integer)" &&
	db_sql "CREATE TABLE mv_kept (id integer)" &&
	db_sql "CREATE INDEX mv_old_id ON mv_new (id)" &&
	ferry -d "$DB_URL" --dir moved --table mv_migrations stamp 2 >out 2>err &&
	test_must_be_empty err &&
	grep "^recorded 2 migrations as complete, up to 2\$" out
'

test_expect_success 'stamping up to 1 alone asks for what 1 made' '
	mkdir moved1 &&
	cp moved/1_make.sql moved1/ &&
	test_expect_code 5 ferry -d "$DB_URL" --dir moved1 --table mv1_migrations stamp 1 2>err &&
	grep "^moved1/1_make.sql:1:1: missing: table mv_scratch (moved1/1_make.sql:1), table mv_old (moved1/1_make.sql:2), table mv_tmp (moved1/1_make.sql:5), index mv_tmp_id (moved1/1_make.sql:6)\$" err
'

test_expect_success 'a trigger, and statements not understood, ask for nothing more' '
	mkdir trg &&
	cat >trg/1_trigger.sql <<-\EOF &&
	CREATE TABLE trg_t (id integer, at text);
	CREATE TEMP TABLE trg_scratch (id integer);
	INSERT INTO trg_t VALUES (1, '"'"'CREATE TABLE not_a_table (x int)'"'"');
	-- CREATE TABLE in_a_comment (x int);
	EOF
	if [ "$ENGINE" = pg ]; then
		echo "CREATE TRIGGER trg_stamp AFTER INSERT ON trg_t FOR EACH ROW EXECUTE FUNCTION trg_fn();"
	else
		echo "CREATE TRIGGER trg_stamp AFTER INSERT ON trg_t BEGIN SELECT 1; END;"
	fi >>trg/1_trigger.sql &&
	test_expect_code 5 ferry -d "$DB_URL" --dir trg --table trg_migrations stamp 1 2>err &&
	grep "^trg/1_trigger.sql:1:1: missing: table trg_t (trg/1_trigger.sql:1), trigger trg_stamp (trg/1_trigger.sql:5)\$" err
'

test_expect_success 'many missing: the first eight named, then how many more' '
	mkdir many &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "CREATE TABLE many_$i (id integer);"
	done >many/1_many.sql &&
	test_expect_code 5 ferry -d "$DB_URL" --dir many --table many_migrations stamp 1 2>err &&
	grep "^ferry: error: the database lacks 10 objects that the migrations to stamp create: table many_1\$" err &&
	grep "table many_8 (many/1_many.sql:8) and 2 more\$" err
'

if [ "$ENGINE" = pg ]; then
	test_expect_success 'PostgreSQL: sequences, types, functions, schemas, materialized views and quoted names' '
		mkdir kinds &&
		cat >kinds/1_kinds.sql <<-\EOF &&
		CREATE SCHEMA IF NOT EXISTS k_app;
		CREATE SEQUENCE k_app.k_seq;
		CREATE TYPE k_mood AS ENUM ('"'"'ok'"'"', '"'"'meh'"'"');
		CREATE DOMAIN k_email AS text CHECK (VALUE LIKE '"'"'%@%'"'"');
		CREATE OR REPLACE FUNCTION k_fn() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
		    CREATE TABLE inside_a_function (x int);
		    RETURN NEW;
		END;
		$$;
		CREATE TABLE "K_Quoted" (id int);
		CREATE MATERIALIZED VIEW k_mat AS SELECT 1 AS one;
		CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS k_idx ON "K_Quoted" (id);
		EOF
		db_sql "CREATE SCHEMA k_app" &&
		db_sql "CREATE TABLE k_quoted (id int)" &&
		test_expect_code 5 ferry -d "$DB_URL" --dir kinds --table k_migrations stamp 1 2>err &&
		grep "^kinds/1_kinds.sql:2:1: missing: sequence k_app.k_seq (kinds/1_kinds.sql:2), type k_mood (kinds/1_kinds.sql:3), type k_email (kinds/1_kinds.sql:4), function k_fn (kinds/1_kinds.sql:5), table K_Quoted (kinds/1_kinds.sql:11), materialized view k_mat (kinds/1_kinds.sql:12), index k_idx (kinds/1_kinds.sql:13)\$" err
	'

	test_expect_success 'PostgreSQL: once they exist, stamp records the migration' '
		db_sql "CREATE SEQUENCE k_app.k_seq" &&
		db_sql "CREATE TYPE k_mood AS ENUM ('"'"'ok'"'"')" &&
		db_sql "CREATE DOMAIN k_email AS text" &&
		db_sql "CREATE FUNCTION k_fn() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END; \$\$" &&
		db_sql "CREATE TABLE \"K_Quoted\" (id int)" &&
		db_sql "CREATE MATERIALIZED VIEW k_mat AS SELECT 1 AS one" &&
		db_sql "CREATE UNIQUE INDEX k_idx ON \"K_Quoted\" (id)" &&
		ferry -d "$DB_URL" --dir kinds --table k_migrations stamp 1 >out 2>err &&
		test_must_be_empty err &&
		grep "^recorded 1 migration as complete, up to 1\$" out
	'
fi

test_done
