package dev.runbook.drill;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.runbook.event.JsonEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every drill's outcome, one JSON line each in {@code .runbook/drills/history.jsonl}, so trends
 * (RTO over time, per scenario) can be drawn. Append-only; a torn last line is ignored.
 */
public final class DrillHistory {
    private final Path file;

    public DrillHistory(Path file) {
        this.file = file;
    }

    public void append(Map<String, Object> entry) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, JsonEvents.MAPPER.writeValueAsString(entry) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** All entries, oldest first. */
    public List<Map<String, Object>> entries() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            try {
                out.add(JsonEvents.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() { }));
            } catch (IOException torn) {
                // a drill killed while appending: skip its line
            }
        }
        return out;
    }
}
