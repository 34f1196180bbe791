package dev.runbook.parse;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.model.SourceLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, located reading of one YAML mapping against a schema: every read names its key, wrong
 * types and YAML 1.1 traps ({@code yes}, {@code 0755}) are errors at file:line:col, and
 * {@link #finish()} rejects keys nobody read, with a "did you mean".
 */
public final class Fields {
    private static final Set<String> YAML11_BOOLS = Set.of("y", "n", "yes", "no", "on", "off");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");
    private final Node.MapNode map;
    private final String what;
    private final Set<String> known = new LinkedHashSet<>();

    public Fields(Node node, String what) {
        if (!(node instanceof Node.MapNode m)) {
            throw RunbookException.invalid(node.at(), what + " must be a mapping (key: value lines), not " + kind(node), null);
        }
        this.map = m;
        this.what = what;
    }

    public SourceLocation at() {
        return map.at();
    }

    public SourceLocation at(String key) {
        SourceLocation l = map.keyLocations().get(key);
        return l != null ? l : map.at();
    }

    public boolean has(String key) {
        known.add(key);
        return map.entries().containsKey(key);
    }

    /** Declares keys as allowed without reading them (e.g. the action key chosen elsewhere). */
    public void allow(String... keys) {
        known.addAll(List.of(keys));
    }

    public Set<String> keys() {
        return map.entries().keySet();
    }

    public Optional<Node> node(String key) {
        known.add(key);
        return Optional.ofNullable(map.entries().get(key));
    }

    public Node required(String key) {
        return node(key).orElseThrow(() -> RunbookException.invalid(map.at(), what + " needs '" + key + "'", null));
    }

    public String string(String key) {
        return scalarText(required(key), key);
    }

    public String string(String key, String dflt) {
        return node(key).map(n -> scalarText(n, key)).orElse(dflt);
    }

    public boolean bool(String key, boolean dflt) {
        return node(key).map(n -> bool(n, key)).orElse(dflt);
    }

    public int integer(String key, int dflt, int min) {
        return node(key).map(n -> integer(n, key, min)).orElse(dflt);
    }

    public Duration duration(String key, Duration dflt) {
        return node(key).map(n -> duration(n, key)).orElse(dflt);
    }

    /** An optional value compiled as a text template (no shell quoting), or null when absent. */
    public dev.runbook.template.Template text(String key) {
        return node(key).map(n -> dev.runbook.template.Templates.text(scalarText(n, key), n.at())).orElse(null);
    }

    /** A string or a list of strings, as a list. */
    public List<String> strings(String key) {
        Optional<Node> n = node(key);
        if (n.isEmpty()) {
            return null;
        }
        if (n.get() instanceof Node.ListNode l) {
            List<String> out = new ArrayList<>();
            for (Node item : l.items()) {
                out.add(scalarText(item, key));
            }
            return out;
        }
        return List.of(scalarText(n.get(), key));
    }

    /** Fails on keys that were never read or allowed; call once after reading every field. */
    public void finish() {
        for (Map.Entry<String, SourceLocation> e : map.keyLocations().entrySet()) {
            if (!known.contains(e.getKey())) {
                throw RunbookException.invalid(e.getValue(), "unknown key '" + e.getKey() + "' in " + what
                        + DidYouMean.suffix(e.getKey(), known), "allowed here: " + String.join(", ", known));
            }
        }
    }

    // --- single-node conversions, usable on list items too -------------------------------------

    public static String kind(Node n) {
        return n instanceof Node.MapNode ? "a mapping" : n instanceof Node.ListNode ? "a list" : "a scalar";
    }

    /** The literal text of a scalar; refuses YAML 1.1 look-alikes where a string is meant to be exact. */
    public static String scalarText(Node n, String key) {
        if (!(n instanceof Node.Scalar s)) {
            throw RunbookException.invalid(n.at(), "'" + key + "' must be a single value, not " + kind(n), null);
        }
        if (s.plain() && s.tag().equals("null")) {
            throw RunbookException.invalid(n.at(), "'" + key + "' is empty", "give it a value or remove the key");
        }
        return s.text();
    }

    public static boolean bool(Node n, String key) {
        String t = scalarText(n, key);
        if (n instanceof Node.Scalar s && s.plain() && (t.equals("true") || t.equals("false"))) {
            return Boolean.parseBoolean(t);
        }
        String hint = YAML11_BOOLS.contains(t.toLowerCase())
                ? "'" + t + "' is a boolean only in YAML 1.1 and a string in YAML 1.2; write true or false"
                : "write true or false";
        throw RunbookException.invalid(n.at(), "'" + key + "' must be true or false, not '" + t + "'", hint);
    }

    public static int integer(Node n, String key, int min) {
        String t = scalarText(n, key);
        if (t.length() > 1 && t.startsWith("0") && t.chars().allMatch(Character::isDigit)) {
            throw RunbookException.invalid(n.at(), "'" + key + "': " + t + " has a leading zero",
                    "YAML 1.1 reads it as octal, YAML 1.2 as decimal; write it without the zero");
        }
        try {
            int v = Integer.parseInt(t);
            if (v < min) {
                throw RunbookException.invalid(n.at(), "'" + key + "' must be at least " + min + ", not " + v, null);
            }
            return v;
        } catch (NumberFormatException e) {
            String hint = YAML11_BOOLS.contains(t.toLowerCase()) ? "'" + t + "' is not a number (YAML 1.1 would even read it as a boolean)" : null;
            throw RunbookException.invalid(n.at(), "'" + key + "' must be a whole number, not '" + t + "'", hint);
        }
    }

    /** "500ms", "5s", "2m", "1h" or a bare number of seconds. */
    public static Duration duration(Node n, String key) {
        String t = scalarText(n, key).trim();
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw RunbookException.invalid(n.at(), "'" + key + "' must be a duration like 500ms, 10s, 2m or 1h, not '" + t + "'", null);
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        long millis = (long) (v * switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1000;
        });
        return Duration.ofMillis(millis);
    }

    /** File mode as a quoted octal string ('0644'); an unquoted 0755 is refused as a YAML 1.1 trap. */
    public static String mode(Node n, String key) {
        if (n instanceof Node.Scalar s && s.plain() && s.tag().equals("int")) {
            throw RunbookException.invalid(n.at(), "'" + key + ": " + s.text() + "' is ambiguous: YAML 1.1 reads a leading 0 as octal ("
                    + (s.text().startsWith("0") ? "0" + s.text().replaceFirst("^0+", "") + " = " + safeOctal(s.text()) : s.text()) + ")",
                    "quote file modes: " + key + ": '" + s.text() + "'");
        }
        String t = scalarText(n, key);
        if (!t.matches("0?[0-7]{3,4}")) {
            throw RunbookException.invalid(n.at(), "'" + key + "' must be an octal mode like '0644', not '" + t + "'", null);
        }
        return t;
    }

    private static String safeOctal(String t) {
        try {
            return String.valueOf(Integer.parseInt(t, 8));
        } catch (NumberFormatException e) {
            return "invalid";
        }
    }
}
