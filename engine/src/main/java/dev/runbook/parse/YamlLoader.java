package dev.runbook.parse;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.model.SourceLocation;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Reads one YAML document into a {@link Node} tree where every node keeps its file:line:col.
 * Hostile input is refused here: custom tags, alias bombs, deep nesting, huge files, duplicate keys.
 */
public final class YamlLoader {
    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 64;
    /** Aliases make a small file expand to a huge tree ("billion laughs"); cap what the walker builds. */
    static final int MAX_NODES = 200_000;
    private static final Set<Tag> STANDARD = Set.of(Tag.STR, Tag.INT, Tag.BOOL, Tag.FLOAT, Tag.NULL, Tag.MAP, Tag.SEQ,
            Tag.TIMESTAMP, Tag.BINARY);

    private YamlLoader() {
    }

    /** Loads a file; a missing file or a malformed document is a {@link RunbookException} naming file:line:col. */
    public static Node load(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw RunbookException.invalid(new SourceLocation(file.toString(), 1, 1),
                        "file is larger than " + MAX_BYTES / (1024 * 1024) + " MiB", "a runbook or inventory is never that big; check the path");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw RunbookException.invalid(null, "file not found: " + file, "check the path (relative paths start at the current directory)");
        } catch (IOException e) {
            throw RunbookException.invalid(null, "cannot read " + file + ": " + e.getMessage(), null);
        }
        return parse(file.toString(), text);
    }

    /** Parses YAML text; {@code name} is used in locations. An empty document is an empty mapping. */
    public static Node parse(String name, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(new DumperOptions()),
                new DumperOptions(), options);
        org.yaml.snakeyaml.nodes.Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String hint = "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed quote are the usual causes)";
            if (problem.contains("tag")) {
                hint = "custom and language-specific YAML tags are refused; runbooks use plain YAML values only";
            } else if (problem.contains("aliases")) {
                hint = "anchors/aliases are limited to " + MAX_ALIASES + " to refuse 'billion laughs' documents";
            }
            throw RunbookException.invalid(at(name, m), "malformed YAML: " + problem.trim(), hint);
        } catch (YAMLException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            String hint = msg.contains("aliases") ? "anchors/aliases are limited to " + MAX_ALIASES + " to refuse 'billion laughs' documents"
                    : msg.contains("depth") ? "nesting is limited to " + MAX_DEPTH + " levels" : null;
            throw RunbookException.invalid(new SourceLocation(name, 1, 1), "YAML refused: " + msg.lines().findFirst().orElse(msg), hint);
        }
        if (root == null) {
            return new Node.MapNode(Map.of(), Map.of(), new SourceLocation(name, 1, 1));
        }
        return convert(name, root, 0, new int[1]);
    }

    private static SourceLocation at(String name, Mark m) {
        return m == null ? new SourceLocation(name, 1, 1) : new SourceLocation(name, m.getLine() + 1, m.getColumn() + 1);
    }

    private static Node convert(String name, org.yaml.snakeyaml.nodes.Node n, int depth, int[] count) {
        SourceLocation at = at(name, n.getStartMark());
        if (++count[0] > MAX_NODES) {
            throw RunbookException.invalid(at, "YAML document expands to more than " + MAX_NODES + " values",
                    "aliases (*name) re-use anchored values; a document that multiplies them is refused as an alias bomb");
        }
        if (depth > MAX_DEPTH) {
            throw RunbookException.invalid(at, "YAML nested deeper than " + MAX_DEPTH + " levels", null);
        }
        if (!STANDARD.contains(n.getTag())) {
            throw RunbookException.invalid(at, "custom YAML tag " + n.getTag().getValue() + " is not allowed",
                    "remove the tag; runbooks use plain YAML values only");
        }
        if (n instanceof ScalarNode s) {
            boolean plain = s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
            String tag = n.getTag().getValue().replace(Tag.PREFIX, "");
            return new Node.Scalar(s.getValue(), plain, tag, at);
        }
        if (n instanceof SequenceNode seq) {
            List<Node> items = new ArrayList<>();
            for (org.yaml.snakeyaml.nodes.Node item : seq.getValue()) {
                items.add(convert(name, item, depth + 1, count));
            }
            return new Node.ListNode(List.copyOf(items), at);
        }
        MappingNode map = (MappingNode) n;
        Map<String, Node> entries = new LinkedHashMap<>();
        Map<String, SourceLocation> keys = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            SourceLocation keyAt = at(name, t.getKeyNode().getStartMark());
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw RunbookException.invalid(keyAt, "mapping keys must be plain strings", null);
            }
            if (k.getValue().equals("<<")) {
                throw RunbookException.invalid(keyAt, "YAML merge keys ('<<') are not supported",
                        "write the keys out; for shared settings use vars");
            }
            if (entries.containsKey(k.getValue())) {
                throw RunbookException.invalid(keyAt, "duplicate key '" + k.getValue() + "' (first at line "
                        + keys.get(k.getValue()).line() + ")", "YAML keeps only one of them silently elsewhere; remove one");
            }
            keys.put(k.getValue(), keyAt);
            entries.put(k.getValue(), convert(name, t.getValueNode(), depth + 1, count));
        }
        return new Node.MapNode(entries, keys, at);
    }
}
