package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lazy known_hosts check decides as sshj's own reader does, line kinds included, except where
 * sshj differs from OpenSSH: revoked keys and negated patterns.
 */
class HostKeyPolicyTest {
    @TempDir
    Path dir;

    private static PublicKey ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    }

    private static String blob(PublicKey k) {
        return Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(k).getCompactData());
    }

    private static String hashed(String host, PublicKey k) throws Exception {
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] h = mac.doFinal(host.getBytes(StandardCharsets.UTF_8));
        Base64.Encoder b = Base64.getEncoder();
        return "|1|" + b.encodeToString(salt) + "|" + b.encodeToString(h) + " ssh-ed25519 " + blob(k);
    }

    private record Case(String host, int port, PublicKey key) {
    }

    @Test
    void decidesAsSshjDoesForEveryKindOfLine() throws Exception {
        PublicKey a = ed25519(), b = ed25519(), c = ed25519(), w = ed25519(), p = ed25519(), r = ed25519(), other = ed25519();
        String content = String.join("\n",
                "# a comment",
                "",
                "alpha.example,10.0.0.1 ssh-ed25519 " + blob(a) + " a comment",
                hashed("beta.example", b),
                "*.wild.example ssh-ed25519 " + blob(w),
                "[gamma.example]:2222 ssh-ed25519 " + blob(p),
                "@revoked delta.example ssh-ed25519 " + blob(r),
                "delta.example ssh-ed25519 " + blob(r),
                "epsilon.example ssh-ed25519 not-base64-at-all",
                "zeta.example",
                "Theta.Example ssh-ed25519 " + blob(c) + "\r",
                // a host named plainly AND by a wildcard line before it: both are its lines, in file order
                "*.order.example ssh-ed25519 " + blob(w),
                "one.order.example,two.order.example ssh-ed25519 " + blob(p),
                "");
        Path kh = dir.resolve("known_hosts");
        Files.writeString(kh, content);
        List<Case> cases = List.of(
                new Case("alpha.example", 22, a), new Case("10.0.0.1", 22, a), new Case("ALPHA.example", 22, a),
                new Case("alpha.example", 22, other), new Case("alpha.example", 2222, a),
                new Case("beta.example", 22, b), new Case("beta.example", 22, other), new Case("beta2.example", 22, b),
                new Case("x.wild.example", 22, w), new Case("x.wild.example", 22, other),
                new Case("gamma.example", 2222, p), new Case("gamma.example", 22, p), new Case("gamma.example", 2222, other),
                new Case("epsilon.example", 22, other), new Case("zeta.example", 22, other),
                new Case("theta.example", 22, c), new Case("unknown.example", 22, other),
                new Case("one.order.example", 22, w), new Case("one.order.example", 22, p), new Case("two.order.example", 22, other),
                new Case("three.order.example", 22, p));
        for (Case k : cases) {
            Reference ref = new Reference(kh.toFile());
            boolean expected = ref.verify(k.host(), k.port(), k.key());
            HostKeyPolicy check = new HostKeyPolicy(new KnownHostsFile(kh.toFile()), false);
            boolean got = check.verify(k.host(), k.port(), k.key());
            assertEquals(expected, got, "verify " + k);
            assertEquals(ref.outcome, check.outcome(), "outcome " + k);
            assertEquals(new HostKeyPolicy(new KnownHostsFile(kh.toFile()), false).findExistingAlgorithms(k.host(), k.port()),
                    ref.findExistingAlgorithms(k.host(), k.port()), "algorithms " + k);
        }
        // the cases above are not vacuous: each outcome occurs
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "alpha.example", a));
        assertEquals(HostKeyPolicy.Outcome.CHANGED, outcome(kh, "beta.example", other));
        // stricter than sshj, as OpenSSH: a revoked key stays refused though the next line lists it
        assertEquals(true, new Reference(kh.toFile()).verify("delta.example", 22, r));
        assertEquals(HostKeyPolicy.Outcome.REVOKED, outcome(kh, "delta.example", r));
        assertEquals(HostKeyPolicy.Outcome.UNKNOWN, outcome(kh, "unknown.example", other));
    }

    @Test
    void anEditedFileIsReadAgainEvenAtTheSameSize() throws Exception {
        // the parsed file is kept between connections while its size and mtime stay: an edit that
        // keeps the size (one key for another of the same type) must still be seen
        PublicKey oldKey = ed25519(), newKey = ed25519();
        Path kh = dir.resolve("known_hosts-edited");
        Files.writeString(kh, "host.example ssh-ed25519 " + blob(oldKey) + "\n");
        java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        Files.setLastModifiedTime(kh, hourAgo);
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "host.example", oldKey));
        assertEquals(HostKeyPolicy.Outcome.CHANGED, outcome(kh, "host.example", newKey));
        long size = Files.size(kh);
        Files.writeString(kh, "host.example ssh-ed25519 " + blob(newKey) + "\n");
        assertEquals(size, Files.size(kh));
        // an old mtime, but another one: read again
        Files.setLastModifiedTime(kh, java.nio.file.attribute.FileTime.fromMillis(hourAgo.toMillis() + 1000));
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "host.example", newKey));
        // written just now, read, then edited again within the clock's granularity (same size, same mtime): read again
        Files.writeString(kh, "host.example ssh-ed25519 " + blob(oldKey) + "\n");
        java.nio.file.attribute.FileTime justNow = Files.getLastModifiedTime(kh);
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "host.example", oldKey));
        Files.writeString(kh, "host.example ssh-ed25519 " + blob(newKey) + "\n");
        Files.setLastModifiedTime(kh, justNow);
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "host.example", newKey));
    }

    @Test
    void aNegatedPatternExcludesItsHostAndVouchesForNoOther() throws Exception {
        PublicKey w = ed25519();
        Path kh = dir.resolve("known_hosts");
        Files.writeString(kh, "*.wild.example,!no.wild.example ssh-ed25519 " + blob(w) + "\n");
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "x.wild.example", w));
        // sshj would accept both (its negated matcher matches every other name); OpenSSH refuses both
        assertEquals(true, new Reference(kh.toFile()).verify("unrelated.example", 22, w));
        assertEquals(HostKeyPolicy.Outcome.UNKNOWN, outcome(kh, "unrelated.example", w));
        assertEquals(HostKeyPolicy.Outcome.UNKNOWN, outcome(kh, "no.wild.example", w));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "hashed names: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void manyConnectionsCheckAtOnceAndEachGetsItsOwnAnswer(boolean hashedNames) throws Exception {
        // a run's connections all check at once: plain lines in parallel, hashed ones one at a time
        int hosts = 40;
        List<PublicKey> keys = new java.util.ArrayList<>();
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < hosts; i++) {
            PublicKey k = ed25519();
            keys.add(k);
            file.append(hashedNames ? hashed("h" + i + ".example", k) : "h" + i + ".example ssh-ed25519 " + blob(k)).append('\n');
        }
        Path kh = dir.resolve("known_hosts-" + hashedNames);
        Files.writeString(kh, file.toString());
        PublicKey stranger = ed25519();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<String>> got = new java.util.ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < hosts; i++) {
                    int h = i;
                    boolean own = (h + round) % 2 == 0;
                    got.add(pool.submit(() -> h + " " + own + " " + outcome(kh, "h" + h + ".example", own ? keys.get(h) : stranger)));
                }
            }
            for (java.util.concurrent.Future<String> f : got) {
                String[] r = f.get().split(" ");
                assertEquals(Boolean.parseBoolean(r[1]) ? "OK" : "CHANGED", r[2], "host h" + r[0]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ecdsaAndRsaHostKeysAreReadToo() throws Exception {
        // sshj reads ECDSA keys through a KeyFactory named "ECDSA", which only BouncyCastle has
        java.security.KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        PublicKey e = ec.generateKeyPair().getPublic();
        PublicKey r = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        Path kh = dir.resolve("known_hosts_ec");
        Files.writeString(kh, "ec.example ecdsa-sha2-nistp256 " + blob(e) + "\nrsa.example ssh-rsa " + blob(r) + "\n");
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "ec.example", e));
        assertEquals(HostKeyPolicy.Outcome.OK, outcome(kh, "rsa.example", r));
        assertEquals(HostKeyPolicy.Outcome.CHANGED, outcome(kh, "ec.example", ec.generateKeyPair().getPublic()));
    }

    @Test
    void anAcceptedKeyIsSeenByTheNextCheckOfTheSameRun() throws Exception {
        Path kh = dir.resolve("known_hosts");
        Files.writeString(kh, "alpha.example ssh-ed25519 " + blob(ed25519()) + "\n");
        PublicKey k = ed25519();
        assertEquals(true, new HostKeyPolicy(new KnownHostsFile(kh.toFile()), true).verify("new.example", 22, k));
        HostKeyPolicy strict = new HostKeyPolicy(new KnownHostsFile(kh.toFile()), false);
        assertEquals(true, strict.verify("new.example", 22, k));
        assertEquals(HostKeyPolicy.Outcome.OK, strict.outcome());
    }

    private static HostKeyPolicy.Outcome outcome(Path kh, String host, PublicKey key) throws Exception {
        HostKeyPolicy check = new HostKeyPolicy(new KnownHostsFile(kh.toFile()), false);
        check.verify(host, 22, key);
        return check.outcome();
    }

    /** sshj's reader as shipped, recording the same outcomes. */
    private static final class Reference extends OpenSSHKnownHosts {
        HostKeyPolicy.Outcome outcome = HostKeyPolicy.Outcome.OK;

        Reference(File f) throws java.io.IOException {
            super(f);
        }

        @Override
        protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
            outcome = HostKeyPolicy.Outcome.UNKNOWN;
            return false;
        }

        @Override
        protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
            outcome = HostKeyPolicy.Outcome.CHANGED;
            return false;
        }
    }
}
