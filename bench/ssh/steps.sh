#!/bin/bash
# The hand-written floor for bench/runbook/stepsN.yml: N rounds of `true` on every host in
# parallel through already-open OpenSSH ControlMaster connections (open them with --open first).
# Usage: bench/ssh/steps.sh --open|--close|N  KEY KNOWN_HOSTS ADDRESS...
set -euo pipefail
what=$1 key=$2 kh=$3; shift 3
opts=(-i "$key" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes -o BatchMode=yes
      -o ControlPath="${TMPDIR:-/tmp}/rbbench-floor-%C" -o KexAlgorithms=curve25519-sha256)
case $what in
  --open) for a in "$@"; do ssh "${opts[@]}" -o ControlMaster=yes -o ControlPersist=300 -fN "root@$a"; done ;;
  --close) for a in "$@"; do ssh "${opts[@]}" -O exit "root@$a" 2>/dev/null || true; done ;;
  *) for _ in $(seq 1 "$what"); do
       for a in "$@"; do ssh "${opts[@]}" "root@$a" true & done
       wait
     done ;;
esac
