package dev.runbook.exec;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Input;
import dev.runbook.model.Runbook;
import dev.runbook.parse.DidYouMean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the values given with {@code --var}/{@code --vars-file} against the runbook's declared
 * inputs: unknown names (with a suggestion), missing required inputs, types and choices.
 */
public final class InputResolver {
    private InputResolver() {
    }

    /** Typed input values, defaults applied. Every problem is reported at once. */
    public static Map<String, Object> resolve(Runbook rb, Map<String, Object> given) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> names = rb.inputs().stream().map(Input::name).toList();
        List<String> problems = new ArrayList<>();
        for (String k : given.keySet()) {
            if (!names.contains(k)) {
                problems.add("--var " + k + ": the runbook has no input '" + k + "'" + DidYouMean.suffix(k, names));
            }
        }
        for (Input in : rb.inputs()) {
            Object raw = given.containsKey(in.name()) ? given.get(in.name()) : in.defaultValue();
            if (raw == null) {
                if (in.required()) {
                    problems.add("missing required input '" + in.name() + "'" + (in.description().isEmpty() ? "" : " (" + in.description() + ")")
                            + ": pass --var " + in.name() + "=...");
                }
                continue;
            }
            try {
                Object v = convert(in, raw);
                if (!in.choices().isEmpty() && !in.choices().contains(String.valueOf(v))) {
                    problems.add("input '" + in.name() + "' must be one of " + in.choices() + ", not '" + v + "'");
                    continue;
                }
                out.put(in.name(), v);
            } catch (IllegalArgumentException e) {
                problems.add("input '" + in.name() + "': " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw RunbookException.invalid(null, String.join("\n  ", problems),
                    "inputs of " + rb.file() + ": " + (names.isEmpty() ? "(none)" : String.join(", ", names)));
        }
        return out;
    }

    private static Object convert(Input in, Object raw) {
        String s = String.valueOf(raw);
        return switch (in.type()) {
            case "int" -> {
                try {
                    yield raw instanceof Number n ? n.longValue() : Long.parseLong(s.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a whole number, got '" + s + "'");
                }
            }
            case "bool" -> {
                if (raw instanceof Boolean b) {
                    yield b;
                }
                if (s.equals("true") || s.equals("false")) {
                    yield Boolean.parseBoolean(s);
                }
                throw new IllegalArgumentException("expected true or false, got '" + s + "'");
            }
            case "path" -> {
                // a path input names a file on the control machine: relative to where runbook was started
                if (raw instanceof Map || raw instanceof List) {
                    throw new IllegalArgumentException("expected a single path");
                }
                yield s.isEmpty() ? s : java.nio.file.Path.of(s).toAbsolutePath().normalize().toString();
            }
            case "list" -> raw instanceof List<?> l ? l : Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            default -> {
                if (raw instanceof Map || raw instanceof List) {
                    throw new IllegalArgumentException("expected a single value");
                }
                yield s;
            }
        };
    }
}
