package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGTERM (as from Ctrl-C or a supervisor) mid-run: in-flight remote commands end, journal closed, exit 3, resumable. */
@ExtendWith(Lab.class)
class InterruptIT {
    @Test
    void sigtermEndsInFlightCommandsWritesTheJournalAndExitsThree() throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/interrupt-it"));
        Path state = dir.resolve("state");
        Path rb = dir.resolve("sleepy.yml");
        Files.writeString(rb, """
                name: sleepy
                steps:
                  - {id: long, hosts: etcd, run: "echo started > /tmp/interrupt-started; sleep 120"}
                  - {id: after, hosts: etcd, run: "touch /tmp/interrupt-after"}
                """);
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            Lab.sshOk(h, "rm -f /tmp/interrupt-started /tmp/interrupt-after");
        }
        Path log = dir.resolve("run.log");
        Process p = new ProcessBuilder("java", "-Drunbook.state=" + state, "-jar", Lab.REPO.resolve("engine/target/runbook.jar").toString(),
                "apply", rb.toString(), "-i", Lab.INVENTORY.toString())
                .directory(Lab.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Lab.waitFor("the long step to start on all members", 30, () ->
                Lab.ssh("etcd-01", "test -f /tmp/interrupt-started").exit() == 0
                        && Lab.ssh("etcd-03", "test -f /tmp/interrupt-started").exit() == 0);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the engine stopped promptly");
        String out = Files.readString(log);
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("interrupted"), out);
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertTrue(Lab.ssh(h, "pgrep -x sleep").exit() != 0, "the remote sleep was ended on " + h);
            assertTrue(Lab.ssh(h, "test -e /tmp/interrupt-after").exit() != 0, "no new step started on " + h);
        }
        Path journal;
        try (Stream<Path> runs = Files.list(state.resolve("runs"))) {
            journal = runs.findFirst().orElseThrow().resolve("journal.jsonl");
        }
        List<String> lines = Files.readAllLines(journal);
        assertTrue(lines.get(lines.size() - 1).contains("\"event\":\"run_end\"") && lines.get(lines.size() - 1).contains("\"exit_code\":3"),
                lines.get(lines.size() - 1));
        assertTrue(out.contains("resume with: runbook resume"), out);
    }
}
