#!/bin/sh
test_description='validate without a database: the files alone, for pull-request jobs'
. "$(dirname "$0")/test-lib.sh"

# Issue 18 part 4: with --offline, validate checks names, sections,
# releases, the statement splitter and lint, and says it checked no
# database. Without a database and without --offline it is an error, as
# before: a deploy gate whose URL went missing must not pass.

q="'"

offline() {
	env -u DATABASE_URL "$FERRY" "$@"
}

test_expect_success 'setup: a clean set with a release' '
	mkdir migrations &&
	cat >migrations/10_users.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, legacy text);
	-- ferry:finish
	ALTER TABLE users DROP COLUMN legacy;
	-- ferry:down
	DROP TABLE users;
	EOF
	cat >migrations/20_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, note text DEFAULT $$it${q}s$$);
	EOF
	echo "1.0 20" >migrations/releases &&
	cp -R migrations pristine
'

restore() {
	rm -rf migrations && cp -R pristine migrations
}

test_expect_success 'without a database nor --offline: exit 2, so a lost URL does not pass a gate' '
	test_expect_code 2 offline validate >out 2>err &&
	test_must_be_empty out &&
	grep "^ferry: error: no database given\$" err &&
	grep "^hint: .*--offline to check the files alone" err
'

test_expect_success 'a clean set, --offline without a database: exit 0, says no database was checked' '
	offline validate --offline >out 2>err &&
	echo "ok: the files check out (2 migrations); no database checked (--offline)" >expect &&
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success '--offline checks the files alone even with a database given' '
	offline -d "$DB_URL" validate --offline >out 2>err &&
	echo "ok: the files check out (2 migrations); no database checked (--offline)" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	db_tables >tables &&
	test_must_be_empty tables
'

test_expect_success '--json without a database: ok, database_checked false' '
	offline validate --offline --json >out &&
	jq -e ".ok == true and .database_checked == false and
		.findings == [] and .lint == []" out &&
	offline -d "$DB_URL" validate --json >out &&
	jq -e ".ok == true and .database_checked == true" out
'

test_expect_success 'a bad file name: exit 2' '
	restore &&
	echo "SELECT 1;" >migrations/add_users.sql &&
	test_expect_code 2 offline validate --offline >out 2>err &&
	test_must_be_empty out &&
	grep "^ferry: error: .*add_users.sql" err
'

test_expect_success 'a duplicate version: exit 2' '
	restore &&
	cp migrations/20_orders.sql migrations/20_again.sql &&
	test_expect_code 2 offline validate --offline 2>err &&
	grep "^ferry: error: .*20" err
'

test_expect_success 'an unknown section marker: exit 2, file and line' '
	restore &&
	printf "%s\n" "-- ferry:up" "SELECT 1;" "-- ferry:finsh" "SELECT 2;" >migrations/30_typo.sql &&
	test_expect_code 2 offline validate --offline 2>err &&
	grep "^ferry: error: migrations/30_typo.sql:3" err
'

test_expect_success 'an unterminated dollar quote: exit 2, file, line and column' '
	restore &&
	printf "%s\n" "-- ferry:up" "CREATE FUNCTION f() RETURNS int AS \$\$ SELECT 1;" >migrations/30_fn.sql &&
	cat >expect <<-EOF &&
	ferry: error: migrations/30_fn.sql:2:36: unterminated dollar-quoted string in migration ${q}30_fn${q}
	hint: close it; everything after it would be read as part of it
	EOF
	test_expect_code 2 offline validate --offline >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out
'

test_expect_success 'an unterminated string: exit 2, and as a JSON error' '
	restore &&
	printf "%s\n" "-- ferry:up" "INSERT INTO users VALUES (1, ${q}abc);" >migrations/30_seed.sql &&
	test_expect_code 2 offline validate --offline 2>err &&
	grep "^ferry: error: migrations/30_seed.sql:2:30: unterminated quoted string" err &&
	test_expect_code 2 offline validate --offline --json >out 2>err &&
	jq -e ".error.exit == 2 and .error.file == \"migrations/30_seed.sql\" and
		.error.line == 2" out
'

test_expect_success 'a release naming a version no file has: exit 2' '
	restore &&
	echo "2.0 99" >>migrations/releases &&
	test_expect_code 2 offline validate --offline 2>err &&
	grep "^ferry: error: .*releases" err
'

test_expect_success 'a lint error fails offline (exit 5); a warning is only said' '
	restore &&
	printf "%s\n" "-- ferry:up" "ALTER TABLE users DROP COLUMN legacy;" >migrations/30_drop.sql &&
	test_expect_code 5 offline validate --offline >out 2>err &&
	test_must_be_empty out &&
	grep "^ferry: error: migrations/30_drop.sql:2:[0-9]*: \[up-drop-column\]" err &&
	grep "^hint: " err &&
	test_expect_code 5 offline validate --offline --json >out &&
	jq -e ".ok == false and .database_checked == false and
		(.lint | map(.rule) | index(\"up-drop-column\") != null)" out
'

test_expect_success 'an allowed lint error passes' '
	restore &&
	printf "%s\n" "-- ferry:up" "-- ferry:allow up-drop-column nothing reads it" \
		"ALTER TABLE users DROP COLUMN legacy;" >migrations/30_drop.sql &&
	offline validate --offline >out &&
	grep "^ok: the files check out (3 migrations)" out
'

test_expect_success 'with a database, an unterminated string is found too' '
	restore &&
	printf "%s\n" "-- ferry:up" "INSERT INTO users VALUES (1, ${q}abc);" >migrations/30_seed.sql &&
	test_expect_code 2 offline -d "$DB_URL" validate 2>err &&
	grep "unterminated quoted string" err
'

test_expect_success 'validate --help shows --offline' '
	ferry validate --help >out &&
	grep "^      --offline  " out
'

test_done
