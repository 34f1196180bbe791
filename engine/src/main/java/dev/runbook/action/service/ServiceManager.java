package dev.runbook.action.service;

import java.util.Map;

/**
 * Turns "start/stop/restart/status service X" into the shell script that does it on one kind of
 * host. Contract of the scripts: exit 0 on success; for {@code status}, exit 0 when running and
 * 3 when stopped (LSB), anything else is an error. {@code stopped} returns only once the process is gone;
 * {@code stopping} returns as soon as the stop is under way (the process may still be ending, e.g.
 * etcd draining its peers for up to a second), and a later {@code stopped} waits for the exit.
 */
public interface ServiceManager {
    String script(String service, String state, Map<String, Object> hostVars, long timeoutSeconds);

    /**
     * A shell condition, true when this host has {@code service} at all (a unit, a manifest in the
     * manifests dir or its stash, an init script): for services only some hosts run, such as an
     * API server beside etcd. It may print an error and exit non-zero when the host's set-up is not
     * what the inventory says (a manifests dir that does not exist).
     */
    String installed(String service, Map<String, Object> hostVars);

    /** The manager for a host's {@code service_manager} variable (systemd, static-pod, script). */
    static ServiceManager of(String kind) {
        return switch (kind) {
            case "systemd" -> new SystemdManager();
            case "static-pod" -> new StaticPodManager();
            case "script" -> new ScriptManager();
            default -> null;
        };
    }

    java.util.List<String> KINDS = java.util.List.of("systemd", "static-pod", "script");
}
