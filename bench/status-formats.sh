#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/status-formats.sh - `ferry status` on a large set in each format
# ferry reads (its own and other tools'), against the connect floor:
# sqlite3 / psql connecting and running one query. A benchmark, not a
# test: it prints figures and judges nothing.
#
#   bench/status-formats.sh [-n N] [--dbs sqlite,pg] [--runs R]
#                           [--formats LIST]
#
#   -n N           migrations per set (default 10000)
#   --dbs LIST     sqlite, pg or both (default: both)
#   --runs R       hyperfine runs per figure (default 10)
#   --formats LIST which formats (default: all of them)
# env: FERRY (default build/ferry), PG_URL (a server to use; default: a
#      throwaway one from tests/cli/pg-cluster.sh)
#
# Each database's ledger has every migration recorded (stamp --no-verify):
# status reads every file, then the whole ledger. Other tools' sets are
# read whole on every run (only ferry's own format uses the set cache), so
# ferry's own is shown both ways: with the cache, and without
# (FERRY_CACHE=off).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
N=10000
DBS=sqlite,pg
RUNS=10
FORMATS=ferry,golang-migrate,dbmate,goose,flyway,sql-migrate,diesel,sqlx,prisma
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	--dbs) DBS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--formats) FORMATS=$2; shift 2 ;;
	-h|--help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
done
FERRY=${FERRY:-$TOP/build/ferry}
FERRY=$(cd "$(dirname "$FERRY")" && pwd)/$(basename "$FERRY")
[ -x "$FERRY" ] || { echo "no ferry binary at $FERRY (run make)" >&2; exit 1; }
for t in hyperfine jq bc; do
	command -v $t >/dev/null || { echo "$t not found (apt-get install $t)" >&2; exit 1; }
done
PSQL=
for p in /usr/lib/postgresql/*/bin/psql; do [ -x "$p" ] && PSQL=$p; done
want() { [[ ,$DBS, == *,$1,* ]]; }
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/ferry-status-bench.XXXXXX")
chmod 755 "$W"
PG_STARTED=
cleanup() {
	[ -z "$PG_STARTED" ] || sh "$TOP/tests/cli/pg-cluster.sh" stop "$W/pg" >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT

# The set of N migrations in format $1, in directory $2: each creates a
# table, and drops it going down, the way that tool writes its files.
make_set() {
	local f=$1 d=$2 i v
	mkdir -p "$d"
	for ((i = 1; i <= N; i++)); do
		v=$(printf '%014d' "$i")
		case $f in
		ferry)
			printf -- '-- ferry:up\nCREATE TABLE t%d (id int);\n-- ferry:down\nDROP TABLE t%d;\n' "$i" "$i" >"$d/${v}_t$i.sql" ;;
		golang-migrate)
			printf 'CREATE TABLE t%d (id int);\n' "$i" >"$d/${v}_t$i.up.sql"
			printf 'DROP TABLE t%d;\n' "$i" >"$d/${v}_t$i.down.sql" ;;
		dbmate)
			printf -- '-- migrate:up\nCREATE TABLE t%d (id int);\n\n-- migrate:down\nDROP TABLE t%d;\n' "$i" "$i" >"$d/${v}_t$i.sql" ;;
		goose)
			printf -- '-- +goose Up\nCREATE TABLE t%d (id int);\n\n-- +goose Down\nDROP TABLE t%d;\n' "$i" "$i" >"$d/${v}_t$i.sql" ;;
		flyway)
			# dotted, each part within Flyway's and ferry's bounds
			v="$((i / 1000)).$((i % 1000)).1"
			printf 'CREATE TABLE t%d (id int);\n' "$i" >"$d/V${v}__t$i.sql"
			printf 'DROP TABLE t%d;\n' "$i" >"$d/U${v}__t$i.sql" ;;
		sql-migrate)
			printf -- '-- +migrate Up\nCREATE TABLE t%d (id int);\n\n-- +migrate Down\nDROP TABLE t%d;\n' "$i" "$i" >"$d/${v}_t$i.sql" ;;
		diesel)
			mkdir "$d/${v}_t$i"
			printf 'CREATE TABLE t%d (id int);\n' "$i" >"$d/${v}_t$i/up.sql"
			printf 'DROP TABLE t%d;\n' "$i" >"$d/${v}_t$i/down.sql" ;;
		sqlx)
			printf 'CREATE TABLE t%d (id int);\n' "$i" >"$d/${v}_t$i.up.sql"
			printf 'DROP TABLE t%d;\n' "$i" >"$d/${v}_t$i.down.sql" ;;
		prisma)
			mkdir "$d/${v}_t$i"
			printf 'CREATE TABLE t%d (id int);\n' "$i" >"$d/${v}_t$i/migration.sql" ;;
		esac
	done
}

if want pg; then
	[ -n "$PSQL" ] || { echo "psql not found (apt-get install postgresql-client-15)" >&2; exit 1; }
	if [ -z "${PG_URL:-}" ]; then
		log "starting a PostgreSQL server"
		PG_URL=$(sh "$TOP/tests/cli/pg-cluster.sh" start "$W/pg")
		PG_STARTED=1
	fi
fi

printf '| format | engine | floor (ms) | ferry status (ms) | ratio |\n'
printf '| --- | --- | --- | --- | --- |\n'
IFS=, read -r -a fmts <<<"$FORMATS"
for f in "${fmts[@]}"; do
	log "writing $N migrations in $f's layout"
	make_set "$f" "$W/set-$f"
	for db in sqlite pg; do
		want $db || continue
		case $db in
		sqlite)
			url="sqlite:$W/$f.db"
			floor="sqlite3 $W/$f.db 'SELECT count(*) FROM sqlite_master'" ;;
		pg)
			name="ferry_status_${f//-/_}"
			"$PSQL" -X -q -d "$PG_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
			url=$(printf '%s' "$PG_URL" | sed "s|/[^/?]*\([?]\)|/$name\1|; t; s|/[^/?]*\$|/$name|")
			floor="$PSQL -X -q -At -d '$url' -c 'SELECT count(*) FROM pg_class'" ;;
		esac
		last=$("$FERRY" --dir "$W/set-$f" -d "$url" --json list | jq -r '.[-1].version')
		"$FERRY" --dir "$W/set-$f" -d "$url" -q stamp "$last" --no-verify
		hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/h.json" \
			"$floor" \
			"$FERRY --dir $W/set-$f -d $url status" >/dev/null 2>&1
		read -r fl fe < <(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' "$W/h.json" | tr '\n' ' '; echo) || true
		printf '| %s | %s | %.1f | %.1f | %.1fx |\n' "$f" "$db" \
			"$(echo "$fl * 1000" | bc -l)" "$(echo "$fe * 1000" | bc -l)" \
			"$(echo "$fe / $fl" | bc -l)"
		if [ "$f" = ferry ]; then
			hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/h.json" \
				"env FERRY_CACHE=off $FERRY --dir $W/set-$f -d $url status" >/dev/null 2>&1
			fe=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' "$W/h.json" | head -1)
			printf '| %s (no cache) | %s | %.1f | %.1f | %.1fx |\n' "$f" "$db" \
				"$(echo "$fl * 1000" | bc -l)" "$(echo "$fe * 1000" | bc -l)" \
				"$(echo "$fe / $fl" | bc -l)"
		fi
	done
done
