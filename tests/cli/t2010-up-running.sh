#!/bin/sh
test_description='a no-transaction section at work is running, not failed'
. "$(dirname "$0")/test-lib.sh"

# While a no-transaction section runs, the ledger says 'failed' at its
# current statement (so that a kill shows). status, list, check and
# validate on another terminal or node say 'running' while the runner that
# claimed it holds the runner lock; only one whose runner is gone failed.

start_runner() {
	"$FERRY" -d "$DB_URL" up >runner.out 2>runner.err &
	echo $! >runner.pid
}

gone() {
	! kill -0 "$1" 2>/dev/null ||
	grep -q "^$1 (.*) Z" /proc/$1/stat 2>/dev/null
}

at_statement() {
	test "$(db_sql "SELECT failed_statement FROM ferry_migrations WHERE version = 2" 2>/dev/null)" = "$1"
}

# The server frees a killed client's lock once it notices (PostgreSQL:
# within a second or so).
#
# The slow statement takes far longer than the checks below need, however
# loaded the machine, until a table named 'hurry' exists: it ends with its
# runner, and is quick when resumed. PostgreSQL notices a killed
# client only when the statement in its backend ends, so the test ends the
# backend the way an operator (or the server's TCP keepalive) would.
slow_until_hurry() {
	case $ENGINE in
	sqlite) echo "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < (SELECT CASE WHEN count(*) THEN 1 ELSE 360000000 END FROM sqlite_master WHERE name = 'hurry')) SELECT count(*) FROM r;" ;;
	pg) echo "SELECT pg_sleep(CASE WHEN to_regclass('hurry') IS NULL THEN 60 ELSE 0 END);" ;;
	esac
}

end_orphaned_backend() {
	case $ENGINE in
	pg) db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'SELECT pg_sleep%'" >/dev/null ;;
	esac
}
lock_free() {
	ferry -d "$DB_URL" status >status.out 2>&1 &&
	grep -q "^lock        free\$" status.out
}

norm_runner() {
	sed -e "s/pid $(cat runner.pid),/pid RUNNER,/g" | normalize
}

test_expect_success 'setup: a no-transaction section whose second statement is slow' '
	mkdir migrations &&
	echo "CREATE TABLE first (id int);" >migrations/1_first.sql &&
	{
		echo "-- ferry:up no-transaction" &&
		echo "CREATE TABLE a (id int);" &&
		slow_until_hurry &&
		echo "CREATE TABLE b (id int);"
	} >migrations/2_slow.sql &&
	echo "1.0 2" >migrations/releases &&
	ferry -d "$DB_URL" up --to 1 >out &&
	start_runner &&
	wait_for 10 at_statement 2
'

test_expect_success 'status says running, at which statement of how many, and by whom' '
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	grep "^migrations  1 complete, 0 pending, 1 running$" out &&
	norm_runner <out | sed -E "s/ {2,}/  /g" | grep "^running  2  slow  1.0  up section at statement 2 of 3, by pid RUNNER, USER@HOST, since TIME$" &&
	ferry -d "$DB_URL" status --json >out &&
	test_json out ".counts.running == 1" ".counts.failed == 0"
'

test_expect_success 'list says running' '
	ferry -d "$DB_URL" list >out &&
	sed -E "s/ {2,}/  /g" out | grep "^2  slow  1.0  running  .*  up, at statement 2 of 3$" &&
	ferry -d "$DB_URL" list --json >out &&
	test_json out ".[1].state == \"running\""
'

test_expect_success 'check says the release waits for a migration being applied' '
	test_expect_code 3 ferry -d "$DB_URL" check --release 1.0 >out 2>err &&
	norm_runner <err >actual &&
	cat >expect <<-\EOF &&
	ferry: error: release 1.0 cannot run yet: migration '"'"'2_slow'"'"' is being applied (statement 2, by pid RUNNER, USER@HOST, since TIME)
	hint: wait for that runner to finish, then check again
	EOF
	test_cmp expect actual
'

test_expect_success 'validate finds nothing wrong' '
	ferry -d "$DB_URL" validate >out 2>err &&
	grep "^ok: the files and the ledger agree" out
'

test_expect_success 'once its runner is killed, the section failed' '
	kill -9 "$(cat runner.pid)" &&
	wait_for 10 gone "$(cat runner.pid)" &&
	end_orphaned_backend &&
	db_sql "CREATE TABLE hurry (id int)" &&
	wait_for 10 lock_free &&
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  1 complete, 0 pending, 1 failed$" out &&
	test_expect_code 5 ferry -d "$DB_URL" validate >out 2>err &&
	grep "^2 slow: failed: up section stopped at statement 2" out
'

test_expect_success 'up resumes it' '
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^up     2_slow \.\.\. resuming at statement 2 \.\.\. ok" out &&
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  2 complete, 0 pending$" out
'

test_done
