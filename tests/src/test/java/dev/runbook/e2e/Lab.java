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
 * The lab of real hosts (network/mount/UTS/PID namespaces, real sshd, real etcd) brought up by the
 * project's own {@code lab/up}, and torn down by {@code lab/down} when the whole run ends, failed or
 * not. It uses its own prefix, state dir and inventory, so a developer's lab (rblab,
 * inventory/lab.yml) is left alone.
 *
 * <p>Every test class starts on the SHARED lab (the first etcd version of the matrix, script style,
 * 3 members + 1 spare), rebuilt only when an earlier test changed its shape or damaged it. Scenario
 * tests ask for a {@link #fresh} lab of the shape they need and may leave it in any state.
 * The etcd versions come from {@code -Drunbook.lab.etcd=3.5,3.4} (default: both, 3.5 first).
 */
public final class Lab implements BeforeAllCallback, ExtensionContext.Store.CloseableResource {
    static final Path REPO = Path.of(System.getProperty("runbook.repo", "..")).toAbsolutePath().normalize();
    static final String PREFIX = "rbtest";
    static final Path STATE = Path.of("/srv/runbook-lab-test");
    static final Path INVENTORY = REPO.resolve("tests/target/lab-inventory.yml");
    static final List<String> VERSIONS = List.of(System.getProperty("runbook.lab.etcd", "3.5,3.4").trim().split("\\s*,\\s*"));
    static final List<String> STYLES = List.of("script", "static-pod");
    /** The access shapes the parameterised tests run on, {@code -Drunbook.lab.access=lab,production} (default: both). */
    static final List<String> ACCESS = List.of(System.getProperty("runbook.lab.access", "lab,production").trim().split("\\s*,\\s*"));

    /** What lab/up builds: etcd release series, service style, members and spares, and the hosts' shape (lab or production). */
    record Shape(String etcd, String style, int members, int spares, String access) {
        Shape(String etcd, String style, int members, int spares) {
            this(etcd, style, members, spares, "lab");
        }

        static Shape shared() {
            return new Shape(VERSIONS.get(0), "script", 3, 1);
        }

        static Shape of(String etcd, String style) {
            return new Shape(etcd, style, 3, 1);
        }

        /** 3 members and a spare, of this access shape ("lab" or "production"). */
        static Shape of(String etcd, String style, String access) {
            return new Shape(etcd, style, 3, 1, access);
        }

        /** Members behind a bastion, login ops with sudo, the key only in the lab's ssh-agent (lab/up --shape production). */
        static Shape production() {
            return new Shape(VERSIONS.get(0), "script", 3, 1, "production");
        }

        Shape withMembers(int m, int s) {
            return new Shape(etcd, style, m, s, access);
        }

        String[] args() {
            return new String[] {"--etcd", etcd, "--style", style, "--members", String.valueOf(members), "--spares", String.valueOf(spares),
                    "--shape", access};
        }
    }

    /** The production shape's ssh-agent socket (SSH_AUTH_SOCK for the engine). */
    static Path agentSocket() {
        return STATE.resolve("ssh/agent.sock");
    }

    private static boolean registered;
    /** The shape of the running lab while it is pristine; null once a test may have changed it. */
    private static Shape pristine;

    /** Every etcd version x service style, for {@code @MethodSource("dev.runbook.e2e.Lab#versionsAndStyles")}. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> versionsAndStyles() {
        return VERSIONS.stream().flatMap(v -> STYLES.stream().map(s -> org.junit.jupiter.params.provider.Arguments.of(v, s)));
    }

    /**
     * Every etcd version x service style on the lab shape, then the production shape (bastion,
     * sudo, agent, client ports closed to this machine, TLS files only on the members) twice: the
     * first version with static pods and the last with the script style, so each version and each
     * style meets production. For {@code @MethodSource("dev.runbook.e2e.Lab#matrix")}: (etcd, style, access).
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> matrix() {
        return java.util.stream.Stream.concat(versionsAndStyles().map(a -> org.junit.jupiter.params.provider.Arguments.of(a.get()[0], a.get()[1], "lab")),
                productionCases()).filter(a -> ACCESS.contains((String) a.get()[2]));
    }

    /** The production cases of {@link #matrix}. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> productionCases() {
        return java.util.stream.Stream.of(org.junit.jupiter.params.provider.Arguments.of(VERSIONS.get(0), "static-pod", "production"),
                org.junit.jupiter.params.provider.Arguments.of(VERSIONS.get(VERSIONS.size() - 1), "script", "production")).distinct();
    }

    /** Every etcd version on the lab shape, then the last one on the production shape: (etcd, access). */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> versionsAndShapes() {
        return java.util.stream.Stream.concat(versions().map(v -> org.junit.jupiter.params.provider.Arguments.of(v, "lab")),
                java.util.stream.Stream.of(org.junit.jupiter.params.provider.Arguments.of(VERSIONS.get(VERSIONS.size() - 1), "production")))
                .filter(a -> ACCESS.contains((String) a.get()[1]));
    }

    /** True when the running lab is the production shape (the engine then needs the lab's ssh-agent). */
    static boolean production() {
        try {
            return Files.exists(STATE.resolve("lab.env")) && "production".equals(env("LAB_SHAPE"));
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    /** A command as root on a lab host through its namespaces (lab/console), not SSH: for checking a host's state in any shape. */
    static Cmd.Result onHost(String host, String command) throws IOException, InterruptedException {
        return script("console", host, "bash", "-c", command);
    }

    static String onHostOk(String host, String command) throws IOException, InterruptedException {
        Cmd.Result r = onHost(host, command);
        if (r.exit() != 0) {
            throw new AssertionError("on " + host + ": `" + command + "` failed (" + r.exit() + "): " + r.err());
        }
        return r.out();
    }

    /** Every etcd version, for {@code @MethodSource("dev.runbook.e2e.Lab#versions")}. */
    static java.util.stream.Stream<String> versions() {
        return VERSIONS.stream();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (Lab.class) {
            if (!registered) {
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put("runbook-lab", this);
                registered = true;
            }
            shared();
        }
    }

    /** Makes sure the shared lab is up and untouched by scenario tests (rebuilds it if not). */
    static synchronized void shared() throws Exception {
        if (!Shape.shared().equals(pristine)) {
            up(Shape.shared());
            pristine = Shape.shared();
        }
    }

    /** A new lab of this shape for a scenario that may break it; the next shared() rebuilds. */
    static synchronized void fresh(Shape shape) throws Exception {
        pristine = null;
        up(shape);
    }

    /**
     * A matrix case's start: a fresh lab of that shape, and the case's own work dir,
     * {@code tests/target/TEST/ETCD-STYLE-ACCESS} (created).
     */
    static Path freshFor(String test, String etcd, String style, String access) throws Exception {
        fresh(Shape.of(etcd, style, access));
        return Files.createDirectories(REPO.resolve("tests/target/" + test + "/" + etcd + "-" + style + "-" + access));
    }

    private static void up(Shape shape) throws Exception {
        Cmd.Result r = script("up", shape.args());
        if (r.exit() != 0) {
            script("down");
            throw new IllegalStateException("lab/up " + String.join(" ", shape.args()) + " failed (exit " + r.exit() + "):\n" + r.out() + r.err());
        }
    }

    /** Called by JUnit once, after the last test of the run. */
    @Override
    public void close() throws Exception {
        synchronized (Lab.class) {
            Cmd.Result r = script("down");
            registered = false;
            pristine = null;
            if (r.exit() != 0) {
                throw new IllegalStateException("lab/down failed: " + r.err());
            }
        }
    }

    /** An etcd tool (etcd, etcdctl, etcdutl) of the version the running lab uses. */
    static String tool(String name) throws IOException {
        return env("LAB_ETCD_BIN") + "/" + name;
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

    /** A file on a lab host's own disk, read by the lab (not over SSH): e.g. a root-only key, to compare with what was fetched. */
    static Path hostFile(String host, String path) {
        return STATE.resolve("hosts").resolve(host).resolve("upper").resolve(path.replaceFirst("^/", ""));
    }

    /**
     * etcdctl against the lab cluster, independent of the code under test (lab/etcdctl: from this
     * machine with the lab's client certificate, or in the production shape from the bastion's
     * network with a member's own client pair).
     */
    static Cmd.Result etcdctl(String endpoints, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("--endpoints=" + endpoints, "--dial-timeout=3s", "--command-timeout=10s"));
        cmd.addAll(List.of(args));
        return Cmd.run(REPO, concat(REPO.resolve("lab/etcdctl").toString(), cmd), 60);
    }

    /** The shell words of lab/etcdctl for {@code endpoints} (this lab's environment included), for a command line of one's own. */
    static String etcdctlCommand(String endpoints) {
        return "RUNBOOK_LAB_PREFIX=" + PREFIX + " RUNBOOK_LAB_DIR=" + STATE + " " + REPO.resolve("lab/etcdctl") + " --endpoints=" + endpoints;
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
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
            String cmd = etcdctlCommand(endpoints) + " txn < " + f;
            // Right after a fault (a member powered off) the survivors may be electing a leader and
            // etcd answers "request timed out" / "no leader". A client retries; puts and deletes
            // are idempotent, so re-applying the same batch until it is acknowledged is exact.
            long deadline = System.nanoTime() + 30_000_000_000L;
            Cmd.Result r = Cmd.run(REPO, List.of("bash", "-c", cmd), 60);
            while (r.exit() != 0 && transientEtcdError(r.all()) && System.nanoTime() < deadline) {
                Thread.sleep(500);
                r = Cmd.run(REPO, List.of("bash", "-c", cmd), 60);
            }
            if (r.exit() != 0) {
                throw new AssertionError("etcdctl txn failed: " + r.all());
            }
        }
    }

    /** Errors etcd returns while the cluster elects a leader; the request may be retried. */
    static boolean transientEtcdError(String output) {
        return output.contains("request timed out") || output.contains("no leader") || output.contains("leader changed")
                || output.contains("code = Unavailable");
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
