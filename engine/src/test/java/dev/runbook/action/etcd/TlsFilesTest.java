package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client TLS material in the PEM forms etcd deployments use (openssl makes them). */
class TlsFilesTest {
    @TempDir
    Path dir;

    private void sh(String cmd) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    private TlsMaterial material(String key) throws Exception {
        byte[] crt = Files.readAllBytes(dir.resolve("c.crt"));
        return TlsMaterial.parse(crt, "c.crt", crt, "c.crt", Files.readAllBytes(dir.resolve(key)), key, "test");
    }

    @Test
    void theThreePemFormsOfKubeadmCfsslAndOpensslAllReadAsJdkKeysAndMakeAContext() throws Exception {
        sh("openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec8.key -out c.crt -days 1 -subj /CN=t");
        sh("openssl ec -in ec8.key -out sec1.key");          // "BEGIN EC PRIVATE KEY" (SEC1), as cfssl and kubeadm write EC keys
        sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa8.key");
        sh("openssl rsa -in rsa8.key -traditional -out rsa1.key"); // "BEGIN RSA PRIVATE KEY" (PKCS#1), kubeadm's RSA keys
        sh("openssl req -x509 -new -key rsa8.key -out r.crt -days 1 -subj /CN=r");
        assertTrue(Files.readString(dir.resolve("sec1.key")).contains("BEGIN EC PRIVATE KEY"));
        assertTrue(Files.readString(dir.resolve("rsa1.key")).contains("BEGIN RSA PRIVATE KEY"));
        java.security.PrivateKey ec8 = PemKeys.privateKey(Files.readAllBytes(dir.resolve("ec8.key")), "ec8");
        java.security.PrivateKey sec1 = PemKeys.privateKey(Files.readAllBytes(dir.resolve("sec1.key")), "sec1");
        java.security.PrivateKey rsa8 = PemKeys.privateKey(Files.readAllBytes(dir.resolve("rsa8.key")), "rsa8");
        java.security.PrivateKey rsa1 = PemKeys.privateKey(Files.readAllBytes(dir.resolve("rsa1.key")), "rsa1");
        // the same key whichever form it was written in
        assertEquals(((java.security.interfaces.ECPrivateKey) ec8).getS(), ((java.security.interfaces.ECPrivateKey) sec1).getS());
        assertArrayEquals(rsa8.getEncoded(), rsa1.getEncoded());
        java.security.cert.X509Certificate ecCert = PemKeys.certificates(Files.readAllBytes(dir.resolve("c.crt")), "c").get(0);
        java.security.cert.X509Certificate rsaCert = PemKeys.certificates(Files.readAllBytes(dir.resolve("r.crt")), "r").get(0);
        assertTrue(PemKeys.matches(sec1, ecCert));
        assertTrue(PemKeys.matches(rsa1, rsaCert));
        assertFalse(PemKeys.matches(rsa1, ecCert));
        assertNotNull(TlsFiles.clientContext(material("ec8.key")));
        assertNotNull(TlsFiles.clientContext(material("sec1.key")));
        assertNotNull(TlsFiles.jdkContext(material("sec1.key")));
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingBothFiles() throws Exception {
        sh("openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec8.key -out c.crt -days 1 -subj /CN=t");
        sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> material("other.key"));
        assertTrue(e.getMessage().contains("other.key") && e.getMessage().contains("c.crt"), e.getMessage());
    }

    @Test
    void anEncryptedKeyIsRefusedWithWhatToGiveInstead() throws Exception {
        sh("openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec8.key -out c.crt -days 1 -subj /CN=t");
        sh("openssl pkcs8 -topk8 -in ec8.key -passout pass:x -out enc.key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> material("enc.key"));
        assertTrue(e.getMessage().contains("enc.key") && e.getMessage().contains("encrypted"), e.getMessage());
    }

    @Test
    void theGrpcContextIsWhatGrpcWouldBuildForTheJdk() throws Exception {
        sh("openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec8.key -out c.crt -days 1 -subj /CN=t");
        io.netty.handler.ssl.SslContext ours = TlsFiles.clientContext(material("ec8.key"));
        // gRPC's own builder, probe and all: the same ALPN offer and cipher suites, or gRPC would refuse ours
        io.netty.handler.ssl.SslContext grpc = io.grpc.netty.GrpcSslContexts.configure(io.netty.handler.ssl.SslContextBuilder.forClient(),
                io.netty.handler.ssl.SslProvider.JDK).trustManager(dir.resolve("c.crt").toFile()).build();
        assertEquals(true, ours.isClient());
        assertEquals(List.of("h2"), ours.applicationProtocolNegotiator().protocols());
        assertEquals(grpc.applicationProtocolNegotiator().protocols(), ours.applicationProtocolNegotiator().protocols());
        assertEquals(grpc.cipherSuites(), ours.cipherSuites());
        assertEquals(io.netty.handler.ssl.JdkSslContext.class, ours.getClass().getSuperclass());
    }

    @Test
    void aFileThatIsNoKeyIsRefusedWithItsName() throws Exception {
        sh("openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec8.key -out c.crt -days 1 -subj /CN=t");
        Files.writeString(dir.resolve("bad.key"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        EtcdTarget t = new EtcdTarget(List.of("https://127.0.0.1:1"), dir.resolve("c.crt"), dir.resolve("c.crt"), dir.resolve("bad.key"), Duration.ofSeconds(1));
        try (EtcdClients clients = new EtcdClients()) {
            EtcdClients.EtcdException e = assertThrows(EtcdClients.EtcdException.class, () -> clients.sslContext(t));
            assertEquals(true, e.getMessage().contains("bad.key"), e.getMessage());
        }
    }
}
