package dev.runbook.transport.ssh;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SecurityUtils;

/**
 * The one sshj configuration every connection of the process shares: algorithm preferences and
 * keepalives, sshj's own crypto otherwise. Building one probes every cipher with the JCE (a few ms
 * of CPU each time, 100 times on a 100-host run); its factories are stateless, so one is enough.
 */
final class SshConfig {
    /** A connection is declared lost after this many keepalive intervals without any reply. */
    static final int KEEPALIVE_SECONDS = 5;
    static final int KEEPALIVE_MISSED = 4;

    static {
        // With BouncyCastle registered the way sshj registers it, sshj routes all crypto through it:
        // SFTP ~3.8x slower (no AES-NI). So sshj asks the JCE's providers in order, and BouncyCastle
        // is added LAST: only what the JDK lacks comes from it. sshj decodes every ECDSA key (host
        // keys, key files, agent keys) with a KeyFactory named "ECDSA", which the JDK calls "EC":
        // without BouncyCastle at all, no ECDSA key can be read.
        SecurityUtils.setRegisterBouncyCastle(false);
        if (java.security.Security.getProvider("BC") == null) {
            java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        }
    }

    private static volatile DefaultConfig shared;
    private static final java.util.concurrent.atomic.AtomicBoolean PREWARMED = new java.util.concurrent.atomic.AtomicBoolean();

    private SshConfig() {
    }

    /** Makes sure the providers above are in place (this class initialised) before sshj decodes a key. */
    static void ensureProviders() {
        // the static initialiser is the work
    }

    /** The shared configuration, built on first use. */
    static DefaultConfig get() {
        DefaultConfig c = shared;
        if (c == null) {
            synchronized (SshConfig.class) {
                if (shared == null) {
                    shared = build();
                }
                c = shared;
            }
        }
        return c;
    }

    private static DefaultConfig build() {
        DefaultConfig config = new DefaultConfig();
        config.setKeepAliveProvider(net.schmizz.keepalive.KeepAliveProvider.KEEP_ALIVE);
        // curve25519 first: ~100 ms faster per connection than OpenSSH 9's default PQ hybrid here
        config.setKeyExchangeFactories(preferFirst(config.getKeyExchangeFactories(), "curve25519-sha256"));
        config.setCipherFactories(preferFirst(config.getCipherFactories(), "aes128-gcm@openssh.com"));
        return config;
    }

    private static <T extends Factory.Named<?>> List<T> preferFirst(List<T> all, String name) {
        List<T> out = new ArrayList<>(all.stream().filter(f -> f.getName().equals(name)).toList());
        all.stream().filter(f -> !f.getName().equals(name)).forEach(out::add);
        return out;
    }

    /** A new client on the shared configuration, with TCP_NODELAY and keepalives that expect replies. */
    static SSHClient newClient(int connectTimeoutMillis) {
        SSHClient c = new SSHClient(get());
        c.setSocketFactory(new NoDelaySocketFactory());
        c.setConnectTimeout(connectTimeoutMillis);
        // keepalive@openssh.com requests that expect a reply: a host that stops answering (link cut,
        // powered off without a RST) fails its commands after ~20 s instead of hanging on TCP. Set
        // before connect(): sshj starts the keepalive thread only if it is enabled by then.
        net.schmizz.keepalive.KeepAlive ka = c.getConnection().getKeepAlive();
        ka.setKeepAliveInterval(KEEPALIVE_SECONDS);
        if (ka instanceof net.schmizz.keepalive.KeepAliveRunner runner) {
            runner.setMaxAliveCount(KEEPALIVE_MISSED);
        }
        return c;
    }

    /**
     * The one-time work every connection would otherwise wait for, done on the calling thread:
     * this configuration, the classes of a connection, the JDK's X25519, Ed25519 and AES-GCM. {@code Main} runs it on its prewarm thread before
     * the runbook is parsed and planned, which keep one core busy and leave the other idle; a
     * 100-host run's connections then start with it done. Once per process (later calls return at
     * once). Touches no host and no file.
     */
    static void prewarm() {
        if (!PREWARMED.compareAndSet(false, true)) {
            return;
        }
        try {
            new SSHClient(get()).close();
            java.security.KeyPairGenerator xdh = java.security.KeyPairGenerator.getInstance("X25519");
            java.security.KeyPair a = xdh.generateKeyPair();
            javax.crypto.KeyAgreement ka = javax.crypto.KeyAgreement.getInstance("X25519");
            ka.init(a.getPrivate());
            ka.doPhase(xdh.generateKeyPair().getPublic(), true);
            byte[] pk = ka.generateSecret();
            java.security.KeyPair ed = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            java.security.Signature sig = java.security.Signature.getInstance("Ed25519");
            sig.initSign(ed.getPrivate());
            sig.update(pk);
            byte[] signed = sig.sign();
            sig.initVerify(ed.getPublic());
            sig.update(pk);
            sig.verify(signed);
            javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(new byte[16], "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, new byte[12]));
            gcm.doFinal(new byte[64]);
            java.security.MessageDigest.getInstance("SHA-256").digest(pk);
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            // only a head start: a connection does all of this itself when it must
        }
    }
}
