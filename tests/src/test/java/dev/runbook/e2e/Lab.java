package dev.runbook.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lab of real hosts (network/mount/UTS/PID namespaces, real sshd, real etcd) brought up ONCE
 * per test run by the project's own {@code lab/up}, and torn down by {@code lab/down} when the
 * whole run ends, failed or not. It uses its own prefix, state dir and inventory, so a developer's
 * lab (rblab, inventory/lab.yml) is left alone.
 */
public final class Lab implements BeforeAllCallback, ExtensionContext.Store.CloseableResource {
    static final Path REPO = Path.of(System.getProperty("runbook.repo", "..")).toAbsolutePath().normalize();
    static final String PREFIX = "rbtest";
    static final Path STATE = Path.of("/srv/runbook-lab-test");
    static final Path INVENTORY = REPO.resolve("tests/target/lab-inventory.yml");
    private static boolean up;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (Lab.class) {
            if (!up) {
                Cmd.Result r = script("up");
                if (r.exit() != 0) {
                    script("down");
                    throw new IllegalStateException("lab/up failed (exit " + r.exit() + "):\n" + r.out() + r.err());
                }
                up = true;
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put("runbook-lab", this);
            }
        }
    }

    /** Called by JUnit once, after the last test of the run. */
    @Override
    public void close() throws Exception {
        synchronized (Lab.class) {
            Cmd.Result r = script("down");
            up = false;
            if (r.exit() != 0) {
                throw new IllegalStateException("lab/down failed: " + r.err());
            }
        }
    }

    /** Runs lab/NAME with the test lab's environment. */
    static Cmd.Result script(String name, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("lab").resolve(name).toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(REPO, cmd, 180);
    }

    /** A command on a lab host over real SSH (lab/ssh). */
    static Cmd.Result ssh(String host, String command) throws IOException, InterruptedException {
        return script("ssh", host, command);
    }

    static String sshOk(String host, String command) throws IOException, InterruptedException {
        Cmd.Result r = ssh(host, command);
        if (r.exit() != 0) {
            throw new AssertionError("on " + host + ": `" + command + "` failed (" + r.exit() + "): " + r.err());
        }
        return r.out();
    }

    /** The lab's settings as lab/up recorded them (SUBNET, LAB_HOSTS ...). */
    static String env(String key) throws IOException {
        for (String line : Files.readAllLines(STATE.resolve("lab.env"), StandardCharsets.UTF_8)) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).replace("\"", "");
            }
        }
        throw new IllegalStateException("no " + key + " in lab.env");
    }

    static Path sshDir() {
        return STATE.resolve("ssh");
    }

    static Path pki() {
        return STATE.resolve("pki");
    }

    /** etcdctl from the control machine against the lab cluster, with the lab client certificate. */
    static Cmd.Result etcdctl(String endpoints, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoints, "--cacert=" + pki().resolve("ca.crt"),
                "--cert=" + pki().resolve("client.crt"), "--key=" + pki().resolve("client.key"), "--dial-timeout=3s", "--command-timeout=10s"));
        cmd.addAll(List.of(args));
        return Cmd.run(REPO, cmd, 60);
    }

    static String endpoints() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(INVENTORY)) {
            if (line.trim().startsWith("etcd_endpoints:")) {
                return line.substring(line.indexOf(':') + 1).trim().replace("\"", "");
            }
        }
        throw new IllegalStateException("no etcd_endpoints in " + INVENTORY + sb);
    }

    /** Writes {@code n} keys {@code <prefix>k<i> = v<i>} in etcd transactions of 100 (etcd allows 128 operations per txn). */
    static void putKeys(Path dir, String endpoints, String prefix, int n) throws Exception {
        List<String> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add("put " + prefix + "k" + i + " v" + i);
        }
        txn(dir, endpoints, ops);
    }

    /** Applies put/del operations in transactions of 100 through etcdctl (independent of the code under test). */
    static void txn(Path dir, String endpoints, List<String> ops) throws Exception {
        Files.createDirectories(dir);
        for (int start = 0; start < ops.size(); start += 100) {
            Path f = dir.resolve("txn.txt");
            // no compares, the operations as the success branch, an empty failure branch
            Files.writeString(f, "\n" + String.join("\n", ops.subList(start, Math.min(ops.size(), start + 100))) + "\n\n\n");
            Cmd.Result r = Cmd.run(REPO, List.of("bash", "-c", "etcdctl --endpoints=" + endpoints + " --cacert=" + pki().resolve("ca.crt")
                    + " --cert=" + pki().resolve("client.crt") + " --key=" + pki().resolve("client.key") + " txn < " + f), 60);
            if (r.exit() != 0) {
                throw new AssertionError("etcdctl txn failed: " + r.all());
            }
        }
    }

    /** Number of keys under a prefix. */
    static long countKeys(String endpoints, String prefix) throws Exception {
        return etcdctl(endpoints, "get", "--prefix", prefix, "--keys-only").out().lines().filter(l -> !l.isBlank()).count();
    }

    /** Every member's KV hash (etcdctl endpoint hashkv); the test asserts they are one value. */
    static List<String> hashes(String endpoints) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"hash\":(\\d+)").matcher(etcdctl(endpoints, "endpoint", "hashkv", "-w", "json").out());
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The snapshot path a backup run printed ("snapshot: /path/snapshot_<UTC>.db ..."). */
    static Path snapshotOf(Cmd.Result backupRun) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("snapshot: (\\S+\\.db)").matcher(backupRun.out());
        if (!m.find()) {
            throw new AssertionError("the backup run did not say where the snapshot is: " + backupRun.all());
        }
        return Path.of(m.group(1));
    }

    static void waitFor(String what, long seconds, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + "s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A condition polled by {@link #waitFor}. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }
}
