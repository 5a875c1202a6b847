#!/bin/sh
test_description='SIGINT and SIGTERM cancel the running statement, roll back, record and free the lock'
. "$(dirname "$0")/test-lib.sh"

# Issue 14, part 8: Ctrl-C during a long migration cancels the statement
# (PQcancel; on SQLite a progress handler), rolls the section back or keeps a
# no-transaction section's place, writes an `interrupted` history entry,
# frees the runner lock and exits 130 (SIGINT) or 143 (SIGTERM).

q="'"

# bg NAME ARGS...: ferry in the background, output in NAME.out/.err.
bg() {
	_n=$1
	shift
	"$FERRY" -d "$DB_URL" "$@" >"$_n.out" 2>"$_n.err" &
	echo $! >"$_n.pid"
}

started() {
	grep -q "^$1 \.\.\. " "$2"
}

last_history() {
	db_sql "SELECT action, version, success FROM ferry_history ORDER BY id DESC LIMIT 1"
}

test_expect_success 'setup' '
	mkdir migrations &&
	echo "CREATE TABLE t (a integer);" >migrations/0001_t.sql &&
	{
		echo "INSERT INTO t VALUES (2);" &&
		slow_sql 20
	} >migrations/0002_slow.sql &&
	ferry -d "$DB_URL" -q up --to 1
'

test_expect_success 'SIGINT: exit 130, the section rolled back, an interrupted entry, the lock free' '
	bg a up &&
	wait_for 10 started "up     0002_slow" a.out &&
	kill -INT "$(cat a.pid)" &&
	test_expect_code 130 wait "$(cat a.pid)" &&
	grep "^ferry: error: migration ${q}0002_slow${q} was interrupted$" a.err &&
	grep "^hint: nothing of it was applied; run the command again$" a.err &&
	test "$(db_sql "SELECT count(*) FROM t")" = 0 &&
	test "$(db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 2")" = 0 &&
	test "$(last_history)" = "interrupted|2|0" &&
	ferry -d "$DB_URL" status >out &&
	grep "^lock        free$" out
'

test_expect_success 'SIGTERM: exit 143, and the next run applies it' '
	bg a up &&
	wait_for 10 started "up     0002_slow" a.out &&
	kill -TERM "$(cat a.pid)" &&
	test_expect_code 143 wait "$(cat a.pid)" &&
	test "$(last_history)" = "interrupted|2|0" &&
	{
		echo "INSERT INTO t VALUES (2);"
	} >migrations/0002_slow.sql &&
	ferry -d "$DB_URL" --lock-timeout 0 up >out &&
	grep "^up     0002_slow ... ok" out &&
	test "$(db_sql "SELECT count(*) FROM t")" = 1
'

test_expect_success 'a no-transaction section keeps its place and resumes there' '
	{
		echo "-- ferry:up no-transaction" &&
		echo "INSERT INTO t VALUES (3);" &&
		slow_sql 20 &&
		echo "INSERT INTO t VALUES (4);"
	} >migrations/0003_steps.sql &&
	bg a up &&
	wait_for 10 started "up     0003_steps" a.out &&
	sleep 1 &&
	kill -INT "$(cat a.pid)" &&
	test_expect_code 130 wait "$(cat a.pid)" &&
	grep "^hint: the statements before this one stay applied; run again to resume here$" a.err &&
	test "$(db_sql "SELECT state, failed_statement FROM ferry_migrations WHERE version = 3")" = "failed|2" &&
	test "$(db_sql "SELECT count(*) FROM t WHERE a = 3")" = 1 &&
	test "$(last_history)" = "interrupted|3|0" &&
	{
		echo "-- ferry:up no-transaction" &&
		echo "INSERT INTO t VALUES (3);" &&
		echo "SELECT 1;" &&
		echo "INSERT INTO t VALUES (4);"
	} >migrations/0003_steps.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	grep "resum" out err &&
	test "$(db_sql "SELECT count(*) FROM t WHERE a = 3")" = 1 &&
	test "$(db_sql "SELECT count(*) FROM t WHERE a = 4")" = 1
'

test_expect_success 'SIGINT while waiting for the lock: nothing changed' '
	{
		echo "INSERT INTO t VALUES (5);" &&
		slow_sql 3
	} >migrations/0004_hold.sql &&
	bg a up &&
	wait_for 10 started "up     0004_hold" a.out &&
	bg b up &&
	wait_for 10 grep -q "waiting for the lock" b.err &&
	kill -INT "$(cat b.pid)" &&
	test_expect_code 130 wait "$(cat b.pid)" &&
	grep "^ferry: error: interrupted$" b.err &&
	grep "^hint: nothing was changed$" b.err &&
	wait "$(cat a.pid)" &&
	grep "^up     0004_hold ... ok" a.out
'

test_done
