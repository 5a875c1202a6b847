#!/bin/sh
test_description='PostgreSQL: wrong password, unreachable server, missing database, standby'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 3, parts 1 and 8: each a clear error (exit 1) with a hint, the
# database named with its password masked as ****, the password itself
# nowhere in any output (SPEC section 2). A hot standby is refused for
# 'up' but can be read by 'status'.
#
# The test server (tests/cli/pg-cluster.sh) has a role ferry_pw whose
# password, s3cret-pw, is required over TCP (scram-sha-256), and allows
# replication connections, so this script can make a standby of it.

q="'"
PW=s3cret-pw
BAD=wr0ng-pw

PGBIN=$(dirname "$PSQL")
HOST=$(db_sql "SELECT host(inet_server_addr())")
PORT=$(db_sql "SELECT inet_server_port()")
DB=$(db_sql "SELECT current_database()")

pw_url() {
	echo "postgres://ferry_pw:$1@$HOST:$PORT/$DB?sslmode=disable"
}

# try NAME CMD...: run CMD, keep its exit code, stdout and stderr under NAME.
try() {
	_n=$1
	shift
	"$@" >$_n.out 2>$_n.err
	echo $? >$_n.rc
}

# no_password FILE...: neither password, nor its URL-encoded form, in them.
no_password() {
	for _f in "$@"; do
		if grep -F -e "$PW" -e "$BAD" -e "s3cret%2Dpw" -e "s3cret%2dpw" "$_f"; then
			echo "a password in $_f" >&2
			return 1
		fi
	done
}

# A server of our own, a standby of the test server; stopped and removed
# at the end, whatever happened.
SB_DIR=
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}
stop_standby() {
	if [ -n "$SB_DIR" ] && [ -d "$SB_DIR" ]; then
		if [ -f "$SB_DIR/data/postmaster.pid" ]; then
			as_pg "$PGBIN/pg_ctl" -D "$SB_DIR/data" -m immediate -w stop >/dev/null 2>&1
		fi
		rm -rf "$SB_DIR"
	fi
	SB_DIR=
}
trap stop_standby EXIT
trap 'exit 130' INT TERM

start_standby() {
	SB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ferry-standby.XXXXXX") &&
	chmod 755 "$SB_DIR" &&
	if [ "$(id -u)" = 0 ]; then chown postgres: "$SB_DIR"; fi &&
	as_pg "$PGBIN/pg_basebackup" -d "$PG_ADMIN_URL" -D "$SB_DIR/data" \
		-R -c fast -X stream -N >"$SB_DIR/basebackup.log" 2>&1 &&
	mc=$(db_sql "SHOW max_connections") &&
	for try in 1 2 3 4 5 6 7 8; do
		SB_PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
		if as_pg "$PGBIN/pg_ctl" -D "$SB_DIR/data" -l "$SB_DIR/server.log" -w -t 60 \
			-o "-c port=$SB_PORT -c listen_addresses=$HOST -c unix_socket_directories=$SB_DIR -c max_connections=$mc -c fsync=off" \
			start >/dev/null 2>&1; then
			return 0
		fi
		grep -qi "address already in use" "$SB_DIR/server.log" || break
	done
	tail -n 20 "$SB_DIR/server.log" >&2
	return 1
}

test_expect_success 'setup: one migration applied, one pending' '
	mkdir migrations &&
	echo "CREATE TABLE first (id int PRIMARY KEY);" >migrations/1_first.sql &&
	ferry -d "$DB_URL" -q up &&
	echo "CREATE TABLE second (id int PRIMARY KEY);" >migrations/2_second.sql
'

test_expect_success 'a wrong password: exit 1, the database masked, the hint; status, up, list, history' '
	url=$(pw_url $BAD) &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}postgres://ferry_pw:****@$HOST:$PORT/$DB?sslmode=disable${q}
	connection to server at "$HOST", port $PORT failed: password authentication failed for user "ferry_pw"
	hint: check the user and password (in the URL, PGPASSWORD or ~/.pgpass)
	EOF
	for c in status up list history
	do
		try $c ferry -d "$url" $c &&
		echo 1 >expect.rc &&
		test_cmp expect.rc $c.rc &&
		test_must_be_empty $c.out &&
		test_cmp expect $c.err &&
		no_password $c.out $c.err || return 1
	done
'

# The files are read on a second thread while PostgreSQL connects: whichever
# finishes first, a broken file is the error reported, as on SQLite.
test_expect_success 'a broken migration file and a wrong password: the file is named' '
	url=$(pw_url $BAD) &&
	mkdir broken &&
	cp migrations/*.sql broken/ &&
	printf "%s\n" "-- ferry:bogus" "SELECT 1;" >broken/3_bogus.sql &&
	for c in status up
	do
		try br-$c ferry -d "$url" --dir broken $c &&
		echo 2 >expect.rc &&
		test_cmp expect.rc br-$c.rc &&
		grep "^ferry: error: broken/3_bogus.sql:1: " br-$c.err &&
		! grep "cannot connect" br-$c.err &&
		no_password br-$c.out br-$c.err || return 1
	done
'

test_expect_success 'a good migration set and a wrong password: the connection is named' '
	url=$(pw_url $BAD) &&
	try gs ferry -d "$url" --dir migrations up &&
	echo 1 >expect.rc &&
	test_cmp expect.rc gs.rc &&
	grep "^ferry: error: cannot connect to database" gs.err
'

test_expect_success 'a wrong password, with --json and -v: still masked' '
	url=$(pw_url $BAD) &&
	try sj ferry -d "$url" status --json &&
	try lj ferry -d "$url" list --json &&
	try uv ferry -d "$url" -v up &&
	for c in sj lj uv
	do
		echo 1 >expect.rc &&
		test_cmp expect.rc $c.rc &&
		grep -F "${q}postgres://ferry_pw:****@$HOST:$PORT/$DB?sslmode=disable${q}" $c.err &&
		no_password $c.out $c.err || return 1
	done
'

test_expect_success 'a wrong password in a keyword string: masked as password=****' '
	kw="host=$HOST port=$PORT dbname=$DB user=ferry_pw password=$BAD sslmode=disable" &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}host=$HOST port=$PORT dbname=$DB user=ferry_pw password=**** sslmode=disable${q}
	connection to server at "$HOST", port $PORT failed: password authentication failed for user "ferry_pw"
	hint: check the user and password (in the URL, PGPASSWORD or ~/.pgpass)
	EOF
	for c in status up list history
	do
		try kw-$c ferry -d "$kw" $c &&
		echo 1 >expect.rc &&
		test_cmp expect.rc kw-$c.rc &&
		test_must_be_empty kw-$c.out &&
		test_cmp expect kw-$c.err &&
		no_password kw-$c.out kw-$c.err || return 1
	done
'

test_expect_success 'a quoted password in a keyword string: masked too' '
	kw="host=$HOST port=$PORT dbname=$DB user=ferry_pw password=${q}it\\${q}s $BAD${q} sslmode=disable" &&
	try kwq ferry -d "$kw" up &&
	echo 1 >expect.rc &&
	test_cmp expect.rc kwq.rc &&
	head -n 1 kwq.err >actual &&
	echo "ferry: error: cannot connect to database ${q}host=$HOST port=$PORT dbname=$DB user=ferry_pw password=**** sslmode=disable${q}" >expect &&
	test_cmp expect actual &&
	no_password kwq.out kwq.err
'

test_expect_success 'a wrong password in the query string of a URL: masked there' '
	url="postgresql://$HOST:$PORT/$DB?user=ferry_pw&password=$BAD&sslmode=disable" &&
	try qs ferry -d "$url" status &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}postgresql://$HOST:$PORT/$DB?user=ferry_pw&password=****&sslmode=disable${q}
	connection to server at "$HOST", port $PORT failed: password authentication failed for user "ferry_pw"
	hint: check the user and password (in the URL, PGPASSWORD or ~/.pgpass)
	EOF
	echo 1 >expect.rc &&
	test_cmp expect.rc qs.rc &&
	test_cmp expect qs.err &&
	no_password qs.out qs.err
'

test_expect_success 'a wrong PGPASSWORD: the same error, no password shown' '
	url="postgres://ferry_pw@$HOST:$PORT/$DB?sslmode=disable" &&
	try env test_env PGPASSWORD=$BAD "$FERRY" -d "$url" up &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}$url${q}
	connection to server at "$HOST", port $PORT failed: password authentication failed for user "ferry_pw"
	hint: check the user and password (in the URL, PGPASSWORD or ~/.pgpass)
	EOF
	echo 1 >expect.rc &&
	test_cmp expect.rc env.rc &&
	test_cmp expect env.err &&
	no_password env.out env.err
'

test_expect_success 'the right password: up, status, list, history work; it is shown nowhere' '
	url=$(pw_url $PW) &&
	try ok-up ferry -d "$url" up &&
	try ok-status ferry -d "$url" status &&
	try ok-list ferry -d "$url" list &&
	try ok-history ferry -d "$url" history &&
	try ok-json ferry -d "$url" status --json &&
	try ok-verbose ferry -d "$url" -v up &&
	for c in ok-up ok-status ok-list ok-history ok-json ok-verbose
	do
		echo 0 >expect.rc &&
		test_cmp expect.rc $c.rc &&
		no_password $c.out $c.err || return 1
	done &&
	head -n 1 ok-status.out | normalize_engine >actual &&
	echo "database    postgres://ferry_pw:****@$HOST:$PORT/$DB?sslmode=disable (ENGINE VERSION)" >expect &&
	test_cmp expect actual &&
	test_json ok-json.out ".database == \"postgres://ferry_pw:****@$HOST:$PORT/$DB?sslmode=disable\"" &&
	db_sql "SELECT version FROM ferry_migrations ORDER BY version" >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'nor is it stored anywhere in the database' '
	db_snapshot dump &&
	test -s dump &&
	no_password dump
'

test_expect_success 'the right password, percent-encoded in the URL: masked, encoded or not' '
	url="postgres://ferry_pw:s3cret%2Dpw@$HOST:$PORT/$DB?sslmode=disable" &&
	try enc ferry -d "$url" status &&
	echo 0 >expect.rc &&
	test_cmp expect.rc enc.rc &&
	head -n 1 enc.out | normalize_engine >actual &&
	echo "database    postgres://ferry_pw:****@$HOST:$PORT/$DB?sslmode=disable (ENGINE VERSION)" >expect &&
	test_cmp expect actual &&
	no_password enc.out enc.err
'

test_expect_success 'the right password from ~/.pgpass works, and is shown nowhere' '
	echo "$HOST:$PORT:$DB:ferry_pw:$PW" >.pgpass &&
	chmod 600 .pgpass &&
	url="postgres://ferry_pw@$HOST:$PORT/$DB?sslmode=disable" &&
	try pgpass ferry -d "$url" status &&
	rm .pgpass &&
	echo 0 >expect.rc &&
	test_cmp expect.rc pgpass.rc &&
	no_password pgpass.out pgpass.err
'

test_expect_success 'an unreachable port: exit 1 at once, a hint about host and port' '
	url="postgres://ferry_pw:$PW@$HOST:1/$DB?sslmode=disable" &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}postgres://ferry_pw:****@$HOST:1/$DB?sslmode=disable${q}
	connection to server at "$HOST", port 1 failed: Connection refused; Is the server running on that host and accepting TCP/IP connections?
	hint: check the host and port, and that the server is running
	EOF
	t0=$(date +%s) &&
	try unreach ferry -d "$url" up &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -le 3 &&
	echo 1 >expect.rc &&
	test_cmp expect.rc unreach.rc &&
	test_must_be_empty unreach.out &&
	test_cmp expect unreach.err &&
	no_password unreach.err
'

test_expect_success 'a host that does not resolve: exit 1, the same hint' '
	url="postgres://ferry_pw:$PW@no-such-host.invalid:5432/$DB" &&
	try nohost timeout 20 "$FERRY" -d "$url" status &&
	echo 1 >expect.rc &&
	test_cmp expect.rc nohost.rc &&
	test_must_be_empty nohost.out &&
	sed -n "1p; 2s/:.*//p; 3p" nohost.err >actual &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}postgres://ferry_pw:****@no-such-host.invalid:5432/$DB${q}
	could not translate host name "no-such-host.invalid" to address
	hint: check the host and port, and that the server is running
	EOF
	test_cmp expect actual &&
	no_password nohost.err
'

test_expect_success 'a database that does not exist: exit 1, a hint to create it' '
	url="postgres://ferry_pw:$PW@$HOST:$PORT/${DB}_missing?sslmode=disable" &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}postgres://ferry_pw:****@$HOST:$PORT/${DB}_missing?sslmode=disable${q}
	connection to server at "$HOST", port $PORT failed: database "${DB}_missing" does not exist
	hint: create the database first (createdb), or check its name in the URL
	EOF
	for c in status up
	do
		try missing-$c ferry -d "$url" $c &&
		echo 1 >expect.rc &&
		test_cmp expect.rc missing-$c.rc &&
		test_must_be_empty missing-$c.out &&
		test_cmp expect missing-$c.err || return 1
	done
'

test_expect_success 'a role that does not exist: exit 1, a hint about the user name' '
	url="postgres://no_such_role@$HOST:$PORT/$DB?sslmode=disable" &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database ${q}$url${q}
	connection to server at "$HOST", port $PORT failed: role "no_such_role" does not exist
	hint: check the user name in the URL
	EOF
	try norole ferry -d "$url" status &&
	echo 1 >expect.rc &&
	test_cmp expect.rc norole.rc &&
	test_cmp expect norole.err
'

test_expect_success 'setup: a hot standby of the test server, made with pg_basebackup -R' '
	start_standby &&
	SB_URL="postgres://postgres@$HOST:$SB_PORT/$DB?sslmode=disable" &&
	echo "$SB_URL" >sb.url &&
	"$PSQL" -X -At -d "$SB_URL" -c "SELECT pg_is_in_recovery()" >actual &&
	echo t >expect &&
	test_cmp expect actual
'

test_expect_success 'up against the standby: refused, exit 1, with a hint' '
	SB_URL=$(cat sb.url) &&
	echo "CREATE TABLE third (id int);" >migrations/3_third.sql &&
	cat >expect <<-EOF &&
	ferry: error: database ${q}$SB_URL${q} is a standby (read-only replica)
	hint: run migrations against the primary server
	EOF
	test_expect_code 1 ferry -d "$SB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'status, list and history read the standby' '
	SB_URL=$(cat sb.url) &&
	ferry -d "$SB_URL" status >out 2>err &&
	test_must_be_empty err &&
	normalize_engine <out | normalize >actual &&
	cat >expect <<-EOF &&
	database    $SB_URL (ENGINE VERSION)
	release     none finished
	version     at 2; newest file 3
	migrations  2 complete, 1 pending
	drift       none
	lock        free
	last action up 2 by USER@HOST at TIME

	STATE    VERSION  NAME   RELEASE
	pending  3        third  -
	EOF
	test_cmp expect actual &&
	ferry -d "$SB_URL" list >out 2>err &&
	test_must_be_empty err &&
	test_line_count = 4 out &&
	ferry -d "$SB_URL" history >out 2>err &&
	test_must_be_empty err &&
	test_line_count = 3 out
'

test_expect_success 'the primary is unchanged, and still takes the migration' '
	db_sql "SELECT version FROM ferry_migrations ORDER BY version" >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" -q up &&
	db_sql "SELECT max(version) FROM ferry_migrations" >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'cleanup: the standby is stopped and removed' '
	dir=$SB_DIR &&
	stop_standby &&
	test_path_is_missing "$dir"
'

test_done
