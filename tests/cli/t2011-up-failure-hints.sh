#!/bin/sh
test_description='hints follow the failure: retry, free space, check the server, grant a privilege'
. "$(dirname "$0")/test-lib.sh"

# A failure whose cause is not the migration file (a lock, a full disk, a
# server gone, a privilege on ferry's own ledger) must not say "fix it and
# run again": the hint says what does help.

q="'"

test_expect_success 'setup' '
	mkdir migrations &&
	echo "CREATE TABLE t (id int);" >migrations/1_t.sql &&
	ferry -d "$DB_URL" up >out
'

test_expect_success 'SQLite: a full database or disk says to free space' '
	if test $ENGINE = sqlite; then
		cat >migrations/2_big.sql <<-\EOF &&
		PRAGMA max_page_count = 8;
		CREATE TABLE big (pad text);
		WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 10000)
		INSERT INTO big SELECT printf('"'"'%0100d'"'"', i) FROM r;
		EOF
		test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
		grep "^hint: the disk is full: free some space, then run again$" err &&
		! grep "fix it" err &&
		rm migrations/2_big.sql
	fi
'

test_expect_success 'PostgreSQL: a lock timeout the section set itself, no budget: run again, exit 4' '
	if test $ENGINE = pg; then
		cat >migrations/2_lock.sql <<-\EOF &&
		SET LOCAL lock_timeout = 200;
		LOCK TABLE t IN ACCESS EXCLUSIVE MODE;
		EOF
		{ echo "BEGIN; LOCK TABLE t; SELECT pg_sleep(5); COMMIT;" | "$PSQL" -X -q -d "$DB_URL" >/dev/null 2>&1 & } &&
		sleep 1 &&
		test_expect_code 4 ferry -d "$DB_URL" up --lock-wait 0 >out 2>err &&
		grep "(SQLSTATE 55P03)$" err &&
		grep "^hint: a lock it needs is held by another session: run again when that session is done$" err &&
		rm migrations/2_lock.sql &&
		wait
	fi
'

test_expect_success 'PostgreSQL: a server that goes away says to check the server' '
	if test $ENGINE = pg; then
		echo "SELECT pg_terminate_backend(pg_backend_pid());" >migrations/2_gone.sql &&
		test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
		grep "^hint: the server went away or is restarting: check the server, then run again$" err &&
		rm migrations/2_gone.sql
	fi
'

test_expect_success 'PostgreSQL: no privilege on ferry'"'"'s ledger says to grant it' '
	if test $ENGINE = pg; then
		db_sql "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${q}ferry_t_writer${q}) THEN CREATE ROLE ferry_t_writer LOGIN PASSWORD ${q}w${q}; END IF; END \$\$" &&
		db_sql "GRANT CREATE, USAGE ON SCHEMA public TO ferry_t_writer; GRANT SELECT ON ferry_migrations, ferry_history TO ferry_t_writer" &&
		echo "CREATE TABLE u (id int);" >migrations/2_u.sql &&
		url=$(echo "$DB_URL" | sed "s#://[^@]*@#://ferry_t_writer:w@#") &&
		test_expect_code 1 ferry -d "$url" up >out 2>err &&
		grep "(SQLSTATE 42501)$" err &&
		grep "^hint: the database user may not write ferry${q}s ledger: grant it SELECT, INSERT, UPDATE and DELETE on the ledger${q}s tables (or run as their owner), then run again$" err &&
		test "$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename = ${q}u${q}")" = 0 &&
		db_sql "REVOKE ALL ON SCHEMA public FROM ferry_t_writer; REVOKE ALL ON ferry_migrations, ferry_history FROM ferry_t_writer" &&
		rm migrations/2_u.sql
	fi
'

test_expect_success 'a migration that is wrong still says to fix it' '
	echo "CREATE TABLE t (id int);" >migrations/2_again.sql &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	grep "^hint: nothing of it was applied; fix it and run again$" err
'

test_done
