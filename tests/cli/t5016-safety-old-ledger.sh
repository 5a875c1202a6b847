#!/bin/sh
test_description='a ledger made by an older ferry gets the runner column when ferry first writes'
. "$(dirname "$0")/test-lib.sh"

# The ledger's 'runner' column (who claimed a no-transaction section) is
# new. A ledger made by ferry 0.1.0 lacks it: reading never needs it, and
# the first command that writes (up, finish, migrate, down, stamp, repair)
# adds it. Older ferry versions name their columns, so they still read and
# write such a ledger.

q="'"

# old_ledger [NAME]: the ledger tables of ferry 0.1.0 (NAME_migrations and
# NAME_history, default ferry), without the runner column.
old_ledger() {
	t=${1:-ferry}
	case $ENGINE in
	sqlite) int=INTEGER txt=TEXT ;;
	pg) int=bigint txt=text ;;
	esac
	db_sql "CREATE TABLE ${t}_migrations (version $int PRIMARY KEY, name $txt NOT NULL, state $txt NOT NULL CHECK (state IN ('up', 'complete', 'failed')), release $txt, has_finish integer NOT NULL DEFAULT 0, up_checksum $txt, finish_checksum $txt, down_checksum $txt, up_at $txt, up_ms $int, finish_at $txt, finish_ms $int, applied_by $txt NOT NULL, ferry_version $txt NOT NULL, failed_section $txt, failed_statement integer, progress $txt, error $txt)" &&
	case $ENGINE in
	sqlite) db_sql "CREATE TABLE ${t}_history (id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, version INTEGER, name TEXT, release TEXT, actor TEXT NOT NULL, duration_ms INTEGER, success INTEGER NOT NULL, error TEXT, ferry_version TEXT NOT NULL)" ;;
	pg) db_sql "CREATE TABLE ${t}_history (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at text NOT NULL, action text NOT NULL, version bigint, name text, release text, actor text NOT NULL, duration_ms bigint, success integer NOT NULL, error text, ferry_version text NOT NULL)" ;;
	esac
}

has_runner() {
	db_sql "SELECT runner FROM ferry_migrations WHERE 1 = 0" >/dev/null 2>&1
}

test_expect_success 'setup: a ledger of ferry 0.1.0 with migration 1 applied' '
	mkdir migrations &&
	printf "CREATE TABLE a (id int);\n" >migrations/1_a.sql &&
	printf -- "-- ferry:up no-transaction\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);\n" >migrations/2_b.sql &&
	printf "CREATE TABLE d (id int);\n" >migrations/3_d.sql &&
	old_ledger &&
	db_sql "CREATE TABLE a (id int)" &&
	sum=$(printf "CREATE TABLE a (id int);\n" | sha256sum | cut -d" " -f1) &&
	db_sql "INSERT INTO ferry_migrations (version, name, state, has_finish, up_checksum, up_at, applied_by, ferry_version) VALUES (1, ${q}a${q}, ${q}complete${q}, 0, ${q}$sum${q}, ${q}2026-11-01T00:00:00Z${q}, ${q}old@host${q}, ${q}0.1.0${q})" &&
	! has_runner
'

test_expect_success 'reading it adds nothing' '
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  1 complete, 2 pending$" out &&
	ferry -d "$DB_URL" validate >out &&
	! has_runner
'

test_expect_success 'stamp writes its row, the runner column added first' '
	db_sql "CREATE TABLE b (id int); CREATE TABLE c (id int)" &&
	ferry -d "$DB_URL" stamp 2 >out 2>err &&
	has_runner &&
	test "$(db_sql "SELECT state || $q $q || COALESCE(runner, $q-$q) FROM ferry_migrations WHERE version = 2")" = "complete -"
'

test_expect_success 'the rest goes up, and repair writes rows too' '
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^applied 1 migration; database at 3$" out &&
	printf "CREATE TABLE a (id int); -- edited\n" >migrations/1_a.sql &&
	ferry -d "$DB_URL" repair --yes >out 2>err &&
	ferry -d "$DB_URL" validate >out
'

test_expect_success 'up on an old ledger adds the column, then claims its no-transaction section' '
	old_ledger other &&
	mkdir other &&
	printf -- "-- ferry:up no-transaction\nCREATE TABLE e (id int);\n" >other/1_e.sql &&
	ferry -d "$DB_URL" --table other_migrations --dir other up >out 2>err &&
	grep "^up     1_e \.\.\. ok" out &&
	db_sql "SELECT runner FROM other_migrations WHERE 1 = 0" >/dev/null
'

test_done
