package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The engine's basics, through the real CLI, over real SSH, against the lab's real hosts. */
@ExtendWith(Lab.class)
class EngineOnLabIT {
    static final Path RUNBOOKS = Lab.REPO.resolve("tests/src/test/resources/runbooks");

    static Cmd.Result apply(String runbook, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("apply", RUNBOOKS.resolve(runbook).toString(), "-i", Lab.INVENTORY.toString()));
        args.addAll(List.of(extra));
        return Cmd.runbook(args.toArray(String[]::new));
    }

    static long[] span(String host, String prefix) throws Exception {
        String out = Lab.sshOk(host, "cat /tmp/" + prefix + ".start /tmp/" + prefix + ".end");
        String[] t = out.trim().split("\n");
        return new long[] {Long.parseLong(t[0].trim()), Long.parseLong(t[1].trim())};
    }

    @Test
    void runsOnAllHostsInParallelThenRollingInTheDeclaredOrder() throws Exception {
        Cmd.Result r = apply("fanout.yml");
        assertEquals(0, r.exit(), r.all());
        List<String> hosts = List.of("etcd-01", "etcd-02", "etcd-03", "etcd-04");
        long latestStart = 0;
        long earliestEnd = Long.MAX_VALUE;
        for (String h : hosts) {
            long[] s = span(h, "p");
            latestStart = Math.max(latestStart, s[0]);
            earliestEnd = Math.min(earliestEnd, s[1]);
        }
        assertTrue(latestStart < earliestEnd, "the four 1-second commands overlapped in time");
        long previousEnd = 0;
        for (String h : List.of("etcd-04", "etcd-02", "etcd-01", "etcd-03")) {
            long[] s = span(h, "r");
            assertTrue(s[0] >= previousEnd, h + " started only after the previous host in the rolling order finished");
            previousEnd = s[1];
        }
        assertTrue(r.out().contains("RECAP"), r.out());
    }

    @Test
    void uploadsAndFetchesFilesByteForByte() throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/files-it"));
        Path blob = dir.resolve("blob.bin");
        byte[] data = new byte[4 * 1024 * 1024 + 123];
        new Random(7).nextBytes(data);
        Files.write(blob, data);
        Path fetched = dir.resolve("fetched");
        Cmd.Result r = apply("files.yml", "--var", "blob=" + blob, "--var", "fetch_dir=" + fetched);
        assertEquals(0, r.exit(), r.all());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        for (String h : List.of("etcd-02", "etcd-03")) {
            assertEquals(sha, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(fetched.resolve(h).resolve("blob.bin")))));
            assertEquals(sha, Lab.sshOk(h, "sha256sum /var/backups/etcd/blob.bin").split(" ")[0]);
            assertEquals("600", Lab.sshOk(h, "stat -c %a /var/backups/etcd/blob.bin").trim());
        }
        assertFalse(Lab.ssh("etcd-01", "test -e /var/backups/etcd/blob.bin").exit() == 0, "only the named hosts got the file");
        Cmd.Result again = apply("files.yml", "--var", "blob=" + blob, "--var", "fetch_dir=" + fetched);
        assertTrue(again.out().contains("ok       etcd-02      upload"), "an identical file is not rewritten: " + again.out());
        // the same size with other bytes (the host hashes its copy only when the size matches), then another size
        for (byte[] next : List.of(flipped(data, data.length / 2), java.util.Arrays.copyOf(data, data.length - 1000))) {
            Files.write(blob, next);
            Cmd.Result changed = apply("files.yml", "--var", "blob=" + blob, "--var", "fetch_dir=" + fetched);
            assertEquals(0, changed.exit(), changed.all());
            assertTrue(changed.out().contains("changed  etcd-02      upload"), "new content is installed: " + changed.out());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(next)),
                    Lab.sshOk("etcd-03", "sha256sum /var/backups/etcd/blob.bin").split(" ")[0]);
        }
    }

    private static byte[] flipped(byte[] data, int at) {
        byte[] b = data.clone();
        b[at] ^= 1;
        return b;
    }

    @Test
    void editsTheEnvFileAndDrivesEtcdThroughBothServiceStyles() throws Exception {
        // the edited file keeps the mode and owner it had (over SFTP: a setstat, then posix-rename)
        String before = Lab.sshOk("etcd-04", "stat -c '%a %u %g' /etc/etcd/etcd.env").trim();
        Lab.sshOk("etcd-04", "chmod 640 /etc/etcd/etcd.env && chown 65534:65534 /etc/etcd/etcd.env");
        Cmd.Result r;
        try {
            r = apply("spare-services.yml");
            assertEquals("640 65534 65534", Lab.sshOk("etcd-04", "stat -c '%a %u %g' /etc/etcd/etcd.env").trim(), r.all());
        } finally {
            String[] b = before.split(" ");
            Lab.sshOk("etcd-04", "chmod " + b[0] + " /etc/etcd/etcd.env && chown " + b[1] + ":" + b[2] + " /etc/etcd/etcd.env");
        }
        assertEquals(0, r.exit(), r.all());
        String env = Lab.sshOk("etcd-04", "cat /etc/etcd/etcd.env");
        assertTrue(env.contains("ETCD_DATA_DIR=/var/lib/etcd-e2e\n") && env.contains("ETCD_HEARTBEAT_INTERVAL=100\n"), env);
        assertTrue(env.contains("ETCD_NAME=etcd-04\n"), "untouched keys kept: " + env);
        String backup = Lab.sshOk("etcd-04", "ls /var/backups/runbook/*/etc/etcd/etcd.env").trim();
        assertTrue(Lab.sshOk("etcd-04", "cat " + backup).contains("ETCD_DATA_DIR=/var/lib/etcd\n"), "the original is kept");
        assertEquals(0, Lab.ssh("etcd-04", "test -d /var/lib/etcd-e2e/member").exit(), "the script service used the edited data dir");
        assertEquals(0, Lab.ssh("etcd-04", "test -d /var/lib/etcd-pod/member").exit(), "the static pod used the repointed hostPath");
        assertTrue(Lab.ssh("etcd-04", "pgrep -x etcd").exit() != 0, "etcd is stopped again");
        assertEquals(0, Lab.ssh("etcd-04", "test -f /etc/kubernetes/manifests.stopped/etcd.yaml && test ! -e /etc/kubernetes/manifests/etcd.yaml").exit());
    }

    @Test
    void aChangedHostKeyStopsTheRunBeforeAnythingRuns() throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/hostkey-it"));
        Path otherKey = dir.resolve("other");
        Files.deleteIfExists(otherKey);
        Files.deleteIfExists(dir.resolve("other.pub"));
        Cmd.run(dir, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString()), 30);
        String ip01 = Lab.env("SUBNET") + ".11";
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Lab.sshDir().resolve("known_hosts"))) {
            lines.add(line.startsWith(ip01 + " ") ? ip01 + " " + Files.readString(dir.resolve("other.pub")).trim() : line);
        }
        Path knownHosts = dir.resolve("known_hosts");
        Files.write(knownHosts, lines);
        Path inventory = dir.resolve("inventory.yml");
        Files.writeString(inventory, Files.readString(Lab.INVENTORY).replaceAll("known_hosts: .*", "known_hosts: " + knownHosts));
        Lab.sshOk("etcd-02", "rm -f /tmp/hostkey-marker");
        Path rb = dir.resolve("touch.yml");
        Files.writeString(rb, "name: touch\nsteps:\n  - {hosts: etcd, run: 'touch /tmp/hostkey-marker'}\n");
        Cmd.Result r = Cmd.runbook("apply", rb.toString(), "-i", inventory.toString());
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.err().contains("etcd-01: HOST KEY CHANGED"), r.err());
        assertTrue(r.err().contains("nothing was run"), r.err());
        assertTrue(Lab.ssh("etcd-02", "test -e /tmp/hostkey-marker").exit() != 0, "no host ran the step");
        Cmd.Result accept = Cmd.runbook("apply", rb.toString(), "-i", inventory.toString(), "--accept-new-host-keys");
        assertEquals(3, accept.exit(), "a changed key is refused even with --accept-new-host-keys: " + accept.all());
    }

    @Test
    void aHostKeyChangedMidRunCannotReachTheRunningConnectionAndTheNextRunIsRefused() throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/hostkey-midrun-it"));
        Path rb = dir.resolve("swap.yml");
        // step 1 replaces etcd-01's host key (sshd reads its keys per new connection); step 2 must
        // still run on the connection the run authenticated at its start, with the old key
        Files.writeString(rb, String.join("\n",
                "name: swap the host key mid-run",
                "steps:",
                "  - id: swap",
                "    hosts: etcd-01",
                "    run: |",
                "      cd /etc/ssh",
                "      cp -p ssh_host_ed25519_key ssh_host_ed25519_key.rbtest && cp -p ssh_host_ed25519_key.pub ssh_host_ed25519_key.pub.rbtest",
                "      rm -f ssh_host_ed25519_key ssh_host_ed25519_key.pub",
                "      ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key",
                "  - id: after",
                "    hosts: etcd-01",
                "    run: touch /tmp/hostkey-midrun-marker",
                ""));
        Lab.sshOk("etcd-01", "rm -f /tmp/hostkey-midrun-marker");
        try {
            Cmd.Result r = Cmd.runbook("apply", rb.toString(), "-i", Lab.INVENTORY.toString());
            assertEquals(0, r.exit(), "the run's own connection is unaffected: " + r.all());
            Cmd.Result next = Cmd.runbook("apply", rb.toString(), "-i", Lab.INVENTORY.toString());
            assertEquals(3, next.exit(), next.all());
            assertTrue(next.err().contains("etcd-01: HOST KEY CHANGED"), next.err());
            assertTrue(next.err().contains("nothing was run"), next.err());
        } finally {
            // through the host's namespaces, not SSH: the lab's own known_hosts refuses the new key too
            Cmd.Result restored = Cmd.run(Lab.REPO, List.of("nsenter", "-t", Files.readString(Lab.STATE.resolve("hosts/etcd-01/init.pid")).trim(), "-a", "--",
                    "sh", "-c", "cd /etc/ssh && mv -f ssh_host_ed25519_key.rbtest ssh_host_ed25519_key && mv -f ssh_host_ed25519_key.pub.rbtest ssh_host_ed25519_key.pub"), 30);
            assertEquals(0, restored.exit(), restored.all());
        }
        assertEquals(0, Lab.ssh("etcd-01", "test -e /tmp/hostkey-midrun-marker").exit(), "step 2 ran on the first run's connection");
    }

    @Test
    void anUnreachableHostIsNamedBeforeAnythingRuns() throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/unreachable-it"));
        Path inventory = dir.resolve("inventory.yml");
        String ghost = "        ghost:\n          address: " + Lab.env("SUBNET") + ".250\n";
        Files.writeString(inventory, Files.readString(Lab.INVENTORY).replace("    spare:\n      hosts:\n", "    spare:\n      hosts:\n" + ghost));
        Lab.sshOk("etcd-04", "rm -f /tmp/unreachable-marker");
        Path rb = dir.resolve("touch.yml");
        Files.writeString(rb, "name: touch\nsteps:\n  - {hosts: spare, run: 'touch /tmp/unreachable-marker'}\n");
        Cmd.Result r = Cmd.runbook("apply", rb.toString(), "-i", inventory.toString(), "--connect-timeout", "2");
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.err().contains("ghost: unreachable"), r.err());
        assertTrue(Lab.ssh("etcd-04", "test -e /tmp/unreachable-marker").exit() != 0, "the reachable host did not run the step either");
    }

    @Test
    void checkModeConnectsButChangesNothing() throws Exception {
        Lab.sshOk("etcd-01", "rm -f /tmp/p.start /tmp/p.end");
        Cmd.Result r = apply("fanout.yml", "--check");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("every host answered over SSH"), r.out());
        assertTrue(Lab.ssh("etcd-01", "test -e /tmp/p.start").exit() != 0);
    }
}
