package dev.runbook.action.etcd;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS contexts of an etcd client's {@link TlsMaterial}: for gRPC (Netty) and for the plain
 * HTTPS calls etcd answers outside gRPC ({@code /metrics}). The key goes in as a {@code PrivateKey}
 * through an in-memory JKS store: Netty's own path stores it in a PKCS#12 store, which encrypts and
 * decrypts it with 10,000 PBKDF2 rounds each (~0.2 s of cold code per context), and reads the older
 * PEM forms only through BouncyCastle's PEM parser.
 */
final class TlsFiles {
    /** HTTP/2 over TLS offered by ALPN: what gRPC needs of a client context. */
    private static final ApplicationProtocolConfig H2 = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2");

    private TlsFiles() {
    }

    /** A client TLS context for gRPC with the material's CA, certificate and key. */
    static SslContext clientContext(TlsMaterial m) throws IOException {
        return with(grpcClient(), m).build();
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

    /** The same material as a JDK {@link SSLContext}, for plain HTTPS ({@code /metrics}). */
    static SSLContext jdkContext(TlsMaterial m) throws IOException {
        return ((JdkSslContext) with(SslContextBuilder.forClient().sslProvider(SslProvider.JDK), m).build()).context();
    }

    /**
     * The material's CA as the trust anchor and its certificate and key as the client identity;
     * without material (an https endpoint and no CA anywhere), the JDK's own trust store.
     */
    private static SslContextBuilder with(SslContextBuilder b, TlsMaterial m) {
        if (m == null) {
            return b;
        }
        b.trustManager(m.ca().toArray(X509Certificate[]::new));
        if (m.key() != null) {
            b.keyManager(keyManagers(m));
        }
        return b;
    }

    private static KeyManagerFactory keyManagers(TlsMaterial m) {
        try {
            char[] pw = "runbook".toCharArray(); // protects nothing: the store lives in this process only
            KeyStore ks = KeyStore.getInstance("JKS");
            ks.load(null, null);
            ks.setKeyEntry("client", m.key(), pw, m.cert().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return kmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(m.origin() + ": " + e.getMessage(), e);
        }
    }
}
