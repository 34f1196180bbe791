package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosts reached through a real sshd acting as the bastion: one shared connection to it, its key checked strictly. */
class JumpHostsTest {
    @TempDir
    static Path dir;
    static LoopbackSshd bastion;
    static LoopbackSshd member;
    static Path knownHosts;

    @BeforeAll
    static void start() throws Exception {
        bastion = new LoopbackSshd(Files.createDirectories(dir.resolve("bastion")), List.of("LogLevel VERBOSE"));
        member = new LoopbackSshd(Files.createDirectories(dir.resolve("member")), List.of("LogLevel VERBOSE"));
        member.authorize(bastion.clientKey.resolveSibling("client_key.pub"));
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, Files.readString(bastion.knownHosts) + Files.readString(member.knownHosts));
    }

    @AfterAll
    static void stop() throws Exception {
        if (bastion != null) {
            bastion.close();
        }
        if (member != null) {
            member.close();
        }
    }

    private static SshTarget behind(String name, String jumpSpec, Path kh) {
        SshTarget t = member.target(kh);
        return new SshTarget(name, t.address(), t.port(), t.user(), bastion.clientKey, kh, null, true,
                TargetResolver.jumps(jumpSpec, t.user(), name), null, null, false, null, List.of());
    }

    private static long accepted(LoopbackSshd s) throws Exception {
        return s.log().lines().filter(l -> l.contains("Accepted publickey")).count();
    }

    @Test
    void manyHostsBehindOneBastionShareOneConnectionToIt() throws Exception {
        long before = accepted(bastion);
        try (JumpHosts jumps = new JumpHosts(false, 5000)) {
            String spec = "127.0.0.1:" + bastion.port;
            SshTransport a = SshTransport.connect(behind("m1", spec, knownHosts), false, 5000, jumps);
            SshTransport b = SshTransport.connect(behind("m2", spec, knownHosts), false, 5000, jumps);
            assertEquals("ok\n", a.exec("echo ok", ExecOptions.of(Duration.ofSeconds(10))).stdout());
            assertEquals("ok\n", b.exec("echo ok", ExecOptions.of(Duration.ofSeconds(10))).stdout());
            a.close();
            b.close();
        }
        assertEquals(1, accepted(bastion) - before, "one login on the bastion for both hosts");
    }

    @Test
    void aPortOpenOnlyToTheMemberIsReachedThroughItsForward() throws Exception {
        // an echo service on loopback stands for a member's etcd port; the forward rides the
        // member's own connection, itself tunnelled through the bastion
        try (java.net.ServerSocket echo = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             JumpHosts jumps = new JumpHosts(false, 5000)) {
            Thread server = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (java.net.Socket s = echo.accept()) {
                        s.getOutputStream().write(s.getInputStream().readNBytes(5));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            try (SshTransport t = SshTransport.connect(behind("m4", "127.0.0.1:" + bastion.port, knownHosts), false, 5000, jumps)) {
                java.net.InetSocketAddress local = t.forward("127.0.0.1", echo.getLocalPort());
                assertEquals(local, t.forward("127.0.0.1", echo.getLocalPort()), "one listener per target");
                for (String word : List.of("hello", "again")) {
                    try (java.net.Socket c = new java.net.Socket(local.getAddress(), local.getPort())) {
                        c.getOutputStream().write(word.getBytes());
                        assertEquals(word, new String(c.getInputStream().readNBytes(5)));
                    }
                }
                // a target that refuses costs that connection only; the listener stays
                int closed;
                try (java.net.ServerSocket tmp = new java.net.ServerSocket(0)) {
                    closed = tmp.getLocalPort();
                }
                java.net.InetSocketAddress dead = t.forward("127.0.0.1", closed);
                for (int i = 0; i < 2; i++) {
                    try (java.net.Socket c = new java.net.Socket(dead.getAddress(), dead.getPort())) {
                        assertEquals(-1, c.getInputStream().read(), "a refused target closes the local socket");
                    }
                }
            }
        }
    }

    @Test
    void aChainOfJumpsIsFollowedInOrder() throws Exception {
        try (JumpHosts jumps = new JumpHosts(false, 5000)) {
            // the bastion, then the member itself as a second jump, then the member
            String spec = "127.0.0.1:" + bastion.port + ",127.0.0.1:" + member.port;
            try (SshTransport t = SshTransport.connect(behind("m3", spec, knownHosts), false, 5000, jumps)) {
                assertEquals("ok\n", t.exec("echo ok", ExecOptions.of(Duration.ofSeconds(10))).stdout());
            }
        }
    }

    @Test
    void theBastionsUnknownOrChangedKeyStopsEveryHostBehindItNamingTheBastion() throws Exception {
        Path onlyMember = dir.resolve("kh_member_only");
        Files.writeString(onlyMember, Files.readString(member.knownHosts));
        try (JumpHosts jumps = new JumpHosts(false, 5000)) {
            String spec = "127.0.0.1:" + bastion.port;
            for (String h : List.of("m1", "m2")) {
                TransportException e = assertThrows(TransportException.class,
                        () -> SshTransport.connect(behind(h, spec, onlyMember), false, 5000, jumps));
                assertTrue(e.getMessage().startsWith(h + ": cannot reach it through jump host " + member.user + "@127.0.0.1:" + bastion.port
                        + ": unknown host key"), e.getMessage());
            }
        }
        Path changed = dir.resolve("kh_changed");
        Files.writeString(changed, Files.readString(member.knownHosts) + Files.readString(member.knownHosts)
                .replace("]:" + member.port + " ", "]:" + bastion.port + " "));
        try (JumpHosts jumps = new JumpHosts(true, 5000)) {
            TransportException e = assertThrows(TransportException.class,
                    () -> SshTransport.connect(behind("m1", "127.0.0.1:" + bastion.port, changed), true, 5000, jumps));
            assertTrue(e.getMessage().contains("HOST KEY CHANGED"), e.getMessage());
        }
    }

    @Test
    void anUnreachableBastionAndALoopAreNamed() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (JumpHosts jumps = new JumpHosts(false, 2000)) {
            TransportException e = assertThrows(TransportException.class,
                    () -> SshTransport.connect(behind("m1", "ops@127.0.0.1:" + closed, knownHosts), false, 2000, jumps));
            assertTrue(e.getMessage().startsWith("m1: cannot reach it through jump host ops@127.0.0.1:" + closed + ": unreachable"), e.getMessage());
            String loop = "127.0.0.1:" + bastion.port + ",127.0.0.1:" + bastion.port;
            TransportException l = assertThrows(TransportException.class, () -> SshTransport.connect(behind("m1", loop, knownHosts), false, 2000, jumps));
            assertTrue(l.getMessage().contains("ProxyJump loop"), l.getMessage());
        }
    }
}
