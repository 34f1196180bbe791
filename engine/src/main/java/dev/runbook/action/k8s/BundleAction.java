package dev.runbook.action.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.action.etcd.MemberConfig;
import dev.runbook.bundle.Age;
import dev.runbook.bundle.ControlPlaneBundle;
import dev.runbook.inventory.Host;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.parse.Hashes;
import dev.runbook.template.ShellQuote;
import dev.runbook.template.ShellScript;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code k8s.bundle}: collects the control-plane files of every host of {@code hosts} (groups or
 * host names; default the etcd group) in parallel, over the run's connections, into one
 * {@link ControlPlaneBundle}, encrypts it to the age {@code recipients} while it is written, and
 * stores it at {@code dest} on the control machine (mode 600, via a .part file). Nothing of it is
 * ever written unencrypted here, and only counts and names reach the journal. With {@code
 * snapshot}, the bundle records that snapshot's file name, sha256 and revision (from its sidecars).
 */
final class BundleAction implements Action {
    static final String SCRIPT = ShellScript.load(BundleAction.class, "controlplane-files.bash");
    /** A host's part larger than this is not a control plane's files (a manifests dir used as a dump). */
    private static final long MAX_HOST_BYTES = 64L << 20;
    private final Template hosts;
    private final Template dest;
    private final Template recipients;
    private final Template snapshot;
    private final List<String> paths;

    private BundleAction(Template hosts, Template dest, Template recipients, Template snapshot, List<String> paths) {
        this.hosts = hosts;
        this.dest = dest;
        this.recipients = recipients;
        this.snapshot = snapshot;
        this.paths = paths;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "k8s.bundle");
        Template hosts = f.text("hosts");
        f.required("dest");
        Template dest = f.text("dest");
        f.required("recipients");
        Template recipients = f.text("recipients");
        Template snapshot = f.text("snapshot");
        List<String> paths = f.strings("paths");
        if (paths != null) {
            for (String p : paths) {
                if (!p.startsWith("/") || p.contains("/../")) {
                    throw dev.runbook.error.RunbookException.invalid(f.at("paths"), "k8s.bundle paths must be absolute paths on the hosts, not '" + p + "'", null);
                }
            }
        }
        f.finish();
        return new BundleAction(hosts, dest, recipients, snapshot, paths == null ? List.of() : List.copyOf(paths));
    }

    /** Runs on this machine and reaches the hosts through the run's connections (as the etcd actions do). */
    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("collect from " + String.join(", ", names(ctx)) + ": static pod manifests, /etc/kubernetes/pki and kubeconfigs, the API server's"
                        + " EncryptionConfiguration, etcd's env file and /etc/etcd/pki" + (paths.isEmpty() ? "" : ", " + String.join(", ", paths)),
                "encrypt to the age recipients " + ctx.render(recipients) + " while writing " + target(ctx) + " (mode 600; nothing unencrypted on this machine)");
    }

    @Override
    public ActionResult run(StepContext ctx) {
        List<String> recips;
        try {
            recips = Age.recipients(ctx.render(recipients), ctx.baseDir());
        } catch (IllegalArgumentException e) {
            return ActionResult.failed(e.getMessage());
        }
        List<Host> from = new ArrayList<>();
        for (String n : names(ctx)) {
            Host h = ctx.resources().links().hosts().stream().filter(x -> x.name().equals(n)).findFirst().orElse(null);
            if (h == null) {
                return ActionResult.failed("no inventory host '" + n + "' to collect control-plane files from");
            }
            from.add(h);
        }
        if (from.isEmpty()) {
            return ActionResult.failed("no host to collect control-plane files from: is '" + ctx.render(hosts) + "' a group of the inventory?");
        }
        Map<String, Object> snap;
        try {
            snap = snapshotInfo(ctx);
        } catch (IOException e) {
            return ActionResult.failed("cannot read the snapshot's sidecars: " + e.getMessage());
        }
        List<ControlPlaneBundle.Entry> all = new ArrayList<>();
        Map<String, Object> perHost = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(from.size(), 16));
        try {
            List<CompletableFuture<List<ControlPlaneBundle.Entry>>> parts = new ArrayList<>();
            for (Host h : from) {
                parts.add(CompletableFuture.supplyAsync(() -> collect(ctx, h), pool));
            }
            for (int i = 0; i < from.size(); i++) {
                List<ControlPlaneBundle.Entry> part = parts.get(i).join();
                all.addAll(part);
                perHost.put(from.get(i).name(), part.stream().filter(ControlPlaneBundle.Entry::file).count());
            }
        } catch (java.util.concurrent.CompletionException e) {
            return ActionResult.failed(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        } finally {
            pool.shutdownNow();
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", ControlPlaneBundle.FORMAT);
        meta.put("created", Instant.now().toString());
        meta.put("run_id", ctx.runId());
        meta.put("snapshot", snap);
        meta.put("hosts", perHost);
        Path to = target(ctx);
        Path part = to.resolveSibling(to.getFileName() + ".part");
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.deleteIfExists(part);
            Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Age.encrypt(Files.newOutputStream(part), recips)) {
                new ControlPlaneBundle(meta, all).write(out);
            }
            Files.move(part, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // the .part stays: it is encrypted, and the message names the real failure
            }
            return ActionResult.failed("cannot write the control-plane bundle " + to + ": " + e.getMessage());
        }
        long files = all.stream().filter(ControlPlaneBundle.Entry::file).count();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("path", to.toString());
        data.put("files", files);
        data.put("hosts", perHost);
        data.put("recipients", recips.size());
        try {
            data.put("size", Files.size(to));
            data.put("sha256", Hashes.sha256(to));
        } catch (IOException e) {
            return ActionResult.failed("cannot read back " + to + ": " + e.getMessage());
        }
        return ActionResult.ok(true, to + ": " + files + " files from " + perHost.size() + " host(s), encrypted to " + recips.size() + " age recipient(s)", data);
    }

    /** One host's files: a tar made there in a root-only temp dir, read over the run's connection, then removed. */
    private List<ControlPlaneBundle.Entry> collect(StepContext ctx, Host h) {
        Transport t = ctx.resources().links().transport(h);
        MemberConfig c = MemberConfig.of(h.vars());
        StringBuilder cmd = new StringBuilder(SCRIPT).append("controlplane_tar ").append(ShellQuote.quote(parent(c.manifest()))).append(' ')
                .append(ShellQuote.quote(parent(c.stashedManifest()))).append(' ').append(ShellQuote.quote(c.envFile()));
        for (String p : paths) {
            cmd.append(' ').append(ShellQuote.quote(p));
        }
        ExecResult r = t.exec(cmd.toString(), ExecOptions.of(ctx.timeout() == null ? Duration.ofMinutes(2) : ctx.timeout()));
        Map<String, String> kv = ShellScript.keyValues(r.stdout());
        String tar = kv.get("tar");
        try {
            if (!r.ok()) {
                throw new IllegalStateException(h.name() + ": collecting the control-plane files failed: " + (r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim()));
            }
            if (tar == null) {
                throw new IllegalStateException(h.name() + " has none of the control-plane files (no " + parent(c.manifest()) + ", /etc/kubernetes/pki, "
                        + c.envFile() + " or /etc/etcd/pki): is it a control-plane host?");
            }
            if (Long.parseLong(kv.getOrDefault("size", "0")) > MAX_HOST_BYTES) {
                throw new IllegalStateException(h.name() + ": its control-plane files take " + kv.get("size") + " bytes, more than " + MAX_HOST_BYTES
                        + ": refused (is something else kept in the manifests or PKI dirs?)");
            }
            return ControlPlaneBundle.fromHostTar(h.name(), t.read(tar));
        } catch (IOException e) {
            throw new IllegalStateException(h.name() + ": unreadable tar of the control-plane files: " + e.getMessage(), e);
        } finally {
            if (tar != null) {
                t.exec("rm -rf -- " + ShellQuote.quote(parent(tar)), ExecOptions.of(Duration.ofSeconds(30)));
            }
        }
    }

    /** The hosts of {@code hosts}: group names (the inventory's) and host names, separated by spaces, commas or colons. */
    @SuppressWarnings("unchecked")
    private List<String> names(StepContext ctx) {
        String spec = hosts == null ? "etcd" : ctx.render(hosts);
        Map<String, List<String>> groups = ctx.scope().get("groups") instanceof Map<?, ?> g ? (Map<String, List<String>>) g : Map.of();
        List<String> out = new ArrayList<>();
        for (String token : spec.split("[\\s,:]+")) {
            if (token.isEmpty()) {
                continue;
            }
            for (String n : groups.containsKey(token) ? groups.get(token) : List.of(token)) {
                if (!out.contains(n)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private Map<String, Object> snapshotInfo(StepContext ctx) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        String s = snapshot == null ? "" : ctx.render(snapshot);
        if (s.isBlank()) {
            return out;
        }
        Path p = ctx.baseDir().resolve(s).normalize();
        out.put("file", p.getFileName().toString());
        Path json = p.resolveSibling(p.getFileName() + ".json");
        if (Files.isRegularFile(json)) {
            Map<?, ?> m = new ObjectMapper().readValue(json.toFile(), Map.class);
            for (String k : List.of("sha256", "revision", "keys", "cluster_id", "taken_at")) {
                if (m.get(k) != null) {
                    out.put(k, m.get(k));
                }
            }
        }
        if (!out.containsKey("sha256")) {
            out.put("sha256", snapshotSha256(p));
        }
        return out;
    }

    /** A snapshot's sha256: from its .sha256 sidecar (sha256sum format), else by reading it. */
    static String snapshotSha256(Path snapshot) throws IOException {
        Path side = snapshot.resolveSibling(snapshot.getFileName() + ".sha256");
        if (Files.isRegularFile(side)) {
            String first = Files.readString(side).trim().split("\\s+")[0];
            if (first.matches("[0-9a-f]{64}")) {
                return first;
            }
        }
        if (!Files.isRegularFile(snapshot)) {
            throw new IOException(snapshot + " does not exist");
        }
        return Hashes.sha256(snapshot);
    }

    private Path target(StepContext ctx) {
        Path p = Path.of(ctx.render(dest));
        return p.isAbsolute() ? p : ctx.baseDir().resolve(p).normalize();
    }

    /** The directory of {@code path} ("/" for a top-level one). */
    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }
}
