package dev.runbook.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.inventory.Host;
import dev.runbook.inventory.Inventory;
import dev.runbook.inventory.InventoryParser;
import dev.runbook.transport.Connections;
import dev.runbook.transport.LocalTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run lock's rules, on lock files in a temp dir reached through the local shell (the same script a host runs). */
class RunLockTest {
    @TempDir
    Path dir;

    private List<Host> hosts() {
        Inventory inv = InventoryParser.parse("inv.yml", """
                all:
                  children:
                    etcd:
                      hosts:
                        a: {address: 10.0.0.1, runbook_lock: %s/a/lock}
                        b: {address: 10.0.0.2, runbook_lock: %s/b/lock}
                """.formatted(dir, dir));
        return List.of(inv.host("a"), inv.host("b"));
    }

    private static Holder holder(String run, long pid) {
        return new Holder(run, "restore-3node.yml", "alice", HostLock.thisMachine(), pid, "2026-11-24T10:00:00Z");
    }

    private static Connections local() {
        return new Connections(h -> new LocalTransport(h.name()));
    }

    @Test
    void aSecondRunIsRefusedWithTheHolderAndLeavesNothingLocked() throws Exception {
        long me = ProcessHandle.current().pid();
        try (Connections c = local()) {
            RunLock first = RunLock.acquire(c, hosts(), holder("run-1", me), null, r -> false, m -> { }, 4);
            assertTrue(Files.readString(dir.resolve("a/lock")).contains("\"run\":\"run-1\""));
            RunbookException e = assertThrows(RunbookException.class,
                    () -> RunLock.acquire(c, hosts(), holder("run-2", me), null, r -> false, m -> { }, 4));
            assertEquals(ExitCode.LOCKED, e.exitCode());
            assertTrue(e.getMessage().contains("a: locked by run run-1 (restore-3node.yml) by alice"), e.getMessage());
            assertTrue(e.getMessage().contains("b: locked by run run-1"), e.getMessage());
            assertTrue(e.hint().contains("wait for that run to finish"), e.hint());
            first.close();
            assertFalse(Files.exists(dir.resolve("a/lock")), "released on close");
            RunLock.acquire(c, hosts(), holder("run-2", me), null, r -> false, m -> { }, 4).close();
        }
    }

    @Test
    void theSurveyShowsEachHostsHolderAndBreaksOnlyTheNamedRunsLocks() throws Exception {
        try (Connections c = local()) {
            Host a = hosts().get(0);
            assertTrue(HostLock.tryAcquire(c.get(a), RunLock.pathOn(a), holder("dead-run", 1)).acquired());
            List<LockSurvey.HostState> shown = LockSurvey.of(c, hosts(), false, null);
            assertEquals("dead-run", shown.get(0).holder().run());
            assertNull(shown.get(1).holder(), "b is not locked");
            assertFalse(shown.get(0).broken());
            LockSurvey.of(c, hosts(), true, "another-run");
            assertTrue(Files.exists(dir.resolve("a/lock")), "--run names another run: nothing broken");
            List<LockSurvey.HostState> broke = LockSurvey.of(c, hosts(), true, "dead-run");
            assertTrue(broke.get(0).broken());
            assertFalse(Files.exists(dir.resolve("a/lock")));
        }
    }

    @Test
    void aLockFileThatCannotBeCreatedIsAnErrorNotAnEmptyLockHeldBySomeone() throws Exception {
        // a dangling symlink: noclobber refuses to create through it, and nothing exists there
        // (how an unwritable directory looks to a become_user that is not root; tests run as root)
        Host a = hosts().get(0);
        Files.createDirectories(dir.resolve("a"));
        Files.createSymbolicLink(dir.resolve("a/lock"), dir.resolve("missing/lock"));
        try (Connections c = local()) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> HostLock.tryAcquire(c.get(a), RunLock.pathOn(a), holder("run-1", 1)));
            assertTrue(e.getMessage().contains("cannot create " + dir.resolve("a/lock")), e.getMessage());
        }
    }

    @Test
    void aRefusalReleasesTheHostsItHadAlreadyTaken() throws Exception {
        try (Connections c = local()) {
            Host b = hosts().get(1);
            assertTrue(HostLock.tryAcquire(c.get(b), RunLock.pathOn(b), holder("other", 1)).acquired());
            assertThrows(RunbookException.class, () -> RunLock.acquire(c, hosts(), holder("run-2", 1), null, r -> false, m -> { }, 4));
            assertFalse(Files.exists(dir.resolve("a/lock")), "host a was taken, then given back");
            assertTrue(Files.readString(dir.resolve("b/lock")).contains("\"run\":\"other\""), "the other run's lock is untouched");
        }
    }

    @Test
    void aResumeTakesOverItsOwnRunsLockAndAFinishedRunsLockIsTakenOver() throws Exception {
        List<String> said = new ArrayList<>();
        try (Connections c = local()) {
            // a killed engine: its lock stays on the hosts, its process is gone
            RunLock.acquire(c, hosts(), holder("killed", deadPid()), null, r -> false, m -> { }, 4);
            RunbookException e = assertThrows(RunbookException.class,
                    () -> RunLock.acquire(c, hosts(), holder("new", 1), null, r -> false, m -> { }, 4));
            assertTrue(e.hint().contains("runbook resume"), "a dead engine's lock points at resume: " + e.hint());
            RunLock resumed = RunLock.acquire(c, hosts(), holder("resume-1", 1), "killed", r -> false, said::add, 4);
            assertTrue(Files.readString(dir.resolve("b/lock")).contains("\"run\":\"resume-1\""));
            assertTrue(said.stream().anyMatch(s -> s.contains("took over the run lock of run killed (this run resumes it)")), said.toString());
            resumed.close();

            RunLock.acquire(c, hosts(), holder("ended", 1), null, r -> false, m -> { }, 4); // never released
            RunLock.acquire(c, hosts(), holder("next", 1), null, Set.of("ended")::contains, said::add, 4).close();
            assertTrue(said.stream().anyMatch(s -> s.contains("that run has ended")), said.toString());
        }
    }

    @Test
    void releaseNeverRemovesAnotherRunsLockAndBreakDoes() {
        try (Connections c = local()) {
            Host a = hosts().get(0);
            var t = c.get(a);
            assertTrue(HostLock.tryAcquire(t, RunLock.pathOn(a), holder("owner", 1)).acquired());
            HostLock.release(t, RunLock.pathOn(a), "someone-else");
            assertEquals("owner", HostLock.read(t, RunLock.pathOn(a)).run());
            assertEquals("owner", HostLock.breakLock(t, RunLock.pathOn(a)).run());
            assertNull(HostLock.read(t, RunLock.pathOn(a)));
        }
    }

    @Test
    void aGarbledLockFileIsShownRawAndStillRefuses() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("a/lock"), "not json at all\n");
        try (Connections c = local()) {
            RunbookException e = assertThrows(RunbookException.class,
                    () -> RunLock.acquire(c, hosts().subList(0, 1), holder("x", 1), null, r -> false, m -> { }, 1));
            assertTrue(e.getMessage().contains("not json at all"), e.getMessage());
        }
    }

    @Test
    void anEmptyLockFileLeftByAnEngineThatDiedWhileWritingItRefusesAndSaysSo() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("a/lock"), "");
        try (Connections c = local()) {
            RunbookException e = assertThrows(RunbookException.class,
                    () -> RunLock.acquire(c, hosts().subList(0, 1), holder("x", 1), null, r -> false, m -> { }, 1));
            assertTrue(e.getMessage().contains("an empty lock file"), e.getMessage());
            assertEquals(ExitCode.LOCKED, e.exitCode());
        }
    }

    /** A pid that is not running: a finished child's. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
