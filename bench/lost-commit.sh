#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/lost-commit.sh - what a power cut right after a migration's commit
# can leave on SQLite, for ferry, the floor (sqlite3, DELETE mode, the
# default synchronous=FULL) and dbmate.
#
# In DELETE mode the commit is the unlink of the journal, and nothing syncs
# the directory after it (only synchronous=EXTRA does): until the file
# system writes the directory back, a power cut brings the journal back, and
# the next connection rolls the committed transaction back. That state is
# made here without a power cut: each tool applies two migrations, then a
# third under strace with every unlink made to succeed without unlinking
# (the unlink that did not reach the disk), and then sqlite3 opens the
# database, as the application would after the reboot. ferry commits by
# zeroing its journal's header and syncing it (PERSIST mode, see
# src/lib/db_sqlite.c) before COMMIT returns, so no unsynced step is left
# to lose. A demonstration, not a test; it prints what each tool said and
# what the database holds after.
#
#   bench/lost-commit.sh
# env: FERRY (default build/ferry), DBMATE (as syncs.sh finds it)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
FERRY=${FERRY:-$TOP/build/ferry}
case ${1:-} in -h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
for t in strace sqlite3; do
	command -v "$t" >/dev/null || { echo "$t not found (apt-get install $t)" >&2; exit 1; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/ferry-lost.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/all" "$W/ferry" "$W/dbmate" "$W/floor"
for i in 1 2 3; do
	printf 'CREATE TABLE t_%d (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t_%d VALUES (1, %s);\n' \
		"$i" "$i" "'one'" >"$W/all/000${i}_t$i.sql"
done

# lose_unlinks CMD...: run CMD with every unlink a no-op that succeeds
lose_unlinks() {
	strace -f -qq -o "$W/strace.log" -e trace=unlink,unlinkat \
		-e inject=unlink,unlinkat:retval=0 "$@"
}

# after DB TABLE: what a new connection finds: the third migration's table
# and the tool's ledger rows
after() {
	echo "  after the cut: t_3 $(sqlite3 "$1" "SELECT CASE WHEN count(*) THEN 'there' ELSE 'GONE' END FROM sqlite_master WHERE name = 't_3'"), $2 rows: $(sqlite3 "$1" "SELECT count(*) FROM $2")"
}

echo "ferry (PERSIST for the run, each commit a synced zeroed header)"
cp "$W/all/0001_t1.sql" "$W/all/0002_t2.sql" "$W/ferry/"
"$FERRY" -q --dir "$W/ferry" -d "sqlite:$W/ferry.db" up
cp "$W/all/0003_t3.sql" "$W/ferry/"
lose_unlinks "$FERRY" --dir "$W/ferry" -d "sqlite:$W/ferry.db" up 2>&1 | sed 's/^/  /'
after "$W/ferry.db" ferry_migrations

echo "sqlite3 (DELETE, synchronous=FULL), a transaction and a ledger row per migration"
sqlite3 "$W/floor.db" 'CREATE TABLE ledger (version INTEGER PRIMARY KEY)'
for i in 1 2 3; do
	{ echo 'BEGIN;'; cat "$W/all/000${i}_t$i.sql"; echo "INSERT INTO ledger VALUES ($i);"; echo 'COMMIT;'; } >"$W/floor/$i.sql"
done
sqlite3 -bail "$W/floor.db" ".read $W/floor/1.sql" ".read $W/floor/2.sql"
lose_unlinks sqlite3 -bail "$W/floor.db" ".read $W/floor/3.sql" && echo "  sqlite3: COMMIT returned"
after "$W/floor.db" ledger

DBMATE_BIN=${DBMATE:-}
if [ -z "$DBMATE_BIN" ] && p=$(command -v dbmate 2>/dev/null); then
	p=$(readlink -f "$p")
	DBMATE_BIN=$p
	if head -c 64 "$p" | grep -q node; then
		for b in "$(dirname "$p")"/../node_modules/@dbmate/linux-*/bin/dbmate; do
			[ -x "$b" ] && DBMATE_BIN=$(readlink -f "$b")
		done
	fi
fi
if [ -n "$DBMATE_BIN" ]; then
	echo "dbmate (DELETE, synchronous=NORMAL)"
	for i in 1 2; do
		{ echo '-- migrate:up'; cat "$W/all/000${i}_t$i.sql"; echo '-- migrate:down'; echo "DROP TABLE t_$i;"; } \
			>"$W/dbmate/000${i}_t$i.sql"
	done
	"$DBMATE_BIN" --no-dump-schema -d "$W/dbmate" -u "sqlite:$W/dbmate.db" migrate >/dev/null
	{ echo '-- migrate:up'; cat "$W/all/0003_t3.sql"; echo '-- migrate:down'; echo 'DROP TABLE t_3;'; } \
		>"$W/dbmate/0003_t3.sql"
	lose_unlinks "$DBMATE_BIN" --no-dump-schema -d "$W/dbmate" -u "sqlite:$W/dbmate.db" migrate 2>&1 |
		sed 's/^/  /'
	after "$W/dbmate.db" schema_migrations
else
	echo "dbmate: not installed, skipped"
fi
