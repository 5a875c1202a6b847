#!/bin/sh
test_description='ferry reset: drop what the migrations made and the ledger; --dry-run, --yes, the lock'
. "$(dirname "$0")/test-lib.sh"

# SPEC section 3: reset drops every object ferry's migrations own and the
# ledger, asking first unless --yes; destructive commands never run without
# --yes when standard input is not a terminal (exit 5). Afterwards status
# shows every migration pending and up builds the database again.

# Objects with odd names, a view on a table, an index; a trigger on SQLite;
# on PostgreSQL an enum type, a function, a free sequence and a serial.
write_migrations() {
	mkdir -p migrations &&
	cat >migrations/1_base.sql <<-\EOF &&
	CREATE TABLE users (id integer PRIMARY KEY, email text);
	CREATE TABLE "odd ""quoted"" name" (id integer, "a column" text);
	CREATE INDEX users_by_email ON users (email);
	CREATE VIEW "active users" AS SELECT id, email FROM users;
	INSERT INTO users VALUES (1, 'a@example.com');
	EOF
	case $ENGINE in
	sqlite)
		cat >migrations/2_more.sql <<-\EOF
		CREATE TRIGGER users_audit AFTER INSERT ON users
		BEGIN
		  INSERT INTO "odd ""quoted"" name" VALUES (new.id, 'x');
		END;
		EOF
		;;
	pg)
		cat >migrations/2_more.sql <<-\EOF
		CREATE TYPE mood AS ENUM ('happy', 'sad');
		CREATE TABLE feelings (id serial PRIMARY KEY, m mood NOT NULL DEFAULT 'happy');
		CREATE FUNCTION "add one"(i integer) RETURNS integer
		  LANGUAGE sql AS $$ SELECT i + 1 $$;
		CREATE SEQUENCE tickets;
		EOF
		;;
	esac
}

# The objects reset drops on each engine, as it lists them.
expected_list() {
	case $ENGINE in
	sqlite)
		sed "s/^/$1  /" <<-\EOF
		trigger  users_audit
		view     "active users"
		index    users_by_email
		table    ferry_history  (ferry's ledger)
		table    ferry_migrations  (ferry's ledger)
		table    "odd ""quoted"" name"
		table    users
		EOF
		;;
	pg)
		sed "s/^/$1  /" <<-\EOF
		view      public."active users"
		table     public."odd ""quoted"" name"
		table     public.feelings
		table     public.ferry_history  (ferry's ledger)
		table     public.ferry_migrations  (ferry's ledger)
		table     public.users
		sequence  public.tickets
		function  public."add one"(i integer)
		type      public.mood
		EOF
		;;
	esac
}

case $ENGINE in
sqlite) NOBJ=7 ;;
pg) NOBJ=9 ;;
esac

# Every object of the user's and ferry's, whatever its kind.
db_objects() {
	case $ENGINE in
	sqlite) db_sql "SELECT type, name FROM sqlite_master ORDER BY 1, 2" ;;
	pg) db_sql "SELECT 'rel', relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' UNION ALL SELECT 'type', typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE nspname = 'public' UNION ALL SELECT 'proc', proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE nspname = 'public' ORDER BY 1, 2" ;;
	esac
}

# no_yes QUESTION CMD...: refused for want of --yes (exit 5), nothing on
# stdout, nothing changed.
no_yes() {
	printf "ferry: error: %s: refused without --yes\n%s\n" "$1" \
		"hint: standard input is not a terminal, so nobody can answer; add --yes if you mean it" >expect &&
	shift &&
	db_snapshot db.before &&
	test_expect_code 5 "$@" >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual &&
	db_snapshot db.after &&
	test_cmp db.before db.after
}

test_expect_success 'reset of an empty database: nothing to do, nothing made' '
	ferry -d "$DB_URL" reset </dev/null >out 2>err &&
	echo "nothing to do: the database holds no objects" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	if test "$ENGINE" = sqlite
	then
		test_path_is_missing test.db
	fi
'

test_expect_success 'setup: the migrations applied' '
	write_migrations &&
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_objects >objects.applied &&
	test -s objects.applied
'

test_expect_success '--dry-run lists what would go and changes nothing' '
	db_snapshot db.before &&
	ferry -d "$DB_URL" reset --dry-run </dev/null >out 2>err &&
	{
		expected_list "would drop" &&
		echo "would drop $NOBJ objects; nothing was changed"
	} >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	db_snapshot db.after &&
	test_cmp db.before db.after
'

test_expect_success 'without --yes, stdin not a terminal: refused (exit 5), nothing dropped' '
	no_yes "drop $NOBJ objects, ferry'"'"'s ledger included, from '"'"'$DB_SHOWN'"'"'" \
		ferry -d "$DB_URL" reset </dev/null
'

test_expect_success 'on a terminal it lists, then asks; no answer is no' '
	db_snapshot db.before &&
	test_expect_code 5 test_tty tty.out ferry -d "$DB_URL" reset &&
	{
		expected_list drop &&
		echo "drop $NOBJ objects, ferry'"'"'s ledger included, from '"'"'$DB_SHOWN'"'"'? [y/N] ferry: error: drop $NOBJ objects, ferry'"'"'s ledger included, from '"'"'$DB_SHOWN'"'"': not confirmed, nothing changed"
	} >expect &&
	test_cmp expect tty.out &&
	db_snapshot db.after &&
	test_cmp db.before db.after
'

test_expect_success 'reset takes no arguments (exit 2)' '
	test_expect_code 2 ferry -d "$DB_URL" reset --yes everything >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'reset'"'"' takes no arguments
	hint: try '"'"'ferry reset --help'"'"'
	EOF
	test_cmp expect err &&
	db_objects >actual &&
	test_cmp objects.applied actual
'

# A runner that holds the lock in a long migration.

# The killed holder's lock is gone (on PostgreSQL once the server has
# noticed that its client died, within a second).
lock_free() {
	ferry -d "$DB_URL" status >status.out &&
	grep "^lock        free\$" status.out
}

# The role t3400 makes is the cluster's: dropped whatever happens, after
# test_done has dropped the database and with it the role's rights.
trap 'test -f "$TRASH/holder.pid" && kill -9 "$(cat "$TRASH/holder.pid")" 2>/dev/null
if test "$ENGINE" = pg
then
	"$PSQL" -X -q -d "$PG_ADMIN_URL" -c "DROP ROLE IF EXISTS ferry_t3400_$$" >/dev/null 2>&1
fi' EXIT

test_expect_success 'while another ferry holds the lock, reset waits, then gives up (exit 4)' '
	slow_sql 100 >migrations/3_slow.sql &&
	{ "$FERRY" -d "$DB_URL" up >holder.out 2>holder.err & } &&
	echo $! >holder.pid &&
	wait_for 30 grep -q "^up     3_slow \.\.\. " holder.out &&
	db_objects >objects.before &&
	test_expect_code 4 ferry -d "$DB_URL" reset --yes --lock-timeout 1 </dev/null >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-EOF &&
	ferry: waiting for the lock on '"'"'$DB_SHOWN'"'"', held by pid HOLDER, USER@HOST, since TIME
	ferry: error: another ferry is working on database '"'"'$DB_SHOWN'"'"'
	the lock is held by pid HOLDER, USER@HOST, since TIME
	hint: wait for it to finish, or wait longer with --lock-timeout
	EOF
	sed -e "s/pid $(cat holder.pid),/pid HOLDER,/g" err | normalize >actual &&
	test_cmp expect actual &&
	db_objects >objects.after &&
	test_cmp objects.before objects.after &&
	kill -9 "$(cat holder.pid)" &&
	{ wait "$(cat holder.pid)" || :; } &&
	rm holder.pid migrations/3_slow.sql &&
	wait_for 10 lock_free
'

test_expect_success 'reset --yes drops everything it listed, the ledger too' '
	ferry -d "$DB_URL" reset --yes </dev/null >out 2>err &&
	{
		expected_list drop &&
		echo "dropped $NOBJ objects; every migration is pending"
	} >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	db_objects >actual &&
	test_must_be_empty actual
'

test_expect_success 'afterwards status shows every migration pending' '
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  0 complete, 2 pending\$" out &&
	grep "^last action none\$" out
'

test_expect_success '... and up builds it all again' '
	ferry -d "$DB_URL" up >out 2>err &&
	test_must_be_empty err &&
	db_objects >actual &&
	test_cmp objects.applied actual &&
	echo "1|a@example.com" >expect &&
	db_sql "SELECT * FROM \"active users\"" >actual &&
	test_cmp expect actual
'

test_expect_success 'reset --json: one document, the objects dropped' '
	ferry -d "$DB_URL" reset --yes --json </dev/null >out 2>err &&
	test_must_be_empty err &&
	test_json out \
		".dry_run == false" \
		".database == \"$DB_SHOWN\"" \
		".dropped | length == $NOBJ" \
		"[.dropped[] | select(.ledger)] | length == 2" \
		"[.dropped[] | select(.name | test(\"odd\"))][0].kind == \"table\"" &&
	db_objects >actual &&
	test_must_be_empty actual &&
	ferry -d "$DB_URL" reset --yes --json </dev/null >out &&
	test_json out ".dropped == []"
'

test_expect_success 'reset -q --yes prints nothing' '
	ferry -q -d "$DB_URL" up &&
	ferry -q -d "$DB_URL" reset --yes </dev/null >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	db_objects >actual &&
	test_must_be_empty actual
'

test_expect_success 'objects made by hand go too, ledger or not' '
	db_sql "CREATE TABLE by_hand (id integer)" &&
	ferry -d "$DB_URL" reset --yes </dev/null >out &&
	case $ENGINE in
	sqlite) echo "drop  table  by_hand" ;;
	pg) echo "drop  table  public.by_hand" ;;
	esac >expect &&
	echo "dropped 1 object; every migration is pending" >>expect &&
	test_cmp expect out
'

if test "$ENGINE" = pg
then
	test_expect_success 'PostgreSQL: with --schema, only that schema; public stays' '
		ferry -q -d "$DB_URL" up &&
		mkdir m2 &&
		cat >m2/1_app.sql <<-\EOF &&
		CREATE TABLE app_s.things (id integer PRIMARY KEY);
		CREATE VIEW app_s."thing ids" AS SELECT id FROM app_s.things;
		CREATE TYPE app_s.colour AS ENUM ('"'"'red'"'"');
		EOF
		db_sql "CREATE SCHEMA app_s" &&
		ferry -d "$DB_URL" --dir m2 --schema app_s up >out &&
		db_objects >public.before &&
		ferry -d "$DB_URL" --dir m2 --schema app_s reset --yes </dev/null >out 2>err &&
		cat >expect <<-\EOF &&
		drop  view   app_s."thing ids"
		drop  table  app_s.ferry_history  (ferry'"'"'s ledger)
		drop  table  app_s.ferry_migrations  (ferry'"'"'s ledger)
		drop  table  app_s.things
		drop  type   app_s.colour
		dropped 5 objects; every migration is pending
		EOF
		test_cmp expect out &&
		test_must_be_empty err &&
		db_objects >public.after &&
		test_cmp public.before public.after &&
		echo "app_s|0" >expect &&
		db_sql "SELECT nspname, (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid) FROM pg_namespace n WHERE nspname = '"'"'app_s'"'"'" >actual &&
		test_cmp expect actual
	'

	test_expect_success 'PostgreSQL: a reset that would reach into another schema is refused (exit 5)' '
		ferry -q -d "$DB_URL" --dir m2 --schema app_s up &&
		db_sql "CREATE VIEW public.\"uses things\" AS SELECT id FROM app_s.things" &&
		db_snapshot db.before &&
		test_expect_code 5 ferry -d "$DB_URL" --dir m2 --schema app_s reset --yes </dev/null >out 2>err &&
		test_must_be_empty out &&
		cat >expect <<-\EOF &&
		ferry: error: reset would also drop 2 objects outside schema '"'"'app_s'"'"'
		relation public."uses things", column public."uses things".id
		hint: they depend on objects in '"'"'app_s'"'"'; drop or change them first, nothing was dropped
		EOF
		test_cmp expect err &&
		db_snapshot db.after &&
		test_cmp db.before db.after
	'

	test_expect_success 'PostgreSQL: a user who does not own the objects: exit 1, nothing dropped' '
		role=ferry_t3400_$$ &&
		"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" -c "CREATE ROLE $role LOGIN" &&
		db_sql "GRANT ALL ON SCHEMA public TO $role" &&
		ferry -q -d "$DB_URL" up &&
		db_snapshot db.before &&
		role_url=$(echo "$DB_URL" | sed "s|://[^@/]*@|://$role@|") &&
		test_expect_code 1 ferry -d "$role_url" reset --yes </dev/null >out 2>err &&
		test_must_be_empty out &&
		cat >expect <<-EOF &&
		ferry: error: cannot reset database '"'"'$(echo "$DB_SHOWN" | sed "s|://[^@/]*@|://$role@|")'"'"'
		must be owner of view active users (SQLSTATE 42501)
		hint: nothing was dropped; run reset as the owner of the objects
		EOF
		test_cmp expect err &&
		db_snapshot db.after &&
		test_cmp db.before db.after
	'

	test_expect_success 'PostgreSQL: the schema public itself is never dropped' '
		ferry -q -d "$DB_URL" reset --yes </dev/null &&
		echo 1 >expect &&
		db_sql "SELECT count(*) FROM pg_namespace WHERE nspname = '"'"'public'"'"'" >actual &&
		test_cmp expect actual
	'
fi

test_done
