#!/bin/sh
test_description='SIGKILL during backup and restore: no partial backup under its name, never a mixed database'
. "$(dirname "$0")/test-lib.sh"

# Issue 5 part 10: ferry is killed with SIGKILL at random (seeded) points
# of a backup and of a restore. After a killed backup, the file is absent
# or whole, and the database untouched; after a killed restore, the
# database is the old one or the new one, whole (its ledger and its data
# agree), never a mix; the lock is free and the next ferry works.
#
# FERRY_TEST_SEED picks other kill points; FERRY_KILL_TRIALS, how many.

SEED=${FERRY_TEST_SEED:-3303}
TRIALS=${FERRY_KILL_TRIALS:-6}

case $ENGINE in
sqlite) EXT=sqlite ROWS=40000 ;;
pg) EXT=pgdump ROWS=60000 ;;
esac

REAL_BIN=
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_restore" ] && REAL_BIN=$d; done

# Delays in milliseconds, seeded, from 0 to $1 (past a whole run, so
# that some kills come after the end: both outcomes are seen).
delays() {
	awk -v seed="$SEED" -v n="$TRIALS" -v max="$1" \
		'BEGIN { srand(seed); for (i = 0; i < n; i++) printf "%d\n", rand() * max }'
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

sleep_ms() {
	sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"
}

# What the database holds: its ledger's newest version, whether table
# extra (made by migration 2) exists, and its data, on one line.
state() {
	v=$(db_sql "SELECT max(version) FROM ferry_migrations") &&
	case $ENGINE in
	sqlite) x=$(db_sql "SELECT count(*) FROM sqlite_master WHERE name = 'extra'") ;;
	pg) x=$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename = 'extra'") ;;
	esac &&
	d=$(db_sql "SELECT count(*) || ':' || sum(length(v)) FROM big") &&
	echo "v$v extra=$x rows=$d"
}

# A backup file is whole: it reads, and holds the rows and the ledger.
backup_whole() {
	case $ENGINE in
	sqlite)
		test "$(sqlite3 -readonly "$1" "PRAGMA quick_check")" = ok &&
		test "$(sqlite3 -readonly "$1" "SELECT count(*) FROM big")" = "$2" ;;
	pg)
		"$REAL_BIN/pg_restore" -l "$1" >toc &&
		grep -q "TABLE DATA public big" toc &&
		grep -q "TABLE DATA public ferry_migrations" toc ;;
	esac
}

lock_free() {
	ferry -d "$DB_URL" status >st &&
	grep -q "^lock        free" st
}

test_expect_success "setup: $ROWS rows; backup B at version 1, the database A at 2" '
	mkdir migrations &&
	cat >migrations/1_big.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE big (id integer PRIMARY KEY, v text);
	EOF
	cat >migrations/2_extra.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE extra (id integer PRIMARY KEY);
	EOF
	ferry -q -d "$DB_URL" up --to 1 &&
	case $ENGINE in
	sqlite) db_sql "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $ROWS) INSERT INTO big SELECT i, hex(randomblob(200)) FROM g" ;;
	pg) db_sql "INSERT INTO big SELECT g, md5(g::text) || repeat(md5(random()::text), 5) FROM generate_series(1, $ROWS) g" ;;
	esac &&
	ferry -q -d "$DB_URL" backup -o B.$EXT &&
	state >state.B &&
	ferry -q -d "$DB_URL" up &&
	db_sql "DELETE FROM big WHERE id % 3 = 0" &&
	ferry -q -d "$DB_URL" backup -o A.$EXT &&
	state >state.A &&
	! test_cmp state.A state.B >/dev/null &&
	cat state.A state.B
'

test_expect_success "SIGKILL during backup, $TRIALS seeded trials: no file, or a whole one; the database untouched" '
	start=$(now_ms) &&
	ferry -q -d "$DB_URL" backup -o timing.$EXT &&
	took=$(($(now_ms) - start)) &&
	rows=$(db_sql "SELECT count(*) FROM big") &&
	i=0 whole=0 none=0 &&
	for ms in $(delays $((took * 2))); do
		i=$((i + 1)) &&
		rm -f k.$EXT .k.$EXT.partial-* &&
		{ "$FERRY" -q -d "$DB_URL" backup -o k.$EXT >/dev/null 2>&1 & } &&
		pid=$! &&
		sleep_ms "$ms" &&
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		if test -e k.$EXT; then
			backup_whole k.$EXT "$rows" || { echo "trial $i ($ms ms): partial k.$EXT"; return 1; }
			whole=$((whole + 1)) && echo "trial $i: killed at $ms ms: whole"
		else
			none=$((none + 1)) && echo "trial $i: killed at $ms ms: none"
		fi &&
		state >now &&
		test_cmp state.A now &&
		lock_free || return 1
	done &&
	echo "backup took $took ms; killed: $none before the rename, $whole after (seed $SEED)"
'

test_expect_success 'pg: a killed backup leaves no pg_dump running' '
	test $ENGINE = sqlite ||
	{
		mkdir spy &&
		cat >spy/pg_dump <<-EOF &&
		#!/bin/sh
		echo \$\$ >"$PWD/pg_dump.pid"
		exec "$REAL_BIN/pg_dump" "\$@"
		EOF
		chmod +x spy/pg_dump &&
		rm -f pg_dump.pid &&
		{ FERRY_PG_BINDIR="$PWD/spy" "$FERRY" -q -d "$DB_URL" backup -o spy.pgdump >/dev/null 2>&1 & } &&
		pid=$! &&
		wait_for 2 grep -qs . pg_dump.pid &&
		sleep 0.1 &&
		kill -9 $pid; wait $pid 2>/dev/null
		sleep 0.3 &&
		dump=$(cat pg_dump.pid) &&
		# Gone, or dead and not yet reaped by its new parent.
		{ ! kill -0 "$dump" 2>/dev/null ||
			grep -q "^State:.*zombie" /proc/$dump/status; }
	}
'

test_expect_success "SIGKILL during restore, $TRIALS seeded trials: the old database or the new one, never a mix" '
	start=$(now_ms) &&
	ferry -q -d "$DB_URL" restore B.$EXT --yes &&
	took=$(($(now_ms) - start)) &&
	state >now && test_cmp state.B now &&
	ferry -q -d "$DB_URL" restore A.$EXT --yes &&
	i=0 old=0 new=0 &&
	for ms in $(delays $((took * 2))); do
		i=$((i + 1)) &&
		{ "$FERRY" -q -d "$DB_URL" restore B.$EXT --yes >/dev/null 2>&1 & } &&
		pid=$! &&
		sleep_ms "$ms" &&
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		lock_free &&
		state >now &&
		if test_cmp state.A now >/dev/null; then
			old=$((old + 1)) && echo "trial $i: killed at $ms ms: old"
		elif test_cmp state.B now >/dev/null; then
			new=$((new + 1)) && echo "trial $i: killed at $ms ms: new"
		else
			echo "trial $i ($ms ms): a mix:" && cat now && return 1
		fi &&
		ferry -q -d "$DB_URL" restore A.$EXT --yes &&
		state >now && test_cmp state.A now || return 1
	done &&
	echo "restore took $took ms; after the kill: $old old, $new new (seed $SEED)"
'

test_expect_success 'after it all, the next ferry goes on: up to head from backup B' '
	ferry -q -d "$DB_URL" restore B.$EXT --yes &&
	ferry -d "$DB_URL" up >out &&
	grep "^up     2_extra" out
'

test_done
