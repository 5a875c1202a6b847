#!/bin/sh
test_description='ferry up killed with SIGKILL at random moments: every migration whole or absent, the lock free, the next up finishes'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-fault.sh"

# SPEC section 2: each transactional section runs in one transaction with
# its ledger row, so a kill -9 leaves the migration wholly applied or not
# at all; the runner lock dies with its holder. Issue 5, part 10.
#
# Kills come in chains: on a fresh database, `ferry up --lock-timeout 0` is
# killed after a random delay, then run again (a held lock would make it
# exit 4 at once) and killed again, and so on until a run gets to the end;
# then a fresh database. What each kill left is kept, and compared at the
# end with what a clean run has at the same version (captured once per
# version seen, by `ferry up --to V` on another database).

trap 'kill -9 $(jobs -p) 2>/dev/null' EXIT

test_expect_success 'setup: 100 migrations, one in ten slow' '
	fault_migrations migrations &&
	test $(ls migrations | wc -l) = 100
'

test_expect_success 'a clean run applies them all; its state is the reference at 100' '
	t0=$(now_ms) &&
	ferry -q -d "$DB_URL" up &&
	echo $(($(now_ms) - t0)) >run.ms &&
	echo "a whole run takes $(cat run.ms) ms" &&
	fault_state >ref.100 &&
	test $(grep -c "^ledger|.*|complete\$" ref.100) = 100 &&
	test $(grep -c "^log|" ref.100) = 100
'

fault_delays "$(cat run.ms 2>/dev/null || echo 1000)" >delays
kill=0
at=100 # the version the database is at: 100 means start afresh
for us in $(cat delays)
do
	test $fault_kills -lt $FAULT_TRIALS || break
	kill=$((kill + 1))
	test_expect_success "run $kill: up killed after $us us" '
		if test $at = 100
		then
			fault_fresh && at=0
		fi &&
		fault_kill $us -d "$DB_URL" up --lock-timeout 0 &&
		fault_settled &&
		fault_state >state.$kill &&
		v=$(grep -c "^ledger|" state.$kill || :) &&
		echo "exit $(cat killed.rc): $at -> $v applied" &&
		case $(cat killed.rc) in
		137) ;;
		0) test $v = 100 && test_must_be_empty killed.err ;;
		*) cat killed.err; false ;;
		esac &&
		! grep "waiting for the lock" killed.err &&
		test $v -ge $at &&
		echo "$kill $v" >>seen &&
		at=$v
	'
done

test_expect_success "$FAULT_TRIALS runs were killed" '
	test $fault_kills = $FAULT_TRIALS
'

test_expect_success 'after the last kill, a new up finishes without waiting' '
	ferry -d "$DB_URL" up --lock-timeout 0 >out 2>err &&
	test_must_be_empty err &&
	fault_state >state &&
	test_cmp ref.100 state
'

# The reference at each version a kill left, from a clean run stepping
# through them in order.
test_expect_success 'the reference states, by a clean run, at each version seen' '
	fault_fresh &&
	fault_state >ref.0 &&
	for v in $(cut -d" " -f2 seen | sort -n -u)
	do
		if test $v != 0 && test $v != 100
		then
			ferry -q -d "$DB_URL" up --to $v &&
			fault_state >ref.$v || return 1
		fi
	done
'

while read kill v
do
	test_expect_success "run $kill left $v migrations whole, the others absent" '
		test_cmp ref.$v state.$kill
	'
done <seen

test_done
