#!/bin/sh
test_description='PostgreSQL: who is connected (status sessions) and --exclusive'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 16 part 3: status lists the other backends on the database,
# grouped by application, user and client, without ferry's own; JSON a
# list. --exclusive (up, finish, migrate, restore; ferry.conf) refuses
# with exit 5, naming them, when another session is connected once the
# runner lock is taken; other ferry runners do not count.

q="'"

# connect NAME SECONDS: a session of application NAME, connected for
# SECONDS; returns once the server lists it.
connect() {
	PGAPPNAME=$1 "$PSQL" -X -q -d "$DB_URL" -c "SELECT pg_sleep($2)" \
		>/dev/null 2>&1 &
	echo $! >$1.pid
	wait_for 10 connected $1
}

connected() {
	test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}$1${q} AND state = ${q}active${q}")" -ge 1
}

disconnect() {
	kill "$(cat $1.pid)" 2>/dev/null
	wait "$(cat $1.pid)" 2>/dev/null
	rm -f $1.pid
	db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}$1${q}" >/dev/null
	wait_for 10 gone $1
}

gone() {
	sessions_of "$1" 0
}

# sessions_of NAME N: N sessions of application NAME (a LIKE pattern).
sessions_of() {
	test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE ${q}$1${q}")" = "$2"
}

# running_sleep N: N backends run SELECT pg_sleep(N).
running_sleep() {
	test "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE ${q}SELECT pg_sleep($1)%${q} AND state = ${q}active${q}")" -ge 1
}

# A role without the right to see other users' sessions in full. It is
# the cluster's: dropped whatever happens, after test_done has dropped the
# database and with it the role's rights.
PEEK_ROLE=ferry_t9011_peek_$$
trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
"$PSQL" -X -q -d "$PG_ADMIN_URL" -c "DROP ROLE IF EXISTS $PEEK_ROLE" >/dev/null 2>&1' EXIT

test_expect_success 'setup: two migrations, the second with a finish section' '
	mkdir migrations &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE t (id int, old text);" >migrations/1_t.sql &&
	printf "%s\n" "-- ferry:up" "ALTER TABLE t ADD COLUMN new text;" \
		"-- ferry:finish" "ALTER TABLE t DROP COLUMN old;" >migrations/2_new.sql
'

test_expect_success 'status: no other session: "none besides this one", JSON []' '
	ferry -d "$DB_URL" status >out 2>err &&
	grep "^sessions    none besides this one$" out &&
	ferry -d "$DB_URL" status --json >out 2>err &&
	test_json out ".sessions == []"
'

# Who the test's own sessions are: its user, and its address as the server
# sees it ("local" over a Unix socket).
me=$(db_sql "SELECT current_user")
from=$(db_sql "SELECT COALESCE(host(inet_client_addr()), ${q}local${q})")

test_expect_success 'status: two sessions of one application, one of another, grouped, largest first' '
	connect app-1.5 30 &&
	{ PGAPPNAME=app-1.5 "$PSQL" -X -q -d "$DB_URL" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 & } &&
	echo $! >second.pid &&
	wait_for 10 sessions_of app-1.5 2 &&
	connect worker 30 &&
	ferry -d "$DB_URL" status >out 2>err &&
	grep -A1 "^sessions" out >actual &&
	printf "%s\n" "sessions    2 ${q}app-1.5${q} (user $me, from $from), active" \
		"            1 ${q}worker${q} (user $me, from $from), active" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" status --json >out 2>err &&
	test_json out ".sessions | length == 2" \
		".sessions[0].application == \"app-1.5\"" ".sessions[0].count == 2" \
		".sessions[0].user == \"$me\"" ".sessions[0].client == \"$from\"" \
		".sessions[0].states == \"active\"" ".sessions[0].ferry == false" \
		".sessions[0].since | test(\"^[0-9-]+T[0-9:]+Z$\")" \
		".sessions[1].application == \"worker\"" \
		".sessions[1].user == \"$me\"" ".sessions[1].client == \"$from\""
'

test_expect_success 'up --exclusive with others connected: exit 5, naming them, nothing applied' '
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" up --exclusive >out 2>err &&
	grep "^ferry: error: 3 other sessions are connected to database ${q}" err &&
	grep "^${q}app-1.5${q} (user [^,]*, from [^)]*): 2, active; ${q}worker${q} (user [^,]*, from [^)]*): 1, active$" err &&
	grep "^hint: stop them (every node of the old release, and its workers) and run again, or run without --exclusive$" err &&
	db_snapshot after &&
	test_cmp before after &&
	ferry -d "$DB_URL" status >out 2>err &&
	grep "^lock        free$" out
'

test_expect_success '... JSON: code refused, exit 5' '
	test_expect_code 5 ferry -d "$DB_URL" migrate --exclusive --json >out 2>err &&
	test_json out ".error.code == \"refused\"" ".error.exit == 5" \
		".error.detail | test(\"app-1.5\")"
'

test_expect_success 'exclusive = true in ferry.conf: up refuses; status and plan are not affected' '
	echo "exclusive = true" >ferry.conf &&
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: 3 other sessions are connected" err &&
	ferry -d "$DB_URL" status >out 2>err &&
	ferry -d "$DB_URL" plan >out 2>err &&
	echo "exclusive = maybe" >ferry.conf &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>err &&
	grep "^ferry: error: ferry.conf:1: invalid exclusive ${q}maybe${q}$" err &&
	rm ferry.conf
'

test_expect_success 'one session left: named alone' '
	disconnect worker &&
	db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}app-1.5${q} ORDER BY pid LIMIT 1" >/dev/null &&
	wait_for 10 sessions_of app-1.5 1 &&
	test_expect_code 5 ferry -d "$DB_URL" up --exclusive >out 2>err &&
	grep "^ferry: error: 1 other session is connected to database" err
'

test_expect_success 'finish --exclusive with a session connected: exit 5, naming it, nothing finished' '
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^applied 2 migrations; database at 2$" out &&
	db_snapshot before &&
	test_expect_code 5 ferry -d "$DB_URL" finish --exclusive >out 2>err &&
	grep "^ferry: error: 1 other session is connected to database ${q}" err &&
	grep "^${q}app-1.5${q} (user $me, from $from): 1, active$" err &&
	db_snapshot after &&
	test_cmp before after &&
	ferry -d "$DB_URL" status >out 2>err &&
	grep "^migrations  1 complete, 1 up (finish pending), 0 pending$" out
'

test_expect_success 'nobody else connected: finish, up and migrate --exclusive run' '
	disconnect app-1.5 &&
	ferry -d "$DB_URL" finish --exclusive >out 2>err &&
	grep "^finished 1 migration" out &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE u (id int);" >migrations/3_u.sql &&
	ferry -d "$DB_URL" up --exclusive >out 2>err &&
	grep "^applied 1 migration; database at 3$" out &&
	printf "%s\n" "-- ferry:up" "ALTER TABLE u ADD COLUMN v int;" \
		"-- ferry:finish" "ALTER TABLE t DROP COLUMN new;" >migrations/4_v.sql &&
	ferry -d "$DB_URL" migrate --exclusive >out 2>err &&
	grep "^applied 1 up and 1 finish sections; database at 4$" out &&
	db_sql "SELECT column_name FROM information_schema.columns WHERE table_name IN (${q}t${q}, ${q}u${q}) ORDER BY table_name, column_name" >actual &&
	printf "%s\n" id id v >expect &&
	test_cmp expect actual
'

test_expect_success 'restore --exclusive refuses while a session is connected' '
	ferry -d "$DB_URL" backup -o snap.pgdump >out 2>err &&
	connect reader 30 &&
	test_expect_code 5 ferry -d "$DB_URL" restore --exclusive --yes snap.pgdump >out 2>err &&
	grep "^ferry: error: 1 other session is connected" err &&
	disconnect reader &&
	ferry -d "$DB_URL" restore --exclusive --yes snap.pgdump >out 2>err
'

test_expect_success 'another ferry at work is listed as a ferry; up --exclusive waits for its lock' '
	printf "%s\n" "-- ferry:up" "CREATE TABLE slow (id int);" "SELECT pg_sleep(29);" >migrations/5_slow.sql &&
	{ "$FERRY" -d "$DB_URL" up >holder.out 2>holder.err & } &&
	echo $! >holder.pid &&
	wait_for 10 running_sleep 29 &&
	ferry -d "$DB_URL" status --json >out 2>err &&
	test_json out ".sessions | length == 1" ".sessions[0].ferry == true" \
		".sessions[0].application | startswith(\"ferry: pid \")" &&
	ferry -d "$DB_URL" status >out 2>err &&
	grep "^sessions    1 ferry ${q}ferry: pid [0-9]*, " out &&
	test_expect_code 4 ferry -d "$DB_URL" up --exclusive --lock-timeout 1 >out 2>err &&
	grep "^ferry: error: another ferry is working on database ${q}" err &&
	! grep "other session" err &&
	kill -9 "$(cat holder.pid)" &&
	{ wait "$(cat holder.pid)" 2>/dev/null || :; } &&
	rm -f holder.pid &&
	wait_for 10 sessions_of "ferry: pid%" 0 &&
	rm migrations/5_slow.sql
'

# Counting a ferry would make --exclusive refuse: a runner that waits for
# the lock is connected too, as "ferry". This one is made to run without
# the lock (test build), in its own ledger, so that it stays connected
# while the other takes the lock.
test_expect_success 'a ferry connected but not holding the lock does not count for --exclusive' '
	mkdir other &&
	echo "SELECT pg_sleep(28);" >other/1_wait.sql &&
	{ FERRY_TEST_NO_LOCK=1 "$FERRY_TESTING_BIN" -d "$DB_URL" --dir other \
		--table other_migrations up >other.out 2>other.err & } &&
	echo $! >other.pid &&
	wait_for 10 running_sleep 28 &&
	ferry -d "$DB_URL" status >out 2>err &&
	grep "^sessions    1 ferry ${q}ferry${q} (user $me, from $from), active$" out &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE z (id int);" >migrations/6_z.sql &&
	ferry -d "$DB_URL" up --exclusive >out 2>err &&
	grep "^applied 1 migration; database at 6$" out &&
	db_sql "SELECT count(*) FROM z" &&
	kill -9 "$(cat other.pid)" &&
	{ wait "$(cat other.pid)" 2>/dev/null || :; } &&
	rm -f other.pid &&
	db_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${q}ferry${q}" >/dev/null &&
	wait_for 10 gone ferry
'

test_expect_success 'a user who may not see others in full: client and states ?, not local; --exclusive refuses' '
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" -c "CREATE ROLE $PEEK_ROLE LOGIN" &&
	db_sql "GRANT SELECT ON ferry_migrations, ferry_history TO $PEEK_ROLE" &&
	peek_url=$(echo "$DB_URL" | sed "s|://[^@/]*@|://$PEEK_ROLE@|") &&
	connect hidden 30 &&
	sock=$(db_sql "SHOW unix_socket_directories" | cut -d, -f1) &&
	port=$(db_sql "SHOW port") &&
	{ PGAPPNAME=sock "$PSQL" -X -q -h "$sock" -p "$port" -U "$me" \
		-d "$pg_db_name" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 & } &&
	echo $! >sock.pid &&
	wait_for 10 connected sock &&
	ferry -d "$DB_URL" status >out 2>err &&
	grep -A1 "^sessions" out >actual &&
	printf "%s\n" "sessions    1 ${q}hidden${q} (user $me, from $from), active" \
		"            1 ${q}sock${q} (user $me, from local), active" >expect &&
	test_cmp expect actual &&
	ferry -d "$peek_url" status >out 2>err &&
	grep -A1 "^sessions" out >actual &&
	printf "%s\n" "sessions    1 ${q}hidden${q} (user $me, from ?), ?" \
		"            1 ${q}sock${q} (user $me, from ?), ?" >expect &&
	test_cmp expect actual &&
	ferry -d "$peek_url" status --json >out 2>err &&
	test_json out ".sessions | length == 2" \
		".sessions | all(.user == \"$me\" and .client == \"?\" and .states == \"?\" and .since == null and .ferry == false)" &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE w (id int);" >migrations/7_w.sql &&
	db_snapshot before &&
	test_expect_code 5 ferry -d "$peek_url" up --exclusive >out 2>err &&
	grep "^ferry: error: 2 other sessions are connected to database ${q}" err &&
	grep "^${q}hidden${q} (user $me, from ?): 1, ?; ${q}sock${q} (user $me, from ?): 1, ?$" err &&
	db_snapshot after &&
	test_cmp before after &&
	disconnect hidden &&
	disconnect sock
'

test_done
