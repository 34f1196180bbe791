package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    private EtcdTarget target(String key) {
        return new EtcdTarget(List.of("https://127.0.0.1:1"), dir.resolve("c.crt"), dir.resolve("c.crt"), dir.resolve(key), Duration.ofSeconds(1));
    }

    @Test
    void pkcs8KeysAreReadByTheJdkOtherFormsGoToNettyAndBothMakeAContext() throws Exception {
        sh("openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec8.key -out c.crt -days 1 -subj /CN=t");
        sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa8.key");
        sh("openssl ec -in ec8.key -out sec1.key");          // "BEGIN EC PRIVATE KEY" (SEC1), as cfssl and kubeadm write EC keys
        sh("openssl rsa -in rsa8.key -traditional -out rsa1.key"); // "BEGIN RSA PRIVATE KEY" (PKCS#1)
        assertEquals("EC", TlsFiles.pkcs8(dir.resolve("ec8.key")).getAlgorithm());
        assertEquals("RSA", TlsFiles.pkcs8(dir.resolve("rsa8.key")).getAlgorithm());
        assertNull(TlsFiles.pkcs8(dir.resolve("sec1.key")));
        assertNull(TlsFiles.pkcs8(dir.resolve("rsa1.key")));
        assertNotNull(TlsFiles.clientContext(target("ec8.key")));
        assertNotNull(TlsFiles.clientContext(target("sec1.key")));
    }

    @Test
    void theGrpcContextIsWhatGrpcWouldBuildForTheJdk() throws Exception {
        sh("openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec8.key -out c.crt -days 1 -subj /CN=t");
        io.netty.handler.ssl.SslContext ours = TlsFiles.clientContext(target("ec8.key"));
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
        EtcdClients.EtcdException e = assertThrows(EtcdClients.EtcdException.class, () -> new MemberChannels().sslContext(target("bad.key")));
        assertEquals(true, e.getMessage().contains("bad.key"), e.getMessage());
    }
}
