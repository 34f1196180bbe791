package net.schmizz.sshj.transport.kex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.random.Random;
import org.junit.jupiter.api.Test;

/** The swapped Diffie-Hellman gives RFC 7748's results and agrees with the JDK's X25519. */
class FastCurve25519Test {
    private static final HexFormat HEX = HexFormat.of();

    /** A "random" source that hands out the given private key. */
    private static Factory<Random> fixed(byte[] key) {
        return () -> new Random() {
            @Override
            public void fill(byte[] bytes) {
                fill(bytes, 0, bytes.length);
            }

            @Override
            public void fill(byte[] bytes, int start, int len) {
                System.arraycopy(key, 0, bytes, start, len);
            }
        };
    }

    @Test
    void rfc7748Vectors() throws Exception {
        // RFC 7748 section 6.1: Alice's private key and public key, Bob's public key, the shared secret
        byte[] alice = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        FastCurve25519.Dh dh = new FastCurve25519.Dh();
        dh.init(null, fixed(alice));
        assertArrayEquals(HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), dh.getE());
        dh.computeK(HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
        assertEquals(new BigInteger(1, HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")), dh.getK());
    }

    @Test
    void agreesWithTheJdksX25519() throws Exception {
        java.security.SecureRandom rnd = new java.security.SecureRandom();
        for (int i = 0; i < 5; i++) {
            byte[] priv = new byte[32];
            rnd.nextBytes(priv);
            FastCurve25519.Dh ours = new FastCurve25519.Dh();
            ours.init(null, fixed(priv));
            Curve25519DH jdk = new Curve25519DH();
            jdk.init(null, null);
            ours.computeK(jdk.getE());
            jdk.computeK(ours.getE());
            assertEquals(jdk.getK(), ours.getK());
        }
    }

    @Test
    void refusesTheAllZeroSecretAndBadLengths() throws Exception {
        FastCurve25519.Dh dh = new FastCurve25519.Dh();
        dh.init(null, fixed(new byte[32]));
        // the point of order 1 (u = 0) makes every secret zero
        assertThrows(GeneralSecurityException.class, () -> dh.computeK(new byte[32]));
        FastCurve25519.Dh other = new FastCurve25519.Dh();
        other.init(null, fixed(new byte[32]));
        assertThrows(GeneralSecurityException.class, () -> other.computeK(new byte[31]));
    }
}
