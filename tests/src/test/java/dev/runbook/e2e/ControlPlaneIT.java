package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Kubernetes control plane around etcd, on the lab: the static-pod style runs an API-server
 * stand-in from its manifest (lab/kube-apiserver: a watch resumed from its last revision, a
 * heartbeat key), the Kubernetes PKI and an EncryptionConfiguration; the script style has no API
 * server (etcdadm's layout, /etc/etcd). The backup writes the age-encrypted control-plane bundle;
 * the age CLI opens it with the identity and nothing opens it without; a restore refuses a wrong
 * identity and a bundle of another snapshot before anything changes; a member whose files were
 * wiped gets them back from the bundle, with their modes and owners; the API servers are down
 * before the first member stops and up again only after verification.
 */
@ExtendWith(Lab.class)
class ControlPlaneIT {
    /** Both etcd versions with static pods, the production shape with static pods, and the script style (no API server). */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String v : Lab.VERSIONS) {
            out.add(Arguments.of(v, "static-pod", "lab"));
        }
        if (Lab.ACCESS.contains("production")) {
            out.add(Arguments.of(Lab.VERSIONS.get(0), "static-pod", "production"));
        }
        out.add(Arguments.of(Lab.VERSIONS.get(Lab.VERSIONS.size() - 1), "script", "lab"));
        return out.stream();
    }

    @ParameterizedTest(name = "etcd {0}, {1}, {2} shape")
    @MethodSource("cases")
    void theBundleRebuildsAWipedMemberAndTheApiServersWaitForTheVerifiedCluster(String etcd, String style, String access) throws Exception {
        Path dir = Lab.freshFor("ControlPlaneIT", etcd, style, access);
        boolean pods = style.equals("static-pod");
        String eps = Lab.endpoints();
        List<String> members = List.of(Lab.env("LAB_MEMBERS").split(" "));
        Lab.putKeys(dir, eps, "/cp/", 120);

        Path id = dir.resolve("id.txt");
        Files.deleteIfExists(id);
        ok(Cmd.run(Lab.REPO, List.of("age-keygen", "-o", id.toString()), 30));
        String recipient = ok(Cmd.run(Lab.REPO, List.of("age-keygen", "-y", id.toString()), 30)).out().trim();
        Path stranger = dir.resolve("stranger.txt");
        Files.deleteIfExists(stranger);
        ok(Cmd.run(Lab.REPO, List.of("age-keygen", "-o", stranger.toString()), 30));

        // ---- backup: the snapshot, and the bundle kept apart from it ----
        Cmd.Result b = Cmd.runbook("apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + dir.resolve("backups"),
                "--var", "bundle_dir=" + dir.resolve("offsite"), "--var", "bundle_recipients=" + recipient, "--yes");
        assertEquals(0, b.exit(), b.all());
        Path snap = Lab.snapshotOf(b);
        // the bundle of a backup has its snapshot's timestamp
        Path bundle = dir.resolve("offsite").resolve(snap.getFileName().toString().replaceFirst("^snapshot_(.*)\\.db$", "controlplane_$1.tar.gz.age"));
        assertTrue(Files.isRegularFile(bundle), "no " + bundle + ": " + b.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
        assertTrue(new String(Files.readAllBytes(bundle), StandardCharsets.ISO_8859_1).startsWith("age-encryption.org/v1\n"));
        assertFalse(new String(Files.readAllBytes(bundle), StandardCharsets.ISO_8859_1).contains("PRIVATE KEY"), "nothing in the clear");
        assertFalse(b.all().contains("BEGIN") || journalOf(b).contains("PRIVATE KEY"), "no key material in the output or the journal");

        // the age CLI opens it with the identity, and the files are the members' files, byte for byte
        Path plain = Files.createDirectories(dir.resolve("plain"));
        ok(Cmd.run(plain, List.of("bash", "-c", "rm -rf ./* && age -d -i " + id + " " + bundle + " | tar -xz && sha256sum --quiet -c SHA256SUMS"), 60));
        String meta = Files.readString(plain.resolve("bundle.json"));
        assertTrue(meta.contains(Files.readString(Path.of(snap + ".sha256")).split(" ")[0]), "the bundle records its snapshot: " + meta);
        List<String> kept = pods
                ? List.of("/etc/kubernetes/pki/ca.key", "/etc/kubernetes/pki/sa.key", "/etc/kubernetes/enc/encryption-config.yaml",
                        "/etc/kubernetes/manifests/etcd.yaml", "/etc/kubernetes/manifests/kube-apiserver.yaml", "/etc/kubernetes/pki/etcd/peer.key")
                : List.of("/etc/etcd/etcd.env", "/etc/etcd/pki/server.key", "/etc/etcd/pki/peer.key", "/etc/etcd/pki/ca.crt");
        for (String m : members) {
            for (String f : kept) {
                String onHost = Lab.onHostOk(m, "sha256sum " + f).split(" ")[0];
                assertEquals(onHost, sha256(plain.resolve("hosts/" + m + f)), m + ":" + f);
            }
        }
        Cmd.Result noKey = Cmd.run(Lab.REPO, List.of("bash", "-c", "age -d -i " + stranger + " " + bundle + " >/dev/null"), 30);
        assertNotEquals(0, noKey.exit(), "a stranger's identity opens the bundle");

        // ---- bad input stops before anything changes ----
        String apiPids = pods ? apiServerPids(members) : "";
        Cmd.Result wrongId = restore(snap, bundle, stranger);
        assertNotEquals(0, wrongId.exit(), wrongId.all());
        assertTrue(wrongId.out().contains("wrong identity for control-plane bundle"), wrongId.all());
        // another snapshot: one more write first (a snapshot of the same data is the same file)
        Lab.putKeys(dir, eps, "/cp-later/", 1);
        b = Cmd.runbook("apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + dir.resolve("backups2"), "--var", "bundle=off", "--yes");
        assertEquals(0, b.exit(), b.all());
        Cmd.Result otherSnap = restore(Lab.snapshotOf(b), bundle, id);
        assertNotEquals(0, otherSnap.exit(), otherSnap.all());
        assertTrue(otherSnap.out().contains("taken with another snapshot"), otherSnap.all());
        List<Cmd.Result> refused = new ArrayList<>(List.of(wrongId, otherSnap));
        if (pods) {
            // an inventory that puts the manifests dir where the hosts have none
            Path inv = dir.resolve("wrong-manifests-dir.yml");
            Files.writeString(inv, Files.readString(Lab.INVENTORY).replace("service_manager: static-pod", "service_manager: static-pod\n    static_pod_dir: /etc/kubernetes/nowhere"));
            Cmd.Result wrongDir = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", inv.toString(), "--var", "snapshot=" + snap, "--yes");
            assertNotEquals(0, wrongDir.exit(), wrongDir.all());
            assertTrue(Pattern.compile("failed\\s+etcd-\\d+\\s+writers-found .*no manifests dir /etc/kubernetes/nowhere").matcher(wrongDir.out()).find(), wrongDir.all());
            assertFalse(wrongDir.out().contains("== confirm"), "went on past the check: " + wrongDir.out());
            refused.add(wrongDir);
        }
        for (Cmd.Result r : refused) {
            assertFalse(Pattern.compile("changed\\s+\\S+\\s+put-back ").matcher(r.out()).find() || r.out().contains("== stop-writers"), "went on past the checks: " + r.out());
        }
        assertEquals(120, Lab.countKeys(eps, "/cp/"), "the cluster changed");
        assertEquals(1, Lab.countKeys(eps, "/cp-later/"), "the cluster changed");
        if (pods) {
            assertEquals(apiPids, apiServerPids(members), "an API server was restarted by a refused run");
        }

        // ---- a member rebuilt from scratch: its control-plane files are gone ----
        String victim = members.get(1);
        String wiped = pods ? "/etc/kubernetes" : "/etc/etcd/pki";
        Lab.onHostOk(victim, "mv " + wiped + " /root/wiped && for i in $(seq 100); do pgrep -x kube-apiserver >/dev/null || break; sleep 0.1; done");
        Cmd.Result r = restore(snap, bundle, id);
        assertEquals(0, r.exit(), r.all());
        assertTrue(Pattern.compile("changed\\s+" + victim + "\\s+put-back .*wrote \\d+ file").matcher(r.out()).find(), r.out());
        // the same files, modes, owners and contents as before the wipe
        // (etcd.yaml aside: the restore repointed it; the lab's etcd.yaml.lab is no control-plane file)
        String list = "cd %s && { find . -printf '%%M %%U:%%G %%p\\n' | sort -k3; find . -type f -exec sha256sum {} + | sort -k2; } | grep -v -e etcd.yaml -e manifests.stopped";
        assertEquals(Lab.onHostOk(victim, list.formatted("/root/wiped")), Lab.onHostOk(victim, list.formatted(wiped)), "the put-back files");
        assertEquals(120, Lab.countKeys(eps, "/cp/"), "the snapshot's keys");
        assertEquals(1, Lab.hashes(eps).stream().distinct().count(), "members agree");

        // ---- the API servers: down before the first member stopped, up after verification ----
        String journal = journalOf(r);
        if (pods) {
            assertTrue(lastEnd(journal, "stop-writers") <= stepStart(journal, "stop-followers"), "an API server was still stopping when etcd stopped");
            // (as-snapshot is skipped when the heartbeats made the snapshot's key count inexact)
            for (String verify : List.of("members", "agree", "check")) {
                assertTrue(stepStart(journal, "start-writers") >= lastEnd(journal, verify), "an API server started before " + verify);
            }
            for (String m : members) {
                Lab.waitFor("the API server stand-in on " + m + " runs again and wrote its heartbeat", 30,
                        () -> Lab.onHost(m, "pgrep -x kube-apiserver").exit() == 0
                                && Lab.etcdctl(eps, "get", "/registry/lab/heartbeat/" + m, "-w", "json").out().contains("\"mod_revision\""));
                String log = Lab.onHostOk(m, "cat /var/log/pods/kube-apiserver.log");
                int stop = log.lastIndexOf("stopping (SIGTERM)");
                assertTrue(stop >= 0 || m.equals(victim), m + ": the stand-in never stopped: " + log);
                if (r.out().contains("revision bumped")) {
                    // a bumped, compacted restore cancels the watch the API server resumes (etcd 3.5's etcdutl)
                    Lab.waitFor(m + "'s watch to be cancelled as compacted", 30,
                            () -> Lab.onHostOk(m, "cat /var/log/pods/kube-apiserver.log").contains("has been compacted"));
                }
            }
        } else {
            assertTrue(r.out().contains("not on this host: kube-apiserver"), "the script style has no API server: " + r.out());
        }
        if (pods && access.equals("lab") && etcd.equals(Lab.VERSIONS.get(0))) {
            anApiServerThatDoesNotExitStopsTheRunBeforeEtcdIsTouched(dir, members.get(0), eps);
        }
    }

    /** A kube-apiserver process the kubelet does not manage (it never exits): the writers' stop times out, etcd is never stopped. */
    private static void anApiServerThatDoesNotExitStopsTheRunBeforeEtcdIsTouched(Path dir, String host, String eps) throws Exception {
        Lab.onHostOk(host, "mkdir -p /root/stuck && cp /bin/sleep /root/stuck/kube-apiserver && (setsid /root/stuck/kube-apiserver 600 </dev/null >/dev/null 2>&1 &) "
                + "&& sleep 0.2 && pgrep -f '^/root/stuck/kube-apiserver 600' > /root/stuck/pid");
        try {
            Path snap;
            try (Stream<Path> s = Files.list(dir.resolve("backups2"))) {
                snap = s.filter(p -> p.toString().endsWith(".db")).findFirst().orElseThrow();
            }
            String etcdPids = Lab.onHostOk(host, "pgrep -x etcd");
            Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + snap, "--yes");
            assertNotEquals(0, r.exit(), r.all());
            assertTrue(Pattern.compile("failed\\s+" + host + "\\s+stop-writers .*kube-apiserver still running after \\d+s").matcher(r.out()).find(), r.out());
            assertFalse(r.out().contains("== stop-followers"), "etcd was touched: " + r.out());
            assertEquals(etcdPids, Lab.onHostOk(host, "pgrep -x etcd"), "etcd restarted");
            assertEquals(120, Lab.countKeys(eps, "/cp/"));
        } finally {
            Lab.onHost(host, "kill $(cat /root/stuck/pid)");
        }
    }

    private static Cmd.Result restore(Path snap, Path bundle, Path identity) throws Exception {
        return Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + snap, "--var", "bundle=" + bundle,
                "--var", "identity=" + identity, "--yes");
    }

    private static String apiServerPids(List<String> members) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String m : members) {
            sb.append(m).append('=').append(Lab.onHostOk(m, "pgrep -o -x kube-apiserver").trim()).append(' ');
        }
        return sb.toString();
    }

    private static Cmd.Result ok(Cmd.Result r) {
        assertEquals(0, r.exit(), r.all());
        return r;
    }

    private static String sha256(Path file) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        return java.util.HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
    }

    private static String journalOf(Cmd.Result r) throws Exception {
        Matcher m = Pattern.compile("run (\\d{8}T\\d{6}Z-[0-9a-f]{4})").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Files.readString(Lab.REPO.resolve(".runbook/runs").resolve(m.group(1)).resolve("journal.jsonl"));
    }

    /** When a step started (its step_start event). */
    private static long stepStart(String journal, String step) {
        Matcher m = Pattern.compile("\\{\"event\":\"step_start\",\"time\":(\\d+),\"step\":\"" + Pattern.quote(step) + "\"").matcher(journal);
        assertTrue(m.find(), "no step_start of " + step);
        return Long.parseLong(m.group(1));
    }

    /** When the last host of a step finished (its host_end events: start + millis). */
    private static long lastEnd(String journal, String step) {
        Matcher m = Pattern.compile("\\{\"event\":\"host_end\",\"time\":\\d+,\"step\":\"" + Pattern.quote(step) + "\",\"host\":\"[^\"]+\",\"status\":\"(?:ok|changed)\",\"start\":(\\d+),\"millis\":(\\d+)")
                .matcher(journal);
        long last = -1;
        while (m.find()) {
            last = Math.max(last, Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)));
        }
        assertTrue(last > 0, "no host of " + step + " finished");
        return last;
    }
}
