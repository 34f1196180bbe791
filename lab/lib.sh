# shellcheck shell=bash
# shellcheck disable=SC2034  # REPO_DIR, CTL_NS, ROOT_IF: for the scripts that source this
# Shared settings and helpers of the lab scripts (sourced, not run).
# The lab: one network namespace + mount/UTS/PID namespaces per host, all joined by a bridge in a
# controller namespace; the root namespace gets one veth into that bridge and a route for the lab
# /24 only, so `./runbook` works from a normal shell and no lab packet can leave the machine.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$LAB_DIR")
# State lives outside every directory a host overlays (/etc /var /usr/local /opt /root /run /tmp).
STATE=${RUNBOOK_LAB_DIR:-/srv/runbook-lab}
PREFIX=${RUNBOOK_LAB_PREFIX:-rblab}
CTL_NS="$PREFIX-ctl"
ROOT_IF="${PREFIX}0"

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# Runs a command inside a host's namespaces (network, mount, UTS, PID) via its init pid.
host_exec() {
  local h=$1; shift
  local pid; pid=$(cat "$STATE/hosts/$h/init.pid" 2>/dev/null) || die "host $h is not running"
  nsenter -t "$pid" -a -- "$@"
}

# Loads the settings lab/up recorded (subnet, hosts, style).
load_env() {
  [ -f "$STATE/lab.env" ] || die "no lab is up (no $STATE/lab.env); run lab/up first"
  # shellcheck disable=SC1091
  . "$STATE/lab.env"
}

host_ip() { # host name -> address, from the recorded host list (the bastion: its control-side address)
  local h=$1 i=0 n
  if [ "$h" = bastion ] && [ -n "${LAB_BASTION:-}" ]; then echo "$LAB_BASTION"; return; fi
  for n in $LAB_HOSTS; do i=$((i + 1)); [ "$n" = "$h" ] && { echo "$SUBNET.$((10 + i))"; return; }; done
  die "unknown lab host '$h' (hosts: $LAB_HOSTS${LAB_BASTION:+ bastion})"
}

# lab_ssh HOST CMD...: ssh as the engine would: root with the lab key, or (production shape) ops
# through the bastion with the agent. A ProxyCommand, not -J: ssh's ProxyJump starts the jump's ssh
# without this command line's -o options, so the bastion would be checked against ~/.ssh/known_hosts.
lab_ssh() {
  local h=$1; shift
  if [ "${LAB_SHAPE:-lab}" = production ]; then
    local jump=(); [ "$h" = bastion ] || jump=(-o "ProxyCommand=ssh -q -o UserKnownHostsFile=$STATE/ssh/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -W %h:%p ops@$LAB_BASTION")
    SSH_AUTH_SOCK="$STATE/ssh/agent.sock" ssh -q -o UserKnownHostsFile="$STATE/ssh/known_hosts" -o StrictHostKeyChecking=yes \
      -o BatchMode=yes -o ConnectTimeout=5 -o KexAlgorithms=curve25519-sha256 "${jump[@]}" "ops@$(host_ip "$h")" "$@"
    return
  fi
  ssh -q -i "$STATE/ssh/id_ed25519" -o UserKnownHostsFile="$STATE/ssh/known_hosts" \
      -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 \
      -o KexAlgorithms=curve25519-sha256 "root@$(host_ip "$h")" "$@"
}

host_running() { local p; p=$(cat "$STATE/hosts/$1/init.pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null; }
