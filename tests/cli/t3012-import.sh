#!/bin/sh
test_description='ferry import --from FORMAT SRC DEST: another tool'"'"'s set as ferry files, once'
. "$(dirname "$0")/test-lib.sh"

# Issue 15 part 3. The set is written as ferry's own files with the same
# versions, sections and flags; the new set runs as the old one did, and
# the other tool's ledger still maps onto it with `ferry adopt`.

if test "$ENGINE" = pg; then
	notx() { echo "CREATE INDEX CONCURRENTLY $2 ON $1 (id);"; }
	block='CREATE FUNCTION g_bump(n integer) RETURNS integer AS $$
BEGIN
	n := n + 1;
	RETURN n;
END;
$$ LANGUAGE plpgsql;'
	block_check='SELECT g_bump(41)'
	block_want=42
else
	notx() { echo "VACUUM;"; }
	block='CREATE TRIGGER g_upper AFTER INSERT ON g_users BEGIN
	UPDATE g_users SET name = upper(new.name) WHERE id = new.id;
	UPDATE g_users SET name = name || '"'"'!'"'"' WHERE id = new.id;
END;'
	block_check="INSERT INTO g_users VALUES (2, 'bo'); SELECT name FROM g_users WHERE id = 2"
	block_want='BO!'
fi

test_expect_success 'setup: a goose set with a StatementBegin block and NO TRANSACTION' '
	mkdir goose &&
	cat >goose/00001_users.sql <<-\EOF &&
	-- +goose Up
	CREATE TABLE g_users (id integer PRIMARY KEY, name text);
	INSERT INTO g_users VALUES (1, '"'"'ada; lovelace'"'"');
	-- +goose StatementBegin
	EOF
	echo "$block" >>goose/00001_users.sql &&
	cat >>goose/00001_users.sql <<-\EOF &&
	-- +goose StatementEnd

	-- +goose Down
	DROP TABLE g_users;
	EOF
	{
		echo "-- +goose NO TRANSACTION" &&
		echo "-- +goose Up" &&
		notx g_users g_users_id &&
		echo "-- +goose Down" &&
		echo "DROP INDEX IF EXISTS g_users_id;"
	} >goose/00002_index.sql &&
	printf "1.0 1\n1.1 2 checkpoint\n" >goose/releases
'

test_expect_success 'import writes ferry files, same versions, and says so' '
	ferry import --from goose goose migrations >out 2>err &&
	test_must_be_empty err &&
	echo "imported 2 migrations from goose '"'"'goose'"'"' into '"'"'migrations'"'"'; versions kept, so '"'"'ferry adopt'"'"' maps goose'"'"'s ledger onto them" >expect &&
	test_cmp expect out &&
	ls migrations >actual &&
	printf "1_users.sql\n2_index.sql\nreleases\n" >expect &&
	test_cmp expect actual &&
	grep "^-- ferry:up no-transaction\$" migrations/2_index.sql &&
	grep "^-- ferry:down\$" migrations/1_users.sql &&
	grep "^1.1 2 checkpoint\$" migrations/releases &&
	ferry -d "$DB_URL" status --json >status.json &&
	test_json status.json ".format == \"ferry\"" ".head == \"2\"" ".counts.pending == 2"
'

test_expect_success 'the imported set runs as the goose one would' '
	ferry -d "$DB_URL" migrate >out 2>err &&
	grep "^applied 2 up and 0 finish sections; database at 2 (release 1.1)\$" out &&
	db_sql "SELECT name FROM g_users" >actual &&
	echo "ada; lovelace" >expect &&
	test_cmp expect actual &&
	db_sql "$block_check" >actual &&
	echo "$block_want" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" down --steps 2 --yes >out 2>err &&
	test_must_fail db_sql "SELECT 1 FROM g_users"
'

test_expect_success 'a goose database adopted onto the imported set' '
	db_sql "DROP TABLE ferry_migrations" &&
	db_sql "DROP TABLE ferry_history" &&
	db_sql "CREATE TABLE g_users (id integer PRIMARY KEY, name text)" &&
	db_sql "CREATE TABLE goose_db_version (id integer PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL)" &&
	db_sql "INSERT INTO goose_db_version VALUES (1, 0, true), (2, 1, true)" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 1 migration as complete, as goose ran them\$" out &&
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^applied 1 migration; database at 2 (release 1.1)\$" out
'

test_expect_success 'flyway: dotted versions, an undo file and a repeatable script' '
	mkdir fw &&
	echo "CREATE TABLE fw_a (id int);" >fw/V1.2.9__a.sql &&
	echo "CREATE TABLE fw_b (id int);" >fw/V1.2.10__b.sql &&
	echo "DROP TABLE fw_b;" >fw/U1.2.10__b.sql &&
	echo "CREATE VIEW fw_v AS SELECT 1 AS one;" >fw/R__views.sql &&
	ferry import --from flyway fw fwf >out 2>err &&
	grep "^imported 2 migrations and repeatables from flyway" out &&
	ls fwf fwf/repeatable >actual &&
	cat >expect <<-\EOF &&
	fwf:
	1002009000000_a.sql
	1002010000000_b.sql
	repeatable

	fwf/repeatable:
	views.sql
	EOF
	test_cmp expect actual &&
	grep "^-- ferry:down\$" fwf/1002010000000_b.sql &&
	grep "^-- V1.2.10__b, version 1.2.10, from fw/V1.2.10__b.sql\$" fwf/1002010000000_b.sql
'

test_expect_success 'flyway: its ledger, dotted, maps onto the imported set' '
	db_sql "CREATE TABLE fw_a (id int)" &&
	db_sql "CREATE TABLE flyway_schema_history (installed_rank int NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time int NOT NULL, success boolean NOT NULL)" &&
	db_sql "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (1, '"'"'1.2.9'"'"', '"'"'a'"'"', '"'"'SQL'"'"', '"'"'V1.2.9__a.sql'"'"', NULL, '"'"'ci'"'"', 5, true)" &&
	ferry -d "$DB_URL" --dir fwf --table fw_migrations adopt --from flyway >out 2>err &&
	grep "^adopt  1002009000000_a\$" out &&
	ferry -d "$DB_URL" --dir fwf --table fw_migrations up >out 2>err &&
	grep "^up     1002010000000_b" out
'

test_expect_success 'refused: no --from, a DEST that holds something, an unknown format, a broken SRC' '
	test_expect_code 2 ferry import goose out1 2>err &&
	grep "^ferry: error: .import. needs --from FORMAT\$" err &&
	test_expect_code 2 ferry import --from goose goose migrations 2>err &&
	grep "^ferry: error: .migrations. already exists and is not empty\$" err &&
	test_expect_code 2 ferry import --from liquibase goose out2 2>err &&
	test_path_is_missing out2 &&
	mkdir bad &&
	echo "CREATE TABLE x (id int);" >bad/00001_x.sql &&
	test_expect_code 2 ferry import --from goose bad out3 2>err &&
	test_path_is_missing out3 &&
	test -z "$(ls -a . | grep ferry-tmp)"
'

test_expect_success 'a StatementBegin block ferry would cut at its ";" is refused, naming it' '
	mkdir cut &&
	cat >cut/00001_two.sql <<-\EOF &&
	-- +goose Up
	-- +goose StatementBegin
	INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);
	-- +goose StatementEnd
	EOF
	test_expect_code 2 ferry import --from goose cut out4 2>err &&
	grep "^ferry: error: cut/00001_two.sql:2:1: the StatementBegin block of .00001_two. would be cut at its .;. in ferry.s format\$" err &&
	test_path_is_missing out4 &&
	test -z "$(ls -a . | grep ferry-tmp)"
'

test_done
