package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults injected into real runs of the shipped restore on the lab: each run stops with a message
 * naming the host and step, nothing is lost, and {@code runbook resume} finishes the job with every
 * acknowledged key present. One lab for the class; every test leaves the cluster healthy.
 */
@ExtendWith(Lab.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreFaultsIT {
    static final int KEYS = 2000;
    static final String INV = Lab.INVENTORY.toString();
    private static boolean up;

    private static Path setUp(String name) throws Exception {
        if (!up) {
            Lab.fresh(Lab.Shape.of(Lab.VERSIONS.get(0), "script"));
            up = true;
        }
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/faults-it/" + name));
        Lab.putKeys(dir, Lab.endpoints(), "/faults/" + name + "/", KEYS);
        return dir;
    }

    @AfterEach
    void labStaysUsable() throws Exception {
        // whatever a test did, the next one starts from a powered, linked, healthy cluster
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            if (Lab.ssh(h, "true").exit() != 0) {
                Lab.script("fault", "boot", h);
            }
        }
    }

    @Test
    @Order(1)
    void engineKilledMidRestoreKeepsTheLockAndResumeFinishesWithEveryKey() throws Exception {
        Path dir = setUp("kill");
        Path snap = backup(dir);
        Path log = dir.resolve("killed.log");
        Process p = Cmd.start(log, "apply", "runbooks/restore-3node.yml", "-i", INV, "--var", "snapshot=" + snap, "--yes");
        try {
            // the cluster is down and the journal open: the worst moment to lose the engine
            Lab.waitFor("the restore step to start", 90, () -> Files.readString(log).contains("== restore:"));
        } finally {
            p.destroyForcibly(); // SIGKILL: no handler runs, no journal end, no lock release
            p.waitFor(20, TimeUnit.SECONDS);
        }
        String killedRun = runIdOf(Files.readString(log));

        // a second engineer's run is refused by the lock, naming who holds it, before any step
        Cmd.Result second = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", INV, "--var", "snapshot=" + snap, "--yes");
        assertEquals(5, second.exit(), second.all());
        assertTrue(second.err().contains("etcd-01: locked by run " + killedRun + " (restore-3node.yml)"), second.err());
        assertTrue(second.err().contains("runbook resume"), "the hint points at resume for a dead engine: " + second.err());
        assertTrue(!second.out().contains("== check-snapshot"), "no step ran: " + second.out());
        Cmd.Result show = Cmd.runbook("unlock", "-i", INV);
        assertEquals(0, show.exit(), show.all());
        assertTrue(show.out().contains("etcd-02: locked by run " + killedRun) && show.out().contains("stale"), show.out());

        // resume with no id: the newest unfinished run (the refused one is passed over)
        Cmd.Result resumed = Cmd.runbook("resume", "--yes");
        assertEquals(0, resumed.exit(), resumed.all());
        assertTrue(resumed.out().contains("the newest unfinished run is " + killedRun), resumed.out());
        assertTrue(resumed.out().contains("took over the run lock of run " + killedRun), resumed.out());
        clusterHoldsEveryKey("kill");
        Cmd.Result after = Cmd.runbook("unlock", "-i", INV);
        assertTrue(after.out().contains("etcd-01: not locked") && !after.out().contains("locked by"), "resume released the lock: " + after.out());
    }

    @Test
    @Order(2)
    void etcdThatFailsToStartOnOneMemberStopsTheRunAndResumeFinishesAfterTheFix() throws Exception {
        Path dir = setUp("badflag");
        Path snap = backup(dir);
        // a bad value etcd refuses at start (the running etcd is unaffected until it restarts)
        Lab.sshOk("etcd-02", "echo ETCD_HEARTBEAT_INTERVAL=not-a-number >> /etc/etcd/etcd.env");
        Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", INV, "--var", "snapshot=" + snap, "--yes");
        assertEquals(1, r.exit(), r.all());
        assertTrue(Pattern.compile("failed +etcd-02 +start ").matcher(r.out()).find(), "the start step failed on etcd-02: " + r.out());
        assertTrue(r.out().contains("etcd exited at start"), "the member's own error is shown: " + r.out());
        assertTrue(r.out().contains("resume with: runbook resume"), r.out());
        Lab.sshOk("etcd-02", "sed -i '/^ETCD_HEARTBEAT_INTERVAL=/d' /etc/etcd/etcd.env");
        Cmd.Result resumed = Cmd.runbook("resume", runIdOf(r.out()), "--yes");
        assertEquals(0, resumed.exit(), resumed.all());
        clusterHoldsEveryKey("badflag");
    }

    @Test
    @Order(3)
    void aFullDiskWhileStagingIsRefusedBeforeAnyMemberStops() throws Exception {
        Path dir = setUp("diskfull");
        Lab.putKeys(dir, Lab.endpoints(), "/faults/diskfull-bulk/", 3000); // a snapshot bigger than the tmpfs
        Path snap = backup(dir);
        assertTrue(Files.size(snap) > 256 * 1024, "snapshot size " + Files.size(snap));
        String pids = etcdPids();
        Lab.sshOk("etcd-03", "mkdir -p /var/backups/etcd && mount -t tmpfs -o size=128k lab-full /var/backups/etcd");
        try {
            Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", INV, "--var", "snapshot=" + snap, "--yes");
            assertEquals(1, r.exit(), r.all());
            assertTrue(Pattern.compile("failed +etcd-03 +stage-snapshot ").matcher(r.out()).find(), "staging failed on etcd-03: " + r.out());
            assertTrue(r.out().contains("no space left for /var/backups/etcd/restore-"), "the cause is named: " + r.out());
            assertTrue(!Pattern.compile("changed +etcd-0\\d +stop").matcher(r.out()).find(), "nothing was stopped: " + r.out());
            assertEquals(pids, etcdPids(), "etcd kept running on every member");
            assertEquals("", Lab.sshOk("etcd-03", "ls -A /var/backups/etcd").trim(), "no partial file is left on the full disk");
        } finally {
            Lab.ssh("etcd-03", "umount /var/backups/etcd");
        }
        assertEquals(0, Lab.etcdctl(Lab.endpoints(), "endpoint", "health").exit());
    }

    @Test
    @Order(4)
    void aMemberPoweredOffDuringTheRollingStartIsNamedAndResumeFinishesAfterItBoots() throws Exception {
        Path dir = setUp("poweroff");
        Path snap = backup(dir);
        Path log = dir.resolve("run.log");
        Process p = Cmd.start(log, "apply", "runbooks/restore-3node.yml", "-i", INV, "--var", "snapshot=" + snap, "--yes");
        Lab.waitFor("the start step", 90, () -> Files.readString(log).contains("== start:"));
        assertEquals(0, Lab.script("fault", "poweroff", "etcd-03").exit());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ended");
        String out = Files.readString(log);
        assertEquals(1, p.exitValue(), out);
        assertTrue(Pattern.compile("failed +etcd-03 ").matcher(out).find(), "the lost member is named: " + out);
        assertEquals(0, Lab.script("fault", "boot", "etcd-03").exit());
        Cmd.Result resumed = Cmd.runbook("resume", runIdOf(out), "--yes");
        assertEquals(0, resumed.exit(), resumed.all());
        clusterHoldsEveryKey("poweroff");
    }

    @Test
    @Order(5)
    void sshSessionsDroppedMidStepNameTheHostAndResumeReconnects() throws Exception {
        Path dir = setUp("dropssh");
        Path log = dir.resolve("run.log");
        Process p = startSlowRun(dir, "drop", "etcd-02", 4, log);
        assertEquals(0, Lab.script("fault", "drop-ssh", "etcd-02").exit());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run ended");
        String out = Files.readString(log);
        assertEquals(1, p.exitValue(), out);
        assertTrue(Pattern.compile("failed +etcd-02 +slow ").matcher(out).find(), "host and step named: " + out);
        assertEquals(0, Lab.ssh("etcd-01", "test -f /tmp/drop-slow").exit(), "the other hosts finished their in-flight command");
        assertTrue(Lab.ssh("etcd-01", "test -f /tmp/drop-after").exit() != 0, "no new step started after the failure");
        Cmd.Result resumed = Cmd.runbook("resume", runIdOf(out));
        assertEquals(0, resumed.exit(), resumed.all());
        everyMemberHas("/tmp/drop-after");
    }

    @Test
    @Order(6)
    void aLinkCutMidStepIsDetectedWithinSecondsAndResumeFinishesOnceItIsBack() throws Exception {
        Path dir = setUp("cutlink");
        Path log = dir.resolve("run.log");
        Process p = startSlowRun(dir, "cut", "etcd-03", 6, log);
        String out;
        assertEquals(0, Lab.script("fault", "cut-link", "etcd-03").exit());
        try {
            // no RST reaches us from a cut link: only the SSH keepalives can tell (the step's own timeout is 10 minutes)
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the lost host was detected long before the step's timeout");
            out = Files.readString(log);
        } finally {
            assertEquals(0, Lab.script("fault", "restore-link", "etcd-03").exit());
            p.destroyForcibly();
        }
        assertEquals(1, p.exitValue(), out);
        assertTrue(Pattern.compile("failed +etcd-03 +slow .*connection lost").matcher(out).find(), "host, step and cause named: " + out);
        Cmd.Result resumed = Cmd.runbook("resume", runIdOf(out));
        assertEquals(0, resumed.exit(), resumed.all());
        everyMemberHas("/tmp/cut-after");
        Lab.waitFor("etcd-03 healthy again", 60, () -> Lab.etcdctl(Lab.endpoints(), "endpoint", "health").exit() == 0);
    }

    @Test
    @Order(7)
    void aMemberCutOffDuringTheQuorumGateIsNamedAndResumeFinishesOnceItIsBack() throws Exception {
        Path dir = setUp("cutgate");
        Path snap = backup(dir);
        Path log = dir.resolve("run.log");
        Process p = Cmd.start(log, "apply", "runbooks/restore-3node.yml", "-i", INV, "--var", "snapshot=" + snap, "--yes");
        String out;
        try {
            // the last member has started: the quorum gate is running now
            Lab.waitFor("etcd-03 started", 120, () -> Pattern.compile("changed +etcd-03 +start ").matcher(Files.readString(log)).find());
            assertEquals(0, Lab.script("fault", "cut-link", "etcd-03").exit());
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the run ended");
            out = Files.readString(log);
        } finally {
            assertEquals(0, Lab.script("fault", "restore-link", "etcd-03").exit());
            p.destroyForcibly();
        }
        assertEquals(1, p.exitValue(), out);
        // two members are a quorum, so the gate may pass; the run must not call the cluster healthy
        assertTrue(Pattern.compile("failed +\\S+ +(start|serving|healthy) .*etcd-03").matcher(out).find(), "the cut member is named: " + out);
        // no raft traffic comes from a cut member (its peers' "active" gauge lags for seconds): it
        // is not taken for one stuck in etcd's publish retry, and not restarted
        assertTrue(!out.contains("healthy; stuck in etcd's publish retry") && !Pattern.compile("changed +etcd-03 +unstick").matcher(out).find(), out);
        assertTrue(!out.contains("RECAP") || !out.contains(" OK in "), out);
        Cmd.Result resumed = Cmd.runbook("resume", runIdOf(out), "--yes");
        assertEquals(0, resumed.exit(), resumed.all());
        // a member that was cut off may call an election once it is back (its term moved on while
        // alone): the cluster is briefly without a leader right after the run; wait that out
        Lab.waitFor("every member healthy", 60, () -> Lab.etcdctl(Lab.endpoints(), "endpoint", "health").exit() == 0);
        clusterHoldsEveryKey("cutgate");
    }

    @Test
    @Order(8)
    void aDataDirThatCannotBeWrittenStopsTheRestoreOnThatMemberAndResumeFinishesAfterTheFix() throws Exception {
        Path dir = setUp("rodir");
        Path snap = backup(dir);
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            Lab.sshOk(h, "mkdir -p /var/lib/etcd-ro");
        }
        // on one member the new data dir's parent is a read-only filesystem (under /var: a lab host's
        // /var is its own, while /srv is shared with the machine and every other host)
        Lab.sshOk("etcd-02", "mount -t tmpfs -o ro lab-ro /var/lib/etcd-ro");
        String newDir = "/var/lib/etcd-ro/data";
        Cmd.Result r;
        try {
            r = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", INV, "--var", "snapshot=" + snap, "--var", "data_dir=" + newDir, "--yes");
        } finally {
            Lab.ssh("etcd-02", "umount /var/lib/etcd-ro");
        }
        assertEquals(1, r.exit(), r.all());
        assertTrue(Pattern.compile("failed +etcd-02 +restore ").matcher(r.out()).find(), "the member and step are named: " + r.out());
        assertTrue(r.out().toLowerCase().contains("read-only"), "the cause is shown: " + r.out());
        // the members were stopped (the failure came in the destructive part); their old data is untouched
        assertEquals(0, Lab.ssh("etcd-01", "test -d /var/lib/etcd/member").exit());
        Cmd.Result resumed = Cmd.runbook("resume", runIdOf(r.out()), "--yes", "-v");
        assertEquals(0, resumed.exit(), resumed.all());
        assertTrue(resumed.out().contains("moved aside " + newDir + ", left by an interrupted attempt"),
                "the members that had restored keep that attempt, moved aside: " + resumed.out());
        clusterHoldsEveryKey("rodir");
    }

    /**
     * Starts a two-step run on every member (a slow step of {@code seconds}, then a marker step; the
     * slow step's timeout is 10 minutes, so only the fault can end it early) and returns once the
     * slow step runs on {@code watched}. Markers: /tmp/NAME-started, -slow, -after.
     */
    private static Process startSlowRun(Path dir, String name, String watched, int seconds, Path log) throws Exception {
        Path rb = dir.resolve("slow.yml");
        String m = "/tmp/" + name;
        Files.writeString(rb, """
                name: slow
                steps:
                  - {id: slow, hosts: etcd, run: "touch %M-started; sleep %S; touch %M-slow", timeout: 10m}
                  - {id: after, hosts: etcd, run: "touch %M-after"}
                """.replace("%M", m).replace("%S", String.valueOf(seconds)));
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            Lab.sshOk(h, "rm -f " + m + "-started " + m + "-slow " + m + "-after");
        }
        Process p = Cmd.start(log, "apply", rb.toString(), "-i", INV);
        Lab.waitFor("the slow step on " + watched, 30, () -> Lab.ssh(watched, "test -f " + m + "-started").exit() == 0);
        return p;
    }

    private static void everyMemberHas(String file) throws Exception {
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertEquals(0, Lab.ssh(h, "test -f " + file).exit(), h + " has " + file);
        }
    }

    private static Path backup(Path dir) throws Exception {
        Cmd.Result r = Cmd.runbook("apply", "runbooks/backup.yml", "-i", INV, "--var", "backup_root=" + dir.resolve("backups"));
        assertEquals(0, r.exit(), r.all());
        return Lab.snapshotOf(r);
    }

    /** After a restore from a backup taken once the keys were written: all members healthy, agreeing, every key back. */
    private static void clusterHoldsEveryKey(String name) throws Exception {
        String eps = Lab.endpoints();
        assertEquals(0, Lab.etcdctl(eps, "endpoint", "health").exit(), "every member healthy");
        List<String> hs = Lab.hashes(eps);
        assertEquals(3, hs.size(), hs.toString());
        assertEquals(1, hs.stream().distinct().count(), "members agree: " + hs);
        assertEquals(KEYS, Lab.countKeys(eps, "/faults/" + name + "/"), "every acknowledged key is back");
    }

    private static String runIdOf(String out) {
        Matcher m = Pattern.compile("run (\\d{8}T\\d{6}Z-[0-9a-f]+):").matcher(out);
        assertTrue(m.find(), "no run id in: " + out);
        return m.group(1);
    }

    private static String etcdPids() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            sb.append(h).append('=').append(Lab.sshOk(h, "pidof etcd").trim()).append(' ');
        }
        return sb.toString();
    }
}
