package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * runbooks/restore-3node.yml with real data on both service styles: 10,000 known keys, a backup,
 * then the cluster changed (deletes, overwrites, new keys), then the restore: every member healthy,
 * the same member names, members agree, and exactly the snapshot's keys and values are back.
 * A damaged snapshot is refused before any member is stopped.
 */
@ExtendWith(Lab.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreIT {
    static final int KEYS = 10_000;

    @Test
    @Order(1)
    void aTruncatedOrTamperedSnapshotIsRefusedBeforeAnyMemberStops() throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/restore-it"));
        Path snap = backup(dir.resolve("refused"));
        Path bad = dir.resolve("truncated.db");
        byte[] data = Files.readAllBytes(snap);
        Files.write(bad, java.util.Arrays.copyOf(data, data.length - 1000));
        String pidsBefore = etcdPids();
        Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + bad, "--yes");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("integrity check"), r.out());
        assertTrue(r.out().contains("not-run") && !r.out().contains("changed  etcd-01      stop"), "nothing was stopped: " + r.out());
        assertEquals(pidsBefore, etcdPids(), "etcd kept running on every member");
        assertEquals(0, Lab.etcdctl(Lab.endpoints(), "endpoint", "health").exit());

        Path tampered = dir.resolve("tampered.db");
        data[data.length / 3] ^= 0x20; // same size, one flipped bit
        Files.write(tampered, data);
        Cmd.Result t = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + tampered, "--yes");
        assertEquals(1, t.exit(), t.all());
        assertTrue(t.out().contains("integrity check"), t.out());
        assertEquals(pidsBefore, etcdPids(), "etcd kept running on every member");
    }

    @Test
    @Order(1)
    void anExistingTargetDirOrAnUnreachableMemberIsRefusedBeforeAnyMemberStops() throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/restore-it"));
        Path snap = backup(dir.resolve("refused2"));
        String pidsBefore = etcdPids();
        Cmd.Result exists = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + snap,
                "--var", "data_dir=/var/lib/etcd", "--yes");
        assertEquals(1, exists.exit(), exists.all());
        assertTrue(exists.out().contains("/var/lib/etcd already exists"), exists.out());
        assertEquals(pidsBefore, etcdPids(), "nothing was stopped");

        assertEquals(0, Lab.script("fault", "poweroff", "etcd-03").exit());
        try {
            Cmd.Result gone = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + snap,
                    "--yes", "--connect-timeout", "2");
            assertEquals(3, gone.exit(), gone.all());
            assertTrue(gone.err().contains("etcd-03: unreachable") && gone.err().contains("nothing was run"), gone.err());
            assertEquals(pidsBefore.substring(0, pidsBefore.indexOf("etcd-03")), etcdPids("etcd-01", "etcd-02"), "the reachable members kept running");
        } finally {
            assertEquals(0, Lab.script("fault", "boot", "etcd-03").exit());
            Lab.waitFor("etcd-03 healthy again", 60, () -> Lab.etcdctl(Lab.endpoints(), "endpoint", "health").exit() == 0);
        }
    }

    @Test
    @Order(2)
    void restoresExactlyTheSnapshotOnScriptServices() throws Exception {
        scenario("script");
    }

    @Test
    @Order(3)
    void restoresExactlyTheSnapshotOnStaticPods() throws Exception {
        Cmd.Result up = Lab.script("up", "--style", "static-pod");
        assertEquals(0, up.exit(), up.all());
        try {
            scenario("static-pod");
            String manifest = Lab.sshOk("etcd-02", "cat /etc/kubernetes/manifests/etcd.yaml");
            Matcher m = Pattern.compile("--data-dir=(/var/lib/etcd-restored-\\S+)").matcher(manifest);
            assertTrue(m.find(), manifest);
            assertTrue(manifest.contains("path: " + m.group(1)), "hostPath moved together with --data-dir: " + manifest);
        } finally {
            Cmd.Result back = Lab.script("up");
            assertEquals(0, back.exit(), "the shared lab is back to the script style: " + back.all());
        }
    }

    private void scenario(String style) throws Exception {
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/restore-it/" + style));
        String eps = Lab.endpoints();
        Map<String, String> expected = new LinkedHashMap<>();
        List<String> ops = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            String k = "/dr/" + style + "/key-" + i;
            String v = "value-" + i + "-" + Integer.toHexString(k.hashCode());
            expected.put(k, v);
            ops.add("put " + k + " " + v);
        }
        Lab.txn(dir, eps, ops);
        Path snap = backup(dir);

        // the "incident": deletes, overwrites and new keys after the backup
        List<String> damage = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            damage.add("del /dr/" + style + "/key-" + i);
            damage.add("put /dr/" + style + "/key-" + (5000 + i) + " overwritten");
        }
        for (int i = 0; i < 500; i++) {
            damage.add("put /dr/" + style + "/new-" + i + " x");
        }
        Lab.txn(dir, eps, damage);
        String oldIds = Lab.etcdctl(eps, "member", "list").out();

        Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + snap, "--yes");
        assertEquals(0, r.exit(), r.all());

        assertEquals(0, Lab.etcdctl(eps, "endpoint", "health").exit(), "every member healthy");
        String members = Lab.etcdctl(eps, "member", "list").out();
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertTrue(members.contains(", started, " + h + ", "), members);
        }
        assertTrue(!members.equals(oldIds), "restore gave the members new ids");
        List<String> hs = Lab.hashes(eps);
        assertEquals(3, hs.size(), hs.toString());
        assertEquals(1, hs.stream().distinct().count(), "members agree: " + hs);

        Map<String, String> actual = new LinkedHashMap<>();
        List<String> lines = Lab.etcdctl(eps, "get", "--prefix", "/dr/" + style + "/").out().lines().toList();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            actual.put(lines.get(i), lines.get(i + 1));
        }
        assertEquals(expected.size(), actual.size(), "exactly the snapshot's keys");
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(actual), "exactly the snapshot's values");
        String env = style.equals("script") ? Lab.sshOk("etcd-01", "cat /etc/etcd/etcd.env") : "";
        if (style.equals("script")) {
            assertTrue(env.contains("ETCD_DATA_DIR=/var/lib/etcd-restored-"), env);
            assertEquals(0, Lab.ssh("etcd-01", "test -d /var/lib/etcd/member").exit(), "the old data dir was kept");
        }
    }

    private static Path backup(Path dir) throws Exception {
        Cmd.Result r = Cmd.runbook("apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + dir.resolve("backups"));
        assertEquals(0, r.exit(), r.all());
        return Lab.snapshotOf(r);
    }


    private static String etcdPids() throws Exception {
        return etcdPids("etcd-01", "etcd-02", "etcd-03");
    }

    private static String etcdPids(String... hosts) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String h : hosts) {
            sb.append(h).append('=').append(Lab.sshOk(h, "pidof etcd").trim()).append(' ');
        }
        return sb.toString();
    }
}
