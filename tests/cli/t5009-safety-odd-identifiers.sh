#!/bin/sh
test_description='--table and --schema with spaces and double quotes: up, status, list, history, down, lock waits, reset'
. "$(dirname "$0")/test-lib.sh"

# Issue 5, part 12: identifiers with quotes and spaces in --schema and
# --table work, on both engines (SQLite has no schemas: --schema is the
# PostgreSQL ledger's). t9005 covers more of PostgreSQL's schemas.

odd_table='app "odd" migrations'
odd_schema='my "odd" schema'
q="'"

odd() {
	ferry -d "$DB_URL" --schema "$odd_schema" --table "$odd_table" "$@"
}

# The ledger's rows, by version, wherever the ledger is.
case $ENGINE in
sqlite) ledger='"app ""odd"" migrations"' history='"app ""odd"" migrations_history"' ;;
pg) ledger='"my ""odd"" schema"."app ""odd"" migrations"' history='"my ""odd"" schema"."app ""odd"" migrations_history"' ;;
esac

test_expect_success 'setup: three migrations' '
	mkdir migrations &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE one (id int);" "-- ferry:down" "DROP TABLE one;" >migrations/1_one.sql &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE two (id int);" "-- ferry:down" "DROP TABLE two;" >migrations/2_two.sql &&
	printf "%s\n" "-- ferry:up" "CREATE TABLE three (id int);" "-- ferry:down" "DROP TABLE three;" >migrations/3_three.sql
'

test_expect_success 'up records the run in the odd ledger' '
	odd up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     1_one ... ok (N ms)
	up     2_two ... ok (N ms)
	up     3_three ... ok (N ms)
	applied 3 migrations; database at 3
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM $ledger ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n3|complete\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, version FROM $history ORDER BY id" >actual &&
	printf "up|1\nup|2\nup|3\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'status, list and history read it' '
	odd status >out 2>err &&
	test_must_be_empty err &&
	grep "^migrations  3 complete, 0 pending\$" out &&
	grep "^lock        free\$" out &&
	odd list --json >out &&
	test_json out "length == 3" "map(.state) == [\"complete\", \"complete\", \"complete\"]" &&
	odd history --json >out &&
	test_json out "length == 3" "map(.version) == [\"3\", \"2\", \"1\"]"
'

test_expect_success 'down reverts through it' '
	odd down --steps 1 --yes </dev/null >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	printf "%s\n" "down   3_three ... ok (N ms)" "reverted 1 migration; database at 2" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT max(version) FROM $ledger" >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

# The killed holder's lock is gone (on PostgreSQL once the server has
# noticed that its client died, within a second).
lock_free() {
	odd status >status.out &&
	grep "^lock        free\$" status.out
}

trap 'test -f "$TRASH/holder.pid" && kill -9 "$(cat "$TRASH/holder.pid")" 2>/dev/null' EXIT

test_expect_success 'a second runner waits for the first one, names it, gives up (exit 4)' '
	slow_sql 100 >migrations/4_slow.sql &&
	{ "$FERRY" -d "$DB_URL" --schema "$odd_schema" --table "$odd_table" up >holder.out 2>holder.err & } &&
	echo $! >holder.pid &&
	wait_for 30 grep -q "^up     4_slow \.\.\. " holder.out &&
	test_expect_code 4 odd up --lock-timeout 1 >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on ${q}$DB_SHOWN${q}, held by pid HOLDER, USER@HOST, since TIME
	ferry: error: another ferry is working on database ${q}$DB_SHOWN${q}
	the lock is held by pid HOLDER, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	sed -e "s/pid $(cat holder.pid),/pid HOLDER,/g" err | normalize >actual &&
	test_cmp expect actual &&
	odd status >out &&
	sed -e "s/pid $(cat holder.pid),/pid HOLDER,/g" out | normalize >actual &&
	grep "^lock        held by pid HOLDER, USER@HOST, since TIME\$" actual &&
	kill -9 "$(cat holder.pid)" &&
	{ wait "$(cat holder.pid)" || :; } &&
	rm holder.pid migrations/4_slow.sql &&
	wait_for 10 lock_free
'

test_expect_success 'reset drops the odd ledger and says so' '
	odd reset --yes </dev/null >out 2>err &&
	test_must_be_empty err &&
	grep "(ferry.s ledger)\$" out >ledger &&
	test_line_count = 2 ledger &&
	odd status >out &&
	grep "^migrations  0 complete, 3 pending\$" out
'

test_done
