#!/bin/sh
test_description='PostgreSQL: the advisory runner lock, a stampede of runners, kill -9, CREATE INDEX CONCURRENTLY'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# SPEC section 2 and issue 3, parts 6 and 8: one runner at a time through a
# session-level advisory lock, one per database whatever the ledger,
# freed by the server when the process dies; waiters name the holder
# (advertised in its application_name) and obey --lock-timeout; ferry's
# own CREATE INDEX CONCURRENTLY cannot deadlock with a waiting ferry.

q="'"

# start_runner NAME ARGS...: a background 'ferry ARGS up', its pid in
# NAME.pid, its output in NAME.out and NAME.err; returns once it has
# started a migration.
start_runner() {
	_name=$1
	shift
	"$FERRY" -d "$DB_URL" "$@" up >$_name.out 2>$_name.err &
	echo $! >$_name.pid
	wait_for 10 started $_name
}

started() {
	grep -q "^up  .* \.\.\. " $1.out && return 0
	kill -0 "$(cat $1.pid)" 2>/dev/null && return 1
	echo "runner $1 ended before it started a migration:" >&2
	cat $1.out $1.err >&2
	return 2
}

# running SQL_PATTERN: a backend other than ours runs a query like it.
running() {
	test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE ${q}$1${q} AND state = ${q}active${q} AND pid <> pg_backend_pid()")" -ge 1
}

lock_free() {
	ferry -d "$DB_URL" status >status.out 2>&1 &&
	grep -q "^lock        free\$" status.out
}

# The holder's own pid reads HOLDER, everything else as normalize does.
norm_holder() {
	sed -e "s/pid $(cat holder.pid),/pid HOLDER,/g" | normalize
}

# Nothing started here outlives the script, whatever failed.
trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done' EXIT

test_expect_success 'setup: 30 migrations' '
	mkdir migrations &&
	for i in $(seq 1 30)
	do
		n=$(printf %02d $i) &&
		printf "%s\n" "CREATE TABLE t$n (id int PRIMARY KEY);" \
			"INSERT INTO t$n VALUES ($i);" >migrations/${n}_t$n.sql || return 1
	done
'

test_expect_success '16 runners at once: all exit 0' '
	for i in $(seq 1 16)
	do
		{ "$FERRY" -d "$DB_URL" up >r$i.out 2>r$i.err; echo $? >r$i.rc; } &
	done &&
	wait &&
	for i in $(seq 1 16)
	do
		echo 0 >expect &&
		test_cmp expect r$i.rc || { cat r$i.out r$i.err; return 1; }
	done
'

test_expect_success '... each migration applied exactly once: ledger rows, history rows, tables' '
	db_sql "SELECT count(*), count(DISTINCT version), min(version), max(version) FROM ferry_migrations WHERE state = ${q}complete${q}" >actual &&
	echo "30|30|1|30" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*), count(DISTINCT version) FROM ferry_history WHERE action = ${q}up${q}" >actual &&
	echo "30|30" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_history WHERE success <> 1" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM pg_tables WHERE schemaname = ${q}public${q} AND tablename ~ ${q}^t[0-9][0-9]\$${q}" >actual &&
	echo 30 >expect &&
	test_cmp expect actual
'

test_expect_success '... one runner did the work; the others said why they had none' '
	cat r*.out | normalize >all.out &&
	grep -c -x "up     [0-9][0-9]_t[0-9][0-9] \.\.\. ok (N ms)" all.out >count &&
	grep -c -x "applied 30 migrations; database at 30" all.out >>count &&
	grep -c -x -e "nothing to do: another ferry applied the migrations while this one waited" \
		-e "nothing to do: every migration is applied" all.out >>count &&
	printf "30\n1\n15\n" >expect &&
	test_cmp expect count &&
	test_line_count = 46 all.out
'

test_expect_success '... and every waiter said on whose lock it waited' '
	cat r*.err >all.err &&
	grep -v "^ferry: waiting for the lock on ${q}$DB_SHOWN${q}, held by " all.err >unexpected;
	test_must_be_empty unexpected
'

test_expect_success 'setup: a runner holds the lock in a long migration' '
	printf "%s\n" "CREATE TABLE slow (id int);" "SELECT pg_sleep(20);" >migrations/31_slow.sql &&
	start_runner holder &&
	wait_for 10 running "SELECT pg_sleep(20);"
'

test_expect_success 'the holder advertises itself in its application_name' '
	db_sql "SELECT application_name FROM pg_stat_activity WHERE query LIKE ${q}SELECT pg_sleep(20);${q} AND state = ${q}active${q}" >out &&
	norm_holder <out >actual &&
	echo "ferry: pid HOLDER, USER@HOST, since TIME" >expect &&
	test_cmp expect actual
'

test_expect_success 'a second runner waits, names the holder, gives up after --lock-timeout: exit 4' '
	t0=$(date +%s%N) &&
	test_expect_code 4 ferry -d "$DB_URL" up --lock-timeout 1 >out 2>err &&
	t1=$(date +%s%N) &&
	test_must_be_empty out &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on ${q}$DB_SHOWN${q}, held by pid HOLDER, USER@HOST, since TIME
	ferry: error: another ferry is working on database ${q}$DB_SHOWN${q}
	the lock is held by pid HOLDER, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	norm_holder <err >actual &&
	test_cmp expect actual &&
	waited=$(((t1 - t0) / 1000000)) &&
	echo "waited $waited ms" &&
	test $waited -ge 900 &&
	test $waited -lt 8000
'

test_expect_success 'status shows the holder, without waiting' '
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	grep "^lock        " out | norm_holder >actual &&
	echo "lock        held by pid HOLDER, USER@HOST, since TIME" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" status --json >json &&
	test_json json ".lock.held == true" ".lock.holder | test(\"^pid $(cat holder.pid), \")"
'

# One lock per database, whatever the ledger: two sets with their own
# --table or --schema still change one schema, and must not migrate it at
# once (issue 12, part 10).
test_expect_success 'a runner of another ledger (--table, --schema) waits for it too' '
	mkdir other &&
	echo "CREATE TABLE other_one (id int);" >other/1_other_one.sql &&
	test_expect_code 4 ferry -d "$DB_URL" --dir other --table other_migrations up --lock-timeout 1 >out 2>err &&
	grep "^ferry: error: another ferry is working on database" err &&
	grep "^the lock is held by pid $(cat holder.pid), " err &&
	test_expect_code 4 ferry -d "$DB_URL" --dir other --schema other_ledger up --lock-timeout 1 >out 2>err &&
	grep "^the lock is held by pid $(cat holder.pid), " err &&
	test "$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename IN ($q$(echo other_one)$q, ${q}other_migrations$q)")" = 0
'

test_expect_success 'SIGKILL of the holder in its pg_sleep: the lock is free within 3 seconds' '
	kill -9 "$(cat holder.pid)" &&
	{ wait "$(cat holder.pid)"; echo $? >rc; } &&
	echo 137 >expect &&
	test_cmp expect rc &&
	t0=$(date +%s%N) &&
	wait_for 5 lock_free &&
	t1=$(date +%s%N) &&
	freed=$(((t1 - t0) / 1000000)) &&
	echo "freed after $freed ms" &&
	test $freed -lt 3000 &&
	rm holder.pid
'

test_expect_success '... the server stopped the killed statement: nothing of it runs on' '
	db_sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE ${q}SELECT pg_sleep(20);${q} AND pid <> pg_backend_pid()" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success '... the table of that migration does not exist, and it has no ledger row' '
	db_sql "SELECT count(*) FROM pg_tables WHERE tablename = ${q}slow${q}" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 31" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_history WHERE version = 31" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success '... and the next up (--lock-timeout 3) finishes the job' '
	printf "%s\n" "CREATE TABLE slow (id int);" "SELECT pg_sleep(0.1);" >migrations/31_slow.sql &&
	ferry -d "$DB_URL" up --lock-timeout 3 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	printf "%s\n" "up     31_slow ... ok (N ms)" "applied 1 migration; database at 31" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations WHERE version = 31" >actual &&
	echo "31|complete" >expect &&
	test_cmp expect actual
'

# The holder builds an index concurrently while a second ferry polls for
# the lock. CREATE INDEX CONCURRENTLY waits for every transaction that
# could see the table: a waiter sitting in a transaction (or in a blocking
# pg_advisory_lock) would never let it finish.
test_expect_success 'CREATE INDEX CONCURRENTLY while another ferry waits for the lock: no deadlock' '
	cat >migrations/32_cic.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE big (id int, v text);
	INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
	SELECT pg_sleep(1);
	CREATE INDEX CONCURRENTLY big_v ON big (v);
	EOF
	{ timeout 30 "$FERRY" -d "$DB_URL" up >holder.out 2>holder.err; echo $? >holder.rc; } &
	wait_for 10 running "SELECT pg_sleep(1);" &&
	t0=$(date +%s) &&
	timeout 30 "$FERRY" -d "$DB_URL" up --lock-timeout 25 >waiter.out 2>waiter.err &&
	t1=$(date +%s) &&
	wait &&
	echo 0 >expect &&
	test_cmp expect holder.rc &&
	normalize <holder.out >actual &&
	printf "%s\n" "up     32_cic ... ok (N ms)" "applied 1 migration; database at 32" >expect &&
	test_cmp expect actual &&
	echo "nothing to do: another ferry applied the migrations while this one waited" >expect &&
	test_cmp expect waiter.out &&
	grep "^ferry: waiting for the lock on ${q}$DB_SHOWN${q}, held by pid [0-9]*, " waiter.err &&
	echo "the waiter waited $((t1 - t0)) s" &&
	test $((t1 - t0)) -lt 15
'

test_expect_success '... the index is there and valid' '
	db_sql "SELECT x.indisvalid FROM pg_index x WHERE x.indexrelid = ${q}big_v${q}::regclass" >actual &&
	echo t >expect &&
	test_cmp expect actual
'

test_expect_success 'SIGKILL in a no-transaction section: the ledger says where it stopped' '
	cat >migrations/33_notx.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE notx (id int);
	SELECT pg_sleep(20);
	INSERT INTO notx VALUES (1);
	EOF
	start_runner holder &&
	wait_for 10 running "SELECT pg_sleep(20);" &&
	kill -9 "$(cat holder.pid)" &&
	{ wait "$(cat holder.pid)"; echo $? >rc; } &&
	echo 137 >expect &&
	test_cmp expect rc &&
	rm holder.pid &&
	wait_for 5 lock_free &&
	db_sql "SELECT version, state, failed_section, failed_statement FROM ferry_migrations WHERE version = 33" >actual &&
	echo "33|failed|up|2" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM notx" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^failed  *33  *notx  *-  *stopped at statement 2\$" out
'

test_expect_success '... and the next up resumes at that statement' '
	sed -i "s/pg_sleep(20)/pg_sleep(0.1)/" migrations/33_notx.sql &&
	ferry -d "$DB_URL" up --lock-timeout 3 >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	printf "%s\n" "up     33_notx ... resuming at statement 2 ... ok (N ms)" "applied 1 migration; database at 33" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM notx" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

# What a migration sees of its session: the holder's words in
# application_name, and the server told to check for a vanished client
# (PostgreSQL 14 and later), which is what frees the lock after a kill -9.
test_expect_success 'a migration runs in a session named after its runner, watched for a vanished client' '
	echo "CREATE TABLE session_seen AS SELECT current_setting(${q}application_name${q}) AS app, current_setting(${q}client_connection_check_interval${q}) AS check_interval;" >migrations/34_session.sql &&
	"$FERRY" -d "$DB_URL" -q up &
	echo $! >holder.pid &&
	wait "$(cat holder.pid)" &&
	db_sql "SELECT app, check_interval FROM session_seen" >out &&
	norm_holder <out >actual &&
	rm holder.pid &&
	echo "ferry: pid HOLDER, USER@HOST, since TIME|500ms" >expect &&
	test_cmp expect actual
'

test_done
