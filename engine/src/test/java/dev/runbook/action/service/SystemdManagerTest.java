package dev.runbook.action.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd scripts run by bash against a stub {@code systemctl} that plays a unit's states. */
class SystemdManagerTest {
    @TempDir
    Path dir;

    /** Runs the script for {@code state} with systemctl answering is-active from {@code states}, one per call. */
    private String[] run(String state, String mainPid, String... states) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("states"), String.join("\n", states) + "\n");
        Files.writeString(bin.resolve("systemctl"), """
                #!/bin/bash
                echo "$*" >> "$D/calls"
                case "$1" in
                  is-active) n=$(( $(cat "$D/n" 2>/dev/null || echo 0) + 1 )); echo $n > "$D/n"
                    s=$(sed -n "${n}p" "$D/states"); [ -n "$s" ] || s=$(tail -n 1 "$D/states"); echo "$s"; [ "$s" = active ] ;;
                  show) echo "%s" ;;
                  *) exit 0 ;;
                esac
                """.formatted(mainPid));
        Files.setPosixFilePermissions(bin.resolve("systemctl"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String script = new SystemdManager().script("etcd", state, Map.of(), 1);
        ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", script).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("D", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        Files.deleteIfExists(dir.resolve("n"));
        String calls = Files.readString(dir.resolve("calls"));
        Files.delete(dir.resolve("calls"));
        return new String[] {String.valueOf(p.exitValue()), out, calls};
    }

    @Test
    void aStartDoesNotBlockOnReadinessButWaitsForTheProcess() throws Exception {
        String[] r = run("started", "4242", "inactive", "activating", "activating", "activating");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[2].startsWith("start --no-block etcd\n"), r[2]);
        assertTrue(r[1].contains("waiting for its readiness"), r[1]);

        r = run("started", "4242", "active");
        assertEquals("0", r[0], r[1]);
        assertEquals("started", r[1].trim());
    }

    @Test
    void aUnitThatFailsOrNeverRunsIsAnError() throws Exception {
        String[] r = run("started", "4242", "activating", "failed");
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("failed to start") && r[1].contains("journalctl -u etcd"), r[1]);

        // activating without a main process (ExecStartPre still running) is not yet started
        r = run("started", "0", "activating");
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("did not start within 1s (state: activating)"), r[1]);
    }

    @Test
    void stoppingQueuesTheStopWithoutWaiting() throws Exception {
        String[] r = run("stopping", "0", "active");
        assertEquals("0", r[0], r[1]);
        assertEquals("stop --no-block etcd\n", r[2]);
    }

    @Test
    void aUnitIsInstalledWhenSystemdKnowsIt() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin2"));
        Files.writeString(bin.resolve("systemctl"), "#!/bin/bash\n[ \"$1 $2 $3\" = \"cat -- kube-apiserver\" ]\n");
        Files.setPosixFilePermissions(bin.resolve("systemctl"), PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String[] c : new String[][] {{"kube-apiserver", "yes"}, {"kube-scheduler", "no"}}) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-c", "if " + new SystemdManager().installed(c[0], Map.of()) + "; then echo yes; else echo no; fi")
                    .redirectErrorStream(true);
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            Process p = pb.start();
            assertEquals(c[1], new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(), c[0]);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        }
    }
}
