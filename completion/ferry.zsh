#compdef ferry
# SPDX-License-Identifier: MIT
# ferry(1) completion for zsh.
#
# Installed as $(ZSHCOMPDIR)/_ferry, a directory of $fpath. Completes the
# commands; the options of the command being typed, with their help, read
# from `ferry CMD --help` so that they are those of the ferry that runs;
# and an option's value by the name --help gives it: a TARGET is a version
# or a release, a VERSION a version, an R a release, read by
# `ferry __complete` from the migration set of the --dir, --config and
# --format on the line (no database is opened); FILE and DIR are paths.

# The options of `ferry [CMD] --help`, one "--name<TAB>ARG<TAB>help" a
# line (and "-x<TAB>ARG<TAB>help" for a short name). Only lines that start
# like an option, "  -d, --database URL  ...", "      --dir DIR  ..." or
# "      --wait[=D]  ..." (a value given only with '=': a flag here), are
# read.
_ferry_options() {
	local tab=$'\t'
	"$@" --help 2>/dev/null | sed -n \
		-e "s/^  -\([a-zA-Z0-9]\), \(--[a-z][a-z0-9-]*\)\( \([A-Z][^ ]*\)\)\{0,1\}  *\(.*\)/\2$tab\4$tab\5\n-\1$tab\4$tab\5/p" \
		-e "s/^      \(--[a-z][a-z0-9-]*\)\( \([A-Z][^ ]*\)\)\{0,1\}  *\(.*\)/\1$tab\3$tab\4/p" \
		-e "s/^      \(--[a-z][a-z0-9-]*\)\[=[A-Z][^ ]*\]  *\(.*\)/\1$tab$tab\2/p"
}

# The words `ferry __complete WHAT` prints, for the set the line names.
_ferry_set_words() {
	local what=$1 i w v
	local -a args
	# A path as typed: its leading ~ is the home directory; nothing else
	# is expanded (no globbing: a glob qualifier could run code).
	for ((i = 2; i < CURRENT; i++)); do
		w=${words[i]}
		case $w in
		(--dir|--config|--format)
			v=${words[i+1]}
			[[ $v == \~* ]] && v=$HOME${v#\~}
			args+=($w $v)
			((i++)) ;;
		(--dir=*|--config=*|--format=*)
			v=${w#*=}
			[[ $v == \~* ]] && v=$HOME${v#\~}
			args+=(${w%%=*} $v) ;;
		esac
	done
	${words[1]} $args __complete $what 2>/dev/null
}

# The value of an option whose --help says ARG.
_ferry_value() {
	local -a versions releases
	case $1 in
	(TARGET)
		versions=(${(f)"$(_ferry_set_words versions)"})
		releases=(${(f)"$(_ferry_set_words releases)"})
		_describe -t versions 'version' versions
		_describe -t releases 'release' releases ;;
	(VERSION)
		versions=(${(f)"$(_ferry_set_words versions)"})
		_describe -t versions 'version' versions ;;
	(R|RELEASE)
		releases=(${(f)"$(_ferry_set_words releases)"})
		_describe -t releases 'release' releases ;;
	(DIR) _directories ;;
	(FILE|FILE\|DIR/) _files ;;
	(ENGINE) compadd sqlite postgres ;;
	(MODE) compadd auto none transaction ;;
	(*) _message ${1:-value} ;;
	esac
}

_ferry() {
	local ferry=${words[1]} cur=${words[CURRENT]} prev=${words[CURRENT-1]}
	local cmd= i w arg line
	local -a globals opts names topics
	globals=(${(f)"$(_ferry_options $ferry)"})
	# The command: the first word that is no option nor an option's value.
	for ((i = 2; i < CURRENT; i++)); do
		w=${words[i]}
		case $w in
		(--*=*) ;;
		(-*) [[ -n ${(M)globals:#$w$'\t'[A-Z]*} ]] && ((i++)) ;;
		(*) cmd=$w; break ;;
		esac
	done
	if [[ -n $cmd ]]; then
		opts=(${(f)"$(_ferry_options $ferry $cmd)"})
	else
		opts=($globals)
	fi

	# "--to=VALUE"
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		compset -P '*='
	fi
	# An option's value.
	line=${(M)opts:#$prev$'\t'[A-Z]*}
	if [[ $prev == -* && -n $line ]]; then
		arg=${${line#*$'\t'}%%$'\t'*}
		_ferry_value $arg
		return
	fi
	if [[ $cur == -* ]]; then
		for line in $opts; do
			names+=("${line%%$'\t'*}:${line##*$'\t'}")
		done
		_describe -t options 'option' names
		return
	fi
	case $cmd in
	('')
		names=(${(f)"$($ferry __complete commands 2>/dev/null)"})
		_describe -t commands 'ferry command' names ;;
	(help)
		topics=(${(f)"$($ferry __complete topics 2>/dev/null)"})
		_describe -t topics 'help topic' topics ;;
	(stamp) _ferry_value TARGET ;;
	(restore|import) _files ;;
	esac
}

_ferry "$@"
