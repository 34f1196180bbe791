package dev.runbook.exec;

import dev.runbook.inventory.Host;
import dev.runbook.inventory.HostPattern;
import dev.runbook.inventory.Inventory;
import dev.runbook.model.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Resolves every step's host pattern (intersected with {@code --limit}) once, before anything runs. */
public final class Targets {
    private final Map<String, List<Host>> byStep = new LinkedHashMap<>();

    public Targets(List<Step> steps, Inventory inventory, String limit) {
        List<String> limited = limit == null ? null : HostPattern.select(inventory, limit, null);
        for (Step s : steps) {
            List<Host> hosts = new ArrayList<>();
            if (s.onControl()) {
                hosts.add(inventory.control());
            } else {
                for (String name : HostPattern.select(inventory, s.hosts(), s.hostsAt())) {
                    if (limited == null || limited.contains(name)) {
                        hosts.add(inventory.host(name));
                    }
                }
            }
            byStep.put(s.id(), List.copyOf(hosts));
        }
    }

    public List<Host> of(Step step) {
        return byStep.get(step.id());
    }

    /** Every host some step with a remote action targets (for connecting up front). */
    public List<Host> remoteHosts(List<Step> steps) {
        Map<String, Host> out = new LinkedHashMap<>();
        for (Step s : steps) {
            if (s.action().remote() || (s.rolling() != null && s.rolling().gate() != null)) {
                for (Host h : of(s)) {
                    out.putIfAbsent(h.name(), h);
                }
            }
        }
        return new ArrayList<>(out.values());
    }
}
