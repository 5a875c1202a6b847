#!/bin/sh
test_description='the release: one version everywhere, the exported symbols are the header, the licence'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

# The source tree and the built library beside the ferry under test.
src=$(cd "$TEST_DIR/../.." && pwd)
bin=${FERRY_VALGRIND_BIN:-$FERRY}
lib=$(dirname "$bin")/libferry.so.0

test_expect_success 'setup: the version from its one place, ferry.h' '
	for part in MAJOR MINOR PATCH; do
		sed -n "s/^#define FERRY_VERSION_$part \\([0-9][0-9]*\\)\\( .*\\)\\{0,1\\}\$/\\1/p" \
			"$src/include/ferry.h" >part.$part &&
		test_line_count = 1 part.$part || return 1
	done &&
	echo "$(cat part.MAJOR).$(cat part.MINOR).$(cat part.PATCH)" >version &&
	grep -x "[0-9]*\\.[0-9]*\\.[0-9]*" version
'

test_expect_success 'ferry --version and ferry version print it' '
	echo "ferry $(cat version)" >expect &&
	ferry --version >actual &&
	test_cmp expect actual &&
	ferry version >actual &&
	head -n 1 actual >first &&
	test_cmp expect first
'

test_expect_success 'CHANGELOG.md: the newest entry is this version, dated' '
	grep -m 1 "^## " "$src/CHANGELOG.md" >actual &&
	grep -x "## $(cat version) - 20[0-9][0-9]-[01][0-9]-[0-3][0-9]" actual
'

test_expect_success 'debian/changelog: the newest entry is this version' '
	head -n 1 "$src/debian/changelog" >actual &&
	grep "^ferry ($(cat version)) " actual
'

test_expect_success 'the shared library: named for the version, soname for the ABI' '
	test -f "$(dirname "$bin")/libferry.so.$(cat version)" &&
	test "$(readlink "$lib")" = "libferry.so.$(cat version)" &&
	readelf -d "$lib" >dynamic &&
	grep "(SONAME) *Library soname: \\[libferry\\.so\\.0\\]" dynamic
'

test_expect_success 'exported: exactly the functions ferry.h declares, all in the map' '
	awk "/^FERRY_EXTERN/ { d = 1; s = \"\" } d { s = s \" \" \$0 }
		d && /;/ { print s; d = 0 }" "$src/include/ferry.h" |
		sed -e "s/FERRY_DEPRECATED([^)]*)//" -e "s/(.*//" | awk "{ print \$NF }" | tr -d "*" |
		sort -u >header &&
	test_line_count -gt 100 header &&
	sed -n "s/^	\\(ferry_[a-z0-9_]*\\);\$/\\1/p" \
		"$src/src/lib/libferry.map" | sort >map &&
	test_cmp header map &&
	nm -D --defined-only "$lib" >nm &&
	awk "\$2 != \"A\" { print \$3 }" nm | sed "s/@.*//" | sort -u >exported &&
	test_cmp header exported
'

test_expect_success 'every exported symbol carries a version node of the map' '
	nm -D --defined-only "$lib" >nm &&
	grep " T ferry_" nm >functions &&
	! grep -v "@@FERRY_[0-9]*\\.[0-9]*\$" functions
'

test_expect_success 'LICENSE is the MIT licence the sources name' '
	grep -x "MIT License" "$src/LICENSE" &&
	(cd "$src" && git ls-files "*.c" "*.h" 2>/dev/null) >sources &&
	if test -s sources
	then
		(cd "$src" && grep -L "SPDX-License-Identifier: MIT" $(cat "$TRASH/sources")) >unlicensed &&
		test_must_be_empty unlicensed
	fi
'

test_done
