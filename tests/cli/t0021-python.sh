#!/bin/sh
test_description='the Python binding over the built libferry, on the engine under test'
q="'"

# A library built with ASan must be the first thing a process loads,
# which python3 is not: the sanitizer run tests the library from C.
lib=$(dirname "${FERRY_VALGRIND_BIN:-${FERRY:-ferry}}")/libferry.so.0
if ldd "$lib" 2>/dev/null | grep -q "libasan\|libtsan"; then
	echo "1..0 # SKIP the Python binding is not run on a sanitizer build"
	exit 0
fi

. "$(dirname "$0")/test-lib.sh"

src=$(cd "$TEST_DIR/../.." && pwd)
lib=$(dirname "${FERRY_VALGRIND_BIN:-$FERRY}")/libferry.so.0
# Debian's python3, the one the README names, when there is one.
python=python3
test -x /usr/bin/python3 && python=/usr/bin/python3

py() {
	PYTHONPATH="$src/bindings/python" FERRY_LIBRARY="$lib" \
		PYTHONDONTWRITEBYTECODE=1 "$python" "$@"
}

test_expect_success 'the binding structures have the sizes of ferry.h' '
	py -c "
import ctypes
from ferry import _capi
for name, cls in sorted(_capi.STRUCTS.items()):
    print(name, ctypes.sizeof(cls))
" >actual &&
	{
		echo "#include <ferry.h>" &&
		echo "#include <stdio.h>" &&
		echo "int main(void) {" &&
		for s in $(cut -d " " -f 1 actual); do
			echo "printf(\"%s %zu%c\", \"$s\", sizeof($s), 10);" || return 1
		done &&
		echo "return 0; }"
	} >sizes.c &&
	cc -I"$src/include" -o sizes sizes.c &&
	./sizes >expect &&
	test_line_count -gt 7 expect &&
	test_cmp expect actual
'

test_expect_success 'the binding: runs, progress, release checks and errors' '
	FERRY_TEST_DB_URL=$DB_URL FERRY_TEST_ENGINE=$ENGINE \
	FERRY_TEST_VERSION=$("$FERRY" --version | cut -d " " -f 2) \
		py -m unittest discover -s "$src/bindings/python/tests" \
		>out 2>err ||
		{ cat err; false; } &&
	grep "^OK" err &&
	grep "^Ran 1[0-9] tests" err
'

test_expect_success 'a failure in Python is a ferry.Error subclass with the library${q}s words' '
	py -c "
import ferry
try:
    ferry.open(\"nosuch://x\", \"migrations\")
except ferry.InvalidError as e:
    print(type(e).__name__, e.code, isinstance(e, ValueError))
    print(e)
" >actual &&
	head -n 1 actual >first &&
	echo "InvalidError invalid True" >expect &&
	test_cmp expect first &&
	grep "nosuch" actual
'

test_done
