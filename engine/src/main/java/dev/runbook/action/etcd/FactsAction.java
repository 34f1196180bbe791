package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.ShellQuote;
import dev.runbook.template.ShellScript;
import dev.runbook.transport.ExecResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code etcd.facts}: what a runbook must know about etcd on a member before it changes anything:
 * its version, the tool that restores a snapshot there (etcdutl, else etcdctl) and whether it has
 * {@code --bump-revision}, the data dir the service uses, and whether that holds a member's data.
 * Registered as {@code {version, tool, bump, data_dir, has_data, style}}. With {@code need_data:
 * true} a member without data fails the step (a survivor to keep, a member to back up).
 */
final class FactsAction implements Action {
    static final String SCRIPT = ShellScript.load(FactsAction.class, "etcd-facts.bash");
    private final boolean needData;

    private FactsAction(boolean needData) {
        this.needData = needData;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.facts");
        boolean need = f.bool("need_data", false);
        f.finish();
        return new FactsAction(need);
    }

    @Override
    public List<String> describe(StepContext ctx) {
        MemberConfig c = MemberConfig.of(ctx.scope());
        String from = c.staticPod() ? "--data-dir of " + c.manifest() + " (or " + c.stashedManifest() + " while etcd is stopped)"
                : "ETCD_DATA_DIR of " + c.envFile();
        return List.of("read etcd's version, its restore tool (etcdutl, else etcdctl) and whether it has --bump-revision",
                "read the data dir from " + from + (needData ? "; fail unless it holds a member's data" : ""));
    }

    @Override
    public ActionResult run(StepContext ctx) {
        MemberConfig c = MemberConfig.of(ctx.scope());
        ExecResult r = ctx.exec(SCRIPT + "etcd_facts " + ShellQuote.quote(c.staticPod() ? "static-pod" : "env") + " " + ShellQuote.quote(c.envFile())
                + " " + ShellQuote.quote(c.manifest()) + " " + ShellQuote.quote(c.stashedManifest()));
        if (!r.ok()) {
            return ActionResult.failed("reading etcd's facts failed: " + (r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim()));
        }
        Map<String, String> kv = ShellScript.keyValues(r.stdout());
        if (kv.containsKey("error")) {
            return ActionResult.failed(kv.get("error"));
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("version", kv.get("version"));
        facts.put("tool", kv.get("tool"));
        facts.put("bump", "true".equals(kv.get("bump")));
        facts.put("data_dir", kv.get("data_dir"));
        facts.put("has_data", "true".equals(kv.get("has_data")));
        facts.put("style", c.staticPod() ? "static-pod" : "env");
        if (needData && !(Boolean) facts.get("has_data")) {
            return ActionResult.failed("no member data in " + facts.get("data_dir") + " on " + ctx.host().name());
        }
        return ActionResult.ok(false, "etcd " + facts.get("version") + ", " + facts.get("tool") + (Boolean.TRUE.equals(facts.get("bump"))
                ? " with --bump-revision" : " without --bump-revision") + ", data dir " + facts.get("data_dir"), facts);
    }
}
