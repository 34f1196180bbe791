package dev.runbook.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML value that remembers where it was written: the parser's output, read by typed field readers. */
public sealed interface Node permits Node.Scalar, Node.MapNode, Node.ListNode {
    SourceLocation at();

    /** Plain Java value (String/Boolean/Long/List/Map) of this node, for variables and templates. */
    Object toValue();

    /** A scalar; {@code plain} is false when it was quoted or a block scalar, {@code tag} is its resolved YAML type. */
    record Scalar(String text, boolean plain, String tag, SourceLocation at) implements Node {
        @Override
        public Object toValue() {
            if (!plain) {
                return text;
            }
            return switch (tag) {
                // YAML 1.1's booleans, as the parser resolved them: yes/on/true are true (not only "true")
                case "bool" -> java.util.List.of("true", "yes", "y", "on").contains(text.toLowerCase(java.util.Locale.ROOT));
                case "int" -> parseLongOrText(text);
                case "null" -> null;
                default -> text;
            };
        }

        private Object parseLongOrText(String t) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                try {
                    return new java.math.BigInteger(t); // beyond a long, still a number (as Ansible reads it)
                } catch (NumberFormatException notDecimal) {
                    return t; // 0x1f, 0o17, 1_000: YAML 1.1 spellings, kept as written
                }
            }
        }
    }

    /** A mapping with string keys, in file order, each key with its own location. */
    record MapNode(Map<String, Node> entries, Map<String, SourceLocation> keyLocations, SourceLocation at) implements Node {
        @Override
        public Object toValue() {
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach((k, v) -> out.put(k, v.toValue()));
            return out;
        }
    }

    /** A sequence. */
    record ListNode(List<Node> items, SourceLocation at) implements Node {
        @Override
        public Object toValue() {
            return items.stream().map(Node::toValue).toList();
        }
    }
}
