#!/bin/sh
test_description='a database password never appears in any output; it is shown as ****'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 2: passwords never appear in any output, log or error; they
# are masked as ****. Nothing listens on port 1, so every command fails to
# connect (or, in a ferry built without PostgreSQL, to open the URL at
# all); whatever it says must not contain the password, and when it names
# the database, it names it masked.

PW=s3cret
URL="postgres://app:$PW@127.0.0.1:1/appdb"
MASKED="postgres://app:****@127.0.0.1:1/appdb"

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF
	CREATE TABLE first (id integer PRIMARY KEY);
	EOF
'

# try NAME CMD...: run CMD, keep its exit code, stdout and stderr under NAME.
try() {
	_n=$1
	shift
	"$@" >$_n.out 2>$_n.err
	echo $? >$_n.rc
}

test_expect_success 'status, list, up and history fail without the password in their words' '
	try status ferry -d "$URL" status &&
	try list ferry -d "$URL" list &&
	try up ferry -d "$URL" up &&
	try history ferry -d "$URL" history &&
	try status-json ferry -d "$URL" status --json &&
	try list-json ferry -d "$URL" list --json &&
	try up-json ferry -d "$URL" up --json &&
	try up-verbose ferry -d "$URL" -v up &&
	try env-status env DATABASE_URL="$URL" "$FERRY" status &&
	for n in status list up history status-json list-json up-json up-verbose env-status
	do
		test "$(cat $n.rc)" != 0 &&
		test "$(cat $n.rc)" -lt 128 &&
		test -s $n.err &&
		! grep -F "$PW" $n.out $n.err ||
		{ echo "$n: exit $(cat $n.rc)"; cat $n.out $n.err; return 1; }
	done
'

test_expect_success 'the password comes from ferry.conf: not shown either' '
	echo "database = $URL" >ferry.conf &&
	try conf-status ferry status &&
	try conf-up ferry up &&
	rm ferry.conf &&
	for n in conf-status conf-up
	do
		test "$(cat $n.rc)" != 0 &&
		! grep -F "$PW" $n.out $n.err ||
		{ echo "$n: exit $(cat $n.rc)"; cat $n.out $n.err; return 1; }
	done
'

test_expect_success 'a keyword connection string: password not shown' '
	try kw-status ferry -d "host=127.0.0.1 port=1 dbname=appdb user=app password=$PW" status &&
	try kw-up ferry -d "host=127.0.0.1 port=1 dbname=appdb user=app password='"'"'$PW'"'"'" up &&
	for n in kw-status kw-up
	do
		test "$(cat $n.rc)" != 0 &&
		! grep -F "$PW" $n.out $n.err ||
		{ echo "$n: exit $(cat $n.rc)"; cat $n.out $n.err; return 1; }
	done
'

test_expect_success 'a password in the query string: not shown' '
	try q-status ferry -d "postgresql://app@127.0.0.1:1/appdb?password=$PW&connect_timeout=2" status &&
	test "$(cat q-status.rc)" != 0 &&
	! grep -F "$PW" q-status.out q-status.err
'

test_expect_success 'a URL with an unknown scheme: password not shown' '
	try mysql ferry -d "mysql://app:$PW@127.0.0.1:1/appdb" up &&
	echo 2 >expect &&
	test_cmp expect mysql.rc &&
	! grep -F "$PW" mysql.out mysql.err
'

# Issue 12: URLs libpq cannot parse, or reads otherwise than the user
# meant, used to show the password: in libpq's message (which quotes the
# whole URI, a token such as "pw%ZZXq7", or a piece such as "Xq7b@host")
# or in ferry's own. Each line: the URL, then the pieces of its password
# that must show nowhere.
malformed() {
	cat <<-\EOF
	postgres://app:pw-Xq7@[::1/appdb|pw-Xq7
	postgres://app:pw-Xq7@[]/appdb|pw-Xq7
	postgres://app:pw-Xq7@[::1]x/appdb|pw-Xq7
	postgres://app:pw%ZZXq7@127.0.0.1:1/appdb|ZZXq7|pw%ZZ
	postgres://app:pwS%00Xq7@127.0.0.1:1/appdb|pwS|Xq7
	postgres://app:pwA@Xq7b@127.0.0.1:1/appdb|pwA|Xq7b
	postgres://app:pwA/Xq7b@127.0.0.1:1/appdb|pwA|Xq7b
	postgres://app@127.0.0.1:1/appdb?password=pwA&Xq7b|pwA|Xq7b
	host=127.0.0.1 port=1 dbname=appdb password pwAXq7b|pwAXq7b
	host=127.0.0.1 port=1 dbname=appdb password=pwA Xq7b|pwA|Xq7b
	postgresql:/app:pwAXq7b@127.0.0.1:1/appdb|pwAXq7b
	postgres:app:pwAXq7b@127.0.0.1|pwAXq7b
	postgress://app:pwAXq7b@127.0.0.1:1/appdb|pwAXq7b
	app:pwAXq7b@127.0.0.1/appdb|pwAXq7b
	password pwAXq7b host=127.0.0.1|pwAXq7b
	EOF
}

test_expect_success 'malformed URLs: no piece of the password in any output' '
	malformed >cases &&
	i=0 &&
	while IFS="|" read -r u p1 p2
	do
		i=$((i + 1)) &&
		try m$i.status ferry -d "$u" status &&
		try m$i.up ferry -d "$u" -v up &&
		try m$i.json ferry -d "$u" status --json &&
		for n in m$i.status m$i.up m$i.json
		do
			test "$(cat $n.rc)" != 0 &&
			test "$(cat $n.rc)" -lt 128 &&
			test -s $n.err &&
			! grep -F -e "$p1" -e "${p2:-$p1}" $n.out $n.err ||
			{ echo "$u: exit $(cat $n.rc)"; cat $n.out $n.err; return 1; }
		done || return 1
	done <cases &&
	test $i = 15
'

test_expect_success 'malformed URLs ferry reads itself: exit 2, the URL masked' '
	cat >expect <<-\EOF &&
	ferry: error: invalid PostgreSQL URL '"'"'postgresql:/app:****@127.0.0.1:1/appdb'"'"'
	hint: did you mean '"'"'postgresql://'"'"'?
	EOF
	test_cmp expect m11.status.err &&
	test_cmp expect m11.up.err &&
	cat >expect <<-\EOF &&
	ferry: error: invalid PostgreSQL URL '"'"'postgres:app:****@127.0.0.1'"'"'
	hint: did you mean '"'"'postgres://'"'"'?
	EOF
	test_cmp expect m12.status.err &&
	cat >expect <<-\EOF &&
	ferry: error: unsupported database URL scheme '"'"'postgress'"'"'
	hint: did you mean '"'"'postgres://'"'"'?
	EOF
	test_cmp expect m13.status.err &&
	cat >expect <<-\EOF &&
	ferry: error: unsupported database URL scheme '"'"'app'"'"'
	hint: use '"'"'sqlite:PATH'"'"', a path ending in '"'"'.db'"'"', '"'"'postgres://user@host/dbname'"'"' or '"'"'host=... dbname=...'"'"'
	EOF
	test_cmp expect m14.status.err &&
	cat >expect <<-\EOF &&
	ferry: error: cannot tell which database '"'"'password **** host=127.0.0.1'"'"' is
	hint: use '"'"'sqlite:PATH'"'"', a path ending in '"'"'.db'"'"', '"'"'postgres://user@host/dbname'"'"' or '"'"'host=... dbname=...'"'"'
	EOF
	test_cmp expect m15.status.err &&
	for n in 11 12 13 14 15
	do
		echo 2 >expect &&
		test_cmp expect m$n.status.rc || return 1
	done
'

# The error of a database that cannot be reached names it, as every error
# names what failed; it names it with the password masked.
test_expect_success 'the error names the database, masked' '
	for n in status list up history
	do
		grep -F "'"'"'$MASKED'"'"'" $n.err ||
		{ echo "$n does not name $MASKED:"; cat $n.err; return 1; }
	done &&
	grep -F "password=****" kw-status.err &&
	grep -F "password=****" q-status.err
'

test_done
