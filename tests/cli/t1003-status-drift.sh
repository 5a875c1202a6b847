#!/bin/sh
test_description='ferry status: drift, and versions the files do not have'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up &&
	cp -R migrations pristine
'

test_expect_success 'an edited applied file is drift' '
	sed "s/name text NOT NULL/name text/" pristine/0001_create_users.sql \
		>migrations/0001_create_users.sql &&
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	sed -n "3,\$p" out | normalize_engine | normalize >actual &&
	cat >expect <<-\EOF &&
	version     at 3; newest file 3
	migrations  3 complete, 0 pending
	drift       1 (changed after applied)
	lock        free
	last action up 3 by USER@HOST at TIME

	STATE     VERSION  NAME          RELEASE  NOTE
	complete  1        create_users  -        file changed after it was applied
	EOF
	test_cmp expect actual
'

test_expect_success 'status --exit-code: 5 on drift' '
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >actual &&
	ferry -d "$DB_URL" status >expect &&
	test_cmp expect actual
'

test_expect_success 'drift beats pending work in the exit code' '
	echo "CREATE TABLE later (id integer);" >migrations/0004_later.sql &&
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^migrations  3 complete, 1 pending$" out &&
	rm migrations/0004_later.sql
'

test_expect_success 'two drifted files' '
	echo "-- one more line" >>migrations/0002_create_orders.sql &&
	ferry -d "$DB_URL" status >out &&
	grep "^drift " out >actual &&
	echo "drift       1, 2 (changed after applied)" >expect &&
	test_cmp expect actual
'

test_expect_success 'restoring the files ends the drift' '
	cp pristine/* migrations/ &&
	ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift " out >actual &&
	echo "drift       none" >expect &&
	test_cmp expect actual
'

test_expect_success 'CRLF line ends are not drift' '
	sed "s/\$/\r/" pristine/0001_create_users.sql >migrations/0001_create_users.sql &&
	sed "s/\$/\r/" pristine/0002_create_orders.sql >migrations/0002_create_orders.sql &&
	ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       none$" out &&
	cp pristine/* migrations/
'

test_expect_success 'a comment above the first marker is not part of a section' '
	sed "1s/.*/-- The users of the shop, and nothing else./" \
		pristine/0001_create_users.sql >migrations/0001_create_users.sql &&
	! test_cmp pristine/0001_create_users.sql migrations/0001_create_users.sql &&
	ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       none$" out &&
	cp pristine/* migrations/
'

test_expect_success 'the down section of an applied migration may change' '
	sed "s/DELETE FROM users;/DELETE FROM users WHERE id IN (1, 2);/" \
		pristine/0003_seed_users.sql >migrations/0003_seed_users.sql &&
	! test_cmp pristine/0003_seed_users.sql migrations/0003_seed_users.sql &&
	ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       none$" out &&
	cp pristine/* migrations/
'

test_expect_success 'adding a finish section to a complete migration is drift' '
	cat >>migrations/0003_seed_users.sql <<-\EOF &&
	-- ferry:finish
	DELETE FROM users WHERE id = 2;
	EOF
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       3 (changed after applied)$" out &&
	cp pristine/* migrations/
'

test_expect_success 'a version applied that no file has' '
	echo "CREATE TABLE later (id integer);" >migrations/0004_later.sql &&
	ferry -d "$DB_URL" -q up &&
	rm migrations/0004_later.sql &&
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	sed -n "3,\$p" out | normalize_engine | normalize >actual &&
	cat >expect <<-\EOF &&
	version     at 4; newest file 3
	migrations  3 complete, 0 pending, 1 not in the files
	ahead       1 migration up to 4 is not in these files: a newer release migrated this database; do not run up, finish or down with these files
	drift       none
	lock        free
	last action up 4 by USER@HOST at TIME

	STATE     VERSION  NAME   RELEASE  NOTE
	complete  4        later  -        applied, but no file has it
	EOF
	test_cmp expect actual
'

test_expect_success 'status --exit-code: 5 when the database is ahead' '
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >/dev/null
'

test_expect_success 'list marks the version with no file' '
	ferry -d "$DB_URL" list >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	VERSION  NAME  RELEASE  STATE  APPLIED AT  TOOK  NOTE
	1  create_users  -  complete  TIME  N ms
	2  create_orders  -  complete  TIME  N ms
	3  seed_users  -  complete  TIME  N ms
	4  later  -  complete  TIME  N ms  no file
	EOF
	test_cmp expect actual
'

test_expect_success 'a row in the ledger with no file, between files' '
	db_sql "INSERT INTO ferry_migrations (version, name, state, has_finish, up_checksum, applied_by, ferry_version) SELECT 7, '"'"'hand_made'"'"', state, has_finish, up_checksum, applied_by, ferry_version FROM ferry_migrations WHERE version = 3" &&
	echo "CREATE TABLE newer (id integer);" >migrations/0010_newer.sql &&
	ferry -d "$DB_URL" status >out &&
	sed -n "/^migrations/p; /^STATE/,\$p" out >actual &&
	cat >expect <<-\EOF &&
	migrations  3 complete, 1 pending, 2 not in the files
	STATE     VERSION  NAME       RELEASE  NOTE
	complete  4        later      -        applied, but no file has it
	complete  7        hand_made  -        applied, but no file has it
	pending   10       newer      -
	EOF
	test_cmp expect actual &&
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >/dev/null
'

test_done
