#!/bin/sh
test_description='ferry history --json: the audit log as an array, newest first'
. "$(dirname "$0")/test-lib.sh"

is_time='type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")'

test_expect_success 'setup' '
	use_fixture releases
'

test_expect_success 'history --json with no history: an empty array' '
	ferry -d "$DB_URL" history --json >out 2>err &&
	test_must_be_empty err &&
	test_json out ". == []"
'

test_expect_success 'history --json: newest first, with who, when and how long' '
	ferry -d "$DB_URL" -q up --to 1.0 &&
	ferry -d "$DB_URL" history --json >out 2>err &&
	test_must_be_empty err &&
	user=$(id -un)@$(hostname) &&
	v=$(ferry --version | sed "s/^ferry //") &&
	test_json out \
		"length == 2" \
		"map(.version) == [\"2\", \"1\"]" \
		"map(.name) == [\"create_orders\", \"create_users\"]" \
		"map(.action) | all(. == \"up\")" \
		"map(.release) | all(. == \"1.0\")" \
		"map(.by) | all(. == \"$user\")" \
		"map(.at | $is_time) | all" \
		"map(.duration_ms | type == \"number\" and . >= 0) | all" \
		"map(.success) | all(. == true)" \
		"map(.error) | all(. == null)" \
		"map(.ferry_version) | all(. == \"$v\")" \
		".[0].id > .[1].id"
'

test_expect_success 'history --json --limit' '
	ferry -d "$DB_URL" -q up --to 4 &&
	ferry -d "$DB_URL" history --json --limit 3 >out &&
	test_json out "length == 3" "map(.version) == [\"4\", \"3\", \"2\"]" &&
	ferry -d "$DB_URL" history --json -n 1 >out &&
	test_json out "length == 1" ".[0].version == \"4\""
'

test_expect_success 'history --json: a failure with its location and the engine'"'"'s words' '
	cat >migrations/0005_create_reviews.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE reviews (id integer PRIMARY KEY, product_id integer NOT NULL);
	INSERT INTO reviews (id, product_id) VALUES (1, NULL);
	EOF
	test_expect_code 1 ferry -d "$DB_URL" -q up 2>/dev/null &&
	ferry -d "$DB_URL" history --json --limit 1 >out &&
	test_json out \
		".[0].action == \"up\"" \
		".[0].version == \"5\"" \
		".[0].name == \"create_reviews\"" \
		".[0].success == false" \
		"(.[0].error | startswith(\"migrations/0005_create_reviews.sql:3:1: \"))" \
		"(.[0].error | length > 45)" &&
	if test "$ENGINE" = sqlite; then
		test_json out ".[0].error == \"migrations/0005_create_reviews.sql:3:1: NOT NULL constraint failed: reviews.product_id\""
	fi
'

test_expect_success 'history --json needs no migration files' '
	rm -r migrations &&
	ferry -d "$DB_URL" history --json >out 2>err &&
	test_must_be_empty err &&
	test_json out "length == 5"
'

test_done
