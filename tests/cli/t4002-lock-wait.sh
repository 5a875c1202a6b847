#!/bin/sh
test_description='a second runner waits, names the holder, gives up with exit 4'
. "$(dirname "$0")/test-lib.sh"

q="'"

# SPEC section 2: a second runner waits up to --lock-timeout, saying who
# holds the lock, then exits 4; one that waited and finds the work done
# exits 0. 'ferry status' shows the holder.

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# start_runner NAME ARGS...: a background 'ferry up' whose pid is in
# NAME.pid, output in NAME.out and NAME.err; returns once it has started
# applying (its progress line is out), or fails if it ends first.
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
	return 125
}

# stop_runner NAME: kill -9 it and make sure it is gone.
stop_runner() {
	_pid=$(cat $1.pid) &&
	kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	wait_for 10 gone "$_pid" &&
	rm -f $1.pid
}

# Is process $1 gone (a zombie not yet reaped counts as gone)?
gone() {
	! kill -0 "$1" 2>/dev/null ||
	grep -q "^$1 (.*) Z" /proc/$1/stat 2>/dev/null
}

lock_free() {
	ferry -d "$DB_URL" status >status.out &&
	grep "^lock        free\$" status.out
}

# Make the holder's own pid read HOLDER, everything else as normalize does.
norm_holder() {
	sed -e "s/pid $(cat holder.pid),/pid HOLDER,/g" | normalize
}

# Nothing must outlive the script, whatever failed.
trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done' EXIT

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY);
	EOF
	ferry -d "$DB_URL" up >out &&
	{
		echo "CREATE TABLE second (id integer PRIMARY KEY);" &&
		slow_sql 2
	} >migrations/2_second.sql
'

test_expect_success 'a waiter that finds the work done exits 0 and says so' '
	start_runner holder &&
	ferry -d "$DB_URL" up --lock-timeout 60 >out 2>err &&
	cat >expect <<-\EOF &&
	nothing to do: another ferry applied the migrations while this one waited
	EOF
	test_cmp expect out &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by pid HOLDER, USER@HOST, since TIME
	EOF
	norm_holder <err >actual &&
	test_cmp expect actual &&
	wait "$(cat holder.pid)" &&
	cat >expect <<-\EOF &&
	up     2_second ... ok (N ms)
	applied 1 migration; database at 2
	EOF
	normalize <holder.out >actual &&
	test_cmp expect actual &&
	test_must_be_empty holder.err &&
	rm holder.pid &&
	echo "1|complete" >expect &&
	db_sql "SELECT count(*), state FROM ferry_migrations WHERE version = 2 GROUP BY state" >actual &&
	test_cmp expect actual
'

test_expect_success 'setup: a runner holds the lock in a long migration' '
	{
		echo "CREATE TABLE third (id integer PRIMARY KEY);" &&
		slow_sql 60
	} >migrations/3_third.sql &&
	start_runner holder
'

test_expect_success 'a second runner gives up after --lock-timeout with exit 4' '
	t0=$(date +%s%N) &&
	test_expect_code 4 ferry -d "$DB_URL" up --lock-timeout 1 >out 2>err &&
	t1=$(date +%s%N) &&
	test_must_be_empty out &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by pid HOLDER, USER@HOST, since TIME
	ferry: error: another ferry is working on database '"'"'$DB_SHOWN'"'"'
	the lock is held by pid HOLDER, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	norm_holder <err >actual &&
	test_cmp expect actual &&
	waited=$(((t1 - t0) / 1000000)) &&
	echo "waited $waited ms" &&
	test $waited -ge 900 &&
	test $waited -lt 10000
'

test_expect_success '-q keeps the error but not the waiting note' '
	test_expect_code 4 ferry -q -d "$DB_URL" up --lock-timeout 0 >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-EOF &&
	ferry: error: another ferry is working on database '"'"'$DB_SHOWN'"'"'
	the lock is held by pid HOLDER, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	norm_holder <err >actual &&
	test_cmp expect actual
'

test_expect_success 'status shows who holds the lock, without waiting for it' '
	ferry -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	head -n 1 out >first &&
	grep "^database    $DB_SHOWN (" first &&
	if test "$ENGINE" = pg
	then
		grep "^sessions    1 ferry ${q}ferry: pid $(cat holder.pid), [^${q}]*${q} (user [^,]*, from [^)]*), active$" out
	fi &&
	sed -e 1d -e "/^sessions /d" out | norm_holder >actual &&
	cat >expect <<-\EOF &&
	release     none finished
	version     at 2; newest file 3
	migrations  2 complete, 1 pending
	drift       none
	lock        held by pid HOLDER, USER@HOST, since TIME
	last action up 2 by USER@HOST at TIME

	STATE    VERSION  NAME   RELEASE
	pending  3        third  -
	EOF
	test_cmp expect actual
'

test_expect_success 'list and history read while the lock is held' '
	ferry -d "$DB_URL" list >out 2>err &&
	test_must_be_empty err &&
	grep "^3  *third  *-  *pending" out &&
	ferry -d "$DB_URL" history >out 2>err &&
	test_must_be_empty err &&
	test_line_count = 3 out
'

# On PostgreSQL the server frees the lock once it notices the client gone.
test_expect_success 'the holder is stopped; the lock is free again' '
	stop_runner holder &&
	case $ENGINE in
	sqlite) patience=0 ;;
	pg) patience=10 ;;
	esac &&
	wait_for $patience lock_free
'

test_done
