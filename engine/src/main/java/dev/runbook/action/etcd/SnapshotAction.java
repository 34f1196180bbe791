package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.event.JsonEvents;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code etcd.snapshot}: streams a snapshot from ONE member (the named {@code member}, else the
 * leader, else the member with the highest raft index) to {@code dest} on the control machine:
 * written as {@code .part}, its sha256 trailer verified, renamed; then {@code <dest>.sha256} and
 * {@code <dest>.json} (revision, key count, size, member, etcd version, time) beside it. The
 * revision is exact when no write landed while streaming ({@code exact: true}); otherwise
 * {@code revision} and {@code keys} are those at {@code revision_min}, the range is recorded.
 */
final class SnapshotAction extends EtcdAction implements dev.runbook.action.BulkTransfer {
    private final Template dest;
    private final Template member;

    private SnapshotAction(EtcdTarget.Spec spec, Template dest, Template member) {
        super(spec);
        this.dest = dest;
        this.member = member;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.snapshot");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        Node d = f.required("dest");
        Template member = f.node("member").map(n -> Templates.text(Fields.scalarText(n, "member"), n.at())).orElse(null);
        f.finish();
        return new SnapshotAction(spec, Templates.text(Fields.scalarText(d, "dest"), d.at()), member);
    }

    private Path target(StepContext ctx) {
        Path p = Path.of(ctx.render(dest));
        return p.isAbsolute() ? p : Path.of("").toAbsolutePath().resolve(p).normalize();
    }

    @Override
    public long bulkBytes(StepContext ctx) {
        return UNKNOWN; // the database's size is known only when the stream starts
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        return List.of("stream a snapshot from " + (member != null ? ctx.render(member) : "the leader of " + cluster) + " to "
                + target(ctx) + " (.part, sha256 trailer verified, renamed; .sha256 and .json beside it)");
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        Path to = target(ctx);
        Map<String, Object> status = null;
        String endpoint;
        if (member != null) {
            endpoint = target.endpointOf(ctx.render(member), ctx.scope());
        } else {
            status = StatusAction.collect(ctx, target);
            endpoint = !"".equals(status.get("leader_endpoint")) ? (String) status.get("leader_endpoint") : (String) status.get("most_recent_endpoint");
            if (endpoint.isEmpty()) {
                return ActionResult.failed("no member answered a status request: " + status.get("errors"));
            }
        }
        long tStatus = System.nanoTime();
        Client one = EtcdClients.of(ctx).member(target, endpoint);
        long limit = timeout(ctx, Duration.ofMinutes(10)).toMillis();
        GetResponse before = count(one, endpoint, target);
        Path part = to.resolveSibling(to.getFileName() + ".part");
        long bytes;
        try {
            Files.createDirectories(to.getParent());
            try (OutputStream out = Files.newOutputStream(part)) {
                ctx.progress("streaming a snapshot from " + endpoint + " to " + part);
                bytes = EtcdClients.call(one.getMaintenanceClient().snapshot(out), endpoint, "snapshot", limit);
            }
            long tStreamed = System.nanoTime();
            GetResponse after = count(one, endpoint, target);
            String sha = SnapshotFile.verify(part);
            dev.runbook.trace.Trace.line("snapshot", "count+stream=%.0fms verify=%.0fms", (tStreamed - tStatus) / 1e6, (System.nanoTime() - tStreamed) / 1e6);
            Files.move(part, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            boolean exact = before.getHeader().getRevision() == after.getHeader().getRevision();
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("file", to.getFileName().toString());
            meta.put("sha256", sha);
            meta.put("size", bytes);
            meta.put("member", endpoint);
            meta.put("member_id", hex(after.getHeader().getMemberId()));
            meta.put("cluster_id", hex(after.getHeader().getClusterId()));
            meta.put("etcd_version", version(ctx, target, endpoint, status));
            // not exact (writes landed while streaming): the snapshot holds at least everything up to revision_min
            meta.put("revision", exact ? after.getHeader().getRevision() : before.getHeader().getRevision());
            meta.put("revision_min", before.getHeader().getRevision());
            meta.put("revision_max", after.getHeader().getRevision());
            meta.put("keys", exact ? after.getCount() : before.getCount());
            meta.put("exact", exact);
            meta.put("taken_at", Instant.now().toString());
            meta.put("run_id", ctx.runId());
            Files.writeString(Path.of(to + ".sha256"), sha + "  " + to.getFileName() + "\n");
            Files.writeString(Path.of(to + ".json"), JsonEvents.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(meta) + "\n");
            Map<String, Object> r = new LinkedHashMap<>(meta);
            r.put("path", to.toString());
            return ActionResult.ok(true, to + " (" + bytes + " bytes, revision " + (exact ? meta.get("revision")
                    : meta.get("revision_min") + ".." + meta.get("revision_max")) + ", " + after.getCount() + " keys, from " + endpoint + ")", r);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // the .part name says it is incomplete
            }
            return ActionResult.failed("snapshot from " + endpoint + " failed: " + e.getMessage());
        } catch (EtcdClients.EtcdException e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // the .part name says it is incomplete
            }
            Routes.Route r = EtcdClients.of(ctx).route(target, endpoint);
            if (r.via() != null) {
                // a stream through a tunnel also ends when that host's SSH connection drops
                throw new EtcdClients.EtcdException(e.getMessage() + " (streamed through " + r.via() + "'s SSH connection; the partial file was removed)",
                        e.hint() != null ? e.hint() : "run it again (runbook resume): a new run opens new connections");
            }
            throw e;
        }
    }

    /** Revision and key count as the member sees them (serializable: this member's own state). */
    static GetResponse count(Client c, String endpoint, EtcdTarget target) {
        byte[] zero = {0};
        return EtcdClients.call(c.getKVClient().get(io.etcd.jetcd.ByteSequence.from(zero),
                        GetOption.builder().withRange(io.etcd.jetcd.ByteSequence.from(zero)).withCountOnly(true).withSerializable(true).build()),
                endpoint, "count keys", millis(target.callTimeout()));
    }

    private static String version(StepContext ctx, EtcdTarget target, String endpoint, Map<String, Object> status) {
        if (status != null && status.get("versions") instanceof Map<?, ?> v && v.get(endpoint) != null) {
            return String.valueOf(v.get(endpoint));
        }
        try {
            return EtcdClients.call(EtcdClients.of(ctx).status(target, endpoint), endpoint,
                    "status", millis(target.callTimeout())).getVersion();
        } catch (EtcdClients.EtcdException e) {
            return "";
        }
    }
}
