# bash completion for prictl, prid's command-line client: its commands, the
# subcommands of cdr, conf and sim, the main options and each command's
# own options. Installed into bash-completion's completions folder; load it
# by hand with
#   source prictl.bash
# The word lists below are checked against prictl --help by prid's tests:
# the commands, and each command's and subcommand's options.

_prictl_commands="status reload spans span restart service calls info stats cdr open close call dial proceed alert progress answer redirect transfer drop hangup dealloc hold unhold join conf events sim run decode trace compare replay metrics import"
_prictl_global_options="--socket --json --version --help"

_prictl() {
  local cur prev command subcommand i
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"

  case "$prev" in
    --socket|--link|--system-conf)
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
      ;;
  esac

  # The first word that is not an option (nor --socket's value) is the command.
  command=""
  subcommand=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      --socket) ((i++)) ;;
      -*) ;;
      *)
        if [[ -z "$command" ]]; then
          command="${COMP_WORDS[i]}"
        elif [[ -z "$subcommand" ]]; then
          subcommand="${COMP_WORDS[i]}"
        fi
        ;;
    esac
  done

  if [[ -z "$command" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "$_prictl_global_options" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_prictl_commands" -- "$cur"))
    fi
    return 0
  fi

  local words=""
  case "$command" in
    conf) [[ -z "$subcommand" ]] && words="create add remove" ;;
    sim)
      case "$subcommand" in
        "") words="call drop policy hold unhold hold-policy" ;;
        call) words="--calling --ton --npi --calling-ton --calling-npi --present --redirecting --redirecting-reason --display --preferred --uui-text --uui-hex --pd" ;;
        drop) words="--cause --uui-text --uui-hex --pd" ;;
        policy) words="--delay-ms --overlap --uui-text --uui-hex --pd" ;;
      esac
      ;;
    import)
      if [[ -z "$subcommand" ]]; then
        words="chan_dahdi"
      elif [[ "$cur" != -* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
      else
        words="--system-conf"
      fi
      ;;
    cdr)
      case "$subcommand" in
        "") words="status --since --span --number --cause --limit --sqlite --postgresql" ;;
        status) ;;
        *) words="--since --span --number --cause --limit --sqlite --postgresql" ;;
      esac
      ;;
    calls) words="--state --all" ;;
    info) words="--all" ;;
    stats) words="--reset" ;;
    open) words="--monitor" ;;
    call) words="--span --calling --bearer --ton --npi --calling-ton --calling-npi --present --overlap --display --detach --uui-text --uui-hex --pd" ;;
    dial) words="--complete" ;;
    answer) words="--non-isdn --channel --uui-text --uui-hex --pd" ;;
    alert) words="--no-inband --channel" ;;
    proceed) words="--channel" ;;
    progress) words="--cause" ;;
    redirect) words="--reason" ;;
    drop|hangup) words="--cause --uui-text --uui-hex --pd" ;;
    events) words="--follow --since --instance --monitor --span --call" ;;
    service) words="in out" ;;
    trace) words="--span --call --pcap --count --q931 --oneline --ladder" ;;
    decode) words="--pcap --network" ;;
    replay) words="--side --span --link --timeout" ;;
    run|compare)
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
      ;;
  esac
  if [[ "$command" == decode || "$command" == replay ]] && [[ "$cur" != -* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  COMPREPLY=($(compgen -W "$words --json --socket --help" -- "$cur"))
  return 0
}

complete -F _prictl prictl
