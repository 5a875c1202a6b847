#!/bin/sh
test_description='PostgreSQL: the lock budget, retries that name the blocker, and --lock-wait 0'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 16 part 1: every statement of a section waits at most --lock-wait
# for a lock (lock_timeout), so the application's queries queued behind
# it wait no longer; a section out of budget rolls back and is tried
# again, each retry naming the session that blocked it; after the last,
# exit 4 with the blocker named and "run again", never "fix the file".
# CONCURRENTLY statements run without the budget; --lock-wait 0 is the
# old behaviour.

q="'"

# block SECONDS: a session of application 'blocker' reads table t in a
# transaction that stays open SECONDS; returns once it holds its lock.
block() {
	PGAPPNAME=blocker "$PSQL" -X -q -d "$DB_URL" \
		-c "BEGIN; SELECT count(*) FROM t; SELECT pg_sleep($1); COMMIT;" \
		>/dev/null 2>&1 &
	echo $! >blocker.pid
	wait_for 10 blocking
}

blocking() {
	test "$(db_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = current_database() AND a.application_name = ${q}blocker${q} AND l.relation = ${q}t${q}::regclass AND l.granted")" = 1
}

# The blocker's server pid, as the messages name it.
blocker_pid() {
	db_sql "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}blocker${q}"
}

unblocked() {
	wait "$(cat blocker.pid)" 2>/dev/null
	rm -f blocker.pid
	if [ -f releaser.pid ]; then
		wait "$(cat releaser.pid)" 2>/dev/null
		rm -f releaser.pid
	fi
}

# End the blocker once ferry has said N times that it waited too long:
# however slow the machine, ferry meets the lock, and then gets it.
release_after() {
	: >err
	(
		i=0
		while [ $i -lt 1200 ] &&
			[ "$(grep -c "waited too long for a lock" err)" -lt "$1" ]; do
			sleep 0.05
			i=$((i + 1))
		done
		db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}blocker${q}" >/dev/null
	) &
	echo $! >releaser.pid
}

trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done' EXIT

test_expect_success 'setup: table t, applied' '
	mkdir migrations &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE t (id int);" \
		"INSERT INTO t VALUES (1);" >migrations/1_t.sql &&
	ferry -d "$DB_URL" up >out 2>err
'

test_expect_success 'a section blocked for a while is retried until it gets its lock: exit 0, applied once' '
	printf "%s\n" "-- ferry:up" "ALTER TABLE t ADD COLUMN x int;" >migrations/2_x.sql &&
	block 60 &&
	pid=$(blocker_pid) &&
	release_after 2 &&
	ferry -d "$DB_URL" up --lock-wait 300ms --lock-retries 20 --json >out 2>err &&
	unblocked &&
	test_json out ".applied | length == 1" ".applied[0].version == \"2\"" \
		".applied[0].lock_retries >= 2" ".applied[0].write_lock_ms == null" &&
	grep "^ferry: 2_x: waited too long for a lock, blocked by pid $pid (application ${q}blocker${q}, user [^,]*, from [^,]*, active, its transaction open [0-9.]* s), waiting for a lock on t; rolled back, try 2 of 21 in [0-9]* ms$" err &&
	test "$(grep -c "waited too long for a lock" err)" -ge 2 &&
	db_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = ${q}t${q} AND column_name = ${q}x${q}" >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, success FROM ferry_history WHERE version = 2" >actual &&
	echo "up|1" >expect &&
	test_cmp expect actual
'

test_expect_success 'the retry limit reached: exit 4, the blocker named, "run again", the database as it was' '
	printf "%s\n" "-- ferry:up" "ALTER TABLE t ADD COLUMN y int;" >migrations/3_y.sql &&
	block 6 &&
	pid=$(blocker_pid) &&
	db_snapshot before &&
	test_expect_code 4 ferry -d "$DB_URL" up --lock-wait 200ms --lock-retries 1 >out 2>err &&
	test "$(grep -c "waited too long for a lock" err)" = 1 &&
	grep "^ferry: error: migration ${q}3_y${q} failed$" err &&
	grep "^migrations/3_y.sql:2:1: canceling statement due to lock timeout: blocked by pid $pid (application ${q}blocker${q}, " err &&
	grep "^hint: tried 2 times, waiting at most 200 ms for the lock each time: run again once the session that holds it is done, or allow more with --lock-wait or --lock-retries$" err &&
	! grep "fix" err &&
	db_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = ${q}t${q} AND column_name = ${q}y${q}" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 3" >actual &&
	test_cmp expect actual
'

# end_blocker: end the blocker now, not when its time is up.
end_blocker() {
	db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}blocker${q}" >/dev/null &&
	unblocked
}

# One try only: the observer that names the blocker connects during it,
# which a loaded machine (CI) may not do within 200 ms. A blocker of its
# own: the one before may have ended on a slow machine.
test_expect_success '... in JSON: code locked, exit 4, SQLSTATE 55P03, the blocker in the detail' '
	end_blocker &&
	block 6 &&
	test_expect_code 4 ferry -d "$DB_URL" up --lock-wait 1s --lock-retries 0 --json >out 2>err &&
	end_blocker &&
	test_json out ".error.code == \"locked\"" ".error.exit == 4" \
		".error.sqlstate == \"55P03\"" \
		".error.detail | test(\"blocked by pid [0-9]+ \\\\(application .blocker.\")" \
		".error.hint | startswith(\"tried 1 time,\")" &&
	! grep "waited too long" err
'

test_expect_success 'once the blocker is gone, the same up applies it' '
	ferry -d "$DB_URL" up --lock-wait 200ms >out 2>err &&
	grep "^applied 1 migration; database at 3$" out
'

test_expect_success '--lock-wait 0: no budget, no retry: it waits for the blocker as before' '
	printf "%s\n" "-- ferry:up" "ALTER TABLE t ADD COLUMN z int;" >migrations/4_z.sql &&
	block 3 &&
	ferry -d "$DB_URL" up --lock-wait 0 --json >out 2>err &&
	unblocked &&
	# Waited past the default 1 s budget without a retry; the blocker holds
	# 3 s so that a slow start (a sanitizer build) still leaves well over 1 s.
	test_json out ".applied[0].version == \"4\"" ".applied[0].lock_retries == 0" \
		".applied[0].ms >= 1200" &&
	! grep "waited too long" err
'

test_expect_success 'no-transaction: the blocked statement alone is tried again; the ones before stay, run once' '
	printf "%s\n" "-- ferry:up no-transaction" "CREATE TABLE u (id int);" \
		"ALTER TABLE t ADD COLUMN w int;" >migrations/5_w.sql &&
	block 60 &&
	release_after 1 &&
	ferry -d "$DB_URL" up --lock-wait 200ms --lock-retries 20 --json >out 2>err &&
	unblocked &&
	test_json out ".applied[0].version == \"5\"" ".applied[0].lock_retries >= 1" &&
	grep "^ferry: 5_w: waited too long for a lock, blocked by pid" err &&
	db_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = ${q}t${q} AND column_name = ${q}w${q}" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'a batch of a repeated statement out of budget is tried again alone' '
	printf "%s\n" "-- ferry:up no-transaction" "-- ferry:repeat" \
		"UPDATE t SET id = id + 100 WHERE ctid IN (SELECT ctid FROM t WHERE id < 100 LIMIT 1);" \
		>migrations/51_batch.sql &&
	PGAPPNAME=blocker "$PSQL" -X -q -d "$DB_URL" \
		-c "BEGIN; SELECT id FROM t FOR UPDATE; SELECT pg_sleep(60); COMMIT;" \
		>/dev/null 2>&1 &
	echo $! >blocker.pid &&
	wait_for 10 blocking &&
	release_after 1 &&
	ferry -d "$DB_URL" up --lock-wait 200ms --lock-retries 20 --json >out 2>err &&
	unblocked &&
	test_json out ".applied[0].version == \"51\"" \
		".applied[0].lock_retries >= 1" &&
	grep "^ferry: 51_batch: waited too long for a lock, blocked by pid [0-9]* (application ${q}blocker${q}, " err &&
	db_sql "SELECT count(*) FROM t WHERE id < 100" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'CREATE INDEX CONCURRENTLY runs without the budget: it waits, and leaves no invalid index' '
	printf "%s\n" "-- ferry:up no-transaction" \
		"CREATE INDEX CONCURRENTLY t_id ON t (id);" \
		"DO \$\$ BEGIN IF current_setting(${q}lock_timeout${q}) <> ${q}200ms${q} THEN RAISE EXCEPTION ${q}the budget is not back: %${q}, current_setting(${q}lock_timeout${q}); END IF; END \$\$;" \
		>migrations/61_idx.sql &&
	block 1.5 &&
	ferry -d "$DB_URL" up --lock-wait 200ms --lock-retries 0 >out 2>err &&
	unblocked &&
	grep "^applied 1 migration; database at 61$" out &&
	! grep "waited too long" err &&
	db_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = ${q}t_id${q}::regclass" >actual &&
	echo t >expect &&
	test_cmp expect actual
'

test_expect_success 'ferry.conf: lock_wait and lock_retries; the option wins over the file' '
	printf "%s\n" "-- ferry:up" "ALTER TABLE t ADD COLUMN v int;" >migrations/71_v.sql &&
	printf "%s\n" "lock_wait = 200ms" "lock_retries = 0" >ferry.conf &&
	block 6 &&
	test_expect_code 4 ferry -d "$DB_URL" up >out 2>err &&
	grep "^hint: tried 1 time, waiting at most 200 ms" err &&
	test_expect_code 4 ferry -d "$DB_URL" up --lock-retries 1 >out 2>err &&
	grep "^hint: tried 2 times, waiting at most 200 ms" err &&
	test_expect_code 4 env FERRY_LOCK_WAIT=100ms "$FERRY" -d "$DB_URL" up >out 2>err &&
	grep "^hint: tried 1 time, waiting at most 100 ms" err &&
	unblocked &&
	rm ferry.conf
'

test_expect_success '--single-transaction: out of budget, no retry (the run is gone with it): exit 4' '
	block 6 &&
	test_expect_code 4 ferry -d "$DB_URL" up --single-transaction --lock-wait 200ms --lock-retries 3 >out 2>err &&
	! grep "waited too long for a lock" err &&
	grep "^migrations/71_v.sql:2:1: canceling statement due to lock timeout" err &&
	grep "^hint: tried 1 time, waiting at most 200 ms for the lock each time: run again" err &&
	unblocked &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 71" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'bad values: exit 2, naming the option or the line of ferry.conf' '
	test_expect_code 2 ferry -d "$DB_URL" up --lock-wait soon >out 2>err &&
	grep "^ferry: error: invalid lock wait ${q}soon${q}$" err &&
	test_expect_code 2 ferry -d "$DB_URL" up --lock-retries -1 >out 2>err &&
	grep "^ferry: error: invalid lock retries ${q}-1${q}$" err &&
	printf "%s\n" "# budget" "lock_retries = many" >ferry.conf &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: ferry.conf:2: invalid lock retries ${q}many${q}$" err &&
	printf "%s\n" "lock_wiat = 1s" >ferry.conf &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "did you mean ${q}lock_wait${q}" err &&
	rm ferry.conf
'

# check_lock_timeout FILE VALUE: a section that fails unless it runs with
# lock_timeout VALUE.
check_lock_timeout() {
	printf "%s\n" "-- ferry:up" "DO \$\$ BEGIN IF current_setting(${q}lock_timeout${q}) <> ${q}$2${q} THEN RAISE EXCEPTION ${q}lock_timeout is %, not $2${q}, current_setting(${q}lock_timeout${q}); END IF; END \$\$;" >"$1"
}

test_expect_success 'a section gets the budget again, whatever the section before set' '
	printf "%s\n" "-- ferry:up" "SET lock_timeout = ${q}7s${q};" >migrations/81_set.sql &&
	check_lock_timeout migrations/82_check.sql 200ms &&
	ferry -d "$DB_URL" up --lock-wait 200ms >out 2>err &&
	grep "^applied 3 migrations; database at 82$" out &&
	printf "%s\n" "-- ferry:up" "SET lock_timeout = ${q}7s${q};" >migrations/83_set.sql &&
	check_lock_timeout migrations/84_check.sql 0 &&
	ferry -d "$DB_URL" up --lock-wait 0 >out 2>err &&
	grep "^applied 2 migrations; database at 84$" out
'

test_expect_success 'by default a section runs with lock_timeout 1s' '
	check_lock_timeout migrations/91_default.sql 1s &&
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^applied 1 migration; database at 91$" out
'

test_done
