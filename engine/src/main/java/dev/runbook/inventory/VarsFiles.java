package dev.runbook.inventory;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.YamlLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Ansible's {@code group_vars/} and {@code host_vars/} beside an inventory: for a name, the file
 * {@code <name>}, {@code <name>.yml}, {@code .yaml} or {@code .json}, or the directory {@code <name>/}
 * whose files (same extensions, hidden and backup files skipped, sorted, recursively) merge in
 * order. YAML only; an error names the file and line.
 */
final class VarsFiles {
    private static final List<String> EXTENSIONS = List.of("", ".yml", ".yaml", ".json");
    private final Path dir;

    VarsFiles(Path dir) {
        this.dir = dir;
    }

    /** The variables for {@code name} under {@code kind} ("group_vars" or "host_vars"); empty when there are none. */
    Map<String, Object> of(String kind, String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        Path base = dir.resolve(kind);
        if (!Files.isDirectory(base)) {
            return out;
        }
        for (String ext : EXTENSIONS) {
            Path p = base.resolve(name + ext);
            if (Files.isRegularFile(p)) {
                out.putAll(read(p));
            } else if (ext.isEmpty() && Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(VarsFiles::wanted).sorted().toList()) {
                        out.putAll(read(f));
                    }
                } catch (IOException e) {
                    throw RunbookException.invalid(null, "cannot read " + p + ": " + e.getMessage(), null);
                }
            }
        }
        return out;
    }

    private static boolean wanted(Path f) {
        String n = f.getFileName().toString();
        if (n.startsWith(".") || n.endsWith("~")) {
            return false;
        }
        int dot = n.lastIndexOf('.');
        return dot < 0 || EXTENSIONS.contains(n.substring(dot));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path f) {
        Node n = YamlLoader.load(f);
        Object v = n.toValue();
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw RunbookException.invalid(n.at(), f + " must be a mapping of variable names to values", null);
        }
        return (Map<String, Object>) m;
    }
}
