#!/bin/sh
test_description='the SQLite runner lock: a byte of the database file SQLite never locks'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# The SQLite runner lock (src/lib/lock.c): an open-file-description lock on
# one byte of the database file that SQLite never locks, which the kernel
# frees when the process dies; the holder leaves its "pid N, user@host,
# since TIME" in a note, <db>-ferry.lock. It never locks the database for
# SQLite, so the application keeps reading and writing while ferry is not
# inside a migration's transaction.

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

# succeeds CMD...: CMD exits 0 with nothing on stderr; its stdout in out.
succeeds() {
	"$@" >out 2>err
	_rc=$?
	if [ $_rc != 0 ] || [ -s err ]; then
		echo "'$*' exited $_rc, stderr:" >&2
		cat err >&2
		return 1
	fi
}

gone() {
	! kill -0 "$1" 2>/dev/null ||
	grep -q "^$1 (.*) Z" /proc/$1/stat 2>/dev/null
}

progress_shown() {
	grep -q "^up     $1 \.\.\. " runner.out
}

bigger_than() {
	test "$(wc -c <test.db)" -gt "$1"
}

# A background 'ferry up', its pid in runner.pid.
start_runner() {
	"$FERRY" -d "$DB_URL" up >runner.out 2>runner.err &
	echo $! >runner.pid
}

norm_runner() {
	sed -e "s/pid $(cat runner.pid),/pid RUNNER,/g" | normalize
}

# An application's connection that we drive line by line: app_start opens
# it, app SQL sends SQL, app_stop closes it.
app_start() {
	mkfifo app.in &&
	{ sqlite3 -batch test.db <app.in >app.out 2>app.err & echo $! >app.pid; } &&
	exec 9>app.in
}

app() {
	echo "$1" >&9
}

app_stop() {
	exec 9>&-
	wait_for 10 gone "$(cat app.pid)" &&
	rm -f app.pid app.in
}

trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done' EXIT

test_expect_success 'setup' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY, note text);
	EOF
	ferry -d "$DB_URL" up >out &&
	test_path_is_missing test.db-ferry.lock
'

# The application holds the database's write lock; ferry takes its runner
# lock anyway and waits for the database inside the migration. Meanwhile
# the application's writes go on and commit: the runner lock is not a lock
# on the database.
test_expect_success 'the application writes while ferry holds the runner lock' '
	cat >migrations/2_second.sql <<-\EOF &&
	CREATE TABLE second (id integer PRIMARY KEY);
	INSERT INTO second SELECT id FROM first;
	EOF
	app_start &&
	app ".timeout 10000" &&
	app "BEGIN IMMEDIATE;" &&
	app "INSERT INTO first VALUES (1, '"'"'app'"'"');" &&
	app "SELECT '"'"'in transaction'"'"';" &&
	wait_for 10 grep -q "in transaction" app.out &&
	start_runner &&
	wait_for 10 progress_shown 2_second &&
	echo "pid $(cat runner.pid), USER@HOST, since TIME" >expect &&
	normalize <test.db-ferry.lock | sed "s/pid PID,/pid $(cat runner.pid),/" >actual &&
	test_cmp expect actual &&
	app "INSERT INTO first VALUES (2, '"'"'app'"'"');" &&
	app "COMMIT;" &&
	app "INSERT INTO first VALUES (3, '"'"'app, after'"'"');" &&
	app_stop &&
	wait "$(cat runner.pid)" &&
	rm runner.pid &&
	test_must_be_empty app.err &&
	cat >expect <<-\EOF &&
	up     2_second ... ok (N ms)
	applied 1 migration; database at 2
	EOF
	normalize <runner.out >actual &&
	test_cmp expect actual &&
	test_must_be_empty runner.err &&
	cat >expect <<-\EOF &&
	1|app
	2|app
	3|app, after
	EOF
	db_sql "SELECT id, note FROM first ORDER BY id" >actual &&
	test_cmp expect actual &&
	test_path_is_missing test.db-ferry.lock
'

# A migration that has written more than SQLite's page cache holds takes
# the database's exclusive lock until it ends: then nothing can read it,
# and status says who is working instead of hanging.
test_expect_success 'setup: a migration holds the database write lock' '
	cat >migrations/3_third.sql <<-\EOF &&
	CREATE TABLE third (id integer PRIMARY KEY, pad text NOT NULL);
	WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 100000)
	INSERT INTO third SELECT i, '"'"'padding, padding, padding, padding'"'"' FROM r;
	WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 400000000)
	SELECT count(*) FROM r;
	EOF
	size=$(wc -c <test.db) &&
	start_runner &&
	wait_for 10 progress_shown 3_third &&
	wait_for 10 bigger_than $size
'

test_expect_success 'status answers at once from the runner lock: exit 0' '
	t0=$(date +%s%N) &&
	succeeds ferry -d "$DB_URL" status &&
	t1=$(date +%s%N) &&
	cat >expect <<-EOF &&
	database    $DB_SHOWN (ENGINE VERSION)
	version     unknown while a migration writes; newest file 3
	migrations  a migration is being applied: the ledger can be read once its transaction commits
	lock        held by pid RUNNER, USER@HOST, since TIME
	EOF
	norm_runner <out | normalize_engine >actual &&
	test_cmp expect actual &&
	took=$(((t1 - t0) / 1000000)) &&
	echo "status took $took ms" &&
	test $took -lt 10000 &&
	succeeds ferry -d "$DB_URL" status --json &&
	test_json out ".busy == true" ".lock.held == true" ".head == \"3\""
'

test_expect_success 'list, history and a second up wait, saying for whom, then give up: exit 4' '
	test_expect_code 4 ferry -d "$DB_URL" list --lock-timeout 2 >out 2>err &&
	cat >expect <<-EOF &&
	ferry: waiting for database '"'"'$DB_SHOWN'"'"': a migration of pid RUNNER, USER@HOST, since TIME is writing to it
	ferry: error: database '"'"'$DB_SHOWN'"'"' is busy: a migration is writing to it
	hint: run '"'"'ferry list'"'"' again when it is done, or wait longer with --lock-timeout
	EOF
	norm_runner <err >actual &&
	test_cmp expect actual &&
	test_expect_code 4 ferry -d "$DB_URL" history --lock-timeout 2 >out 2>err &&
	norm_runner <err >actual &&
	head -1 expect >expect.1 &&
	head -1 actual >actual.1 &&
	test_cmp expect.1 actual.1 &&
	test_expect_code 4 ferry -d "$DB_URL" up --lock-timeout 2 >out 2>err &&
	norm_runner <err >actual &&
	head -1 actual >actual.1 &&
	test_cmp expect.1 actual.1
'

test_expect_success 'kill -9 leaves the holder'"'"'s note, but not the lock' '
	pid=$(cat runner.pid) &&
	kill -9 $pid &&
	wait_for 10 gone $pid &&
	test_path_is_file test.db-journal &&
	echo "pid $pid, USER@HOST, since TIME" >expect &&
	normalize <test.db-ferry.lock | sed "s/pid PID,/pid $pid,/" >actual &&
	test_cmp expect actual
'

# The killed run left a hot journal. The read-only commands are what an
# operator runs first after a crash: they must work, and show nothing of
# the killed migration.
test_expect_success 'status after the crash: migration pending, lock free' '
	succeeds ferry -d "$DB_URL" status &&
	sed 1d out | normalize >actual &&
	cat >expect <<-\EOF &&
	release     none finished
	version     at 2; newest file 3
	migrations  2 complete, 1 pending
	drift       none
	lock        free
	last action up 2 by USER@HOST at TIME

	STATE    VERSION  NAME   RELEASE
	pending  3        third  -
	EOF
	test_cmp expect actual
'

test_expect_success 'list and history after the crash' '
	succeeds ferry -d "$DB_URL" list &&
	grep "^3  *third  *-  *pending" out &&
	succeeds ferry -d "$DB_URL" history &&
	test_line_count = 3 out
'

test_expect_success 'a new ferry takes the lock at once and finishes' '
	cat >migrations/3_third.sql <<-\EOF &&
	CREATE TABLE third (id integer PRIMARY KEY, pad text NOT NULL);
	EOF
	succeeds ferry -d "$DB_URL" up --lock-timeout 0 &&
	cat >expect <<-\EOF &&
	up     3_third ... ok (N ms)
	applied 1 migration; database at 3
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	test_path_is_missing test.db-ferry.lock &&
	test_path_is_missing test.db-journal &&
	rm runner.pid &&
	echo "0" >expect &&
	db_sql "SELECT count(*) FROM third" >actual &&
	test_cmp expect actual
'

test_expect_success 'status, list and history take no lock and leave no file' '
	ls -a | grep "^test\.db" >before &&
	db_snapshot db.before &&
	ferry -d "$DB_URL" status >out &&
	ferry -d "$DB_URL" list >out &&
	ferry -d "$DB_URL" history >out &&
	db_snapshot db.after &&
	ls -a | grep "^test\.db" >after &&
	test_cmp before after &&
	test_cmp db.before db.after
'

# The same database reached through a symlink is the same database: its
# runners must share one lock, or a migration runs twice.
test_expect_success 'setup: a runner works on the database through its real path' '
	ln -s test.db link.db &&
	cat >migrations/4_fourth.sql <<-\EOF &&
	INSERT INTO first (note) VALUES ('"'"'once'"'"');
	WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 15000000)
	SELECT count(*) FROM r;
	EOF
	start_runner &&
	wait_for 10 progress_shown 4_fourth
'

test_expect_success 'through a symlink, a second runner waits for it and gives up' '
	test_expect_code 4 ferry -d sqlite:link.db up --lock-timeout 1 >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: waiting for the lock on '"'"'sqlite:link.db'"'"', held by pid RUNNER, USER@HOST, since TIME
	ferry: error: another ferry is working on database '"'"'sqlite:link.db'"'"'
	the lock is held by pid RUNNER, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	norm_runner <err >actual &&
	test_cmp expect actual
'

test_expect_success 'through a symlink, status shows the runner' '
	succeeds ferry -d sqlite:link.db status &&
	grep "^lock " out &&
	grep "^lock        held by pid $(cat runner.pid), " out
'

test_expect_success 'through a symlink, a waiter finds the work done: applied once' '
	ferry -d sqlite:link.db up --lock-timeout 60 >out 2>err
	echo $? >rc &&
	wait "$(cat runner.pid)" &&
	cat out err &&
	echo 0 >expect &&
	test_cmp expect rc &&
	echo "nothing to do: another ferry applied the migrations while this one waited" >expect &&
	test_cmp expect out &&
	echo "ferry: waiting for the lock on '"'"'sqlite:link.db'"'"', held by pid RUNNER, USER@HOST, since TIME" >expect &&
	norm_runner <err >actual &&
	test_cmp expect actual &&
	echo "1" >expect &&
	db_sql "SELECT count(*) FROM first WHERE note = '"'"'once'"'"'" >actual &&
	test_cmp expect actual &&
	echo "up|4|1" >expect &&
	db_sql "SELECT action, version, count(*) FROM ferry_history WHERE version = 4 GROUP BY action, version" >actual &&
	test_cmp expect actual &&
	rm runner.pid
'

test_done
