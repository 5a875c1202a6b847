#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/stall.sh - what the application suffers while a blue-green
# migration runs under live traffic, behind an old release's long
# transaction. A benchmark, not a test: it prints figures and judges
# nothing (the PostgreSQL target is printed beside them, never enforced).
#
#   bench/stall.sh [--engine pg|sqlite|both] [--seconds S] [--clients C]
#                  [--rate R] [--rows N] [--block S] [--lead S] [-o DIR]
#
#   --engine E    pg, sqlite or both (default: both)
#   --seconds S   how long the load runs in each variant (default 15)
#   --clients C   client processes (pgbench -c C -j 2; C stall_client
#                 processes on SQLite) (default 4)
#   --rate R      requests a second, all clients together, arriving at
#                 random (pgbench -R) (default 200)
#   --rows N      rows in `routes` (default 10000)
#   --block S     how long the blocker holds its transaction (default 5)
#   --lead S      load alone before the blocker starts (default 2)
#   -o DIR        keep the request logs, ferry's output and results.md
# env: FERRY (default build/ferry)
#
# The load: half reads (SELECT one row of `routes` by id), half writes
# (UPDATE one row, autocommit), each a request whose latency counts from
# the moment it was due, so a request queued behind a stall pays for the
# queue (pgbench -R on PostgreSQL; bench/stall_client.c on SQLite, busy
# timeout 5 s: SQLITE_BUSY after it is a failed request).
#
# Each variant, on a fresh database: the load starts; after --lead
# seconds the blocker (PostgreSQL: BEGIN; SELECT count(*) FROM routes;
# pg_sleep(--block); COMMIT. SQLite: BEGIN IMMEDIATE, one write, sleep,
# COMMIT) takes its lock; then the migration runs. Its up section adds a
# column to `routes` (ACCESS EXCLUSIVE on PostgreSQL; on SQLite the
# column is also filled, a rewrite of every row) and creates a table.
# Variants: the load alone (baseline), the blocker without a migration,
# the floor (psql -1 -f / sqlite3 with the same SQL), ferry up
# --lock-wait 0 (no budget), ferry up (default budget), then the floor
# and ferry up again without the blocker. Figures, over the
# requests in the window from just before the migration to its end (the
# baseline: --block seconds after --lead; the blocker alone: its
# transaction): median, p99 and worst latency, failed requests, and
# whether the migration completed and how long it took.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
ENGINES=pg,sqlite
SECONDS_=15
CLIENTS=4
RATE=200
ROWS=10000
BLOCK=5
LEAD=2
BUSY_MS=5000
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--engine) ENGINES=$2; shift 2 ;;
	--seconds) SECONDS_=$2; shift 2 ;;
	--clients) CLIENTS=$2; shift 2 ;;
	--rate) RATE=$2; shift 2 ;;
	--rows) ROWS=$2; shift 2 ;;
	--block) BLOCK=$2; shift 2 ;;
	--lead) LEAD=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-h|--help) sed -n '3,43p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "stall.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ "$ENGINES" = both ] && ENGINES=pg,sqlite
want() { [[ ,$ENGINES, == *,$1,* ]]; }
log() { printf '[stall %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

FERRY=${FERRY:-$TOP/build/ferry}
FERRY=$(cd "$(dirname "$FERRY")" && pwd)/$(basename "$FERRY")
[ -x "$FERRY" ] || { echo "no ferry binary at $FERRY (run make)" >&2; exit 1; }
PSQL=/usr/lib/postgresql/15/bin/psql
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench || true)
for t in python3 jq; do
	command -v "$t" >/dev/null || { echo "$t not found" >&2; exit 1; }
done
# The lock budget ferry applies by default, for the target line.
BUDGET_MS=$(awk '/#define FERRY_LOCK_WAIT_DEFAULT_MS/ { print $3 }' "$TOP/include/ferry.h")

W=$(mktemp -d "${TMPDIR:-/tmp}/ferry-stall.XXXXXX")
chmod 755 "$W"
[ -n "$OUT" ] || OUT=$W/out
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VARIANTS="baseline blocker floor ferry-nobudget ferry floor-alone ferry-alone"
export XDG_CACHE_HOME=$W/cache

# Every process started in the background, ended by its PID on exit.
PIDS=()
PGDIR=
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	[ -n "$PGDIR" ] && sh "$TOP/tests/cli/pg-cluster.sh" stop "$PGDIR"
	find "$W" -mindepth 1 -maxdepth 1 ! -path "$OUT" -exec rm -rf {} +
	[ "$OUT" = "$W/out" ] || rmdir "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_us() { date +%s%6N; }

# --- the migration sets ------------------------------------------------------
# 0001 makes `routes`; 0002 is the blue-green step: up expands (a column
# for the new release), finish would drop the old release's column.
for e in pg sqlite; do
	mkdir -p "$W/set-$e"
	cat >"$W/set-$e/0001_routes.sql" <<-EOF
	CREATE TABLE routes (id integer PRIMARY KEY, path text NOT NULL,
		hits integer NOT NULL DEFAULT 0, legacy text);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
		WHERE i < $ROWS)
	INSERT INTO routes (id, path) SELECT i, '/r/' || i FROM n;
	EOF
done
cat >"$W/up-pg.sql" <<-'EOF'
ALTER TABLE routes ADD COLUMN owner text;
CREATE TABLE route_owners (name text PRIMARY KEY, team text NOT NULL);
EOF
cat >"$W/up-sqlite.sql" <<-'EOF'
ALTER TABLE routes ADD COLUMN owner text;
UPDATE routes SET owner = 'team-' || (id % 16);
CREATE TABLE route_owners (name text PRIMARY KEY, team text NOT NULL);
EOF
for e in pg sqlite; do
	{
		echo '-- ferry:up'
		cat "$W/up-$e.sql"
		echo '-- ferry:finish'
		echo 'ALTER TABLE routes DROP COLUMN legacy;'
	} >"$W/set-$e/0002_route_owner.sql"
done

RESULTS=$OUT/results.md
{
	echo "# stall under live traffic"
	echo
	echo '```'
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(nproc) cores, $(uname -r), load: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ferry: $("$FERRY" --version)"
	echo "load: $CLIENTS clients, $RATE requests/s in all (half reads, half writes), $ROWS rows, $SECONDS_ s a variant"
	echo "blocker: ${BLOCK} s, after ${LEAD} s of load; ferry's default lock budget: ${BUDGET_MS} ms"
	echo '```'
	echo
	echo "| engine | variant | migration | requests | median | p99 | worst (due at) | failed |"
	echo "|---|---|---|---:|---:|---:|---:|---:|"
} >"$RESULTS"

# stats ENGINE VARIANT T0 T1 MIGRATION ABORTED LOGS...: one row of the
# table, over the requests that were due before T1 and ended after T0.
stats() {
	python3 - "$@" >>"$RESULTS" <<-'PY'
	import sys
	engine, variant, t0, t1, mig, aborted = sys.argv[1:7]
	t0, t1, aborted = int(t0), int(t1), int(aborted)
	lat, failed = [], aborted
	for path in sys.argv[7:]:
	    for line in open(path):
	        f = line.split()
	        if engine == "pg":
	            # client txno time script epoch us [lag]: end time, latency
	            end = int(f[4]) * 1000000 + int(f[5])
	            if not f[2].isdigit():
	                if t0 <= end:
	                    failed += 1
	                continue
	            due, ok = end - int(f[2]), True
	        else:
	            due, end, ok = int(f[0]), int(f[1]), f[2] == "1"
	        if end < t0 or due > t1:
	            continue
	        if ok:
	            lat.append((end - due, due))
	        else:
	            failed += 1
	lat.sort()
	n = len(lat)
	def ms(v): return "%.1f ms" % (v / 1000.0)
	if n:
	    med = ms(lat[(n - 1) // 2][0])
	    p99 = ms(lat[min(n - 1, int(n * 0.99))][0])
	    worst = max(lat)
	    w = "%s (%+.0f ms)" % (ms(worst[0]), (worst[1] - t0) / 1000.0)
	else:
	    med = p99 = w = "-"
	print("| %s | %s | %s | %d | %s | %s | %s | %d |" %
	      ("PostgreSQL" if engine == "pg" else "SQLite", variant, mig, n,
	       med, p99, w, failed))
	PY
}

# label ENGINE VARIANT: the variant's name in the table
label() {
	local floor="psql -1 -f"
	[ "$1" = sqlite ] && floor=sqlite3
	case $2 in
	baseline) echo "load alone" ;;
	blocker) echo "blocker, no migration" ;;
	floor) echo "floor ($floor)" ;;
	ferry-nobudget) echo "ferry up --lock-wait 0" ;;
	ferry) echo "ferry up (default budget)" ;;
	floor-alone) echo "floor ($floor), no blocker" ;;
	ferry-alone) echo "ferry up (default budget), no blocker" ;;
	esac
}

# migrated NAME RC T0 T1 [JSON]: the migration column
migrated() {
	local what ms=$(( ($4 - $3) / 1000 ))
	if [ "$2" = 0 ]; then what="done in $ms ms"; else what="**failed** (exit $2) after $ms ms"; fi
	if [ -n "${5:-}" ] && [ -s "$5" ]; then
		what="$what; $(jq -r '[.applied[]?] | map("ran \(.ms) ms, \(.lock_retries) retries" +
			(if .write_lock_ms != null then ", write lock \(.write_lock_ms) ms" else "" end)) |
			join("; ")' "$5" 2>/dev/null || true)"
	fi
	echo "$what"
}

# --- PostgreSQL --------------------------------------------------------------
run_pg() {
	log "starting a PostgreSQL server (fsync on)"
	PGDIR=$W/pg
	ADMIN=$(PG_CLUSTER_FSYNC=on sh "$TOP/tests/cli/pg-cluster.sh" start "$PGDIR")
	URL=${ADMIN/\/postgres\?//stall?}
	q() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
	cat >"$W/read.sql" <<-EOF
	\\set id random(1, $ROWS)
	SELECT path, hits FROM routes WHERE id = :id;
	EOF
	cat >"$W/write.sql" <<-EOF
	\\set id random(1, $ROWS)
	UPDATE routes SET hits = hits + 1 WHERE id = :id;
	EOF
	{ echo 'BEGIN;'; cat "$W/up-pg.sql"; echo 'COMMIT;'; } >"$W/floor-pg.sql"
	local v
	for v in $VARIANTS; do
		log "PostgreSQL: $v"
		q "$ADMIN" "DROP DATABASE IF EXISTS stall WITH (FORCE)"
		q "$ADMIN" "CREATE DATABASE stall"
		case $v in
		ferry*) "$FERRY" -q --dir "$W/set-pg" -d "$URL" up --to 1 ;;
		*) "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$URL" -f "$W/set-pg/0001_routes.sql" ;;
		esac
		q "$URL" "VACUUM ANALYZE routes"
		local d=$OUT/pg-$v
		rm -rf "$d"
		mkdir -p "$d"
		"$PGBENCH" -n -c "$CLIENTS" -j 2 -T "$SECONDS_" -R "$RATE" \
			-f "$W/read.sql" -f "$W/write.sql" --log \
			--log-prefix="$d/pgbench" "$URL" >"$d/pgbench.out" 2>"$d/pgbench.err" &
		local lp=$! bp= t0 t1 rc=0 mig=-
		PIDS+=("$lp")
		sleep "$LEAD"
		if [ "$v" = baseline ]; then
			t0=$(now_us)
			sleep "$BLOCK"
			t1=$(now_us)
		else
			if [[ $v != *-alone ]]; then
				PGAPPNAME=stall-blocker "$PSQL" -X -q -d "$URL" \
					-c "BEGIN" -c "SELECT count(*) FROM routes" \
					-c "SELECT pg_sleep($BLOCK)" -c "COMMIT" >/dev/null &
				bp=$!
				PIDS+=("$bp")
				until [ "$(q "$URL" "SELECT count(*) FROM pg_stat_activity
					WHERE application_name = 'stall-blocker' AND wait_event = 'PgSleep'")" = 1 ]; do
					sleep 0.02
				done
			fi
			t0=$(now_us)
			case ${v%-alone} in
			blocker) wait "$bp" || rc=$? ;;
			floor) "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$URL" -f "$W/floor-pg.sql" \
				>"$d/migration.out" 2>"$d/migration.err" || rc=$? ;;
			ferry-nobudget) "$FERRY" --dir "$W/set-pg" -d "$URL" up --json --lock-wait 0 \
				>"$d/migration.json" 2>"$d/migration.err" || rc=$? ;;
			ferry) "$FERRY" --dir "$W/set-pg" -d "$URL" up --json \
				>"$d/migration.json" 2>"$d/migration.err" || rc=$? ;;
			esac
			t1=$(now_us)
			[ "$v" = blocker ] || mig=$(migrated "$v" "$rc" "$t0" "$t1" "$d/migration.json")
			[ -z "$bp" ] || wait "$bp" 2>/dev/null || true
		fi
		wait "$lp" || true
		local aborted
		aborted=$(grep -c 'aborted' "$d/pgbench.err" || true)
		[ $(( (t1 - t0) / 1000000 + LEAD )) -lt "$SECONDS_" ] ||
			log "warning: the load ended before the window did (raise --seconds)"
		echo "$t0 $t1" >"$d/window"
		stats pg "$(label pg "$v")" "$t0" "$t1" "$mig" "$aborted" "$d"/pgbench.*[0-9]
		PIDS=()
	done
	sh "$TOP/tests/cli/pg-cluster.sh" stop "$PGDIR"
	PGDIR=
}

# --- SQLite ------------------------------------------------------------------
run_sqlite() {
	local client=$W/stall_client
	cc -O2 -o "$client" "$HERE/stall_client.c" -lsqlite3 -lm
	{ echo 'BEGIN;'; cat "$W/up-sqlite.sql"; echo 'COMMIT;'; } >"$W/floor-sqlite.sql"
	local v db=$W/stall.db
	for v in $VARIANTS; do
		log "SQLite: $v"
		rm -f "$db" "$db"-*
		case $v in
		ferry*) "$FERRY" -q --dir "$W/set-sqlite" -d "sqlite:$db" up --to 1 ;;
		*) sqlite3 -bail "$db" <"$W/set-sqlite/0001_routes.sql" ;;
		esac
		sqlite3 "$db" 'PRAGMA journal_mode=WAL' >/dev/null
		local d=$OUT/sqlite-$v i lps=()
		rm -rf "$d"
		mkdir -p "$d"
		for ((i = 1; i <= CLIENTS; i++)); do
			"$client" load "$db" "$SECONDS_" \
				"$(awk -v r="$RATE" -v c="$CLIENTS" 'BEGIN { print r / c }')" \
				"$BUSY_MS" "$i" "$d/req.$i" 2>"$d/client.$i.err" &
			lps+=($!)
			PIDS+=($!)
		done
		local bp= t0 t1 rc=0 mig=-
		sleep "$LEAD"
		if [ "$v" = baseline ]; then
			t0=$(now_us)
			sleep "$BLOCK"
			t1=$(now_us)
		else
			if [[ $v != *-alone ]]; then
				"$client" block "$db" "$BLOCK" >"$d/blocker.out" &
				bp=$!
				PIDS+=("$bp")
				until grep -q held "$d/blocker.out" 2>/dev/null; do
					sleep 0.01
				done
			fi
			t0=$(now_us)
			case ${v%-alone} in
			blocker) wait "$bp" || rc=$? ;;
			floor) sqlite3 -bail -cmd '.timeout 60000' "$db" <"$W/floor-sqlite.sql" \
				>"$d/migration.out" 2>"$d/migration.err" || rc=$? ;;
			ferry-nobudget) "$FERRY" --dir "$W/set-sqlite" -d "sqlite:$db" up --json --lock-wait 0 \
				>"$d/migration.json" 2>"$d/migration.err" || rc=$? ;;
			ferry) "$FERRY" --dir "$W/set-sqlite" -d "sqlite:$db" up --json \
				>"$d/migration.json" 2>"$d/migration.err" || rc=$? ;;
			esac
			t1=$(now_us)
			[ "$v" = blocker ] || mig=$(migrated "$v" "$rc" "$t0" "$t1" "$d/migration.json")
			[ -z "$bp" ] || wait "$bp" 2>/dev/null || true
		fi
		for i in "${lps[@]}"; do
			wait "$i" || true
		done
		[ $(( (t1 - t0) / 1000000 + LEAD )) -lt "$SECONDS_" ] ||
			log "warning: the load ended before the window did (raise --seconds)"
		echo "$t0 $t1" >"$d/window"
		stats sqlite "$(label sqlite "$v")" "$t0" "$t1" "$mig" 0 "$d"/req.*
		PIDS=()
	done
}

want pg && run_pg
want sqlite && run_sqlite

if want pg; then
	python3 - "$RESULTS" "$BUDGET_MS" >>"$RESULTS" <<-'PY'
	import sys
	budget = int(sys.argv[2])
	for line in open(sys.argv[1]):
	    c = [x.strip() for x in line.split("|")]
	    if len(c) > 8 and c[1] == "PostgreSQL" and c[2] == "ferry up (default budget)":
	        worst = float(c[7].split()[0])
	        done = c[3].startswith("done")
	        print()
	        print("PostgreSQL target, ferry up with its default budget: worst stall <= "
	              "%d ms (budget + 50 ms), no failed request, the migration completes." %
	              (budget + 50))
	        print("measured: worst %.1f ms, %s failed, migration %s." %
	              (worst, c[8], "completed" if done else "NOT completed"))
	PY
fi
echo
cat "$RESULTS"
log "results in $RESULTS"
