#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/fuzz/run.sh [target ...] - build the libFuzzer targets with clang,
# then run each for a bounded time and print one line per target.
#
#   sh tests/fuzz/run.sh                  every target, 20 s each (CI)
#   sh tests/fuzz/run.sh split url        some of them
#   FUZZ_SECONDS=600 sh tests/fuzz/run.sh a longer run
#   FUZZ_SECONDS=0 sh tests/fuzz/run.sh   only replay the corpus
#
#   FUZZ_SECONDS  time per target (default 20)
#   FUZZ_OUT      where binaries, corpora and logs go (default build/fuzz)
#   FUZZ_CC       the compiler (default clang; -fsanitize=fuzzer needs
#                 Debian's libclang-rt-14-dev)
#   FUZZ_ARGS     more libFuzzer options, e.g. -max_len=65536
#   FUZZ_JOBS     targets built and run at once (default: the CPUs);
#                 each still gets FUZZ_SECONDS of its own
#   FUZZ_SEED     libFuzzer's random seed (default: a new one each run);
#                 `make check` uses 1, so that CI tries inputs in the same
#                 order on every run (how far it gets depends on the
#                 machine's speed). Longer runs keep the default.
#
# Targets are tests/fuzz/fuzz_<target>.c, linked with the library sources
# built with -DFERRY_TESTING and ASan+UBSan. Each runs in $FUZZ_OUT/corpus/
# <target>/, a copy of the seeds in tests/fuzz/corpus/<target>/ (nothing
# generated is written into the repository), with tests/fuzz/<target>.dict.
# Inputs libFuzzer finds stay in that copy from run to run. A crash, leak
# or timeout leaves its input in $FUZZ_OUT/artifacts/<target>/ and makes
# the script exit 1 after the other targets have run. To replay one:
#   build/fuzz/fuzz_<target> build/fuzz/artifacts/<target>/crash-...
# and to shrink it, add -minimize_crash=1 -max_total_time=60. A fixed bug's
# input goes into tests/fuzz/corpus/<target>/ as regress-<what>.
set -eu
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-20}
out=${FUZZ_OUT:-build/fuzz}
cc=${FUZZ_CC:-clang}
args=${FUZZ_ARGS:-}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ -z "${FUZZ_SEED:-}" ] || args="-seed=$FUZZ_SEED $args"
targets=${*:-split parse releases url set_cache params created import}
# libcrypto only for fuzz_parse's oracle: OpenSSL's SHA-256, which shares
# no code with Nettle's that ferry links.
pkgs="sqlite3 nettle zlib jansson libpq libcrypto"

die() {
	echo "fuzz: $1" >&2
	[ $# -lt 2 ] || echo "hint: $2" >&2
	exit 2
}

command -v "$cc" >/dev/null 2>&1 || die "'$cc' not found" \
	"install clang and libclang-rt-14-dev: 'sh scripts/install-deps.sh test'"
# shellcheck disable=SC2086
pkg-config --exists $pkgs ||
	die "pkg-config cannot find $pkgs" "run 'sh scripts/install-deps.sh'"
for t in $targets; do
	[ -f "tests/fuzz/fuzz_$t.c" ] || die "no target '$t' (tests/fuzz/fuzz_$t.c)"
done
[ "$jobs" -ge 1 ] 2>/dev/null || die "FUZZ_JOBS must be 1 or more, not '$jobs'"

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2086
cflags="-std=c11 -D_GNU_SOURCE -DFERRY_TESTING -DFERRY_HAVE_PG -g -O1
	-fno-omit-frame-pointer $san -Wall -Wextra -Iinclude -Isrc/lib
	$(pkg-config --cflags $pkgs)"
# shellcheck disable=SC2086
libs=$(pkg-config --libs $pkgs)

# Is file $1 missing, or older than any of the others?
stale() {
	f=$1
	shift
	[ ! -f "$f" ] || [ -n "$(find "$@" -newer "$f")" ]
}

# The library once, with coverage but without libFuzzer's main; an object
# is rebuilt when its source, a header or this script is newer. Objects,
# then targets, are built $jobs at a time.
mkdir -p "$out/obj"
objs=
todo=
for src in src/lib/*.c; do
	obj=$out/obj/$(basename "$src" .c).o
	objs="$objs $obj"
	stale "$obj" "$src" src/lib/ferry_int.h include/ferry.h \
		tests/fuzz/run.sh || continue
	todo="$todo $src"
done
export cc cflags libs objs out
# shellcheck disable=SC2016,SC2086 # expanded by the inner sh; split on purpose
printf '%s\n' $todo | xargs -r -P "$jobs" -n 1 sh -c '
	echo "  CC      $1 (fuzz)"
	$cc $cflags -fsanitize=fuzzer-no-link -c "$1" \
		-o "$out/obj/$(basename "$1" .c).o"' sh ||
	die "cannot build the library for fuzzing" \
		"the compiler said why, above"
# shellcheck disable=SC2016,SC2086
printf '%s\n' $targets | xargs -P "$jobs" -n 1 sh -c '
	echo "  LD      $out/fuzz_$1"
	$cc $cflags -fsanitize=fuzzer -Itests/fuzz "tests/fuzz/fuzz_$1.c" \
		$objs $libs -o "$out/fuzz_$1"' sh ||
	die "cannot build the fuzz targets" \
		"the compiler said why, above; -fsanitize=fuzzer needs libclang-rt-14-dev"

# The figures of the status line libFuzzer printed last ("#N DONE cov: ..."
# at the end, or the last "#N NEW/REDUCE/pulse ..." before a crash).
field() {
	grep -E '^#[0-9]+' "$1" | tail -n 1 | tr '\t' ' ' |
		sed -n "s/.* $2: \([^ ]*\).*/\1/p"
}

# fuzz_one TARGET: run it for its time; its exit code in $out/TARGET.rc.
fuzz_one() {
	t=$1
	work=$out/corpus/$t
	arts=$out/artifacts/$t
	mkdir -p "$work" "$arts"
	cp tests/fuzz/corpus/"$t"/* "$work"/
	dict=
	[ ! -f "tests/fuzz/$t.dict" ] || dict=-dict=tests/fuzz/$t.dict
	if [ "$seconds" -gt 0 ]; then
		limit=-max_total_time=$seconds
	else
		limit=-runs=0
	fi
	rc=0
	# shellcheck disable=SC2086
	"$out/fuzz_$t" $limit $dict -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$arts/" $args "$work" >"$out/$t.log" 2>&1 ||
		rc=$?
	echo "$rc" >"$out/$t.rc"
}

# $jobs targets at a time: all run for the same time, so a batch ends
# together. No result of an earlier run may stand for this one.
n=0
for t in $targets; do
	rm -f "$out/$t.rc" "$out/$t.log"
	fuzz_one "$t" &
	n=$((n + 1))
	[ "$n" -lt "$jobs" ] || { wait; n=0; }
done
wait

failed=
for t in $targets; do
	log=$out/$t.log
	rc=$(cat "$out/$t.rc" 2>/dev/null || echo 99)
	crashes=$(grep -c 'Test unit written to' "$log" || true)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(field "$log" cov)
	ft=$(field "$log" ft)
	corp=$(field "$log" corp)
	echo "fuzz $t: ${runs:-?} runs, ${rate:-?} exec/s, cov ${cov:-?}," \
		"ft ${ft:-?}, corpus ${corp:-?}, crashes $crashes"
	if [ "$rc" -ne 0 ]; then
		failed="$failed $t"
		echo "fuzz $t: libFuzzer exited $rc; the end of $log:" >&2
		tail -n 40 "$log" >&2
		sed -n "s|.*Test unit written to \(.*\)|fuzz $t: input: \1|p" \
			"$log" >&2
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
