package dev.runbook.exec;

import dev.runbook.inventory.Host;
import dev.runbook.inventory.Inventory;
import dev.runbook.model.Node;
import dev.runbook.model.Runbook;
import dev.runbook.model.Step;
import dev.runbook.template.Placeholder;
import dev.runbook.template.Templates;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the variable scope of one host, lowest precedence first:
 * inventory vars (all &lt; group &lt; host) &lt; runbook vars &lt; inputs &lt; registered results.
 * Built-ins: {@code inventory_hostname}, {@code host}, {@code groups}, {@code hostvars}, {@code run},
 * {@code group_hosts} (group -> its hosts' variables, in inventory order, for mustache sections).
 * Results registered on {@code control} are visible to every host.
 */
public final class Scopes {
    private final Runbook runbook;
    private final Inventory inventory;
    private final Map<String, Object> inputs;
    private final Map<String, Object> run;
    private final Map<String, Map<String, Object>> registered = new ConcurrentHashMap<>();
    private final Set<String> declared;

    public Scopes(Runbook runbook, Inventory inventory, Map<String, Object> inputs, Map<String, Object> run) {
        this.runbook = runbook;
        this.inventory = inventory;
        this.inputs = inputs;
        this.run = run;
        this.declared = new java.util.HashSet<>();
        for (Step s : runbook.steps()) {
            for (Step one : s.isBlock() ? s.block() : List.of(s)) {
                if (one.register() != null) {
                    declared.add(one.register());
                }
            }
        }
    }

    /** The scopes of an inventory alone (no runbook, inputs or run variables): what its hosts' variables say. */
    public static Scopes of(Inventory inventory) {
        return new Scopes(new Runbook("inventory", "", List.of(), Map.of(), List.of(), "inventory", ""), inventory, Map.of(), Map.of());
    }

    /** The engine's own machine, as a host. */
    public Host control() {
        return inventory.control();
    }

    /** Stores a registered result: under the host, or for everyone when the host is {@code control}. */
    public void register(String host, String name, Object value) {
        registered.computeIfAbsent(host, k -> new ConcurrentHashMap<>()).put(name, value);
    }

    public Map<String, Map<String, Object>> registered() {
        return registered;
    }

    /**
     * The scope of {@code host}. With {@code placeholders}, names that a step will register but
     * has not yet are bound to {@link Placeholder}s (plans and the pre-run render check).
     */
    public Map<String, Object> forHost(Host host, boolean placeholders) {
        Map<String, Object> scope = new HashMap<>(host.vars());
        scope.put("inventory_hostname", host.name());
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("name", host.name());
        h.put("address", host.address());
        h.put("groups", host.groups());
        scope.put("host", h);
        scope.put("groups", inventory.groups());
        scope.put("hostvars", new HostVars());
        scope.put("group_hosts", new GroupHosts());
        scope.put("run", run);
        if (placeholders) {
            for (String d : declared) {
                scope.put(d, new Placeholder(d));
            }
        }
        scope.putAll(inputs);
        Map<String, Object> mine = registered.getOrDefault(host.name(), Map.of());
        Map<String, Object> shared = registered.getOrDefault(Inventory.CONTROL, Map.of());
        scope.putAll(shared);
        scope.putAll(mine);
        // runbook vars may refer to inventory, inputs and registered values; later vars see earlier ones
        for (Map.Entry<String, Node> v : runbook.vars().entrySet()) {
            if (!inputs.containsKey(v.getKey())) {
                scope.put(v.getKey(), render(v.getValue(), scope));
            }
        }
        scope.putAll(inputs);
        scope.putAll(shared);
        scope.putAll(mine);
        return scope;
    }

    private Object render(Node n, Map<String, Object> scope) {
        if (n instanceof Node.Scalar s && s.text().contains("{{")) {
            return Templates.text(s.text(), s.at()).render(scope, "in runbook var");
        }
        if (n instanceof Node.ListNode l) {
            List<Object> out = new ArrayList<>();
            l.items().forEach(i -> out.add(render(i, scope)));
            return out;
        }
        if (n instanceof Node.MapNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> out.put(k, render(v, scope)));
            return out;
        }
        return n.toValue();
    }

    /** {@code {{#group_hosts.etcd}}{{etcd_name}}={{etcd_peer_url}}{{/group_hosts.etcd}}}: each host's vars, built on access. */
    private final class GroupHosts extends AbstractMap<String, Object> {
        @Override
        public Object get(Object key) {
            List<String> names = inventory.groups().get(String.valueOf(key));
            if (names == null) {
                return null;
            }
            HostVars hv = new HostVars();
            List<Object> out = new ArrayList<>();
            for (String n : names) {
                out.add(hv.get(n));
            }
            return out;
        }

        @Override
        public boolean containsKey(Object key) {
            return inventory.groups().containsKey(String.valueOf(key));
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            Map<String, Object> all = new LinkedHashMap<>();
            for (String g : inventory.groups().keySet()) {
                all.put(g, get(g));
            }
            return all.entrySet();
        }
    }

    /** {@code hostvars['etcd-01'].address}: another host's inventory vars and registered results, built on access. */
    private final class HostVars extends AbstractMap<String, Object> {
        @Override
        public Object get(Object key) {
            Host h = inventory.host(String.valueOf(key));
            if (h == null) {
                return null;
            }
            Map<String, Object> m = new HashMap<>(h.vars());
            m.putAll(registered.getOrDefault(h.name(), Map.of()));
            return m;
        }

        @Override
        public boolean containsKey(Object key) {
            return inventory.host(String.valueOf(key)) != null;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            Map<String, Object> all = new LinkedHashMap<>();
            for (String n : inventory.names()) {
                all.put(n, get(n));
            }
            return all.entrySet();
        }
    }
}
