# find_tls CA CERT KEY: finds the TLS files an etcd client needs on this member, as root. The CA,
# client certificate and key paths the inventory gives (each may be empty: found here). Prints
#   ca=PATH  cert=PATH  key=PATH  from=WHERE  client=WHICH
# one per line (cert/key empty when the member's etcd asks no client certificate), or
#   error=WHY
# The CA and the server's flags come from, in order: the running etcd's command line and
# environment, its static pod manifest (also where runbook keeps it while etcd is stopped), its env
# file, kubeadm's and etcdadm's default paths.
# The client pair: kubeadm's healthcheck-client (made for etcdctl), etcdadm's etcdctl-etcd-client,
# kubeadm's apiserver-etcd-client, else the member's own server pair (kubeadm's and etcdadm's
# server certificates are client certificates too).
# flags: etcd's settings in the text on stdin as "name=value" lines, from --name=value,
# ETCD_NAME=value (env files, the process environment) and a static pod manifest's list items
flags() {
  awk -v q="'" '{
    sub(/^[ \t]*-[ \t]+/, "")
    if (match($0, /^--[a-z-]+=/)) { k = substr($0, 3, RLENGTH - 3) }
    else if (match($0, /^ETCD_[A-Z_]+=/)) { k = tolower(substr($0, 6, RLENGTH - 6)); gsub(/_/, "-", k) }
    else next
    v = substr($0, RLENGTH + 1)
    if (v ~ /^".*"$/ || (substr(v, 1, 1) == q && substr(v, length(v), 1) == q)) v = substr(v, 2, length(v) - 2)
    print k "=" v
  }'
}
# flag NAME TEXT: the value of NAME in flags' output
flag() { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -n 1; }

# path P: P as this host sees it (a containerised etcd's paths through its root, when only there)
path() {
  if [ -z "$1" ] || [ -e "$1" ]; then printf '%s' "$1"
  elif [ -n "${root:-}" ] && [ -e "$root$1" ]; then printf '%s' "$root$1"
  else printf '%s' "$1"; fi
}

find_tls() {
  local want_ca=$1 want_cert=$2 want_key=$3 source_text='' from='' pid text root='' ca cert key client dir pair p scert skey d f
  pid=$(pgrep -xo etcd 2>/dev/null || true)
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then
    # "--name value" becomes --name=value, a lone --name (a boolean) --name=true
    text=$({ tr '\0' '\n' <"/proc/$pid/cmdline" | awk '
               /^--[a-z-]+$/ { if (k != "") print k "=true"; k = $0; next }
               k != "" { print k "=" $0; k = ""; next }
               { print }
               END { if (k != "") print k "=true" }'
             tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null || true; } | flags)
    if [ -n "$(flag trusted-ca-file "$text")" ]; then
      source_text=$text from="the running etcd's flags (pid $pid)"
      root="/proc/$pid/root"
    fi
  fi
  if [ -z "$source_text" ]; then
    # manifests.stopped: where runbook keeps a static pod's manifest while its etcd is stopped
    for f in /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests.stopped/etcd.yaml /etc/etcd/etcd.env /etc/default/etcd /etc/etcd/etcd.conf; do
      [ -r "$f" ] || continue
      text=$(flags <"$f")
      if [ -n "$(flag trusted-ca-file "$text")" ]; then source_text=$text from=$f; break; fi
    done
  fi

  ca=$want_ca
  if [ -z "$ca" ]; then
    ca=$(path "$(flag trusted-ca-file "$source_text")")
    if [ -z "$ca" ]; then
      for d in /etc/kubernetes/pki/etcd/ca.crt /etc/etcd/pki/ca.crt; do
        if [ -e "$d" ]; then ca=$d from="the default path of $([ "$d" = /etc/etcd/pki/ca.crt ] && echo etcdadm || echo kubeadm)"; break; fi
      done
    fi
    if [ -z "$ca" ]; then
      echo "error=no etcd CA found: no running etcd, no static pod manifest or env file naming --trusted-ca-file, nothing at /etc/kubernetes/pki/etcd/ca.crt or /etc/etcd/pki/ca.crt"
      return 0
    fi
  else
    from="the inventory (etcd_member_ca)"
  fi

  cert=$want_cert key=$want_key client="given (etcd_member_cert/etcd_member_key)"
  if [ -z "$cert" ]; then
    dir=${ca%/*}
    client=''
    for pair in "$dir/healthcheck-client:kubeadm's healthcheck-client" "$dir/etcdctl-etcd-client:etcdadm's etcdctl-etcd-client" \
                "/etc/kubernetes/pki/apiserver-etcd-client:kubeadm's apiserver-etcd-client"; do
      p=${pair%%:*}
      if [ -e "$p.crt" ] && [ -e "$p.key" ]; then cert=$p.crt key=$p.key client=${pair#*:}; break; fi
    done
    if [ -z "$cert" ]; then
      scert=$(path "$(flag cert-file "$source_text")") skey=$(path "$(flag key-file "$source_text")")
      if [ -n "$scert" ] && [ -n "$skey" ]; then cert=$scert key=$skey client="the member's own server certificate"; fi
    fi
    if [ -z "$cert" ] && [ "$(flag client-cert-auth "$source_text")" = true ]; then
      echo "error=etcd asks for a client certificate (--client-cert-auth) and none was found beside $ca (healthcheck-client, etcdctl-etcd-client) or in /etc/kubernetes/pki"
      return 0
    fi
  fi
  printf 'ca=%s\ncert=%s\nkey=%s\nfrom=%s\nclient=%s\n' "$ca" "$cert" "$key" "$from" "$client"
}
