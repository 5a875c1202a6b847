#!/bin/sh
test_description='ferry up killed with SIGKILL mid-migration leaves no trace of it'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 2: each transactional section runs in one transaction with
# its ledger row, so a kill -9 leaves the migration wholly applied or not
# at all; the runner lock is freed when the process dies.

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# A statement that runs for a minute unless killed.
endless_sql() {
	case $ENGINE in
	sqlite) echo "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 400000000) SELECT count(*) FROM r;" ;;
	pg) echo "SELECT pg_sleep(60);" ;;
	esac
}

# The runner is in its endless statement: it printed its progress line and
# its rows are written (on SQLite, spilled into the database file itself,
# so the kill leaves a half-written file and a hot journal behind).
in_endless_statement() {
	grep -q "^up     2_fill \.\.\. " runner.out || return 1
	case $ENGINE in
	sqlite)
		test "$(wc -c <test.db)" -gt "$(cat size.before)" ;;
	pg)
		test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()")" = 1 ;;
	esac
}

trap 'test -f "$TRASH/runner.pid" && kill -9 "$(cat "$TRASH/runner.pid")" 2>/dev/null' EXIT

test_expect_success 'setup: one migration applied, a long one pending' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY, note text);
	INSERT INTO first VALUES (1, '"'"'kept'"'"');
	EOF
	ferry -d "$DB_URL" up >out &&
	{
		cat <<-\EOF &&
		CREATE TABLE filled (id integer PRIMARY KEY, pad text NOT NULL);
		WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 100000)
		INSERT INTO filled SELECT i, '"'"'padding, padding, padding, padding'"'"' FROM r;
		UPDATE first SET note = '"'"'changed'"'"';
		EOF
		endless_sql
	} >migrations/2_fill.sql &&
	db_snapshot before &&
	wc -c <before >size.before
'

test_expect_success 'ferry up is killed with SIGKILL in the middle of it' '
	"$FERRY" -d "$DB_URL" up >runner.out 2>runner.err &
	echo $! >runner.pid &&
	wait_for 10 in_endless_statement &&
	kill -9 "$(cat runner.pid)" &&
	{ wait "$(cat runner.pid)"; echo $? >rc; } &&
	echo 137 >expect &&
	test_cmp expect rc &&
	rm runner.pid
'

test_expect_success 'the database holds no trace of the killed migration' '
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	first
	EOF
	db_tables >actual &&
	test_cmp expect actual &&
	echo "1|kept" >expect &&
	db_sql "SELECT id, note FROM first" >actual &&
	test_cmp expect actual &&
	echo "1|first|complete" >expect &&
	db_sql "SELECT version, name, state FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual &&
	echo "up|1|" >expect &&
	db_sql "SELECT action, version, error FROM ferry_history ORDER BY id" >actual &&
	test_cmp expect actual
'

# The lock died with its holder: a new ferry gets it without waiting (on
# PostgreSQL, once the server has noticed that the client is gone: ferry
# asks it to check every 500 ms, so within seconds even on a loaded box; 20 s at most).
backend_gone() {
	test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()")" = 0
}

test_expect_success 'the lock is free at once, and the next ferry up finishes the job' '
	if test "$ENGINE" = pg
	then
		wait_for 20 backend_gone
	fi &&
	cat >migrations/2_fill.sql <<-\EOF &&
	CREATE TABLE filled (id integer PRIMARY KEY, pad text NOT NULL);
	WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 100000)
	INSERT INTO filled SELECT i, '"'"'padding, padding, padding, padding'"'"' FROM r;
	UPDATE first SET note = '"'"'changed'"'"';
	EOF
	ferry -d "$DB_URL" up --lock-timeout 0 >out 2>err &&
	cat >expect <<-\EOF &&
	up     2_fill ... ok (N ms)
	applied 1 migration; database at 2
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	echo "100000" >expect &&
	db_sql "SELECT count(*) FROM filled" >actual &&
	test_cmp expect actual &&
	echo "1|changed" >expect &&
	db_sql "SELECT id, note FROM first" >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	1|first|complete
	2|fill|complete
	EOF
	db_sql "SELECT version, name, state FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual
'

test_expect_success 'history shows the two ups and nothing of the killed run' '
	cat >expect <<-\EOF &&
	up|1|
	up|2|
	EOF
	db_sql "SELECT action, version, error FROM ferry_history ORDER BY id" >actual &&
	test_cmp expect actual
'

test_done
