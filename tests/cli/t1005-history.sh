#!/bin/sh
test_description='ferry history: the audit log, newest first'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	use_fixture basic
'

test_expect_success 'no history yet' '
	db_snapshot before &&
	ferry -d "$DB_URL" history >actual 2>err &&
	echo "no history yet" >expect &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'every up is in the history, newest first' '
	ferry -d "$DB_URL" -q up --to 2 &&
	ferry -d "$DB_URL" -q up &&
	ferry -d "$DB_URL" history >out 2>err &&
	test_must_be_empty err &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	AT  ACTION  VERSION  NAME  BY  TOOK  RESULT
	TIME  up  3  seed_users  USER@HOST  N ms  ok
	TIME  up  2  create_orders  USER@HOST  N ms  ok
	TIME  up  1  create_users  USER@HOST  N ms  ok
	EOF
	test_cmp expect actual
'

test_expect_success 'history --limit N shows the newest N' '
	ferry -d "$DB_URL" history --limit 2 >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	AT  ACTION  VERSION  NAME  BY  TOOK  RESULT
	TIME  up  3  seed_users  USER@HOST  N ms  ok
	TIME  up  2  create_orders  USER@HOST  N ms  ok
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" history -n 2 >again &&
	test_cmp out again &&
	ferry -d "$DB_URL" history --limit=1 >out &&
	test_line_count = 2 out
'

test_expect_success 'a limit beyond the log shows it all' '
	ferry -d "$DB_URL" history --limit 100 >out &&
	test_line_count = 4 out
'

test_expect_success 'a failure is in the history with file:line:col' '
	cat >migrations/0004_bad_insert.sql <<-\EOF &&
	-- Two users, one of them twice.
	-- ferry:up
	INSERT INTO users (id, name) VALUES (3, '"'"'cy'"'"');
	INSERT INTO users (id, name) VALUES (1, '"'"'ada again'"'"');
	EOF
	test_expect_code 1 ferry -d "$DB_URL" -q up 2>/dev/null &&
	ferry -d "$DB_URL" history --limit 1 >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	AT  ACTION  VERSION  NAME  BY  TOOK  RESULT
	EOF
	head -n 1 actual >head &&
	test_cmp expect head &&
	sed -n 2p actual >row &&
	grep "^TIME  up  4  bad_insert  USER@HOST  N ms  failed: migrations/0004_bad_insert.sql:4:1: ." row &&
	if test "$ENGINE" = sqlite; then
		echo "TIME  up  4  bad_insert  USER@HOST  N ms  failed: migrations/0004_bad_insert.sql:4:1: UNIQUE constraint failed: users.id" >expect &&
		test_cmp expect row
	fi
'

test_expect_success 'the failure is in the history table, the migration is not in the ledger' '
	db_sql "SELECT action, version, name, error FROM ferry_history WHERE version = 4" >actual &&
	grep "^up|4|bad_insert|migrations/0004_bad_insert.sql:4:1: ." actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 4" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT name FROM users ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	ada
	bob; the builder
	EOF
	test_cmp expect actual
'

test_expect_success 'history needs no migration files' '
	mkdir elsewhere &&
	(
		cd elsewhere &&
		ferry -d "$(echo "$DB_URL" | sed "s|^sqlite:|sqlite:../|")" history >../out
	) &&
	normalize_table <out >actual &&
	test_line_count = 5 actual &&
	sed -n 3p actual >row &&
	echo "TIME  up  3  seed_users  USER@HOST  N ms  ok" >expect &&
	test_cmp expect row
'

test_expect_success 'history on a database ferry never touched' '
	if test "$ENGINE" = sqlite; then
		ferry -d sqlite:other.db history >actual &&
		test_path_is_missing other.db
	else
		ferry -d "$DB_URL" --table other_migrations history >actual
	fi &&
	echo "no history yet" >expect &&
	test_cmp expect actual
'

test_done
