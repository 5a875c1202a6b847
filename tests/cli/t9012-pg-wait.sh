#!/bin/sh
test_description='PostgreSQL: --wait for a database that is still starting'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 18 part 4: --wait[=DURATION] tries again while the server refuses
# connections, has no socket yet, or is starting up; a wrong password or an
# unknown database fails at once. Here a server of our own is started on a
# port ferry is already knocking on.

q="'"
HOST=$(db_sql "SELECT host(inet_server_addr())")
PORT=$(db_sql "SELECT inet_server_port()")
DB=$(db_sql "SELECT current_database()")
LATE=$(pwd)/late-server

# A port nothing listens on, free when we start a server on it.
free_port() {
	_p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
	while "$PSQL" -X -q -d "postgres://postgres@127.0.0.1:$_p/postgres?connect_timeout=1" \
		-c "SELECT 1" >/dev/null 2>&1; do
		_p=$((_p + 1))
	done
	echo $_p
}

# up_in_background URL: ferry up --wait=60s, its pid in $waiter.
up_in_background() {
	"$FERRY" -d "$1" --wait=60s up >up.out 2>up.err &
	waiter=$!
}

test_expect_success 'setup' '
	use_fixture basic
'

test_expect_success 'without --wait a refused connection fails at once (exit 1)' '
	port=$(free_port) &&
	start=$(date +%s) &&
	test_expect_code 1 ferry -d "postgres://postgres@127.0.0.1:$port/postgres" status >out 2>err &&
	test $(( $(date +%s) - start )) -le 2 &&
	grep "Connection refused" err &&
	! grep "waiting for the database" err
'

test_expect_success '--wait=1s gives up after a second with a clear error (exit 1)' '
	port=$(free_port) &&
	start=$(date +%s) &&
	test_expect_code 1 ferry -d "postgres://postgres@127.0.0.1:$port/postgres" \
		--wait=1s status >out 2>err &&
	test $(( $(date +%s) - start )) -le 4 &&
	grep "^ferry: waiting for the database ${q}postgres://postgres@127.0.0.1:$port/postgres${q} to accept connections" err &&
	grep "^ferry: error: cannot connect to database" err &&
	grep "^hint: waited 1.0 s (--wait 1.0 s) and the server still does not accept connections" err &&
	test_expect_code 1 ferry -d "postgres://postgres@127.0.0.1:$port/postgres" \
		--wait=1s status --json >out 2>err &&
	jq -e ".error.exit == 1 and (.error.hint | test(\"waited\"))" out
'

test_expect_success 'copy waits for its --from database too' '
	port=$(free_port) &&
	test_expect_code 1 ferry copy --from "postgres://postgres@127.0.0.1:$port/postgres" \
		--to "$DB_URL" --wait=1s >out 2>err &&
	grep "^ferry: waiting for the database ${q}postgres://postgres@127.0.0.1:$port/postgres${q} to accept connections" err &&
	grep "^hint: waited 1.0 s (--wait 1.0 s)" err
'

test_expect_success '--wait: a server started later is waited for, and up runs' '
	port=$(free_port) &&
	url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" &&
	up_in_background "$url" &&
	sleep 2 &&
	PG_CLUSTER_PORT=$port sh "$TEST_DIR/pg-cluster.sh" start "$LATE" >late.url &&
	{ wait $waiter; echo $? >up.rc; } &&
	sh "$TEST_DIR/pg-cluster.sh" stop "$LATE" &&
	test "$(cat up.rc)" = 0 &&
	grep "waiting for the database" up.err &&
	grep "^applied 3 migrations" up.out
'

test_expect_success 'a wrong password behind a refused host is not waited for either' '
	port=$(free_port) &&
	start=$(date +%s) &&
	test_expect_code 1 ferry -d "postgres://ferry_pw:wr0ng-pw@127.0.0.1:$port,$HOST:$PORT/$DB?sslmode=disable" \
		--wait=30s status >out 2>err &&
	test $(( $(date +%s) - start )) -le 3 &&
	! grep "waiting for the database" err &&
	grep "password authentication failed" err &&
	! grep "wr0ng-pw" err
'

test_expect_success 'a wrong password is not waited for' '
	start=$(date +%s) &&
	test_expect_code 1 ferry -d "postgres://ferry_pw:wr0ng-pw@$HOST:$PORT/$DB?sslmode=disable" \
		--wait=30s status >out 2>err &&
	test $(( $(date +%s) - start )) -le 3 &&
	! grep "waiting for the database" err &&
	grep "password authentication failed" err
'

test_expect_success 'an unknown database is not waited for' '
	start=$(date +%s) &&
	test_expect_code 1 ferry -d "postgres://postgres@$HOST:$PORT/no_such_db_here?sslmode=disable" \
		--wait=30s status >out 2>err &&
	test $(( $(date +%s) - start )) -le 3 &&
	! grep "waiting for the database" err &&
	grep "does not exist" err
'

test_expect_success '--wait with a bad duration: exit 2' '
	cat >expect <<-EOF &&
	ferry: error: invalid --wait ${q}soon${q}
	hint: give how long to wait for the database, e.g. 30s, 2m or 500ms (at most 24 hours); --wait alone waits 60 s
	EOF
	test_expect_code 2 ferry -d "$DB_URL" --wait=soon status >out 2>actual &&
	test_cmp expect actual
'

test_expect_success '--wait alone takes no value from the next argument' '
	ferry --wait -d "$DB_URL" status >out &&
	grep "^migrations  " out
'

test_done
