package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.signature.Signature;
import org.junit.jupiter.api.Test;

/** BouncyCastle's Ed25519 signs and verifies exactly as the JDK's (through sshj's own signature) does. */
class Ed25519SignatureTest {
    private static Factory.Named<com.hierynomus.sshj.key.KeyAlgorithm> sshjAlgorithm() {
        return new net.schmizz.sshj.DefaultConfig().getKeyAlgorithms().stream().filter(f -> f.getName().equals("ssh-ed25519")).findFirst().orElseThrow();
    }

    /** sshj's own signature (the JDK's Ed25519). */
    private static Factory.Named<Signature> sshj() {
        return new Factory.Named<>() {
            @Override
            public String getName() {
                return "ssh-ed25519";
            }

            @Override
            public Signature create() {
                return sshjAlgorithm().create().newSignature();
            }
        };
    }

    @Test
    void theKeyAlgorithmSignsWithBouncyCastle() {
        var ours = Ed25519Signature.keyAlgorithm(sshjAlgorithm()).create();
        assertTrue(ours.newSignature() instanceof Ed25519Signature);
        assertTrue(ours.getKeyAlgorithm().equals("ssh-ed25519"));
    }

    private static byte[] wire(byte[] raw) {
        return new Buffer.PlainBuffer().putString("ssh-ed25519").putBytes(raw).getCompactData();
    }

    @Test
    void signaturesMatchTheJdksAndVerifyBothWays() throws Exception {
        Factory.Named<Signature> jdk = sshj();
        Factory.Named<Signature> bc = Ed25519Signature.factory(jdk);
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        for (String text : new String[] {"", "exchange hash", "x".repeat(1000)}) {
            byte[] m = text.getBytes(StandardCharsets.UTF_8);
            Signature a = bc.create();
            a.initSign(kp.getPrivate());
            a.update(m, 0, m.length);
            byte[] ours = a.encode(a.sign());
            Signature b = jdk.create();
            b.initSign(kp.getPrivate());
            b.update(m);
            // Ed25519 is deterministic: the same key and message give the same bytes
            assertArrayEquals(b.encode(b.sign()), ours);

            Signature v = bc.create();
            v.initVerify(kp.getPublic());
            v.update(m);
            assertTrue(v.verify(wire(ours)));
            Signature w = jdk.create();
            w.initVerify(kp.getPublic());
            w.update(m);
            assertTrue(w.verify(wire(ours)));
        }
    }

    @Test
    void aWrongSignatureMessageOrKeyIsRefused() throws Exception {
        Factory.Named<Signature> bc = Ed25519Signature.factory(sshj());
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] m = "exchange hash".getBytes(StandardCharsets.UTF_8);
        Signature s = bc.create();
        s.initSign(kp.getPrivate());
        s.update(m);
        byte[] sig = s.sign();

        Signature v = bc.create();
        v.initVerify(other.getPublic());
        v.update(m);
        assertFalse(v.verify(wire(sig)), "another key");
        v = bc.create();
        v.initVerify(kp.getPublic());
        v.update("exchange hasH".getBytes(StandardCharsets.UTF_8));
        assertFalse(v.verify(wire(sig)), "another message");
        byte[] bad = sig.clone();
        bad[10] ^= 1;
        v = bc.create();
        v.initVerify(kp.getPublic());
        v.update(m);
        assertFalse(v.verify(wire(bad)), "a flipped bit");
        v = bc.create();
        v.initVerify(kp.getPublic());
        v.update(m);
        assertFalse(v.verify(wire(java.util.Arrays.copyOf(sig, 63))), "a short signature");
    }
}
