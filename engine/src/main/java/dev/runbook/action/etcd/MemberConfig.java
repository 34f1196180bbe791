package dev.runbook.action.etcd;

import java.util.Map;

/**
 * Where a member's etcd keeps its settings, by its service style (the host's {@code
 * service_manager}): a static pod's manifest (kubeadm: flags in the etcd container's command, the
 * data dir a hostPath volume too), else an env file of {@code ETCD_*} variables (systemd units and
 * init scripts, etcdadm's layout). Paths from the host's variables: {@code etcd_env_file}
 * (/etc/etcd/etcd.env), {@code static_pod_dir} (/etc/kubernetes/manifests) and {@code
 * static_pod_stash} (/etc/kubernetes/manifests.stopped, where the manifest is kept while etcd is
 * stopped), as the service action uses them.
 */
public record MemberConfig(boolean staticPod, String envFile, String manifest, String stashedManifest) {
    /** The etcd container's command line in a static pod manifest. */
    static final String COMMAND = "spec.containers[name=etcd].command";

    public static MemberConfig of(Map<String, Object> vars) {
        String dir = str(vars.get("static_pod_dir"), "/etc/kubernetes/manifests");
        String stash = str(vars.get("static_pod_stash"), "/etc/kubernetes/manifests.stopped");
        return new MemberConfig("static-pod".equals(str(vars.get("service_manager"), "")), str(vars.get("etcd_env_file"), "/etc/etcd/etcd.env"),
                dir + "/etcd.yaml", stash + "/etcd.yaml");
    }

    /** The env variable of an etcd flag: {@code data-dir} is {@code ETCD_DATA_DIR}. */
    static String envName(String flag) {
        return "ETCD_" + flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    private static String str(Object o, String dflt) {
        return o == null || String.valueOf(o).isBlank() ? dflt : String.valueOf(o);
    }
}
