#!/bin/sh
test_description='ferry up refuses a migration older than the newest applied one'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: 1 and 3 applied, 2 merged late' '
	use_fixture basic &&
	mv migrations/0002_create_orders.sql late &&
	ferry -d "$DB_URL" -q up &&
	mv late migrations/0002_create_orders.sql &&
	echo "CREATE TABLE newer (id integer);" >migrations/0004_newer.sql
'

test_expect_success 'status shows it pending' '
	ferry -d "$DB_URL" status >out &&
	sed -n "/^STATE/,\$p" out >actual &&
	cat >expect <<-\EOF &&
	STATE    VERSION  NAME           RELEASE
	pending  2        create_orders  -
	pending  4        newer          -
	EOF
	test_cmp expect actual
'

test_expect_success 'up refuses, exit 5, and applies nothing' '
	db_snapshot before &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'0002_create_orders'"'"' is older than the newest applied one, 3
	hint: it was probably merged late; apply it anyway with '"'"'ferry up --allow-out-of-order'"'"'
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'up --to the newer one is refused as well' '
	test_expect_code 5 ferry -d "$DB_URL" up --to 4 >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'up --allow-out-of-order applies it, then the newer one' '
	ferry -d "$DB_URL" up --allow-out-of-order >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0002_create_orders ... ok (N ms)
	up     0004_newer ... ok (N ms)
	applied 2 migrations; database at 4
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version FROM ferry_migrations ORDER BY version" >actual &&
	printf "1\n2\n3\n4\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the summary names where the database is, not the last one run' '
	echo "CREATE TABLE t7 (id integer);" >migrations/0007_t7.sql &&
	ferry -d "$DB_URL" -q up &&
	echo "CREATE TABLE t5 (id integer);" >migrations/0005_t5.sql &&
	ferry -d "$DB_URL" up --allow-out-of-order >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0005_t5 ... ok (N ms)
	applied 1 migration; database at 7
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" status >out &&
	grep "^version     at 7; newest file 7$" out
'

test_done
