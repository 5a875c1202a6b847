#!/bin/sh
test_description='SQLite database files ferry must not change: read-only, missing directory, not a database'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# Every file of the trash directory but our own scratch files and the set
# cache in $HOME/.cache (written once the files are two seconds old), with
# its mode and content: nothing may appear, vanish or change.
files_state() {
	for f in $(ls -A | grep -v -e '^out$' -e '^err$' -e '^expect$' -e '^actual$' \
		-e '^state\.' -e '^\.test-output$' -e '^\.cache$' | sort)
	do
		if test -d "$f"
		then
			echo "$f/"
		else
			echo "$f $(stat -c %a "$f") $(cksum <"$f")"
		fi || return 1
	done
}

# fails_cleanly CODE CMD...: CMD exits CODE, prints nothing on stdout and
# exactly ./expect on stderr, and changes no file here.
fails_cleanly() {
	_code=$1
	shift
	files_state >state.before &&
	test_expect_code "$_code" "$@" >out 2>err &&
	files_state >state.after &&
	test_must_be_empty out &&
	test_cmp expect err &&
	test_cmp state.before state.after
}

test_expect_success 'setup: one migration applied, one pending' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY);
	EOF
	ferry -d "$DB_URL" up >out &&
	cat >migrations/2_second.sql <<-\EOF
	CREATE TABLE second (id integer PRIMARY KEY);
	EOF
'

# 0444, in a directory the user cannot write either (as root, every file
# is writable, so the test runs as nobody).
test_expect_success 'a read-only database: up refuses with exit 1' '
	chmod 444 test.db &&
	cat >expect <<-EOF &&
	ferry: error: database '"'"'$DB_SHOWN'"'"' is read-only
	hint: ferry needs write access to the database file and its directory
	EOF
	fails_cleanly 1 as_nobody "$FERRY" -d "$DB_URL" up &&
	test_path_is_missing test.db-ferry.lock
'

test_expect_success 'a read-only database can still be read' '
	as_nobody "$FERRY" -d "$DB_URL" status >out 2>err &&
	test_must_be_empty err &&
	grep "^migrations  1 complete, 1 pending\$" out &&
	as_nobody "$FERRY" -d "$DB_URL" list >out 2>err &&
	test_must_be_empty err &&
	as_nobody "$FERRY" -d "$DB_URL" history >out 2>err &&
	test_must_be_empty err &&
	chmod 644 test.db
'

test_expect_success 'a database in a missing directory: nothing is created' '
	cat >expect <<-\EOF &&
	ferry: error: the directory of database '"'"'nowhere/app.db'"'"' does not exist
	hint: create the directory first, or check the database path
	EOF
	fails_cleanly 2 ferry -d sqlite:nowhere/app.db up &&
	fails_cleanly 2 ferry -d nowhere/app.db up &&
	test_path_is_missing nowhere
'

test_expect_success 'reading a database that does not exist yet creates nothing' '
	files_state >state.before &&
	ferry -d sqlite:nowhere/app.db status >out 2>err &&
	test_must_be_empty err &&
	head -n 1 out >actual &&
	grep "^database    sqlite:nowhere/app.db (sqlite [0-9.]*), not created yet\$" actual &&
	ferry -d sqlite:fresh.db list >out 2>err &&
	test_must_be_empty err &&
	ferry -d sqlite:fresh.db history >out 2>err &&
	test_must_be_empty err &&
	files_state >state.after &&
	test_cmp state.before state.after
'

test_expect_success 'a file of random bytes is not a database' '
	head -c 8192 /dev/urandom >junk.db &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'junk.db'"'"' is not a SQLite database
	hint: check the database path; ferry does not change a file it cannot read as a database
	EOF
	fails_cleanly 2 ferry -d sqlite:junk.db up &&
	fails_cleanly 2 ferry -d sqlite:junk.db status &&
	test_path_is_missing junk.db-ferry.lock
'

test_expect_success 'a text file is not a database' '
	cat >notes.db <<-\EOF &&
	These are my notes; ferry, keep out.
	EOF
	cat >expect <<-\EOF &&
	ferry: error: '"'"'notes.db'"'"' is not a SQLite database
	hint: check the database path; ferry does not change a file it cannot read as a database
	EOF
	fails_cleanly 2 ferry -d notes.db up &&
	fails_cleanly 2 ferry -d notes.db list
'

test_expect_success 'a directory is not a database' '
	mkdir dir.db &&
	test_expect_code 2 ferry -d dir.db up >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	grep "^ferry: error: .*dir.db" actual &&
	test_line_count -le 3 err
'

test_expect_success 'the real database was never touched, and still works' '
	cat >expect <<-\EOF &&
	up     2_second ... ok (N ms)
	applied 1 migration; database at 2
	EOF
	ferry -d "$DB_URL" up >out &&
	normalize <out >actual &&
	test_cmp expect actual
'

test_done
