#!/bin/sh
test_description='ferry list --json: an array of migrations'
. "$(dirname "$0")/test-lib.sh"

is_time='type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")'

test_expect_success 'setup' '
	use_fixture releases &&
	cp "$FIXTURES/phases/0002_add_email.sql" migrations/0006_add_email.sql &&
	sed -i "s/legacy_mail/name/g" migrations/0006_add_email.sql &&
	echo "1.2 6" >>migrations/releases
'

test_expect_success 'list --json before anything is applied' '
	ferry -d "$DB_URL" list --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		"type == \"array\" and length == 6" \
		"map(.version) == [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]" \
		"map(.name) == [\"create_users\", \"create_orders\", \"create_products\", \"add_order_product\", \"create_reviews\", \"add_email\"]" \
		"map(.release) == [\"1.0\", \"1.0\", \"1.1\", \"1.1\", \"1.2\", \"1.2\"]" \
		"map(.state) | all(. == \"pending\")" \
		"map(.up_at, .finish_at, .up_ms, .finish_ms) | all(. == null)" \
		"map(.drift) | all(. == false)"
'

test_expect_success 'every entry has the fields of the contract' '
	test_json out \
		"map(has(\"version\") and has(\"name\") and has(\"release\") and has(\"state\") and has(\"up_at\") and has(\"finish_at\") and has(\"up_ms\") and has(\"finish_ms\") and has(\"drift\")) | all"
'

test_expect_success 'list --json after up: complete, up, times and durations' '
	ferry -d "$DB_URL" -q up &&
	ferry -d "$DB_URL" list --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		"map(.state) == [\"complete\", \"complete\", \"complete\", \"complete\", \"complete\", \"up\"]" \
		"map(.up_at | $is_time) | all" \
		"map(.up_ms | type == \"number\" and . >= 0) | all" \
		"map(.finish_at, .finish_ms) | all(. == null)" \
		"map(.drift) | all(. == false)"
'

test_expect_success 'list --json: the times are the ledger'"'"'s' '
	db_sql "SELECT up_at FROM ferry_migrations ORDER BY version" >expect &&
	jq -r ".[].up_at" out >actual &&
	test_cmp expect actual
'

test_expect_success 'list --json: drift, and a version with no file' '
	echo "CREATE TABLE later (id integer);" >migrations/0007_later.sql &&
	ferry -d "$DB_URL" -q up &&
	rm migrations/0007_later.sql &&
	echo "-- edited" >>migrations/0001_create_users.sql &&
	ferry -d "$DB_URL" list --json >out &&
	test_json out \
		"length == 7" \
		".[0].drift == true" \
		"map(.drift) | map(select(.)) | length == 1" \
		".[6].version == \"7\" and .[6].name == \"later\" and .[6].state == \"complete\"" \
		".[6].release == null"
'

test_expect_success 'list --json: a failed migration' '
	cat >migrations/0008_half.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE half (id integer);
	INSERT INTO nowhere (id) VALUES (1);
	EOF
	echo "CREATE TABLE later (id integer);" >migrations/0007_later.sql &&
	cp "$FIXTURES/releases/0001_create_users.sql" migrations/ &&
	test_expect_code 1 ferry -d "$DB_URL" -q up 2>/dev/null &&
	ferry -d "$DB_URL" list --json >out &&
	test_json out \
		".[7].version == \"8\" and .[7].state == \"failed\"" \
		".[7].up_ms == null"
'

test_expect_success 'list --json: nothing but the document on stdout' '
	ferry -d "$DB_URL" --json list >out 2>err &&
	test_must_be_empty err &&
	test_json out "length == 8"
'

test_done
