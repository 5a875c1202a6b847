#!/bin/sh
test_description='the set cache: unchanged files are not read again, and no edit hides behind it'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# Files are recorded only two seconds after their last change: wait once.
test_expect_success 'setup' '
	use_fixture basic &&
	ferry -d "$DB_URL" -q up &&
	cp -R migrations pristine &&
	ferry -d "$DB_URL" status >expect-clean &&
	sleep 2.2
'

test_expect_success 'a run records settled files in ~/.cache/ferry, privately' '
	ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual &&
	ls .cache/ferry | grep "^set-" >files &&
	test_line_count = 1 files &&
	grep "^set-[0-9a-f]*-[0-9a-f]*$" files &&
	stat -c %a .cache/ferry ".cache/ferry/$(cat files)" >modes &&
	printf "700\n600\n" >expect &&
	test_cmp expect modes &&
	head -n 1 ".cache/ferry/$(cat files)" >magic &&
	echo "ferry-set-cache 2 $(ferry version | sed "s/^ferry //; s/ .*//")" >expect &&
	test_cmp expect magic &&
	grep -c "^000[123]_" ".cache/ferry/$(cat files)" >count &&
	echo 3 >expect &&
	test_cmp expect count
'

test_expect_success 'a corrupt cache is read around and rewritten' '
	cache=".cache/ferry/$(cat files)" &&
	echo "garbage" >"$cache" &&
	ferry -d "$DB_URL" status >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect-clean actual &&
	grep -c "^000[123]_" "$cache" >count &&
	test_cmp expect count
'

test_expect_success 'an edit of the same size is still drift' '
	sed "s/NOT NULL/not null/" pristine/0001_create_users.sql \
		>migrations/0001_create_users.sql &&
	test_cmp_size() { test $(wc -c <"$1") = $(wc -c <"$2"); } &&
	test_cmp_size pristine/0001_create_users.sql migrations/0001_create_users.sql &&
	test_expect_code 5 ferry -d "$DB_URL" status --exit-code >out &&
	grep "^drift       1 (changed after applied)$" out &&
	test_expect_code 5 ferry -d "$DB_URL" up 2>err &&
	grep "0001_create_users" err
'

test_expect_success 'copying the file back ends the drift' '
	cp pristine/0001_create_users.sql migrations/ &&
	ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual
'

test_expect_success 'a listed directory: a file added or removed is seen at once' '
	ferry -d "$DB_URL" status >/dev/null &&
	grep "^dir [0-9]" ".cache/ferry/$(cat files)" &&
	printf "SELECT 1;\n" >migrations/0004_more.sql &&
	ferry -d "$DB_URL" status >out &&
	grep "^migrations  3 complete, 1 pending$" out &&
	rm migrations/0004_more.sql &&
	ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual
'

test_expect_success 'XDG_CACHE_HOME moves the cache' '
	XDG_CACHE_HOME="$PWD/xdg" ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual &&
	ls xdg/ferry | grep "^set-" >files &&
	test_line_count = 1 files
'

test_expect_success 'FERRY_CACHE=off neither reads nor writes a cache' '
	mkdir home-off &&
	HOME="$PWD/home-off" FERRY_CACHE=off ferry -d "$DB_URL" status >actual &&
	test_cmp expect-clean actual &&
	test ! -e home-off/.cache
'

test_expect_success 'validate and repair read every file, whatever the cache says' '
	mkdir home-fresh &&
	HOME="$PWD/home-fresh" ferry -d "$DB_URL" validate >out &&
	HOME="$PWD/home-fresh" ferry -d "$DB_URL" repair >out &&
	test ! -e home-fresh/.cache
'

test_expect_success 'a cache that cannot be written changes nothing' '
	mkdir home-ro &&
	echo "not a directory" >home-ro/.cache &&
	HOME="$PWD/home-ro" ferry -d "$DB_URL" status >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect-clean actual
'

test_done
