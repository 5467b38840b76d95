# tools/completion/acsim.bash - bash completion for acsim, installed by
# `make install` as PREFIX/share/bash-completion/completions/acsim.
# Commands; then, by command, its options, scenario names (acsim list -q
# scenarios) and *.yaml files, result directories, list's subjects.
_acsim() {
	local cur prev cmd
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmd=${COMP_WORDS[1]:-}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run sweep validate list plot report compare live calibrate help --help --version" -- "$cur"))
		return
	fi
	case $prev in
	-o | --output)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--set | --seed | --replication | -j | --jobs | --points | --threshold | -t)
		return
		;;
	--format | -f)
		if [ "$cmd" = report ]; then
			COMPREPLY=($(compgen -W "markdown text" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "png svg txt png,svg,txt" -- "$cur"))
		fi
		return
		;;
	--baseline)
		COMPREPLY=($(compgen -W "$(acsim list -q policies 2>/dev/null)" -- "$cur"))
		return
		;;
	esac
	local opts=""
	case $cmd in
	run) opts="-o --output --seed --set --replication --trace -q --quiet --help" ;;
	sweep) opts="-o --output -j --jobs --seed --set --baseline --points --merge --list -q --quiet --help" ;;
	validate) opts="--set -q --quiet --help" ;;
	live) opts="-o --output --seed --set -q --quiet --help" ;;
	list) opts="-q --quiet --help" ;;
	plot) opts="-f --format -q --quiet --help" ;;
	report) opts="-o --output --format -q --quiet --help" ;;
	compare) opts="-t --threshold -b --brief -q --quiet --help" ;;
	calibrate) opts="-o --output --quick -q --quiet --help" ;;
	help)
		COMPREPLY=($(compgen -W "run sweep validate list plot report compare live calibrate" -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd in
	run | sweep | validate | live)
		COMPREPLY=($(compgen -W "$(acsim list -q scenarios 2>/dev/null)" -- "$cur")
			$(compgen -f -X '!*.yaml' -- "$cur") $(compgen -d -- "$cur"))
		;;
	list) COMPREPLY=($(compgen -W "policies models scenarios" -- "$cur")) ;;
	plot | report | compare) COMPREPLY=($(compgen -d -- "$cur")) ;;
	esac
	return 0
}
complete -F _acsim acsim
