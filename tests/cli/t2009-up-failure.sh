#!/bin/sh
test_description='ferry up: a failing migration is rolled back, and the error says where'
. "$(dirname "$0")/test-lib.sh"

q="'"

# The engine's own words differ (PostgreSQL's come with the detail and the
# SQLSTATE); the rest of the error does not.
engine_msg() {
	case $ENGINE in
	sqlite) echo "$1" ;;
	pg) echo "$2" ;;
	esac
}

test_expect_success 'setup' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up --to 1 &&
	cat >migrations/0002_create_orders.sql <<-\EOF
	-- Orders, and a first order for a user that is there twice.
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);

	-- the same user twice
	INSERT INTO users (id, name) VALUES (1, '"'"'ada'"'"');
	INSERT INTO users (id, name)
		VALUES (1, '"'"'ada'"'"');
	INSERT INTO orders (id, user_id) VALUES (1, 1);
	EOF
'

test_expect_success 'the error: what failed, file:line:col and the engine'"'"'s words, a hint' '
	msg=$(engine_msg "UNIQUE constraint failed: users.id" \
		"duplicate key value violates unique constraint \"users_pkey\": Key (id)=(1) already exists. (SQLSTATE 23505)") &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}0002_create_orders${q} failed
	migrations/0002_create_orders.sql:7:1: $msg
	hint: nothing of it was applied; fix it and run again
	EOF
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>actual &&
	printf "%s\n" "up     0002_create_orders ... " >expect.out &&
	test_cmp expect.out out &&
	test_cmp expect actual
'

test_expect_success 'the failed migration is rolled back, with no ledger row' '
	db_tables >actual &&
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	users
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM users" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	echo "1|complete" >expect &&
	test_cmp expect actual
'

test_expect_success 'the migrations after it did not run' '
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  1 complete, 2 pending$" out
'

test_expect_success 'the history records the failure with its location' '
	db_sql "SELECT action, version, name, error FROM ferry_history ORDER BY id DESC LIMIT 1" >out &&
	msg=$(engine_msg "UNIQUE constraint failed: users.id" \
		"duplicate key value violates unique constraint \"users_pkey\": Key (id)=(1) already exists. (SQLSTATE 23505)") &&
	echo "up|2|create_orders|migrations/0002_create_orders.sql:7:1: $msg" >expect &&
	test_cmp expect out
'

test_expect_success 'a syntax error in the third statement names the line and column of the token' '
	cat >migrations/0002_create_orders.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);
	INSERT INTO users (id, name) VALUES (1, '"'"'ada'"'"');

	-- the first order
	INSERT INTO orders (id, user_id) VALUES (1, 1) oops;
	EOF
	msg=$(engine_msg "near \"oops\": syntax error" \
		"syntax error at or near \"oops\" (SQLSTATE 42601)") &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}0002_create_orders${q} failed
	migrations/0002_create_orders.sql:6:48: $msg
	hint: nothing of it was applied; fix it and run again
	EOF
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>actual &&
	test_cmp expect actual
'

test_expect_success 'nothing of the failed runs is left' '
	db_sql "SELECT count(*) FROM users" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_tables >actual &&
	printf "ferry_history\nferry_migrations\nusers\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'fixed, it applies' '
	cp "$FIXTURES/basic/0002_create_orders.sql" migrations/ &&
	ferry -d "$DB_URL" -q up &&
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n3|complete\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'an error in a file with CRLF line ends names the right line' '
	printf -- "-- ferry:up\r\nCREATE TABLE crlf (id integer PRIMARY KEY);\r\n\r\nINSERT INTO crlf (id) VALUES (1);\r\nINSERT INTO crlf (id) VALUES (1);\r\n" >migrations/0004_crlf.sql &&
	test_expect_code 1 ferry -d "$DB_URL" up 2>err &&
	sed -n 2p err >actual &&
	grep "^migrations/0004_crlf.sql:5:1: ." actual
'

test_done
