# SPDX-License-Identifier: MIT
#
# lib-fault.sh - fault injection for t6001 and t6002: kill ferry with
# SIGKILL at random moments of a run over 100 generated migrations, and
# after each kill check that every migration is wholly applied with its
# ledger row or wholly absent, that the lock is free and that a new run
# gets to the end.
#
# Sourced after test-lib.sh. The moments are drawn from a seed, printed at
# the start: FERRY_FAULT_SEED=N replays a run. FERRY_FAULT_TRIALS sets the
# number of kills (default 50; `make asan` and `make valgrind` run fewer).

FAULT_TRIALS=${FERRY_FAULT_TRIALS:-50}
FAULT_SEED=${FERRY_FAULT_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# fault injection: seed $FAULT_SEED, $FAULT_TRIALS trials (replay with FERRY_FAULT_SEED=$FAULT_SEED)"

# slow_sql N: a statement that takes a while and writes N rows into t_N.
slow_sql() {
	case $ENGINE in
	sqlite)
		echo "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 20000) INSERT INTO t_$1 (id, v) SELECT n, 'row ' || n FROM r;" ;;
	pg)
		echo "SELECT pg_sleep(0.02);"
		echo "INSERT INTO t_$1 (id, v) SELECT n, 'row ' || n FROM generate_series(1, 5000) n;" ;;
	esac
}

# fault_migrations DIR [finish]: 100 migrations. Each makes a table, logs
# its version in fault_log, and some add a column to the table before or
# an index; one in ten is slow. With `finish`, each also makes a table
# l_N that its finish section drops, logging 1000 + N; some finish
# sections are slow.
fault_migrations() {
	_dir=$1
	_fin=${2:-}
	mkdir -p "$_dir"
	_i=1
	while [ $_i -le 100 ]; do
		{
			[ -n "$_fin" ] && echo "-- ferry:up"
			[ $_i = 1 ] && echo "CREATE TABLE fault_log (v integer PRIMARY KEY);"
			echo "CREATE TABLE t_$_i (id integer PRIMARY KEY, v text);"
			[ -n "$_fin" ] && echo "CREATE TABLE l_$_i (id integer PRIMARY KEY);"
			echo "INSERT INTO fault_log VALUES ($_i);"
			[ $((_i % 3)) = 0 ] && echo "ALTER TABLE t_$((_i - 1)) ADD COLUMN c_$_i integer;"
			[ $((_i % 5)) = 0 ] && echo "CREATE INDEX t_${_i}_v ON t_$_i (v);"
			[ $((_i % 10)) = 7 ] && slow_sql $_i
			if [ -n "$_fin" ]; then
				echo "-- ferry:finish"
				echo "DROP TABLE l_$_i;"
				echo "INSERT INTO fault_log VALUES ($((1000 + _i)));"
				[ $((_i % 10)) = 3 ] && slow_sql $_i
			fi
			:
		} >"$(printf '%s/%03d_m%d.sql' "$_dir" $_i $_i)"
		_i=$((_i + 1))
	done
}

# fault_state: what a kill must leave whole, one line each: the ledger's
# rows, the fault log, and the schema of the user's tables and indexes
# (the ledger's own aside: ferry creates it before the first migration).
# One client process: on a loaded machine each costs a tenth of a second.
fault_state() {
	case $ENGINE in
	sqlite)
		sqlite3 -batch "$DB_FILE" 2>/dev/null <<-\EOF
		SELECT 'ledger', version, name, state FROM ferry_migrations ORDER BY version;
		SELECT 'log', v FROM fault_log ORDER BY v;
		SELECT 'schema', type, name, sql FROM sqlite_master WHERE name NOT LIKE 'ferry\_%' ESCAPE '\' ORDER BY name;
		EOF
		return 0
		;;
	pg)
		"$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$DB_URL" <<-\EOF
		SELECT to_regclass('public.ferry_migrations') IS NOT NULL AS has_ledger, to_regclass('public.fault_log') IS NOT NULL AS has_log \gset
		\if :has_ledger
		SELECT 'ledger', version, name, state FROM ferry_migrations ORDER BY version;
		\endif
		\if :has_log
		SELECT 'log', v FROM fault_log ORDER BY v;
		\endif
		SELECT 'schema', table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'ferry\_%' ORDER BY 2, ordinal_position;
		SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'ferry\_%' ORDER BY 2;
		EOF
		;;
	esac
}

# fault_fresh: an empty database for the next trial.
fault_fresh() {
	case $ENGINE in
	sqlite) rm -f "$DB_FILE" "$DB_FILE-journal" ;;
	pg) db_sql "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null ;;
	esac
}

# fault_settled: the killed ferry's session is gone from the server, so
# that what it sent has committed or rolled back and its lock is free (the
# server notices a vanished client within client_connection_check_interval,
# 500 ms, even in the middle of a statement). Fails after 10 s.
fault_settled() {
	[ "$ENGINE" = pg ] || return 0
	db_sql "DO \$\$ BEGIN FOR i IN 1 .. 1000 LOOP PERFORM pg_catalog.pg_stat_clear_snapshot(); IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) THEN RETURN; END IF; PERFORM pg_sleep(0.01); END LOOP; RAISE 'the killed ferry''s session did not end'; END \$\$"
}

# fault_delays MS [PART]: enough delays in microseconds for FAULT_TRIALS
# kills, uniform over the MS milliseconds a whole run takes divided by PART
# (default 4), from the seed: each kill cuts a run that carries on from the
# kill before, so a chain of kills crosses the whole set, the start of a
# run (connect, lock, ledger) included each time.
fault_delays() {
	awk -v seed="$FAULT_SEED" -v n="$FAULT_TRIALS" -v ms="$1" \
		-v part="${2:-4}" 'BEGIN {
		srand(seed)
		for (i = 0; i < 3 * n; i++)
			printf "%d\n", rand() * ms * 1000 / part
	}'
}

# fault_kill USEC CMD...: start ferry with CMD's arguments, SIGKILL it
# after USEC microseconds (if it is still running); its exit code goes to
# `killed.rc`, and a kill counts in $fault_kills.
fault_kill() {
	_us=$1
	shift
	"$FERRY" "$@" >killed.out 2>killed.err &
	_pid=$!
	sleep "$(printf '%d.%06d' $((_us / 1000000)) $((_us % 1000000)))"
	kill -9 $_pid 2>/dev/null
	wait $_pid
	_rc=$?
	echo $_rc >killed.rc
	[ $_rc = 137 ] && fault_kills=$((fault_kills + 1))
	return 0
}

fault_kills=0

# now_ms: a clock in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
