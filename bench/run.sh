#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/run.sh - ferry against the physical floor: the same SQL through
# sqlite3 / psql. A benchmark, not a test: it prints figures and judges
# nothing. Quote ratios, not absolute times (the machine is small and
# noisy); the peers (dbmate, sql-migrate, ...) are ../shared/bench/peers.sh.
#
#   bench/run.sh [-n N] [--dbs sqlite,pg] [--runs R] [-o DIR] [--keep]
#
#   -n N        migrations in the set (default 1000)
#   --dbs LIST  sqlite, pg or both (default: both)
#   --runs R    hyperfine runs per figure (default 5; no-ops get 4x)
#   -o DIR      keep hyperfine's JSON and results.md there
# env: FERRY (default build/ferry), PG_URL (a server to use; databases
#      ferry_bench_* are created there; default: a throwaway server with
#      fsync on, from tests/cli/pg-cluster.sh)
#
# Scenarios, each a median:
#   apply     empty database to head: floor one transaction per migration
#             (ptx), floor one transaction (1tx), ferry up, ferry up
#             --single-transaction
#   no-op     up on a database at head, and status, against connect + one
#             query
#   memory    peak RSS of ferry up on the set, and on the set plus one
#             64 MB migration: the target is the largest file + 16 MB
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
N=1000
DBS=sqlite,pg
RUNS=5
OUT=
KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	--dbs) DBS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
done
FERRY=${FERRY:-$TOP/build/ferry}
FERRY=$(cd "$(dirname "$FERRY")" && pwd)/$(basename "$FERRY")
[ -x "$FERRY" ] || { echo "no ferry binary at $FERRY (run make)" >&2; exit 1; }
for t in hyperfine sqlite3 /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "$t not found (apt-get install hyperfine sqlite3 time)" >&2; exit 1; }
done
PSQL=
for p in /usr/lib/postgresql/*/bin/psql; do [ -x "$p" ] && PSQL=$p; done
want() { [[ ,$DBS, == *,$1,* ]]; }
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")
chmod 755 "$W"
[ -n "$OUT" ] || OUT=$W/out
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PGDIR=
cleanup() {
	[ -n "$PGDIR" ] && sh "$TOP/tests/cli/pg-cluster.sh" stop "$PGDIR"
	if [ "$KEEP" = 0 ]; then rm -rf "$W/m" "$W/big" "$W"/*.db* "$W"/*.sql; fi
}
trap cleanup EXIT

# --- the migration set: the body peers.sh uses ----------------------------------
. "$HERE/set-body.sh"
log "generating $N migrations in $W"
mkdir -p "$W/m"
: >"$W/all.sql"
: >"$W/all_ptx.sql"
for ((i = 1; i <= N; i++)); do
	id=$(pad "$i")
	body "$i" >"$W/m/${id}_create_t_${id}.sql"
	cat "$W/m/${id}_create_t_${id}.sql" >>"$W/all.sql"
	{ echo 'BEGIN;'; cat "$W/m/${id}_create_t_${id}.sql"; echo 'COMMIT;'; } >>"$W/all_ptx.sql"
done
{ echo 'BEGIN;'; cat "$W/all.sql"; echo 'COMMIT;'; } >"$W/all_1tx.sql"

# One 64 MB migration beside the set, for the memory bound.
mkdir -p "$W/big"
cp "$W"/m/*.sql "$W/big/"
awk -v n=$((N + 1)) 'BEGIN {
	printf "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT NOT NULL);\n";
	pad = sprintf("%0100d", 0);
	for (i = 1; i <= 600000; i++)
		printf "INSERT INTO big (id, pad) VALUES (%d, '\''%s'\'');\n", i, pad;
}' >"$W/big/$(pad $((N + 1)))_big.sql"
BIG_BYTES=$(stat -c %s "$W/big/$(pad $((N + 1)))_big.sql")

# --- measuring ------------------------------------------------------------------
# bench NAME RUNS COMMAND [PREPARE]: median seconds into $OUT/NAME.median
bench() {
	local name=$1 runs=$2 cmd=$3 prep=${4:-}
	local args=(--style none --runs "$runs" --warmup 1 --export-json "$OUT/$name.json")
	[ -n "$prep" ] && args+=(--prepare "$prep")
	log "$name"
	hyperfine "${args[@]}" "$cmd" >/dev/null
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' \
		"$OUT/$name.json" >"$OUT/$name.median"
}
median() { cat "$OUT/$1.median" 2>/dev/null || echo; }
# peak resident memory in kB of a command
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }

RESULTS=$OUT/results.md
{
	echo "# ferry benchmark, N=$N"
	echo
	echo '```'
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(nproc) cores, $(uname -r), load: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ferry: $("$FERRY" --version)"
	echo "sqlite3: $(sqlite3 --version | awk '{print $1}')"
	echo '```'
	echo
	echo "| engine | scenario | median | ratio | against |"
	echo "|---|---|---:|---:|---|"
} >"$RESULTS"

row() { # engine scenario value-seconds floor-seconds floor-name [unit]
	awk -v e="$1" -v s="$2" -v v="$3" -v f="$4" -v fn="$5" 'BEGIN {
		if (v < 1) t = sprintf("%.1f ms", v * 1000); else t = sprintf("%.3f s", v);
		r = (f > 0) ? sprintf("%.2fx", v / f) : "-";
		printf "| %s | %s | %s | %s | %s |\n", e, s, t, r, fn }' >>"$RESULTS"
}

if want sqlite; then
	F=$W/floor.db
	D=$W/ferry.db
	bench sqlite-floor-ptx "$RUNS" "sqlite3 -bail $F < $W/all_ptx.sql" "rm -f $F"
	bench sqlite-floor-1tx "$RUNS" "sqlite3 -bail $F < $W/all_1tx.sql" "rm -f $F"
	bench sqlite-ferry-up "$RUNS" "$FERRY -q --dir $W/m -d sqlite:$D up" "rm -f $D"
	bench sqlite-ferry-up-1tx "$RUNS" "$FERRY -q --dir $W/m -d sqlite:$D up --single-transaction" "rm -f $D"
	rm -f "$F" "$D"
	sqlite3 -bail "$F" <"$W/all_1tx.sql"
	"$FERRY" -q --dir "$W/m" -d "sqlite:$D" up
	bench sqlite-floor-connect $((RUNS * 4)) "sqlite3 $F 'SELECT count(*) FROM sqlite_master'"
	bench sqlite-ferry-noop $((RUNS * 4)) "$FERRY -q --dir $W/m -d sqlite:$D up"
	bench sqlite-ferry-status $((RUNS * 4)) "$FERRY --dir $W/m -d sqlite:$D status"
	fp=$(median sqlite-floor-ptx)
	f1=$(median sqlite-floor-1tx)
	fc=$(median sqlite-floor-connect)
	row sqlite "apply: floor, txn per migration" "$fp" "$fp" "floor ptx"
	row sqlite "apply: floor, one transaction" "$f1" "$fp" "floor ptx"
	row sqlite "apply: ferry up" "$(median sqlite-ferry-up)" "$fp" "floor ptx"
	row sqlite "apply: ferry up --single-transaction" "$(median sqlite-ferry-up-1tx)" "$f1" "floor 1tx"
	row sqlite "no-op: floor, connect + query" "$fc" "$fc" "floor connect"
	row sqlite "no-op: ferry up" "$(median sqlite-ferry-noop)" "$fc" "floor connect"
	row sqlite "status: ferry status" "$(median sqlite-ferry-status)" "$fc" "floor connect"
	rm -f "$D"
	apply_kb=$(peak_kb "$FERRY" -q --dir "$W/m" -d "sqlite:$D" up)
	noop_kb=$(peak_kb "$FERRY" -q --dir "$W/m" -d "sqlite:$D" up)
	rm -f "$D"
	big_kb=$(peak_kb "$FERRY" -q --dir "$W/big" -d "sqlite:$D" up)
	{
		echo
		echo "SQLite peak memory (RSS): apply of $N migrations $((apply_kb / 1024)) MB, no-op $((noop_kb / 1024)) MB;"
		echo "with one $((BIG_BYTES / 1048576)) MB migration added: $((big_kb / 1024)) MB, that is the file + $(((big_kb * 1024 - BIG_BYTES) / 1048576)) MB."
		echo
	} >>"$RESULTS"
	rm -f "$F" "$D"
fi

if want pg; then
	[ -n "$PSQL" ] || { echo "psql not found (apt-get install postgresql-15)" >&2; exit 1; }
	if [ -n "${PG_URL:-}" ]; then
		ADMIN=$PG_URL
	else
		PGDIR=$W/pg
		log "starting a PostgreSQL server (fsync on)"
		ADMIN=$(PG_CLUSTER_FSYNC=on sh "$TOP/tests/cli/pg-cluster.sh" start "$PGDIR")
	fi
	base=${ADMIN%%\?*}
	query=
	[[ $ADMIN == *\?* ]] && query="?${ADMIN#*\?}"
	url() { echo "${base%/*}/$1$query"; }
	reset_db() { printf '%q -X -q -d %q -c %q -c %q' "$PSQL" "$ADMIN" \
		"DROP DATABASE IF EXISTS $1 WITH (FORCE)" "CREATE DATABASE $1"; }
	FU=$(url ferry_bench_floor)
	DU=$(url ferry_bench_ferry)
	bench pg-floor-ptx "$RUNS" "$PSQL -X -q -v ON_ERROR_STOP=1 -d '$FU' -f $W/all_ptx.sql" "$(reset_db ferry_bench_floor)"
	bench pg-floor-1tx "$RUNS" "$PSQL -X -q -v ON_ERROR_STOP=1 -d '$FU' -1 -f $W/all.sql" "$(reset_db ferry_bench_floor)"
	bench pg-ferry-up "$RUNS" "$FERRY -q --dir $W/m -d '$DU' up" "$(reset_db ferry_bench_ferry)"
	bench pg-ferry-up-1tx "$RUNS" "$FERRY -q --dir $W/m -d '$DU' up --single-transaction" "$(reset_db ferry_bench_ferry)"
	eval "$(reset_db ferry_bench_ferry)"
	"$FERRY" -q --dir "$W/m" -d "$DU" up
	bench pg-floor-connect $((RUNS * 4)) "$PSQL -X -q -At -d '$FU' -c 'SELECT count(*) FROM pg_class'"
	bench pg-ferry-noop $((RUNS * 4)) "$FERRY -q --dir $W/m -d '$DU' up"
	bench pg-ferry-status $((RUNS * 4)) "$FERRY --dir $W/m -d '$DU' status"
	fp=$(median pg-floor-ptx)
	f1=$(median pg-floor-1tx)
	fc=$(median pg-floor-connect)
	row postgres "apply: floor, txn per migration" "$fp" "$fp" "floor ptx"
	row postgres "apply: floor, one transaction" "$f1" "$fp" "floor ptx"
	row postgres "apply: ferry up" "$(median pg-ferry-up)" "$fp" "floor ptx"
	row postgres "apply: ferry up --single-transaction" "$(median pg-ferry-up-1tx)" "$f1" "floor 1tx"
	row postgres "no-op: floor, connect + query" "$fc" "$fc" "floor connect"
	row postgres "no-op: ferry up" "$(median pg-ferry-noop)" "$fc" "floor connect"
	row postgres "status: ferry status" "$(median pg-ferry-status)" "$fc" "floor connect"
	eval "$(reset_db ferry_bench_ferry)"
	big_kb=$(peak_kb "$FERRY" -q --dir "$W/big" -d "$DU" up)
	{
		echo
		echo "PostgreSQL peak memory (RSS) with one $((BIG_BYTES / 1048576)) MB migration in the set: $((big_kb / 1024)) MB, that is the file + $(((big_kb * 1024 - BIG_BYTES) / 1048576)) MB."
	} >>"$RESULTS"
fi

cat "$RESULTS"
log "results in $RESULTS"
