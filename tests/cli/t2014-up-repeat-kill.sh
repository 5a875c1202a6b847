#!/bin/sh
test_description='ferry up killed with SIGKILL inside a loop of -- ferry:repeat batches: each batch whole or absent, never run twice, the ledger counting exactly what is committed'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-fault.sh"

# Issue 14, part 1: "a kill between batches". 200 rows, batches of 10,
# each batch slowed down on purpose (80 to 150 ms), so that the kills land
# inside batches and between them. `touched` counts how often a row was
# changed; after every kill, the rows changed once are exactly the rows the
# ledger row's progress counts, and none was changed twice.

trap 'kill -9 $(jobs -p) 2>/dev/null' EXIT

case $ENGINE in
sqlite) slow="(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 600000) SELECT count(*) FROM r) > 0" ;;
pg) slow="(SELECT pg_sleep(0.08)::text) IS NOT NULL" ;;
esac

test_expect_success 'setup: 200 rows and a backfill of 20 slow batches' '
	mkdir migrations &&
	cat >migrations/0001_docs.sql <<-\EOF &&
	CREATE TABLE docs (id integer PRIMARY KEY, touched integer NOT NULL DEFAULT 0);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
	INSERT INTO docs (id) SELECT i FROM n;
	EOF
	cat >migrations/0002_backfill.sql <<-EOF &&
	-- ferry:up no-transaction
	-- ferry:repeat
	UPDATE docs SET touched = touched + 1
	 WHERE id IN (SELECT id FROM docs WHERE touched = 0 ORDER BY id LIMIT 10)
	   AND $slow;
	EOF
	ferry -q -d "$DB_URL" up --to 1
'

# consistent: no row changed twice, and the rows changed once are those
# the ledger counts ("#<batches>:<rows>" in progress; all when done, or
# when progress holds the statement's hash, its loop ended).
consistent() {
	db_sql "SELECT count(*) FROM docs WHERE touched > 1" >twice &&
	echo 0 >zero &&
	test_cmp zero twice &&
	db_sql "SELECT count(*) FROM docs WHERE touched = 1" >done.n &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 2" >state &&
	db_sql "SELECT progress FROM ferry_migrations WHERE version = 2" >progress &&
	case "$(cat state) $(cat progress)" in
	"complete "*) echo 200 >counted ;;
	*"#"*) sed "s/.*#[0-9]*://" progress >counted ;;
	# The hash of the statement alone: its loop ended (killed before the row
	# became complete), so every row is done.
	"failed "?*) echo 200 >counted ;;
	*) echo 0 >counted ;;
	esac &&
	echo "$(cat done.n) rows done; ledger: $(cat state) $(cat progress)" &&
	test_cmp counted done.n
}

for ms in 150 330 520 700 880 1060
do
	test_expect_success "killed after $ms ms: every batch whole or absent, the ledger exact" '
		fault_kill $((ms * 1000)) -d "$DB_URL" up --lock-timeout 10 &&
		fault_settled &&
		case $(cat killed.rc) in
		137|0) ;;
		*) cat killed.err; false ;;
		esac &&
		consistent
	'
done

test_expect_success 'the next run finishes the loop, no row changed twice' '
	ferry -d "$DB_URL" up >out 2>err &&
	consistent &&
	db_sql "SELECT touched, count(*) FROM docs GROUP BY touched" >actual &&
	echo "1|200" >expect &&
	test_cmp expect actual &&
	test $fault_kills -ge 2
'

test_done
