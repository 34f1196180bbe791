package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * etcd on the production shape, where this machine reaches no client port and holds no
 * certificate: the TLS material the run reads on the members, and what happens when it is wrong
 * (stopped before any step, naming the host and the file) or when the tunnel breaks mid-snapshot
 * (no partial file; resume takes the snapshot).
 */
@ExtendWith(Lab.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionEtcdIT {
    private static final Path DIR = Lab.REPO.resolve("tests/target/production-etcd-it");

    /** The lab's inventory with more variables under all.vars. */
    private static Path inventoryWith(String name, String... vars) throws Exception {
        Files.createDirectories(DIR);
        String inv = Files.readString(Lab.INVENTORY);
        StringBuilder extra = new StringBuilder();
        for (String v : vars) {
            extra.append("    ").append(v).append('\n');
        }
        Path p = DIR.resolve(name + ".yml");
        Files.writeString(p, inv.replaceFirst("(?m)^  vars:\n", "  vars:\n" + extra));
        return p;
    }

    private static Cmd.Result backup(Path inventory, String root) throws Exception {
        return Cmd.runbook("apply", "runbooks/backup.yml", "-i", inventory.toString(), "--var", "backup_root=" + DIR.resolve(root), "--yes");
    }

    @Test
    @Order(1)
    void noCertificateHereAndNoPortOpenToHereTheBackupReadsTheMembersFilesAndSaysSo() throws Exception {
        Lab.fresh(Lab.Shape.of(Lab.VERSIONS.get(0), "static-pod", "production"));
        String inv = Files.readString(Lab.INVENTORY);
        assertFalse(inv.contains("etcd_ca") || inv.contains("etcd_cert") || inv.contains("etcd_key"), inv);
        assertFalse(Files.exists(Lab.STATE.resolve("pki")), "no certificate on this machine");
        // the client port is closed to this machine
        String ep = Lab.endpoints().split(",")[0];
        Cmd.Result probe = Cmd.run(Lab.REPO, List.of("bash", "-c", "exec 3<>/dev/tcp/" + ep.replaceAll("https://|:2379", "") + "/2379"), 10);
        assertTrue(probe.exit() != 0, "the client port answered this machine: " + probe.all());
        // root's alone on the members
        assertEquals("700", Lab.onHostOk("etcd-01", "stat -c %a /etc/kubernetes/pki/etcd").trim());

        Cmd.Result r = backup(Lab.INVENTORY, "b1");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("etcd access auto: through the SSH connections of etcd-01, etcd-02, etcd-03"), r.out());
        // static pods: found from the manifest (or the running etcd's flags), kubeadm's healthcheck-client pair (a SEC1 key)
        assertTrue(r.out().contains("/etc/kubernetes/pki/etcd/healthcheck-client.crt") && r.out().contains("kubeadm's healthcheck-client"), r.out());
        assertTrue(Files.isRegularFile(Lab.snapshotOf(r)));
        // the journal says it too, and holds no key
        Path journal = Lab.REPO.resolve(".runbook/runs").resolve(runId(r)).resolve("journal.jsonl");
        String j = Files.readString(journal);
        assertTrue(j.contains("through the SSH connections of etcd-01"), j);
        assertFalse(j.contains("PRIVATE KEY"), "no key in the journal");
    }

    @Test
    @Order(2)
    void aFileThatCannotBeReadOrAKeyThatIsNotTheCertificatesStopsTheRunBeforeAnyStep() throws Exception {
        Cmd.Result missing = backup(inventoryWith("missing", "etcd_member_ca: /etc/kubernetes/pki/etcd/no-such-ca.crt"), "b2");
        assertTrue(missing.exit() != 0, missing.all());
        assertTrue(missing.all().contains("etcd-01:/etc/kubernetes/pki/etcd/no-such-ca.crt"), missing.all());
        assertFalse(missing.out().contains("== quorum"), "no step ran: " + missing.out());

        Cmd.Result mismatch = backup(inventoryWith("mismatch", "etcd_member_cert: /etc/kubernetes/pki/etcd/healthcheck-client.crt",
                "etcd_member_key: /etc/kubernetes/pki/etcd/server.key"), "b3");
        assertTrue(mismatch.exit() != 0, mismatch.all());
        assertTrue(mismatch.all().contains("the key etcd-01:/etc/kubernetes/pki/etcd/server.key does not belong to the certificate "
                + "etcd-01:/etc/kubernetes/pki/etcd/healthcheck-client.crt"), mismatch.all());
        assertFalse(mismatch.out().contains("== quorum"), "no step ran: " + mismatch.out());
    }

    @Test
    @Order(3)
    void aServerCertificateOfAnotherCaOrAClientCertificateTheClusterRefusesIsNamedAtTheFirstEtcdStep() throws Exception {
        // another CA and a client pair it signed, on the member (made there, as root)
        Lab.onHostOk("etcd-01", "cd /etc/kubernetes/pki/etcd && openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                + "-keyout other-ca.key -out other-ca.crt -days 1 -subj /CN=other 2>/dev/null && openssl req -new -nodes -newkey ec "
                + "-pkeyopt ec_paramgen_curve:P-256 -keyout rogue.key -out rogue.csr -subj /CN=rogue 2>/dev/null && printf "
                + "'extendedKeyUsage=clientAuth\\n' >rogue.ext && openssl x509 -req -in rogue.csr -CA other-ca.crt -CAkey other-ca.key "
                + "-CAcreateserial -days 1 -extfile rogue.ext -out rogue.crt 2>/dev/null");
        Cmd.Result wrongCa = backup(inventoryWith("wrong-ca", "etcd_member_ca: /etc/kubernetes/pki/etcd/other-ca.crt",
                "etcd_member_cert: /etc/kubernetes/pki/etcd/healthcheck-client.crt", "etcd_member_key: /etc/kubernetes/pki/etcd/healthcheck-client.key"), "b4");
        assertTrue(wrongCa.exit() != 0, wrongCa.all());
        // the step's whole message is in the journal (the console shortens it)
        String said = journalOf(wrongCa);
        assertTrue(said.contains("not signed by the CA in use"), said);
        assertTrue(said.contains("TLS material: etcd-01: CA /etc/kubernetes/pki/etcd/other-ca.crt"), "the CA in use is named: " + said);

        Cmd.Result refused = backup(inventoryWith("refused", "etcd_member_cert: /etc/kubernetes/pki/etcd/rogue.crt",
                "etcd_member_key: /etc/kubernetes/pki/etcd/rogue.key"), "b5");
        assertTrue(refused.exit() != 0, refused.all());
        said = journalOf(refused);
        assertTrue(said.contains("refused the client certificate"), said);
        assertTrue(said.contains("client /etc/kubernetes/pki/etcd/rogue.crt"), "the certificate in use is named: " + said);
        assertEquals(0, Lab.etcdctl(Lab.endpoints(), "endpoint", "health").exit(), "the cluster was not touched");
    }

    @Test
    @Order(4)
    void aTunnelThatBreaksMidSnapshotLeavesNoPartialFileAndResumeTakesTheSnapshot() throws Exception {
        // ~200 MB of values so the stream lasts long enough to be cut
        String eps = Lab.endpoints();
        Path big = Files.createDirectories(DIR.resolve("big"));
        Files.writeString(big.resolve("v"), "x".repeat(1_000_000));
        Cmd.Result put = Cmd.run(Lab.REPO, List.of("bash", "-c", "for i in $(seq 200); do " + Lab.etcdctlCommand(eps) + " put /big/$i < "
                + big.resolve("v") + " >/dev/null || exit 1; done"), 300);
        assertEquals(0, put.exit(), put.all());
        Path root = DIR.resolve("b6");
        if (Files.exists(root)) {
            try (Stream<Path> old = Files.walk(root)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Path log = DIR.resolve("cut.log");
        Process run = Cmd.start(log, java.util.Map.of("SSH_AUTH_SOCK", Lab.agentSocket().toString()),
                "apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + root, "--yes");
        // as soon as the snapshot streams, every member's SSH sessions are killed: the tunnel goes with them
        Lab.waitFor("the snapshot to stream", 120, () -> partial(root) != null && Files.size(partial(root)) > 1_000_000 || !run.isAlive());
        Cmd.run(Lab.REPO, List.of("bash", "-c", "for h in etcd-01 etcd-02 etcd-03; do lab/fault drop-ssh $h & done; wait"), 60);
        assertTrue(run.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        String out = Files.readString(log);
        assertTrue(run.exitValue() != 0, "the cut run failed: " + out);
        assertTrue(out.contains("failed") && out.contains("snapshot"), out);
        assertEquals(null, partial(root), "no partial snapshot left");
        try (Stream<Path> s = Files.exists(root) ? Files.walk(root) : Stream.empty()) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".db")), "no snapshot from the cut run");
        }
        Cmd.Result resumed = Cmd.runbook("resume", runIdOf(out), "--yes");
        assertEquals(0, resumed.exit(), resumed.all());
        Path snap = Lab.snapshotOf(resumed);
        assertTrue(Files.size(snap) > 190_000_000L, "the whole snapshot: " + Files.size(snap));
    }

    /** The .part file of a streaming snapshot under {@code root}, or null. */
    private static Path partial(Path root) throws Exception {
        if (!Files.exists(root)) {
            return null;
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".db.part")).findFirst().orElse(null);
        }
    }

    private static String journalOf(Cmd.Result r) throws Exception {
        return Files.readString(Lab.REPO.resolve(".runbook/runs").resolve(runId(r)).resolve("journal.jsonl"));
    }

    private static String runId(Cmd.Result r) {
        return runIdOf(r.out());
    }

    private static String runIdOf(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("run (\\d{8}T\\d{6}Z-[0-9a-f]{4})").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }
}
