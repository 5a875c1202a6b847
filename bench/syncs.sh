#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/syncs.sh - how many times each tool asks the disk to sync per
# migration on SQLite: ferry, the floor (sqlite3 with one transaction per
# migration, each with a ledger row like ferry's and dbmate's) and dbmate.
# Counts, not times: strace -f counts fsync, fdatasync, sync_file_range and
# msync over a whole apply (the few of the ledger's creation included) and
# sorts them by the file synced. It judges nothing; commit-bound time
# follows these counts (see README.md).
#
#   bench/syncs.sh [-n N] [--tools ferry,floor,dbmate] [--mode M] [-o DIR]
#
#   -n N        migrations in the set (default 1000), the bodies peers.sh uses
#   --tools L   which tools (default: all three; dbmate is skipped if missing)
#   --mode M    the database's journal mode before the apply: delete
#               (default) or wal; the mode is checked again after
#   -o DIR      keep the strace logs there
# env: FERRY (default build/ferry), DBMATE (default: the binary behind npm's
#      dbmate wrapper, as peers.sh finds it)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
N=1000
TOOLS=ferry,floor,dbmate
MODE=delete
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--mode) MODE=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
done
case $MODE in delete|wal) ;; *) echo "--mode is delete or wal" >&2; exit 2 ;; esac
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 2 ] || { echo "N must be 2 or more" >&2; exit 2; }
FERRY=${FERRY:-$TOP/build/ferry}
for t in strace sqlite3; do
	command -v "$t" >/dev/null || { echo "$t not found (apt-get install $t)" >&2; exit 1; }
done
want() { [[ ,$TOOLS, == *,$1,* ]]; }

find_dbmate() {
	[ -n "${DBMATE:-}" ] && { echo "$DBMATE"; return; }
	local p b
	p=$(command -v dbmate 2>/dev/null) || return 1
	p=$(readlink -f "$p")
	if head -c 64 "$p" | grep -q node; then
		for b in "$(dirname "$p")"/../node_modules/@dbmate/linux-*/bin/dbmate \
			"$(npm root -g 2>/dev/null)"/dbmate/node_modules/@dbmate/linux-*/bin/dbmate; do
			[ -x "$b" ] && { readlink -f "$b"; return; }
		done
	fi
	echo "$p"
}

W=$(mktemp -d "${TMPDIR:-/tmp}/ferry-syncs.XXXXXX")
trap 'rm -rf "$W"' EXIT
[ -n "$OUT" ] || OUT=$W/out
mkdir -p "$OUT" "$W/ferry" "$W/dbmate"

# --- the set: peers.sh's bodies -------------------------------------------------
. "$HERE/set-body.sh"
{
	echo 'CREATE TABLE ledger (version INTEGER PRIMARY KEY, name TEXT NOT NULL, at TEXT NOT NULL);'
	for ((i = 1; i <= N; i++)); do
		id=$(pad "$i")
		body "$i" >"$W/ferry/${id}_create_t_$id.sql"
		{ echo '-- migrate:up'; cat "$W/ferry/${id}_create_t_$id.sql"; echo '-- migrate:down'; echo "DROP TABLE t_$id;"; } \
			>"$W/dbmate/${id}_create_t_$id.sql"
		echo 'BEGIN;'
		cat "$W/ferry/${id}_create_t_$id.sql"
		echo "INSERT INTO ledger VALUES ($i, 'create_t_$id', datetime('now'));"
		echo 'COMMIT;'
	done
} >"$W/floor.sql"

# A database in the mode asked for, with nothing in it yet.
fresh() {
	rm -f "$1" "$1-journal" "$1-wal" "$1-shm"
	sqlite3 "$1" "PRAGMA journal_mode = $MODE" >/dev/null
}

# Count the syncs of one apply: the total, per migration, and per
# migration by the file synced (the database, its journal, WAL or
# directory), with the journal mode the file has afterwards.
count() {
	local tool=$1 db=$2 log=$OUT/$1.strace
	shift 2
	fresh "$db"
	strace -f -y -qq -o "$log" -e trace=fsync,fdatasync,sync_file_range,msync \
		"$@" >/dev/null 2>"$OUT/$tool.err" ||
		{ cat "$OUT/$tool.err" >&2; echo "$tool failed" >&2; exit 1; }
	awk -v n="$N" -v tool="$tool" -v db="$db" -v mode="$(sqlite3 "$db" 'PRAGMA journal_mode')" '
		/(fsync|fdatasync|sync_file_range|msync)\(/ {
			match($0, /<[^>]*>/); f = substr($0, RSTART + 1, RLENGTH - 2)
			if (f == db) k = "database"
			else if (f == db "-journal") k = "journal"
			else if (f == db "-wal") k = "wal"
			else if (index(db, f "/") == 1) k = "directory"
			else k = "other"
			by[k]++; total++
		}
		END {
			printf "%-7s %6d syncs, %.2f per migration:", tool, total, total / n
			split("journal directory database wal other", order, " ")
			for (i = 1; i <= 5; i++)
				if (by[order[i]]) printf " %s %.2f", order[i], by[order[i]] / n
			printf "; journal_mode after: %s\n", mode
		}' "$log"
}

echo "N = $N, journal mode before: $MODE, $(sqlite3 --version | cut -d' ' -f1)"
if want floor; then
	count floor "$W/floor.db" sqlite3 -bail "$W/floor.db" ".read $W/floor.sql"
fi
if want ferry; then
	count ferry "$W/ferry.db" "$FERRY" -q --dir "$W/ferry" -d "sqlite:$W/ferry.db" up
fi
if want dbmate; then
	if DBMATE_BIN=$(find_dbmate); then
		count dbmate "$W/dbmate.db" "$DBMATE_BIN" --no-dump-schema -d "$W/dbmate" \
			-u "sqlite:$W/dbmate.db" migrate
	else
		echo "dbmate  not installed, skipped"
	fi
fi
