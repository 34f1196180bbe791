#!/bin/bash
# The floor for copying one file to several hosts: scp to all of them in parallel, new connections,
# the same key exchange and cipher family the engine negotiates (curve25519, AES-GCM). No checksum.
# Usage: bench/ssh/copy.sh KEY KNOWN_HOSTS FILE DEST ADDRESS...
set -euo pipefail
key=$1 kh=$2 file=$3 dest=$4; shift 4
for a in "$@"; do
  scp -q -i "$key" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 \
      -c aes128-gcm@openssh.com "$file" "root@$a:$dest" &
done
wait
