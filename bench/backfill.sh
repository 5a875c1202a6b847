#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# backfill.sh - a backfill in batches through `-- ferry:repeat`, against
# the floor: the same UPDATE, one transaction per batch, in one sqlite3 or
# psql process that knows in advance how many batches there are.
#
#   FERRY=build/ferry bash bench/backfill.sh [-n ROWS] [-b BATCH] [--runs R]
#                                            [--dbs sqlite,pg] [--pause 20ms]
#
# Prints, per engine: the floor's and ferry's median time (hyperfine) and
# their ratio; ferry's peak RSS at ROWS and at ROWS/10 (flat or not); the
# longest batch transaction ferry reports (-v); and how long a concurrent
# writer, one UPDATE of a random row every 20 ms (its own transaction),
# waited during ferry's backfill (median and worst).
set -euo pipefail

rows=1000000 batch=10000 runs=3 dbs=sqlite,pg pause=
while [ $# -gt 0 ]; do
	case $1 in
	-n) rows=$2; shift 2 ;;
	-b) batch=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--dbs) dbs=$2; shift 2 ;;
	--pause) pause=" pause=$2"; shift 2 ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	*) echo "backfill.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
FERRY=${FERRY:-$here/../build/ferry}
FERRY=$(cd "$(dirname "$FERRY")" && pwd)/$(basename "$FERRY")
PSQL=/usr/lib/postgresql/15/bin/psql
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-backfill.XXXXXX")
chmod 755 "$work"
pgdir=
cleanup() {
	[ -n "$pgdir" ] && sh "$here/../tests/cli/pg-cluster.sh" stop "$pgdir"
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
export XDG_CACHE_HOME=$work/cache
batches=$(( (rows + batch - 1) / batch ))

# The statement both run: the next BATCH rows still at version 13.
update="UPDATE docs SET body = upper(body), v = 14
 WHERE id IN (SELECT id FROM docs WHERE v = 13 ORDER BY id LIMIT $batch)"

# set DIR N: a table of N documents (migration 1), then the backfill.
set_of() {
	mkdir "$1"
	cat >"$1/0001_docs.sql" <<-EOF
	CREATE TABLE docs (id integer PRIMARY KEY, v integer NOT NULL,
		body text NOT NULL);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
		WHERE i < $2)
	INSERT INTO docs SELECT i, 13, 'document ' || i FROM n;
	EOF
	cat >"$1/0002_backfill.sql" <<-EOF
	-- ferry:up no-transaction
	-- ferry:repeat$pause
	$update;
	EOF
}
set_of big "$rows"
set_of small $((rows / 10))

# The floor: the batches and the last, empty one, each in a transaction.
{
	for ((i = 0; i <= batches; i++)); do
		echo "BEGIN; $update; COMMIT;"
	done
} >floor.sql

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# writer CMD...: run CMD every 20 ms until ./stop exists; each call's
# time in ms goes to ./waits.
writer() {
	rm -f waits stop
	while [ ! -e stop ]; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		echo $(( ($(date +%s%N) - t0) / 1000000 )) >>waits
		sleep 0.02
	done
}

report() { # engine floor_s ferry_s rss_big rss_small longest waits idle
	printf '| %s | %.3f | %.3f | %.2fx | %s / %s KiB | %s | %s / %s ms (alone %s) |\n' \
		"$1" "$2" "$3" "$(echo "$2 $3" | awk '{ print $2 / $1 }')" \
		"$4" "$5" "$6" "$(median <"$7")" "$(sort -n "$7" | tail -1)" \
		"$(median <"$8")"
}

secs() { jq -r '.results[0].median' "$1"; }

results=()
for db in ${dbs//,/ }; do
	case $db in
	sqlite)
		"$FERRY" -q --dir big -d sqlite:big.db up --to 1
		"$FERRY" -q --dir small -d sqlite:small.db up --to 1
		echo "cp big.db t.db; rm -f t.db-*" >prep.sh
		echo "cp small.db t.db; rm -f t.db-*" >prep-small.sh
		echo "sqlite3 t.db <floor.sql" >floor.sh
		url=sqlite:t.db
		writer_cmd=(sqlite3 -cmd ".timeout 60000" t.db
			"UPDATE docs SET body = body WHERE id = abs(random() % $rows) + 1;")
		;;
	pg)
		pgdir=$work/pg
		admin=$(PG_CLUSTER_FSYNC=on sh "$here/../tests/cli/pg-cluster.sh" start "$pgdir")
		q() { "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$admin" -c "$1"; }
		for d in big small; do
			q "CREATE DATABASE $d"
			"$FERRY" -q --dir $d -d "${admin/\/postgres\?//$d?}" up --to 1
		done
		url=${admin/\/postgres\?//t?}
		for d in big small; do
			echo "$PSQL -X -q -d '$admin' -c 'DROP DATABASE IF EXISTS t' -c 'CREATE DATABASE t TEMPLATE $d' && $PSQL -X -q -d '$url' -c 'VACUUM ANALYZE docs'"
		done | { read -r l; echo "$l" >prep.sh; read -r l; echo "$l" >prep-small.sh; }
		echo "$PSQL -X -q -d '$url' -f floor.sql" >floor.sh
		writer_cmd=("$PSQL" -X -q -d "$url" -c
			"UPDATE docs SET body = body WHERE id = floor(random() * $rows)::int + 1")
		;;
	*) echo "backfill.sh: unknown engine '$db'" >&2; exit 2 ;;
	esac
	hyperfine -N -r "$runs" --prepare "sh prep.sh" \
		--export-json floor.$db.json "sh floor.sh" >/dev/null
	hyperfine -N -r "$runs" --prepare "sh prep.sh" \
		--export-json ferry.$db.json \
		"$FERRY -q --dir big -d $url up" >/dev/null
	sh prep.sh
	rss_big=$(/usr/bin/time -f %M "$FERRY" -q --dir big -d "$url" up 2>&1 >/dev/null | tail -1)
	sh prep-small.sh
	rss_small=$(/usr/bin/time -f %M "$FERRY" -q --dir small -d "$url" up 2>&1 >/dev/null | tail -1)
	sh prep.sh
	# The writer alone first: what a call costs when nothing is in its way.
	writer "${writer_cmd[@]}" &
	wpid=$!
	sleep 2
	touch stop
	wait $wpid
	mv waits idle
	writer "${writer_cmd[@]}" &
	wpid=$!
	"$FERRY" -v --dir big -d "$url" up 2>ferry.err >/dev/null
	touch stop
	wait $wpid
	longest=$(sed -n 's/.*batch [0-9]*: .* in \(.*\)$/\1/p' ferry.err |
		awk '{ v = $1; if ($2 == "s") v *= 1000; if (v > m) m = v } END { print m " ms" }')
	results+=("$(report "$db" "$(secs floor.$db.json)" "$(secs ferry.$db.json)" \
		"$rss_big" "$rss_small" "$longest" waits idle)")
done

echo "rows $rows, batch $batch ($batches batches)${pause:+, ferry with$pause}, medians of $runs runs; $(date -u +%FT%TZ)"
echo
echo "| engine | floor (s) | ferry (s) | ferry / floor | ferry peak RSS, ${rows} / $((rows / 10)) rows | longest batch | writer's call during the backfill, median / worst |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${results[@]}"
