#!/bin/sh
test_description='a failing statement: its line and column, nothing of the migration left'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 2 and 4: a transactional section that fails is rolled back
# with its ledger row, so the migration stays pending; the failure is in
# ferry_history; exit 1 with file, line and column and the server's words.

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# Everything of the database but ferry_history: the tables, the user data
# and the ledger.
user_state() {
	db_tables &&
	db_sql "SELECT id, note FROM first ORDER BY id" &&
	db_sql "SELECT * FROM ferry_migrations ORDER BY version"
}

# The engine's words for a syntax error at TOKEN.
syntax_error() {
	case $ENGINE in
	sqlite) echo "near \"$1\": syntax error" ;;
	pg) echo "syntax error at or near \"$1\" (SQLSTATE 42601)" ;;
	esac
}

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY, note text);
	INSERT INTO first VALUES (1, '"'"'one'"'"');
	EOF
	ferry -d "$DB_URL" up >out &&
	db_sql "SELECT count(*) FROM ferry_history" >history.before
'

# The first two statements run before the third fails: the rollback must
# take them away again.
test_expect_success 'a syntax error in the third statement: exit 1, its line and column' '
	cat >migrations/2_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY);
	INSERT INTO first VALUES (2, '"'"'two'"'"');
	CREATE TABLE third (id integer, note text,, extra text);
	CREATE TABLE fourth (id integer);
	EOF
	user_state >state.before &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	user_state >state.after &&
	echo "up     2_second ... " >expect &&
	test_cmp expect out &&
	msg=$(syntax_error ",") &&
	cat >expect <<-EOF &&
	ferry: error: migration '"'"'2_second'"'"' failed
	migrations/2_second.sql:3:43: $msg
	hint: nothing of it was applied; fix it and run again
	EOF
	test_cmp expect err &&
	test_cmp state.before state.after
'

test_expect_success 'the failed migration is pending, its tables absent' '
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	first
	EOF
	db_tables >actual &&
	test_cmp expect actual &&
	echo 0 >expect &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 2" >actual &&
	test_cmp expect actual &&
	echo "1|one" >expect &&
	db_sql "SELECT id, note FROM first" >actual &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  1 complete, 1 pending\$" out
'

test_expect_success 'the failure is in the history, with its location' '
	echo $(($(cat history.before) + 1)) >expect &&
	db_sql "SELECT count(*) FROM ferry_history" >actual &&
	test_cmp expect actual &&
	msg=$(syntax_error ",") &&
	cat >expect <<-EOF &&
	up|2|second|migrations/2_second.sql:3:43: $msg
	EOF
	db_sql "SELECT action, version, name, error FROM ferry_history ORDER BY id DESC LIMIT 1" >actual &&
	test_cmp expect actual
'

test_expect_success 'a failing statement after a blank line and a comment' '
	cat >migrations/2_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY);

	-- the bad one follows
	  INSERT INTO second VALUES (1), (2), (3) oops (4);
	EOF
	user_state >state.before &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	user_state >state.after &&
	msg=$(syntax_error oops) &&
	cat >expect <<-EOF &&
	ferry: error: migration '"'"'2_second'"'"' failed
	migrations/2_second.sql:4:43: $msg
	hint: nothing of it was applied; fix it and run again
	EOF
	test_cmp expect err &&
	test_cmp state.before state.after
'

test_expect_success 'an error the engine finds only when running it' '
	cat >migrations/2_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY);
	INSERT INTO second VALUES (1);
	INSERT INTO second VALUES (1);
	EOF
	user_state >state.before &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	user_state >state.after &&
	test_cmp state.before state.after &&
	head -n 1 err >actual &&
	echo "ferry: error: migration '"'"'2_second'"'"' failed" >expect &&
	test_cmp expect actual &&
	sed -n 2p err >second.line &&
	grep "^migrations/2_second.sql:3:1: " second.line &&
	case $ENGINE in
	sqlite) grep "UNIQUE constraint failed: second.id" second.line ;;
	pg) grep "duplicate key value violates unique constraint" second.line ;;
	esac &&
	tail -n 1 err >actual &&
	echo "hint: nothing of it was applied; fix it and run again" >expect &&
	test_cmp expect actual
'

test_expect_success 'the migrations before the failing one stay applied' '
	cat >migrations/2_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY);
	EOF
	cat >migrations/3_third.sql <<-\EOF &&
	CREATE TABLE third (id integer PRIMARY KEY);
	INSERT INTO nowhere VALUES (1);
	EOF
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	cat >expect <<-\EOF &&
	up     2_second ... ok (N ms)
	up     3_third ... 
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	1|complete
	2|complete
	EOF
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	first
	second
	EOF
	db_tables >actual &&
	test_cmp expect actual
'

test_expect_success 'fixed, the migration applies' '
	cat >migrations/3_third.sql <<-\EOF &&
	CREATE TABLE third (id integer PRIMARY KEY);
	EOF
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	1|complete
	2|complete
	3|complete
	EOF
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual
'

test_done
