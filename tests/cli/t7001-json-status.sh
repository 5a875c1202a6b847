#!/bin/sh
test_description='ferry status --json: one document with the fields of SPEC section 5'
. "$(dirname "$0")/test-lib.sh"

time_or_null='(. == null) or test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")'
is_time='type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")'

test_expect_success 'setup' '
	use_fixture releases
'

test_expect_success 'status --json on a database not used yet' '
	ferry -d "$DB_URL" status --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		"(.engine | type == \"string\" and length > 0)" \
		"(.server_version | type == \"string\" and length > 0)" \
		".database == env.DB_SHOWN" \
		".release_finished == null" \
		".release_in_flight == null" \
		".head == \"5\"" \
		".counts == {\"complete\": 0, \"up\": 0, \"pending\": 5, \"failed\": 0, \"running\": 0, \"unknown\": 0, \"retired\": 0}" \
		".drift == []" \
		".lock == {\"held\": false, \"holder\": null}" \
		".last_action == null"
'

test_expect_success 'the engine and its version' '
	ferry -d "$DB_URL" status --json >out &&
	if test "$ENGINE" = sqlite; then
		test_json out ".engine == \"sqlite\"" \
			"(.server_version | test(\"^3\\\\.[0-9]+\\\\.[0-9]+\"))"
	fi &&
	ferry -d "$DB_URL" status >text &&
	engine=$(jq -r .engine out) &&
	version=$(jq -r .server_version out) &&
	grep -F "($engine $version)" text
'

test_expect_success 'every field of the contract is there' '
	test_json out \
		"has(\"engine\") and has(\"server_version\") and has(\"database\")" \
		"has(\"release_finished\") and has(\"release_in_flight\") and has(\"head\")" \
		"(.counts | keys) == [\"complete\", \"failed\", \"pending\", \"retired\", \"running\", \"unknown\", \"up\"]" \
		"(.counts | map(type == \"number\") | all)" \
		"(.drift | type) == \"array\"" \
		"(.lock | has(\"held\") and has(\"holder\"))" \
		"has(\"last_action\")"
'

test_expect_success 'status --json after a partial up' '
	ferry -d "$DB_URL" -q up --to 3 &&
	ferry -d "$DB_URL" status --json >out 2>err &&
	test_must_be_empty err &&
	user=$(id -un)@$(hostname) &&
	test_json out \
		".release_finished == \"1.0\"" \
		".release_in_flight == \"1.1\"" \
		".head == \"5\"" \
		".counts == {\"complete\": 3, \"up\": 0, \"pending\": 2, \"failed\": 0, \"running\": 0, \"unknown\": 0, \"retired\": 0}" \
		".drift == []" \
		"(.last_action | keys) == [\"action\", \"at\", \"by\", \"success\", \"version\"]" \
		".last_action.action == \"up\"" \
		".last_action.version == \"3\"" \
		".last_action.by == \"$user\"" \
		"(.last_action.at | $is_time)"
'

test_expect_success 'status --json: an unreleased migration in flight' '
	ferry -d "$DB_URL" -q up &&
	ferry -d "$DB_URL" status --json >out &&
	test_json out \
		".release_finished == \"1.1\"" \
		".release_in_flight == \"1.1+1\"" \
		".counts.complete == 5 and .counts.pending == 0"
'

test_expect_success 'status --json with drift' '
	echo "-- edited" >>migrations/0002_create_orders.sql &&
	ferry -d "$DB_URL" status --json >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		".drift == [\"2\"]" \
		".counts.unknown == 0"
'

test_expect_success 'status --json --exit-code: the exit code, and still one document' '
	test_expect_code 5 ferry -d "$DB_URL" status --json --exit-code >out 2>err &&
	test_must_be_empty err &&
	test_json out ".drift == [\"2\"]" &&
	cp "$FIXTURES/releases/0002_create_orders.sql" migrations/ &&
	ferry -d "$DB_URL" status --json --exit-code >out &&
	test_json out ".drift == []" &&
	echo "CREATE TABLE later (id integer);" >migrations/0006_later.sql &&
	test_expect_code 3 ferry -d "$DB_URL" --json status --exit-code >out &&
	test_json out ".counts.pending == 1"
'

test_expect_success 'status --json with a version no file has' '
	ferry -d "$DB_URL" -q up &&
	rm migrations/0006_later.sql &&
	test_expect_code 5 ferry -d "$DB_URL" status --json --exit-code >out &&
	test_json out ".counts.unknown == 1" ".counts.complete == 5" ".head == \"5\""
'

test_expect_success 'a failed migration in status --json' '
	echo "CREATE TABLE later (id integer);" >migrations/0006_later.sql &&
	cat >migrations/0007_half.sql <<-\EOF &&
	-- ferry:up no-transaction
	CREATE TABLE half (id integer);
	INSERT INTO nowhere (id) VALUES (1);
	EOF
	test_must_fail ferry -d "$DB_URL" -q up 2>/dev/null &&
	ferry -d "$DB_URL" status --json >out &&
	test_json out ".counts.failed == 1" ".counts.unknown == 0" \
		".counts.complete == 6" ".head == \"7\"" \
		".last_action.version == \"7\""
'

test_expect_success '--json errors: words to stderr, the error document to stdout' '
	cat >expect <<-\EOF &&
	ferry: error: migration directory '"'"'nowhere'"'"' does not exist
	hint: create it with '"'"'ferry init'"'"', or name another one with --dir
	EOF
	test_expect_code 2 ferry -d "$DB_URL" --dir nowhere status --json >out 2>actual &&
	test_json out ".error.exit == 2" ".error.code == \"invalid\"" &&
	test_cmp expect actual
'

test_done
