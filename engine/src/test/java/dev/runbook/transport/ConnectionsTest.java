package dev.runbook.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.inventory.Host;
import dev.runbook.model.SourceLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionsTest {
    private static Host host(String name) {
        return new Host(name, "127.0.0.1", 22, "root", null, null, "ssh", null, Map.of(), List.of(), new SourceLocation("inv", 1, 1));
    }

    /** A transport whose commands block until it is closed, as a command on a host that stopped answering does. */
    private static final class Hanging implements Transport {
        final CountDownLatch closed = new CountDownLatch(1);
        final CountDownLatch running = new CountDownLatch(1);

        @Override
        public ExecResult exec(String command, ExecOptions options) {
            running.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                // deliberately deaf to interrupts, like a socket read: only the close ends it
                Thread.currentThread().interrupt();
                try {
                    closed.await();
                } catch (InterruptedException again) {
                    Thread.currentThread().interrupt();
                }
            }
            return new ExecResult(-1, "", "connection closed", 0, 0, 0, false, false);
        }

        @Override
        public void upload(Path local, String remotePath) {
        }

        @Override
        public void upload(byte[] content, String remotePath) {
        }

        @Override
        public void download(String remotePath, Path local) {
        }

        @Override
        public byte[] read(String remotePath) {
            return new byte[0];
        }

        @Override
        public String describe() {
            return "hanging";
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void theHostThreadsAreOnePoolForTheWholeRun() {
        Connections c = new Connections(h -> new Hanging());
        ExecutorService first = c.hostThreads(4);
        assertSame(first, c.hostThreads(4));
        assertSame(first, c.hostThreads(100), "the first call decides the size");
        c.close();
        assertTrue(first.isShutdown());
    }

    @Test
    void closingNeverQueuesBehindAHostTaskThatOnlyTheCloseEnds() throws Exception {
        // every host thread is busy with a command only the connection's close can end: the close
        // must not wait for a free host thread (it would wait forever)
        Map<String, Hanging> transports = new java.util.concurrent.ConcurrentHashMap<>();
        Connections c = new Connections(h -> transports.computeIfAbsent(h.name(), k -> new Hanging()));
        List<Host> hosts = List.of(host("a"), host("b"));
        assertEquals(List.of(), c.openAll(hosts, 2));
        ExecutorService pool = c.hostThreads(2);
        List<java.util.concurrent.Future<ExecResult>> busy = hosts.stream()
                .map(h -> pool.submit(() -> c.get(h).exec("sleep forever", ExecOptions.of(null)))).toList();
        for (Hanging t : transports.values()) {
            assertTrue(t.running.await(5, TimeUnit.SECONDS));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(10), c::close);
        for (java.util.concurrent.Future<ExecResult> f : busy) {
            assertEquals(-1, f.get(5, TimeUnit.SECONDS).exitCode());
        }
    }
}
