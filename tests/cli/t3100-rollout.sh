#!/bin/sh
test_description='blue-green rollout: releases 1.0 and 2.0 of an application share the database through up, then finish or rollback'
. "$(dirname "$0")/test-lib.sh"

# SPEC sections 1 and 3: up is the expand half that the running release
# survives, finish the contract half once the old release is gone, rollback
# the abort that leaves the database as the old release had it, and
# 'check --release R' what an application asks at start-up.
#
# Release 2.0 of tests/cli/rollout/migrations-<engine> renames
# customers.email to contact_email (a new column, a backfill and a
# dual-write trigger; finish drops email) and replaces an index of orders.
# tests/cli/rollout/app-<release>.sh are the two applications: each checks
# with ferry at start, then signs up customers in a loop, counting what
# worked and what did not (see app-lib.sh).

ROLLOUT=$TEST_DIR/rollout
[ "$ENGINE" = sqlite ] && DB_FILE=$TRASH/test.db
PSQL=${PSQL:-psql}
export FERRY DB_FILE PSQL

# --- the applications -------------------------------------------------------

# Whatever happens, no application outlives the script.
app_pids=
stop_all_apps() {
	for _p in $app_pids; do
		kill "$_p" 2>/dev/null
	done
	app_pids=
}
trap stop_all_apps EXIT
trap 'exit 130' INT TERM HUP

# start_app RELEASE NAME [MIGRATIONS]: start application RELEASE in the
# background, its counters in ./NAME, and wait until it is up and running
# (its first iteration done) or has exited.
start_app() {
	rm -rf "$2" "$2.pid" "$2.rc" || return 1
	sh "$ROLLOUT/app-$1.sh" "$2" "${3:-migrations}" >"$2.log" 2>&1 &
	echo $! >"$2.pid"
	app_pids="$app_pids $!"
	_n=0
	while ! { [ -s "$2/ok" ] && [ "$(cat "$2/ok")$(cat "$2/err")" != 00 ]; }; do
		if ! kill -0 "$(cat "$2.pid")" 2>/dev/null; then
			echo "application $2 exited at start:" >&2
			cat "$2.log" >&2
			return 1
		fi
		_n=$((_n + 1))
		[ $_n -lt 200 ] || { echo "application $2 did not start" >&2; return 1; }
		sleep 0.05
	done
}

app_ok() { cat "$1/ok"; }

# wait_progress NAME N: application NAME gets N more iterations right
# (within 20 s).
wait_progress() {
	_want=$(( $(app_ok "$1") + $2 ))
	_n=0
	while [ "$(app_ok "$1")" -lt $_want ]; do
		_n=$((_n + 1))
		if [ $_n -gt 400 ]; then
			echo "application $1 made no progress: $(app_ok "$1") good iterations, wanted $_want" >&2
			app_no_errors "$1"
			return 1
		fi
		sleep 0.05
	done
}

# app_no_errors NAME: not one iteration of NAME went wrong.
app_no_errors() {
	[ "$(cat "$1/err")" = 0 ] && return 0
	echo "application $1 had $(cat "$1/err") failed iterations:" >&2
	head -n 20 "$1/errors" >&2
	return 1
}

# stop_app NAME: stop NAME through its stop file; it must exit 0, within
# 30 s.
stop_app() {
	: >"$1/stop" || return 1
	_n=0
	while kill -0 "$(cat "$1.pid")" 2>/dev/null; do
		_n=$((_n + 1))
		if [ $_n -gt 600 ]; then
			echo "application $1 did not stop" >&2
			kill "$(cat "$1.pid")"
			return 1
		fi
		sleep 0.05
	done
	wait "$(cat "$1.pid")"
	echo $? >"$1.rc"
	echo 0 >expect.rc &&
	test_cmp expect.rc "$1.rc"
}

# refuses RELEASE NAME MIGRATIONS: application RELEASE, started now, says
# no (exit 10) and does nothing. One that starts instead is stopped after
# 15 s (exit 124).
refuses() {
	test_expect_code 10 timeout 15 sh "$ROLLOUT/app-$1.sh" "$2" "$3" &&
	test_path_is_missing "$2/ok"
}

# timed F CMD...: run CMD, write its start and end (ns) to F.
timed() {
	_f=$1
	shift
	_t0=$(date +%s%N)
	"$@"
	_rc=$?
	echo "$_t0 $(date +%s%N)" >"$_f"
	return $_rc
}

# ran_during NAME F: an iteration of NAME that worked overlapped the time
# span in F (the application was working while that command ran, not only
# before and after).
ran_during() {
	read -r _s _e <"$2" &&
	awk -v s="$_s" -v e="$_e" '$1 < e && $2 > s { found = 1 } END { exit !found }' \
		"$1/iterations" || {
		echo "no iteration of $1 overlapped $2 ($_s .. $_e)" >&2
		return 1
	}
}

# --- the database -----------------------------------------------------------

# db_sql, but on SQLite it waits for a lock held by an application or by
# ferry instead of failing with "database is locked".
db_q() {
	case $ENGINE in
	sqlite) sqlite3 -batch -bail -cmd ".timeout 30000" "$DB_FILE" "$1" ;;
	pg) db_sql "$1" ;;
	esac
}

check_release() {
	ferry -d "$DB_URL" check --release "$1"
}

# Tables, columns, indexes, triggers and functions, as the engine dumps
# them: ferry's tables included (their definition), not their rows.
schema_dump() {
	case $ENGINE in
	sqlite) db_q .schema ;;
	pg) pg_dump --schema-only --no-owner -d "$DB_URL" |
		grep -v '^\\\(un\)\{0,1\}restrict ' ;;
	esac
}

ledger_dump() {
	db_q "SELECT * FROM ferry_migrations ORDER BY version"
}

fresh_database() {
	case $ENGINE in
	sqlite) rm -f "$DB_FILE" "$DB_FILE-journal" "$DB_FILE-wal" "$DB_FILE-shm" ;;
	pg) db_q "DROP SCHEMA public CASCADE; CREATE SCHEMA public" ;;
	esac
}

# Customers of release 1.0, enough that the backfill of 2.0's up has real
# work to do: up takes a few times as long as an application's pause
# between two iterations (0.05 s), so that ran_during can tell that the
# application went on working through it (PostgreSQL's UPDATE is slower).
case $ENGINE in
sqlite) SEED=250000 ;;
pg) SEED=100000 ;;
esac
seed_customers() {
	db_q "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < $SEED)
		INSERT INTO customers (name, email) SELECT 'seed-' || i, 'seed-' || i || '@example.com' FROM r" &&
	echo $SEED >expect &&
	db_q "SELECT count(*) FROM customers WHERE email LIKE 'seed-%'" >actual &&
	test_cmp expect actual
}

# --- scenario 1: up, both releases, finish ----------------------------------

test_expect_success 'setup: the migration set, and release 1.0 as it ships' '
	mkdir migrations &&
	cp "$ROLLOUT/migrations-$ENGINE"/* migrations/ &&
	mkdir app-1.0 &&
	cp migrations/0001_* migrations/0002_* app-1.0/ &&
	echo "1.0 2" >app-1.0/releases &&
	ferry -d "$DB_URL" migrate --to 1.0 &&
	cat >expect <<-\EOF &&
	1|complete|1.0
	2|complete|1.0
	EOF
	db_q "SELECT version, state, release FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual &&
	seed_customers
'

test_expect_success 'at release 1.0: check says 1.0 yes, 2.0 no' '
	check_release 1.0 &&
	test_expect_code 3 check_release 2.0 2>err &&
	grep "release 2.0 cannot run yet: migration .0003_rename_customer_email. is pending" err
'

test_expect_success 'release 2.0 refuses to start before up' '
	refuses 2.0 early-2.0 migrations &&
	echo 0 >expect &&
	db_q "SELECT count(*) FROM customers WHERE name LIKE '"'"'r2.0-%'"'"'" >actual &&
	test_cmp expect actual
'

test_expect_success 'release 1.0 runs' '
	start_app 1.0 a1 app-1.0 &&
	wait_progress a1 3 &&
	app_no_errors a1
'

test_expect_success 'ferry up while release 1.0 runs: 1.0 never fails' '
	timed up.time ferry -d "$DB_URL" up >out &&
	grep "^applied 2 migrations; database at 4 (release 2.0)$" out &&
	wait_progress a1 5 &&
	ran_during a1 up.time &&
	app_no_errors a1 &&
	cat >expect <<-\EOF &&
	1|complete|1.0
	2|complete|1.0
	3|up|2.0
	4|up|2.0
	EOF
	db_q "SELECT version, state, release FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual
'

test_expect_success 'after up: check says yes to both releases' '
	check_release 1.0 &&
	check_release 2.0
'

test_expect_success 'release 2.0 starts and both run side by side' '
	start_app 2.0 a2 &&
	wait_progress a2 10 &&
	wait_progress a1 10 &&
	app_no_errors a1 &&
	app_no_errors a2
'

test_expect_success 'each release sees the other one'"'"'s customers whole' '
	db_q "SELECT count(*) FROM customers WHERE name LIKE '"'"'r2.0-%'"'"'" >n2 &&
	test "$(cat n2)" -ge 10 &&
	db_q "SELECT count(*) FROM customers WHERE name LIKE '"'"'r1.0-%'"'"'" >n1 &&
	test "$(cat n1)" -ge 10 &&
	echo 0 >expect &&
	db_q "SELECT count(*) FROM customers WHERE email IS NULL OR contact_email IS NULL OR email <> contact_email" >actual &&
	test_cmp expect actual
'

test_expect_success 'release 1.0 stops, cleanly and without a failure' '
	stop_app a1 &&
	app_no_errors a1 &&
	test "$(app_ok a1)" -ge 20
'

test_expect_success 'ferry finish while release 2.0 runs: 2.0 never fails' '
	ferry -d "$DB_URL" finish >out &&
	grep "^finished 2 migrations; database at 4 (release 2.0)$" out &&
	wait_progress a2 5 &&
	app_no_errors a2 &&
	cat >expect <<-\EOF &&
	1|complete|1.0
	2|complete|1.0
	3|complete|2.0
	4|complete|2.0
	EOF
	db_q "SELECT version, state, release FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual
'

test_expect_success 'after finish: email is gone, check says no to 1.0, yes to 2.0' '
	test_must_fail db_q "SELECT email FROM customers WHERE 1 = 0" 2>/dev/null &&
	test_expect_code 3 check_release 1.0 2>err &&
	grep "release 1.0 can no longer run: migration .0003_rename_customer_email. (release 2.0) was finished" err &&
	check_release 2.0
'

test_expect_success 'a restarted release 1.0 refuses to start, with the files it ships' '
	refuses 1.0 late-1.0 app-1.0 &&
	grep "release 1.0 can no longer run" late-1.0/check.out
'

test_expect_success 'release 2.0 runs on, never failed' '
	wait_progress a2 3 &&
	stop_app a2 &&
	app_no_errors a2
'

# --- scenario 2: up, then rollback while release 1.0 still runs -------------

test_expect_success 'scenario 2: a fresh database at release 1.0' '
	fresh_database &&
	ferry -d "$DB_URL" up --to 1.0 &&
	seed_customers &&
	check_release 1.0 &&
	test_expect_code 3 check_release 2.0 &&
	schema_dump >schema.before &&
	ledger_dump >ledger.before &&
	test_line_count = 2 ledger.before &&
	grep customers schema.before
'

test_expect_success 'release 1.0 runs; ferry up; release 2.0 runs a while' '
	start_app 1.0 b1 app-1.0 &&
	wait_progress b1 3 &&
	timed up2.time ferry -d "$DB_URL" up >out &&
	grep "^applied 2 migrations; database at 4 (release 2.0)$" out &&
	check_release 2.0 &&
	start_app 2.0 b2 &&
	wait_progress b2 10 &&
	stop_app b2 &&
	app_no_errors b2 &&
	wait_progress b1 3 &&
	ran_during b1 up2.time &&
	app_no_errors b1
'

test_expect_success 'the schema did change with up (so the comparison below means something)' '
	schema_dump >schema.up &&
	! cmp -s schema.before schema.up &&
	grep contact_email schema.up
'

test_expect_success 'ferry rollback while release 1.0 runs: 1.0 never fails' '
	db_q "SELECT max(id) FROM ferry_history" >history.mark &&
	ferry -d "$DB_URL" rollback >out &&
	grep "^reverted 2 migrations; database at 2 (release 1.0)$" out &&
	wait_progress b1 5 &&
	app_no_errors b1
'

test_expect_success 'rollback reverted newest first, 4 then 3' '
	printf "4\n3\n" >expect &&
	db_q "SELECT version FROM ferry_history WHERE id > $(cat history.mark) ORDER BY id" >actual &&
	test_cmp expect actual
'

test_expect_success 'after rollback: the schema and the ledger are as before up' '
	schema_dump >schema.after &&
	test_cmp schema.before schema.after &&
	ledger_dump >ledger.after &&
	test_cmp ledger.before ledger.after
'

test_expect_success 'after rollback: every customer of either release kept its email' '
	db_q "SELECT count(*) FROM customers WHERE name LIKE '"'"'r2.0-%'"'"'" >n2 &&
	test "$(cat n2)" -ge 10 &&
	echo 0 >expect &&
	db_q "SELECT count(*) FROM customers WHERE email IS NULL" >actual &&
	test_cmp expect actual
'

test_expect_success 'after rollback: check says yes to 1.0, no to 2.0; 2.0 refuses to start' '
	check_release 1.0 &&
	test_expect_code 3 check_release 2.0 2>err &&
	grep "release 2.0 cannot run yet" err &&
	refuses 2.0 late-2.0 migrations
'

test_expect_success 'release 1.0 ran through up and rollback without one failure' '
	stop_app b1 &&
	app_no_errors b1 &&
	test "$(app_ok b1)" -ge 20
'

test_expect_success 'the rollout can be tried again: up, and 2.0 can run' '
	ferry -d "$DB_URL" up >out &&
	grep "^applied 2 migrations; database at 4 (release 2.0)$" out &&
	check_release 1.0 &&
	check_release 2.0
'

stop_all_apps
test_done
