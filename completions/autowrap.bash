# bash completion for autowrap(1).
# Installed as <datadir>/bash-completion/completions/autowrap, where
# bash-completion loads it on first use; without bash-completion:
#   source completions/autowrap.bash
# tests/integration/test_completion.py checks the option lists against
# `autowrap --help`.

_autowrap()
{
    # Options that take a value in the next word (or after '=', or, for a
    # short option, attached: -d50), and those that take none. --poll takes
    # its optional value only as --poll=MS.
    local with_arg="--format -o --output --target -w --watch -e --ext -i --ignore
        -d --debounce -s --signal --stop-signal --stop-timeout --restart-code
        -S --socket"
    local no_arg="-l --list --all --no-listen-pid --poll -c --clear -q --quiet
        -v --verbose -h --help -V --version"
    local short_with_arg="oweidsS"
    local signals="HUP INT QUIT USR1 USR2 TERM KILL ALRM CONT STOP TSTP TTIN TTOU
        WINCH PWR SYS ABRT BUS CHLD FPE ILL IO PIPE PROF SEGV STKFLT TRAP URG
        VTALRM XCPU XFSZ"
    local cur=${COMP_WORDS[COMP_CWORD]} cword=$COMP_CWORD
    local -a words=("${COMP_WORDS[@]}")
    COMPREPLY=()

    # Walk the words before the cursor: options, their values, then COMMAND
    # (after "--" or at the first word that is neither). bash splits
    # "--format=json" into "--format" "=" "json" (COMP_WORDBREAKS has '=').
    local i=1 k w c cmd=0 opt=""
    while ((i < cword)); do
        w=${words[i]}
        if [[ $w == -- ]]; then
            cmd=$((i + 1))
            break
        elif [[ $w == --?* ]]; then
            if [[ ${words[i + 1]} == = ]]; then
                if ((i + 1 == cword)); then
                    opt=$w cur=""
                elif ((i + 2 == cword)); then
                    opt=$w
                fi
                i=$((i + 3))
            elif [[ " $with_arg " == *[[:space:]]"$w"[[:space:]]* ]]; then
                ((i + 1 == cword)) && opt=$w
                i=$((i + 2))
            else
                i=$((i + 1))
            fi
        elif [[ $w == -?* ]]; then
            # a cluster of short options: the first that takes a value ends
            # it, with the value attached (-d50) or in the next word
            for ((k = 1; k < ${#w}; k++)); do
                c=${w:k:1}
                if [[ $short_with_arg == *"$c"* ]]; then
                    if ((k == ${#w} - 1)); then
                        ((i + 1 == cword)) && opt=-$c
                        i=$((i + 1))
                    fi
                    break
                fi
            done
            i=$((i + 1))
        else
            cmd=$i
            break
        fi
    done
    if [[ -n $opt ]]; then
        case $opt in
        --format) COMPREPLY=($(compgen -W "text json make" -- "$cur")) ;;
        -o | --output | -w | --watch | --target) COMPREPLY=($(compgen -f -- "$cur")) ;;
        -s | --signal | --stop-signal) COMPREPLY=($(compgen -W "$signals" -- "$cur")) ;;
        esac
        return 0
    fi
    if ((cmd == 0)); then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$with_arg $no_arg" -- "$cur"))
            return 0
        fi
        cmd=$cword
    fi
    # COMMAND [ARG...]: the command's own completion when bash-completion is
    # loaded, else command names, then file names.
    if ((cword == cmd)); then
        COMPREPLY=($(compgen -c -- "$cur"))
    elif declare -F _command_offset >/dev/null; then
        _command_offset "$cmd"
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
}
complete -F _autowrap -o bashdefault -o default autowrap
