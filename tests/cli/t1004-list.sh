#!/bin/sh
test_description='ferry list: one row per migration, with its state and notes'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	use_fixture basic &&
	cat >migrations/0004_add_email.sql <<-\EOF &&
	-- ferry:up
	ALTER TABLE users ADD COLUMN email text;
	-- ferry:finish
	ALTER TABLE users DROP COLUMN name;
	EOF
	cat >migrations/0005_backfill.sql <<-\EOF &&
	-- ferry:up no-transaction
	UPDATE users SET email = '"'"'ada@example.com'"'"' WHERE id = 1;
	UPDATE nowhere SET email = NULL;
	EOF
	echo "CREATE TABLE later (id integer);" >migrations/0006_later.sql
'

test_expect_success 'list before anything is applied' '
	ferry -d "$DB_URL" list >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	VERSION  NAME           RELEASE  STATE    APPLIED AT  TOOK
	1        create_users   -        pending  -           -
	2        create_orders  -        pending  -           -
	3        seed_users     -        pending  -           -
	4        add_email      -        pending  -           -
	5        backfill       -        pending  -           -
	6        later          -        pending  -           -
	EOF
	test_cmp expect actual
'

test_expect_success 'list shows complete, up, failed and pending' '
	test_expect_code 1 ferry -d "$DB_URL" -q up 2>/dev/null &&
	ferry -d "$DB_URL" list >out 2>err &&
	test_must_be_empty err &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	VERSION  NAME  RELEASE  STATE  APPLIED AT  TOOK  NOTE
	1  create_users  -  complete  TIME  N ms
	2  create_orders  -  complete  TIME  N ms
	3  seed_users  -  complete  TIME  N ms
	4  add_email  -  up  TIME  N ms  finish pending
	5  backfill  -  failed  TIME  -  at statement 2
	6  later  -  pending  -  -
	EOF
	test_cmp expect actual
'

test_expect_success 'list notes drift' '
	echo "-- edited" >>migrations/0002_create_orders.sql &&
	ferry -d "$DB_URL" list >out &&
	normalize_table <out >actual &&
	grep "^2  create_orders  -  complete  TIME  N ms  drift$" actual
'

test_expect_success 'list notes a version that no file has' '
	db_sql "INSERT INTO ferry_migrations (version, name, state, has_finish, up_checksum, applied_by, ferry_version) SELECT 9, '"'"'gone'"'"', state, has_finish, up_checksum, applied_by, ferry_version FROM ferry_migrations WHERE version = 1" &&
	ferry -d "$DB_URL" list >out &&
	normalize_table <out >actual &&
	tail -n 2 actual >last &&
	cat >expect <<-\EOF &&
	6  later  -  pending  -  -
	9  gone  -  complete  -  -  no file
	EOF
	test_cmp expect last
'

test_expect_success 'list reads only' '
	db_snapshot before &&
	ferry -d "$DB_URL" list >/dev/null &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'list with a broken migration file' '
	echo "CREATE TABLE x (id integer);" >migrations/0007_bad.SQL &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'0007_bad.SQL'"'"' is not a valid migration file name
	hint: name it <version>_<name>.sql, e.g. 0001_create_users.sql (letters, digits, '"'"'_'"'"' and '"'"'-'"'"'), or move it out of '"'"'migrations'"'"'
	EOF
	test_expect_code 2 ferry -d "$DB_URL" list >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_done
