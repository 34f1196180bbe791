package dev.runbook.action.k8s;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.bundle.ControlPlaneBundle;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code k8s.bundle_check}: opens a control-plane bundle with the identity file before anything
 * changes (a wrong identity or a damaged file stops the run here) and refuses one taken with
 * another snapshot than {@code snapshot_sha256} unless {@code force} is true. Registers {@code
 * hosts} (names), {@code files}, {@code created} and {@code snapshot} (what the bundle recorded).
 */
final class BundleCheckAction implements Action {
    private final Template bundle;
    private final Template identity;
    private final Template snapshot;
    private final Template force;

    private BundleCheckAction(Template bundle, Template identity, Template snapshot, Template force) {
        this.bundle = bundle;
        this.identity = identity;
        this.snapshot = snapshot;
        this.force = force;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "k8s.bundle_check");
        f.required("bundle");
        f.required("identity");
        Action a = new BundleCheckAction(f.text("bundle"), f.text("identity"), f.text("snapshot"), f.text("force"));
        f.finish();
        return a;
    }

    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("decrypt " + ctx.render(bundle) + " in memory with the identity file " + ctx.render(identity) + " and check every file against its SHA256SUMS",
                "refuse it unless it was taken with the snapshot being restored" + (isForced(ctx) ? " (force: a mismatch is only reported)" : ""));
    }

    @Override
    public ActionResult run(StepContext ctx) {
        OpenedBundle o = OpenedBundle.open(ctx, ctx.render(bundle), ctx.render(identity));
        if (o.bundle() == null) {
            return ActionResult.failed(o.error() + "; nothing was changed");
        }
        ControlPlaneBundle b = o.bundle();
        String want;
        try {
            want = snapshot == null || ctx.render(snapshot).isBlank() ? "" : BundleAction.snapshotSha256(ctx.baseDir().resolve(ctx.render(snapshot)).normalize());
        } catch (java.io.IOException e) {
            return ActionResult.failed("cannot read the snapshot " + ctx.render(snapshot) + ": " + e.getMessage());
        }
        String have = b.snapshotSha256();
        String note = "";
        if (!want.isEmpty() && !want.equals(have)) {
            String msg = "the control-plane bundle was taken with another snapshot (" + (have.isEmpty() ? "none recorded" : "sha256 " + abbrev(have))
                    + ") than the one being restored (sha256 " + abbrev(want) + ")";
            if (!isForced(ctx)) {
                return ActionResult.failed(msg + ": refused, nothing was changed; pass the bundle of the same backup, or force it (bundle_force=true) when its PKI is still right");
            }
            note = "; " + msg + " (forced)";
        }
        Map<String, Object> data = new LinkedHashMap<>();
        List<String> hosts = b.entries().stream().map(ControlPlaneBundle.Entry::host).distinct().toList();
        data.put("hosts", hosts);
        data.put("files", b.entries().stream().filter(ControlPlaneBundle.Entry::file).count());
        data.put("created", String.valueOf(b.meta().get("created")));
        data.put("snapshot", b.meta().getOrDefault("snapshot", Map.of()));
        return ActionResult.ok(false, data.get("files") + " files of " + String.join(", ", hosts) + ", taken " + data.get("created") + note, data);
    }

    private boolean isForced(StepContext ctx) {
        return force != null && Boolean.parseBoolean(ctx.render(force).trim());
    }

    private static String abbrev(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "..." : sha;
    }
}
