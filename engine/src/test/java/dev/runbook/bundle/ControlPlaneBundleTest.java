package dev.runbook.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle's format (modes, owners, SHA256SUMS) and its age encryption, read back by this code and by the age CLI. */
class ControlPlaneBundleTest {
    @TempDir
    Path dir;

    /** A fresh age identity and its recipient, in the age CLI's file format. */
    private String[] keyPair() throws Exception {
        KeyPair kp = new X25519KeyPairGenerator().generateKeyPair();
        return new String[] {kp.getPrivate().toString(), kp.getPublic().toString()};
    }

    private static ControlPlaneBundle sample() {
        List<ControlPlaneBundle.Entry> entries = List.of(
                new ControlPlaneBundle.Entry("cp-1", "/etc/kubernetes/pki", 0700, 0, 0, 1_700_000_000_000L, null, null, true),
                new ControlPlaneBundle.Entry("cp-1", "/etc/kubernetes/pki/ca.key", 0600, 0, 0, 1_700_000_000_000L, "KEY\n".getBytes(StandardCharsets.UTF_8), null, false),
                new ControlPlaneBundle.Entry("cp-2", "/etc/etcd/etcd.env", 0640, 0, 996, 1_700_000_000_000L, "ETCD_NAME=cp-2\n".getBytes(StandardCharsets.UTF_8), null, false),
                new ControlPlaneBundle.Entry("cp-2", "/etc/etcd/current", 0777, 0, 0, 1_700_000_000_000L, null, "/etc/etcd/pki", false));
        return new ControlPlaneBundle(Map.of("format", ControlPlaneBundle.FORMAT, "snapshot", Map.of("sha256", "ab".repeat(32))), entries);
    }

    @Test
    void aBundleRoundTripsWithModesOwnersAndLinks() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sample().write(out);
        ControlPlaneBundle back = ControlPlaneBundle.read(new ByteArrayInputStream(out.toByteArray()), "test");
        assertEquals("ab".repeat(32), back.snapshotSha256());
        ControlPlaneBundle.Entry env = back.entries("cp-2").get(0);
        assertEquals("/etc/etcd/etcd.env", env.path());
        assertEquals(0640, env.mode());
        assertEquals(996, env.gid());
        assertArrayEquals("ETCD_NAME=cp-2\n".getBytes(StandardCharsets.UTF_8), env.content());
        assertEquals("/etc/etcd/pki", back.entries("cp-2").get(1).linkTarget());
        assertTrue(back.entries("cp-1").get(0).directory());
        assertEquals(0700, back.entries("cp-1").get(0).mode());

        // a host's own tar round-trips through the format a host's GNU tar writes
        byte[] hostTar = ControlPlaneBundle.hostTar(back.entries("cp-1"));
        List<ControlPlaneBundle.Entry> again = ControlPlaneBundle.fromHostTar("cp-1", hostTar);
        assertEquals(List.of("/etc/kubernetes/pki", "/etc/kubernetes/pki/ca.key"), again.stream().map(ControlPlaneBundle.Entry::path).toList());
        assertEquals(0600, again.get(1).mode());
    }

    @Test
    void aFileThatDoesNotMatchItsSumIsRefused() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlPlaneBundle s = sample();
        List<ControlPlaneBundle.Entry> changed = new java.util.ArrayList<>(s.entries());
        new ControlPlaneBundle(s.meta(), changed).write(out);
        // rewrite the tar with one file's bytes changed but SHA256SUMS kept: read must refuse
        byte[] gz = out.toByteArray();
        byte[] tar = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
        String t = new String(tar, StandardCharsets.ISO_8859_1).replace("ETCD_NAME=cp-2", "ETCD_NAME=cp-X");
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (OutputStream z = new java.util.zip.GZIPOutputStream(again)) {
            z.write(t.getBytes(StandardCharsets.ISO_8859_1));
        }
        IOException e = assertThrows(IOException.class, () -> ControlPlaneBundle.read(new ByteArrayInputStream(again.toByteArray()), "b.age"));
        assertTrue(e.getMessage().contains("hosts/cp-2/etc/etcd/etcd.env does not match its sha256"), e.getMessage());
        assertThrows(IOException.class, () -> ControlPlaneBundle.read(new ByteArrayInputStream("not gzip".getBytes(StandardCharsets.UTF_8)), "b.age"));
    }

    @Test
    void encryptedToARecipientItOpensOnlyWithItsIdentity() throws Exception {
        String[] mine = keyPair();
        String[] other = keyPair();
        Path idFile = Files.writeString(dir.resolve("id.txt"), "# created: now\n# public key: " + mine[1] + "\n" + mine[0] + "\n");
        Path otherId = Files.writeString(dir.resolve("other.txt"), other[0] + "\n");
        Path recipients = Files.writeString(dir.resolve("recipients.txt"), "# the team\n" + mine[1] + "\n");
        List<String> to = Age.recipients(other[1] + " " + recipients, dir);
        assertEquals(List.of(other[1], mine[1]), to);

        Path file = dir.resolve("b.tar.gz.age");
        try (OutputStream out = Age.encrypt(Files.newOutputStream(file), to)) {
            sample().write(out);
        }
        assertTrue(Files.readString(file, StandardCharsets.ISO_8859_1).startsWith("age-encryption.org/v1\n"));
        try (InputStream in = Age.decrypt(Files.newInputStream(file), Age.identities(idFile), "b")) {
            assertEquals(2, ControlPlaneBundle.read(in, "b").entries("cp-2").size());
        }
        try (InputStream in = Age.decrypt(Files.newInputStream(file), Age.identities(otherId), "b")) {
            assertEquals(2, ControlPlaneBundle.read(in, "b").entries("cp-1").size(), "every recipient can open it");
        }
        Path stranger = Files.writeString(dir.resolve("stranger.txt"), keyPair()[0] + "\n");
        IOException e = assertThrows(IOException.class, () -> {
            try (InputStream in = Age.decrypt(Files.newInputStream(file), Age.identities(stranger), "bundle b")) {
                ControlPlaneBundle.read(in, "b");
            }
        });
        assertTrue(e.getMessage().contains("wrong identity for bundle b"), e.getMessage());

        // the age CLI reads what this code writes (Debian's age; skipped where it is not installed)
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/age")), "the age CLI is not installed");
        Process p = new ProcessBuilder("age", "-d", "-i", idFile.toString(), file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] plain = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals(2, ControlPlaneBundle.read(new ByteArrayInputStream(plain), "b").entries("cp-1").size());
    }

    @Test
    void badKeysAndFilesAreNamedWithoutTheirSecrets() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Age.recipients("age1notakey", dir));
        assertTrue(e.getMessage().contains("age1notakey is not a valid age1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Age.recipients("missing.txt", dir));
        assertTrue(e.getMessage().contains("neither an age1... public key nor a recipients file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Age.recipients(" ", dir));
        assertTrue(e.getMessage().contains("no age recipient given"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Age.identities(dir.resolve("none.txt")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path sshKey = Files.writeString(dir.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nsecretstuff\n");
        e = assertThrows(IllegalArgumentException.class, () -> Age.identities(sshKey));
        assertTrue(e.getMessage().contains("not an AGE-SECRET-KEY-1"), e.getMessage());
        assertTrue(!e.getMessage().contains("secretstuff"), e.getMessage());
    }
}
