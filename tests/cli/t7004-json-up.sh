#!/bin/sh
test_description='ferry up --json: one document on stdout, progress on stderr'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	use_fixture releases
'

test_expect_success 'up --json: what was applied, and nothing else on stdout' '
	ferry -d "$DB_URL" up --json --to 1.0 >out 2>err &&
	test_json out \
		"keys == [\"applied\", \"baselined\", \"checkpoint\", \"other_runner\", \"version\", \"waited\"]" \
		".waited == false" \
		".applied | length == 2" \
		".applied | map(.action) == [\"up\", \"up\"]" \
		".applied | map(.version) == [\"1\", \"2\"]" \
		".applied | map(.name) == [\"create_users\", \"create_orders\"]" \
		".applied | map(.release) == [\"1.0\", \"1.0\"]" \
		".applied | map(.ms | type == \"number\" and . >= 0) | all"
'

test_expect_success 'up --json: the progress goes to stderr' '
	normalize <err >actual &&
	cat >expect <<-\EOF &&
	up     0001_create_users ... ok (N ms)
	up     0002_create_orders ... ok (N ms)
	EOF
	test_cmp expect actual
'

test_expect_success '--json before the command, and an unreleased migration' '
	ferry -d "$DB_URL" --json up >out 2>err &&
	test_json out \
		".applied | map(.version) == [\"3\", \"4\", \"5\"]" \
		".applied | map(.release) == [\"1.1\", \"1.1\", null]" &&
	test_line_count = 3 err
'

test_expect_success 'up --json with nothing to do' '
	ferry -d "$DB_URL" up --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ". == {\"applied\": [], \"waited\": false, \"other_runner\": false, \"baselined\": 0, \"version\": \"5\", \"checkpoint\": null}"
'

test_expect_success 'up --json -q: the document, no progress' '
	echo "CREATE TABLE later (id integer);" >migrations/0006_later.sql &&
	ferry -d "$DB_URL" up --json -q >out 2>err &&
	test_must_be_empty err &&
	test_json out ".applied | map(.version) == [\"6\"]"
'

test_expect_success 'up --json resuming a no-transaction section' '
	cat >migrations/0007_half.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE half (id integer PRIMARY KEY);
	INSERT INTO half (id) VALUES (1);
	INSERT INTO half (id) VALUES (1);
	EOF
	test_expect_code 1 ferry -d "$DB_URL" up --json >out 2>err &&
	sed -i "4s/(1)/(2)/" migrations/0007_half.sql &&
	ferry -d "$DB_URL" up --json >out 2>err &&
	test_json out ".applied | map(.version) == [\"7\"]" &&
	printf "%s\n" "up     0007_half ... resuming at statement 3 ... ok (N ms)" >expect &&
	normalize <err >actual &&
	test_cmp expect actual
'

test_expect_success 'up --json on failure: the error on stderr, no text on stdout' '
	echo "INSERT INTO nowhere (id) VALUES (1);" >migrations/0008_bad.sql &&
	test_expect_code 1 ferry -d "$DB_URL" up --json >out 2>err &&
	if test -s out; then test_json out; fi &&
	head -n 1 err >actual &&
	printf "%s\n" "up     0008_bad ... " >expect &&
	test_cmp expect actual &&
	sed -n 2p err >actual &&
	echo "ferry: error: migration '"'"'0008_bad'"'"' failed" >expect &&
	test_cmp expect actual
'

test_expect_success 'up --json refused: the error on stderr, no text on stdout' '
	rm migrations/0008_bad.sql &&
	echo "-- edited" >>migrations/0001_create_users.sql &&
	test_expect_code 5 ferry -d "$DB_URL" up --json >out 2>err &&
	if test -s out; then test_json out; fi &&
	head -n 1 err >actual &&
	echo "ferry: error: migration '"'"'0001_create_users'"'"' was changed after it was applied" >expect &&
	test_cmp expect actual
'

test_done
