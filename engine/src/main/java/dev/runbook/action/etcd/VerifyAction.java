package dev.runbook.action.etcd;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.event.JsonEvents;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.HashKVResponse;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code etcd.verify}: proofs, each optional, all that are given must hold:
 * {@code snapshot: FILE} (sha256 trailer, the .sha256 sidecar, and the .json metadata read back),
 * {@code hashkv: true} (every member's KV hash at ONE revision is the same),
 * {@code prefix: /registry/} with {@code expect_count: N} (keys under a prefix),
 * {@code min_revision: N} (the cluster's revision is at least N, e.g. a snapshot's).
 */
final class VerifyAction extends EtcdAction {
    private final Template snapshot;
    private final boolean hashkv;
    private final Template prefix;
    private final Template expectCount;
    private final Template minRevision;

    private VerifyAction(EtcdTarget.Spec spec, Template snapshot, boolean hashkv, Template prefix, Template expectCount, Template minRevision) {
        super(spec);
        this.snapshot = snapshot;
        this.hashkv = hashkv;
        this.prefix = prefix;
        this.expectCount = expectCount;
        this.minRevision = minRevision;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.verify");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        Template snapshot = t(f, "snapshot");
        boolean hashkv = f.bool("hashkv", false);
        Template prefix = t(f, "prefix");
        Template expect = t(f, "expect_count");
        Template minRev = t(f, "min_revision");
        f.finish();
        if (snapshot == null && !hashkv && prefix == null && minRev == null) {
            throw RunbookException.invalid(f.at(), "etcd.verify needs something to verify: snapshot, hashkv, prefix or min_revision", null);
        }
        if (expect != null && prefix == null) {
            throw RunbookException.invalid(f.at("expect_count"), "expect_count counts keys under a prefix: give prefix too ('' for all keys)", null);
        }
        return new VerifyAction(spec, snapshot, hashkv, prefix, expect, minRev);
    }

    private static Template t(Fields f, String key) {
        return f.node(key).map(n -> Templates.text(n instanceof Node.Scalar s && s.text().isEmpty() ? "" : Fields.scalarText(n, key), n.at()))
                .orElse(null);
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        List<String> out = new ArrayList<>();
        if (snapshot != null) {
            out.add("verify snapshot file " + ctx.render(snapshot) + " (sha256 trailer and sidecar)");
        }
        if (hashkv) {
            out.add("compare every member's KV hash at one revision on " + cluster);
        }
        if (prefix != null) {
            out.add("count keys under '" + ctx.render(prefix) + "'" + (expectCount != null ? ", expect " + ctx.render(expectCount) : ""));
        }
        if (minRevision != null) {
            out.add("cluster revision at least " + ctx.render(minRevision));
        }
        return out;
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        Map<String, Object> r = new LinkedHashMap<>();
        List<String> ok = new ArrayList<>();
        if (snapshot != null) {
            String problem = verifySnapshot(Path.of(ctx.render(snapshot)), r);
            if (problem != null) {
                return failed(problem, r);
            }
            ok.add("snapshot intact");
        }
        if (!hashkv && prefix == null && minRevision == null) {
            return ActionResult.ok(false, String.join(", ", ok), r);
        }
        Client c = EtcdClients.of(ctx).cluster(target);
        String eps = String.join(",", target.endpoints());
        GetResponse head = SnapshotAction.count(c, eps, target);
        long revision = head.getHeader().getRevision();
        r.put("revision", revision);
        if (hashkv) {
            // HashKV at each member's latest revision (0): a revision at or below a compaction is refused by
            // etcd; the hashes are comparable when every member answers at the same revision (retried under writes)
            Map<String, Object> hashes = new LinkedHashMap<>();
            Map<String, Long> revisions = new LinkedHashMap<>();
            for (int attempt = 0; attempt < 5; attempt++) {
                hashes.clear();
                revisions.clear();
                for (String ep : target.endpoints()) {
                    HashKVResponse h = EtcdClients.call(EtcdClients.of(ctx).hashKV(target, ep, 0), ep, "hashkv", millis(target.callTimeout()));
                    hashes.put(ep, Integer.toUnsignedString(h.getHash()));
                    revisions.put(ep, h.getHeader().getRevision());
                }
                if (revisions.values().stream().distinct().count() == 1) {
                    break;
                }
            }
            r.put("hashes", hashes);
            r.put("hash_revisions", revisions);
            if (revisions.values().stream().distinct().count() != 1) {
                return failed("members kept moving (writes in flight), no common revision to compare at: " + revisions, r);
            }
            long at = revisions.values().iterator().next();
            boolean agree = hashes.values().stream().distinct().count() == 1;
            r.put("agree", agree);
            if (!agree) {
                return failed("members disagree at revision " + at + ": " + hashes, r);
            }
            ok.add(hashes.size() + " members agree at revision " + at);
        }
        if (prefix != null) {
            String p = ctx.render(prefix);
            GetOption opt = p.isEmpty()
                    ? GetOption.builder().withRange(io.etcd.jetcd.ByteSequence.from(new byte[] {0})).withCountOnly(true).build()
                    : GetOption.builder().isPrefix(true).withCountOnly(true).build();
            io.etcd.jetcd.ByteSequence key = p.isEmpty() ? io.etcd.jetcd.ByteSequence.from(new byte[] {0}) : bytes(p);
            long count = EtcdClients.call(c.getKVClient().get(key, opt), eps, "count", millis(target.callTimeout())).getCount();
            r.put("count", count);
            if (expectCount != null) {
                long want = Long.parseLong(ctx.render(expectCount).trim());
                if (count != want) {
                    return failed(count + " keys under '" + p + "', expected " + want, r);
                }
            }
            ok.add(count + " keys under '" + p + "'");
        }
        if (minRevision != null) {
            long min = Long.parseLong(ctx.render(minRevision).trim());
            if (revision < min) {
                return failed("cluster revision " + revision + " is below " + min, r);
            }
            ok.add("revision " + revision + " >= " + min);
        }
        return ActionResult.ok(false, String.join(", ", ok), r);
    }

    private static ActionResult failed(String msg, Map<String, Object> r) {
        return new ActionResult(true, false, 1, "", "", msg, r, false);
    }

    /** Null when the snapshot file is intact; fills {@code r} with what its sidecars say. */
    static String verifySnapshot(Path file, Map<String, Object> r) {
        try {
            String sha = SnapshotFile.verify(file);
            r.put("sha256", sha);
            Path sidecar = Path.of(file + ".sha256");
            if (Files.isRegularFile(sidecar)) {
                String recorded = Files.readString(sidecar).trim().split("\\s+")[0];
                if (!recorded.equals(sha)) {
                    return file + ": sha256 " + sha + " differs from " + sidecar + " (" + recorded + ")";
                }
            }
            Path meta = Path.of(file + ".json");
            boolean has = Files.isRegularFile(meta);
            r.put("has_meta", has);
            r.put("meta", has ? JsonEvents.MAPPER.readValue(meta.toFile(), new TypeReference<Map<String, Object>>() { }) : Map.of());
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
