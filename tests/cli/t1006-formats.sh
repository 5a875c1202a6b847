#!/bin/sh
test_description='other tools'"'"' migration sets, read in place: golang-migrate, dbmate, goose, flyway, sql-migrate, diesel, sqlx, prisma'
. "$(dirname "$0")/test-lib.sh"

# Each set lives in a directory of its own and keeps its own ledger
# (--table <dir>_migrations), all in one database.
on() {
	_d=$1
	shift
	ferry -d "$DB_URL" --dir "$_d" --table "${_d}_migrations" "$@"
}

# A statement that cannot run inside a transaction, on this engine: it
# goes up only if the tool's "no transaction" rule was read.
if test "$ENGINE" = pg; then
	notx() { echo "CREATE INDEX CONCURRENTLY $2 ON $1 (id);"; }
else
	notx() { echo "VACUUM;"; }
fi

test_expect_success 'golang-migrate: up and down files, and its own BEGIN/COMMIT' '
	mkdir gm &&
	echo "CREATE TABLE gm_users (id integer PRIMARY KEY, name text);" >gm/1_create_users.up.sql &&
	echo "DROP TABLE gm_users;" >gm/1_create_users.down.sql &&
	cat >gm/2_orders.up.sql <<-\EOF &&
	BEGIN;
	CREATE TABLE gm_orders (id integer PRIMARY KEY);
	INSERT INTO gm_orders VALUES (7);
	COMMIT;
	EOF
	echo "DROP TABLE gm_orders;" >gm/2_orders.down.sql &&
	printf "1.0 1\n2.0 2\n" >gm/releases &&
	on gm up >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_create_users ... ok (N ms)
	up     2_orders ... ok (N ms)
	applied 2 migrations; database at 2 (release 2.0)
	EOF
	test_cmp expect actual &&
	db_sql "SELECT id FROM gm_orders" >actual &&
	echo 7 >expect &&
	test_cmp expect actual
'

test_expect_success 'golang-migrate: status names the format and the releases' '
	on gm status >out &&
	normalize_engine <out >actual &&
	cat >expect <<-EOF &&
	database    $DB_SHOWN (ENGINE VERSION)
	format      golang-migrate
	release     2.0 finished
	version     at 2; newest file 2
	migrations  2 complete, 0 pending
	drift       none
	lock        free
	EOF
	head -n 7 actual >head &&
	test_cmp expect head &&
	on gm status --json >status.json &&
	test_json status.json ".format == \"golang-migrate\"" ".head == \"2\""
'

test_expect_success 'golang-migrate: down runs the .down.sql file' '
	on gm down --steps 1 --yes >out &&
	test_expect_code 1 db_sql "SELECT id FROM gm_orders" 2>/dev/null &&
	on gm up >out
'

test_expect_success 'golang-migrate: an edited up file is drift' '
	cp gm/1_create_users.up.sql saved &&
	echo "-- edited" >>gm/1_create_users.up.sql &&
	test_expect_code 5 on gm validate >out 2>err &&
	grep "^1 create_users: drift: up section changed" out &&
	on gm status --json >status.json &&
	test_json status.json ".drift == [\"1\"]" &&
	cp saved gm/1_create_users.up.sql &&
	on gm validate
'

test_expect_success 'dbmate: migrate:up / migrate:down, transaction:false' '
	mkdir dbm &&
	cat >dbm/20240101000000_create_items.sql <<-\EOF &&
	-- migrate:up
	CREATE TABLE dbm_items (id integer PRIMARY KEY);
	INSERT INTO dbm_items VALUES (1);

	-- migrate:down
	DROP TABLE dbm_items;
	EOF
	cat >dbm/20240102000000_index_items.sql <<-EOF &&
	-- migrate:up transaction:false
	$(notx dbm_items dbm_items_id)

	-- migrate:down
	EOF
	on dbm up >out &&
	on dbm status --json >status.json &&
	test_json status.json ".format == \"dbmate\"" ".counts.complete == 2" &&
	db_sql "SELECT count(*) FROM dbm_items" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

if test "$ENGINE" = pg; then
	goose_block='CREATE FUNCTION goose_bump(n integer) RETURNS integer AS $$
BEGIN
	n := n + 1;
	RETURN n;
END;
$$ LANGUAGE plpgsql;'
	goose_check='SELECT goose_bump(41)'
	goose_want=42
else
	goose_block='CREATE TRIGGER goose_upper AFTER INSERT ON goose_users BEGIN
	UPDATE goose_users SET name = upper(new.name) WHERE id = new.id;
	UPDATE goose_users SET seen = 1 WHERE id = new.id;
END;'
	goose_check="INSERT INTO goose_users (id, name) VALUES (1, 'ada'); SELECT name || seen FROM goose_users"
	goose_want=ADA1
fi

test_expect_success 'goose: Up/Down, StatementBegin/End around a body with ";", NO TRANSACTION' '
	mkdir goose &&
	cat >goose/00001_create_users.sql <<-\EOF &&
	-- A goose migration, as "goose create" writes it.
	-- +goose Up
	CREATE TABLE goose_users (id integer PRIMARY KEY, name text, seen integer);

	-- +goose Down
	DROP TABLE goose_users;
	EOF
	cat >goose/00002_bump.sql <<-EOF &&
	-- +goose NO TRANSACTION
	-- +goose Up
	-- +goose StatementBegin
	$goose_block
	-- +goose StatementEnd
	$(notx goose_users goose_users_id)

	-- +goose Down
	-- +goose StatementBegin
	SELECT 1;
	-- +goose StatementEnd
	EOF
	on goose up >out &&
	db_sql "$goose_check" >actual &&
	echo $goose_want >expect &&
	test_cmp expect actual &&
	on goose status --json >status.json &&
	test_json status.json ".format == \"goose\"" ".counts.complete == 2"
'

test_expect_success 'goose: the no-transaction section ran block by block, not in a transaction' '
	db_sql "SELECT failed_statement FROM goose_migrations WHERE version = 2" >actual &&
	echo >expect &&
	test_cmp expect actual
'

test_expect_success 'flyway: V, U and R scripts; 1.2.10 after 1.2.9; .sql.conf' '
	mkdir fw &&
	echo "CREATE TABLE fw_a (id integer PRIMARY KEY);" >fw/V1__create_a.sql &&
	echo "CREATE TABLE fw_b (id integer PRIMARY KEY);" >fw/V1.2.9__create_b.sql &&
	echo "CREATE TABLE fw_c (id integer PRIMARY KEY);" >fw/V1.2.10__create_c.sql &&
	echo "DROP TABLE fw_c;" >fw/U1.2.10__create_c.sql &&
	notx fw_a fw_a_id >fw/V2__index_a.sql &&
	echo "executeInTransaction=false" >fw/V2__index_a.sql.conf &&
	echo "DROP INDEX IF EXISTS fw_a_id;" >fw/U2__index_a.sql &&
	cat >fw/R__views.sql <<-\EOF &&
	DROP VIEW IF EXISTS fw_v;
	CREATE VIEW fw_v AS SELECT id FROM fw_a;
	EOF
	on fw list >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	VERSION  NAME  RELEASE  STATE  APPLIED AT  TOOK  NOTE
	1  create_a  -  pending  -  -
	1.2.9  create_b  -  pending  -  -
	1.2.10  create_c  -  pending  -  -
	2  index_a  -  pending  -  -
	R  views  -  pending  -  -  repeatable
	EOF
	test_cmp expect actual
'

test_expect_success 'flyway: up --to takes the version as Flyway writes it' '
	on fw up --to 1.2.9 >out &&
	tail -n 1 out >actual &&
	echo "applied 2 migrations; database at 1.2.9" >expect &&
	test_cmp expect actual &&
	on fw up >out &&
	db_sql "SELECT version FROM fw_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1000000000000
	1002009000000
	1002010000000
	2000000000000
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM fw_v" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	on fw status --json >status.json &&
	test_json status.json ".format == \"flyway\"" ".head == \"2\"" \
		".repeatable.total == 1"
'

test_expect_success 'flyway: the undo scripts are the down sections' '
	on fw down --to 1.2.9 --yes >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	down   V2__index_a ... ok (N ms)
	down   V1.2.10__create_c ... ok (N ms)
	reverted 2 migrations; database at 1.2.9
	EOF
	test_cmp expect actual &&
	test_expect_code 1 db_sql "SELECT id FROM fw_c" 2>/dev/null &&
	on fw up >out
'

test_expect_success 'flyway: releases name versions as Flyway writes them' '
	echo "1.0 1.2.9" >fw/releases &&
	on fw release 2.0 >out &&
	cat >expect <<-\EOF &&
	1.0 1.2.9
	2.0 2
	EOF
	test_cmp expect fw/releases &&
	on fw list >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	VERSION  NAME  RELEASE  STATE  APPLIED AT  TOOK
	1  create_a  1.0  complete  TIME  N ms
	1.2.9  create_b  1.0  complete  TIME  N ms
	1.2.10  create_c  2.0  complete  TIME  N ms
	2  index_a  2.0  complete  TIME  N ms
	R  views  -  complete  TIME  N ms
	EOF
	test_cmp expect actual
'

test_expect_success 'sql-migrate: Up notransaction, StatementBegin/End' '
	mkdir sqlm &&
	cat >sqlm/1_create_notes.sql <<-\EOF &&
	-- +migrate Up
	-- +migrate StatementBegin
	CREATE TABLE sqlm_notes (id integer PRIMARY KEY, body text);
	INSERT INTO sqlm_notes VALUES (1, '"'"'a;b'"'"');
	-- +migrate StatementEnd

	-- +migrate Down
	DROP TABLE sqlm_notes;
	EOF
	cat >sqlm/2_index_notes.sql <<-EOF &&
	-- +migrate Up notransaction
	$(notx sqlm_notes sqlm_notes_id)
	-- +migrate Down
	EOF
	on sqlm up >out &&
	db_sql "SELECT body FROM sqlm_notes" >actual &&
	echo "a;b" >expect &&
	test_cmp expect actual &&
	on sqlm status --json >status.json &&
	test_json status.json ".format == \"sql-migrate\""
'

test_expect_success 'diesel: directories with up.sql/down.sql, metadata.toml' '
	mkdir -p diesel/00000000000000_diesel_initial_setup \
		diesel/2017-11-09-185015_create_posts \
		diesel/2017-11-10-090000_index_posts &&
	echo "SELECT 1;" >diesel/00000000000000_diesel_initial_setup/up.sql &&
	echo "SELECT 1;" >diesel/00000000000000_diesel_initial_setup/down.sql &&
	echo "CREATE TABLE diesel_posts (id integer PRIMARY KEY);" >diesel/2017-11-09-185015_create_posts/up.sql &&
	echo "DROP TABLE diesel_posts;" >diesel/2017-11-09-185015_create_posts/down.sql &&
	notx diesel_posts diesel_posts_id >diesel/2017-11-10-090000_index_posts/up.sql &&
	echo "run_in_transaction = false" >diesel/2017-11-10-090000_index_posts/metadata.toml &&
	on diesel up >out &&
	db_sql "SELECT version FROM diesel_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	0
	20171109185015
	20171110090000
	EOF
	test_cmp expect actual &&
	on diesel status --json >status.json &&
	test_json status.json ".format == \"diesel\""
'

test_expect_success 'sqlx: simple files, "-- no-transaction" on the first line' '
	mkdir sqlx &&
	echo "CREATE TABLE sqlx_items (id integer PRIMARY KEY);" >sqlx/20240101000000_create_items.sql &&
	{ echo "-- no-transaction" && notx sqlx_items sqlx_items_id; } >sqlx/20240102000000_index_items.sql &&
	on sqlx up >out &&
	on sqlx status --json >status.json &&
	test_json status.json ".format == \"sqlx\"" ".counts.complete == 2"
'

test_expect_success 'prisma: <timestamp>_<name>/migration.sql and migration_lock.toml' '
	mkdir -p prisma/20240101000000_init prisma/20240102000000_add_name &&
	printf "# Please do not edit this file manually\nprovider = \"sqlite\"\n" >prisma/migration_lock.toml &&
	printf -- "-- CreateTable\nCREATE TABLE prisma_user (id integer PRIMARY KEY);\n" >prisma/20240101000000_init/migration.sql &&
	printf -- "-- AlterTable\nALTER TABLE prisma_user ADD COLUMN name text;\n" >prisma/20240102000000_add_name/migration.sql &&
	on prisma up >out &&
	db_sql "SELECT count(name) FROM prisma_user" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	on prisma status --json >status.json &&
	test_json status.json ".format == \"prisma\""
'

test_expect_success 'a second up does nothing in every format' '
	for d in gm dbm goose fw sqlm diesel sqlx prisma; do
		on $d up >out &&
		grep -q "nothing to do\|up to date\|no pending" out || {
			cat out; return 1; }
	done
'

test_expect_success 'format = in ferry.conf and FERRY_FORMAT name the format' '
	mkdir plain &&
	echo "CREATE TABLE plain_t (id integer);" >plain/1_t.sql &&
	on plain status --json >status.json &&
	test_json status.json ".format == \"ferry\"" &&
	echo "format = sqlx" >ferry.conf &&
	on plain status --json >status.json &&
	test_json status.json ".format == \"sqlx\"" &&
	test_expect_code 2 test_env FERRY_FORMAT=goose on plain status 2>err &&
	grep "no '"'"'-- +goose Up'"'"' marker" err &&
	test_env FERRY_FORMAT=goose on plain --format ferry status --json >status.json &&
	test_json status.json ".format == \"ferry\"" &&
	rm ferry.conf
'

test_expect_success 'an unknown --format is a usage error' '
	cat >expect <<-\EOF &&
	ferry: error: unknown format '"'"'gose'"'"'
	hint: use auto, ferry, golang-migrate, dbmate, goose, flyway, sql-migrate, diesel, sqlx or prisma
	EOF
	test_expect_code 2 on gm --format gose status 2>actual &&
	test_cmp expect actual &&
	echo "format = nope" >ferry.conf &&
	test_expect_code 2 on gm status 2>actual &&
	head -n 1 actual >first &&
	echo "ferry: error: ferry.conf:1: unknown format '"'"'nope'"'"'" >expect &&
	test_cmp expect first &&
	rm ferry.conf
'

test_expect_success 'a goose file without -- +goose Up' '
	mkdir bad1 &&
	printf -- "-- +goose Up\nSELECT 1;\n" >bad1/1_a.sql &&
	printf "SELECT 1;\n" >bad1/2_b.sql &&
	cat >expect <<-\EOF &&
	ferry: error: bad1/2_b.sql:1:1: no '"'"'-- +goose Up'"'"' marker
	hint: put it on the line before the SQL to run
	EOF
	test_expect_code 2 on bad1 --format goose status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'auto: a file without markers beside goose files is a ferry set with a stray goose file' '
	cat >expect <<-\EOF &&
	ferry: error: bad1/1_a.sql:1:1: goose marker '"'"'-- +goose Up'"'"'
	hint: ferry reads a set of goose files with '"'"'--format goose'"'"'; in a ferry set, rewrite the markers as '"'"'-- ferry:up'"'"' and '"'"'-- ferry:down'"'"'
	EOF
	test_expect_code 2 on bad1 status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'auto: two tools'"'"' markers, named whatever the directory order' '
	mkdir bad8 &&
	printf -- "-- +goose Up\nSELECT 1;\n" >bad8/2_a.sql &&
	printf -- "-- +migrate Up\nSELECT 1;\n" >bad8/1_b.sql &&
	printf -- "-- +goose Up\nSELECT 1;\n" >bad8/0_c.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'bad8'"'"' mixes two tools'"'"' markers: goose ('"'"'0_c.sql'"'"') and sql-migrate ('"'"'1_b.sql'"'"')
	hint: keep one tool'"'"'s files in a directory, or name the format with --format
	EOF
	test_expect_code 2 on bad8 status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'a golang-migrate .down.sql without its .up.sql' '
	mkdir bad2 &&
	echo "SELECT 1;" >bad2/1_a.up.sql &&
	echo "SELECT 1;" >bad2/2_b.down.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'2_b.down.sql'"'"' has no up migration of its version
	hint: a .down.sql file needs its .up.sql file of the same version
	EOF
	test_expect_code 2 on bad2 status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'two files with the same version' '
	mkdir bad3 &&
	echo "SELECT 1;" >bad3/1_a.up.sql &&
	echo "SELECT 1;" >bad3/01_b.up.sql &&
	cat >expect <<-\EOF &&
	ferry: error: duplicate version 1: '"'"'01_b.up.sql'"'"' and '"'"'1_a.up.sql'"'"'
	hint: give one of them a new version
	EOF
	test_expect_code 2 on bad3 status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'auto refuses two layouts mixed, naming both' '
	mkdir bad4 &&
	echo "SELECT 1;" >bad4/1_a.up.sql &&
	echo "SELECT 1;" >bad4/V2__b.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'bad4'"'"' mixes two layouts: flyway ('"'"'V2__b.sql'"'"') and golang-migrate or sqlx ('"'"'1_a.up.sql'"'"')
	hint: keep one tool'"'"'s files in a directory, or name the format with --format
	EOF
	test_expect_code 2 on bad4 status 2>actual &&
	test_cmp expect actual &&
	test_expect_code 2 on bad4 --format golang-migrate status 2>actual &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'V2__b.sql'"'"' is not a valid golang-migrate migration name
	hint: name it <version>_<name>.up.sql and <version>_<name>.down.sql, or move it out of '"'"'bad4'"'"'
	EOF
	test_cmp expect actual
'

test_expect_success 'a Flyway version that does not fit' '
	mkdir bad5 &&
	echo "SELECT 1;" >bad5/V1.2.3456__a.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'V1.2.3456__a.sql'"'"' has a version ferry cannot hold: '"'"'1.2.3456'"'"'
	hint: dotted versions take up to 5 parts, the first of up to 6 digits, the others of up to 3
	EOF
	test_expect_code 2 on bad5 status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'a goose migration written in Go' '
	mkdir bad6 &&
	printf -- "-- +goose Up\nSELECT 1;\n" >bad6/00001_a.sql &&
	echo "package migrations" >bad6/00002_b.go &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'00002_b.go'"'"' is a goose migration written in Go, which ferry cannot run
	hint: write it as SQL, or as a code migration (ferry_set_add_code) in the application
	EOF
	test_expect_code 2 on bad6 status 2>actual &&
	test_cmp expect actual
'

test_expect_success 'another tool'"'"'s set may carry ferry'"'"'s repeatable/ directory' '
	mkdir -p gmr/repeatable &&
	echo "CREATE TABLE gmr_t (id integer);" >gmr/1_t.up.sql &&
	printf "DROP VIEW IF EXISTS gmr_v;\nCREATE VIEW gmr_v AS SELECT id FROM gmr_t;\n" >gmr/repeatable/views.sql &&
	on gmr up >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_t ... ok (N ms)
	up     repeatable/views ... ok (N ms)
	applied 2 migrations; database at 1
	EOF
	test_cmp expect actual
'

test_expect_success 'but a Flyway set keeps its repeatable scripts as R__ files' '
	mkdir fw/repeatable &&
	cat >expect <<-\EOF &&
	ferry: error: a Flyway set has a '"'"'repeatable'"'"' directory in '"'"'fw'"'"'
	hint: its repeatable migrations are its R__<name>.sql scripts: move repeatable/<name>.sql to R__<name>.sql
	EOF
	test_expect_code 2 on fw status 2>actual &&
	test_cmp expect actual &&
	rmdir fw/repeatable
'

test_expect_success 'up --rerun takes a Flyway version as Flyway writes it' '
	on fw up --rerun 1.2.10 --dry-run >out &&
	head -n 1 out >actual &&
	echo "-- 1/1: rerun V1.2.10__create_c (release 2.0), asks for confirmation" >expect &&
	test_cmp expect actual
'

test_expect_success 'an error in a down file names that file, line and column' '
	mkdir dn &&
	echo "CREATE TABLE dn_t (id integer);" >dn/1_t.up.sql &&
	printf -- "-- undo\nDROP TABEL dn_t;\n" >dn/1_t.down.sql &&
	on dn up >/dev/null &&
	test_expect_code 1 on dn down --steps 1 --yes >out 2>err &&
	sed -n 2p err >actual &&
	grep "^dn/1_t.down.sql:2:[0-9]*: " actual
'

test_expect_success 'a statement no transaction may hold: the hint is the tool'"'"'s way' '
	mkdir gx &&
	{ echo "-- +goose Up" && notx goose_users gx_idx; } >gx/00001_idx.sql &&
	test_expect_code 2 on gx up 2>err &&
	grep "^ferry: error: gx/00001_idx.sql:2:1: " err &&
	tail -n 1 err >actual &&
	echo "hint: add the line '"'"'-- +goose NO TRANSACTION'"'"' to the file" >expect &&
	test_cmp expect actual
'

test_expect_success 'down: a dry run shows the down file; no down file is refused with the tool'"'"'s way' '
	on dn up >/dev/null &&
	on dn down --steps 1 --dry-run >out &&
	sed -n 2p out >actual &&
	echo "-- dn/1_t.down.sql:1, in one transaction with its ledger row" >expect &&
	test_cmp expect actual &&
	echo "CREATE TABLE dn_u (id integer);" >dn/2_u.up.sql &&
	on dn up >/dev/null &&
	cat >expect <<-\EOF &&
	ferry: error: cannot revert migration '"'"'2_u'"'"': it has no down section
	hint: write its down file, <version>_<name>.down.sql; nothing was reverted
	EOF
	test_expect_code 5 on dn down --steps 1 --yes 2>actual &&
	test_cmp expect actual
'

test_expect_success 'a Flyway placeholder ferry does not replace' '
	mkdir bad7 &&
	printf "CREATE TABLE t (id integer);\nCREATE TABLE \${flyway:defaultSchema}.u (id integer);\n" >bad7/V1__a.sql &&
	cat >expect <<-\EOF &&
	ferry: error: bad7/V1__a.sql:2:14: Flyway placeholder '"'"'${flyway:defaultSchema}'"'"', which ferry does not replace
	hint: write the value into the script, or set placeholderReplacement=false in its .conf file if the text is meant as it is
	EOF
	test_expect_code 2 on bad7 status 2>actual &&
	test_cmp expect actual &&
	echo "placeholderReplacement=false" >bad7/V1__a.sql.conf &&
	on bad7 status >/dev/null
'

test_expect_success 'a Flyway script configuration ferry cannot honour' '
	echo "shouldExecute=\${env}==prod" >bad7/V1__a.sql.conf &&
	cat >expect <<-\EOF &&
	ferry: error: bad7/V1__a.sql.conf:1:1: shouldExecute, which ferry cannot evaluate
	hint: remove the script from the set where it must not run: ferry runs every script it reads
	EOF
	test_expect_code 2 on bad7 status 2>actual &&
	test_cmp expect actual &&
	printf "# a comment\nencoding=ISO_8859_1\n" >bad7/V1__a.sql.conf &&
	test_expect_code 2 on bad7 status 2>actual &&
	head -n 1 actual >first &&
	echo "ferry: error: bad7/V1__a.sql.conf:2:1: a script in an encoding other than UTF-8" >expect &&
	test_cmp expect first
'

test_expect_success 'ferry new refuses to write ferry'"'"'s format into another tool'"'"'s set' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'goose'"'"' holds a goose set; '"'"'ferry new'"'"' writes ferry'"'"'s format
	hint: write the new migration as goose names them: ferry reads it in place
	EOF
	test_expect_code 2 ferry --dir goose new add_things 2>actual &&
	test_cmp expect actual &&
	ls goose >actual &&
	printf "00001_create_users.sql\n00002_bump.sql\n" >expect &&
	test_cmp expect actual
'

test_done
