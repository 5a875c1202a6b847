#!/bin/sh
test_description='--actor and FERRY_ACTOR name who the ledger and the history record'
. "$(dirname "$0")/test-lib.sh"

# Issue 18, part 5: ferry_db_options.actor, which the CLI fills from
# --actor, else FERRY_ACTOR; without either, user@host as before.

q="'"

test_expect_success 'setup' '
	use_fixture basic
'

test_expect_success 'without --actor, user@host is recorded' '
	env -u FERRY_ACTOR "$FERRY" -q -d "$DB_URL" up --to 1 &&
	ferry -d "$DB_URL" history --json >out &&
	test_json out "length == 1" ".[0].by == \"$(id -un)@$(hostname)\""
'

test_expect_success 'FERRY_ACTOR names the actor of the ledger and the history' '
	FERRY_ACTOR="deploy-bot@ci" ferry -q -d "$DB_URL" up --to 2 &&
	ferry -d "$DB_URL" history --json >out &&
	test_json out ".[0].by == \"deploy-bot@ci\"" ".[0].version == \"2\"" &&
	test "$(db_sql "SELECT applied_by FROM ferry_migrations WHERE version = 2")" = "deploy-bot@ci"
'

test_expect_success '--actor wins over FERRY_ACTOR' '
	FERRY_ACTOR=env-bot ferry -q -d "$DB_URL" --actor "alice (release 3)" up &&
	ferry -d "$DB_URL" history --json >out &&
	test_json out ".[0].by == \"alice (release 3)\"" ".[0].version == \"3\""
'

test_expect_success 'a bad actor is refused before anything is done (exit 2)' '
	db_snapshot before &&
	test_expect_code 2 ferry -d "$DB_URL" --actor "" down --steps 1 --yes >out 2>err &&
	grep "^ferry: error: invalid actor: empty$" err &&
	test_expect_code 2 env FERRY_ACTOR="$(printf "a\tb")" "$FERRY" -d "$DB_URL" down --steps 1 --yes >out 2>err &&
	grep "^ferry: error: invalid actor: it holds a control character at byte 2$" err &&
	test_expect_code 2 ferry -d "$DB_URL" --actor "$(printf "%0129d" 0)" down --steps 1 --yes >out 2>err &&
	grep "^ferry: error: invalid actor: 129 bytes, more than 128$" err &&
	grep "^hint: name who acts in 1 to 128 bytes of printable text, e.g. ${q}deploy-bot${q} or ${q}alice@ci${q}$" err &&
	db_snapshot after &&
	test_cmp before after
'

test_done
