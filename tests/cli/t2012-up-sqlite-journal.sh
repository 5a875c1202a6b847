#!/bin/sh
test_description='ferry up on SQLite: four syncs a migration, and the journal mode as it was, even after kill -9'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# Issue 13, part 10. For the length of a run ferry's own connection keeps
# its rollback journal and commits by zeroing its header (PERSIST mode, a
# setting of that connection only, never written to the file), and opens
# a journal already on disk without O_CREAT (src/lib/db_sqlite_vfs.c), so
# a commit costs what sqlite3's does in DELETE mode: four syncs. A WAL
# database is left in WAL mode. Nothing of this may outlive the run, not
# even a kill -9.

trap 'kill -9 $(jobs -p) 2>/dev/null' EXIT

# mkset DIR N [slow]: N migrations, each a table and ten rows; with
# `slow`, every third also writes 20,000 rows, so kills land in them.
mkset() {
	mkdir -p "$1"
	i=1
	while [ $i -le "$2" ]; do
		{
			echo "CREATE TABLE t_$i (id integer PRIMARY KEY, v text);"
			j=1
			while [ $j -le 10 ]; do
				echo "INSERT INTO t_$i VALUES ($j, 'row $j');"
				j=$((j + 1))
			done
			[ -n "${3:-}" ] && [ $((i % 3)) = 0 ] &&
				echo "WITH RECURSIVE r(n) AS (SELECT 11 UNION ALL SELECT n + 1 FROM r WHERE n < 20000) INSERT INTO t_$i SELECT n, 'row ' || n FROM r;"
		} >"$(printf '%s/%03d_t%d.sql' "$1" $i $i)"
		i=$((i + 1))
	done
}

# header_modes FILE: the database header's write and read versions, bytes
# 18 and 19: "1 1" for a rollback journal, "2 2" for WAL. Read from the
# file, before any SQLite opens it.
header_modes() {
	od -An -tu1 -j18 -N2 "$1" | awk '{ print $1, $2 }'
}

# syncs N: the syncs of `ferry up` applying setN (N migrations) to a new
# DELETE-mode database, as "total directory".
# (LeakSanitizer cannot run under ptrace: `make asan` goes without it here.)
syncs() {
	rm -f s.db s.db-journal &&
	sqlite3 s.db "PRAGMA user_version = 1" &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -y -qq -o strace.$1 \
		-e trace=fsync,fdatasync,sync_file_range,msync \
		"$FERRY" -q --dir set$1 -d sqlite:s.db up &&
	echo "$(grep -c . strace.$1) $(grep -c "<$(pwd -P)>" strace.$1 || :)"
}

test_expect_success 'setup' '
	mkset set10 10 &&
	mkset set20 20 &&
	mkset migrations 30 slow
'

test_expect_success 'up on a DELETE database leaves it so, with no journal' '
	ferry -q -d "$DB_URL" up &&
	echo "1 1" >expect &&
	header_modes test.db >actual &&
	test_cmp expect actual &&
	echo delete >expect &&
	db_sql "PRAGMA journal_mode" >actual &&
	test_cmp expect actual &&
	test_path_is_missing test.db-journal &&
	test_path_is_missing test.db-wal
'

# The difference between 20 migrations and 10 leaves the ledger's creation
# out. Four a migration: the journal before and after its record count,
# the database, the journal's zeroed header (the commit); the directory is
# synced once, when the journal is made.
test_expect_success 'a migration costs four syncs, and no directory sync' '
	ten=$(syncs 10) &&
	twenty=$(syncs 20) &&
	echo "10 migrations: $ten; 20 migrations: $twenty" &&
	set -- $ten $twenty &&
	test $(($3 - $1)) -le 40 &&
	test $(($3 - $1)) -ge 30 &&
	test $4 = $2
'

test_expect_success 'a WAL database stays WAL' '
	rm -f w.db &&
	echo wal >expect &&
	sqlite3 w.db "PRAGMA journal_mode = WAL" >actual &&
	test_cmp expect actual &&
	ferry -q --dir set10 -d sqlite:w.db up &&
	echo "2 2" >expect &&
	header_modes w.db >actual &&
	test_cmp expect actual &&
	echo wal >expect &&
	sqlite3 w.db "PRAGMA journal_mode" >actual &&
	test_cmp expect actual
'

# kill_run URL US: start `ferry up`, kill -9 it after US microseconds;
# "killed" if it was.
kill_run() {
	"$FERRY" -q -d "$1" up --lock-timeout 0 >killed.out 2>killed.err &
	pid=$!
	sleep "$(printf '%d.%06d' $(($2 / 1000000)) $(($2 % 1000000)))"
	kill -9 $pid 2>/dev/null
	{ wait $pid; } 2>/dev/null
	test $? = 137 && echo killed
	:
}

# For each mode, kills spread over a clean run's time, ten or
# FERRY_FAULT_TRIALS if fewer (`make valgrind` runs five), each on a fresh
# database so that every kill cuts a run from its start. After each: what
# the header says before any SQLite opens the file, what a new connection
# says; then the application writes (rolling back a hot journal if the kill
# left one) and leaves no journal, and ferry finishes.
trials=${FERRY_FAULT_TRIALS:-10}
test "$trials" -le 10 || trials=10
for mode in delete wal
do
	case $mode in delete) hdr="1 1" ;; wal) hdr="2 2" ;; esac
	test_expect_success "$mode: a clean run of the slow set, timed" '
		rm -f k.db k.db-journal k.db-wal k.db-shm &&
		sqlite3 k.db "PRAGMA user_version = 1; PRAGMA journal_mode = $mode" >/dev/null &&
		t0=$(date +%s%N) &&
		ferry -q -d sqlite:k.db up &&
		echo $((($(date +%s%N) - t0) / 1000)) >run.us &&
		echo "a whole run takes $(cat run.us) us" &&
		test $(sqlite3 k.db "SELECT count(*) FROM ferry_migrations") = 30
	'
	k=0
	while [ $k -lt $trials ]
	do
		k=$((k + 1))
		test_expect_success "$mode: killed at $k/$((trials + 1)) of a run, the database is still $mode" '
			rm -f k.db k.db-journal k.db-wal k.db-shm &&
			sqlite3 k.db "PRAGMA user_version = 1; PRAGMA journal_mode = $mode" >/dev/null &&
			us=$(($(cat run.us) * k / (trials + 1))) &&
			kill_run sqlite:k.db $us >>kills &&
			echo "$hdr" >expect &&
			header_modes k.db >actual &&
			test_cmp expect actual &&
			echo $mode >expect &&
			sqlite3 k.db "PRAGMA journal_mode" >actual &&
			test_cmp expect actual &&
			sqlite3 k.db "PRAGMA user_version = 7" &&
			test_path_is_missing k.db-journal &&
			ferry -q -d sqlite:k.db up &&
			header_modes k.db >actual &&
			echo "$hdr" >expect &&
			test_cmp expect actual &&
			test $(sqlite3 k.db "SELECT count(*) FROM ferry_migrations") = 30
		'
	done
done

test_expect_success 'most of the runs were killed' '
	echo "$(grep -c killed kills) of $((2 * trials)) runs killed" &&
	test $(grep -c killed kills) -ge $trials
'

test_done
