#!/bin/sh
test_description='ferry.conf: named environments ([env.NAME], --env, FERRY_ENV) and ${VAR} in values'
. "$(dirname "$0")/test-lib.sh"

q="'"

test_expect_success 'setup: three directories, one migration each' '
	mkdir -p topdir stagedir proddir &&
	echo "CREATE TABLE t_top (id integer);" >topdir/0001_top.sql &&
	echo "CREATE TABLE t_stage (id integer);" >stagedir/0001_stage.sql &&
	echo "CREATE TABLE t_prod (id integer);" >proddir/0001_prod.sql &&
	cat >ferry.conf <<-EOF
	database = $DB_URL
	dir = topdir

	[env.staging]
	dir = stagedir

	[env.production]
	dir = proddir
	EOF
'

test_expect_success 'no environment: the top-level keys' '
	test_env FERRY_ENV= ferry list >out &&
	grep "^1  *top " out
'

test_expect_success '--env NAME: its section overrides the top level' '
	ferry --env production list >out &&
	grep "^1  *prod " out &&
	ferry list --env=staging >out &&
	grep "^1  *stage " out
'

test_expect_success 'FERRY_ENV chooses too; --env beats it' '
	test_env FERRY_ENV=staging ferry list >out &&
	grep "^1  *stage " out &&
	test_env FERRY_ENV=staging ferry --env production list >out &&
	grep "^1  *prod " out
'

test_expect_success 'an unknown environment: exit 2, the file and the ones there are' '
	cat >expect <<-EOF &&
	ferry: error: ferry.conf: no environment ${q}prod${q}
	hint: the environments in it are: staging, production
	EOF
	test_expect_code 2 ferry --env prod list >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out &&
	test_expect_code 2 test_env FERRY_ENV=prod ferry list 2>actual &&
	test_cmp expect actual
'

test_expect_success 'an environment asked for without ferry.conf: exit 2' '
	mkdir elsewhere &&
	(cd elsewhere && test_expect_code 2 ferry -d "$DB_URL" --env production list 2>../actual) &&
	grep "^ferry: error: environment ${q}production${q} asked for, but there is no ferry.conf" actual
'

test_expect_success 'an unknown section: exit 2 at its line' '
	printf "dir = topdir\n[production]\ndir = proddir\n" >bad.conf &&
	test_expect_code 2 ferry -d "$DB_URL" --config bad.conf list 2>actual &&
	grep "^ferry: error: bad.conf:2: unknown section ${q}\[production\]${q}" actual
'

test_expect_success 'an environment in --json error form' '
	test_expect_code 2 ferry --env nope list --json >out &&
	jq -e ".error.exit == 2 and (.error.message | test(\"no environment\"))" out
'

test_expect_success '${VAR} and ${VAR:-default} in values' '
	printf "database = %s\ndir = \${MIGDIR}\n" "$DB_URL" >vars.conf &&
	test_env MIGDIR=proddir ferry --config vars.conf list >out &&
	grep "^1  *prod " out &&
	printf "database = %s\ndir = \${MIGDIR:-stagedir}\n" "$DB_URL" >vars.conf &&
	test_env MIGDIR= ferry --config vars.conf list >out &&
	grep "^1  *stage " out &&
	test_env MIGDIR=topdir ferry --config vars.conf list >out &&
	grep "^1  *top " out
'

test_expect_success 'an unset variable without default: exit 2 at file:line:column' '
	printf "database = %s\n  dir = x\${NOPE_NOT_SET}\n" "$DB_URL" >vars.conf &&
	cat >expect <<-EOF &&
	ferry: error: vars.conf:2:10: environment variable ${q}NOPE_NOT_SET${q} is not set
	hint: set it, or give a default: \${NOPE_NOT_SET:-VALUE}; \$\$ is one ${q}\$${q}
	EOF
	test_expect_code 2 env -u NOPE_NOT_SET "$FERRY" --config vars.conf list >out 2>actual &&
	test_cmp expect actual &&
	test_must_be_empty out
'

test_expect_success '$$ is one dollar; a lone dollar stays' '
	mkdir -p "d\$\$x" "a\$b" &&
	echo "CREATE TABLE t_dollar (id integer);" >"d\$\$x/0001_dollar.sql" &&
	echo "CREATE TABLE t_lone (id integer);" >"a\$b/0001_lone.sql" &&
	printf "database = %s\ndir = d\$\$\$\$x\n" "$DB_URL" >vars.conf &&
	ferry --config vars.conf list >out &&
	grep "^1  *dollar " out &&
	printf "database = %s\ndir = a\$b\n" "$DB_URL" >vars.conf &&
	ferry --config vars.conf list >out &&
	grep "^1  *lone " out
'

test_expect_success 'an invalid ${: exit 2' '
	printf "dir = \${bad name}\n" >vars.conf &&
	test_expect_code 2 ferry -d "$DB_URL" --config vars.conf list 2>actual &&
	grep "^ferry: error: vars.conf:1:7: invalid ${q}\${${q} in a value" actual
'

test_expect_success 'a password from ${VAR} is masked like any other' '
	printf "database = postgres://app:\${APP_PW}@127.0.0.1:1/app\n" >pw.conf &&
	test_expect_code 1 test_env APP_PW=s3cretpw ferry --config pw.conf history >out 2>err &&
	! grep s3cretpw out err &&
	grep "\*\*\*\*" err
'

test_expect_success 'a password with @ / ? & from ${VAR} stays the password: encoded, masked' '
	printf "database = postgres://app:\${APP_PW}@127.0.0.1:1/app?application_name=\${APP}\n" >pw.conf &&
	test_expect_code 1 test_env "APP_PW=s3cr@et/pa?x&y" "APP=a&b" \
		ferry --config pw.conf history >out 2>err &&
	grep "^ferry: error: cannot connect to database ${q}postgres://app:\*\*\*\*@127.0.0.1:1/app?application_name=a%26b${q}\$" err &&
	grep "127.0.0.1\", port 1 failed: Connection refused" err &&
	! grep "et/pa" out err &&
	! grep "translate host name" err
'

test_expect_success 'the other environments lines are not read' '
	cat >ferry.conf <<-EOF &&
	database = $DB_URL
	dir = topdir
	[env.other]
	dir = \${NOT_SET_ANYWHERE}
	EOF
	env -u NOT_SET_ANYWHERE "$FERRY" list >out &&
	grep "^1  *top " out
'

test_expect_success 'help lists --env' '
	ferry --help >out &&
	grep "^      --env NAME  " out
'

test_done
