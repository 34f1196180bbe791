package dev.runbook.action.k8s;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.action.etcd.MemberConfig;
import dev.runbook.bundle.ControlPlaneBundle;
import dev.runbook.bundle.ControlPlaneBundle.Entry;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.parse.Hashes;
import dev.runbook.template.ShellQuote;
import dev.runbook.template.Template;
import dev.runbook.transport.ExecResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code k8s.put_back}: puts back, from a control-plane bundle decrypted in memory, the files this
 * host had when the bundle was taken and lacks now (a host rebuilt from scratch): written as root
 * with their modes, owners and times, parent directories included. A static pod manifest goes to
 * the stash dir (static_pod_stash), not the manifests dir: nothing starts until the runbook's own
 * steps start it, in order. An existing file is never replaced: an identical one is counted, a
 * different one is kept and named. Registers {@code written}, {@code differing} (paths) and
 * {@code identical} (a count).
 */
final class PutBackAction implements Action {
    private final Template bundle;
    private final Template identity;

    private PutBackAction(Template bundle, Template identity) {
        this.bundle = bundle;
        this.identity = identity;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "k8s.put_back");
        f.required("bundle");
        f.required("identity");
        Action a = new PutBackAction(f.text("bundle"), f.text("identity"));
        f.finish();
        return a;
    }

    @Override
    public List<String> describe(StepContext ctx) {
        MemberConfig c = MemberConfig.of(ctx.host().vars());
        return List.of("put back " + ctx.host().name() + "'s files from " + ctx.render(bundle) + " (decrypted in memory with " + ctx.render(identity)
                        + ") that the host lacks, as root with their modes and owners",
                "static pod manifests go to " + parent(c.stashedManifest()) + " (started later by the runbook's steps); existing files are kept");
    }

    @Override
    public ActionResult run(StepContext ctx) {
        OpenedBundle o = OpenedBundle.open(ctx, ctx.render(bundle), ctx.render(identity));
        if (o.bundle() == null) {
            return ActionResult.failed(o.error() + "; nothing was changed");
        }
        List<Entry> mine = o.bundle().entries(ctx.host().name());
        if (mine.isEmpty()) {
            return ActionResult.ok(false, "the bundle holds no files of " + ctx.host().name(), Map.of("written", List.of(), "differing", List.of(), "identical", 0));
        }
        MemberConfig c = MemberConfig.of(ctx.host().vars());
        String dir = parent(c.manifest());
        String stash = parent(c.stashedManifest());
        // where each entry goes, and the other place a static pod manifest may be now
        List<String> ask = new ArrayList<>(List.of(stash));
        for (Entry e : mine) {
            ask.add(e.path());
            String alt = alternative(e.path(), dir, stash);
            if (alt != null) {
                ask.add(alt);
            }
        }
        Map<String, String> state = state(ctx, ask);
        List<Entry> write = new ArrayList<>();
        List<String> written = new ArrayList<>();
        List<String> differing = new ArrayList<>();
        int identical = 0;
        boolean parked = false;
        for (Entry e : mine) {
            String alt = alternative(e.path(), dir, stash);
            String here = state.get(e.path());
            String there = alt == null ? "-" : state.get(alt);
            if (e.directory()) {
                if ("-".equals(here)) {
                    write.add(e); // missing directories only: an existing one keeps its mode
                }
                continue;
            }
            String existing = !"-".equals(here) ? here : there;
            String existingPath = !"-".equals(here) ? e.path() : alt;
            if ("-".equals(existing)) {
                boolean park = alt != null && e.path().startsWith(dir + "/");
                Entry target = park ? new Entry(e.host(), alt, e.mode(), e.uid(), e.gid(), e.mtimeMillis(), e.content(), e.linkTarget(), false) : e;
                parked |= park;
                write.add(target);
                written.add(target.path());
            } else if (e.file() && existing.equals(Hashes.sha256(e.content()))) {
                identical++;
            } else if (e.file() || !existing.equals("link")) {
                differing.add(existingPath);
            }
        }
        if (parked && "-".equals(state.get(stash))) {
            write.add(0, new Entry(ctx.host().name(), stash, 0755, 0, 0, System.currentTimeMillis(), null, null, true));
        }
        if (!write.isEmpty()) {
            String failed = install(ctx, write);
            if (failed != null) {
                return ActionResult.failed(failed);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("written", written);
        data.put("differing", differing);
        data.put("identical", identical);
        String msg = (written.isEmpty() ? "nothing missing" : "wrote " + written.size() + " file(s)" + (parked ? " (static pod manifests into " + stash + ")" : ""))
                + (identical > 0 ? ", " + identical + " identical" : "")
                + (differing.isEmpty() ? "" : "; kept " + differing.size() + " that differ from the bundle: " + String.join(", ", differing.subList(0, Math.min(5, differing.size())))
                        + (differing.size() > 5 ? ", ..." : ""));
        return ActionResult.ok(!written.isEmpty(), msg, data);
    }

    /** For each path: its sha256 when a regular file, "dir", "link", "other", or "-" when absent. */
    private static Map<String, String> state(StepContext ctx, List<String> paths) {
        StringBuilder cmd = new StringBuilder("for p in");
        for (String p : paths) {
            cmd.append(' ').append(ShellQuote.quote(p));
        }
        cmd.append("; do if [ -L \"$p\" ]; then echo \"link $p\"; elif [ -d \"$p\" ]; then echo \"dir $p\"; elif [ -f \"$p\" ]; then sha256sum -- \"$p\"; "
                + "elif [ -e \"$p\" ]; then echo \"other $p\"; else echo \"- $p\"; fi; done");
        ExecResult r = ctx.exec(cmd.toString());
        if (!r.ok()) {
            throw new IllegalStateException("cannot look at " + ctx.host().name() + "'s control-plane files: " + r.stderr().trim());
        }
        Map<String, String> out = new LinkedHashMap<>();
        r.stdout().lines().forEach(l -> {
            int sp = l.indexOf(' ');
            if (sp > 0) {
                out.put(l.substring(sp + 1).replaceFirst("^ ", ""), l.substring(0, sp));
            }
        });
        return out;
    }

    /** Uploads one tar of {@code write} (missing directories and files only) into a root-only temp dir and unpacks it at /; tar refuses to replace a file. */
    private static String install(StepContext ctx, List<Entry> write) {
        byte[] tar;
        try {
            tar = ControlPlaneBundle.hostTar(write);
        } catch (IOException e) {
            return "cannot build the files for " + ctx.host().name() + ": " + e.getMessage();
        }
        ExecResult d = ctx.exec("(umask 077 && mktemp -d /tmp/runbook-putback.XXXXXX)");
        if (!d.ok()) {
            return "no temp dir on " + ctx.host().name() + ": " + d.stderr().trim();
        }
        String dir = d.stdout().trim();
        try {
            ctx.transport().upload(tar, dir + "/files.tar");
            // a parent the bundle does not hold gets the usual 755, whatever this shell's umask
            ExecResult r = ctx.exec("(umask 022 && tar -C / --numeric-owner --keep-old-files -xpf " + ShellQuote.quote(dir + "/files.tar") + ")");
            return r.ok() ? null : "putting back the files on " + ctx.host().name() + " failed: " + r.stderr().trim();
        } finally {
            ctx.exec("rm -rf -- " + ShellQuote.quote(dir));
        }
    }

    /** The stash path of a static pod manifest in the manifests dir (or the reverse), else null. */
    private static String alternative(String path, String dir, String stash) {
        if (parent(path).equals(dir) && (path.endsWith(".yaml") || path.endsWith(".yml") || path.endsWith(".json"))) {
            return stash + path.substring(dir.length());
        }
        if (parent(path).equals(stash)) {
            return dir + path.substring(stash.length());
        }
        return null;
    }

    private static String parent(String path) {
        return BundleAction.parent(path);
    }
}
