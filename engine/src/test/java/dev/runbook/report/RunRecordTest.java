package dev.runbook.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run report from a journal: recovery figures, per-host outcomes, evidence, torn journals. */
class RunRecordTest {
    static final long T = 1_800_000_000_000L;

    @TempDir
    Path runs;

    @Test
    void rtoIsMeasuredFromTheFirstDestructiveStepToTheMarkedStepsAndRpoFromTheSnapshotEvidence() throws IOException {
        journal("r1", List.of(
                "{\"event\":\"run_start\",\"time\":" + T + ",\"run_id\":\"r1\",\"runbook\":\"runbooks/restore-3node.yml\",\"runbook_sha256\":\"abcdef0123456789\",\"operator\":\"alice\",\"ticket\":\"CHG-42\",\"inputs\":{\"snapshot\":\"/b/s.db\"}}",
                "{\"event\":\"step_start\",\"time\":" + (T + 10) + ",\"step\":\"check\",\"destructive\":false,\"action\":\"etcd.verify\"}",
                "{\"event\":\"host_end\",\"time\":" + (T + 60) + ",\"step\":\"check\",\"host\":\"control\",\"status\":\"ok\",\"start\":" + (T + 10)
                        + ",\"millis\":50,\"rc\":0,\"msg\":\"snapshot intact\",\"registered\":{\"snap\":{\"sha256\":\"x\",\"meta\":{\"taken_at\":\"2027-01-15T07:59:00Z\",\"revision\":4242,\"keys\":10000}}}}",
                "{\"event\":\"step_end\",\"time\":" + (T + 60) + ",\"step\":\"check\",\"status\":\"ok\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 1000) + ",\"step\":\"stop\",\"destructive\":true,\"action\":\"service\"}",
                "{\"event\":\"host_end\",\"time\":" + (T + 1500) + ",\"step\":\"stop\",\"host\":\"m1\",\"status\":\"changed\",\"start\":" + (T + 1000) + ",\"millis\":500,\"rc\":0,\"msg\":\"stopped\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 1500) + ",\"step\":\"stop\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 1500) + ",\"step\":\"start\",\"destructive\":false,\"recovery\":\"quorum\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 3000) + ",\"step\":\"start\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 3000) + ",\"step\":\"healthy\",\"destructive\":false,\"recovery\":\"healthy\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 3500) + ",\"step\":\"healthy\",\"status\":\"ok\",\"msg\":\"\"}",
                "{\"event\":\"run_end\",\"time\":" + (T + 3600) + ",\"run_id\":\"r1\",\"exit_code\":0,\"outcome\":\"OK\",\"millis\":3600}"));
        RunRecord r = RunRecord.read(runs, "last");
        assertEquals("r1", r.runId());
        RunRecord.Recovery rec = r.recovery();
        assertEquals("stop", rec.firstDestructive());
        assertEquals(2000L, rec.rtoQuorumMillis());
        assertEquals(2500L, rec.rtoHealthyMillis());
        assertEquals(4242L, rec.snapshotRevision());
        assertEquals(T + 1000 - java.time.Instant.parse("2027-01-15T07:59:00Z").toEpochMilli(), rec.snapshotAgeMillis());
        String md = ReportMarkdown.render(r);
        assertTrue(md.contains("| RTO until quorum | 2.0 s |") && md.contains("| RTO until all members healthy | 2.5 s |"), md);
        assertTrue(md.contains("| Ticket | CHG-42 |") && md.contains("| Operator | alice |"), md);
        assertTrue(md.contains("| Snapshot revision / keys | 4242 / 10000 |"), md);
        assertTrue(md.contains("`stop` **destructive** | changed | 500 ms | m1: changed 500 ms - stopped |"), md);
        assertTrue(md.contains("\"revision\":4242"), "evidence: " + md);
        // the whole Markdown report of a fixed journal is stable: a golden file shows any change as a diff
        Path golden = Path.of("src/test/resources/dev/runbook/report/report-golden.md");
        if (Boolean.getBoolean("runbook.golden.update")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, md);
        }
        assertEquals(Files.readString(golden), md, "the Markdown run report changed; if intended, rerun with -Drunbook.golden.update=true and review the diff");
        String html = ReportHtml.render(r);
        assertTrue(html.contains("<svg") && html.contains("outage"), "timeline drawn inline");
        assertFalse(html.matches("(?s).*(src=|href=|@import|url\\(http|<script).*"), "self-contained");
    }

    @Test
    void aRunThatChangedNothingHasNoRecoveryAndATornJournalEndsTheRecord() throws IOException {
        journal("r2", List.of(
                "{\"event\":\"run_start\",\"time\":" + T + ",\"run_id\":\"r2\",\"runbook\":\"backup.yml\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 10) + ",\"step\":\"snap\",\"destructive\":false}",
                "{\"event\":\"host_end\",\"time\":" + (T + 20) + ",\"step\":\"sn"));
        RunRecord r = RunRecord.read(runs, "r2");
        assertNull(r.recovery());
        assertNull(r.exitCode());
        assertEquals("running", r.steps().get(0).status());
        assertTrue(ReportMarkdown.render(r).contains("without an end record"));
    }

    @Test
    void aResumedRunCountsItsRtoFromTheOutageItsKilledFirstAttemptStarted() throws IOException {
        journal("k1", List.of(
                "{\"event\":\"run_start\",\"time\":" + T + ",\"run_id\":\"k1\",\"runbook\":\"r.yml\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 1000) + ",\"step\":\"stop\",\"destructive\":true}",
                "{\"event\":\"step_end\",\"time\":" + (T + 1500) + ",\"step\":\"stop\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 1500) + ",\"step\":\"restore\",\"destructive\":true}"));
        journal("k2", List.of(
                "{\"event\":\"run_start\",\"time\":" + (T + 60_000) + ",\"run_id\":\"k2\",\"runbook\":\"r.yml\",\"resumed_from\":\"k1\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 61_000) + ",\"step\":\"restore\",\"destructive\":true}",
                "{\"event\":\"step_end\",\"time\":" + (T + 62_000) + ",\"step\":\"restore\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 62_000) + ",\"step\":\"start\",\"recovery\":\"quorum\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 63_000) + ",\"step\":\"start\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"run_end\",\"time\":" + (T + 63_100) + ",\"run_id\":\"k2\",\"exit_code\":0,\"outcome\":\"OK\",\"millis\":3100}"));
        RunRecord r = RunRecord.read(runs, "k2");
        assertEquals("stop", r.recovery().firstDestructive(), "the outage began in the killed attempt");
        assertEquals(62_000L, r.recovery().rtoQuorumMillis(), "RTO includes the time the engine was dead");
    }

    @Test
    void aResumeThatStartsAfterEveryDestructiveStepStillMeasuresTheRto() throws IOException {
        // killed after the restore (the last destructive step): the resumed run has only the
        // repoint and the marked steps, its outage began in the first attempt
        journal("j1", List.of(
                "{\"event\":\"run_start\",\"time\":" + T + ",\"run_id\":\"j1\",\"runbook\":\"r.yml\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 1000) + ",\"step\":\"stop\",\"destructive\":true}",
                "{\"event\":\"step_end\",\"time\":" + (T + 1500) + ",\"step\":\"stop\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 1500) + ",\"step\":\"restore\",\"destructive\":true}",
                "{\"event\":\"step_end\",\"time\":" + (T + 1600) + ",\"step\":\"restore\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 1600) + ",\"step\":\"repoint\"}"));
        journal("j2", List.of(
                "{\"event\":\"run_start\",\"time\":" + (T + 5_000) + ",\"run_id\":\"j2\",\"runbook\":\"r.yml\",\"resumed_from\":\"j1\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 5_100) + ",\"step\":\"repoint\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 5_200) + ",\"step\":\"repoint\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 5_200) + ",\"step\":\"start\",\"recovery\":\"quorum\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 6_000) + ",\"step\":\"start\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 6_000) + ",\"step\":\"healthy\",\"recovery\":\"healthy\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 6_500) + ",\"step\":\"healthy\",\"status\":\"ok\",\"msg\":\"\"}",
                "{\"event\":\"run_end\",\"time\":" + (T + 6_600) + ",\"run_id\":\"j2\",\"exit_code\":0,\"outcome\":\"OK\",\"millis\":1600}"));
        RunRecord r = RunRecord.read(runs, "j2");
        assertEquals("stop", r.recovery().firstDestructive());
        assertEquals(5_000L, r.recovery().rtoQuorumMillis());
        assertEquals(5_500L, r.recovery().rtoHealthyMillis());
        // marked steps without any outage (a run that changed nothing, not resumed): no recovery
        journal("n1", List.of(
                "{\"event\":\"run_start\",\"time\":" + T + ",\"run_id\":\"n1\",\"runbook\":\"r.yml\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 10) + ",\"step\":\"healthy\",\"recovery\":\"healthy\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 20) + ",\"step\":\"healthy\",\"status\":\"ok\",\"msg\":\"\"}"));
        assertEquals(null, RunRecord.read(runs, "n1").recovery());
    }

    @Test
    void aDestructiveStepThatChangedNothingAnywhereIsNotTheOutage() throws IOException {
        // the API servers' stop on a cluster without API servers: every host "ok", nothing stopped
        journal("w1", List.of(
                "{\"event\":\"run_start\",\"time\":" + T + ",\"run_id\":\"w1\",\"runbook\":\"r.yml\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 100) + ",\"step\":\"stop-writers\",\"destructive\":true}",
                "{\"event\":\"host_end\",\"time\":" + (T + 110) + ",\"step\":\"stop-writers\",\"host\":\"m1\",\"status\":\"ok\",\"start\":" + (T + 100) + ",\"millis\":10,\"rc\":0,\"msg\":\"not on this host: kube-apiserver\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 110) + ",\"step\":\"stop-writers\",\"status\":\"ok\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 200) + ",\"step\":\"stop\",\"destructive\":true}",
                "{\"event\":\"host_end\",\"time\":" + (T + 700) + ",\"step\":\"stop\",\"host\":\"m1\",\"status\":\"changed\",\"start\":" + (T + 200) + ",\"millis\":500,\"rc\":0,\"msg\":\"stopped\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 700) + ",\"step\":\"stop\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"step_start\",\"time\":" + (T + 700) + ",\"step\":\"start\",\"recovery\":\"quorum\"}",
                "{\"event\":\"step_end\",\"time\":" + (T + 1700) + ",\"step\":\"start\",\"status\":\"changed\",\"msg\":\"\"}",
                "{\"event\":\"run_end\",\"time\":" + (T + 1800) + ",\"run_id\":\"w1\",\"exit_code\":0,\"outcome\":\"OK\",\"millis\":1800}"));
        RunRecord r = RunRecord.read(runs, "w1");
        assertEquals("stop", r.recovery().firstDestructive());
        assertEquals(1500L, r.recovery().rtoQuorumMillis());
    }

    private void journal(String id, List<String> lines) throws IOException {
        Path d = Files.createDirectories(runs.resolve(id));
        Files.writeString(d.resolve("journal.jsonl"), String.join("\n", lines) + "\n");
    }
}
