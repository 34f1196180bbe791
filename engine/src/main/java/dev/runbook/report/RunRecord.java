package dev.runbook.report;

import dev.runbook.error.RunbookException;
import dev.runbook.journal.JournalReader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record of a run AFTER it happened, read from its journal only (the runbook file may have
 * changed since): who, when, ticket, hashes, each step's outcome per host with timings, the values
 * steps registered (evidence), and for recoveries the RTO and RPO figures.
 *
 * @param recovery null when the run changed nothing (no destructive step started)
 */
public record RunRecord(String runId, String runbook, String runbookSha256, String inventory, String inventorySha256, String operator,
                        String ticket, long startMillis, Long endMillis, Integer exitCode, String outcome, Map<String, Object> inputs,
                        String resumedFrom, List<StepRun> steps, Recovery recovery) {

    /** One step of the run. {@code status} is the step's overall outcome ("running" if the journal ends inside it). */
    public record StepRun(String id, String name, String action, boolean destructive, String recoveryMark, long start, Long end, String status,
                          String msg, List<HostRun> hosts) {
    }

    /** One step on one host: outcome, timing, message, and what it registered. */
    public record HostRun(String host, String status, long start, long millis, int rc, String msg, Map<String, Object> registered) {
    }

    /**
     * Recovery figures. Outage starts at the first destructive step; quorum and healthy are the
     * ends of the steps the runbook marks {@code recovery: quorum|healthy} (null if not reached).
     * RPO comes from the snapshot evidence a step registered ({@code meta.taken_at}, {@code meta.revision}).
     */
    public record Recovery(long outageStart, String firstDestructive, Long quorumAt, Long healthyAt, String snapshotTakenAt,
                           Long snapshotRevision, Long snapshotKeys) {
        /** Milliseconds from the first destructive step until a quorum was back, or null. */
        public Long rtoQuorumMillis() {
            return quorumAt == null ? null : quorumAt - outageStart;
        }

        public Long rtoHealthyMillis() {
            return healthyAt == null ? null : healthyAt - outageStart;
        }

        /** How old the restored snapshot was when the outage started (data written after it is lost), or null. */
        public Long snapshotAgeMillis() {
            if (snapshotTakenAt == null) {
                return null;
            }
            try {
                return outageStart - Instant.parse(snapshotTakenAt).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
    }

    /** Reads {@code runsRoot/<runId>/journal.jsonl}; {@code last} names the newest run. */
    @SuppressWarnings("unchecked")
    public static RunRecord read(Path runsRoot, String runId) {
        if (runId.equals("last")) {
            runId = JournalReader.newest(runsRoot);
            if (runId == null) {
                throw RunbookException.invalid(null, "no runs under " + runsRoot, "run a runbook first");
            }
        }
        List<Map<String, Object>> events = JournalReader.events(runsRoot, runId);
        Map<String, Object> start = null;
        Map<String, Object> end = null;
        Map<String, Map<String, Object>> stepStart = new LinkedHashMap<>();
        Map<String, Map<String, Object>> stepEnd = new LinkedHashMap<>();
        Map<String, List<HostRun>> hosts = new LinkedHashMap<>();
        for (Map<String, Object> e : events) {
            String step = (String) e.get("step");
            switch (String.valueOf(e.get("event"))) {
                case "run_start" -> start = start == null ? e : start;
                case "run_end" -> end = e;
                case "step_start" -> stepStart.putIfAbsent(step, e);
                case "step_end" -> stepEnd.put(step, e);
                case "host_end" -> hosts.computeIfAbsent(step, k -> new ArrayList<>()).add(new HostRun(str(e.get("host")), str(e.get("status")),
                        num(e.get("start")), num(e.get("millis")), (int) num(e.get("rc")), str(e.get("msg")),
                        e.get("registered") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of()));
                default -> { }
            }
        }
        if (start == null) {
            throw RunbookException.invalid(null, "the journal of run " + runId + " has no run_start record", null);
        }
        List<StepRun> steps = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> s : stepStart.entrySet()) {
            Map<String, Object> st = s.getValue();
            Map<String, Object> en = stepEnd.get(s.getKey());
            steps.add(new StepRun(s.getKey(), st.get("name") == null ? s.getKey() : str(st.get("name")), str(st.get("action")),
                    Boolean.TRUE.equals(st.get("destructive")), (String) st.get("recovery"), num(st.get("time")),
                    en == null ? null : num(en.get("time")), en == null ? "running" : str(en.get("status")), en == null ? "" : str(en.get("msg")),
                    hosts.getOrDefault(s.getKey(), List.of())));
        }
        return new RunRecord(str(start.get("run_id")), str(start.get("runbook")), str(start.get("runbook_sha256")), (String) start.get("inventory"),
                (String) start.get("inventory_sha256"), str(start.get("operator")), (String) start.get("ticket"), num(start.get("time")),
                end == null ? null : num(end.get("time")), end == null ? null : (int) num(end.get("exit_code")), end == null ? "the journal ends without an end record (the engine was killed?)" : str(end.get("outcome")),
                start.get("inputs") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of(), (String) start.get("resumed_from"), steps,
                across(runsRoot, (String) start.get("resumed_from"), recovery(steps), 0));
    }

    /**
     * A resumed run's recovery figures count from the outage its first attempt started: the
     * destructive step that opened it is in the earlier run's journal, not in this one.
     */
    private static Recovery across(Path runsRoot, String resumedFrom, Recovery here, int depth) {
        if (resumedFrom == null || depth > 20) {
            return placed(here);
        }
        Recovery earlier;
        try {
            earlier = read(runsRoot, resumedFrom).recovery();
        } catch (RunbookException e) {
            return placed(here); // the earlier journal is gone: this run's own figures are all there is
        }
        if (earlier == null) {
            return placed(here);
        }
        if (here == null) {
            return earlier;
        }
        return new Recovery(earlier.outageStart(), earlier.firstDestructive(),
                earlier.quorumAt() != null ? earlier.quorumAt() : here.quorumAt(),
                earlier.healthyAt() != null ? earlier.healthyAt() : here.healthyAt(),
                earlier.snapshotTakenAt() != null ? earlier.snapshotTakenAt() : here.snapshotTakenAt(),
                earlier.snapshotRevision() != null ? earlier.snapshotRevision() : here.snapshotRevision(),
                earlier.snapshotKeys() != null ? earlier.snapshotKeys() : here.snapshotKeys());
    }

    /**
     * This journal's own figures; null when it has neither a destructive step nor a marked one. A
     * journal with marked steps but no destructive one (a resumed run whose destructive steps all
     * finished in an earlier attempt) gets outage start -1: only {@link #across} can place it.
     */
    /** {@code r}, or null when no outage started in it (marked steps alone are no recovery). */
    private static Recovery placed(Recovery r) {
        return r == null || r.outageStart() < 0 ? null : r;
    }

    private static Recovery recovery(List<StepRun> steps) {
        // the outage begins with the first destructive step not known to have changed nothing: a
        // stop of the API servers on a cluster that has none (every host "ok") is no outage, a
        // step the engine was killed in (no host result yet) may be
        StepRun first = steps.stream().filter(s -> s.destructive() && (s.hosts().isEmpty() || s.hosts().stream()
                .anyMatch(h -> !List.of("ok", "skipped", "not-run").contains(h.status())))).findFirst().orElse(null);
        if (first == null && steps.stream().noneMatch(s -> s.recoveryMark() != null)) {
            return null;
        }
        Long quorum = null;
        Long healthy = null;
        for (StepRun s : steps) {
            boolean passed = s.end() != null && (s.status().equals("ok") || s.status().equals("changed"));
            if (passed && "quorum".equals(s.recoveryMark()) && quorum == null) {
                quorum = s.end();
            }
            if (passed && "healthy".equals(s.recoveryMark()) && healthy == null) {
                healthy = s.end();
            }
        }
        if (healthy != null && quorum == null) {
            quorum = healthy; // all healthy implies a quorum at the latest then
        }
        String taken = null;
        Long revision = null;
        Long keys = null;
        for (StepRun s : steps) {
            for (HostRun h : s.hosts()) {
                for (Object v : h.registered().values()) {
                    if (taken == null && v instanceof Map<?, ?> reg && reg.get("meta") instanceof Map<?, ?> meta && meta.get("taken_at") != null) {
                        taken = String.valueOf(meta.get("taken_at"));
                        revision = meta.get("revision") instanceof Number n ? n.longValue() : null;
                        keys = meta.get("keys") instanceof Number n ? n.longValue() : null;
                    }
                }
            }
        }
        return new Recovery(first == null ? -1 : first.start(), first == null ? null : first.id(), quorum, healthy, taken, revision, keys);
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
