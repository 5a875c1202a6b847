#!/bin/sh
test_description='--json: a failing command still prints one JSON document, the error'
. "$(dirname "$0")/test-lib.sh"

# With --json, a command that fails without printing its own document
# prints {"error": {...}} on stdout, exits as it would without --json, and
# says the same words on stderr. A command that printed its document
# first prints no second one.

q="'"
long63=$(printf "%063d" 0 | tr 0 t)
long55=$(printf "%055d" 0 | tr 0 t)

# test_error FILE FIELDS: FILE is one document, the error, whose fields
# not null are the jq object FIELDS (in which . is the document).
test_error() {
	test_json "$1" "keys == [\"error\"]" \
		".error | keys_unsorted == [\"code\", \"exit\", \"message\", \"detail\", \"hint\", \"sqlstate\", \"file\", \"line\", \"column\"]" \
		".error == ({\"detail\": null, \"hint\": null, \"sqlstate\": null, \"file\": null, \"line\": null, \"column\": null} + $2)"
}

test_expect_success 'setup' '
	mkdir migrations &&
	echo "CREATE TABLE a (id integer);" >migrations/0001_a.sql
'

test_expect_success 'a failing migration: the error document, the words on stderr' '
	echo "INSERT INTO nowhere VALUES (1);" >migrations/0002_b.sql &&
	test_expect_code 1 ferry -d "$DB_URL" up --json >out 2>err &&
	case $ENGINE in
	sqlite)
		words="migrations/0002_b.sql:1:1: no such table: nowhere"
		want="{\"detail\": \"no such table: nowhere\", \"column\": 1}" ;;
	pg)
		words="migrations/0002_b.sql:1:13: relation \"nowhere\" does not exist (SQLSTATE 42P01)"
		want="{\"detail\": \"relation \\\"nowhere\\\" does not exist\", \"sqlstate\": \"42P01\", \"column\": 13}" ;;
	esac &&
	test_error out "{\"code\": \"db\", \"exit\": 1,
		\"message\": \"migration ${q}0002_b${q} failed\",
		\"hint\": \"nothing of it was applied; fix it and run again\",
		\"file\": \"migrations/0002_b.sql\", \"line\": 1} + $want" &&
	normalize <err >actual &&
	cat >expect <<-EOF &&
	up     0001_a ... ok (N ms)
	up     0002_b ... 
	ferry: error: migration ${q}0002_b${q} failed
	$words
	hint: nothing of it was applied; fix it and run again
	EOF
	test_cmp expect actual
'

test_expect_success 'drift: code "refused", exit 5' '
	rm migrations/0002_b.sql &&
	echo "-- edited" >>migrations/0001_a.sql &&
	test_expect_code 5 ferry -d "$DB_URL" up --json >out 2>err &&
	test_error out "{\"code\": \"refused\", \"exit\": 5,
		\"message\": \"migration ${q}0001_a${q} was changed after it was applied\"}
		+ {\"detail\": .error.detail, \"hint\": .error.hint}" &&
	test_json out ".error.detail | startswith(\"applied by \")" \
		".error.hint == \"restore ${q}migrations/0001_a.sql${q} as it was applied; changes belong in a new migration\"" &&
	head -n 1 err >actual &&
	echo "ferry: error: migration ${q}0001_a${q} was changed after it was applied" >expect &&
	test_cmp expect actual
'

test_expect_success 'an unknown option, even before --json: exit 2, code "invalid"' '
	test_expect_code 2 ferry -d "$DB_URL" status --bogus --json >out 2>err &&
	test_error out "{\"code\": \"invalid\", \"exit\": 2,
		\"message\": \"unknown option ${q}--bogus${q}\",
		\"hint\": \"try ${q}ferry status --help${q}\"}" &&
	cat >expect <<-EOF &&
	ferry: error: unknown option ${q}--bogus${q}
	hint: try ${q}ferry status --help${q}
	EOF
	test_cmp expect err
'

test_expect_success 'a usage error of a command' '
	test_expect_code 2 ferry -d "$DB_URL" --json check >out 2>err &&
	test_error out "{\"code\": \"invalid\", \"exit\": 2,
		\"message\": \"${q}check${q} needs --release R\",
		\"hint\": \"try ${q}ferry check --help${q}\"}" &&
	cat >expect <<-EOF &&
	ferry: error: ${q}check${q} needs --release R
	hint: try ${q}ferry check --help${q}
	EOF
	test_cmp expect err
'

test_expect_success 'an unknown command, and no command' '
	test_expect_code 2 ferry stauts --json >out 2>err &&
	test_error out "{\"code\": \"invalid\", \"exit\": 2,
		\"message\": \"${q}stauts${q} is not a ferry command\",
		\"hint\": \"did you mean ${q}status${q}?\"}" &&
	cat >expect <<-EOF &&
	ferry: error: ${q}stauts${q} is not a ferry command
	hint: did you mean ${q}status${q}?
	EOF
	test_cmp expect err &&
	test_expect_code 2 ferry --json >out 2>err &&
	test_error out "{\"code\": \"invalid\", \"exit\": 2,
		\"message\": \"no command given\",
		\"hint\": \"try ${q}ferry --help${q}\"}" &&
	grep "^usage: ferry" err
'

test_expect_success 'a bad URL, from the library: code "invalid"' '
	test_expect_code 2 ferry -d "mysql://localhost/x" status --json >out 2>err &&
	test_json out ".error.code == \"invalid\"" ".error.exit == 2" \
		".error.message == \"unsupported database URL scheme ${q}mysql${q}\"" &&
	head -n 1 err >actual &&
	echo "ferry: error: unsupported database URL scheme ${q}mysql${q}" >expect &&
	test_cmp expect actual
'

test_expect_success 'a destructive command without --yes: code "refused"' '
	test_expect_code 5 ferry -d "$DB_URL" reset --json </dev/null >out 2>err &&
	test_error out "{\"code\": \"refused\", \"exit\": 5,
		\"message\": .error.message, \"hint\": .error.hint}" &&
	test_json out ".error.message | endswith(\": refused without --yes\")" \
		".error.hint | startswith(\"standard input is not a terminal\")"
'

test_expect_success 'one document only: status --exit-code with work pending' '
	echo "CREATE TABLE a (id integer);" >migrations/0001_a.sql &&
	ferry -d "$DB_URL" -q reset --yes &&
	test_expect_code 3 ferry -d "$DB_URL" status --exit-code --json >out 2>err &&
	test_json out "has(\"error\") | not" ".counts.pending == 1" &&
	test_must_be_empty err
'

test_expect_success 'one document only: check says no' '
	echo "1.0 1" >migrations/releases &&
	test_expect_code 3 ferry -d "$DB_URL" check --release 1.0 --json >out 2>err &&
	test_json out ". == {\"release\": \"1.0\", \"ok\": false, \"reason\": .reason}" \
		".reason | type == \"string\""
'

test_expect_success 'one document only: up stopped at a checkpoint' '
	echo "1.0 1 checkpoint" >migrations/releases &&
	cat >migrations/0001_a.sql <<-\EOF &&
	-- ferry:up
	CREATE TABLE a (id integer);
	-- ferry:finish
	UPDATE a SET id = 1;
	EOF
	echo "CREATE TABLE b (id integer);" >migrations/0002_b.sql &&
	test_expect_code 5 ferry -d "$DB_URL" up --json >out 2>err &&
	test_json out "has(\"error\") | not" ".checkpoint == \"1.0\"" &&
	grep "^ferry: error: stopped after release 1.0" err
'

test_expect_success 'one document only: validate finds problems' '
	sed -i "2i -- edited" migrations/0001_a.sql &&
	test_expect_code 5 ferry -d "$DB_URL" validate --json >out 2>err &&
	test_json out "has(\"error\") | not" ".findings | length == 1"
'

test_expect_success 'the lock not had in time: code "locked", exit 4' '
	ferry -d "$DB_URL" -q reset --yes &&
	rm migrations/releases &&
	{
		echo "CREATE TABLE a (id integer);" &&
		slow_sql 3
	} >migrations/0001_a.sql &&
	rm migrations/0002_b.sql &&
	{ "$FERRY" -d "$DB_URL" up >holder.out 2>holder.err & } &&
	echo $! >holder.pid &&
	wait_for 10 grep -q "^up     0001_a \.\.\. " holder.out &&
	test_expect_code 4 ferry -d "$DB_URL" up --json --lock-timeout 0 >out 2>err &&
	wait "$(cat holder.pid)" &&
	rm holder.pid &&
	test_json out ".error.code == \"locked\"" ".error.exit == 4" \
		".error.message == \"another ferry is working on database ${q}$DB_SHOWN${q}\"" \
		".error.hint == \"wait for it to finish, or wait longer with --lock-timeout\"" &&
	grep "^ferry: error: another ferry is working" err
'

# The history table's name comes from the ledger's (x -> x_history): it
# must fit PostgreSQL's 63 bytes too, on every engine.
test_expect_success 'a 63-character --table: refused, exit 2, nothing touched' '
	db_snapshot db.before &&
	test_expect_code 2 ferry -d "$DB_URL" --table "$long63" up >out 2>err &&
	db_snapshot db.after &&
	test_must_be_empty out &&
	cat >expect <<-EOF &&
	ferry: error: invalid table name ${q}$long63${q}: its history table ${q}${long63}_history${q} would have 71 characters, more than 63
	hint: use a table name of at most 55 characters, or of at most 63 ending in ${q}_migrations${q}
	EOF
	test_cmp expect err &&
	test_cmp db.before db.after
'

test_expect_success 'the same with --json' '
	test_expect_code 2 ferry -d "$DB_URL" --table "$long63" up --json >out 2>err &&
	test_error out "{\"code\": \"invalid\", \"exit\": 2,
		\"message\": \"invalid table name ${q}$long63${q}: its history table ${q}${long63}_history${q} would have 71 characters, more than 63\",
		\"hint\": \"use a table name of at most 55 characters, or of at most 63 ending in ${q}_migrations${q}\"}"
'

test_expect_success 'a 55-character --table works, and so does 63 ending in _migrations' '
	echo "CREATE TABLE a (id integer);" >migrations/0001_a.sql &&
	ferry -d "$DB_URL" -q reset --yes &&
	ferry -d "$DB_URL" --table "$long55" -q up &&
	ferry -d "$DB_URL" --table "$long55" status --json >out &&
	test_json out ".counts.complete == 1" &&
	db_tables >tables &&
	grep -x "${long55}_history" tables &&
	long_m=$(printf "%052d" 0 | tr 0 m)_migrations &&
	ferry -d "$DB_URL" --table "$long55" -q reset --yes &&
	ferry -d "$DB_URL" --table "$long_m" -q up &&
	db_tables >tables &&
	grep -x "$(printf "%052d" 0 | tr 0 m)_history" tables
'

test_done
