#!/bin/sh
test_description='the SQLite runner lock is the database file itself, not a name'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# The runner lock (src/lib/lock.c) is an open-file-description lock on one
# byte of the database file, so every name of the file (hard links,
# symbolic links, relative and absolute paths) meets on one lock, and
# there is no lock file to delete or to plant. The holder's note,
# <db>-ferry.lock, only says who it is, and is written by rename.

# A background 'ferry up' on URL $1, its pid in runner.pid.
start_runner() {
	"$FERRY" -d "$1" up >runner.out 2>runner.err &
	echo $! >runner.pid
}

in_slow() {
	grep -q "^up     2_slow \.\.\. " runner.out
}

# Migration 2 pending again, the balance as before it.
pending_again() {
	sqlite3 test.db "DELETE FROM ferry_migrations WHERE version = 2; UPDATE accounts SET balance = 100"
}

# bg NAME URL: 'ferry up' on URL in the background, pid in NAME.pid.
bg() {
	"$FERRY" -d "$2" up >"$1.out" 2>"$1.err" &
	echo $! >"$1.pid"
}

balance_is() {
	test "$(sqlite3 test.db "SELECT balance FROM accounts")" = "$1"
}

test_expect_success 'setup: a quick migration, then a slow one' '
	mkdir migrations &&
	echo "CREATE TABLE accounts (id integer PRIMARY KEY, balance integer); INSERT INTO accounts VALUES (1, 100);" \
		>migrations/1_accounts.sql &&
	{ slow_sql 3 && echo "UPDATE accounts SET balance = balance + 50;"; } \
		>migrations/2_slow.sql &&
	ferry -d sqlite:test.db up --to 1 >out &&
	ln test.db other.db &&
	mkdir elsewhere &&
	ln test.db elsewhere/third.db
'

test_expect_success 'through a hard link, a second runner waits for the first and gives up' '
	start_runner sqlite:test.db &&
	wait_for 10 in_slow &&
	test_expect_code 4 ferry -d sqlite:other.db up --lock-timeout 1 >out 2>err &&
	grep "^ferry: error: another ferry is working on database .sqlite:other.db.$" err &&
	test_expect_code 4 ferry -d sqlite:elsewhere/third.db up --lock-timeout 1 >out 2>err &&
	grep "^ferry: error: another ferry is working on database" err &&
	wait "$(cat runner.pid)" &&
	balance_is 150
'

test_expect_success 'hard links: runners started together apply it once' '
	pending_again &&
	bg a sqlite:test.db &&
	bg b sqlite:other.db &&
	bg c sqlite:elsewhere/third.db &&
	wait "$(cat a.pid)" && wait "$(cat b.pid)" && wait "$(cat c.pid)" &&
	balance_is 150 &&
	test "$(sqlite3 test.db "SELECT count(*) FROM ferry_history WHERE action = '"'"'up'"'"' AND version = 2 AND success = 1")" = 2
'

test_expect_success 'deleting the note while the holder runs does not free the lock' '
	pending_again &&
	start_runner sqlite:test.db &&
	wait_for 10 in_slow &&
	test_path_is_file test.db-ferry.lock &&
	rm test.db-ferry.lock &&
	test_expect_code 4 ferry -d sqlite:test.db up --lock-timeout 1 >out 2>err &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on '"'"'sqlite:test.db'"'"', held by another process
	ferry: error: another ferry is working on database '"'"'sqlite:test.db'"'"'
	the lock is held by an unknown process
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	test_cmp expect err &&
	wait "$(cat runner.pid)" &&
	balance_is 150
'

test_expect_success 'the note names the holder while it runs, and goes with it' '
	pending_again &&
	start_runner sqlite:test.db &&
	wait_for 10 in_slow &&
	grep "^pid $(cat runner.pid), .*, since " test.db-ferry.lock &&
	ferry -d sqlite:test.db status >out &&
	grep "^lock        held by pid $(cat runner.pid), " out &&
	wait "$(cat runner.pid)" &&
	test_path_is_missing test.db-ferry.lock
'

test_expect_success 'a planted symbolic link as the note: the target is left alone' '
	pending_again &&
	echo "precious" >victim &&
	chmod 600 victim &&
	ln -s victim test.db-ferry.lock &&
	ferry -d sqlite:test.db up >out 2>err &&
	test "$(cat victim)" = precious &&
	test "$(stat -c %a victim)" = 600 &&
	! test -L test.db-ferry.lock
'

test_expect_success 'a planted directory or FIFO as the note does not hang or stop a run' '
	pending_again &&
	rm -f test.db-ferry.lock &&
	mkfifo test.db-ferry.lock &&
	start_runner sqlite:test.db &&
	wait_for 10 in_slow &&
	timeout 10 "$FERRY" -d sqlite:test.db status >out &&
	grep "^lock        held by pid $(cat runner.pid), " out &&
	wait "$(cat runner.pid)" &&
	ferry -d sqlite:test.db status >out &&
	grep "^lock        free$" out
'

test_expect_success 'a FIFO as the database is refused, not opened' '
	mkfifo fifo.db &&
	test_expect_code 2 timeout 10 "$FERRY" -d sqlite:fifo.db status >out 2>err &&
	cat >expect <<-\EOF &&
	ferry: error: database '"'"'sqlite:fifo.db'"'"' is not a regular file
	hint: a SQLite database is a file; check the database path
	EOF
	test_cmp expect err
'

test_expect_success 'a refused run on a new file leaves no file, and no note' '
	printf -- "-- ferry:up\nBEGIN;\nCREATE TABLE x (id integer);\nCOMMIT;\n" >migrations/3_x.sql &&
	test_expect_code 2 ferry -d sqlite:new.db up >out 2>err &&
	test_path_is_missing new.db &&
	test_path_is_missing new.db-journal &&
	test_path_is_missing new.db-ferry.lock &&
	rm migrations/3_x.sql
'

test_done
