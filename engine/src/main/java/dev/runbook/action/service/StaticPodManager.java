package dev.runbook.action.service;

import dev.runbook.template.ShellQuote;
import java.util.Map;

/**
 * kubeadm static pods: the kubelet runs what is in the manifests dir. Stop moves the manifest to a
 * stash dir beside it (as OpenShift's recovery does) and waits for the process to exit; start moves
 * it back and waits for the process. Variables: {@code static_pod_dir} (/etc/kubernetes/manifests),
 * {@code static_pod_stash} (/etc/kubernetes/manifests.stopped), {@code process_name} (etcd's process
 * name, default etcd; any other service's process is named as the service, e.g. kube-apiserver).
 */
final class StaticPodManager implements ServiceManager {
    @Override
    public String script(String service, String state, Map<String, Object> vars, long timeoutSeconds) {
        String dir = dir(vars);
        String stash = stash(vars);
        String proc = ShellQuote.quote(service.equals("etcd") ? String.valueOf(vars.getOrDefault("process_name", service)) : service);
        String live = ShellQuote.quote(dir + "/" + service + ".yaml");
        String parked = ShellQuote.quote(stash + "/" + service + ".yaml");
        // by the clock, not by a count of sleeps (each pgrep costs time too); SECONDS is whole
        // seconds, so one more makes it at least the timeout
        String until = "end=$((SECONDS + " + (Math.max(1, timeoutSeconds) + 1) + ")); while [ $SECONDS -lt $end ]; do ";
        String waitGone = until + "pgrep -x " + proc + " >/dev/null || exit 0; sleep 0.1; done; "
                + "echo " + proc + " still running after " + timeoutSeconds + "s >&2; exit 1";
        String waitUp = until + "pgrep -x " + proc + " >/dev/null && exit 0; sleep 0.1; done; "
                + "echo " + proc + " did not start within " + timeoutSeconds + "s: check the kubelet and the pod log >&2; exit 1";
        String park = "if [ -f " + live + " ]; then mkdir -p " + ShellQuote.quote(stash) + " && mv -f " + live + " " + parked + "; fi";
        String stop = park + "; " + waitGone;
        String start = "if [ ! -f " + live + " ]; then if [ -f " + parked + " ]; then mv -f " + parked + " " + live
                + "; else echo no manifest at " + live + " or " + parked + " >&2; exit 1; fi; fi; " + waitUp;
        return switch (state) {
            case "status" -> "if [ -f " + live + " ] && pgrep -x " + proc + " >/dev/null; then echo running; else echo stopped; exit 3; fi";
            case "stopped" -> "(" + stop + ")";
            case "stopping" -> "(" + park + ")"; // the kubelet stops the pod on its own time
            case "started" -> "(" + start + ")";
            default -> "(" + stop + ") && (" + start + ")";
        };
    }

    @Override
    public String installed(String service, Map<String, Object> vars) {
        String dir = ShellQuote.quote(dir(vars));
        return "{ [ -d " + dir + " ] || { echo 'no manifests dir " + dir(vars).replace("'", "") + " on this host: is static_pod_dir right?' >&2; exit 1; }; } && "
                + "{ [ -f " + ShellQuote.quote(dir(vars) + "/" + service + ".yaml") + " ] || [ -f " + ShellQuote.quote(stash(vars) + "/" + service + ".yaml") + " ]; }";
    }

    private static String dir(Map<String, Object> vars) {
        return String.valueOf(vars.getOrDefault("static_pod_dir", "/etc/kubernetes/manifests"));
    }

    private static String stash(Map<String, Object> vars) {
        return String.valueOf(vars.getOrDefault("static_pod_stash", "/etc/kubernetes/manifests.stopped"));
    }
}
