package dev.runbook.transport.ssh;

import com.hierynomus.sshj.key.KeyAlgorithm;
import com.hierynomus.sshj.key.KeyAlgorithms;
import java.io.ByteArrayOutputStream;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SSHRuntimeException;
import net.schmizz.sshj.signature.Signature;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The {@code ssh-ed25519} signature (the host's proof in every key exchange, and our key's proof
 * in every login) computed with BouncyCastle's Ed25519 arithmetic instead of the JDK's: ~4x less
 * CPU before the JIT has warmed up, which a 100-host run pays 100 times on its critical path. Only
 * the arithmetic comes from BouncyCastle; it is not registered as a JCE provider (that would route
 * the ciphers through it too, ~4x slower). Keys it cannot read raw go to sshj's own signature.
 */
final class Ed25519Signature implements Signature {
    /** sshj's {@code ssh-ed25519} key algorithm with this signature in front of sshj's own. */
    static Factory.Named<KeyAlgorithm> keyAlgorithm(Factory.Named<KeyAlgorithm> sshj) {
        Factory.Named<Signature> fallback = new Factory.Named<>() {
            @Override
            public String getName() {
                return sshj.getName();
            }

            @Override
            public Signature create() {
                return sshj.create().newSignature();
            }
        };
        return new KeyAlgorithms.Factory(sshj.getName(), factory(fallback), KeyType.ED25519);
    }

    /** The factory under sshj's name for the algorithm, in front of {@code fallback} (sshj's own). */
    static Factory.Named<Signature> factory(Factory.Named<Signature> fallback) {
        return new Factory.Named<>() {
            @Override
            public String getName() {
                return KeyType.ED25519.toString();
            }

            @Override
            public Signature create() {
                return new Ed25519Signature(fallback);
            }
        };
    }

    /** Public keys of the private keys signed with (the login key: computed once per run, not per host). */
    private static final Map<PrivateKey, byte[]> PUBLIC = Collections.synchronizedMap(new WeakHashMap<>());

    private final Factory.Named<Signature> fallback;
    private final ByteArrayOutputStream message = new ByteArrayOutputStream(128);
    private byte[] publicKey;
    private byte[] secretKey;
    private Signature delegate;

    private Ed25519Signature(Factory.Named<Signature> fallback) {
        this.fallback = fallback;
    }

    @Override
    public String getSignatureName() {
        return KeyType.ED25519.toString();
    }

    @Override
    public void initVerify(PublicKey key) {
        byte[] raw = raw(key);
        if (raw == null) {
            delegate = fallback.create();
            delegate.initVerify(key);
            return;
        }
        publicKey = raw;
        message.reset();
    }

    @Override
    public void initSign(PrivateKey key) {
        byte[] seed = key instanceof EdECPrivateKey ed ? ed.getBytes().orElse(null) : null;
        if (seed == null || seed.length != Ed25519.SECRET_KEY_SIZE) {
            delegate = fallback.create();
            delegate.initSign(key);
            return;
        }
        secretKey = seed;
        publicKey = PUBLIC.computeIfAbsent(key, k -> {
            byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
            Ed25519.generatePublicKey(seed, 0, pk, 0);
            return pk;
        });
        message.reset();
    }

    @Override
    public void update(byte[] data) {
        update(data, 0, data.length);
    }

    @Override
    public void update(byte[] data, int off, int len) {
        if (delegate != null) {
            delegate.update(data, off, len);
        } else {
            message.write(data, off, len);
        }
    }

    @Override
    public byte[] sign() {
        if (delegate != null) {
            return delegate.sign();
        }
        byte[] m = message.toByteArray();
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(secretKey, 0, publicKey, 0, m, 0, m.length, sig, 0);
        return sig;
    }

    /** As sshj's: the raw 64-byte signature, which sshj wraps with the algorithm name. */
    @Override
    public byte[] encode(byte[] signature) {
        return delegate != null ? delegate.encode(signature) : signature;
    }

    /** {@code sig} as sent: string "ssh-ed25519", then string with the 64 signature bytes. */
    @Override
    public boolean verify(byte[] sig) {
        if (delegate != null) {
            return delegate.verify(sig);
        }
        byte[] raw;
        try {
            Buffer.PlainBuffer b = new Buffer.PlainBuffer(sig);
            String algorithm = b.readString();
            if (!getSignatureName().equals(algorithm)) {
                throw new SSHRuntimeException("Expected '" + getSignatureName() + "' key algorithm, but got: " + algorithm);
            }
            raw = b.readBytes();
        } catch (Buffer.BufferException e) {
            throw new SSHRuntimeException(e);
        }
        byte[] m = message.toByteArray();
        return raw.length == Ed25519.SIGNATURE_SIZE && Ed25519.verify(raw, 0, publicKey, 0, m, 0, m.length);
    }

    /** The 32 raw bytes of an Ed25519 public key from its X.509 form (12-byte algorithm prefix), else null. */
    static byte[] raw(PublicKey key) {
        if (key == null || !"X.509".equals(key.getFormat())) {
            return null;
        }
        byte[] enc = key.getEncoded();
        if (enc == null || enc.length != X509_PREFIX.length + Ed25519.PUBLIC_KEY_SIZE
                || !Arrays.equals(enc, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            return null;
        }
        return Arrays.copyOfRange(enc, X509_PREFIX.length, enc.length);
    }

    /** SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (32 bytes) }: what precedes the raw key. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
}
