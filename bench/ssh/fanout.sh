#!/bin/bash
# The hand-written floor for bench/runbook/fanout.yml: `true` on every address, 50 cold OpenSSH
# connections at a time (xargs -P 50), as an operator would do it without any tool.
# Usage: bench/ssh/fanout.sh KEY KNOWN_HOSTS ADDRESS...
set -euo pipefail
key=$1 kh=$2; shift 2
printf '%s\n' "$@" | xargs -P 50 -I{} ssh -i "$key" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes \
  -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 root@{} true
