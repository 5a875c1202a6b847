# SPDX-License-Identifier: MIT
# ferry(1) completion for bash.                               -*- sh -*-
#
# Installed as $(BASHCOMPDIR)/ferry (bash-completion loads it on the first
# "ferry <TAB>"), or sourced from ~/.bashrc. Completes the commands; the
# options of the command being typed, read from `ferry CMD --help` so that
# they are those of the ferry that runs; and an option's value by the name
# --help gives it: a TARGET is a version or a release, a VERSION a version,
# an R a release, read by `ferry __complete` from the migration set of the
# --dir, --config and --format on the line (no database is opened); FILE
# and DIR are paths.

# The options of `ferry [CMD] --help`, one "--name ARG" or "--name" a line
# (and "-x ARG" for a short name). Only lines that start like an option,
# "  -d, --database URL  ...", "      --dir DIR  ..." or "      --wait[=D]
# ..." (a value given only with '=': completed as a flag), are read.
_ferry_options()
{
	"$1" ${2:+"$2"} --help 2>/dev/null | sed -n \
		-e 's/^  -\([a-zA-Z0-9]\), \(--[a-z][a-z0-9-]*\)\( \([A-Z][^ ]*\)\)\{0,1\} .*/\2 \4\n-\1 \4/p' \
		-e 's/^      \(--[a-z][a-z0-9-]*\)\( \([A-Z][^ ]*\)\)\{0,1\} .*/\1 \3/p' \
		-e 's/^      \(--[a-z][a-z0-9-]*\)\[=[A-Z][^ ]*\] .*/\1/p'
}

# The words `ferry __complete WHAT` prints, for the set the line names.
_ferry_set_words()
{
	local ferry=$1 what=$2 i w args=()

	for ((i = 1; i < ${#COMP_WORDS[@]} && i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--dir | --config | --format)
			args+=("$w" "${COMP_WORDS[i + 1]/#\~/$HOME}")
			((i++))
			;;
		--dir=* | --config=* | --format=*)
			args+=("${w%%=*}" "${w#*=}")
			;;
		esac
	done
	"$ferry" "${args[@]}" __complete "$what" 2>/dev/null
}

# Reply with the words of $1 (a list, one a line) that start with $2.
_ferry_reply()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

# The value of an option whose --help says ARG.
_ferry_value()
{
	local ferry=$1 arg=$2 cur=$3

	case $arg in
	TARGET)
		_ferry_reply "$(_ferry_set_words "$ferry" versions
			_ferry_set_words "$ferry" releases)" "$cur" ;;
	VERSION) _ferry_reply "$(_ferry_set_words "$ferry" versions)" "$cur" ;;
	R | RELEASE) _ferry_reply "$(_ferry_set_words "$ferry" releases)" "$cur" ;;
	DIR) COMPREPLY=($(compgen -d -- "$cur")) ;;
	FILE | FILE\|DIR/) COMPREPLY=($(compgen -f -- "$cur")) ;;
	ENGINE) _ferry_reply $'sqlite\npostgres' "$cur" ;;
	MODE) _ferry_reply $'auto\nnone\ntransaction' "$cur" ;;
	*) COMPREPLY=() ;;
	esac
}

_ferry()
{
	local ferry=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev= cmd= opts globals arg i w

	# "--to=<TAB>": bash cut the word at "=".
	if ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == = ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == = ]] && ((COMP_CWORD >= 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		cur=
	elif ((COMP_CWORD >= 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	globals=$(_ferry_options "$ferry")
	# The command: the first word that is no option nor an option's value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--*=* | =) ;;
		-*)
			[[ $'\n'$globals == *$'\n'"$w "[A-Z]* ]] && ((i++))
			;;
		*)
			cmd=$w
			break
			;;
		esac
	done
	opts=$(_ferry_options "$ferry" $cmd)
	[[ -z $cmd ]] && opts=$globals

	# An option's value.
	arg=$(printf '%s\n' "$opts" | sed -n "s/^$(printf '%s' "$prev" |
		sed 's/[][\.*^$/]/\\&/g') \([A-Z].*\)/\1/p" | head -n 1)
	if [[ $prev == -* && -n $arg ]]; then
		_ferry_value "$ferry" "$arg" "$cur"
		return
	fi
	if [[ $cur == -* ]]; then
		_ferry_reply "$(printf '%s\n' "$opts" | sed 's/ .*//')" "$cur"
		return
	fi
	case $cmd in
	'') _ferry_reply "$("$ferry" __complete commands 2>/dev/null)" "$cur" ;;
	help) _ferry_reply "$("$ferry" __complete topics 2>/dev/null)" "$cur" ;;
	stamp) _ferry_value "$ferry" TARGET "$cur" ;;
	restore | import) _ferry_value "$ferry" FILE "$cur" ;;
	*) COMPREPLY=() ;;
	esac
}

complete -F _ferry ferry
