#!/bin/sh
test_description='one duration per step: what up prints, what the ledger and history record'
. "$(dirname "$0")/test-lib.sh"

# Issue 18 part 4. Two measures, each named in the docs: the time up
# prints (and up --json's "ms") is the step from its start to its commit,
# as ferry saw it; the ledger's up_ms (list: TOOK) and the history's
# duration_ms (history: TOOK) are one other measure, the engine's time for
# the section's statements, the commit left out. So the two records agree,
# and the printed time is never shorter.

q="'"

test_expect_success 'setup: a migration that takes a while' '
	mkdir migrations &&
	case $ENGINE in
	pg) echo "SELECT pg_sleep(0.3);" >migrations/1_slow.sql ;;
	sqlite) echo "CREATE TABLE n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000) SELECT count(*) AS k FROM c;" >migrations/1_slow.sql ;;
	esac &&
	ferry -d "$DB_URL" up --json >up.json &&
	printed=$(jq ".applied[0].ms" up.json) &&
	ledger=$(db_sql "SELECT up_ms FROM ferry_migrations WHERE version = 1") &&
	history=$(db_sql "SELECT duration_ms FROM ferry_history WHERE version = 1 AND action = ${q}up${q}") &&
	echo "$printed $ledger $history" >times &&
	cat times
'

# Each record reads the clock for itself, a moment apart: within 5 ms and
# a tenth, times the time scale (a sanitizer build is slower between).
test_expect_success 'the ledger and the history record the same measure' '
	read printed ledger history <times &&
	tol=$(( (5 + ledger / 10) * ${FERRY_TEST_TIME_SCALE:-1} )) &&
	test $(( ledger - history )) -le $tol &&
	test $(( history - ledger )) -le $tol
'

test_expect_success 'the printed time includes the commit: never shorter' '
	read printed ledger history <times &&
	test "$printed" -ge "$ledger"
'

test_expect_success 'on PostgreSQL both see the server sleep' '
	read printed ledger history <times &&
	if test "$ENGINE" = pg; then
		test "$printed" -ge 300 &&
		test "$ledger" -ge 300
	fi
'

test_expect_success 'list and history show the recorded measure as TOOK' '
	read printed ledger history <times &&
	ferry -d "$DB_URL" list --json >list.json &&
	test "$(jq ".[0].up_ms" list.json)" = "$ledger" &&
	ferry -d "$DB_URL" history --json >history.json &&
	test "$(jq "[.[] | select(.action == \"up\")][0].duration_ms" history.json)" = "$history"
'

test_done
