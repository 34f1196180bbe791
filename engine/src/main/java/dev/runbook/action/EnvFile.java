package dev.runbook.action;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Edits KEY=VALUE files (systemd EnvironmentFile, /etc/etcd/etcd.env) line by line, keeping
 * comments, order and untouched lines exactly as they were.
 */
public final class EnvFile {
    private EnvFile() {
    }

    public static String edit(String text, Map<String, String> set, Set<String> unset) {
        List<String> out = new ArrayList<>();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (String line : text.split("\n", -1)) {
            String key = keyOf(line);
            if (key != null && unset.contains(key)) {
                continue;
            }
            if (key != null && set.containsKey(key)) {
                if (done.add(key)) {
                    out.add(key + "=" + quote(set.get(key)));
                }
                continue; // a duplicate definition of a key we set would silently win: drop it
            }
            out.add(line);
        }
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        for (Map.Entry<String, String> e : set.entrySet()) {
            if (!done.contains(e.getKey())) {
                out.add(e.getKey() + "=" + quote(e.getValue()));
            }
        }
        return String.join("\n", out) + "\n";
    }

    /** The value of a key, unquoted, or null. */
    public static String get(String text, String key) {
        String found = null;
        for (String line : text.split("\n")) {
            if (key.equals(keyOf(line))) {
                String v = line.substring(line.indexOf('=') + 1).trim();
                if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                    v = v.substring(1, v.length() - 1);
                }
                found = v;
            }
        }
        return found;
    }

    private static String keyOf(String line) {
        String t = line.strip();
        if (t.startsWith("export ")) {
            t = t.substring(7).strip();
        }
        int eq = t.indexOf('=');
        if (t.startsWith("#") || eq <= 0) {
            return null;
        }
        String k = t.substring(0, eq).strip();
        return k.matches("[A-Za-z_][A-Za-z0-9_]*") ? k : null;
    }

    private static String quote(String v) {
        if (v.matches("[A-Za-z0-9_@%+=:,./-]*")) {
            return v;
        }
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + "\"";
    }
}
