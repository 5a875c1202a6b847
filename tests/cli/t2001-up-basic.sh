#!/bin/sh
test_description='ferry up: numeric order, the ledger, the history, nothing to do'
. "$(dirname "$0")/test-lib.sh"

sha() {
	printf "%s" "$1" | sha256sum | cut -d " " -f 1
}

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/1_create_users.sql <<-\EOF &&
	-- The users.
	-- ferry:up
	CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
	-- ferry:down
	DROP TABLE users;
	EOF
	cat >migrations/2_create_orders.sql <<-\EOF &&
	CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);
	EOF
	cat >migrations/10_seed.sql <<-\EOF &&
	-- ferry:up
	INSERT INTO users (id, name) VALUES (1, '"'"'ada'"'"');
	INSERT INTO orders (id, user_id) VALUES (1, 1);
	EOF
	ferry --version | sed "s/^ferry //" >ferry_version
'

test_expect_success 'up applies in numeric order: 2 before 10' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_create_users ... ok (N ms)
	up     2_create_orders ... ok (N ms)
	up     10_seed ... ok (N ms)
	applied 3 migrations; database at 10
	EOF
	test_cmp expect actual &&
	db_sql "SELECT o.id, u.name FROM orders o JOIN users u ON u.id = o.user_id" >actual &&
	echo "1|ada" >expect &&
	test_cmp expect actual
'

test_expect_success 'the ledger has a row per migration' '
	db_sql "SELECT version, name, state, release, finish_at, finish_ms, failed_section, failed_statement, progress, error FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|create_users|complete|||||||
	2|create_orders|complete|||||||
	10|seed|complete|||||||
	EOF
	test_cmp expect actual
'

test_expect_success 'the ledger keeps the checksum of each section' '
	up1=$(sha "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
") &&
	down1=$(sha "DROP TABLE users;
") &&
	up2=$(sha "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);
") &&
	up10=$(sha "INSERT INTO users (id, name) VALUES (1, '"'"'ada'"'"');
INSERT INTO orders (id, user_id) VALUES (1, 1);
") &&
	cat >expect <<-EOF &&
	1|$up1||$down1
	2|$up2||
	10|$up10||
	EOF
	db_sql "SELECT version, up_checksum, finish_checksum, down_checksum FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual
'

test_expect_success 'the ledger says who applied it, with which ferry, when and how long' '
	db_sql "SELECT version, applied_by, ferry_version, up_at FROM ferry_migrations ORDER BY version" >out &&
	normalize <out >actual &&
	v=$(cat ferry_version) &&
	cat >expect <<-EOF &&
	1|USER@HOST|$v|TIME
	2|USER@HOST|$v|TIME
	10|USER@HOST|$v|TIME
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE up_ms >= 0 AND up_ms < 60000" >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'the history has an entry per migration' '
	db_sql "SELECT action, version, name, actor, ferry_version, error FROM ferry_history ORDER BY id" >out &&
	normalize <out >actual &&
	v=$(cat ferry_version) &&
	cat >expect <<-EOF &&
	up|1|create_users|USER@HOST|$v|
	up|2|create_orders|USER@HOST|$v|
	up|10|seed|USER@HOST|$v|
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_history WHERE duration_ms >= 0" >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'a second up has nothing to do and changes nothing' '
	db_snapshot before &&
	ferry -d "$DB_URL" up >actual 2>err &&
	echo "nothing to do: every migration is applied" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'up applies only what is new' '
	echo "CREATE TABLE items (id integer);" >migrations/11_create_items.sql &&
	ferry -d "$DB_URL" up >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     11_create_items ... ok (N ms)
	applied 1 migration; database at 11
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_history" >actual &&
	echo 4 >expect &&
	test_cmp expect actual
'

test_expect_success 'empty and comment-only migrations apply and are recorded' '
	: >migrations/12_empty.sql &&
	cat >migrations/13_comments.sql <<-\EOF &&
	-- Nothing to do in this release.
	-- ferry:up
	-- (really nothing)
	EOF
	ferry -d "$DB_URL" up >out &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     12_empty ... ok (N ms)
	up     13_comments ... ok (N ms)
	applied 2 migrations; database at 13
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations WHERE version > 11 ORDER BY version" >actual &&
	printf "12|complete\n13|complete\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a last statement with no semicolon' '
	printf "CREATE TABLE tail1 (id integer);\nCREATE TABLE tail2 (id integer)" >migrations/14_no_semicolon.sql &&
	ferry -d "$DB_URL" -q up &&
	db_tables >actual &&
	grep "^tail1$" actual &&
	grep "^tail2$" actual
'

test_expect_success 'up with no database to work on' '
	cat >expect <<-\EOF &&
	ferry: error: no database given
	hint: pass -d URL, set DATABASE_URL, or write '"'"'database = URL'"'"' in ferry.conf
	EOF
	test_expect_code 2 ferry up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_done
