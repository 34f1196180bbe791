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
        this(steps, inventory, limit, Map.of());
    }

    /**
     * @param scope variables for host patterns written as templates ({@code hosts: "{{new_member}}"}):
     *     the engine's own scope before the run (inventory vars, runbook vars, inputs)
     */
    public Targets(List<Step> steps, Inventory inventory, String limit, Map<String, Object> scope) {
        List<String> limited = limit == null ? null : HostPattern.select(inventory, limit, null);
        for (Step s : steps) {
            List<Host> hosts = new ArrayList<>();
            String pattern = s.hosts().contains("{{")
                    ? dev.runbook.template.Templates.text(s.hosts(), s.hostsAt()).render(scope, "in 'hosts' of step '" + s.id() + "'")
                    : s.hosts();
            if (pattern.equals(Step.CONTROL)) {
                hosts.add(inventory.control());
            } else {
                for (String name : HostPattern.select(inventory, pattern, s.hostsAt())) {
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
            if (s.remote() || (s.rolling() != null && s.rolling().gate() != null)) {
                for (Host h : of(s)) {
                    out.putIfAbsent(h.name(), h);
                }
            }
        }
        return new ArrayList<>(out.values());
    }
}
