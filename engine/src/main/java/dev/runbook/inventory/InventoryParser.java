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
    private final Map<String, Object> priorities = new HashMap<>();
    /** group_vars/ and host_vars/ beside the inventory file (null: an inventory given as text). */
    private VarsFiles files;
    /** Each host's variables as declared (before runbook's aliases), for {@code runbook inventory --list}. */
    private final Map<String, Map<String, Object>> listed = new LinkedHashMap<>();
    /** Each group's own hosts and child groups, in file order. */
    private final Map<String, Set<String>> directHosts = new LinkedHashMap<>();
    private final Map<String, Set<String>> children = new LinkedHashMap<>();

    private InventoryParser() {
    }

    /** A parser that reads group_vars/ and host_vars/ beside {@code file}. */
    private InventoryParser(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        this.files = dir == null ? null : new VarsFiles(dir);
    }

    public static Inventory load(Path file) {
        if (java.nio.file.Files.isDirectory(file)) {
            // an inventory directory: every source in it, in name order, merged; group_vars/host_vars beside them
            List<Node> roots = new ArrayList<>();
            StringBuilder shas = new StringBuilder();
            for (Path f : sources(file)) {
                roots.add(root(f));
                shas.append(Hashes.sha256(f));
            }
            if (roots.isEmpty()) {
                throw RunbookException.invalid(null, "inventory directory " + file + " holds no inventory source",
                        "YAML (.yml, .yaml, .json), INI without extension, or executable scripts; .ini, .cfg, .md, .txt ... are skipped as Ansible skips them");
            }
            InventoryParser p = new InventoryParser(file.resolve("inventory"));
            return p.build(file.toString(), Hashes.sha256(shas.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), roots);
        }
        return new InventoryParser(file).build(file.toString(), Hashes.sha256(file), List.of(root(file)));
    }

    /** A YAML inventory given as text (tests, examples); no group_vars/host_vars. */
    public static Inventory parse(String name, String text) {
        return new InventoryParser().build(name, "", List.of(YamlLoader.parse(name, text)));
    }

    /** Ansible's INVENTORY_IGNORE_EXTS and the names it always skips in an inventory directory. */
    private static final List<String> IGNORED_EXTENSIONS = List.of(".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst",
            ".orig", ".ini", ".cfg", ".retry");

    private static List<Path> sources(Path dir) {
        List<Path> out = new ArrayList<>();
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") || List.of("group_vars", "host_vars", "vars_plugins").contains(n)
                        || IGNORED_EXTENSIONS.stream().anyMatch(n::endsWith)) {
                    continue;
                }
                if (java.nio.file.Files.isDirectory(p)) {
                    out.addAll(sources(p));
                } else if (java.nio.file.Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        } catch (java.io.IOException e) {
            throw RunbookException.invalid(null, "cannot read inventory directory " + dir + ": " + e.getMessage(), null);
        }
        return out;
    }

    /** One inventory source as the tree a YAML inventory is: YAML, INI or an executable script, chosen as Ansible chooses. */
    private static Node root(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean yaml = name.endsWith(".yml") || name.endsWith(".yaml") || name.endsWith(".json");
        if (!yaml && !name.endsWith(".ini") && java.nio.file.Files.isExecutable(file) && java.nio.file.Files.isRegularFile(file) && runnable(file)) {
            return ScriptInventory.read(file);
        }
        if (!yaml) {
            String text;
            try {
                text = java.nio.file.Files.readString(file);
            } catch (java.io.IOException e) {
                throw RunbookException.invalid(null, "cannot read inventory " + file + ": " + e.getMessage(), null);
            }
            if (IniInventory.looksLikeIni(text)) {
                return IniInventory.read(file.toString(), text);
            }
        }
        Node root = YamlLoader.load(file);
        if (root instanceof Node.MapNode m && m.entries().containsKey("plugin")) {
            throw RunbookException.invalid(m.keyLocations().get("plugin"), "inventory " + file + " is an Ansible inventory plugin configuration ("
                    + m.entries().get("plugin").toValue() + "): runbook does not run Ansible's plugins",
                    "make a static inventory of it with: ansible-inventory -i " + file + " --list -y > inventory.yml");
        }
        return root;
    }

    /** A script or a binary (#! or ELF), not a static file that merely has the executable bit (as in many repositories). */
    private static boolean runnable(Path file) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return (head.length >= 2 && head[0] == '#' && head[1] == '!') || (head.length == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F');
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private Inventory build(String file, String sha, List<Node> roots) {
        for (Node root : roots) {
            Fields top = new Fields(root, "inventory");
            for (String g : top.keys()) {
                group(g, top.required(g), 0, null);
            }
            top.finish();
        }
        Map<String, Object> all = groupVars.getOrDefault("all", Map.of());
        // the control machine (no groups) sees all's variables, then group_vars/all's
        Map<String, Object> control = merge(files == null ? List.of(all) : List.of(all, files.of("group_vars", "all")), true);
        Map<String, Host> hosts = new LinkedHashMap<>();
        for (String h : hostVars.keySet()) {
            hosts.put(h, host(h, all));
        }
        Map<String, List<String>> flat = new LinkedHashMap<>();
        groups.forEach((g, members) -> flat.put(g, List.copyOf(members)));
        Map<String, Inventory.GroupListing> listing = new LinkedHashMap<>();
        for (String g : groups.keySet()) {
            listing.put(g, new Inventory.GroupListing(List.copyOf(directHosts.getOrDefault(g, Set.of())),
                    List.copyOf(children.getOrDefault(g, Set.of()))));
        }
        return new Inventory(file, sha, hosts, flat, control, new Inventory.Listing(listing, Map.copyOf(listed)));
    }

    private void group(String name, Node node, int depth, String parent) {
        groups.computeIfAbsent(name, k -> new LinkedHashSet<>());
        groupDepth.merge(name, depth, Math::max);
        if (node instanceof Node.Scalar s && s.plain() && s.tag().equals("null")) {
            return;
        }
        Fields f = new Fields(node, "group '" + name + "'");
        f.node("vars").ifPresent(v -> {
            Map<String, Object> vars = varsOf(new Fields(v, "vars of group '" + name + "'"));
            // a group's attribute, not a variable (Ansible sets the group's priority with it)
            Object p = vars.remove("ansible_group_priority");
            if (p != null) {
                priorities.put(name, p);
            }
            groupVars.computeIfAbsent(name, k -> new LinkedHashMap<>()).putAll(vars);
        });
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
                directHosts.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(h);
            }
        });
        f.node("children").ifPresent(cs -> {
            if (cs instanceof Node.Scalar s && s.tag().equals("null")) {
                return;
            }
            Fields cf = new Fields(cs, "children of group '" + name + "'");
            for (String c : cf.keys()) {
                children.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(c);
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
            out.put(k, n.toValue());
        }
        f.allow(f.keys().toArray(String[]::new));
        return out;
    }

    /**
     * A host's variable levels in Ansible's order, least specific first: all, its groups from the
     * shallowest (by depth, then ansible_group_priority, then name), group_vars/all, group_vars of
     * its groups, its own, host_vars.
     */
    private List<Map<String, Object>> levels(String name, Map<String, Object> all) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(all);
        List<String> gs = new ArrayList<>(hostGroups.getOrDefault(name, List.of()));
        gs.remove("all");
        gs.sort(java.util.Comparator.<String>comparingInt(g -> groupDepth.getOrDefault(g, 0)).thenComparingInt(this::priority)
                .thenComparing(g -> g));
        for (String g : gs) {
            out.add(groupVars.getOrDefault(g, Map.of()));
        }
        // then the files beside the inventory: group_vars/all, each group's, the host's own, host_vars
        if (files != null) {
            out.add(files.of("group_vars", "all"));
            for (String g : gs) {
                out.add(files.of("group_vars", g));
            }
        }
        out.add(hostVars.get(name));
        if (files != null) {
            out.add(files.of("host_vars", name));
        }
        return out;
    }

    /** The levels merged, the later winning; with {@code aliases}, each level's Ansible spellings also set runbook's unless that level sets both. */
    private static Map<String, Object> merge(List<Map<String, Object>> levels, boolean aliases) {
        Map<String, Object> vars = new LinkedHashMap<>();
        for (Map<String, Object> level : levels) {
            vars.putAll(level);
            if (aliases) {
                ANSIBLE.forEach((ansible, ours) -> {
                    if (level.containsKey(ansible) && !level.containsKey(ours)) {
                        vars.put(ours, level.get(ansible));
                    }
                });
            }
        }
        return vars;
    }

    private int priority(String group) {
        Object p = priorities.get(group);
        try {
            return p == null ? 1 : Integer.parseInt(String.valueOf(p));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private Host host(String name, Map<String, Object> all) {
        List<Map<String, Object>> levels = levels(name, all);
        listed.put(name, merge(levels, false));
        // runbook's own spellings where a level gives Ansible's: the more specific level wins whichever it uses
        Map<String, Object> vars = merge(levels, true);
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
