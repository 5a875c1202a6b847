#!/bin/sh
# SPDX-License-Identifier: MIT
# generate.sh FILES... - the table of unit tests found in FILES, as C.
set -eu
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for f in "$@"; do
	sed -n 's/^void \(test_[a-z0-9_]*__[a-z0-9_]*\)(void)$/\1/p' "$f"
done >"$tmp"
while read -r fn; do
	echo "void $fn(void);"
done <"$tmp"
echo "static const struct clar_test clar_tests[] = {"
grep -v -e '__initialize$' -e '__cleanup$' "$tmp" | while read -r fn; do
	mod=${fn#test_}
	mod=${mod%%__*}
	name=${fn#test_${mod}__}
	init=NULL
	clean=NULL
	grep -qx "test_${mod}__initialize" "$tmp" && init="test_${mod}__initialize"
	grep -qx "test_${mod}__cleanup" "$tmp" && clean="test_${mod}__cleanup"
	echo "	{ \"$mod\", \"$name\", $fn, $init, $clean },"
done
echo "	{ NULL, NULL, NULL, NULL, NULL }"
echo "};"
