# SPDX-License-Identifier: MIT
#
# set-body.sh - sourced by run.sh and syncs.sh: the migration body of
# ../shared/bench/peers.sh, so that every figure is of the same SQL.

# pad N: the migration's number, as the tables are named.
pad() { printf '%04d' "$1"; }

# body N: migration N's SQL: a table, an index, ten rows.
body() {
	local i r
	i=$(pad "$1")
	printf 'CREATE TABLE t_%s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0);\n' "$i"
	printf 'CREATE INDEX t_%s_name_idx ON t_%s (name);\n' "$i" "$i"
	for r in 1 2 3 4 5 6 7 8 9 10; do
		printf "INSERT INTO t_%s (id, name, qty) VALUES (%d, 'row-%d', %d);\n" "$i" "$r" "$r" "$((r * 7))"
	done
}
