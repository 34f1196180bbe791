package dev.runbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook plan --format md|html|json}: the change record. The Markdown is compared with a
 * golden file (regenerate with {@code -Drunbook.golden.update=true} and review the diff); HTML and
 * JSON are checked for content, masking and self-containment.
 */
class PlanRecordTest {
    static final Path GOLDEN = Path.of("src/test/resources/dev/runbook/cli/plan-golden.md");
    static final String SECRET = "s3cr3t-Pa55";

    @TempDir
    Path dir;
    Path runbook;
    Path inventory;

    @BeforeEach
    void setUp() throws IOException {
        System.setProperty("runbook.state", dir.resolve("state").toString());
        inventory = write("inv.yml", """
                all:
                  vars: {service_manager: script}
                  children:
                    etcd:
                      hosts:
                        m1: {connection: local, address: 10.0.0.1, etcd_name: m1}
                        m2: {connection: local, address: 10.0.0.2, etcd_name: m2}
                """);
        runbook = write("swap.yml", """
                name: swap
                description: |
                  Swap the data dir of every member
                  (a test of the change record).
                inputs:
                  dir: {type: string, description: the new dir}
                  token: {type: string, secret: true, description: a secret}
                steps:
                  - id: check
                    name: the new dir does not exist
                    hosts: etcd
                    run: "test ! -e {{dir}}"
                    rollback: nothing changed yet
                  - id: peek
                    hosts: etcd
                    needs: []
                    run: "echo {{etcd_name}} uses token {{token}}"
                  - id: confirm
                    needs: [check, peek]
                    confirm: {phrase: "swap etcd", message: "This stops etcd."}
                  - id: stop
                    name: stop etcd, one member at a time
                    hosts: etcd
                    destructive: true
                    service: {name: etcd, state: stopped}
                    rolling: {batch: 1, order: reverse}
                    rollback: start etcd again
                  - id: move
                    hosts: etcd
                    when: "etcd_name != 'm9'"
                    destructive: true
                    run: "mv /var/lib/etcd {{dir}}-{{run.timestamp}}"
                    rollback: move it back
                """);
    }

    @Test
    void markdownMatchesTheGoldenFileAndIsStable() throws IOException {
        String md = plan("md");
        assertEquals(md, plan("md"), "same inputs, same record");
        if (Boolean.getBoolean("runbook.golden.update")) {
            Files.writeString(GOLDEN, md);
        }
        assertEquals(Files.readString(GOLDEN), md, "the Markdown change record changed; if intended, rerun with -Drunbook.golden.update=true and review the diff");
    }

    /**
     * The shipped restore-3node's change record for a fixed three-member inventory: any change to
     * the runbook or to the record's format shows up here as a reviewable diff.
     */
    @Test
    void theShippedRestoreRunbooksRecordMatchesItsGoldenFile() throws IOException {
        Path inv = write("cluster.yml", """
                all:
                  vars: {service_manager: systemd, etcd_ca: /etc/runbook/pki/ca.crt, cluster_name: prod-east}
                  children:
                    etcd:
                      hosts:
                        etcd-a: {address: 10.0.0.11, etcd_name: etcd-a, etcd_peer_url: "https://10.0.0.11:2380"}
                        etcd-b: {address: 10.0.0.12, etcd_name: etcd-b, etcd_peer_url: "https://10.0.0.12:2380"}
                        etcd-c: {address: 10.0.0.13, etcd_name: etcd-c, etcd_peer_url: "https://10.0.0.13:2380"}
                """);
        String md = capture("plan", "../runbooks/restore-3node.yml", "-i", inv.toString(), "--var", "snapshot=/backups/snapshot_X.db", "--format", "md");
        Path golden = Path.of("src/test/resources/dev/runbook/cli/plan-restore-3node-golden.md");
        if (Boolean.getBoolean("runbook.golden.update")) {
            Files.writeString(golden, md);
        }
        assertEquals(Files.readString(golden), md, "restore-3node's change record changed; if intended, rerun with -Drunbook.golden.update=true and review the diff");
        assertTrue(md.contains("| Destructive steps | `stop-writers`, `stop-followers`, `stop-leader`, `followers-stopped`, `restore` |"), md);
    }

    @Test
    void theRecordNamesPreconditionsGatesDestructiveStepsAndMasksSecrets() throws IOException {
        String md = plan("md");
        assertTrue(md.contains("| Destructive steps | `stop`, `move` |"), md);
        assertTrue(md.contains("| Confirmation gates | `confirm` |"), md);
        assertTrue(md.contains("Every destructive step waits for all of these to pass:\n\n1. `check`: the new dir does not exist\n2. `peek`\n3. `confirm`\n"), md);
        assertTrue(md.contains("**If it fails here:** start etcd again"), md);
        assertTrue(md.contains("rolling: batches of 1, order reverse"), md);
        assertTrue(md.contains("<<run.timestamp>>"), "run-time values are named placeholders: " + md);
        for (String f : new String[] {"md", "html", "json", "text"}) {
            String out = plan(f);
            assertFalse(out.contains(SECRET), f + " leaks the secret: " + out);
            assertTrue(out.contains("******"), f + " shows the masked secret");
        }
    }

    @Test
    void htmlIsOneSelfContainedPageWithTheGraphInline() throws IOException {
        String html = plan("html");
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.trim().endsWith("</html>"), html);
        assertTrue(html.contains("<svg") && html.contains("stop</text>"), "the step graph is inline SVG");
        assertFalse(html.matches("(?s).*(src=|href=|@import|url\\(http|<script).*"), "no external resource and no script: " + html);
        assertTrue(html.contains("&lt;&lt;run.timestamp&gt;&gt;"), "operations are escaped");
    }

    @Test
    void jsonCarriesTheSameFacts() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = dev.runbook.event.JsonEvents.MAPPER.readValue(plan("json"), Map.class);
        assertEquals("swap", m.get("runbook"));
        assertEquals(java.util.List.of("check", "peek", "confirm"), m.get("preconditions"));
        assertEquals(java.util.List.of("stop", "move"), m.get("destructive"));
        assertEquals(Map.of("m1", "10.0.0.1", "m2", "10.0.0.2"), m.get("targets"));
    }

    @Test
    void expectedDurationsComeFromEarlierSuccessfulRunsOfTheSameRunbook() throws IOException {
        assertTrue(plan("md").contains("| Expected duration | unknown (no earlier successful run of this runbook here) |"));
        journal("r1", "somewhere/else/swap.yml", 0, 1000, 400);
        journal("r2", runbook.toString(), 0, 3000, 600);
        journal("r3", runbook.toString(), 0, 2000, 500);
        journal("r4", runbook.toString(), 1, 100, 50);        // failed: not a reference
        journal("r5", dir.resolve("other.yml").toString(), 0, 9000, 9000); // another runbook
        String md = plan("md");
        assertTrue(md.contains("| Expected duration | 2.0 s (median of 3 earlier runs) |"), md);
        assertTrue(md.contains("- took 500 ms before (median)"), md);
    }

    private void journal(String id, String file, int exit, long total, long stepMillis) throws IOException {
        Path d = Files.createDirectories(dir.resolve("state/runs/" + id));
        long t = 1_700_000_000_000L;
        Files.writeString(d.resolve("journal.jsonl"), String.join("\n",
                "{\"event\":\"run_start\",\"time\":" + t + ",\"runbook\":\"" + file + "\",\"check\":false,\"resumed_from\":null}",
                "{\"event\":\"step_start\",\"time\":" + (t + 10) + ",\"step\":\"check\"}",
                "{\"event\":\"step_end\",\"time\":" + (t + 10 + stepMillis) + ",\"step\":\"check\",\"status\":\"ok\"}",
                "{\"event\":\"run_end\",\"time\":" + (t + total) + ",\"exit_code\":" + exit + ",\"millis\":" + total + "}") + "\n");
    }

    private String plan(String format) throws IOException {
        return capture("plan", runbook.toString(), "-i", inventory.toString(), "--var", "dir=/data/new", "--var", "token=" + SECRET, "--format", format);
    }

    private String capture(String... args) {
        ConsoleCapture c = ConsoleCapture.run(args);
        assertEquals(0, c.exit(), c.err());
        return c.out().replace(dir.toString(), "<dir>");
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
