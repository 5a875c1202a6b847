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

# Issue 12: URLs libpq cannot parse, or reads otherwise than the user
# meant. libpq's message quotes the whole URI, a token of it or a piece,
# password and all; ferry masks every piece of the URL that holds part of
# the password, in libpq's words and its own. s3cret-pw is split by a
# raw '@', '/' or '&', or carries a bad escape.
malformed_urls() {
	cat <<-EOF
	postgres://ferry_pw:$PW@[$HOST/$DB
	postgres://ferry_pw:s3cret%ZZ-pw@$HOST:$PORT/$DB
	postgres://ferry_pw:s3cret@-pw@$HOST:$PORT/$DB
	postgres://ferry_pw:s3cret/-pw@$HOST:$PORT/$DB
	postgres://ferry_pw@$HOST:$PORT/$DB?sslmode=disable&password=s3cret&-pw
	host=$HOST port=$PORT dbname=$DB user=ferry_pw password $PW
	host=$HOST port=$PORT dbname=$DB user=ferry_pw password=s3cret -pw
	postgresql:/ferry_pw:$PW@$HOST:$PORT/$DB
	EOF
}

test_expect_success 'malformed URLs, every command: no piece of the password in any output' '
	printf "1.0 1\n2.0 2\n" >migrations/releases &&
	ls migrations >actual &&
	printf "1_first.sql\n2_second.sql\nreleases\n" >expect &&
	test_cmp expect actual &&
	malformed_urls >cases &&
	i=0 &&
	while read -r u
	do
		i=$((i + 1)) &&
		run_all mal$i "$u" &&
		no_password mal$i &&
		if grep -F -e s3cret -e "-pw" mal$i.*.out mal$i.*.err
		then
			echo "a piece of the password in the output for $u" >&2
			return 1
		fi || return 1
	done <cases &&
	test $i = 8
'

test_expect_success 'malformed URLs: what libpq says, the password masked' '
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database '"'"'postgres://ferry_pw:****@[$HOST/$DB'"'"'
	end of string reached when looking for matching "]" in IPv6 host address in URI: "postgres://ferry_pw:****@[$HOST/$DB"
	EOF
	test_cmp expect mal1.1.err &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database '"'"'postgres://ferry_pw:****@$HOST:$PORT/$DB'"'"'
	invalid percent-encoded token: "****"
	EOF
	test_cmp expect mal2.1.err &&
	head -n 2 mal3.1.err >actual &&
	sed "s/ to address: .*//" actual >actual.short &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database '"'"'postgres://ferry_pw:****@$HOST:$PORT/$DB'"'"'
	could not translate host name "****@$HOST"
	EOF
	test_cmp expect actual.short &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database '"'"'postgres://ferry_pw:****@$HOST:$PORT/$DB'"'"'
	invalid integer value "****" for connection option "port"
	EOF
	test_cmp expect mal4.1.err &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database '"'"'postgres://ferry_pw@$HOST:$PORT/$DB?sslmode=disable&password=****'"'"'
	missing key/value separator "=" in URI query parameter: "****"
	EOF
	test_cmp expect mal5.1.err &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database '"'"'host=$HOST port=$PORT dbname=$DB user=ferry_pw password ****'"'"'
	missing "=" after "password" in connection info string
	EOF
	test_cmp expect mal6.1.err &&
	cat >expect <<-EOF &&
	ferry: error: cannot connect to database '"'"'host=$HOST port=$PORT dbname=$DB user=ferry_pw password=****'"'"'
	missing "=" after "****" in connection info string
	EOF
	test_cmp expect mal7.1.err &&
	cat >expect <<-EOF &&
	ferry: error: invalid PostgreSQL URL '"'"'postgresql:/ferry_pw:****@$HOST:$PORT/$DB'"'"'
	hint: did you mean '"'"'postgresql://'"'"'?
	EOF
	test_cmp expect mal8.1.err
'

# A runner that holds the lock in a long migration.

trap 'test -f "$TRASH/holder.pid" && kill -9 "$(cat "$TRASH/holder.pid")" 2>/dev/null' EXIT

test_expect_success 'the lock held: no password in the waits, the timeouts and the holder shown' '
	ferry -q -d "$GOOD_URL" reset --yes </dev/null &&
	echo "SELECT pg_sleep(600);" >migrations/3_slow.sql &&
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
