#!/bin/sh
test_description='ferry finish killed with SIGKILL at random moments: every finish section whole or absent, the lock free, the next finish completes'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-fault.sh"

# SPEC section 2: a finish section runs in one transaction with its ledger
# row, which becomes "complete"; a kill -9 leaves it wholly done or not at
# all. Issue 5, part 10, as t6001 does for up: chains of kills, each on a
# database whose 100 migrations are all up, until a run finishes them all;
# what each kill left is compared with a clean run finished to the same
# version.

trap 'kill -9 $(jobs -p) 2>/dev/null' EXIT

test_expect_success 'setup: 100 migrations with finish sections, one in ten slow' '
	fault_migrations migrations finish &&
	test $(ls migrations | wc -l) = 100
'

test_expect_success 'a clean run: all up, then all finished; the references at 0 and 100' '
	ferry -q -d "$DB_URL" up &&
	fault_state >ref.0 &&
	test $(grep -c "^ledger|.*|up\$" ref.0) = 100 &&
	t0=$(now_ms) &&
	ferry -q -d "$DB_URL" finish &&
	echo $(($(now_ms) - t0)) >run.ms &&
	echo "a whole finish takes $(cat run.ms) ms" &&
	fault_state >ref.100 &&
	test $(grep -c "^ledger|.*|complete\$" ref.100) = 100 &&
	test $(grep -c "^log|" ref.100) = 200
'

# Shorter cuts than t6001's: a chain starts with a whole `up`.
fault_delays "$(cat run.ms 2>/dev/null || echo 1000)" 8 >delays
run=0
at=100 # finished so far: 100 means start afresh
for us in $(cat delays)
do
	test $fault_kills -lt $FAULT_TRIALS || break
	run=$((run + 1))
	test_expect_success "run $run: finish killed after $us us" '
		if test $at = 100
		then
			fault_fresh &&
			ferry -q -d "$DB_URL" up &&
			at=0
		fi &&
		fault_kill $us -d "$DB_URL" finish --lock-timeout 0 &&
		fault_settled &&
		fault_state >state.$run &&
		f=$(grep -c "^ledger|.*|complete\$" state.$run || :) &&
		echo "exit $(cat killed.rc): $at -> $f finished" &&
		case $(cat killed.rc) in
		137) ;;
		0) test $f = 100 && test_must_be_empty killed.err ;;
		*) cat killed.err; false ;;
		esac &&
		! grep "waiting for the lock" killed.err &&
		test $f -ge $at &&
		echo "$run $f" >>seen &&
		at=$f
	'
done

test_expect_success "$FAULT_TRIALS runs were killed" '
	test $fault_kills = $FAULT_TRIALS
'

test_expect_success 'after the last kill, a new finish completes without waiting' '
	ferry -d "$DB_URL" finish --lock-timeout 0 >out 2>err &&
	test_must_be_empty err &&
	fault_state >state &&
	test_cmp ref.100 state
'

# The reference at each version a kill left, from a clean run finishing
# through them in order.
test_expect_success 'the reference states, by a clean run, at each version seen' '
	fault_fresh &&
	ferry -q -d "$DB_URL" up &&
	for f in $(cut -d" " -f2 seen | sort -n -u)
	do
		if test $f != 0 && test $f != 100
		then
			ferry -q -d "$DB_URL" finish --to $f &&
			fault_state >ref.$f || return 1
		fi
	done
'

while read run f
do
	test_expect_success "run $run left $f finish sections whole, the others absent" '
		test_cmp ref.$f state.$run
	'
done <seen

test_done
