#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/export-import.sh - ferry export and ferry import against the
# engines' own tools, on both engines: rows/s, MB/s and peak memory.
# A benchmark, not a test: it prints figures, and fails only when an
# import does not give back the rows exported.
#
#   ROWS=1000000 bash bench/export-import.sh
#
# One table t (integer key, bigint, double, text, blob, timestamp text),
# ROWS rows, made by sqlite3 from a recursive CTE, then copied into
# PostgreSQL by ferry copy. Per engine:
#   export: ferry export -o FILE     against  sqlite3 .dump (SQLite) and
#           sqlite3 -csv / psql \copy TO (CSV, the floor)
#   import: ferry import FILE        against  sqlite3 .import --csv /
#           psql \copy FROM, into the same empty table
# MB/s is the size of the file written or read. The imports are checked
# by row count and ferry's checksum of the table (ferry copy --from the
# source reports "equal, there before" only when they match).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
ROWS=${ROWS:-1000000}
FERRY=${FERRY:-$TOP/build/ferry}
PSQL=/usr/lib/postgresql/15/bin/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql)
W=$(mktemp -d /tmp/ferry-bench-ei.XXXXXX)
chmod 755 "$W"
PGDIR=$W/pg
cleanup() {
	sh "$TOP/tests/cli/pg-cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT
log() { printf '[export-import %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

mkdir -p "$W/sq" "$W/pg-set"
cat >"$W/sq/1_t.sql" <<-\EOF
-- ferry:up
CREATE TABLE t (id INTEGER PRIMARY KEY, n BIGINT, f DOUBLE PRECISION, s TEXT, b BLOB, at TIMESTAMP);
EOF
cat >"$W/pg-set/1_t.sql" <<-\EOF
-- ferry:up
CREATE TABLE t (id integer PRIMARY KEY, n bigint, f double precision, s text, b bytea, at timestamp);
EOF

log "making $ROWS rows"
"$FERRY" -q -d "sqlite:$W/src.db" --dir "$W/sq" up
sqlite3 "$W/src.db" "PRAGMA journal_mode = off; BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $ROWS)
INSERT INTO t SELECT i, i * 1000003, i / 64.0, 'row ' || i || ', \"quoted\" é',
	randomblob(16), '2026-12-07 ' || printf('%02d:%02d:%02d', i / 3600 % 24, i / 60 % 60, i % 60) FROM c;
COMMIT;" >/dev/null

URL=$(sh "$TOP/tests/cli/pg-cluster.sh" start "$PGDIR")
base=${URL%%\?*}
q=${URL#*\?}
pgurl() { echo "${base%/*}/$1?$q"; }
"$PSQL" -X -q -d "$URL" -c "CREATE DATABASE src" -c "CREATE DATABASE ferry_in" -c "CREATE DATABASE psql_in"
log "the source into PostgreSQL (ferry copy)"
"$FERRY" -q --dir "$W/pg-set" copy --from "$W/src.db" --to "$(pgurl src)"

RESULTS=$W/results
: >"$RESULTS"
# timed LABEL ENGINE FILE-FOR-MB CMD...: one row of the table
timed() {
	local label=$1 engine=$2 file=$3
	shift 3
	/usr/bin/time -f '%e %M' -o "$W/time" "$@" >/dev/null 2>"$W/err" ||
		{ cat "$W/err" >&2; echo "$label failed" >&2; exit 1; }
	read -r secs kb <"$W/time"
	mb=$(du -m "$file" | cut -f1)
	printf '| %s | %s | %.2f | %.0f | %.1f | %.1f |\n' "$label" "$engine" "$secs" \
		"$(echo "$ROWS / $secs" | bc -l)" "$(echo "$mb / $secs" | bc -l)" \
		"$(echo "$kb / 1024" | bc -l)" >>"$RESULTS"
}

log "SQLite"
timed "ferry export -o F.jsonl" SQLite "$W/sq.jsonl" "$FERRY" -q -d "sqlite:$W/src.db" export -o "$W/sq.jsonl"
timed "sqlite3 .dump (floor)" SQLite "$W/sq.sql" sh -c "sqlite3 '$W/src.db' .dump >'$W/sq.sql'"
timed "sqlite3 -csv SELECT (floor)" SQLite "$W/sq.csv" sh -c "sqlite3 -csv '$W/src.db' 'SELECT * FROM t' >'$W/sq.csv'"
"$FERRY" -q -d "sqlite:$W/ferry-in.db" --dir "$W/sq" up
timed "ferry import F.jsonl" SQLite "$W/sq.jsonl" "$FERRY" -q -d "sqlite:$W/ferry-in.db" import "$W/sq.jsonl"
"$FERRY" -q -d "sqlite:$W/csv-in.db" --dir "$W/sq" up
timed "sqlite3 .import --csv (floor)" SQLite "$W/sq.csv" sqlite3 "$W/csv-in.db" ".import --csv '$W/sq.csv' t"
"$FERRY" -q --dir "$W/sq" copy --from "$W/src.db" --to "sqlite:$W/ferry-in.db" --json >"$W/check.json"
jq -e '.tables | all(.skipped and .equal)' "$W/check.json" >/dev/null ||
	{ echo "ferry import into SQLite: not the source's rows" >&2; exit 1; }

log "PostgreSQL"
timed "ferry export -o F.jsonl" PostgreSQL "$W/pg.jsonl" "$FERRY" -q -d "$(pgurl src)" export -o "$W/pg.jsonl"
timed "psql \\copy t TO csv (floor)" PostgreSQL "$W/pg.csv" "$PSQL" -X -q -d "$(pgurl src)" -c "\\copy t TO '$W/pg.csv' csv"
"$FERRY" -q -d "$(pgurl ferry_in)" --dir "$W/pg-set" up
timed "ferry import F.jsonl" PostgreSQL "$W/pg.jsonl" "$FERRY" -q -d "$(pgurl ferry_in)" import "$W/pg.jsonl"
"$FERRY" -q -d "$(pgurl psql_in)" --dir "$W/pg-set" up
timed "psql \\copy t FROM csv (floor)" PostgreSQL "$W/pg.csv" "$PSQL" -X -q -d "$(pgurl psql_in)" -c "\\copy t FROM '$W/pg.csv' csv"
"$FERRY" -q --dir "$W/pg-set" copy --from "$(pgurl src)" --to "$(pgurl ferry_in)" --json >"$W/check.json"
jq -e '.tables | all(.skipped and .equal)' "$W/check.json" >/dev/null ||
	{ echo "ferry import into PostgreSQL: not the source's rows" >&2; exit 1; }

echo "# export and import, $ROWS rows, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | engine | s | rows/s | MB/s | peak RSS MiB |"
echo "|---|---|---:|---:|---:|---:|"
cat "$RESULTS"
