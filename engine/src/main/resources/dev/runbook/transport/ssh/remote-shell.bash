# shellcheck shell=bash
# The remote shell: one long-lived bash per host that runs every command of a run in a forked
# subshell (see RemoteShell.java for the protocol). Started as `bash --noprofile --norc -c THIS`,
# with $1 = the login user's private dir when it runs under sudo. Comment lines and blank lines are
# stripped before it is sent; every name it uses starts with __rb_ so scripts do not collide.
set -m

# The shell's files are <dir>/<its pid>.<name>, in ONE dir per user, made once (per boot, /tmp
# being a tmpfs) with mode 700: not a mktemp -d per connection (a fork and an exec on every host of
# every run). A dir that is a symlink or not the user's own is never used; then a private one from
# mktemp, removed at exit.
# Through sudo ($1 given), the dir is the LOGIN user's, made and checked by the launch before sudo:
# the engine reads the output files over SFTP as that user, so they are created readable (umask
# 022, in a dir only that user can enter) and each command gets the umask sudo gave back.
__rb_own=; __rb_um=
if [ -n "${1:-}" ]; then __rb_b=$1; __rb_um=$(umask); umask 022; else
  __rb_b=${TMPDIR:-/tmp}/runbook-shell-$EUID
  __rb_ok() { [ -d "$__rb_b" ] && [ ! -L "$__rb_b" ] && [ -O "$__rb_b" ]; }
  __rb_ok || { mkdir -m 700 "$__rb_b" 2>/dev/null; __rb_ok; } || { __rb_b=$(mktemp -d "${TMPDIR:-/tmp}/runbook.XXXXXX") && __rb_own=$__rb_b; } || exit 97
fi
__rb_d=$__rb_b/$$.
declare -A __rb_pgid; __rb_rm=(); __rb_lf=(); __rb_ln=()
trap 'exit 129' HUP; trap 'exit 143' TERM

# At exit: kill what still runs, remove this shell's files and the files registered with L whose
# first line still names their owner, in one rm. Builtins only: the engine may already be gone,
# and every fork here costs each host.
__rb_exit() {
  for __rb_p in "${__rb_pgid[@]}"; do kill -KILL -- "-$__rb_p"; done 2>/dev/null
  __rb_x=("$__rb_d"* ${__rb_own:+"$__rb_own"})
  for __rb_i in "${!__rb_lf[@]}"; do
    __rb_l=; { read -r __rb_l <"${__rb_lf[$__rb_i]}"; } 2>/dev/null
    case $__rb_l in *"${__rb_ln[$__rb_i]}"*) __rb_x+=("${__rb_lf[$__rb_i]}") ;; esac
  done
  exec rm -rf -- "${__rb_x[@]}"
}
trap __rb_exit EXIT

# Frames go straight to this shell's stdout, reopened by path from wherever they are written
# (sshd's pipe: a line in one write is atomic), so a command keeps no descriptor of the channel (a
# daemon it starts cannot hold the session open). By a descriptor of its own, 197, not 1: while an
# I frame runs, this shell's 1 is that frame's output file, and a command ending then would write
# its D frame there. Where it cannot be reopened (a socket, no /proc), through a fifo and a cat.
exec 197>&1; __rb_out=/proc/$$/fd/197
if ! { : >>"$__rb_out"; } 2>/dev/null; then
  __rb_out=${__rb_d}done; mkfifo -m 600 "$__rb_out" || exit 97
  exec 198<>"$__rb_out"; cat <&198 & __rb_pgid[cat]=$!
fi
# With set -m bash writes job notices ("[1]+ Done") to stderr; one written after the engine left
# would meet a closed pipe, and SIGPIPE would kill this shell before its EXIT trap (leaking its
# files and the cat).
exec 2>/dev/null

# Bytes written to an output file = the offset of the fd that shares its description (no fork for stat).
__rb_pos() { __rb_v=-1; local k v; while read -r k v; do if [ "$k" = pos: ]; then __rb_v=$v; break; fi; done <"/proc/$BASHPID/fdinfo/$1"; } 2>/dev/null
__rb_end() { set +e; __rb_pos 196; local o=$__rb_v; __rb_pos 195; echo "D $2 $1 $o $__rb_v" >>"$__rb_out"; }

printf 'READY %s\n' "$__rb_d"
while IFS=' ' read -r __rb_op __rb_id __rb_arg; do
  # A script's frame: its header gives the length of the ASCII line that follows, read in one
  # read() (bash reads a line from a pipe one byte per read(); -N reads the count in one, as seen
  # with strace in bash 5.2; an older bash that reads it byte by byte is still correct).
  case $__rb_op in R|W|X|I|L) IFS= read -r -N "$__rb_arg" __rb_s || break; eval "__rb_s=$__rb_s" ;; esac
  case $__rb_op in
    R)
      # a forked subshell whose EXIT trap reports; the id is expanded now, the status at exit
      ( exec 196>"$__rb_d$__rb_id.o" 195>"$__rb_d$__rb_id.e" >&196 2>&195 </dev/null 198>&- 197>&-; ${__rb_um:+umask $__rb_um}
        # shellcheck disable=SC2064
        trap "__rb_end \$? $__rb_id" EXIT; trap 'exit 143' TERM
        unset -v __rb_op __rb_arg __rb_pgid __rb_rm; set +m -e -o pipefail
        eval "$__rb_s" ) &
      __rb_pgid[$__rb_id]=$! ;;
    W|X)
      # a waiter that reports, for scripts that may replace the trap, exec or kill their shell
      # (W), or read $$ (X: a fresh bash)
      { exec 196>"$__rb_d$__rb_id.o" 195>"$__rb_d$__rb_id.e" </dev/null 198>&- 197>&-; ${__rb_um:+umask $__rb_um}
        set +m; trap : TERM INT HUP
        if [ "$__rb_op" = X ]; then bash -e -o pipefail -c "$__rb_s" >&196 2>&195 196>&- 195>&-
        else (unset -v __rb_op __rb_arg __rb_pgid __rb_rm; set -e -o pipefail; eval "$__rb_s") >&196 2>&195 196>&- 195>&-; fi
        __rb_end $? "$__rb_id"; } &
      __rb_pgid[$__rb_id]=$! ;;
    I)
      # the shell's own process: no fork; sizes read inside the group, while 196/195 are open. Job
      # control off meanwhile: with it, bash reports an earlier command's end ("[1]+ Done ...") on
      # its stderr, which inside the group is this script's .e file
      set +m; { eval "$__rb_s"; __rb_c=$?; __rb_pos 196; __rb_o=$__rb_v; __rb_pos 195; } 196>"$__rb_d$__rb_id.o" 195>"$__rb_d$__rb_id.e" >&196 2>&195 </dev/null; set -m
      echo "D $__rb_id $__rb_c $__rb_o $__rb_v" >>"$__rb_out" ;;
    L) eval "__rb_x=($__rb_s)"; __rb_lf+=("${__rb_x[0]}"); __rb_ln+=("${__rb_x[1]}") ;;
    K) __rb_p=${__rb_pgid[$__rb_id]:-}; [ -z "$__rb_p" ] || kill -"${__rb_arg:-TERM}" -- "-$__rb_p" 2>/dev/null ;;
    P) __rb_p=${__rb_pgid[$__rb_id]:-}
      if [ -z "$__rb_p" ] || ! kill -0 -- "-$__rb_p" 2>/dev/null; then echo "G $__rb_id" >>"$__rb_out"; fi ;;
    F) unset "__rb_pgid[$__rb_id]"; __rb_rm+=("$__rb_d$__rb_id.o" "$__rb_d$__rb_id.e")
      if [ ${#__rb_rm[@]} -ge 200 ]; then rm -f -- "${__rb_rm[@]}" & __rb_rm=(); fi ;;
  esac
done
