package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The `runbook` launcher: it finds its checkout however it is called; a run whose plan moves bulk
 * data (here a snapshot) re-runs itself in a C2 JVM before anything ran, unless the launcher saw it
 * coming (a snapshot or fetch step in the runbook, a --var naming a big local file) and started the
 * C2 profile at once; a small run stays in the first JVM,
 * and killing the launcher's process (SIGKILL) leaves no child JVM running the run on.
 */
@ExtendWith(Lab.class)
class LauncherIT {
    private static Cmd.Result launcher(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "RUNBOOK_TRACE=1", Lab.REPO.resolve("runbook").toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(Lab.REPO, cmd, 300);
    }

    @Test
    void theLauncherFindsItsCheckoutHoweverItIsCalled() throws Exception {
        // it works out its own directory without starting a process; each spelling must reach the
        // same jar (a wrong one would try to build a checkout that is not there)
        for (var call : List.of(List.of(Lab.REPO.toString(), "./runbook"), List.of(Lab.REPO.resolve("engine").toString(), "../runbook"),
                List.of(Lab.REPO.resolve("engine/src").toString(), "./../../runbook"), List.of(Lab.REPO.toString(), "bash", "runbook"),
                List.of("/", Lab.REPO.resolve("runbook").toString().replaceFirst("/runbook$", "//runbook")))) {
            List<String> cmd = new java.util.ArrayList<>(call.subList(1, call.size()));
            cmd.add("version");
            Cmd.Result r = Cmd.run(Path.of(call.get(0)), cmd, 300);
            assertEquals(0, r.exit(), call + ": " + r.err());
            assertTrue(r.out().startsWith("runbook "), call + ": " + r.out());
        }
    }

    @Test
    void aSnapshotRunsInAC2JvmASmallRunDoesNotAndKillingTheLauncherEndsBoth() throws Exception {
        Lab.shared();
        Path root = Lab.REPO.resolve("tests/target/launcher-it");
        Cmd.Result backup = launcher("apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + root);
        assertEquals(0, backup.exit(), backup.all());
        // the launcher saw the snapshot step in the runbook: the C2 profile from the start, one JVM
        assertTrue(backup.err().contains("has a snapshot or fetch step: starting in the C2 profile")
                && !backup.err().contains("running in a C2 JVM"), backup.err());
        assertTrue(Files.isRegularFile(Lab.snapshotOf(backup)), backup.out());
        // the runbook not first on the command line: the launcher does not look, the engine's plan
        // finds the snapshot (size unknown) and re-runs the command in a C2 JVM
        Cmd.Result again = launcher("apply", "-i", Lab.INVENTORY.toString(), "runbooks/backup.yml", "--var", "backup_root=" + root);
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.err().contains("trace-jit bulk=unknown: running in a C2 JVM"), again.err());

        // a --var naming a local file of 32 MiB or more: the launcher starts the C2 profile at once,
        // and the plan (a 40 MiB upload) runs in that first JVM, without a second one
        Path big = Files.createDirectories(root).resolve("big.bin");
        try (var out = Files.newOutputStream(big)) {
            out.write(new byte[40 << 20]);
        }
        Path copy = root.resolve("copy.yml");
        Files.writeString(copy, "name: copy\ninputs: {file: {type: path}}\nsteps:\n"
                + "  - {id: up, hosts: etcd-01, copy: {src: \"{{file}}\", dest: /var/tmp/launcher-it.bin}}\n");
        Cmd.Result bulk = launcher("apply", copy.toString(), "-i", Lab.INVENTORY.toString(), "--var", "file=" + big);
        assertEquals(0, bulk.exit(), bulk.all());
        assertTrue(bulk.err().contains("starting in the C2 profile") && !bulk.err().contains("running in a C2 JVM"), bulk.err());
        Lab.sshOk("etcd-01", "rm -f /var/tmp/launcher-it.bin");

        Path rb = root.resolve("small.yml");
        Files.writeString(rb, "name: small\nsteps:\n  - {id: one, hosts: etcd, run: \"true\"}\n");
        Cmd.Result small = launcher("apply", rb.toString(), "-i", Lab.INVENTORY.toString());
        assertEquals(0, small.exit(), small.all());
        assertTrue(!small.err().contains("trace-jit"), small.err());

        // a slow run with bulk data (a fetch: size unknown; the runbook not first, so the engine
        // re-runs it), killed while its C2 child sleeps in a step: the child must go at once, not
        // finish the run on its own
        Path slow = root.resolve("slow.yml");
        Files.writeString(slow, "name: slow\nsteps:\n  - {id: wait, hosts: etcd-01, run: \"sleep 60\"}\n"
                + "  - {id: get, hosts: etcd-01, fetch: {src: /etc/hostname, dest: " + root.resolve("fetched") + "/}}\n");
        Path log = root.resolve("killed.log");
        Process p = new ProcessBuilder(Lab.REPO.resolve("runbook").toString(), "apply", "-i", Lab.INVENTORY.toString(), slow.toString())
                .directory(Lab.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Lab.waitFor("the step running in the C2 child", 60, () -> Files.readString(log).contains("== wait"));
            List<ProcessHandle> children = p.descendants().toList();
            assertTrue(!children.isEmpty(), "the launcher runs the plan in a child JVM: " + Files.readString(log));
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            for (ProcessHandle c : children) {
                c.onExit().get(5, TimeUnit.SECONDS); // a child that outlived it would sleep on for a minute
                assertTrue(!c.isAlive(), "child " + c.pid() + " outlived the killed launcher");
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            // the killed run's lock: broken, so the shared lab stays usable
            Cmd.runbook("unlock", "--break", "-i", Lab.INVENTORY.toString());
        }
    }
}
