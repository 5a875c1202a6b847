#!/bin/sh
test_description='ferry new: a migration file from the template'
. "$(dirname "$0")/test-lib.sh"

q="'"

test_expect_success 'new without a migration directory' '
	cat >expect <<-\EOF &&
	ferry: error: migration directory '"'"'migrations'"'"' does not exist
	hint: create it with '"'"'ferry init'"'"', or name another one with --dir
	EOF
	test_expect_code 2 ferry new add_users >out 2>actual &&
	test_must_be_empty out &&
	test_cmp expect actual
'

test_expect_success 'new NAME: a UTC timestamp version, the path on stdout' '
	mkdir migrations &&
	before=$(date -u +%Y%m%d%H%M%S) &&
	ferry new add_users >actual 2>err &&
	after=$(date -u +%Y%m%d%H%M%S) &&
	test_must_be_empty err &&
	test_line_count = 1 actual &&
	grep -E "^migrations/[0-9]{14}_add_users\.sql$" actual &&
	path=$(cat actual) &&
	test_path_is_file "$path" &&
	v=${path#migrations/} &&
	v=${v%%_*} &&
	test "$v" -ge "$before" &&
	test "$v" -le "$after"
'

test_expect_success 'the template has up and down markers and a TODO line' '
	path=$(ls migrations/*_add_users.sql) &&
	grep -n "^-- ferry:" "$path" >markers &&
	sed "s/^[0-9]*://" markers >actual &&
	cat >expect <<-\EOF &&
	-- ferry:up
	-- ferry:down
	EOF
	test_cmp expect actual &&
	head -n 1 "$path" >actual &&
	echo "-- Migration add_users" >expect &&
	test_cmp expect actual &&
	grep "ferry:finish" "$path" &&
	sed -n 7p "$path" >actual &&
	echo "-- TODO: write the up SQL here; until then ${q}ferry up${q} refuses this file" >expect &&
	test_cmp expect actual
'

test_expect_success 'up refuses an untouched template, naming file and line' '
	path=$(ls migrations/*_add_users.sql) &&
	id=$(basename "$path" .sql) &&
	cat >expect <<-EOF &&
	ferry: error: $path:7:1: the up section of migration ${q}$id${q} is still the template ${q}ferry new${q} wrote
	hint: write its SQL in place of the TODO line, or pass --allow-empty to record it as applied with nothing run
	EOF
	test_expect_code 5 ferry -d "$DB_URL" up >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out &&
	test_expect_code 5 ferry -d "$DB_URL" migrate 2>actual &&
	test_cmp expect actual &&
	test_expect_code 5 ferry -d "$DB_URL" up --dry-run 2>actual &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" list >actual &&
	grep "add_users  *-  *pending" actual
'

test_expect_success 'up --json: the refusal as a JSON error' '
	test_expect_code 5 ferry -d "$DB_URL" up --json >out 2>err &&
	jq -e ".error.code == \"refused\" and .error.exit == 5 and
		.error.line == 7 and (.error.file | test(\"_add_users[.]sql$\"))" out
'

test_expect_success 'lint and validate without a database flag it before a run does: exit 5' '
	path=$(ls migrations/*_add_users.sql) &&
	test_expect_code 5 ferry lint >out 2>err &&
	grep "^$path:7:1: error: \[up-untouched-template\] the up section is still the template ${q}ferry new${q} wrote\$" out &&
	grep "^    fix: write its SQL in place of the TODO line\$" out &&
	test_expect_code 5 ferry validate --offline >out 2>err &&
	grep "^ferry: error: $path:7:1: \[up-untouched-template\]" err &&
	cp "$path" template.sql &&
	sed -i "7a SELECT 1;" "$path" &&
	ferry lint >out &&
	cp template.sql "$path" &&
	test_expect_code 5 ferry lint >out
'

test_expect_success 'up --allow-empty records the template as applied' '
	ferry -d "$DB_URL" -q up --allow-empty &&
	ferry -d "$DB_URL" list >actual &&
	grep "add_users  *-  *complete" actual
'

test_expect_success 'an up section emptied by hand, or written, runs' '
	ferry -q new emptied >path &&
	sed -i "/^-- TODO: write the up SQL here/d" "$(cat path)" &&
	ferry -q new written >path &&
	sed -i "s/^-- TODO: write the up SQL here.*/CREATE TABLE w (id int);/" "$(cat path)" &&
	ferry -d "$DB_URL" -q up &&
	ferry -d "$DB_URL" list >actual &&
	grep "emptied  *-  *complete" actual &&
	grep "written  *-  *complete" actual &&
	db_tables >tables &&
	grep "^w$" tables
'

test_expect_success 'a name that starts with ferry still makes a file ferry reads' '
	path=$(ferry new ferry-setup) &&
	head -n 1 "$path" >actual &&
	echo "-- Migration ferry-setup" >expect &&
	test_cmp expect actual &&
	ferry -d "$DB_URL" plan >out 2>err &&
	grep "ferry-setup" out &&
	rm "$path"
'

test_expect_success 'a second new in the same second still gets a newer version' '
	first=$(ferry new one) &&
	second=$(ferry new two) &&
	v1=${first#migrations/} && v1=${v1%%_*} &&
	v2=${second#migrations/} && v2=${v2%%_*} &&
	test "$v2" -gt "$v1"
'

test_expect_success 'new --seq after timestamps is refused' '
	ls migrations >before &&
	test_expect_code 2 ferry new --seq next >out 2>err &&
	test_must_be_empty out &&
	head -n 1 err >actual &&
	grep "^ferry: error: the newest version, [0-9]\{14\}, is a timestamp$" actual &&
	sed -n 2p err >actual &&
	echo "hint: keep using timestamps: run '"'"'ferry new'"'"' without --seq" >expect &&
	test_cmp expect actual &&
	ls migrations >after &&
	test_cmp before after
'

test_expect_success 'new --seq in an empty directory starts at 0001' '
	mkdir seq &&
	ferry --dir seq new --seq first >actual &&
	echo "seq/0001_first.sql" >expect &&
	test_cmp expect actual
'

test_expect_success 'new --seq numbers after the newest, keeping the padding' '
	ferry --dir seq new --seq second >actual &&
	ferry --dir seq new third --seq >>actual &&
	cat >expect <<-\EOF &&
	seq/0002_second.sql
	seq/0003_third.sql
	EOF
	test_cmp expect actual &&
	mkdir pad &&
	echo "-- x" >pad/009_nine.sql &&
	ferry --dir pad new --seq ten >actual &&
	echo "pad/010_ten.sql" >expect &&
	test_cmp expect actual &&
	ls seq >actual &&
	cat >expect <<-\EOF &&
	0001_first.sql
	0002_second.sql
	0003_third.sql
	EOF
	test_cmp expect actual
'

test_expect_success 'new --seq follows the newest number, not the count' '
	mkdir gap &&
	echo "-- x" >gap/0001_a.sql &&
	echo "-- x" >gap/0007_b.sql &&
	echo "read me" >gap/README &&
	ferry --dir gap new --seq c >actual &&
	echo "gap/0008_c.sql" >expect &&
	test_cmp expect actual
'

test_expect_success 'invalid names' '
	ls seq >before &&
	for name in "add users" "a.b" "x/y" "caf$(printf "\\303\\251")" ""; do
		cat >expect <<-EOF &&
		ferry: error: invalid migration name '"'"'$name'"'"'
		hint: use letters, digits, '"'"'_'"'"' and '"'"'-'"'"', e.g. '"'"'add_users'"'"'
		EOF
		test_expect_code 2 ferry --dir seq new --seq "$name" >out 2>actual &&
		test_must_be_empty out &&
		test_cmp expect actual || return 1
	done &&
	ls seq >after &&
	test_cmp before after
'

test_expect_success 'new needs exactly one name' '
	cat >expect <<-\EOF &&
	ferry: error: '"'"'new'"'"' needs a name, e.g. '"'"'ferry new add_users'"'"'
	hint: try '"'"'ferry new --help'"'"'
	EOF
	test_expect_code 2 ferry new 2>actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	ferry: error: '"'"'new'"'"' takes one name
	hint: try '"'"'ferry new --help'"'"'
	EOF
	test_expect_code 2 ferry new a b 2>actual &&
	test_cmp expect actual
'

test_expect_success 'new uses the directory of FERRY_DIR and ferry.conf' '
	mkdir fromenv fromconf &&
	test_env FERRY_DIR=fromenv ferry new --seq e >actual &&
	echo "fromenv/0001_e.sql" >expect &&
	test_cmp expect actual &&
	echo "dir = fromconf" >ferry.conf &&
	ferry new --seq c >actual &&
	echo "fromconf/0001_c.sql" >expect &&
	test_cmp expect actual &&
	rm ferry.conf
'

test_expect_success 'new -q still prints the path' '
	ferry --dir seq -q new --seq quiet >actual &&
	echo "seq/0004_quiet.sql" >expect &&
	test_cmp expect actual
'

test_done
