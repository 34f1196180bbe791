# shellcheck shell=bash
# etcd_facts STYLE ENV_FILE MANIFEST STASHED_MANIFEST: what a runbook needs to know about etcd on
# this member, as "key=value" lines: version, tool (etcdutl, else etcdctl: what restores a
# snapshot), bump (whether that tool has --bump-revision), data_dir (from the static pod manifest,
# or from where the manifest is kept while etcd is stopped, or from the env file; /var/lib/etcd
# when none says), has_data (a member/ dir in it). Or "error=WHY" when etcd is not installed.
etcd_facts() {
  local style=$1 env_file=$2 manifest=$3 stashed=$4 v tool bump dd
  v=$(etcd --version 2>/dev/null | awk '/etcd Version/ {print $3}')
  if [ -z "$v" ]; then echo "error=etcd is not installed on $(hostname)"; return 0; fi
  if command -v etcdutl >/dev/null; then tool=etcdutl; else tool=etcdctl; fi
  # ask the tool, not a version table: --bump-revision arrived in point releases of 3.4 and 3.5;
  # grep reads to the end (with pipefail, "grep -q" quitting early can fail the tool with SIGPIPE)
  if "$tool" snapshot restore --help 2>&1 | grep -- --bump-revision >/dev/null; then bump=true; else bump=false; fi
  dd=
  if [ "$style" = static-pod ]; then
    if [ ! -f "$manifest" ] && [ ! -f "$stashed" ]; then
      echo "error=no etcd manifest at $manifest or $stashed on $(hostname): is static_pod_dir (or static_pod_stash) right?"; return 0
    fi
    [ -f "$manifest" ] || manifest=$stashed
    dd=$(sed -n 's/.*--data-dir=\([^"]*\).*/\1/p' "$manifest" 2>/dev/null | head -1)
  elif [ -f "$env_file" ]; then
    # read as the service reads it (quotes, later lines winning), in a subshell of its own
    # shellcheck source=/dev/null
    dd=$(. "$env_file" >/dev/null 2>&1; echo "${ETCD_DATA_DIR:-}")
  fi
  dd=${dd:-/var/lib/etcd}
  printf 'version=%s\ntool=%s\nbump=%s\ndata_dir=%s\n' "$v" "$tool" "$bump" "$dd"
  if [ -d "$dd/member" ]; then echo has_data=true; else echo has_data=false; fi
}
