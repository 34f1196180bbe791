package dev.runbook.journal;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.runbook.error.RunbookException;
import dev.runbook.event.JsonEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a run's journal back: how it was started, which steps completed on all their hosts, and
 * what they registered per host (so a resumed run sees the same values).
 */
public final class JournalReader {
    private final String runId;
    private final Map<String, Object> start;
    private final Set<String> completedSteps = new LinkedHashSet<>();
    private final Map<String, Map<String, Object>> registeredByHost = new HashMap<>();
    private final Map<String, Object> end;

    private JournalReader(String runId, Map<String, Object> start, Map<String, Object> end) {
        this.runId = runId;
        this.start = start;
        this.end = end;
    }

    @SuppressWarnings("unchecked")
    public static JournalReader read(Path runsRoot, String runId) {
        Path file = runsRoot.resolve(runId).resolve(Journal.FILE);
        List<Map<String, Object>> events = events(runsRoot, runId);
        Map<String, Object> start = events.stream().filter(e -> "run_start".equals(e.get("event"))).findFirst()
                .orElseThrow(() -> RunbookException.invalid(null, "journal " + file + " has no run_start record", null));
        Map<String, Object> end = events.stream().filter(e -> "run_end".equals(e.get("event"))).reduce((a, b) -> b).orElse(null);
        JournalReader r = new JournalReader(runId, start, end);
        return r.collect(events);
    }

    /**
     * The newest run id under {@code runsRoot} by the start time its journal records (ids name the
     * second only, so two runs in the same second would sort by their random suffix), or null.
     */
    public static String newest(Path runsRoot) {
        List<String> ids = newestFirst(runsRoot);
        return ids.isEmpty() ? null : ids.get(0);
    }

    /** Every run id under {@code runsRoot}, newest first by the start time its journal records. */
    public static List<String> newestFirst(Path runsRoot) {
        try (var dirs = Files.list(runsRoot)) {
            // each journal's first line is read once, not once per comparison
            Map<String, Long> started = new HashMap<>();
            dirs.filter(d -> Files.isRegularFile(d.resolve(Journal.FILE)))
                    .forEach(d -> started.put(d.getFileName().toString(), startedAt(runsRoot, d.getFileName().toString())));
            return started.keySet().stream()
                    .sorted(java.util.Comparator.comparingLong((String id) -> started.get(id)).thenComparing(id -> id).reversed())
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The newest run that really ran: runs refused by the run lock (nothing ran) are passed over,
     * so a second engineer's refused attempt does not hide the run that holds the lock. Null when none.
     */
    public static String newestAttempt(Path runsRoot) {
        for (String id : newestFirst(runsRoot)) {
            try {
                Map<String, Object> end = read(runsRoot, id).end();
                if (end == null || !Integer.valueOf(dev.runbook.error.ExitCode.LOCKED.code).equals(end.get("exit_code"))) {
                    return id;
                }
            } catch (RuntimeException e) {
                // an unreadable journal is not a candidate
            }
        }
        return null;
    }

    /** When a run started (its journal's run_start time), or 0. */
    public static long startedAt(Path runsRoot, String runId) {
        Object t = startRecord(runsRoot, runId).get("time");
        return t instanceof Number n ? n.longValue() : 0;
    }

    /** A run's run_start record from its journal's first line alone (cheap for scans); empty when unreadable. */
    public static Map<String, Object> startRecord(Path runsRoot, String runId) {
        try (var lines = Files.lines(runsRoot.resolve(runId).resolve(Journal.FILE))) {
            return JsonEvents.MAPPER.readValue(lines.findFirst().orElse("{}"), new TypeReference<Map<String, Object>>() { });
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /**
     * A run's journal events in order; a line torn by a killed engine ends them (what came before
     * it is still the record).
     */
    public static List<Map<String, Object>> events(Path runsRoot, String runId) {
        Path file = runsRoot.resolve(runId).resolve(Journal.FILE);
        if (!Files.isRegularFile(file)) {
            throw RunbookException.invalid(null, "no journal for run '" + runId + "' (looked for " + file + ")",
                    "run ids are the directory names under " + runsRoot + "; 'last' is the newest");
        }
        List<Map<String, Object>> events = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    events.add(JsonEvents.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() { }));
                } catch (IOException torn) {
                    break; // a line torn by a killed engine ends the usable journal
                }
            }
        } catch (IOException e) {
            throw RunbookException.invalid(null, "cannot read " + file + ": " + e.getMessage(), null);
        }
        return events;
    }

    @SuppressWarnings("unchecked")
    private JournalReader collect(List<Map<String, Object>> events) {
        JournalReader r = this;
        Map<String, Map<String, Map<String, Object>>> pendingRegistered = new HashMap<>();
        for (Map<String, Object> e : events) {
            String step = (String) e.get("step");
            switch (String.valueOf(e.get("event"))) {
                case "host_end" -> {
                    if (e.get("registered") instanceof Map<?, ?> reg) {
                        pendingRegistered.computeIfAbsent(step, k -> new HashMap<>()).put((String) e.get("host"), (Map<String, Object>) reg);
                    }
                }
                case "step_end" -> {
                    String status = String.valueOf(e.get("status"));
                    if (status.equals("ok") || status.equals("changed") || status.equals("skipped")) {
                        r.completedSteps.add(step);
                        // a block's sub-steps ("block.sub") register under their own ids
                        pendingRegistered.forEach((id, byHost) -> {
                            if (id.equals(step) || id.startsWith(step + ".")) {
                                byHost.forEach((host, reg) -> r.registeredByHost.computeIfAbsent(host, k -> new HashMap<>()).putAll(reg));
                            }
                        });
                    }
                }
                default -> { }
            }
        }
        return r;
    }

    public String runId() {
        return runId;
    }

    public Map<String, Object> start() {
        return start;
    }

    /** The run_end record, or null when the engine died before writing it. */
    public Map<String, Object> end() {
        return end;
    }

    public Set<String> completedSteps() {
        return completedSteps;
    }

    /** host name ("control" for control steps) -> register name -> value. */
    public Map<String, Map<String, Object>> registeredByHost() {
        return registeredByHost;
    }
}
