#!/bin/sh
test_description='ferry runs, helps and refuses unknown commands'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'version' '
	echo "ferry 0.1.0" >expect &&
	ferry version >actual &&
	test_cmp expect actual &&
	ferry --version >actual &&
	test_cmp expect actual
'

test_expect_success 'an unknown command suggests the nearest one' '
	cat >expect <<-\EOF &&
	ferry: '"'"'stauts'"'"' is not a ferry command. See '"'"'ferry --help'"'"'.
	hint: did you mean '"'"'status'"'"'?
	EOF
	test_expect_code 2 ferry stauts 2>actual &&
	test_cmp expect actual
'

test_done
