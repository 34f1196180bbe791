package dev.runbook.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The facts both run-report renderers print, worded once: header rows, recovery rows, evidence lines. */
final class RunSummary {
    private RunSummary() {
    }

    /** label -> value, in reading order. */
    static Map<String, String> header(RunRecord r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Run", r.runId() + (r.resumedFrom() != null ? " (resumes " + r.resumedFrom() + ")" : ""));
        m.put("Outcome", r.exitCode() == null ? r.outcome() : r.outcome() + " (exit " + r.exitCode() + ")");
        m.put("Operator", r.operator().isBlank() ? "unknown" : r.operator());
        m.put("Ticket", r.ticket() == null || r.ticket().isBlank() ? "none given (--ticket)" : r.ticket());
        m.put("Started", Instant.ofEpochMilli(r.startMillis()).toString());
        m.put("Duration", r.endMillis() == null ? "unknown (no end record)" : Durations.format(r.endMillis() - r.startMillis()));
        m.put("Runbook", r.runbook() + " (sha256 " + PlanMarkdown.shortHash(r.runbookSha256()) + ")");
        m.put("Inventory", r.inventory() == null ? "none" : r.inventory() + " (sha256 " + PlanMarkdown.shortHash(r.inventorySha256()) + ")");
        return m;
    }

    /** The RTO/RPO rows, empty when the run changed nothing. */
    static Map<String, String> recovery(RunRecord r) {
        Map<String, String> m = new LinkedHashMap<>();
        RunRecord.Recovery rec = r.recovery();
        if (rec == null) {
            return m;
        }
        m.put("Outage began", "step " + rec.firstDestructive() + " at " + Instant.ofEpochMilli(rec.outageStart()));
        m.put("RTO until quorum", rec.rtoQuorumMillis() == null ? "not reached (or no step marked recovery: quorum)" : Durations.format(rec.rtoQuorumMillis()));
        m.put("RTO until all members healthy", rec.rtoHealthyMillis() == null ? "not reached (or no step marked recovery: healthy)"
                : Durations.format(rec.rtoHealthyMillis()));
        if (rec.snapshotTakenAt() != null) {
            Long age = rec.snapshotAgeMillis();
            m.put("RPO (snapshot age at the outage)", (age == null ? "unknown" : Durations.format(age)) + ", snapshot taken " + rec.snapshotTakenAt());
            m.put("Snapshot revision / keys", (rec.snapshotRevision() == null ? "?" : rec.snapshotRevision()) + " / "
                    + (rec.snapshotKeys() == null ? "?" : rec.snapshotKeys()));
        } else {
            m.put("RPO", "unknown: no step registered snapshot metadata (etcd.verify snapshot: with a backup.yml sidecar)");
        }
        return m;
    }

    /** "step on host: {json}" for every registered value, bounded so a huge output cannot swamp the report. */
    static List<String[]> evidence(RunRecord r) {
        List<String[]> out = new ArrayList<>();
        for (RunRecord.StepRun s : r.steps()) {
            for (RunRecord.HostRun h : s.hosts()) {
                h.registered().forEach((name, value) -> {
                    String json = dev.runbook.event.JsonEvents.line(value);
                    out.add(new String[] {s.id(), h.host(), name, json.length() > 2000 ? json.substring(0, 2000) + " ...(cut)" : json});
                });
            }
        }
        return out;
    }
}
