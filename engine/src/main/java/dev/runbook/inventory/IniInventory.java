package dev.runbook.inventory;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.model.SourceLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an Ansible INI inventory as Ansible's ini plugin does, into the tree a YAML inventory
 * makes ({@code all: {vars, hosts, children: {...}}}), every key with its file:line:col:
 * {@code [group]} host lines ({@code name[:port] key=value ...}, shell-quoted, host ranges),
 * {@code [group:vars]} ({@code key=value} per line), {@code [group:children]}, hosts before any
 * section in {@code ungrouped}, values read as Python literals ({@link PythonLiteral}). Errors
 * name the file and line: an unknown section type, a host variable without {@code =}, a range
 * that does not parse, a group used as a child or given vars but never defined, a cycle.
 */
final class IniInventory {
    private static final Pattern SECTION = Pattern.compile("^\\[([^:\\]\\s]+)(?::(\\w+))?\\]\\s*(?:#.*)?$");
    private static final Pattern GROUP_NAME = Pattern.compile("^([^:\\]\\s]+)\\s*(?:#.*)?$");

    private final String file;
    private final GroupTree tree = new GroupTree();
    private final Map<String, GroupTree.Group> groups = tree.groups;
    /** Groups named as a child or given vars before (or without) being defined: name -> where. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();

    private record Pending(String state, SourceLocation at, List<String> parents) {
    }

    private IniInventory(String file) {
        this.file = file;
        tree.group("all", at(1, 1));
        tree.group("ungrouped", at(1, 1));
    }

    /** The inventory tree of INI {@code text} read from {@code file}. */
    static Node read(String file, String text) {
        return new IniInventory(file).parse(text);
    }

    /** True when {@code text} reads as INI rather than YAML: its first meaningful line is a [section] or a host line. */
    static boolean looksLikeIni(String text) {
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.equals("---") || line.contains(": ") || line.endsWith(":") || line.startsWith("{")) {
                return false;
            }
            return true;
        }
        return false;
    }

    private SourceLocation at(int line, int col) {
        return new SourceLocation(file, line, col);
    }

    private Node parse(String text) {
        String[] lines = text.split("\n", -1);
        String group = "ungrouped";
        String state = "hosts";
        for (int n = 1; n <= lines.length; n++) {
            String raw = lines[n - 1];
            String line = raw.strip();
            int col = raw.indexOf(line.isEmpty() ? " " : line.substring(0, 1)) + 1;
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
                continue;
            }
            Matcher m = SECTION.matcher(line);
            if (m.matches()) {
                group = m.group(1);
                state = m.group(2) == null ? "hosts" : m.group(2);
                if (!List.of("hosts", "children", "vars").contains(state)) {
                    throw RunbookException.invalid(at(n, col), "section [" + group + ":" + state + "] has unknown type: " + state,
                            "a section is [group], [group:vars] or [group:children]");
                }
                if (!groups.containsKey(group)) {
                    if (state.equals("vars") && !pending.containsKey(group)) {
                        pending.put(group, new Pending("vars", at(n, col), new ArrayList<>()));
                    }
                    tree.group(group, at(n, col));
                }
                Pending p = pending.get(group);
                if (p != null && !state.equals("vars")) {
                    if (p.state().equals("children")) {
                        addPendingChildren(group);
                    } else {
                        pending.remove(group);
                    }
                }
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                throw RunbookException.invalid(at(n, col), "invalid section entry: '" + line + "'",
                        "a section name has no spaces: [group], [group:vars], [group:children]");
            }
            switch (state) {
                case "hosts" -> hostLine(groups.get(group), line, n, col);
                case "vars" -> {
                    int eq = line.indexOf('=');
                    if (eq < 0) {
                        throw RunbookException.invalid(at(n, col), "expected key=value in [" + group + ":vars], got: " + line, null);
                    }
                    GroupTree.Group g = groups.get(group);
                    String k = line.substring(0, eq).strip();
                    g.vars.put(k, PythonLiteral.value(line.substring(eq + 1).strip()));
                    g.varAt.put(k, at(n, col));
                }
                default -> {
                    Matcher gm = GROUP_NAME.matcher(line);
                    if (!gm.matches()) {
                        throw RunbookException.invalid(at(n, col), "expected a group name in [" + group + ":children], got: " + line, null);
                    }
                    String child = gm.group(1);
                    if (!groups.containsKey(child)) {
                        SourceLocation where = at(n, col);
                        pending.computeIfAbsent(child, k -> new Pending("children", where, new ArrayList<>())).parents().add(group);
                    } else {
                        addChild(group, child, at(n, col));
                    }
                }
            }
        }
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            if (p.state().equals("vars")) {
                throw RunbookException.invalid(p.at(), "section [" + e.getKey() + ":vars] is for a group that is never defined",
                        "define the group with [" + e.getKey() + "] or list it in a [parent:children] section");
            }
            throw RunbookException.invalid(p.at(), "[" + p.parents().get(p.parents().size() - 1) + ":children] includes the undefined group " + e.getKey(),
                    "define it with a [" + e.getKey() + "] section (it may be empty)");
        }
        return tree.tree();
    }

    private void addPendingChildren(String group) {
        Pending p = pending.remove(group);
        for (String parent : p.parents()) {
            addChild(parent, group, p.at());
            Pending pp = pending.get(parent);
            if (pp != null && pp.state().equals("children")) {
                addPendingChildren(parent);
            }
        }
    }

    private void addChild(String parent, String child, SourceLocation where) {
        tree.child(parent, child, where);
    }

    private void hostLine(GroupTree.Group g, String line, int n, int col) {
        List<String> tokens;
        try {
            tokens = shlexSplit(line);
        } catch (IllegalArgumentException e) {
            throw RunbookException.invalid(at(n, col), "cannot read the host line '" + line + "': " + e.getMessage(), null);
        }
        if (tokens.isEmpty()) {
            return;
        }
        String pattern = tokens.get(0);
        Long port = null;
        // name:port (not an IPv6 address, which has several colons; a range's colons sit inside [])
        String outside = pattern.replaceAll("\\[[^\\]]*\\]", "");
        if (outside.indexOf(':') >= 0 && outside.indexOf(':') == outside.lastIndexOf(':')) {
            int c = pattern.lastIndexOf(':');
            String p = pattern.substring(c + 1);
            if (p.matches("[0-9]+")) {
                port = Long.parseLong(p);
                pattern = pattern.substring(0, c);
            } else if (p.isEmpty()) {
                throw RunbookException.invalid(at(n, col), "invalid host pattern '" + tokens.get(0) + "': ending in ':' is not allowed",
                        "a ':' after a host name gives its port: host:2222");
            }
        }
        List<String> names;
        try {
            names = HostRange.expand(pattern);
        } catch (IllegalArgumentException e) {
            throw RunbookException.invalid(at(n, col), "host range '" + pattern + "': " + e.getMessage(),
                    "ranges are [01:03] (zero padded), [a:c] or [1:10:2] (a step)");
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        for (String t : tokens.subList(1, tokens.size())) {
            int eq = t.indexOf('=');
            if (eq < 0) {
                throw RunbookException.invalid(at(n, col), "expected key=value host variable assignment, got: " + t,
                        "host variables are key=value after the host name; quote values with spaces");
            }
            vars.put(t.substring(0, eq), PythonLiteral.value(t.substring(eq + 1)));
        }
        if (port != null) {
            vars.put("ansible_port", port);
        }
        for (String name : names) {
            g.hosts.computeIfAbsent(name, k -> new LinkedHashMap<>()).putAll(vars);
            g.hostAt.putIfAbsent(name, at(n, col));
        }
    }

    /** Python's shlex.split(line, comments=True): POSIX quoting, a # outside quotes ends the line. */
    static List<String> shlexSplit(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder tok = null;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '#') {
                break;
            }
            if (Character.isWhitespace(c)) {
                if (tok != null) {
                    out.add(tok.toString());
                    tok = null;
                }
                i++;
                continue;
            }
            if (tok == null) {
                tok = new StringBuilder();
            }
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("no closing quotation");
                }
                tok.append(line, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException("no closing quotation");
                    }
                    char d = line.charAt(i);
                    if (d == '"') {
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                        tok.append(line.charAt(i + 1));
                        i += 2;
                        continue;
                    }
                    tok.append(d);
                    i++;
                }
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("no escaped character");
                }
                tok.append(line.charAt(i + 1));
                i += 2;
            } else {
                tok.append(c);
                i++;
            }
        }
        if (tok != null) {
            out.add(tok.toString());
        }
        return out;
    }

}
