package dev.runbook.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.report.DrillPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drill history (append-only, torn lines skipped), the scenario table, and the drill page with its RTO trend. */
class DrillHistoryTest {
    @TempDir
    Path dir;

    @Test
    void historyAppendsAndSkipsATornLine() throws Exception {
        DrillHistory h = new DrillHistory(dir.resolve("drills/history.jsonl"));
        h.append(Map.of("scenario", "lose-quorum", "verified", true, "rto_healthy_millis", 2500));
        Files.writeString(dir.resolve("drills/history.jsonl"), "{\"scenario\":\"lose-q", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(1, h.entries().size());
        assertEquals("lose-quorum", h.entries().get(0).get("scenario"));
    }

    @Test
    void scenariosMapToTheirRecoveryRunbooks() {
        assertEquals("restore-3node.yml", Scenario.LOSE_ALL_DATA.recoveryFor(3));
        assertEquals("restore-1node.yml", Scenario.LOSE_ALL_DATA.recoveryFor(1));
        assertEquals("force-new-cluster.yml", Scenario.of("lose-quorum").recoveryFor(3));
        assertEquals(Map.of("old", "m3", "new", "spare"), Scenario.CORRUPT_MEMBER.recoveryVars("s.db", "m3", "m1", "spare"));
        assertEquals(Map.of("survivor", "m1"), Scenario.LOSE_QUORUM.injectVars("m3", "m1"));
        assertEquals(null, Scenario.of("lose-everything"));
    }

    @Test
    void theDrillPageShowsTheVerdictAndATrendOverEarlierDrills() {
        List<Map<String, Object>> history = List.of(
                Map.of("time", "2027-01-01T00:00:00Z", "verified", true, "rto_quorum_millis", 1500, "rto_healthy_millis", 2000),
                Map.of("time", "2027-01-08T00:00:00Z", "verified", false, "rto_quorum_millis", 3000, "rto_healthy_millis", 4000));
        Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("Verdict", "verification failed");
        DrillPage page = new DrillPage("lose-quorum", false, facts, null, history);
        String md = page.markdown();
        assertTrue(md.startsWith("# Drill: lose-quorum - FAILED"), md);
        assertTrue(md.contains("| 2027-01-08T00:00:00Z | false | 3.0 s | 4.0 s |"), md);
        String html = page.html();
        assertTrue(html.contains("RTO over time (2 drills"), html);
        assertTrue(html.contains("<polyline"), "a line per RTO figure");
        assertFalse(html.matches("(?s).*(src=|href=|<script).*"), "self-contained");
    }
}
