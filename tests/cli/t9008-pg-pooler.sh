#!/bin/sh
test_description='PostgreSQL behind PgBouncer in transaction mode: the lock row, refusals, kill -9'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 16, part 5. Through a transaction pooler a session's advisory lock
# means nothing: six runners through PgBouncer once all "took" it and
# raced (duplicate key in pg_type_typname_nsp_index). ferry finds the
# pooler (the pid its connection announced is not the server's), holds
# its lock as a row of ferry_lock with an expiry, and refuses what needs
# one session. tests/cli/pgbouncer.sh puts a real PgBouncer in front of
# the test server: pool_mode=transaction, 4 server connections.

q="'"
RUNNERS="1 2 3 4 5 6 7 8"
N20="01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20"
BOUNCER=$TRASH/bouncer
trap 'test -f "$TRASH/blocker.pid" && kill -9 "$(cat "$TRASH/blocker.pid")" 2>/dev/null; sh "$TEST_DIR/pgbouncer.sh" stop "$BOUNCER"' EXIT

test_expect_success 'setup: PgBouncer in transaction mode in front of the server' '
	sh "$TEST_DIR/pgbouncer.sh" start "$BOUNCER" "$PG_ADMIN_URL" >bouncer.url &&
	base=$(sed "s/?.*//" bouncer.url) &&
	echo "${base%/*}/$pg_db_name?sslmode=disable" >pooled.url &&
	"$PSQL" -X -q -At -d "$(cat pooled.url)" -c "SELECT 1" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'
POOLED=$(cat "$TRASH/pooled.url" 2>/dev/null)

# 20 migrations, each a type (what once failed on pg_type's unique index
# when applied twice) and a table of 5000 rows of it: long enough that the
# runners overlap.
test_expect_success 'setup: 20 migrations with a CREATE TYPE each' '
	mkdir migrations &&
	for i in $N20
	do
		cat >migrations/0${i}_type_$i.sql <<-EOF || return 1
		CREATE TYPE mood$i AS ENUM ('"'"'sad'"'"', '"'"'ok'"'"');
		CREATE TABLE t$i (id integer PRIMARY KEY, m mood$i NOT NULL);
		INSERT INTO t$i (id, m) SELECT g, '"'"'ok'"'"' FROM generate_series(1, 5000) g;
		EOF
	done &&
	ls migrations >files &&
	test_line_count = 20 files
'

test_expect_success '8 runners through the pooler at once all exit 0' '
	for p in $RUNNERS
	do
		(
			while ! test -f go; do sleep 0.01; done
			"$FERRY" -d "$POOLED" up >out.$p 2>err.$p
			echo $? >rc.$p
		) &
	done &&
	touch go &&
	wait &&
	for p in $RUNNERS
	do
		echo "runner $p: 0" || return 1
	done >expect &&
	for p in $RUNNERS
	do
		echo "runner $p: $(cat rc.$p)" || return 1
	done >actual &&
	test_cmp expect actual
'

test_expect_success 'one runner applied all 20; the others waited or came late' '
	: >workers &&
	for p in $RUNNERS
	do
		if grep -q "^applied" out.$p
		then
			echo $p >>workers &&
			echo "applied 20 migrations; database at 20" >expect &&
			tail -n 1 out.$p >actual &&
			test_cmp expect actual &&
			test_must_be_empty err.$p || return 1
		elif test -s err.$p
		then
			normalize <err.$p >err.$p.norm &&
			echo "ferry: waiting for the lock on '"'"'$POOLED'"'"', held by pid PID, USER@HOST, since TIME" >expect &&
			test_cmp expect err.$p.norm &&
			echo "nothing to do: another ferry applied the migrations while this one waited" >expect &&
			test_cmp expect out.$p || return 1
		else
			echo "nothing to do: every migration is applied" >expect &&
			test_cmp expect out.$p || return 1
		fi
	done &&
	test_line_count = 1 workers
'

test_expect_success 'every migration applied exactly once: ledger, history, schema' '
	echo "20|20|complete|complete" >expect &&
	db_sql "SELECT count(*), count(DISTINCT version), min(state), max(state) FROM ferry_migrations" >actual &&
	test_cmp expect actual &&
	echo "up|20|20|20" >expect &&
	db_sql "SELECT action, count(*), count(DISTINCT version), count(*) - count(error) FROM ferry_history GROUP BY action" >actual &&
	test_cmp expect actual &&
	for i in $N20
	do
		echo "t$i 5000 mood$i" || return 1
	done >expect &&
	for i in $N20
	do
		echo "t$i $(db_sql "SELECT count(*) FROM t$i WHERE m = ${q}ok${q}") $(db_sql "SELECT typname FROM pg_type WHERE typname = ${q}mood$i${q}")" || return 1
	done >actual &&
	test_cmp expect actual
'

test_expect_success 'detected: the lock was a row of ferry_lock, let go at the end' '
	echo "ferry_lock|0" >expect &&
	db_sql "SELECT ${q}ferry_lock${q}, count(*) FROM ferry_lock" >actual &&
	test_cmp expect actual
'

test_expect_success 'status through the pooler, the lock free' '
	ferry -d "$POOLED" status >out &&
	grep "^lock        free\$" out &&
	grep "^version     at 20; newest file 20\$" out
'

test_expect_success 'a ninth runner through the pooler has nothing to do' '
	echo "nothing to do: every migration is applied" >expect &&
	ferry -d "$POOLED" up >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err
'

# Without the lock at all (test builds), the ledger alone: every claim
# is in its migration's transaction, which the pooler keeps on one server
# connection; runners racing to make the ledger's tables all go on.
test_expect_success 'without the lock, 8 runners through the pooler: the ledger applies each once' '
	mkdir second &&
	for i in $N20
	do
		cat >second/0${i}_kind_$i.sql <<-EOF || return 1
		CREATE TYPE kind$i AS ENUM ('"'"'a'"'"', '"'"'b'"'"');
		CREATE TABLE s$i (id integer PRIMARY KEY, k kind$i NOT NULL);
		INSERT INTO s$i (id, k) SELECT g, '"'"'a'"'"' FROM generate_series(1, 2000) g;
		EOF
	done &&
	rm -f go &&
	for p in $RUNNERS
	do
		(
			while ! test -f go; do sleep 0.01; done
			FERRY_TEST_NO_LOCK=1 "$FERRY_TESTING_BIN" -d "$POOLED" --pooler=transaction --dir second --table second_migrations up >nolock.out.$p 2>nolock.err.$p
			echo $? >nolock.rc.$p
		) &
	done &&
	touch go &&
	wait &&
	for p in $RUNNERS
	do
		echo "runner $p: 0" || return 1
	done >expect &&
	for p in $RUNNERS
	do
		echo "runner $p: $(cat nolock.rc.$p)" || return 1
	done >actual &&
	test_cmp expect actual &&
	echo "20|20|up|20" >expect &&
	db_sql "SELECT count(*), count(DISTINCT version), (SELECT action || ${q}|${q} || count(*) FROM second_history GROUP BY action) FROM second_migrations" >actual &&
	test_cmp expect actual &&
	for i in $N20
	do
		echo "s$i 2000" || return 1
	done >expect &&
	for i in $N20
	do
		echo "s$i $(db_sql "SELECT count(*) FROM s$i")" || return 1
	done >actual &&
	test_cmp expect actual
'

test_expect_success 'a no-transaction section is refused through the pooler (exit 5)' '
	cat >migrations/021_index.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE INDEX CONCURRENTLY t01_m ON t01 (m);
	EOF
	cat >expect <<-\EOF &&
	ferry: error: the up section of migration '"'"'021_index'"'"' is no-transaction, which cannot run through a transaction pooler
	behind a transaction pooler each transaction may run on another server connection
	hint: run it with a URL that reaches PostgreSQL directly, not through the pooler (or with --pooler=none if the pooler keeps sessions)
	EOF
	test_expect_code 5 ferry -d "$POOLED" up >out 2>actual &&
	test_cmp expect actual &&
	echo 20 >expect &&
	db_sql "SELECT count(*) FROM ferry_migrations" >actual &&
	test_cmp expect actual
'

test_expect_success '... and runs through the direct URL' '
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^applied 1 migration; database at 21\$" out &&
	test_must_be_empty err
'

test_expect_success '--pooler=transaction says so on a direct URL too' '
	cat >migrations/022_index.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE INDEX CONCURRENTLY t02_m ON t02 (m);
	EOF
	test_expect_code 5 ferry -d "$DB_URL" --pooler=transaction up 2>err &&
	grep "^ferry: error: the up section of migration .022_index. is no-transaction" err &&
	test_expect_code 5 test_env FERRY_POOLER=transaction ferry -d "$DB_URL" up 2>err &&
	grep "^ferry: error: the up section of migration .022_index. is no-transaction" err &&
	echo "pooler = transaction" >ferry.conf &&
	test_expect_code 5 ferry -d "$DB_URL" up 2>err &&
	grep "^ferry: error: the up section of migration .022_index. is no-transaction" err &&
	rm ferry.conf
'

test_expect_success 'an unknown --pooler is a usage error (exit 2)' '
	cat >expect <<-\EOF &&
	ferry: error: unknown pooler '"'"'sessions'"'"'
	hint: give auto, none or transaction
	EOF
	test_expect_code 2 ferry -d "$POOLED" --pooler=sessions status 2>actual &&
	test_cmp expect actual
'

test_expect_success '--pooler=none trusts the user: a direct run as before' '
	ferry -d "$DB_URL" --pooler=none up >out 2>err &&
	grep "^applied 1 migration; database at 22\$" out
'

test_expect_success '--single-transaction is refused through the pooler (exit 5)' '
	echo "CREATE TABLE t23 (id integer);" >migrations/023_t23.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'--single-transaction'"'"' cannot run through a transaction pooler
	one transaction for the whole run would hold one of the pool'"'"'s server connections from the first migration to the last
	hint: run without --single-transaction (each migration still runs in a transaction of its own), or run it with a URL that reaches PostgreSQL directly, not through the pooler (or with --pooler=none if the pooler keeps sessions)
	EOF
	test_expect_code 5 ferry -d "$POOLED" up --single-transaction >out 2>actual &&
	test_cmp expect actual &&
	echo 22 >expect &&
	db_sql "SELECT count(*) FROM ferry_migrations" >actual &&
	test_cmp expect actual
'

test_expect_success 'a session SET is refused through the pooler, at its line' '
	printf "%s\n" "CREATE TABLE t24 (id integer);" "SET search_path TO public;" >migrations/024_t24.sql &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'SET search_path'"'"' in migration '"'"'024_t24'"'"' outlives its transaction, which a transaction pooler does not allow
	migrations/024_t24.sql:2:1: behind a transaction pooler it would stay with the server connection, for the pooler'"'"'s next client
	hint: write SET LOCAL to keep it to the migration'"'"'s transaction, or run it with a URL that reaches PostgreSQL directly, not through the pooler (or with --pooler=none if the pooler keeps sessions)
	EOF
	test_expect_code 5 ferry -d "$POOLED" up >out 2>actual &&
	test_cmp expect actual &&
	echo 22 >expect &&
	db_sql "SELECT count(*) FROM ferry_migrations" >actual &&
	test_cmp expect actual
'

test_expect_success '... RESET and DISCARD too; SET LOCAL runs' '
	printf "%s\n" "RESET statement_timeout;" >migrations/024_t24.sql &&
	test_expect_code 5 ferry -d "$POOLED" up 2>err &&
	grep "^ferry: error: .RESET statement_timeout. in migration" err &&
	printf "%s\n" "DISCARD ALL;" >migrations/024_t24.sql &&
	test_expect_code 5 ferry -d "$POOLED" up 2>err &&
	grep "^ferry: error: .DISCARD ALL. in migration" err &&
	printf "%s\n" "SET LOCAL statement_timeout = 5000;" "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;" "CREATE TABLE t24 (id integer);" >migrations/024_t24.sql &&
	ferry -d "$POOLED" up >out 2>err &&
	grep "^applied 2 migrations; database at 24\$" out &&
	test_must_be_empty err
'

test_expect_success 'a backup is refused through the pooler (exit 5), and up --backup with it' '
	cat >expect <<-\EOF &&
	ferry: error: a backup cannot run through a transaction pooler
	pg_dump, pg_restore and psql keep session settings, which a transaction pooler hands to other clients
	hint: run it with a URL that reaches PostgreSQL directly, not through the pooler (or with --pooler=none if the pooler keeps sessions)
	EOF
	test_expect_code 5 ferry -d "$POOLED" backup >out 2>actual &&
	test_cmp expect actual &&
	echo "CREATE TABLE t25 (id integer);" >migrations/025_t25.sql &&
	test_expect_code 5 ferry -d "$POOLED" up --backup >out 2>actual &&
	test_cmp expect actual &&
	echo 24 >expect &&
	db_sql "SELECT count(*) FROM ferry_migrations" >actual &&
	test_cmp expect actual &&
	rm migrations/025_t25.sql
'

test_expect_success 'a restore is refused through the pooler (exit 5), the database as it was' '
	ferry -d "$DB_URL" backup -o snap.dump >out 2>err &&
	cat >expect <<-\EOF &&
	ferry: error: a restore cannot run through a transaction pooler
	pg_dump, pg_restore and psql keep session settings, which a transaction pooler hands to other clients
	hint: run it with a URL that reaches PostgreSQL directly, not through the pooler (or with --pooler=none if the pooler keeps sessions)
	EOF
	db_sql "CREATE TABLE after_snap (id integer)" &&
	test_expect_code 5 ferry -d "$POOLED" restore snap.dump --yes >out 2>actual &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM pg_tables WHERE tablename = ${q}after_snap${q}" >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	db_sql "DROP TABLE after_snap" &&
	rm snap.dump
'

# The lock budget holds behind the pooler too. The blocker goes unnamed:
# the pid ferry knows is the pooler's, and a second connection to ask
# would take one of the pool's four, and leave its name on it.
blocking_t01() {
	test "$(db_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = current_database() AND a.application_name = ${q}blocker${q} AND l.relation = ${q}t01${q}::regclass AND l.granted")" = 1
}

test_expect_success 'out of the lock budget through the pooler: exit 4, retried, no observer left in the pool' '
	PGAPPNAME=blocker "$PSQL" -X -q -d "$DB_URL" \
		-c "BEGIN; SELECT count(*) FROM t01; SELECT pg_sleep(60); COMMIT;" \
		>/dev/null 2>&1 &
	echo $! >blocker.pid &&
	wait_for 10 blocking_t01 &&
	echo "ALTER TABLE t01 ADD COLUMN extra int;" >migrations/025_extra.sql &&
	test_expect_code 4 ferry -d "$POOLED" up --lock-wait 300ms --lock-retries 1 >out 2>err &&
	test "$(grep -c "waited too long for a lock" err)" = 1 &&
	grep "^ferry: 025_extra: waited too long for a lock, held by another session; rolled back, try 2 of 2 in " err &&
	grep "^migrations/025_extra.sql:1:1: canceling statement due to lock timeout (SQLSTATE 55P03)$" err &&
	grep "^hint: tried 2 times, waiting at most 300 ms for the lock each time: run again" err &&
	db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}blocker${q}" >/dev/null &&
	{ wait "$(cat blocker.pid)" || :; } &&
	rm blocker.pid migrations/025_extra.sql &&
	db_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = ${q}t01${q} AND column_name = ${q}extra${q}" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'ferry leaves no setting of its own in the pooled sessions' '
	db_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE ${q}ferry: %${q}" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

# A runner on a direct connection and one behind the pooler: each waits
# for the other's lock (the row, or the advisory lock).
sleeping() {
	test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE ${q}SELECT pg_sleep(3);${q} AND state = ${q}active${q}")" -ge 1
}

test_expect_success 'a direct runner waits for the lock row of a runner behind the pooler' '
	printf "%s\n" "CREATE TABLE t25 (id int);" "SELECT pg_sleep(3);" >migrations/025_slow.sql &&
	"$FERRY" -d "$POOLED" up >pooled.out 2>pooled.err &
	echo $! >pooled.pid &&
	wait_for 10 sleeping &&
	ferry -d "$DB_URL" up >direct.out 2>direct.err &&
	wait "$(cat pooled.pid)" &&
	grep "^applied 1 migration; database at 25\$" pooled.out &&
	echo "nothing to do: another ferry applied the migrations while this one waited" >expect &&
	test_cmp expect direct.out &&
	normalize <direct.err >actual &&
	echo "ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by pid PID, USER@HOST, since TIME" >expect &&
	test_cmp expect actual
'

test_expect_success 'a runner behind the pooler waits for the advisory lock of a direct one' '
	printf "%s\n" "CREATE TABLE t26 (id int);" "SELECT pg_sleep(3);" >migrations/026_slow.sql &&
	"$FERRY" -d "$DB_URL" up >direct2.out 2>direct2.err &
	echo $! >direct2.pid &&
	wait_for 10 sleeping &&
	ferry -d "$POOLED" up >pooled2.out 2>pooled2.err &&
	wait "$(cat direct2.pid)" &&
	grep "^applied 1 migration; database at 26\$" direct2.out &&
	echo "nothing to do: another ferry applied the migrations while this one waited" >expect &&
	test_cmp expect pooled2.out &&
	normalize <pooled2.err >actual &&
	echo "ferry: waiting for the lock on '"'"'$POOLED'"'"', held by pid PID, USER@HOST, since TIME" >expect &&
	test_cmp expect actual
'

# A holder killed with kill -9 leaves its row; the row expires when its
# heartbeat stops (test builds: FERRY_TEST_POOLER_TTL_MS; else 30 s),
# and the pooler's closing of the dead client's server connection stops
# the migration it was in, COMMIT and all.
test_expect_success 'status through the pooler names the holder of the lock row' '
	printf "%s\n" "CREATE TABLE slow (id int);" "SELECT pg_sleep(20);" >migrations/031_slow.sql &&
	FERRY_TEST_POOLER_TTL_MS=2000 "$FERRY_TESTING_BIN" -d "$POOLED" up >holder.out 2>holder.err &
	echo $! >holder.pid &&
	held() {
		ferry -d "$POOLED" status >status.out 2>&1 &&
		grep -q "^lock        held by " status.out
	} &&
	wait_for 10 held &&
	grep "^lock        " status.out | normalize >actual &&
	echo "lock        held by pid PID, USER@HOST, since TIME" >expect &&
	test_cmp expect actual &&
	grep "^lock        held by pid $(cat holder.pid), " status.out
'

test_expect_success 'kill -9 of the holder: the next run gets the lock once the row expires' '
	running() {
		test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE ${q}SELECT pg_sleep(20);${q} AND state = ${q}active${q}")" -ge 1
	} &&
	wait_for 10 running &&
	kill -9 "$(cat holder.pid)" &&
	{ wait "$(cat holder.pid)"; echo $? >rc; } &&
	echo 137 >expect &&
	test_cmp expect rc &&
	sed -i "s/pg_sleep(20)/pg_sleep(0.1)/" migrations/031_slow.sql &&
	t0=$(date +%s) &&
	ferry -d "$POOLED" --lock-timeout 20 up >out 2>err &&
	t1=$(date +%s) &&
	echo "got the lock and ran in $((t1 - t0)) s" &&
	test $((t1 - t0)) -lt 15 &&
	grep "^applied 1 migration; database at 31\$" out &&
	normalize <err >actual &&
	echo "ferry: waiting for the lock on '"'"'$POOLED'"'"', held by pid PID, USER@HOST, since TIME" >expect &&
	test_cmp expect actual
'

test_expect_success '... the killed run left nothing: one ledger row, one history row' '
	echo "1|1" >expect &&
	db_sql "SELECT count(*), min(version) - 30 FROM ferry_migrations WHERE version = 31" >actual &&
	test_cmp expect actual &&
	echo 1 >expect &&
	db_sql "SELECT count(*) FROM ferry_history WHERE version = 31" >actual &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_lock" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'stop PgBouncer' '
	sh "$TEST_DIR/pgbouncer.sh" stop "$BOUNCER" &&
	test_path_is_missing "$BOUNCER"
'

test_done
