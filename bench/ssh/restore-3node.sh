#!/bin/bash
# The hand-written floor for runbooks/restore-3node.yml on the lab's script style: the same steps,
# typed by an expert over already-open OpenSSH ControlMaster connections (bench/ssh/steps.sh
# --open), every member in parallel where it is safe, the leader stopped last, members started
# back to back, no checks beyond the sha256 of the staged copy and the final health.
# Usage: bench/ssh/restore-3node.sh KEY KNOWN_HOSTS SNAPSHOT TAG NAME=ADDRESS...
set -euo pipefail
key=$1 kh=$2 snap=$3 tag=$4; shift 4
opts=(-i "$key" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes -o BatchMode=yes
      -o ControlPath="${TMPDIR:-/tmp}/rbbench-floor-%C" -o KexAlgorithms=curve25519-sha256)
cluster=; for m in "$@"; do cluster+="${cluster:+,}${m%%=*}=https://${m#*=}:2380"; done
sum=$(sha256sum "$snap" | cut -d' ' -f1)
staged=/var/backups/etcd/floor-$tag.db new=/var/lib/etcd-floor-$tag token=floor-$tag
# every parallel step fails the script when one of its members fails (a bare `wait` would not)
waitall() { local p; for p in $(jobs -p); do wait "$p" || exit 1; done; }
for m in "$@"; do scp -q "${opts[@]}" "$snap" "root@${m#*=}:$staged" & done; waitall
ctl="etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/etcd/pki/ca.crt --cert=/etc/etcd/pki/server.crt --key=/etc/etcd/pki/server.key"
# the leader is stopped last: stopped together with its followers it tries to hand over
# leadership to a stopping member and gives up only after ~7 s
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for m in "$@"; do ssh "${opts[@]}" "root@${m#*=}" "$ctl endpoint status -w json 2>/dev/null | grep -q '\"member_id\":\([0-9]*\),.*\"leader\":\1,' && echo leader" >"$tmp/${m%%=*}" & done; wait
for m in "$@"; do [ -s "$tmp/${m%%=*}" ] || ssh "${opts[@]}" "root@${m#*=}" "echo '$sum  $staged' | sha256sum -c --quiet && /etc/init.d/etcd stop >/dev/null" & done; waitall
for m in "$@"; do if [ -s "$tmp/${m%%=*}" ]; then ssh "${opts[@]}" "root@${m#*=}" "echo '$sum  $staged' | sha256sum -c --quiet && /etc/init.d/etcd stop >/dev/null"; fi; done
for m in "$@"; do
  ssh "${opts[@]}" "root@${m#*=}" "if command -v etcdutl >/dev/null; then t=etcdutl b='--bump-revision 1000000000 --mark-compacted'; else t=etcdctl b=; fi
    \$t snapshot restore $staged --name ${m%%=*} --initial-cluster $cluster \
    --initial-cluster-token $token --initial-advertise-peer-urls https://${m#*=}:2380 --data-dir $new \$b >/dev/null 2>&1 && sed -i -e 's|^ETCD_DATA_DIR=.*|ETCD_DATA_DIR=$new|' \
    -e 's|^ETCD_INITIAL_CLUSTER_TOKEN=.*|ETCD_INITIAL_CLUSTER_TOKEN=$token|' -e 's|^ETCD_INITIAL_CLUSTER=.*|ETCD_INITIAL_CLUSTER=$cluster|' /etc/etcd/etcd.env" &
done; waitall
for m in "$@"; do ssh "${opts[@]}" "root@${m#*=}" "/etc/init.d/etcd start >/dev/null"; done
for m in "$@"; do
  until ssh "${opts[@]}" "root@${m#*=}" "$ctl endpoint health >/dev/null 2>&1"; do sleep 0.2; done
done
