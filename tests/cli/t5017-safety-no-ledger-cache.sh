#!/bin/sh
test_description='the ledger is always read from the database, never from a file outside it'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# An earlier ferry kept the ledger it read in ~/.cache/ferry/ledger-*, and
# answered a no-op from there: whoever could write that directory (a
# shared XDG_CACHE_HOME, sudo -E) could make 'up' say "nothing to do" with
# work pending. There is no such cache any more: nothing is written there
# but the set cache, and nothing there decides what the database holds.

test_expect_success 'setup: one migration applied, its files settled' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up --to 1 &&
	sleep 2.1 &&
	ferry -d "$DB_URL" list >out &&
	ferry -d "$DB_URL" up --to 1 >out
'

test_expect_success 'no ledger is kept outside the database' '
	ls -A .cache/ferry >files &&
	! grep "^ledger-" files
'

test_expect_success 'a ledger planted there changes nothing: up applies what is pending' '
	set -- $(stat -c "%d %i" "$DB_FILE") &&
	name=$(printf "ledger-%x-%x" "$1" "$2") &&
	{
		echo "ferry-ledger-cache 1 $(ferry --version | sed "s/^ferry //; s/ .*//")" &&
		db_sql "SELECT * FROM ferry_migrations"
	} >".cache/ferry/$name" &&
	chmod 600 ".cache/ferry/$name" &&
	ferry -d "$DB_URL" up >out &&
	grep "^applied 2 migrations; database at 3" out
'

test_done
