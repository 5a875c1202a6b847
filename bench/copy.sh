#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/copy.sh - moving a whole database from SQLite to PostgreSQL:
# ferry against pgloader and the floor, on the same data in the same run.
# A benchmark, not a test: it prints figures and judges nothing, except
# that every result loaded into PostgreSQL must equal the source (exit 1
# if one does not).
#
#   ROWS=100000 bench/copy.sh [-o DIR]
#
#   -o DIR   keep the logs and results.md (default: a directory that is
#            removed at the end, after results.md is printed)
# env: ROWS   rows in all four tables together (default 10000000, about
#             1 GB of SQLite; 100000 for a quick run)
#      WORK   where the generated source database is cached, by size and
#             by the text that makes it (default /tmp/ferry-bench-copy);
#             the PostgreSQL cluster and the files of the run go there too
#      FERRY  the ferry binary (default build/ferry)
#
# The data: bench/copy-set (customers, products, orders -> customers,
# order_items -> orders, products; unique and secondary indexes) applied
# by ferry to version 1, the rows made by sqlite3 from recursive CTEs in
# one transaction (journal off: the file is rebuilt if the fill fails),
# then the set's version 2 (the indexes). 5% customers, 1% products, 24%
# orders, the rest order items.
#
# What is timed (/usr/bin/time: wall seconds and the peak RSS of the
# client process; the PostgreSQL server's own memory is not counted):
#   - sqlite3 .dump to a file, and sqlite3 to one CSV file per table: what
#     reading the source costs at least;
#   - the CSV floor: those files into a database made by the set up to
#     version 1 (psql \copy), then the set's version 2 (indexes built
#     once, after the rows): the fastest manual path, end to end; twice,
#     foreign keys checked row by row, and checked once after the load;
#   - pgloader, the whole SQLite file into an empty database, schema
#     made by pgloader itself from SQLite's declared types;
#   - ferry export to JSON Lines; ferry import of that file into a
#     database the set brought to head; ferry copy, which brings the
#     target to the source's version with the set and streams every table.
#     Commands this ferry lacks are reported as such.
# Each tool loads into its own fresh database, dropped once checked.
# rows/s and MB/s are over all ROWS rows and the SQLite file's size.
#
# Checked: per table, the row count and the SHA-256 of every row in one
# text form, ordered by primary key, computed by sqlite3 on the source
# and by psql on the target (NULL as \N, floats to 6 decimals, numerics
# to 2, booleans 0/1, timestamps 'YYYY-MM-DD HH:MM:SS', blobs in hex):
# whatever types a tool chose, the same values give the same text.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SET=$HERE/copy-set
ROWS=${ROWS:-10000000}
WORK=${WORK:-/tmp/ferry-bench-copy}
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	-o) OUT=$2; shift 2 ;;
	-h|--help) sed -n '3,50p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "copy.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ $ROWS =~ ^[0-9]+$ ]] && [ "$ROWS" -ge 1000 ] ||
	{ echo "copy.sh: ROWS must be a number >= 1000" >&2; exit 2; }
log() { printf '[copy %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

FERRY=${FERRY:-$TOP/build/ferry}
FERRY=$(cd "$(dirname "$FERRY")" && pwd)/$(basename "$FERRY")
[ -x "$FERRY" ] || { echo "no ferry binary at $FERRY (run make)" >&2; exit 1; }
PSQL=/usr/lib/postgresql/15/bin/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql)
for t in sqlite3 pgloader /usr/bin/time sha256sum; do
	command -v "$t" >/dev/null || {
		echo "$t not found (apt-get install -y sqlite3 pgloader time)" >&2
		exit 1
	}
done

# pgloader 3.6.9 calls itself "3.6.7~devel": the package's version is the
# one to quote. (sed, not head: pgloader dies of a broken pipe.)
PGLOADER_VERSION=$(dpkg-query -W -f '${Version}' pgloader 2>/dev/null ||
	pgloader --version 2>/dev/null | sed -n '1s/[^"]*"\([^"]*\)".*/\1/p')

# The commands being written: present only if this ferry has them. `ferry
# import` already exists for migration sets (--from FORMAT SRC DEST); the
# import of an export file is told apart by its help mentioning JSON Lines.
HAVE_COPY=no
HAVE_IMPORT=no
"$FERRY" help copy >/dev/null 2>&1 && HAVE_COPY=yes
"$FERRY" help import 2>/dev/null | grep -qiE 'jsonl|json lines|ferry export' &&
	HAVE_IMPORT=yes

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
W=$(mktemp -d "$WORK/run.XXXXXX")
chmod 755 "$W"
[ -n "$OUT" ] || OUT=$W/out
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

PGDIR=
cleanup() {
	[ -n "$PGDIR" ] && sh "$TOP/tests/cli/pg-cluster.sh" stop "$PGDIR"
	find "$W" -mindepth 1 -maxdepth 1 ! -path "$OUT" -exec rm -rf {} +
	[ "$OUT" = "$W/out" ] || rmdir "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the source database -----------------------------------------------------
NCUST=$((ROWS / 20))
NPROD=$((ROWS / 100))
NORD=$((ROWS * 6 / 25))
NITEMS=$((ROWS - NCUST - NPROD - NORD))
TABLES="customers products orders order_items"

# Each table's columns and how to put a value in the canonical text form.
declare -A COLS=(
	[customers]="id:int email:text name:text phone:int score:float active:bool created_at:ts"
	[products]="id:int sku:text title:text price:num weight:float image:blob"
	[orders]="id:int customer_id:int placed_at:ts status:text total:num paid:bool ship_to:text note:text"
	[order_items]="id:int order_id:int product_id:int quantity:int unit_price:num discount:float label:text"
)

# fill_sql: the rows. Values are chosen to survive both engines and every
# text form: cents / 100 (numeric affinity makes them REAL on SQLite; a
# double holds them to the cent), floats n / 64 or n / 16 (exact in
# binary, even in PostgreSQL's 4-byte real), timestamps as text without a
# zone, booleans 0 and 1, text with commas, quotes and non-ASCII letters
# (CSV and JSON must quote them), some NULLs, random blobs.
fill_sql() {
	cat <<-EOF
	PRAGMA journal_mode = off;
	PRAGMA synchronous = off;
	PRAGMA cache_size = -262144;
	BEGIN;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NCUST)
	INSERT INTO customers (id, email, name, phone, score, active, created_at)
	SELECT i, 'user' || i || '@example.com',
		CASE i % 4 WHEN 0 THEN 'Zoë Ångström ' || i WHEN 1 THEN 'O''Brien, Pat ' || i
			WHEN 2 THEN 'Sam "Q" Lee ' || i ELSE 'Customer ' || i END,
		CASE WHEN i % 10 = 0 THEN NULL ELSE 33600000000 + i * 7 END,
		(i % 100003) / 64.0 - 500,
		i % 3 <> 0,
		datetime(1500000000 + i * 97, 'unixepoch')
	FROM n;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NPROD)
	INSERT INTO products (id, sku, title, price, weight, image)
	SELECT i, 'SKU-' || printf('%08d', i),
		'Product ' || i || CASE i % 5 WHEN 0 THEN ', large' ELSE '' END,
		(1 + (i * 7919) % 500000) / 100.0,
		CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 4000) / 16.0 END,
		CASE WHEN i % 11 = 0 THEN NULL ELSE randomblob(32 + i % 200) END
	FROM n;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NORD)
	INSERT INTO orders (id, customer_id, placed_at, status, total, paid, ship_to, note)
	SELECT i, 1 + (i * 7919) % $NCUST,
		datetime(1600000000 + i * 13, 'unixepoch'),
		CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' WHEN 2 THEN 'shipped'
			ELSE 'cancelled' END,
		(i * 104729 % 10000000) / 100.0,
		i % 4 <> 0,
		(i % 9999) || ' rue de l''Église, bâtiment ' || (i % 7) || ', '
			|| (10000 + i % 89999) || ' Lyon, France',
		CASE WHEN i % 20 = 0 THEN 'leave at the door, ring "twice"' END
	FROM n;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NITEMS)
	INSERT INTO order_items (id, order_id, product_id, quantity, unit_price, discount, label)
	SELECT i, 1 + ((i - 1) * $NORD) / $NITEMS, 1 + (i * 7919) % $NPROD, 1 + i % 5,
		(1 + (i * 31337) % 500000) / 100.0,
		(i % 16) / 64.0,
		'Product ' || (1 + (i * 7919) % $NPROD) || ' × ' || (1 + i % 5)
	FROM n;
	COMMIT;
	EOF
}

# The cache key: the size, the set and the fill, so that a change to
# either makes a new file rather than reusing a stale one.
KEY=$({ echo "$ROWS"; cat "$SET"/*.sql; fill_sql; } | sha256sum | cut -c1-12)
SRC=$WORK/source-$ROWS-$KEY.db
if [ ! -f "$SRC" ]; then
	log "generating $SRC ($ROWS rows)"
	tmp=${SRC%.db}-partial.db
	rm -f "$tmp" "$tmp"-*
	"$FERRY" -q -d "$tmp" --dir "$SET" up --to 1
	fill_sql | sqlite3 -bail "$tmp" >/dev/null
	# The indexes after the rows: built once, not row by row.
	"$FERRY" -q -d "$tmp" --dir "$SET" up
	mv "$tmp" "$SRC"
	rm -f "$SRC.sums"
fi
SRC_BYTES=$(stat -c %s "$SRC")
SRC_MB=$(awk -v b="$SRC_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')

# sqlite_expr / pg_expr TABLE: one text value per row, the same on both
# sides for the same values. PostgreSQL casts through the widest type
# (real -> float8 before numeric: float4 -> numeric keeps only 6 digits),
# so the form holds whatever column types a tool chose.
sqlite_expr() {
	local c n k e out=
	for c in ${COLS[$1]}; do
		n=${c%%:*}
		k=${c#*:}
		case $k in
		int|text|ts) e=$n ;;
		float) e="printf('%.6f', $n)" ;;
		num) e="printf('%.2f', $n)" ;;
		bool) e="CASE WHEN $n THEN 1 ELSE 0 END" ;;
		blob) e="lower(hex($n))" ;;
		esac
		# Not coalesce: printf() and hex() make text of a NULL.
		out="$out${out:+ || '|' || }CASE WHEN $n IS NULL THEN '\\N' ELSE $e END"
	done
	echo "$out"
}
pg_expr() {
	local c n k e out=
	for c in ${COLS[$1]}; do
		n=${c%%:*}
		k=${c#*:}
		case $k in
		int|text) e="$n::text" ;;
		float) e="round($n::float8::numeric, 6)::text" ;;
		num) e="round($n::numeric, 2)::text" ;;
		bool) e="$n::int::text" ;;
		ts) e="to_char($n, 'YYYY-MM-DD HH24:MI:SS')" ;;
		blob) e="encode($n, 'hex')" ;;
		esac
		out="$out${out:+ || '|' || }coalesce($e, '\\N')"
	done
	echo "$out"
}

# sums_sqlite: "table count sha" per table of the source, kept beside it.
if [ ! -s "$SRC.sums" ]; then
	log "checksumming the source"
	for t in $TABLES; do
		n=$(sqlite3 "$SRC" "SELECT count(*) FROM $t")
		h=$(sqlite3 -batch -noheader "$SRC" "SELECT $(sqlite_expr "$t") FROM $t ORDER BY id" |
			sha256sum | cut -c1-64)
		echo "$t $n $h"
	done >"$SRC.sums.tmp"
	mv "$SRC.sums.tmp" "$SRC.sums"
fi
declare -A COUNT=()
while read -r t n _; do
	COUNT[$t]=$n
done <"$SRC.sums"

# --- PostgreSQL --------------------------------------------------------------
log "starting a PostgreSQL server (fsync on)"
PGDIR=$W/pg
ADMIN=$(PG_CLUSTER_FSYNC=on sh "$TOP/tests/cli/pg-cluster.sh" start "$PGDIR")
q() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# A bulk load's usual setting, the same for every tool: without it the
# default 1 GB of WAL forces a checkpoint every few hundred MB loaded.
q "$ADMIN" "ALTER SYSTEM SET max_wal_size = '8GB'" >/dev/null
q "$ADMIN" "SELECT pg_reload_conf()" >/dev/null
dburl() { echo "${ADMIN/\/postgres\?//$1?}"; }
freshdb() {
	q "$ADMIN" "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
	q "$ADMIN" "CREATE DATABASE $1"
}

# verify_pg DB: yes when every table's count and checksum match the source
# (the differences go to the log), no otherwise.
verify_pg() {
	local url t n h ok=yes cn
	url=$(dburl "$1")
	while read -r t n h; do
		cn=$(q "$url" "SELECT count(*) FROM $t" 2>>"$OUT/$1.verify") || cn=error
		h2=$(PGOPTIONS="-c TimeZone=UTC" "$PSQL" -X -At -v ON_ERROR_STOP=1 \
			-v FETCH_COUNT=20000 -d "$url" \
			-c "SELECT $(pg_expr "$t") FROM $t ORDER BY id" 2>>"$OUT/$1.verify" |
			sha256sum | cut -c1-64)
		if [ "$cn" != "$n" ] || [ "$h2" != "$h" ]; then
			echo "$t: source $n rows $h, $1 $cn rows $h2" >>"$OUT/$1.verify"
			ok=no
		fi
	done <"$SRC.sums"
	q "$ADMIN" "DROP DATABASE $1 WITH (FORCE)"
	echo "$ok"
}

# timed NAME CMD...: run CMD, keep its output in OUT/NAME.log, and its
# wall seconds and peak RSS (KiB) in OUT/NAME.time. The exit status is
# CMD's.
timed() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$OUT/$name.time" "$@" >"$OUT/$name.log" 2>&1
}

RESULTS=$OUT/results.md
rm -f "$OUT"/*.verify
FAILED=0
# row LABEL SECONDS RSS_KIB VERIFIED: one line of the table.
row() {
	awk -v l="$1" -v s="$2" -v k="$3" -v v="$4" -v r="$ROWS" -v b="$SRC_BYTES" 'BEGIN {
		if (s == "-") { printf "| %s | - | - | - | - | %s |\n", l, v; exit }
		if (s < 0.01) s = 0.01
		printf "| %s | %.2f | %.0f | %.1f | %s | %s |\n", l, s, r / s, b / 1048576 / s,
			(k == "-" ? "-" : sprintf("%.0f", k / 1024)), v }' >>"$RESULTS"
	[ "$4" != no ] || FAILED=1
}
secs() { cut -d' ' -f1 "$OUT/$1.time"; }
rss() { cut -d' ' -f2 "$OUT/$1.time"; }

{
	echo "# copy SQLite -> PostgreSQL"
	echo
	echo '```'
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/^Mem:/ { print $2 }') GiB, $(uname -r), load: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ferry: $("$FERRY" --version); copy: $HAVE_COPY; import of an export: $HAVE_IMPORT"
	echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1), $("$PSQL" -X -At -d "$ADMIN" -c 'SHOW server_version'), pgloader $PGLOADER_VERSION"
	echo "source: $SRC, $SRC_MB MiB, $ROWS rows: customers ${COUNT[customers]}, products ${COUNT[products]}, orders ${COUNT[orders]}, order_items ${COUNT[order_items]}"
	echo "PostgreSQL: fsync on, max_wal_size 8GB, other settings default"
	echo '```'
	echo
	echo "| tool | wall s | rows/s | MB/s | peak RSS MiB | verified |"
	echo "|---|---:|---:|---:|---:|---|"
} >"$RESULTS"

# --- the floor: reading the source -------------------------------------------
log "sqlite3 .dump"
timed dump sh -c 'sqlite3 "$1" .dump >"$2"' sh "$SRC" "$W/dump.sql"
DUMP_MB=$(du -m "$W/dump.sql" | cut -f1)
rm -f "$W/dump.sql"
row "sqlite3 .dump to a file ($DUMP_MB MiB; not loadable by psql)" "$(secs dump)" "$(rss dump)" -

# One CSV file per table: floats with 17 digits (sqlite3's CSV mode gives
# 15), blobs as bytea's hex input, booleans as 0/1, which COPY takes. NULL
# stays NULL (printf() would make it 0), an empty field in CSV.
log "sqlite3 to CSV"
mkdir -p "$W/csv"
{
	echo ".mode csv"
	for t in $TABLES; do
		sel=
		for c in ${COLS[$t]}; do
			n=${c%%:*}
			case ${c#*:} in
			float) sel="$sel${sel:+, }CASE WHEN $n IS NULL THEN NULL ELSE printf('%!.17g', $n) END" ;;
			blob) sel="$sel${sel:+, }CASE WHEN $n IS NULL THEN NULL ELSE '\\x' || hex($n) END" ;;
			*) sel="$sel${sel:+, }$n" ;;
			esac
		done
		echo ".once $W/csv/$t.csv"
		echo "SELECT $sel FROM $t ORDER BY id;"
	done
} >"$W/csv.sql"
timed csv-out sh -c 'sqlite3 -bail "$1" <"$2"' sh "$SRC" "$W/csv.sql"
CSV_MB=$(du -cm "$W"/csv/*.csv | tail -1 | cut -f1)
row "sqlite3 to CSV, 4 files ($CSV_MB MiB)" "$(secs csv-out)" "$(rss csv-out)" -

# floor_load NAME HOW: the CSV files into a fresh database NAME made by
# the set up to version 1, then its version 2 (the indexes, built once
# after the rows). HOW is `checked`: every row's foreign keys checked as
# COPY goes (the constraints the set declares, as they are), or `after`:
# COPY with the foreign-key triggers off (session_replication_role =
# replica, superuser only), then each key checked once over the whole
# table by an anti-join, which is what pgloader's ALTER TABLE ... ADD
# FOREIGN KEY after its load costs (an orphan fails the cast to int, with
# its count in the message). Adds two rows to the table.
FKS="orders.customer_id:customers order_items.order_id:orders order_items.product_id:products"
floor_load() {
	local name=$1 how=$2 url fk opts='' s m v
	log "floor: psql \\copy the CSV files, foreign keys $how"
	freshdb "$name"
	url=$(dburl "$name")
	{
		for t in $TABLES; do
			echo "\\copy $t FROM '$W/csv/$t.csv' WITH (FORMAT csv)"
		done
		if [ "$how" = after ]; then
			for fk in $FKS; do
				echo "SELECT CASE WHEN count(*) > 0 THEN ('$fk orphans: ' || count(*))::int END FROM ${fk%%.*} x
					LEFT JOIN ${fk#*:} p ON p.id = x.$(echo "$fk" | cut -d. -f2 | cut -d: -f1)
					WHERE p.id IS NULL;"
			done
		fi
	} >"$W/$name.psql"
	[ "$how" = after ] && opts="-c session_replication_role=replica"
	# The floor failing is the benchmark failing: say where, and stop.
	timed "$name-schema" "$FERRY" -q -d "$url" --dir "$SET" up --to 1 &&
		PGOPTIONS="$opts" timed "$name-copy" "$PSQL" -X -q -v ON_ERROR_STOP=1 \
			-d "$url" -f "$W/$name.psql" &&
		timed "$name-index" "$FERRY" -q -d "$url" --dir "$SET" up ||
		{ log "the floor failed: see $OUT/$name-*.log"; exit 1; }
	s=$(awk -v a="$(secs "$name-schema")" -v b="$(secs "$name-copy")" \
		-v c="$(secs "$name-index")" 'BEGIN { print a + b + c }')
	m=$(printf '%s\n' "$(rss "$name-schema")" "$(rss "$name-copy")" "$(rss "$name-index")" |
		sort -n | tail -1)
	log "verifying"
	v=$(verify_pg "$name")
	row "psql \\copy CSV, foreign keys $how, into the set at 1, then its indexes ($(secs "$name-copy") s + $(secs "$name-index") s)" "$s" "$m" "$v"
	s=$(awk -v a="$s" -v b="$(secs csv-out)" 'BEGIN { print a + b }')
	row "**floor: sqlite3 -> CSV -> psql \\copy, keys $how, end to end**" "$s" "$m" "$v"
}
floor_load floor_fk_checked checked
floor_load floor_fk_after after
rm -rf "$W/csv"

# --- pgloader ------------------------------------------------------------------
# Its defaults for SQLite (create tables, create indexes, include drop,
# reset sequences, downcase identifiers), written out, plus one cast: its
# rules turn only a column declared `blob` into bytea's bytes, and one
# declared `bytea` (as here, a name SQLite takes for any type) is loaded
# as the text of a Lisp vector, "#(254 248 ...)": the checksum fails
# without the cast. A command file, not arguments, to leave ferry's
# ledger behind, as ferry export does.
log "pgloader"
freshdb pgloader
cat >"$W/pgloader.load" <<-EOF
LOAD DATABASE
     FROM sqlite://$SRC
     INTO $(dburl pgloader)
WITH include drop, create tables, create indexes, reset sequences
CAST type bytea to bytea using byte-vector-to-bytea
EXCLUDING TABLE NAMES LIKE 'ferry_%';
EOF
if timed pgloader pgloader --no-ssl-cert-verification -D "$W/pgloader" "$W/pgloader.load"; then
	"$PSQL" -X -d "$(dburl pgloader)" -c '\d+ customers' -c '\d+ products' \
		-c '\d+ orders' -c '\d+ order_items' >"$OUT/pgloader.schema" 2>&1 || true
	log "verifying"
	row "pgloader $PGLOADER_VERSION" "$(secs pgloader)" \
		"$(rss pgloader)" "$(verify_pg pgloader)"
else
	log "pgloader failed: see $OUT/pgloader.log"
	row "pgloader (failed, exit status in pgloader.log)" - - no
fi

# --- ferry ---------------------------------------------------------------------
log "ferry export"
if timed export "$FERRY" -d "$SRC" export -o "$W/export.jsonl"; then
	EXPORT_MB=$(du -m "$W/export.jsonl" | cut -f1)
	# Counted per table from the rows' "table" field.
	v=yes
	awk -F'"' 'NR > 1 { n[$4]++ } END { for (t in n) print t, n[t] }' "$W/export.jsonl" |
		sort >"$W/export.counts"
	cut -d' ' -f1-2 "$SRC.sums" | sort | cmp -s - "$W/export.counts" || v=no
	row "ferry export to JSON Lines ($EXPORT_MB MiB; counts checked)" "$(secs export)" "$(rss export)" "$v"
else
	log "ferry export failed: see $OUT/export.log"
	row "ferry export (failed)" - - no
fi

if [ "$HAVE_IMPORT" = no ]; then
	row "ferry import: not available in this ferry" - - -
elif [ -f "$W/export.jsonl" ]; then
	log "ferry import"
	freshdb import
	# The set brings the empty database to head first (untimed: empty
	# tables); the import then fills them.
	"$FERRY" -q -d "$(dburl import)" --dir "$SET" up
	if timed import "$FERRY" -d "$(dburl import)" import "$W/export.jsonl"; then
		log "verifying"
		v=$(verify_pg import)
		row "ferry import of the JSON Lines, into the set at head" "$(secs import)" "$(rss import)" "$v"
		s=$(awk -v a="$(secs export)" -v b="$(secs import)" 'BEGIN { print a + b }')
		m=$(printf '%s\n' "$(rss export)" "$(rss import)" | sort -n | tail -1)
		row "**ferry export + import, end to end**" "$s" "$m" "$v"
	else
		log "ferry import failed: see $OUT/import.log"
		row "ferry import (failed)" - - no
	fi
fi
rm -f "$W/export.jsonl"

if [ "$HAVE_COPY" = no ]; then
	row "ferry copy: not available in this ferry" - - -
else
	log "ferry copy"
	freshdb copy
	if timed copy "$FERRY" --dir "$SET" copy --from "$SRC" --to "$(dburl copy)"; then
		log "verifying"
		row "**ferry copy**" "$(secs copy)" "$(rss copy)" "$(verify_pg copy)"
	else
		log "ferry copy failed: see $OUT/copy.log"
		row "ferry copy (failed)" - - no
	fi
fi

echo
cat "$RESULTS"
if [ "$FAILED" = 1 ]; then
	log "a tool failed or its result differs from the source: see the .log and .verify files in $OUT"
	[ "$OUT" != "$W/out" ] || cat "$OUT"/*.verify >&2 2>/dev/null || true
	exit 1
fi
log "results in $RESULTS"
