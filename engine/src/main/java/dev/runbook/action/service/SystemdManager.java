package dev.runbook.action.service;

import dev.runbook.template.ShellQuote;
import java.util.Map;

/**
 * systemd hosts (etcdadm-style etcd.service reading /etc/etcd/etcd.env). A start does not block on
 * the unit's readiness: etcd's units are {@code Type=notify}, and etcd reports ready only once it
 * has published itself through a quorum, so a blocking {@code systemctl start} of a restored
 * cluster's first member would wait for members the runbook starts after it (until systemd's
 * start timeout kills it). It returns once the process runs; a quorum gate does the waiting.
 */
final class SystemdManager implements ServiceManager {
    @Override
    public String script(String service, String state, Map<String, Object> vars, long timeoutSeconds) {
        String s = ShellQuote.quote(service);
        return switch (state) {
            case "status" -> "if systemctl is-active --quiet " + s + "; then echo running; else echo stopped; exit 3; fi";
            case "started" -> "(" + start(s, timeoutSeconds) + ")";
            case "stopped" -> "systemctl stop " + s;
            case "stopping" -> "systemctl stop --no-block " + s;
            default -> "systemctl restart " + s;
        };
    }

    @Override
    public String installed(String service, Map<String, Object> vars) {
        return "systemctl cat -- " + ShellQuote.quote(service) + " >/dev/null 2>&1";
    }

    /** Queues the start, then polls: active, or activating with a main process for 0.3 s, is started; failed is not. */
    private static String start(String s, long timeoutSeconds) {
        return "systemctl start --no-block " + s + " || exit; "
                + "n=0; end=$((SECONDS + " + (Math.max(1, timeoutSeconds) + 1) + ")); while [ $SECONDS -lt $end ]; do "
                + "st=$(systemctl is-active " + s + " 2>/dev/null) || true; "
                + "case $st in "
                + "active) echo started; exit 0 ;; "
                + "failed) echo " + s + " failed to start: journalctl -u " + s + " -n 20 >&2; exit 1 ;; "
                + "activating) if [ \"$(systemctl show -p MainPID --value " + s + ")\" != 0 ]; then n=$((n+1)); "
                + "if [ $n -ge 3 ]; then echo 'started (waiting for its readiness: etcd reports ready once a quorum runs)'; exit 0; fi; fi ;; "
                + "esac; sleep 0.1; done; "
                + "echo " + s + " did not start within " + timeoutSeconds + "s \"(state: $st)\": journalctl -u " + s + " -n 20 >&2; exit 1";
    }
}
