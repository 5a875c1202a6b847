#!/bin/sh
test_description='ferry import --via-migrations: an older export brought up by the set'
. "$(dirname "$0")/test-lib.sh"

# Issue 17 part 2: an export from an older migration version is refused,
# or with --via-migrations loaded into a scratch database at its version,
# migrated there by the set to the database's version (the set readjusts
# the rows), and copied over; the scratch database never stays behind.

q="'"

# What the scratch databases left: hidden files, or PostgreSQL databases.
scratch_left() {
	case $ENGINE in
	sqlite) ls -a | grep "^\.ferry-import-" ;;
	pg) "$PSQL" -X -q -At -d "$PG_ADMIN_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE 'ferry_import_%'" ;;
	esac
}

test_expect_success 'setup: version 1 exported, the database at version 2' '
	mkdir migrations &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" \
		>migrations/1_people.sql &&
	ferry -d sqlite:old.db up >out 2>err &&
	sqlite3 old.db "INSERT INTO people VALUES (1, ${q}Ada Lovelace${q}), (2, ${q}Alan Turing${q})" &&
	ferry -d sqlite:old.db export -o old.jsonl 2>err &&
	case $ENGINE in
	sqlite) split="substr(name, 1, instr(name, ${q} ${q}) - 1)" ;;
	pg) split="split_part(name, ${q} ${q}, 1)" ;;
	esac &&
	printf "%s\n" "-- ferry:up" "ALTER TABLE people ADD COLUMN first TEXT;" \
		"UPDATE people SET first = $split;" >migrations/2_first.sql &&
	ferry -d "$DB_URL" up >out 2>err
'

test_expect_success 'without --via-migrations: refused (exit 5), the hint names it, nothing loaded' '
	test_expect_code 5 ferry -d "$DB_URL" import old.jsonl >out 2>err &&
	grep "^ferry: error: the export is at migration version 1, the database at 2: an import needs the same version$" err &&
	grep "^hint: .*ferry import --via-migrations$" err &&
	db_sql "SELECT count(*) FROM people" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'through the migrations: the rows readjusted by version 2, the scratch database gone' '
	ferry -d "$DB_URL" import --via-migrations old.jsonl >out 2>err &&
	grep "^people  *2 rows  checksum [0-9a-f]\{16\}$" out &&
	db_sql "SELECT id, name, first FROM people ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1|Ada Lovelace|Ada
	2|Alan Turing|Alan
	EOF
	test_cmp expect actual &&
	scratch_left >left || true &&
	test_must_be_empty left
'

test_expect_success 'a migration failing on the way: exit 1, the database as it was, no scratch left' '
	db_sql "DELETE FROM people" &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE later (id int);" >migrations/3_later.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	mv migrations/2_first.sql first.sql &&
	printf "%s\n" "-- ferry:up" "SELECT no_such_column FROM people;" >migrations/2_first.sql &&
	db_snapshot before &&
	test_expect_code 1 ferry -d "$DB_URL" import --via-migrations old.jsonl >out 2>err &&
	grep "2_first" err &&
	db_snapshot after &&
	test_cmp before after &&
	scratch_left >left || true &&
	test_must_be_empty left &&
	mv first.sql migrations/2_first.sql
'

test_expect_success 'the database in the middle of a rollout: refused (exit 5)' '
	printf "%s\n" "-- ferry:up" "CREATE TABLE t4 (id int);" "-- ferry:finish" "SELECT 1;" >migrations/4_t4.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_expect_code 5 ferry -d "$DB_URL" import --via-migrations old.jsonl >out 2>err &&
	grep "^ferry: error: the database is in the middle of a rollout: migration 4 is up, its finish not run$" err
'

test_done
