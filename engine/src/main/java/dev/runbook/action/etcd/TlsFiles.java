package dev.runbook.action.etcd;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS context of an etcd target's CA, client certificate and key. A PKCS#8 key
 * ("BEGIN PRIVATE KEY", what openssl and cfssl write) is read with the JDK's own KeyFactory; other
 * PEM forms (PKCS#1 "BEGIN RSA PRIVATE KEY", SEC1 "BEGIN EC PRIVATE KEY", as kubeadm writes) go to
 * Netty, which reads them with BouncyCastle: ~300 classes and ~0.3 s of a run's first etcd call,
 * paid only when needed.
 */
final class TlsFiles {
    private static final String PKCS8 = "-----BEGIN PRIVATE KEY-----";
    /** HTTP/2 over TLS offered by ALPN: what gRPC needs of a client context. */
    private static final ApplicationProtocolConfig H2 = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2");

    private TlsFiles() {
    }

    /**
     * A client TLS context for gRPC with the target's CA, certificate and key. The key goes in
     * through an in-memory JKS store: Netty's own path stores it in a PKCS#12 store, which encrypts
     * and decrypts it with 10,000 PBKDF2 rounds each (~0.2 s of cold code per context).
     */
    static SslContext clientContext(EtcdTarget t) throws IOException {
        return withFiles(grpcClient(), t).build();
    }

    /**
     * What {@code GrpcSslContexts.forClient()} configures for the JDK's TLS (the JDK has ALPN since
     * Java 9; netty-tcnative's native library is not shipped), without its probe for ALPN: that
     * probe builds a default SSLContext, which parses the JDK's whole trust store (~150 CAs) that
     * an etcd client never uses (its trust is the target's CA). ~70 ms of cold code on the etcd
     * client's warm-up, the path to a restore's first etcd call.
     */
    private static SslContextBuilder grpcClient() {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(H2);
    }

    /**
     * The same CA, certificate and key as a JDK {@link SSLContext}, for the plain HTTPS calls etcd
     * answers outside gRPC ({@code /metrics}). Netty builds it, so every PEM form gRPC accepts works.
     */
    static SSLContext jdkContext(EtcdTarget t) throws IOException {
        return ((JdkSslContext) withFiles(SslContextBuilder.forClient().sslProvider(SslProvider.JDK), t).build()).context();
    }

    /** The target's CA as the trust anchor and its certificate and key as the client identity. */
    private static SslContextBuilder withFiles(SslContextBuilder b, EtcdTarget t) throws IOException {
        if (t.ca() != null) {
            b.trustManager(t.ca().toFile());
        }
        if (t.cert() != null && t.key() != null) {
            PrivateKey key = pkcs8(t.key());
            if (key == null) {
                b.keyManager(t.cert().toFile(), t.key().toFile());
            } else {
                b.keyManager(keyManagers(t.cert(), key));
            }
        }
        return b;
    }

    private static KeyManagerFactory keyManagers(Path certFile, PrivateKey key) throws IOException {
        try (InputStream in = Files.newInputStream(certFile)) {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IllegalArgumentException(certFile + ": no PEM certificate in it");
            }
            char[] pw = "runbook".toCharArray(); // protects nothing: the store lives in this process only
            KeyStore ks = KeyStore.getInstance("JKS");
            ks.load(null, null);
            ks.setKeyEntry("client", key, pw, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return kmf;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(certFile + ": " + e.getMessage(), e);
        }
    }

    /** The key of a PKCS#8 PEM file, or null when the file holds another form (left to Netty). */
    static PrivateKey pkcs8(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int at = pem.indexOf(PKCS8);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (at < 0 || end < at) {
            return null;
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(at + PKCS8.length(), end));
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (String alg : new String[] {"EC", "RSA", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // another algorithm's key: try the next
            }
        }
        return null;
    }
}
