package dev.runbook.drill;

import dev.runbook.error.RunbookException;
import dev.runbook.event.JsonEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A drill's progress on disk ({@code drill.json} in its directory), rewritten atomically after every
 * phase: what it was asked to do, which phases are done, and the runs each phase started. A drill
 * whose engine was killed continues from here ({@code runbook resume DRILL_ID}).
 */
public final class DrillState {
    /** The phases in order; each is done at most once. */
    public enum Phase { KEYS_BEFORE, BACKUP, KEYS_AFTER, INJECT, RECOVERY, VERIFIED }

    private final Path file;
    private final Map<String, Object> data;

    private DrillState(Path file, Map<String, Object> data) {
        this.file = file;
        this.data = data;
    }

    /** A new drill's state with its parameters; written at once. */
    public static DrillState create(Path dir, Map<String, Object> parameters) {
        Map<String, Object> d = new LinkedHashMap<>(parameters);
        d.put("done", new LinkedHashMap<String, Object>());
        d.put("runs", new LinkedHashMap<String, Object>());
        d.put("facts", new LinkedHashMap<String, Object>());
        DrillState s = new DrillState(dir.resolve("drill.json"), d);
        s.save();
        return s;
    }

    /** Reads a drill's state; a missing drill is an input error naming where it looked. */
    @SuppressWarnings("unchecked")
    public static DrillState load(Path dir) {
        Path f = dir.resolve("drill.json");
        if (!Files.isRegularFile(f)) {
            throw RunbookException.invalid(null, "no drill state at " + f, "drill ids are the directory names under " + dir.getParent());
        }
        try {
            return new DrillState(f, JsonEvents.MAPPER.readValue(f.toFile(), LinkedHashMap.class));
        } catch (IOException e) {
            throw RunbookException.invalid(null, "cannot read " + f + ": " + e.getMessage(), null);
        }
    }

    public Path dir() {
        return file.getParent();
    }

    public String string(String key) {
        Object v = data.get(key);
        return v == null ? null : String.valueOf(v);
    }

    public int integer(String key) {
        return ((Number) data.get(key)).intValue();
    }

    public boolean done(Phase p) {
        return section("done").containsKey(p.name());
    }

    public void markDone(Phase p) {
        section("done").put(p.name(), java.time.Instant.now().toString());
        save();
    }

    /** The run a phase started (the newest one, after resumes), or null. */
    public String run(Phase p) {
        Object v = section("runs").get(p.name());
        return v == null ? null : String.valueOf(v);
    }

    public void setRun(Phase p, String runId) {
        section("runs").put(p.name(), runId);
        save();
    }

    public void put(String key, Object value) {
        data.put(key, value);
        save();
    }

    public Object get(String key) {
        return data.get(key);
    }

    /** The report's facts so far, in the order they were found. */
    @SuppressWarnings("unchecked")
    public Map<String, String> facts() {
        Map<String, String> out = new LinkedHashMap<>();
        section("facts").forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    public void fact(String key, String value) {
        section("facts").put(key, value);
        save();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section(String name) {
        return (Map<String, Object>) data.computeIfAbsent(name, k -> new LinkedHashMap<String, Object>());
    }

    private void save() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, JsonEvents.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(data));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
