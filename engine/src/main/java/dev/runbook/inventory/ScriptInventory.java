package dev.runbook.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.model.SourceLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An executable inventory (a dynamic inventory script), run as Ansible runs it: {@code FILE --list}
 * prints JSON groups ({@code {"g": ["h1"]}} or {@code {"g": {"hosts": [...], "vars": {...},
 * "children": [...]}}}) and {@code _meta.hostvars}; without {@code _meta}, {@code FILE --host H}
 * once per host. Read into the tree a YAML inventory is.
 */
final class ScriptInventory {
    private static final int TIMEOUT_SECONDS = 120;

    private ScriptInventory() {
    }

    static Node read(Path file) {
        SourceLocation at = new SourceLocation(file.toString(), 1, 1);
        JsonNode list = run(file, at, "--list");
        GroupTree tree = new GroupTree();
        tree.group("all", at);
        tree.group("ungrouped", at);
        JsonNode meta = list.path("_meta").path("hostvars");
        Map<String, Map<String, Object>> hostvars = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("_meta")) {
                continue;
            }
            GroupTree.Group g = tree.group(e.getKey(), at);
            JsonNode v = e.getValue();
            JsonNode hosts = v.isArray() ? v : v.path("hosts");
            for (JsonNode h : hosts) {
                g.hosts.computeIfAbsent(h.asText(), k -> new LinkedHashMap<>());
                g.hostAt.putIfAbsent(h.asText(), at);
            }
            if (v.isObject()) {
                value(v.path("vars")).forEach((k, x) -> {
                    g.vars.put(k, x);
                    g.varAt.put(k, at);
                });
                for (JsonNode c : v.path("children")) {
                    tree.group(c.asText(), at);
                    tree.child(e.getKey(), c.asText(), at);
                }
            }
        }
        for (GroupTree.Group g : List.copyOf(tree.groups.values())) {
            for (String h : g.hosts.keySet()) {
                Map<String, Object> vars = hostvars.computeIfAbsent(h, k -> meta.isMissingNode() ? value(run(file, at, "--host", k)) : value(meta.path(k)));
                g.hosts.get(h).putAll(vars);
            }
        }
        return tree.tree();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> value(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return Map.of();
        }
        Object v = dev.runbook.event.JsonEvents.MAPPER.convertValue(n, Object.class);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static JsonNode run(Path file, SourceLocation at, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(file.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw RunbookException.invalid(at, "inventory script " + file + " " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + "s", null);
            }
            if (p.exitValue() != 0) {
                throw RunbookException.invalid(at, "inventory script " + file + " " + String.join(" ", args) + " failed (exit " + p.exitValue() + "): "
                        + new String(err.join(), StandardCharsets.UTF_8).strip(), "run it by hand to see why");
            }
            return dev.runbook.event.JsonEvents.MAPPER.readTree(out);
        } catch (IOException e) {
            throw RunbookException.invalid(at, "inventory script " + file + " " + String.join(" ", args) + ": " + e.getMessage(),
                    "it must print JSON (the groups, and _meta.hostvars), as Ansible's dynamic inventories do");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RunbookException.invalid(at, "interrupted while running inventory script " + file, null);
        }
    }
}
