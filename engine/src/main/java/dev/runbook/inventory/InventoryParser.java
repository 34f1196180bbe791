package dev.runbook.inventory;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.model.SourceLocation;
import dev.runbook.parse.Fields;
import dev.runbook.parse.Hashes;
import dev.runbook.parse.YamlLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Ansible-compatible YAML inventory ({@code all:}/{@code children:}/{@code hosts:}/{@code vars:}).
 * Connection settings come from {@code address port user identity_file connection known_hosts become}
 * or their Ansible spellings, so an existing Ansible inventory works unchanged.
 */
public final class InventoryParser {
    private static final Map<String, String> ANSIBLE = Map.of(
            "ansible_host", "address", "ansible_port", "port", "ansible_user", "user",
            "ansible_ssh_private_key_file", "identity_file", "ansible_connection", "connection",
            "ansible_become", "become", "ansible_become_method", "become_method");

    private final Map<String, Map<String, Object>> hostVars = new LinkedHashMap<>();
    private final Map<String, SourceLocation> hostAt = new LinkedHashMap<>();
    private final Map<String, List<String>> hostGroups = new HashMap<>();
    private final Map<String, Set<String>> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> groupVars = new HashMap<>();
    private final Map<String, Integer> groupDepth = new HashMap<>();

    private InventoryParser() {
    }

    public static Inventory load(Path file) {
        Node root = YamlLoader.load(file);
        return new InventoryParser().build(file.toString(), Hashes.sha256(file), root);
    }

    public static Inventory parse(String name, String text) {
        return new InventoryParser().build(name, "", YamlLoader.parse(name, text));
    }

    private Inventory build(String file, String sha, Node root) {
        Fields top = new Fields(root, "inventory");
        for (String g : top.keys()) {
            group(g, top.required(g), 0, null);
        }
        top.finish();
        Map<String, Object> all = groupVars.getOrDefault("all", Map.of());
        Map<String, Host> hosts = new LinkedHashMap<>();
        for (String h : hostVars.keySet()) {
            hosts.put(h, host(h, all));
        }
        Map<String, List<String>> flat = new LinkedHashMap<>();
        groups.forEach((g, members) -> flat.put(g, List.copyOf(members)));
        return new Inventory(file, sha, hosts, flat, all);
    }

    private void group(String name, Node node, int depth, String parent) {
        groups.computeIfAbsent(name, k -> new LinkedHashSet<>());
        groupDepth.merge(name, depth, Math::max);
        if (node instanceof Node.Scalar s && s.plain() && s.tag().equals("null")) {
            return;
        }
        Fields f = new Fields(node, "group '" + name + "'");
        f.node("vars").ifPresent(v -> groupVars.computeIfAbsent(name, k -> new LinkedHashMap<>())
                .putAll(varsOf(new Fields(v, "vars of group '" + name + "'"))));
        f.node("hosts").ifPresent(hs -> {
            if (hs instanceof Node.Scalar s && s.tag().equals("null")) {
                return;
            }
            Fields hf = new Fields(hs, "hosts of group '" + name + "'");
            for (String h : hf.keys()) {
                Node hn = hf.required(h);
                hostAt.putIfAbsent(h, hf.at(h));
                Map<String, Object> vars = hostVars.computeIfAbsent(h, k -> new LinkedHashMap<>());
                if (!(hn instanceof Node.Scalar s && s.tag().equals("null"))) {
                    vars.putAll(varsOf(new Fields(hn, "host '" + h + "'")));
                }
                addMember(name, h);
            }
        });
        f.node("children").ifPresent(cs -> {
            if (cs instanceof Node.Scalar s && s.tag().equals("null")) {
                return;
            }
            Fields cf = new Fields(cs, "children of group '" + name + "'");
            for (String c : cf.keys()) {
                group(c, cf.required(c), depth + 1, name);
                for (String h : groups.get(c)) {
                    addMember(name, h);
                }
            }
        });
        f.finish();
        if (parent != null) {
            for (String h : groups.get(name)) {
                addMember(parent, h);
            }
        }
    }

    private void addMember(String group, String host) {
        groups.computeIfAbsent(group, k -> new LinkedHashSet<>()).add(host);
        List<String> gs = hostGroups.computeIfAbsent(host, k -> new ArrayList<>());
        if (!gs.contains(group)) {
            gs.add(group);
        }
    }

    private static Map<String, Object> varsOf(Fields f) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : f.keys()) {
            Node n = f.required(k);
            out.put(ANSIBLE.getOrDefault(k, k), n.toValue());
        }
        f.allow(f.keys().toArray(String[]::new));
        return out;
    }

    private Host host(String name, Map<String, Object> all) {
        Map<String, Object> vars = new LinkedHashMap<>(all);
        List<String> gs = new ArrayList<>(hostGroups.getOrDefault(name, List.of()));
        gs.remove("all");
        // less specific (shallower) groups first, so deeper groups and then the host override them
        gs.sort((a, b) -> Integer.compare(groupDepth.getOrDefault(a, 0), groupDepth.getOrDefault(b, 0)));
        for (String g : gs) {
            vars.putAll(groupVars.getOrDefault(g, Map.of()));
        }
        vars.putAll(hostVars.get(name));
        SourceLocation at = hostAt.get(name);
        String address = str(vars, "address", name);
        int port;
        try {
            port = Integer.parseInt(str(vars, "port", "22"));
        } catch (NumberFormatException e) {
            throw RunbookException.invalid(at, "host '" + name + "': port must be a number, not '" + vars.get("port") + "'", null);
        }
        String connection = str(vars, "connection", "ssh");
        if (connection.equals("smart") || connection.equals("paramiko")) {
            connection = "ssh";
        }
        if (!connection.equals("ssh") && !connection.equals("local")) {
            throw RunbookException.invalid(at, "host '" + name + "': connection must be ssh or local, not '" + connection + "'", null);
        }
        String become = null;
        Object b = vars.get("become");
        if (b != null && List.of("true", "yes", "on", "1", "sudo").contains(String.valueOf(b).toLowerCase(java.util.Locale.ROOT))) {
            become = "sudo";
        }
        Object method = vars.get("become_method");
        if (become != null && method != null && !"sudo".equals(String.valueOf(method))) {
            throw RunbookException.invalid(at, "host '" + name + "': become_method '" + method + "' is not supported",
                    "runbook becomes root through sudo only (ansible_become_method: sudo, the default)");
        }
        vars.put("inventory_hostname", name);
        vars.put("address", address);
        return new Host(name, address, port, str(vars, "user", System.getProperty("user.name")), str(vars, "identity_file", null),
                str(vars, "known_hosts", null), connection, become, vars, List.copyOf(hostGroups.getOrDefault(name, List.of())), at);
    }

    private static String str(Map<String, Object> vars, String key, String dflt) {
        Object v = vars.get(key);
        return v == null ? dflt : String.valueOf(v);
    }
}
