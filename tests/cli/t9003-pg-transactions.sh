#!/bin/sh
test_description='PostgreSQL: what cannot run in a transaction, no-transaction sections, enums'
test_engines=pg
. "$(dirname "$0")/test-lib.sh"

# Issue 3, parts 4, 5 and 8: statements that cannot run in a transaction
# block, and a section's own transaction control, are refused in a
# transactional section before anything runs, with a hint to mark it
# no-transaction; in a no-transaction section they run as written. Such a
# section that fails stays 'failed' and resumes at the failed statement.

q="'"
notx_hint="hint: mark the section ${q}-- ferry:up no-transaction${q}"
txn_hint="hint: remove it: ferry runs each section in a transaction; or mark the section ${q}-- ferry:up no-transaction${q}"

# refused LINE:COL WHAT [HINT]: 'ferry up' exits 2 on 0003_bad, nothing run.
refused_notx() {
	cat >expect <<-EOF &&
	ferry: error: migrations/0003_bad.sql:$1: $2 cannot run inside a transaction (migration ${q}0003_bad${q})
	$notx_hint
	EOF
	refused_check
}

refused_txn() {
	cat >expect <<-EOF &&
	ferry: error: migrations/0003_bad.sql:$1: $2 in migration ${q}0003_bad${q} would end ferry${q}s transaction
	$txn_hint
	EOF
	refused_check
}

refused_check() {
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
}

# bad TEXT...: migration 0003_bad, one line per argument, after '-- ferry:up'.
bad() {
	{ echo "-- ferry:up"; printf "%s\n" "$@"; } >migrations/0003_bad.sql
}

write_do_commit() {
	cat >migrations/0003_bad.sql <<\EOF
-- ferry:up
DO $$
BEGIN
    INSERT INTO items VALUES (100, 'do');
    -- a COMMIT in a comment is not one
    RAISE NOTICE 'nor is a COMMIT in a string';
    COMMIT;
END
$$;
EOF
}

write_do_fine() {
	cat >migrations/0003_bad.sql <<\EOF
-- ferry:up
DO $$
BEGIN
    -- commit; in a comment
    INSERT INTO items VALUES (100, 'commit; in a string');
END
$$;
EOF
}

write_notx_control() {
	cat >migrations/0004_batches.sql <<\EOF
-- ferry:up no-transaction
CREATE TABLE batches (id int PRIMARY KEY, note text);
DO $$
BEGIN
    INSERT INTO batches VALUES (1, 'committed');
    COMMIT;
    INSERT INTO batches VALUES (2, 'rolled back');
    ROLLBACK;
    INSERT INTO batches VALUES (3, 'committed at the end');
END
$$;
BEGIN;
INSERT INTO batches VALUES (4, 'in BEGIN ... COMMIT');
COMMIT;
BEGIN;
INSERT INTO batches VALUES (5, 'in BEGIN ... ROLLBACK');
ROLLBACK;
CREATE INDEX CONCURRENTLY batches_note ON batches (note);
EOF
}

# A no-transaction section whose third statement fails, as it does in
# production: a unique index built concurrently over duplicates.
write_accounts() {
	cat >migrations/0005_accounts.sql <<\EOF
-- ferry:up no-transaction
CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO accounts VALUES (1, 'ada@example.com'), (2, 'bob@example.com'), (3, 'ada@example.com');
CREATE UNIQUE INDEX CONCURRENTLY accounts_email ON accounts (email);
ALTER TABLE accounts ADD CONSTRAINT accounts_email UNIQUE USING INDEX accounts_email;
EOF
}

# The fix: statements 1 and 2 as they ran; from 3 on, what it takes.
write_accounts_fixed() {
	cat >migrations/0005_accounts.sql <<\EOF
-- ferry:up no-transaction
CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO accounts VALUES (1, 'ada@example.com'), (2, 'bob@example.com'), (3, 'ada@example.com');
DELETE FROM accounts a USING accounts b WHERE a.email = b.email AND a.id > b.id;
DROP INDEX CONCURRENTLY IF EXISTS accounts_email;
CREATE UNIQUE INDEX CONCURRENTLY accounts_email ON accounts (email);
ALTER TABLE accounts ADD CONSTRAINT accounts_email UNIQUE USING INDEX accounts_email;
EOF
}

test_expect_success 'setup: 1 applied, 2 pending and good' '
	mkdir migrations &&
	printf "%s\n" "CREATE TABLE items (id int PRIMARY KEY, sku text);" \
		"INSERT INTO items SELECT g, ${q}sku-${q} || g FROM generate_series(1, 50) g;" \
		"CREATE TABLE parts (id int) PARTITION BY RANGE (id);" \
		"CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (10);" \
		>migrations/0001_items.sql &&
	ferry -d "$DB_URL" -q up &&
	echo "CREATE TABLE other (id int);" >migrations/0002_other.sql &&
	db_snapshot before
'

test_expect_success 'CREATE INDEX CONCURRENTLY in a transactional section: refused before anything runs' '
	bad "SELECT 1;" "CREATE INDEX CONCURRENTLY items_sku ON items (sku);" &&
	refused_notx 3:1 "CREATE INDEX CONCURRENTLY"
'

test_expect_success 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS, indented, mid-line: its column' '
	bad "SELECT 1;" "SELECT 2;   create unique index concurrently if not exists items_sku" "    ON items (sku);" &&
	refused_notx 3:13 "CREATE INDEX CONCURRENTLY"
'

test_expect_success 'DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY: refused' '
	bad "DROP INDEX CONCURRENTLY IF EXISTS items_sku;" &&
	refused_notx 2:1 "DROP INDEX CONCURRENTLY" &&
	bad "REINDEX (VERBOSE) TABLE CONCURRENTLY items;" &&
	refused_notx 2:1 "REINDEX CONCURRENTLY"
'

test_expect_success 'VACUUM, CREATE DATABASE, ALTER SYSTEM: refused' '
	bad "VACUUM (ANALYZE) items;" &&
	refused_notx 2:1 VACUUM &&
	bad "CREATE DATABASE ferry_never_created;" &&
	refused_notx 2:1 "CREATE DATABASE" &&
	bad "ALTER SYSTEM SET work_mem = ${q}8MB${q};" &&
	refused_notx 2:1 "ALTER SYSTEM"
'

# Since PostgreSQL 14; the server says "ALTER TABLE ... DETACH
# CONCURRENTLY cannot run inside a transaction block", but only once
# migration 2 has been applied.
test_expect_success 'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY: refused before anything runs' '
	bad "SELECT 1;" "ALTER TABLE parts DETACH PARTITION parts_1 CONCURRENTLY;" &&
	test_expect_code 2 ferry -d "$DB_URL" up >out 2>actual &&
	test_must_be_empty out &&
	sed -n 1p actual >first &&
	grep "^ferry: error: migrations/0003_bad.sql:3:1: .*DETACH.* cannot run inside a transaction (migration ${q}0003_bad${q})\$" first &&
	sed 1d actual >rest &&
	echo "$notx_hint" >expect &&
	test_cmp expect rest &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'BEGIN and COMMIT in a transactional section: refused' '
	db_sql "DROP TABLE IF EXISTS other; DELETE FROM ferry_migrations WHERE version > 1; DELETE FROM ferry_history WHERE version > 1" &&
	db_snapshot before &&
	bad "BEGIN;" "INSERT INTO items VALUES (100, ${q}x${q});" "COMMIT;" &&
	refused_txn 2:1 BEGIN &&
	bad "INSERT INTO items VALUES (100, ${q}x${q});" "COMMIT;" &&
	refused_txn 3:1 COMMIT
'

test_expect_success 'a DO block that COMMITs: refused at the DO' '
	write_do_commit &&
	refused_txn 2:1 "a COMMIT or ROLLBACK inside a DO block" &&
	bad "SELECT 1; DO LANGUAGE plpgsql \$x\$ BEGIN PERFORM 1; ROLLBACK; END \$x\$;" &&
	refused_txn 2:11 "a COMMIT or ROLLBACK inside a DO block"
'

test_expect_success 'a DO block that only mentions COMMIT in comments and strings runs' '
	write_do_fine &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT sku FROM items WHERE id = 100" >actual &&
	echo "commit; in a string" >expect &&
	test_cmp expect actual
'

test_expect_success 'in a no-transaction section, COMMIT in a DO block, BEGIN and COMMIT, CIC run as written' '
	write_notx_control &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	printf "%s\n" "up     0004_batches ... ok (N ms)" "applied 1 migration; database at 4" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT id, note FROM batches ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1|committed
	3|committed at the end
	4|in BEGIN ... COMMIT
	EOF
	test_cmp expect actual &&
	db_sql "SELECT version, state FROM ferry_migrations WHERE version = 4" >actual &&
	echo "4|complete" >expect &&
	test_cmp expect actual
'

test_expect_success 'the index built concurrently is there and valid' '
	db_sql "SELECT i.indexname, x.indisvalid, x.indisready FROM pg_indexes i JOIN pg_index x ON x.indexrelid = (quote_ident(i.schemaname) || ${q}.${q} || quote_ident(i.indexname))::regclass WHERE i.tablename = ${q}batches${q} ORDER BY 1" >actual &&
	cat >expect <<-\EOF &&
	batches_note|t|t
	batches_pkey|t|t
	EOF
	test_cmp expect actual
'

test_expect_success 'a no-transaction section failing at its 3rd statement: exit 1, statements 1-2 applied' '
	write_accounts &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>actual &&
	echo "up     0005_accounts ... " >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}0005_accounts${q} failed
	migrations/0005_accounts.sql:4:1: could not create unique index "accounts_email": Key (email)=(ada@example.com) is duplicated. (SQLSTATE 23505)
	hint: the statements before this one stay applied; fix it and run again to resume here
	EOF
	test_cmp expect actual &&
	db_sql "SELECT id, email FROM accounts ORDER BY id" >actual &&
	cat >expect <<-\EOF &&
	1|ada@example.com
	2|bob@example.com
	3|ada@example.com
	EOF
	test_cmp expect actual
'

test_expect_success '... the failed concurrent build left an invalid index, as PostgreSQL does' '
	db_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = ${q}accounts_email${q}::regclass" >actual &&
	echo f >expect &&
	test_cmp expect actual
'

test_expect_success '... the ledger says failed at statement 3; status and list show it' '
	db_sql "SELECT version, state, failed_section, failed_statement FROM ferry_migrations WHERE version = 5" >actual &&
	echo "5|failed|up|3" >expect &&
	test_cmp expect actual &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >out &&
	sed -n "/^migrations/p; /^STATE/,\$p" out >actual &&
	cat >expect <<-\EOF &&
	migrations  4 complete, 0 pending, 1 failed
	STATE   VERSION  NAME      RELEASE  NOTE
	failed  5        accounts  -        stopped at statement 3
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" list >out &&
	normalize_table <out >actual &&
	sed -n "\$p" actual >last &&
	echo "5  accounts  -  failed  TIME  -  at statement 3" >expect &&
	test_cmp expect last
'

test_expect_success 'editing statement 1 of the failed section is refused (exit 5)' '
	write_accounts_fixed &&
	sed -i "2s/email text NOT NULL/email varchar(200) NOT NULL/" migrations/0005_accounts.sql &&
	cat >expect <<-EOF &&
	ferry: error: statement 1 of migration ${q}0005_accounts${q} changed after it ran
	the section stopped at statement 3; statements before it ran and must stay as they were
	hint: restore statements 1 to 2; fix only statement 3 and those after it
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>actual &&
	test_cmp expect actual &&
	db_sql "SELECT state, failed_statement FROM ferry_migrations WHERE version = 5" >actual &&
	echo "failed|3" >expect &&
	test_cmp expect actual
'

test_expect_success 'after the fix, up resumes at statement 3 and the migration is complete' '
	write_accounts_fixed &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	printf "%s\n" "up     0005_accounts ... resuming at statement 3 ... ok (N ms)" "applied 1 migration; database at 5" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT id, email FROM accounts ORDER BY id" >actual &&
	printf "%s\n" "1|ada@example.com" "2|bob@example.com" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT state, failed_section, failed_statement FROM ferry_migrations WHERE version = 5" >actual &&
	echo "complete||" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT conname, x.indisvalid FROM pg_constraint c JOIN pg_index x ON x.indexrelid = c.conindid WHERE conrelid = ${q}accounts${q}::regclass AND contype = ${q}u${q}" >actual &&
	echo "accounts_email|t" >expect &&
	test_cmp expect actual
'

test_expect_success 'ALTER TYPE ... ADD VALUE in one migration, its use in the next: one run, works' '
	printf "%s\n" "CREATE TYPE mood AS ENUM (${q}sad${q}, ${q}ok${q});" \
		"CREATE TABLE people (name text, m mood);" >migrations/0006_mood.sql &&
	printf "%s\n" "ALTER TYPE mood ADD VALUE ${q}happy${q} AFTER ${q}ok${q};" >migrations/0007_happy.sql &&
	printf "%s\n" "INSERT INTO people VALUES (${q}ann${q}, ${q}happy${q});" >migrations/0008_ann.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_sql "SELECT name, m FROM people" >actual &&
	echo "ann|happy" >expect &&
	test_cmp expect actual
'

test_expect_success 'both in one transactional section: exit 1, SQLSTATE 55P04 and ferry'"'"'s hint' '
	printf "%s\n" "ALTER TYPE mood ADD VALUE ${q}glad${q};" \
		"INSERT INTO people VALUES (${q}bob${q}, ${q}glad${q});" >migrations/0009_glad.sql &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>actual &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}0009_glad${q} failed
	migrations/0009_glad.sql:2:35: unsafe use of new value "glad" of enum type mood (SQLSTATE 55P04)
	hint: a new enum value can be used only after its ALTER TYPE commits: use it in a later migration
	EOF
	test_cmp expect actual &&
	db_sql "SELECT enum_range(NULL::mood)" >actual &&
	echo "{sad,ok,happy}" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 9" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

# Statements of a transaction are pipelined: the duration the ledger and
# the history keep must be the time the section took on the server, not
# the time it took to send it.
test_expect_success 'the ledger and the history keep how long a section took' '
	rm migrations/0009_glad.sql &&
	echo "SELECT pg_sleep(0.6);" >migrations/0009_slow.sql &&
	ferry -d "$DB_URL" -q up &&
	db_sql "SELECT up_ms >= 600 FROM ferry_migrations WHERE version = 9" >actual &&
	db_sql "SELECT duration_ms >= 600 FROM ferry_history WHERE version = 9 AND success = 1" >>actual &&
	printf "t\nt\n" >expect &&
	test_cmp expect actual
'

write_batch_fails() {
	cat >migrations/0010_batch.sql <<\EOF
-- ferry:up no-transaction
CREATE TABLE batch (id int PRIMARY KEY);
BEGIN;
INSERT INTO batch VALUES (1);
INSERT INTO batch VALUES (1);
COMMIT;
EOF
}

# The author's BEGIN ... COMMIT is one unit: a failure inside it rolls it
# all back, so ferry must resume at the BEGIN, not inside the block.
test_expect_success 'no-transaction: a failure inside the author'"'"'s BEGIN ... COMMIT rolls the block back' '
	write_batch_fails &&
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>actual &&
	cat >expect <<-EOF &&
	ferry: error: migration ${q}0010_batch${q} failed
	migrations/0010_batch.sql:5:1: duplicate key value violates unique constraint "batch_pkey": Key (id)=(1) already exists. (SQLSTATE 23505)
	hint: statements 2 to 4, from the section${q}s BEGIN, were rolled back; fix it and run again to resume at statement 2
	EOF
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM batch" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	db_sql "SELECT state, failed_statement FROM ferry_migrations WHERE version = 10" >actual &&
	echo "failed|2" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT error FROM ferry_history WHERE version = 10 AND success = 0" >actual &&
	echo "migrations/0010_batch.sql:5:1: duplicate key value violates unique constraint \"batch_pkey\": Key (id)=(1) already exists. (SQLSTATE 23505)" >expect &&
	test_cmp expect actual
'

test_expect_success '... fixed, it resumes at the BEGIN and the whole block goes in' '
	sed -i "5s/(1)/(2)/" migrations/0010_batch.sql &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	printf "%s\n" "up     0010_batch ... resuming at statement 2 ... ok (N ms)" "applied 1 migration; database at 10" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT id FROM batch ORDER BY id" >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual &&
	db_sql "SELECT state FROM ferry_migrations WHERE version = 10" >actual &&
	echo complete >expect &&
	test_cmp expect actual
'

test_done
