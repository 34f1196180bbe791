package dev.runbook.action.etcd;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real etcd members ({@code /usr/bin/etcd}, Debian's etcd-server) started as child processes on
 * loopback, with or without TLS (a throwaway CA made with openssl). No Docker. Ends only its own
 * processes, by handle.
 */
final class LocalEtcd implements AutoCloseable {
    final Path dir;
    final boolean tls;
    final List<String> clientUrls = new ArrayList<>();
    final List<Process> members = new ArrayList<>();
    private final List<List<String>> commands = new ArrayList<>();

    LocalEtcd(Path dir, int size, boolean tls) throws IOException, InterruptedException {
        this.dir = dir;
        this.tls = tls;
        if (!Files.isExecutable(Path.of("/usr/bin/etcd"))) {
            throw new IllegalStateException("these tests need a real etcd: apt-get install -y etcd-server etcd-client");
        }
        if (tls) {
            pki();
        }
        // ports are picked by opening and closing a socket: another process can take one before
        // etcd binds it; then the cluster is started again on new ports (a few times at most)
        for (int attempt = 1; ; attempt++) {
            startCluster(size, attempt);
            try {
                waitHealthy();
                return;
            } catch (IllegalStateException e) {
                boolean portTaken = logs().contains("address already in use");
                // never leave a member running: the caller's try-with-resources never got this object
                for (Process m : members) {
                    m.destroyForcibly().waitFor();
                }
                if (!portTaken || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private void startCluster(int size, int attempt) throws IOException {
        members.clear();
        commands.clear();
        clientUrls.clear();
        String scheme = tls ? "https" : "http";
        List<String> peers = new ArrayList<>();
        StringBuilder cluster = new StringBuilder();
        for (int i = 0; i < size; i++) {
            clientUrls.add(scheme + "://127.0.0.1:" + freePort());
            peers.add(scheme + "://127.0.0.1:" + freePort());
            cluster.append(i == 0 ? "" : ",").append("m").append(i).append('=').append(peers.get(i));
        }
        for (int i = 0; i < size; i++) {
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/etcd", "--name", "m" + i, "--data-dir", dir.resolve(attempt == 1 ? "m" + i : "m" + i + "-retry" + attempt).toString(),
                    "--listen-client-urls", clientUrls.get(i), "--advertise-client-urls", clientUrls.get(i),
                    "--listen-peer-urls", peers.get(i), "--initial-advertise-peer-urls", peers.get(i),
                    "--initial-cluster", cluster.toString(), "--initial-cluster-state", "new", "--initial-cluster-token", "t-" + dir.getFileName() + (attempt == 1 ? "" : "-" + attempt),
                    "--heartbeat-interval", "50", "--election-timeout", "500"));
            if (tls) {
                String crt = dir.resolve("pki/server.crt").toString();
                String key = dir.resolve("pki/server.key").toString();
                String ca = ca().toString();
                cmd.addAll(List.of("--client-cert-auth", "--trusted-ca-file", ca, "--cert-file", crt, "--key-file", key,
                        "--peer-client-cert-auth", "--peer-trusted-ca-file", ca, "--peer-cert-file", crt, "--peer-key-file", key));
            }
            commands.add(cmd);
            members.add(start(i));
        }
    }

    /** Every member's log so far (they share one file per member index). */
    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.max(1, members.size()); i++) {
            try {
                sb.append(Files.readString(dir.resolve("m" + i + ".log")));
            } catch (IOException ignored) {
                // no log yet
            }
        }
        return sb.toString();
    }

    private LocalEtcd(Path dir, boolean tls) {
        this.dir = dir;
        this.tls = tls;
    }

    /** One plain-http member started on an existing (restored) data dir, as a new single-member cluster. */
    static LocalEtcd fromDataDir(Path dir, String name) throws IOException, InterruptedException {
        LocalEtcd e = new LocalEtcd(dir, false);
        String client = "http://127.0.0.1:" + freePort();
        String peer = "http://127.0.0.1:" + freePort();
        e.clientUrls.add(client);
        // a restored member keeps the peer URL it was restored with unless told otherwise; force a fresh one-member cluster
        e.commands.add(List.of("/usr/bin/etcd", "--name", name, "--data-dir", dir.resolve(name).toString(), "--listen-client-urls", client,
                "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", name + "=" + peer, "--force-new-cluster"));
        e.members.add(e.start(0));
        e.waitHealthy();
        return e;
    }

    private Process start(int i) throws IOException {
        return new ProcessBuilder(commands.get(i)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("m" + i + ".log").toFile())).start();
    }

    Path ca() {
        return dir.resolve("pki/ca.crt");
    }

    Path cert() {
        return dir.resolve("pki/client.crt");
    }

    Path key() {
        return dir.resolve("pki/client.key");
    }

    String endpoints() {
        return String.join(",", clientUrls);
    }

    /** etcdctl against the cluster with the right TLS flags. */
    List<String> etcdctl(String endpoints, String... args) {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoints, "--command-timeout=20s"));
        if (tls) {
            cmd.addAll(List.of("--cacert=" + ca(), "--cert=" + cert(), "--key=" + key()));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + " failed: " + out);
        }
        return out;
    }

    void waitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Process p = new ProcessBuilder(etcdctl(endpoints(), "endpoint", "health")).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                // the cause in the failure itself: JUnit deletes the temp dir with the logs
                String all = logs();
                throw new IllegalStateException("local etcd did not become healthy; its logs end:\n"
                        + all.substring(Math.max(0, all.length() - 4000)));
            }
            Thread.sleep(100);
        }
    }

    void kill(int i) throws InterruptedException {
        members.get(i).destroyForcibly().waitFor();
    }

    /** Kills member {@code i} and starts it again on the same data dir. */
    void restart(int i) throws IOException, InterruptedException {
        kill(i);
        members.set(i, start(i));
    }

    private void pki() throws IOException, InterruptedException {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        sh(pki, "openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca");
        for (String n : new String[] {"server", "client"}) {
            sh(pki, "openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout " + n + ".key -out " + n + ".csr -subj /CN=" + n);
            Files.writeString(pki.resolve(n + ".ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
            sh(pki, "openssl x509 -req -in " + n + ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile " + n + ".ext -out " + n + ".crt");
        }
    }

    private static void sh(Path cwd, String cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + ": " + out);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : members) {
            p.destroy();
        }
        for (Process p : members) {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
