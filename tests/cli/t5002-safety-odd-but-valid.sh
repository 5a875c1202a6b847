#!/bin/sh
test_description='odd but valid migrations apply: empty, comment-only, no final semicolon, 50 MB'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 1: an empty or comment-only section is valid and does
# nothing (real sets hold hundreds of them); other files are ignored. And a
# big data migration must apply, and fast.

command -v test_must_be_empty >/dev/null 2>&1 ||
test_must_be_empty() {
	[ ! -s "$1" ] || { echo "'$1' is not empty:" >&2; cat "$1" >&2; return 1; }
}

test_expect_success 'setup: odd migrations and files that are not migrations' '
	mkdir migrations &&
	cat >migrations/1_first.sql <<-\EOF &&
	CREATE TABLE first (id integer PRIMARY KEY, note text);
	EOF
	: >migrations/2_empty.sql &&
	cat >migrations/3_comments.sql <<-\EOF &&
	-- Nothing to do in this release; kept so the numbering matches.

	/* a block
	   comment */
	-- the end
	EOF
	printf "INSERT INTO first VALUES (1, '"'"'one'"'"');\nINSERT INTO first VALUES (2, '"'"'no semicolon'"'"')" >migrations/4_no_semicolon.sql &&
	printf "INSERT INTO first VALUES (3, '"'"'comment after'"'"') -- no semicolon\n" >migrations/5_trailing_comment.sql &&
	cat >migrations/6_empty_sections.sql <<-\EOF &&
	-- ferry:up
	-- ferry:down
	EOF
	printf "\n\n   \n\t\n" >migrations/7_blank_lines.sql &&
	printf "INSERT INTO first VALUES (4, '"'"'crlf'"'"');\r\nINSERT INTO first VALUES (5, '"'"'crlf'"'"');\r\n" >migrations/8_crlf.sql &&
	echo "# the migrations of this app" >migrations/README.md &&
	echo "CREATE TABLE not_run (id integer);" >migrations/3_comments.sql~ &&
	echo "CREATE TABLE not_run (id integer);" >migrations/notes.txt &&
	echo "CREATE TABLE not_run (id integer);" >migrations/.9_hidden.sql &&
	mkdir migrations/drafts &&
	echo "CREATE TABLE not_run (id integer);" >migrations/drafts/10_draft.sql
'

test_expect_success 'they all apply' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	up     1_first ... ok (N ms)
	up     2_empty ... ok (N ms)
	up     3_comments ... ok (N ms)
	up     4_no_semicolon ... ok (N ms)
	up     5_trailing_comment ... ok (N ms)
	up     6_empty_sections ... ok (N ms)
	up     7_blank_lines ... ok (N ms)
	up     8_crlf ... ok (N ms)
	applied 8 migrations; database at 8
	EOF
	normalize <out >actual &&
	test_cmp expect actual
'

test_expect_success 'each is complete in the ledger, and did what it says' '
	cat >expect <<-\EOF &&
	1|first|complete
	2|empty|complete
	3|comments|complete
	4|no_semicolon|complete
	5|trailing_comment|complete
	6|empty_sections|complete
	7|blank_lines|complete
	8|crlf|complete
	EOF
	db_sql "SELECT version, name, state FROM ferry_migrations ORDER BY version" >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	1|one
	2|no semicolon
	3|comment after
	4|crlf
	5|crlf
	EOF
	db_sql "SELECT id, note FROM first ORDER BY id" >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	ferry_history
	ferry_migrations
	first
	EOF
	db_tables >actual &&
	test_cmp expect actual
'

test_expect_success 'a second up has nothing to do, and nothing drifted' '
	echo "nothing to do: every migration is applied" >expect &&
	ferry -d "$DB_URL" up >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	ferry -d "$DB_URL" status >out &&
	grep "^drift       none\$" out &&
	grep "^migrations  8 complete, 0 pending\$" out
'

# 50 MB of multi-row INSERTs, 500 rows a statement: a real data migration.
# It must apply as one migration, and in seconds, not minutes (the bound is
# generous for slow and sanitizer builds; sqlite3 itself takes ~1.5 s).
test_expect_success 'setup: a 50 MB migration' '
	awk -v q="'"'"'" "BEGIN {
		print \"-- 50 MB of data\";
		print \"CREATE TABLE big (id integer PRIMARY KEY, name text NOT NULL, note text);\";
		id = 0; bytes = 0;
		while (bytes < 52428800) {
			line = \"INSERT INTO big (id, name, note) VALUES \";
			for (j = 0; j < 500; j++) {
				id++;
				line = line (j ? \", \" : \"\") \"(\" id \", \" q \"name \" id q \", \" q \"lorem ipsum dolor sit amet, consectetur\" q \")\";
			}
			print line \";\";
			bytes += length(line) + 2;
		}
		print \"-- \" id \" rows\";
	}" >migrations/9_big.sql &&
	size=$(wc -c <migrations/9_big.sql) &&
	echo "$size bytes" &&
	test $size -ge 52428800 &&
	tail -n 1 migrations/9_big.sql >rows &&
	sed -e "s/^-- \([0-9]*\) rows\$/\1/" rows >expect.rows
'

test_expect_success 'the 50 MB migration applies, in seconds' '
	t0=$(date +%s%N) &&
	timeout $((120 * ${FERRY_TEST_TIME_SCALE:-1})) "$FERRY" -d "$DB_URL" up >out 2>err
	rc=$? &&
	t1=$(date +%s%N) &&
	took=$(((t1 - t0) / 1000000)) &&
	echo "took $took ms, exit $rc" &&
	test $rc = 0 &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	up     9_big ... ok (N ms)
	applied 1 migration; database at 9
	EOF
	normalize <out >actual &&
	test_cmp expect actual &&
	db_sql "SELECT count(*) FROM big" >actual &&
	test_cmp expect.rows actual &&
	echo "9|complete" >expect &&
	db_sql "SELECT version, state FROM ferry_migrations WHERE version = 9" >actual &&
	test_cmp expect actual &&
	test $took -lt $((60000 * ${FERRY_TEST_TIME_SCALE:-1}))
'

test_expect_success 'status and a no-op up on it are quick' '
	echo 1 >expect &&
	db_sql "SELECT count(*) FROM ferry_migrations WHERE version = 9" >actual &&
	test_cmp expect actual &&
	t0=$(date +%s%N) &&
	ferry -d "$DB_URL" up >out &&
	ferry -d "$DB_URL" status >out &&
	t1=$(date +%s%N) &&
	took=$(((t1 - t0) / 1000000)) &&
	echo "took $took ms" &&
	grep "^migrations  9 complete, 0 pending\$" out &&
	test $took -lt $((10000 * ${FERRY_TEST_TIME_SCALE:-1}))
'

test_done
