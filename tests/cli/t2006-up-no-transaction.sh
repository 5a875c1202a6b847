#!/bin/sh
test_description='ferry up: a no-transaction section that fails half way, and its resumption'
. "$(dirname "$0")/test-lib.sh"

file=migrations/0002_backfill_emails.sql

test_expect_success 'setup: statement 3 of the no-transaction section fails' '
	use_fixture notx &&
	sed "s/(2, '"'"'bob/(1, '"'"'bob/" "$FIXTURES/notx/0002_backfill_emails.sql" >$file &&
	! test_cmp "$FIXTURES/notx/0002_backfill_emails.sql" $file
'

test_expect_success 'up stops at statement 3: exit 1, file:line:col, the resume hint' '
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	normalize <out >actual &&
	printf "%s\n" "up     0001_create_users ... ok (N ms)" \
		"up     0002_backfill_emails ... " >expect &&
	test_cmp expect actual &&
	sed -n -e 1p -e "\$p" err >actual &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'0002_backfill_emails'"'"' failed
	hint: the statements before this one stay applied; fix it and run again to resume here
	EOF
	test_cmp expect actual &&
	sed -n 2p err >actual &&
	grep "^migrations/0002_backfill_emails.sql:6:1: ." actual &&
	if test "$ENGINE" = sqlite; then
		echo "migrations/0002_backfill_emails.sql:6:1: UNIQUE constraint failed: user_emails.user_id" >expect &&
		test_cmp expect actual
	fi &&
	test_line_count = 3 err
'

test_expect_success 'the statements before it stay applied' '
	db_sql "SELECT user_id, email FROM user_emails" >actual &&
	echo "1|ada@example.com" >expect &&
	test_cmp expect actual
'

test_expect_success 'the ledger says failed, at statement 3' '
	db_sql "SELECT version, state, failed_section, failed_statement FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete||
	2|failed|up|3
	EOF
	test_cmp expect actual
'

test_expect_success 'status shows it failed' '
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code >out &&
	sed -n "3,4p; /^STATE/,\$p" out >actual &&
	cat >expect <<-\EOF &&
	version     at 1; newest file 3
	migrations  1 complete, 1 pending, 1 failed
	STATE    VERSION  NAME             RELEASE  NOTE
	failed   2        backfill_emails  -        stopped at statement 3
	pending  3        create_orders    -
	EOF
	test_cmp expect actual
'

test_expect_success 'list shows it failed' '
	ferry -d "$DB_URL" list >out &&
	normalize_table <out >actual &&
	cat >expect <<-\EOF &&
	VERSION  NAME  RELEASE  STATE  APPLIED AT  TOOK  NOTE
	1  create_users  -  complete  TIME  N ms
	2  backfill_emails  -  failed  TIME  -  at statement 3
	3  create_orders  -  pending  -  -
	EOF
	test_cmp expect actual
'

test_expect_success 'the failure is in the history' '
	ferry -d "$DB_URL" history --limit 1 >out &&
	normalize_table <out >actual &&
	sed -n 2p actual >row &&
	grep "^TIME  up  2  backfill_emails  USER@HOST  N ms  failed: migrations/0002_backfill_emails.sql:6:1: ." row
'

test_expect_success 'up again, unfixed, resumes at statement 3 and fails there again' '
	test_expect_code 1 ferry -d "$DB_URL" up >out 2>err &&
	printf "%s\n" "up     0002_backfill_emails ... resuming at statement 3 ... " >expect &&
	test_cmp expect out &&
	sed -n 2p err >actual &&
	grep "^migrations/0002_backfill_emails.sql:6:1: ." actual &&
	db_sql "SELECT user_id, email FROM user_emails" >actual &&
	echo "1|ada@example.com" >expect &&
	test_cmp expect actual
'

test_expect_success '--single-transaction refuses to resume it' '
	db_snapshot before &&
	cat >expect <<-\EOF &&
	ferry: error: cannot run migration '"'"'0002_backfill_emails'"'"' in a single transaction
	its up section is marked no-transaction
	hint: run without --single-transaction
	EOF
	test_expect_code 2 ferry -d "$DB_URL" up --single-transaction >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot after &&
	test_cmp before after
'

test_expect_success 'editing statement 1 of the failed section is refused' '
	sed "s/email text)/email varchar(200))/" "$FIXTURES/notx/0002_backfill_emails.sql" >$file &&
	cat >expect <<-\EOF &&
	ferry: error: statement 1 of migration '"'"'0002_backfill_emails'"'"' changed after it ran
	the section stopped at statement 3; statements before it ran and must stay as they were
	hint: restore statements 1 to 2; fix only statement 3 and those after it
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>actual &&
	test_cmp expect actual &&
	db_sql "SELECT version, state, failed_statement FROM ferry_migrations ORDER BY version" >actual &&
	printf "1|complete|\n2|failed|3\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the history does not put the refusal in the wrong words' '
	db_sql "SELECT error FROM ferry_history ORDER BY id DESC LIMIT 1" >newest &&
	grep -e "^migrations/0002_backfill_emails.sql:6:1: " \
		-e "statement 1 of migration '"'"'0002_backfill_emails'"'"' changed after it ran" newest
'

test_expect_success 'making the section transactional again is refused' '
	sed "s/-- ferry:up no-transaction/-- ferry:up/" "$FIXTURES/notx/0002_backfill_emails.sql" >$file &&
	cat >expect <<-\EOF &&
	ferry: error: migration '"'"'0002_backfill_emails'"'"' stopped half way, but its up section is no longer no-transaction
	hint: mark it '"'"'-- ferry:up no-transaction'"'"' again so ferry can resume it at statement 3
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>actual &&
	test_cmp expect actual &&
	db_sql "SELECT user_id FROM user_emails" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'after fixing statement 3, up resumes at statement 3' '
	cp "$FIXTURES/notx/0002_backfill_emails.sql" $file &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	normalize <out >actual &&
	cat >expect <<-\EOF &&
	up     0002_backfill_emails ... resuming at statement 3 ... ok (N ms)
	up     0003_create_orders ... ok (N ms)
	applied 2 migrations; database at 3
	EOF
	test_cmp expect actual &&
	db_sql "SELECT user_id, email FROM user_emails ORDER BY user_id" >actual &&
	cat >expect <<-\EOF &&
	1|ada@example.com
	2|bob@example.com
	EOF
	test_cmp expect actual
'

test_expect_success 'the resumed migration is complete, its failure cleared' '
	db_sql "SELECT version, state, failed_section, failed_statement, error FROM ferry_migrations ORDER BY version" >actual &&
	cat >expect <<-\EOF &&
	1|complete|||
	2|complete|||
	3|complete|||
	EOF
	test_cmp expect actual &&
	ferry -d "$DB_URL" status --exit-code >out &&
	grep "^migrations  3 complete, 0 pending$" out
'

test_expect_success 'statement 4, after the resumed one, ran too' '
	case $ENGINE in
	sqlite) db_sql "SELECT name FROM sqlite_master WHERE type = '"'"'index'"'"' AND name = '"'"'user_emails_email'"'"'" ;;
	pg) db_sql "SELECT indexname FROM pg_indexes WHERE indexname = '"'"'user_emails_email'"'"'" ;;
	esac >actual &&
	echo user_emails_email >expect &&
	test_cmp expect actual
'

test_done
