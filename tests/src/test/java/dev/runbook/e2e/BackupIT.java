package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;

/** runbooks/backup.yml against the lab's TLS cluster: the snapshot holds exactly the data written before it. */
@ExtendWith(Lab.class)
class BackupIT {
    @ParameterizedTest(name = "etcd {0}, {1}")
    @MethodSource("dev.runbook.e2e.Lab#versionsAndShapes")
    void backupTakesAVerifiedSnapshotThatRestoresTheData(String etcd, String access) throws Exception {
        Lab.fresh(Lab.Shape.of(etcd, "script", access));
        String endpoints = Lab.endpoints();
        for (int i = 0; i < 50; i++) {
            Cmd.Result put = Lab.etcdctl(endpoints, "put", "/e2e/backup/key-" + i, "value-" + i);
            assertEquals(0, put.exit(), put.err());
        }
        Path root = Lab.REPO.resolve("tests/target/backups-it/" + etcd + "-" + access);
        Cmd.Result r = Cmd.runbook("apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + root);
        assertEquals(0, r.exit(), r.all());
        Matcher m = Pattern.compile("snapshot: (\\S+\\.db)").matcher(r.out());
        assertTrue(m.find(), "the run says where the snapshot is: " + r.out());
        Path snap = Path.of(m.group(1));
        assertTrue(Files.isRegularFile(snap), snap.toString());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(snap)));
        assertEquals(sha + "  " + snap.getFileName(), Files.readString(Path.of(snap + ".sha256")).trim());
        String meta = Files.readString(Path.of(snap + ".json"));
        assertTrue(meta.contains("\"keys\" : ") && meta.contains("\"revision\" : ") && meta.contains("\"etcd_version\" : \"" + etcd + "."), meta);

        // the data: restore the snapshot (with the version's own tool) into a scratch dir, start a
        // throwaway etcd of that version on loopback, read the keys back
        Path scratch = root.resolve("restore-" + System.nanoTime());
        String restoreTool = Files.isExecutable(Path.of(Lab.tool("etcdutl"))) ? Lab.tool("etcdutl") : Lab.tool("etcdctl");
        Cmd.Result restore = Cmd.run(Lab.REPO, List.of(restoreTool, "snapshot", "restore", snap.toString(), "--data-dir", scratch.toString()), 60);
        assertEquals(0, restore.exit(), restore.all());
        int client = freePort();
        int peer = freePort();
        Process server = new ProcessBuilder(Lab.tool("etcd"), "--data-dir", scratch.toString(), "--listen-client-urls", "http://127.0.0.1:" + client,
                "--advertise-client-urls", "http://127.0.0.1:" + client, "--listen-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer, "--initial-cluster", "default=http://127.0.0.1:" + peer)
                .redirectErrorStream(true).redirectOutput(root.resolve("etcd-restore.log").toFile()).start();
        try {
            String ep = "--endpoints=http://127.0.0.1:" + client;
            Lab.waitFor("the restored etcd", 30, () -> Cmd.run(Lab.REPO, List.of(Lab.tool("etcdctl"), ep, "endpoint", "health"), 10).exit() == 0);
            Cmd.Result keys = Cmd.run(Lab.REPO, List.of(Lab.tool("etcdctl"), ep, "get", "--prefix", "/e2e/backup/", "--keys-only"), 30);
            assertEquals(50, keys.out().lines().filter(l -> !l.isBlank()).count(), keys.out());
            Cmd.Result v = Cmd.run(Lab.REPO, List.of(Lab.tool("etcdctl"), ep, "get", "/e2e/backup/key-42", "--print-value-only"), 30);
            assertEquals("value-42", v.out().trim());
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
