package dev.runbook.template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A bash program kept as a {@code .bash} resource beside the class that sends it (so shellcheck
 * reads it in CI), loaded without its comment and blank lines: they would travel to every host.
 */
public final class ShellScript {
    private ShellScript() {
    }

    /**
     * The resource {@code name} next to {@code owner}, comment-only and blank lines removed. The
     * programs kept this way have no here-document or multi-line string in which a line starting
     * with {@code #} would be data.
     */
    public static String load(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the engine's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#"))
                    .collect(Collectors.joining("\n", "", "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What these programs print for the engine: {@code key=value} lines (other lines ignored; a later key wins). */
    public static Map<String, String> keyValues(String stdout) {
        Map<String, String> out = new LinkedHashMap<>();
        stdout.lines().forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0) {
                out.put(l.substring(0, eq), l.substring(eq + 1));
            }
        });
        return out;
    }
}
