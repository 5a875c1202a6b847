#!/bin/sh
test_description='the API reference: doxygen reads ferry.h without a warning'
. "$(dirname "$0")/test-lib.sh"

# Issue 18, part 5. make apidocs runs doxygen on ferry.h (Doxyfile), with
# warnings as errors; this runs the same, cheaply, so that a public name
# left undocumented fails CI. Without doxygen there is nothing to run:
# scripts/install-deps.sh test installs it.

ROOT=$(cd "$TEST_DIR/../.." && pwd)

if command -v doxygen >/dev/null 2>&1
then

test_expect_success 'ferry.h gives the reference without a warning' '
	(cd "$ROOT" && FERRY_VERSION=0 FERRY_API_OUT="$TRASH/api" doxygen Doxyfile) >out 2>err &&
	test_must_be_empty err &&
	test -f api/html/index.html &&
	grep -l "ferry_db_open_pg" api/html/*.html >/dev/null &&
	grep -l "ferry_set_open_mem" api/html/*.html >/dev/null &&
	grep -l "ferry_db_options_init" api/html/*.html >/dev/null
'

test_expect_success 'a public name without a comment fails it' '
	mkdir -p copy/include &&
	cp "$ROOT/Doxyfile" copy/ &&
	sed "s/^#endif \/\* FERRY_H \*\/$/FERRY_EXTERN int ferry_undocumented(void);\n&/" \
		"$ROOT/include/ferry.h" >copy/include/ferry.h &&
	grep "^FERRY_EXTERN int ferry_undocumented(void);$" copy/include/ferry.h &&
	! (cd copy && FERRY_VERSION=0 FERRY_API_OUT="$TRASH/api2" doxygen Doxyfile) >out 2>err &&
	grep "ferry_undocumented.*is not documented" err
'

fi

test_done
