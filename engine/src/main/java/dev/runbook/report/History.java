package dev.runbook.report;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.runbook.event.JsonEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What earlier runs of the same runbook took, read from their journals: the median duration of
 * each step and of the whole run, over successful, non-check runs. A plan shows it as the
 * expected duration; none when the runbook never completed here.
 *
 * @param runs how many journals the medians come from
 * @param stepMillis step id -> median milliseconds from its start to its end
 */
public record History(int runs, long totalMillis, Map<String, Long> stepMillis) {
    /** No earlier run. */
    public static final History NONE = new History(0, 0, Map.of());

    /**
     * Scans {@code runsRoot/<run-id>/journal.jsonl} for completed runs of a runbook file with this
     * file name (wherever it was run from). Unreadable or torn journals are skipped: history is
     * advice, never a reason to fail a plan.
     */
    public static History of(Path runsRoot, Path runbookFile) {
        String runbookName = nameOf(runbookFile.toString());
        if (!Files.isDirectory(runsRoot)) {
            return NONE;
        }
        List<Long> totals = new ArrayList<>();
        Map<String, List<Long>> steps = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(runsRoot)) {
            for (Path dir : dirs.sorted().toList()) {
                read(dir.resolve("journal.jsonl"), runbookName, totals, steps);
            }
        } catch (IOException e) {
            return NONE;
        }
        if (totals.isEmpty()) {
            return NONE;
        }
        Map<String, Long> medians = new TreeMap<>();
        steps.forEach((id, xs) -> medians.put(id, median(xs)));
        return new History(totals.size(), median(totals), medians);
    }

    private static void read(Path journal, String runbookName, List<Long> totals, Map<String, List<Long>> steps) {
        if (!Files.isRegularFile(journal)) {
            return;
        }
        Map<String, Long> started = new HashMap<>();
        Map<String, Long> took = new HashMap<>();
        boolean mine = false;
        Long total = null;
        // the first line (run_start) decides; other runbooks' journals are not read further
        try (java.io.BufferedReader in = Files.newBufferedReader(journal)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Map<String, Object> e;
                try {
                    e = JsonEvents.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() { });
                } catch (IOException torn) {
                    return;
                }
                long time = e.get("time") instanceof Number n ? n.longValue() : 0;
                switch (String.valueOf(e.get("event"))) {
                    case "run_start" -> {
                        mine = !Boolean.TRUE.equals(e.get("check")) && e.get("resumed_from") == null
                                && runbookName.equals(nameOf(String.valueOf(e.get("runbook"))));
                        if (!mine) {
                            return;
                        }
                    }
                    case "step_start" -> started.put(String.valueOf(e.get("step")), time);
                    case "step_end" -> {
                        Long s = started.get(String.valueOf(e.get("step")));
                        if (s != null) {
                            took.put(String.valueOf(e.get("step")), time - s);
                        }
                    }
                    case "run_end" -> {
                        if (e.get("exit_code") instanceof Number c && c.intValue() == 0 && e.get("millis") instanceof Number m) {
                            total = m.longValue();
                        }
                    }
                    default -> { }
                }
            }
        } catch (IOException e) {
            return;
        }
        if (mine && total != null) {
            totals.add(total);
            took.forEach((id, ms) -> steps.computeIfAbsent(id, k -> new ArrayList<>()).add(ms));
        }
    }

    /** Journals record the runbook's file; its name is the file name without .yml/.yaml. */
    static String nameOf(String file) {
        String base = Path.of(file).getFileName().toString();
        return base.replaceFirst("\\.ya?ml$", "");
    }

    private static long median(List<Long> xs) {
        List<Long> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
