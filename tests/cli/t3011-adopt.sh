#!/bin/sh
test_description='ferry adopt: take over a database another tool migrated'
. "$(dirname "$0")/test-lib.sh"

# Issue 15 part 2. For each tool, a database left the way it leaves one
# (its ledger table made here with plain SQL, as its sources create it),
# adopted, then carried on with `up` of a newer file. The other tool's
# table is only read; bad states, unknown migrations and changed
# checksums are refused before anything is written.

case $ENGINE in
sqlite) bool_t=1 bool_f=0 serial="INTEGER PRIMARY KEY AUTOINCREMENT" ts=TIMESTAMP ;;
pg) bool_t=true bool_f=false serial="serial PRIMARY KEY" ts=timestamptz ;;
esac

# Start each tool from nothing: no tables, no ledgers.
fresh() {
	for t in ferry_migrations ferry_history a1 a2 a3 schema_migrations goose_db_version flyway_schema_history __diesel_schema_migrations _sqlx_migrations _prisma_migrations gorp_migrations; do
		db_sql "DROP TABLE IF EXISTS $t" || return 1
	done &&
	db_sql "CREATE TABLE a1 (id int)" &&
	db_sql "CREATE TABLE a2 (id int)"
}

# The rows of table $1, to compare before and after.
rows_of() {
	db_sql "SELECT * FROM $1 ORDER BY 1"
}

# What ferry's ledger holds afterwards, and that 3 then goes up.
adopted_then_up() {
	db_sql "SELECT version, state FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete\n2|complete\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT action, version, error FROM ferry_history ORDER BY id" >actual &&
	printf "adopt|1|$1 ran it ($2)\nadopt|2|$1 ran it ($2)\n" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^applied 1 migration; database at 3\$" out
}

test_expect_success 'setup: three migrations; the database has the tables of 1 and 2' '
	mkdir migrations &&
	for i in 1 2 3; do
		echo "CREATE TABLE a$i (id int);" >migrations/${i}_a$i.sql
	done
'

test_expect_success 'no other ledger: refused, with where to look' '
	fresh &&
	cat >expect <<-\EOF &&
	ferry: error: the database has no other tool'"'"'s ledger to adopt
	hint: adopt reads golang-migrate'"'"'s or dbmate'"'"'s schema_migrations, goose_db_version, flyway_schema_history, __diesel_schema_migrations, _sqlx_migrations, _prisma_migrations or gorp_migrations; for a database that grew without one, see '"'"'ferry stamp'"'"'
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" adopt
'

test_expect_success 'golang-migrate: one row, every version up to it; --dry-run writes nothing' '
	fresh &&
	db_sql "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)" &&
	db_sql "INSERT INTO schema_migrations VALUES (2, $bool_f)" &&
	db_snapshot before &&
	ferry -d "$DB_URL" adopt --dry-run >out 2>err &&
	db_snapshot after &&
	test_cmp before after &&
	cat >expect <<-\EOF &&
	adopt  1_a1
	adopt  2_a2
	would record 2 migrations as complete, as golang-migrate ran them; nothing changed
	EOF
	test_cmp expect out &&
	ferry -d "$DB_URL" status >out &&
	grep "^adopt       .\(public\.\)\{0,1\}schema_migrations. (dbmate, golang-migrate or Rails) is another tool.s ledger: .ferry adopt. records what it ran\$" out &&
	ferry -d "$DB_URL" --json status >out &&
	test_json out ".foreign_ledger | test(\"schema_migrations\")" &&
	rows_of schema_migrations >foreign.before &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	test_must_be_empty err &&
	grep "^recorded 2 migrations as complete, as golang-migrate ran them\$" out &&
	rows_of schema_migrations >foreign.after &&
	test_cmp foreign.before foreign.after &&
	ferry -d "$DB_URL" status >out &&
	! grep "^adopt" out &&
	adopted_then_up golang-migrate schema_migrations
'

test_expect_success 'golang-migrate: adopting again finds nothing to do' '
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^nothing to do: ferry'"'"'s ledger has every migration golang-migrate ran\$" out
'

test_expect_success 'golang-migrate: a dirty ledger is refused, naming the row' '
	fresh &&
	db_sql "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)" &&
	db_sql "INSERT INTO schema_migrations VALUES (2, $bool_t)" &&
	cat >expect <<-\EOF &&
	ferry: error: golang-migrate'"'"'s ledger is in a bad state: migration '"'"'2'"'"' in schema_migrations
	dirty: it failed half way, and golang-migrate wants it fixed by hand and forced
	hint: settle it with golang-migrate first (finish or undo that migration), then adopt
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" adopt
'

test_expect_success 'a migration the other tool ran that no file has is refused' '
	db_sql "UPDATE schema_migrations SET version = 9, dirty = $bool_f" &&
	cat >expect <<-\EOF &&
	ferry: error: golang-migrate ran migration '"'"'9'"'"', which no file has
	hint: adopt with the files of the release that migrated this database (--dir), or a newer one
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" adopt
'

test_expect_success 'dbmate: one row per migration, versions as text' '
	fresh &&
	db_sql "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)" &&
	db_sql "INSERT INTO schema_migrations VALUES ('"'"'1'"'"'), ('"'"'2'"'"')" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 2 migrations as complete, as dbmate ran them\$" out &&
	adopted_then_up dbmate schema_migrations
'

test_expect_success 'goose: the last row of a version says whether it is applied' '
	fresh &&
	db_sql "CREATE TABLE goose_db_version (id $serial, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT CURRENT_TIMESTAMP)" &&
	db_sql "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, $bool_t), (1, $bool_t), (2, $bool_t), (3, $bool_t), (3, $bool_f)" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 2 migrations as complete, as goose ran them\$" out &&
	adopted_then_up goose goose_db_version
'

flyway_table() {
	db_sql "CREATE TABLE flyway_schema_history (installed_rank int NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time int NOT NULL, success boolean NOT NULL)"
}

# Flyway's checksum: CRC32 of the lines without their ends, signed. The
# CRC32 of gzip's trailer is an independent reckoning of it.
flyway_crc() {
	tr -d "\r\n" <"$1" | gzip -c | tail -c8 | head -c4 | od -An -td4 | tr -d " "
}

test_expect_success 'flyway: versioned rows with their CRC32, a repeatable row skipped' '
	fresh &&
	flyway_table &&
	c1=$(flyway_crc migrations/1_a1.sql) &&
	c2=$(flyway_crc migrations/2_a2.sql) &&
	db_sql "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (1, '"'"'1'"'"', '"'"'a1'"'"', '"'"'SQL'"'"', '"'"'V1__a1.sql'"'"', $c1, '"'"'ci'"'"', 5, $bool_t), (2, '"'"'2'"'"', '"'"'a2'"'"', '"'"'SQL'"'"', '"'"'V2__a2.sql'"'"', $c2, '"'"'ci'"'"', 5, $bool_t), (3, NULL, '"'"'views'"'"', '"'"'SQL'"'"', '"'"'R__views.sql'"'"', 7, '"'"'ci'"'"', 5, $bool_t)" &&
	ferry -d "$DB_URL" adopt --from flyway >out 2>err &&
	grep "^recorded 2 migrations as complete, as flyway ran them\$" out &&
	adopted_then_up flyway flyway_schema_history
'

test_expect_success 'flyway: a file that no longer matches its CRC32 is refused' '
	fresh &&
	flyway_table &&
	db_sql "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (1, '"'"'1'"'"', '"'"'a1'"'"', '"'"'SQL'"'"', '"'"'V1__a1.sql'"'"', 12345, '"'"'ci'"'"', 5, $bool_t)" &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'migrations/1_a1.sql'"'"' changed after flyway ran it
	its checksum in flyway_schema_history is 12345; the file'"'"'s is not
	hint: put back the file as it ran, then adopt; nothing was written
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" adopt
'

test_expect_success 'flyway: success = false is refused' '
	c1=$(flyway_crc migrations/1_a1.sql) &&
	db_sql "UPDATE flyway_schema_history SET checksum = $c1, success = $bool_f" &&
	cat >expect <<-\EOF &&
	ferry: error: flyway'"'"'s ledger is in a bad state: migration '"'"'1'"'"' in flyway_schema_history
	success = false: it failed
	hint: settle it with flyway first (finish or undo that migration), then adopt
	EOF
	test_refused_unchanged 5 ferry -d "$DB_URL" adopt
'

test_expect_success 'flyway: a BASELINE row counts every version up to it' '
	db_sql "DELETE FROM flyway_schema_history" &&
	db_sql "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (1, '"'"'2'"'"', '"'"'<< Flyway Baseline >>'"'"', '"'"'BASELINE'"'"', '"'"'<< Flyway Baseline >>'"'"', NULL, '"'"'ci'"'"', 0, $bool_t)" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 2 migrations as complete, as flyway ran them\$" out
'

test_expect_success 'flyway: a BASELINE before every file makes the ledger, and up runs them all' '
	fresh &&
	db_sql "DROP TABLE a1" &&
	db_sql "DROP TABLE a2" &&
	db_sql "CREATE TABLE legacy (id int)" &&
	flyway_table &&
	db_sql "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (1, '"'"'0'"'"', '"'"'<< Flyway Baseline >>'"'"', '"'"'BASELINE'"'"', '"'"'<< Flyway Baseline >>'"'"', NULL, '"'"'ci'"'"', 0, $bool_t)" &&
	test_expect_code 5 ferry -d "$DB_URL" up 2>err &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^nothing to do: ferry.s ledger has every migration flyway ran\$" out &&
	ferry -d "$DB_URL" up >out 2>err &&
	grep "^applied 3 migrations; database at 3\$" out &&
	db_sql "DROP TABLE legacy"
'

test_expect_success 'diesel: one row per migration' '
	fresh &&
	db_sql "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)" &&
	db_sql "INSERT INTO __diesel_schema_migrations (version) VALUES ('"'"'1'"'"'), ('"'"'2'"'"')" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 2 migrations as complete, as diesel ran them\$" out &&
	adopted_then_up diesel __diesel_schema_migrations
'

sqlx_table() {
	case $ENGINE in
	sqlite) db_sql "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)" ;;
	pg) db_sql "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL)" ;;
	esac
}

# A blob literal of the hex string $1.
blob() {
	case $ENGINE in
	sqlite) echo "X'$1'" ;;
	pg) echo "decode('$1', 'hex')" ;;
	esac
}

test_expect_success 'sqlx: SHA-384 checksums, matched' '
	fresh &&
	sqlx_table &&
	s1=$(sha384sum migrations/1_a1.sql | cut -d" " -f1) &&
	s2=$(sha384sum migrations/2_a2.sql | cut -d" " -f1) &&
	db_sql "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (1, '"'"'a1'"'"', $bool_t, $(blob $s1), 100), (2, '"'"'a2'"'"', $bool_t, $(blob $s2), 100)" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 2 migrations as complete, as sqlx ran them\$" out &&
	adopted_then_up sqlx _sqlx_migrations
'

test_expect_success 'sqlx: a changed file, and success = false, are refused' '
	fresh &&
	sqlx_table &&
	s1=$(printf "CREATE TABLE a1 (id bigint);\n" | sha384sum | cut -d" " -f1) &&
	db_sql "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (1, '"'"'a1'"'"', $bool_t, $(blob $s1), 100)" &&
	test_expect_code 5 ferry -d "$DB_URL" adopt 2>err &&
	grep "^ferry: error: .migrations/1_a1.sql. changed after sqlx ran it\$" err &&
	db_sql "UPDATE _sqlx_migrations SET success = $bool_f" &&
	test_expect_code 5 ferry -d "$DB_URL" adopt 2>err &&
	grep "^ferry: error: sqlx.s ledger is in a bad state: migration .1. in _sqlx_migrations\$" err &&
	test_must_fail db_sql "SELECT 1 FROM ferry_migrations"
'

prisma_table() {
	db_sql "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at $ts, migration_name varchar(255) NOT NULL, logs text, rolled_back_at $ts, started_at $ts NOT NULL DEFAULT CURRENT_TIMESTAMP, applied_steps_count int NOT NULL DEFAULT 0)"
}

test_expect_success 'prisma: by name, SHA-256 with either line ending' '
	fresh &&
	prisma_table &&
	s1=$(sha256sum migrations/1_a1.sql | cut -d" " -f1) &&
	s2=$(sed "s/\$/\r/" migrations/2_a2.sql | sha256sum | cut -d" " -f1) &&
	db_sql "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ('"'"'u1'"'"', '"'"'$s1'"'"', '"'"'2026-01-01 10:00:01'"'"', '"'"'1_a1'"'"', '"'"'2026-01-01 10:00:00'"'"', 1), ('"'"'u2'"'"', '"'"'$s2'"'"', '"'"'2026-01-02 10:00:01'"'"', '"'"'2_a2'"'"', '"'"'2026-01-02 10:00:00'"'"', 1)" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 2 migrations as complete, as prisma ran them\$" out &&
	adopted_then_up prisma _prisma_migrations
'

test_expect_success 'prisma: unfinished, and rolled back but not applied again, are refused' '
	fresh &&
	prisma_table &&
	s1=$(sha256sum migrations/1_a1.sql | cut -d" " -f1) &&
	db_sql "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at) VALUES ('"'"'u1'"'"', '"'"'$s1'"'"', NULL, '"'"'1_a1'"'"', '"'"'2026-01-01 10:00:00'"'"')" &&
	test_expect_code 5 ferry -d "$DB_URL" adopt 2>err &&
	grep "^finished_at is null: it failed or is still running\$" err &&
	db_sql "UPDATE _prisma_migrations SET rolled_back_at = '"'"'2026-01-01 11:00:00'"'"'" &&
	test_expect_code 5 ferry -d "$DB_URL" adopt 2>err &&
	grep "^rolled_back_at is set: it was rolled back and not applied again\$" err &&
	db_sql "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at) VALUES ('"'"'u2'"'"', '"'"'$s1'"'"', '"'"'2026-01-01 12:00:01'"'"', '"'"'1_a1'"'"', '"'"'2026-01-01 12:00:00'"'"')" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 1 migration as complete, as prisma ran them\$" out
'

test_expect_success 'sql-migrate: by file name' '
	fresh &&
	db_sql "CREATE TABLE gorp_migrations (id text NOT NULL PRIMARY KEY, applied_at timestamp)" &&
	db_sql "INSERT INTO gorp_migrations VALUES ('"'"'1_a1.sql'"'"', CURRENT_TIMESTAMP), ('"'"'2_a2.sql'"'"', CURRENT_TIMESTAMP)" &&
	ferry -d "$DB_URL" adopt >out 2>err &&
	grep "^recorded 2 migrations as complete, as sql-migrate ran them\$" out &&
	adopted_then_up sql-migrate gorp_migrations
'

test_expect_success 'two tools'"'"' ledgers: say which; an unknown tool is a usage error' '
	fresh &&
	db_sql "CREATE TABLE gorp_migrations (id text NOT NULL PRIMARY KEY, applied_at timestamp)" &&
	db_sql "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)" &&
	test_expect_code 2 ferry -d "$DB_URL" adopt 2>err &&
	grep "^ferry: error: the database has the ledgers of several tools: diesel (__diesel_schema_migrations), sql-migrate (gorp_migrations)\$" err &&
	grep "^hint: say which with --from TOOL\$" err &&
	test_expect_code 2 ferry -d "$DB_URL" adopt --from liquibase 2>err &&
	grep "^ferry: error: unknown tool .liquibase.\$" err &&
	test_expect_code 5 ferry -d "$DB_URL" adopt --from goose 2>err &&
	grep "^ferry: error: the database has no goose ledger\$" err
'

test_expect_success '--json lists the changes' '
	db_sql "INSERT INTO gorp_migrations VALUES ('"'"'1_a1.sql'"'"', CURRENT_TIMESTAMP)" &&
	ferry -d "$DB_URL" --json adopt --from sql-migrate --dry-run >out &&
	test_json out ".dry_run == true and (.changes | length) == 1 and .changes[0].action == \"adopt\" and .changes[0].version == \"1\""
'

test_done
