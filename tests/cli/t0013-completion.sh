#!/bin/sh
test_description='bash and zsh completion: commands, options, versions and releases from ferry itself'
test_engines=sqlite
. "$(dirname "$0")/test-lib.sh"

q="'"
ROOT=$(cd "$TEST_DIR/../.." && pwd)
BASH_COMPLETION=$ROOT/completion/ferry.bash
ZSH_COMPLETION=$ROOT/completion/ferry.zsh

# complete WORD...: the candidates bash's completion offers for the line
# "ferry WORD..." (the last word being completed), one a line, sorted.
complete() {
	bash --norc -c '
		. "$1" && shift &&
		COMP_WORDS=("$@") &&
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) &&
		COMP_LINE="$*" && COMP_POINT=${#COMP_LINE} &&
		_ferry &&
		printf "%s\n" "${COMPREPLY[@]}"' bash "$BASH_COMPLETION" "$FERRY" "$@" |
		sed "/^\$/d" | sort
}

test_expect_success 'setup' '
	use_fixture releases &&
	mkdir other && cp "$FIXTURES/basic"/*.sql other/ &&
	ferry --help | sed -n "/^Commands:/,/^\$/s/^  \\([a-z][a-z-]*\\)  .*/\\1/p" >commands &&
	test_line_count -gt 20 commands
'

test_expect_success 'ferry __complete commands: those of ferry --help, in order' '
	ferry __complete commands >actual 2>err &&
	test_must_be_empty err &&
	test_cmp commands actual &&
	ferry __complete topics >actual &&
	{ cat commands && echo trial-runs; } >expect &&
	test_cmp expect actual
'

test_expect_success 'ferry __complete versions and releases read the set, not the database' '
	printf "%s\n" 1 2 3 4 5 >expect &&
	ferry __complete versions >actual 2>err &&
	test_must_be_empty err &&
	test_cmp expect actual &&
	printf "%s\n" 1.0 1.1 >expect &&
	ferry -d sqlite:nodir/none.db __complete releases >actual &&
	test_cmp expect actual &&
	test_path_is_missing nodir &&
	test_path_is_missing test.db
'

test_expect_success 'they honour --dir, --config and FERRY_DIR, before or after __complete' '
	printf "%s\n" 1 2 3 >expect &&
	ferry --dir other __complete versions >actual &&
	test_cmp expect actual &&
	ferry __complete versions --dir=other >actual &&
	test_cmp expect actual &&
	test_env FERRY_DIR=other ferry __complete versions >actual &&
	test_cmp expect actual &&
	mkdir conf && echo "dir = ../other" >conf/my.conf &&
	ferry --config conf/my.conf __complete versions >actual &&
	test_cmp expect actual &&
	ferry --dir other __complete releases >actual &&
	test_must_be_empty actual
'

test_expect_success 'no set, a bad file or a broken ferry.conf: nothing printed, exit 0' '
	ferry --dir nowhere __complete versions >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	mkdir bad && echo "-- ferry:up" >bad/0001_x.sql && echo "-- ferry:up" >bad/0001_y.sql &&
	ferry --dir bad __complete versions >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	echo "nonsense" >ferry.conf &&
	ferry __complete releases >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	rm ferry.conf
'

test_expect_success '__complete is hidden; a wrong use of it is a usage error' '
	ferry --help >out &&
	! grep __complete out &&
	! grep __complete commands &&
	test_expect_code 2 ferry __complete >out 2>err &&
	test_must_be_empty out &&
	grep "^ferry: error: ${q}__complete${q} takes one of commands, topics, versions or releases\$" err &&
	test_expect_code 2 ferry __complete nonsense >out 2>err &&
	test_must_be_empty out &&
	test_expect_code 2 ferry __complet commands 2>err &&
	grep "is not a ferry command" err
'

test_expect_success 'bash: ferry st<TAB> offers status and stamp' '
	complete st >actual &&
	printf "%s\n" stamp status >expect &&
	test_cmp expect actual &&
	complete "" >actual &&
	sort commands >expect &&
	test_cmp expect actual &&
	complete -q --dir other "" >actual &&
	test_cmp expect actual
'

test_expect_success 'bash: ferry up --t<TAB> offers its options, from ferry up --help' '
	complete up --t >actual &&
	printf "%s\n" --table --to >expect &&
	test_cmp expect actual &&
	complete up --single-t >actual &&
	echo --single-transaction >expect &&
	test_cmp expect actual &&
	complete status --exit >actual &&
	echo --exit-code >expect &&
	test_cmp expect actual &&
	complete status --to >actual &&
	test_must_be_empty actual &&
	ferry up --help | sed -n "s/^  \\(-., \\)\\{0,1\\} *\\(--[a-z-]*\\).*/\\2/p" | sort >expect &&
	complete up --  >actual &&
	grep -- "^--" actual >long &&
	test_cmp expect long
'

test_expect_success 'bash: ferry up --to <TAB> offers the versions and the releases' '
	printf "%s\n" 1 1.0 1.1 2 3 4 5 >expect &&
	complete up --to "" >actual &&
	test_cmp expect actual &&
	printf "%s\n" 1 1.0 1.1 >expect &&
	complete up --to 1 >actual &&
	test_cmp expect actual &&
	printf "%s\n" 1 2 3 >expect &&
	complete --dir other up --to "" >actual &&
	test_cmp expect actual &&
	complete down --dir=other --to "" >actual &&
	test_cmp expect actual &&
	complete up --to = "" >actual &&
	printf "%s\n" 1 1.0 1.1 2 3 4 5 >expect &&
	test_cmp expect actual &&
	complete stamp "" >actual &&
	test_cmp expect actual &&
	printf "%s\n" 1 2 3 4 5 >expect &&
	complete up --baseline "" >actual &&
	test_cmp expect actual
'

test_expect_success 'bash: ferry check --release <TAB> offers the release names' '
	printf "%s\n" 1.0 1.1 >expect &&
	complete check --release "" >actual &&
	test_cmp expect actual &&
	complete check --release 1.1 >actual &&
	echo 1.1 >expect &&
	test_cmp expect actual &&
	mkdir conf2 && echo "dir = ../other" >conf2/ferry.conf &&
	complete --config conf2/ferry.conf check --release "" >actual &&
	test_must_be_empty actual &&
	complete --dir nowhere check --release "" >actual &&
	test_must_be_empty actual
'

test_expect_success 'bash: values by kind: engines, pooler modes, directories, help topics' '
	printf "%s\n" postgres sqlite >expect &&
	complete lint --engine "" >actual &&
	test_cmp expect actual &&
	printf "%s\n" auto none transaction >expect &&
	complete --pooler "" >actual &&
	test_cmp expect actual &&
	echo other >expect &&
	complete --dir oth >actual &&
	test_cmp expect actual &&
	echo trial-runs >expect &&
	complete help tr >actual &&
	test_cmp expect actual &&
	complete -d "" >actual &&
	test_must_be_empty actual
'

test_expect_success 'bash: the script registers itself for ferry' '
	bash --norc -c ". \"$BASH_COMPLETION\" && complete -p ferry" >out &&
	echo "complete -F _ferry ferry" >expect &&
	test_cmp expect out
'

test_expect_success 'zsh: the script parses' '
	zsh -n "$ZSH_COMPLETION" &&
	head -n 1 "$ZSH_COMPLETION" >first &&
	echo "#compdef ferry" >expect &&
	test_cmp expect first
'

# zcomplete LINE...: type each LINE and TAB in an interactive zsh (zsh/zpty)
# with the script as _ferry on $fpath and the directory of ferry, resolved
# (with a ".." in it, zsh ran another ferry found later on $path), first
# on $path; under make valgrind the binary itself. The matches completion
# adds go to the file zmatches, each LINE's after "## LINE".
zcomplete() {
	mkdir -p zfunc && cp "$ZSH_COMPLETION" zfunc/_ferry && rm -f zmatches &&
	pause=${FERRY_TEST_TIME_SCALE:-1} \
	bindir=$(cd "$(dirname "${FERRY_VALGRIND_BIN:-$FERRY}")" && pwd -P) zsh -f -c '
		zmodload zsh/zpty || exit 1
		out=$PWD/zmatches
		zpty z zsh -f -i
		zpty -w z "PS1=\"%% \"; path=($bindir \$path); fpath=($PWD/zfunc \$fpath); autoload -Uz compinit; compinit -u -d $PWD/zcompdump"
		zpty -w z "compadd() { local -a m; builtin compadd -O m \"\$@\"; print -lr -- \$m >>$out; builtin compadd \"\$@\" }"
		zpty -w z "print setup-done"
		zpty -r z x "*setup-done*" || exit 1
		for line in "$@"; do
			zpty -w z "print -r -- \"## $line\" >>$out"
			zpty -w -n z "$line"$'"'\t'"'
			# Keys typed while a completion runs can cut it
			# short (a slow ferry, under ASan): let it end.
			sleep $pause
			zpty -w -n z $'"'\C-u'"'
		done
		zpty -w z "print -r -- \"## end\" >>$out"
		for i in {1..100}; do
			grep -q "^## end" $out 2>/dev/null && break
			sleep 0.1
		done
		zpty -d z
	' zsh "$@" &&
	grep "^## end" zmatches
}

# The matches for one line, sorted, once each.
zmatches_of() {
	sed -n "/^## $1\$/,/^## /{/^## /d;/^\$/d;p;}" zmatches | sort -u
}

test_expect_success 'zsh: a real completion, through compinit, of the same lines' '
	zcomplete "ferry st" "ferry up --t" "ferry up --to " \
		"ferry check --release " "ferry --dir other up --to " &&
	printf "%s\n" stamp status >expect &&
	zmatches_of "ferry st" >actual &&
	test_cmp expect actual &&
	printf "%s\n" --table --to >expect &&
	zmatches_of "ferry up --t" >actual &&
	test_cmp expect actual &&
	printf "%s\n" 1 1.0 1.1 2 3 4 5 >expect &&
	zmatches_of "ferry up --to " >actual &&
	test_cmp expect actual &&
	printf "%s\n" 1.0 1.1 >expect &&
	zmatches_of "ferry check --release " >actual &&
	test_cmp expect actual &&
	printf "%s\n" 1 2 3 >expect &&
	zmatches_of "ferry --dir other up --to " >actual &&
	test_cmp expect actual
'

test_done
