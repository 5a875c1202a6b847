#!/bin/sh
test_description='SHA-256 is linked, libpq is loaded: SQLite never needs libpq, PostgreSQL without it says what to install'
. "$(dirname "$0")/test-lib.sh"

# ferry links what every run needs (SQLite, Nettle for SHA-256) and loads
# libpq when the first PostgreSQL URL is opened (src/lib/db_pg.c), as
# ferry.pc and the README declare. A machine without libpq is played by
# the library's test build: FERRY_TEST_LIBPQ names the file it loads in
# place of libpq.so.5, here one that does not exist.
no_libpq() {
	test_env FERRY_TEST_LIBPQ=libpq-absent.so.5 ferry_testing "$@"
}

# The binary itself, not the valgrind wrapper around it (make valgrind).
bin=${FERRY_VALGRIND_BIN:-$FERRY}

test_expect_success 'setup' '
	use_fixture basic &&
	cat >missing.expect <<-\EOF
	ferry: error: cannot load the PostgreSQL client library libpq.so.5
	libpq-absent.so.5: cannot open shared object file: No such file or directory
	hint: install it (apt-get install libpq5)
	EOF
'

test_expect_success 'ferry is linked with SQLite and Nettle, not with libpq' '
	ldd "$bin" >libs &&
	grep "^	libsqlite3\.so\.0 => " libs &&
	grep "^	libnettle\.so\.[0-9]* => " libs &&
	! grep libpq libs
'

case $ENGINE in
sqlite)
	test_expect_success 'without libpq, SQLite runs as ever' '
		no_libpq -q -d "$DB_URL" up >out 2>err &&
		test_must_be_empty out &&
		test_must_be_empty err &&
		no_libpq -d "$DB_URL" status --exit-code >out &&
		grep "^migrations  3 complete, 0 pending$" out &&
		no_libpq -d "$DB_URL" validate
	'
	;;
pg)
	test_expect_success 'without libpq, a PostgreSQL URL fails with exit 2 and names the package' '
		test_expect_code 2 no_libpq -d "$DB_URL" up >out 2>actual &&
		test_must_be_empty out &&
		test_cmp missing.expect actual &&
		db_tables >tables &&
		test_must_be_empty tables
	'
	;;
esac

test_expect_success 'a PostgreSQL URL without libpq: exit 2, what is missing and what to install' '
	test_expect_code 2 no_libpq -d postgres://ferry@127.0.0.1:1/none \
		status >out 2>actual &&
	test_must_be_empty out &&
	test_cmp missing.expect actual
'

test_expect_success 'the same in JSON' '
	test_expect_code 2 no_libpq -d postgres://ferry@127.0.0.1:1/none \
		--json status >out 2>err &&
	test_json out \
		".error.code == \"invalid\"" \
		".error.exit == 2" \
		".error.message == \"cannot load the PostgreSQL client library libpq.so.5\"" \
		".error.hint == \"install it (apt-get install libpq5)\""
'

test_expect_success 'a libpq without pipeline mode: exit 2, the version needed' '
	cat >expect <<-\EOF &&
	ferry: error: the PostgreSQL client library libpq.so.5 is too old
	LIBRARY: undefined symbol: PQconnectdbParams
	hint: ferry needs libpq 14 or later for pipeline mode (apt-get install libpq5)
	EOF
	test_expect_code 2 test_env FERRY_TEST_LIBPQ=libsqlite3.so.0 \
		ferry_testing -d postgres://ferry@127.0.0.1:1/none status \
		>out 2>err &&
	test_must_be_empty out &&
	sed "s|^/[^:]*/libsqlite3\.so\.0:|LIBRARY:|" err >actual &&
	test_cmp expect actual
'

test_expect_success 'ferry version names SQLite, libpq and the build' '
	ferry version >out &&
	sed -n 1p out >first &&
	ferry --version >expect &&
	test_cmp expect first &&
	grep "^sqlite 3\.[0-9][0-9]*\.[0-9][0-9]*$" out &&
	grep "^libpq [0-9][0-9]*\.[0-9][0-9]*" out &&
	grep "^build \(gcc\|clang\) .*, with PostgreSQL" out &&
	test $(wc -l <out) = 4
'

test_expect_success 'ferry version without libpq says it is not found' '
	no_libpq version >out &&
	grep "^libpq not found$" out &&
	no_libpq version --json >out &&
	jq -e ".libpq == null and (.sqlite | test(\"^3[.]\")) and
		(.build | test(\"test build\"))" out
'

test_expect_success 'ferry version --json names them too' '
	ferry version --json >out &&
	jq -e "(.version | test(\"^[0-9]+[.][0-9]+[.][0-9]+$\")) and
		(.sqlite | test(\"^3[.]\")) and (.libpq | test(\"^[0-9]+[.]\")) and
		(.build | type == \"string\")" out
'

test_done
