package dev.runbook.action.service;

import dev.runbook.template.ShellQuote;
import java.util.Map;

/** systemd hosts (etcdadm-style etcd.service reading /etc/etcd/etcd.env). */
final class SystemdManager implements ServiceManager {
    @Override
    public String script(String service, String state, Map<String, Object> vars, long timeoutSeconds) {
        String s = ShellQuote.quote(service);
        return switch (state) {
            case "status" -> "if systemctl is-active --quiet " + s + "; then echo running; else echo stopped; exit 3; fi";
            case "started" -> "systemctl start " + s;
            case "stopped" -> "systemctl stop " + s;
            case "stopping" -> "systemctl stop --no-block " + s;
            default -> "systemctl restart " + s;
        };
    }
}
