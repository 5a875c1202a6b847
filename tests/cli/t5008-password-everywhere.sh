#!/bin/sh
test_description='the password of a PostgreSQL URL appears in no output of any command, errors, --json and -v included'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# SPEC section 2: passwords never appear in any output, log or error. Every
# command runs against a URL that carries the password of the test server's
# role ferry_pw (tests/cli/pg-cluster.sh), plainly and percent-encoded,
# plainly, with -v and with --json: when it works, when the password is
# wrong, when a migration fails and when the lock is held. All that any of
# them prints is searched for the password in both spellings.
#
# To cover a new command, add a line to `commands` below.

PW=s3cret-pw
BAD=wr0ng-pw
HOST=$(db_sql "SELECT host(inet_server_addr())")
PORT=$(db_sql "SELECT inet_server_port()")
DB=$(db_sql "SELECT current_database()")
GOOD_URL="postgres://ferry_pw:$PW@$HOST:$PORT/$DB?sslmode=disable"
ENC_URL="postgres://ferry_pw:s3cret%2Dpw@$HOST:$PORT/$DB?sslmode=disable"
BAD_URL="postgres://ferry_pw:$BAD@$HOST:$PORT/$DB?sslmode=disable"

# Every command and the arguments it runs with here, one a line, in an
# order that gives each something to do. Commands written by others in
# parallel (validate, repair, stamp, backup, restore) are in the list
# already: whatever they print is searched as soon as they exist.
commands() {
	cat <<-\EOF
	status
	list
	plan
	check --release 1.0
	up
	finish
	history
	validate
	rollback --yes
	migrate
	down --steps 1 --yes
	up
	release 9.9
	stamp 1
	repair --yes
	backup -o backup.dump
	restore backup.dump --yes
	reset --yes
	bootstrap
	EOF
}

# run_all TAG URL: every command, plainly, with -v and with --json, its
# exit code, stdout and stderr in TAG.N.{rc,out,err}.
run_all() {
	_tag=$1
	_url=$2
	_n=0
	commands | while read -r _cmd
	do
		for _flags in "" "-v" "--json"
		do
			_n=$((_n + 1))
			# shellcheck disable=SC2086 # the arguments split on purpose
			"$FERRY" -d "$_url" $_flags $_cmd </dev/null \
				>$_tag.$_n.out 2>$_tag.$_n.err
			echo $? >$_tag.$_n.rc
			echo "$_cmd $_flags" >$_tag.$_n.cmd
		done
	done
}

# no_password TAG: no output of TAG's runs holds a password, plain or
# percent-encoded; none crashed; each said something.
no_password() {
	for _rc in $1.*.rc
	do
		_b=${_rc%.rc}
		if test "$(cat $_rc)" -ge 128
		then
			echo "'$(cat $_b.cmd)' died: exit $(cat $_rc)" >&2
			return 1
		fi
		if ! test -s $_b.out && ! test -s $_b.err
		then
			echo "'$(cat $_b.cmd)' printed nothing" >&2
			return 1
		fi
		if grep -i -F -e "$PW" -e "$BAD" -e "s3cret%2Dpw" -e "wr0ng%2Dpw" $_b.out $_b.err
		then
			echo "a password in the output of '$(cat $_b.cmd)'" >&2
			return 1
		fi
	done
}

test_expect_success 'setup: a migration set over two releases' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE first (id integer PRIMARY KEY);
	-- ferry:finish
	CREATE TABLE first_done (id integer);
	-- ferry:down
	DROP TABLE first;
	EOF
	cat >migrations/2_second.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE second (id integer);
	-- ferry:down
	DROP TABLE second;
	EOF
	printf "1.0 1\n2.0 2\n" >migrations/releases
'

test_expect_success 'every command, working: no password in any output' '
	run_all good "$GOOD_URL" &&
	no_password good &&
	test "$(cat good.13.rc)" = 0 &&
	grep "^applied 2 migrations" good.13.out
'

test_expect_success 'the same with the password percent-encoded in the URL' '
	ferry -q -d "$GOOD_URL" reset --yes </dev/null &&
	run_all enc "$ENC_URL" &&
	no_password enc &&
	grep "^applied 2 migrations" enc.13.out
'

test_expect_success 'every command, with a wrong password: no password in any output' '
	run_all bad "$BAD_URL" &&
	no_password bad &&
	grep -l "password authentication failed" bad.*.err >failed &&
	test $(wc -l <failed) -gt 20
'

test_expect_success 'a failing migration: no password in what up, status and history say' '
	ferry -q -d "$GOOD_URL" reset --yes </dev/null &&
	cat >migrations/3_broken.sql <<-EOF &&
	CREATE TABLE third (id integer);
	SELECT '"'"'$PW'"'"'::integer FROM third;
	EOF
	run_all broken "$GOOD_URL" &&
	no_password broken &&
	grep -l "^ferry: error: migration .3_broken. failed" broken.*.err &&
	grep -l "invalid input syntax for type integer: \"\*\*\*\*\"" broken.*.err &&
	rm migrations/3_broken.sql
'

# A runner that holds the lock in a long migration.

trap 'test -f "$TRASH/holder.pid" && kill -9 "$(cat "$TRASH/holder.pid")" 2>/dev/null' EXIT

test_expect_success 'the lock held: no password in the waits, the timeouts and the holder shown' '
	ferry -q -d "$GOOD_URL" reset --yes </dev/null &&
	echo "SELECT pg_sleep(60);" >migrations/3_slow.sql &&
	{ "$FERRY" -d "$GOOD_URL" -v up >holder.out 2>holder.err & } &&
	echo $! >holder.pid &&
	wait_for 30 grep -q "^up     3_slow \.\.\. " holder.out &&
	FERRY_LOCK_TIMEOUT=0 run_all locked "$ENC_URL" &&
	kill -9 "$(cat holder.pid)" &&
	{ wait "$(cat holder.pid)" || :; } &&
	rm holder.pid migrations/3_slow.sql &&
	no_password locked &&
	cp holder.out locked.holder.out && cp holder.err locked.holder.err &&
	! grep -F -e "$PW" holder.out holder.err &&
	grep -l "^ferry: error: another ferry is working on database" locked.*.err >waited &&
	test $(wc -l <waited) -gt 10 &&
	grep -l "^lock  *held by pid" locked.*.out
'

test_done
