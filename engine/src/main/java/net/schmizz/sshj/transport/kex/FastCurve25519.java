package net.schmizz.sshj.transport.kex;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.digest.SHA256;
import net.schmizz.sshj.transport.random.Random;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * sshj's {@code curve25519-sha256} key exchange (RFC 8731) with BouncyCastle's X25519 arithmetic
 * instead of the JDK's: two scalar multiplications per connection, ~3x less CPU before the JIT
 * has warmed up, which a 100-host run pays 100 times while every core is busy. The protocol, the
 * exchange hash and the host-key check stay sshj's ({@link AbstractDHG}); only the
 * Diffie-Hellman arithmetic is swapped. It lives in sshj's package because {@link DHBase}'s
 * {@code computeK} is package-private (runbook runs on the class path, where a package may span
 * jars; sshj's jar is not sealed).
 */
public final class FastCurve25519 extends AbstractDHG {
    /** Replaces sshj's factory of the same name. */
    public static final class Factory implements net.schmizz.sshj.common.Factory.Named<KeyExchange> {
        private final String name;

        public Factory(String name) {
            this.name = name;
        }

        @Override
        public KeyExchange create() {
            return new FastCurve25519();
        }

        @Override
        public String getName() {
            return name;
        }
    }

    private FastCurve25519() {
        super(new Dh(), new SHA256());
    }

    @Override
    protected void initDH(DHBase dh) throws GeneralSecurityException {
        dh.init(null, trans.getConfig().getRandomFactory());
    }

    /** X25519 with BouncyCastle: a fresh private scalar per connection, the shared secret as an mpint. */
    static final class Dh extends DHBase {
        private final byte[] priv = new byte[X25519.SCALAR_SIZE];

        Dh() {
            // DHBase asks the JCE for X25519 objects; they stay unused
            super("X25519", "X25519");
        }

        @Override
        public void init(AlgorithmParameterSpec params, net.schmizz.sshj.common.Factory<Random> randomFactory) {
            // X25519 clamps the scalar itself (RFC 7748 decodeScalar25519)
            randomFactory.create().fill(priv);
            byte[] pub = new byte[X25519.POINT_SIZE];
            X25519.scalarMultBase(priv, 0, pub, 0);
            setE(pub);
        }

        @Override
        void computeK(byte[] peer) throws GeneralSecurityException {
            if (peer == null || peer.length != X25519.POINT_SIZE) {
                throw new GeneralSecurityException("X25519 peer key of " + (peer == null ? 0 : peer.length) + " bytes, not " + X25519.POINT_SIZE);
            }
            byte[] secret = new byte[X25519.POINT_SIZE];
            // false: an all-zero secret (a small-order peer point), which RFC 7748 section 6.1 says to refuse
            if (!X25519.calculateAgreement(priv, 0, peer, 0, secret, 0)) {
                throw new GeneralSecurityException("X25519 key agreement produced the all-zero secret");
            }
            java.util.Arrays.fill(priv, (byte) 0);
            setK(new BigInteger(1, secret));
        }
    }
}
