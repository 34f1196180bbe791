# shellcheck shell=bash
# controlplane_tar MANIFESTS STASH ETCD_ENV [EXTRA...]: puts this host's control-plane files into
# a tar in a new root-only temp dir and prints "tar=PATH" and "size=BYTES", or "none=" when the
# host has none of them. Collected: the static pod manifests (live and stashed), /etc/kubernetes's
# PKI and kubeconfigs, the API server's EncryptionConfiguration (wherever its
# --encryption-provider-config points, in its manifest or its systemd unit), etcd's env file and
# /etc/etcd/pki (etcdadm), and EXTRA paths. Paths are stored relative to / with numeric owners.
controlplane_tar() {
  local manifests=$1 stash=$2 env_file=$3 p enc dir
  shift 3
  local -a paths=() found=()
  local -A seen=()
  paths=("$manifests" "$stash" /etc/kubernetes/pki /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf
    /etc/kubernetes/controller-manager.conf /etc/kubernetes/scheduler.conf /etc/kubernetes/kubelet.conf
    "$env_file" /etc/etcd/pki "$@")
  for p in "$manifests/kube-apiserver.yaml" "$stash/kube-apiserver.yaml"; do
    [ -f "$p" ] || continue
    enc=$(sed -n 's/.*--encryption-provider-config=\([^" ]*\).*/\1/p' "$p" | head -n 1)
    if [ -n "$enc" ]; then paths+=("$enc"); fi
  done
  if command -v systemctl >/dev/null 2>&1; then
    enc=$( (systemctl cat kube-apiserver 2>/dev/null || true) | sed -n 's/.*--encryption-provider-config[= ]\([^" ]*\).*/\1/p' | head -n 1)
    if [ -n "$enc" ]; then paths+=("$enc"); fi
  fi
  local -a parents=()
  for p in "${paths[@]}"; do
    p=${p%/}
    if [ -e "$p" ] && [ -z "${seen[$p]:-}" ]; then seen[$p]=1; found+=("${p#/}"); fi
  done
  if [ ${#found[@]} -eq 0 ]; then echo "none="; return 0; fi
  # the directories above each path too (not their contents): a rebuilt host gets them back with
  # their modes (/etc/kubernetes/enc is often 700)
  for p in "${found[@]}"; do
    p=$(dirname "$p")
    while [ "$p" != . ] && [ "$p" != / ]; do
      if [ -z "${seen[/$p]:-}" ]; then seen[/$p]=1; parents+=("$p"); fi
      p=$(dirname "$p")
    done
  done
  dir=$(umask 077 && mktemp -d /tmp/runbook-bundle.XXXXXX)
  # shallowest first, so a parent comes before what it holds
  mapfile -t parents < <(printf '%s\n' "${parents[@]}" | awk -F/ '{print NF "\t" $0}' | sort -n | cut -f2-)
  # (every path is relative to / and starts with a name, never with "-")
  tar -C / --numeric-owner -cf "$dir/controlplane.tar" --no-recursion "${parents[@]}" --recursion "${found[@]}"
  echo "tar=$dir/controlplane.tar"
  echo "size=$(stat -c %s "$dir/controlplane.tar")"
}
