package dev.runbook.action;

import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.ShellQuote;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import dev.runbook.transport.ExecResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code run}: a shell command (bash) on the host. Values inserted with {{x}} are shell-quoted;
 * {{{x}}} inserts raw. Fails on a non-zero exit code.
 * Forms: {@code run: "cmd"} or {@code run: {cmd: ..., chdir: ..., env: {K: V}, json: true}};
 * with {@code json: true} the output is parsed and registered as {@code json} (e.g. {@code etcdctl -w json}).
 */
public final class RunAction implements Action {
    private final Template cmd;
    private final Template chdir;
    private final Map<String, Template> env;
    private final boolean json;

    private RunAction(Template cmd, Template chdir, Map<String, Template> env, boolean json) {
        this.cmd = cmd;
        this.chdir = chdir;
        this.env = env;
        this.json = json;
    }

    public static Action create(Node value) {
        if (value instanceof Node.Scalar) {
            return new RunAction(Templates.shell(Fields.scalarText(value, "run"), value.at()), null, Map.of(), false);
        }
        Fields f = new Fields(value, "run");
        Node c = f.required("cmd");
        Template chdir = f.node("chdir").map(n -> Templates.text(Fields.scalarText(n, "chdir"), n.at())).orElse(null);
        Map<String, Template> env = new LinkedHashMap<>();
        f.node("env").ifPresent(e -> {
            Fields ef = new Fields(e, "run.env");
            for (String k : ef.keys()) {
                Node v = ef.required(k);
                env.put(k, Templates.text(Fields.scalarText(v, k), v.at()));
            }
        });
        boolean json = f.bool("json", false);
        f.finish();
        return new RunAction(Templates.shell(Fields.scalarText(c, "cmd"), c.at()), chdir, env, json);
    }

    /** The full command line as it will run, prefix (cd, env) included. */
    String commandLine(StepContext ctx) {
        StringBuilder sb = new StringBuilder();
        if (chdir != null) {
            sb.append("cd ").append(ShellQuote.quote(ctx.render(chdir))).append(" && ");
        }
        env.forEach((k, v) -> sb.append("export ").append(k).append('=').append(ShellQuote.quote(ctx.render(v))).append("; "));
        return sb.append(ctx.render(cmd)).toString();
    }

    /** The last printed line: what the console shows beside a successful step. */
    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("$ " + commandLine(ctx));
    }

    @Override
    public ActionResult run(StepContext ctx) {
        ExecResult r = ctx.exec(commandLine(ctx));
        String msg = r.timedOut() ? "timed out after " + ctx.timeout().toSeconds() + "s (command killed)"
                : r.cancelled() ? "cancelled" : r.exitCode() != 0 ? "exit code " + r.exitCode() : lastLine(r.stdout());
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("stdout_bytes", r.stdoutBytes());
        data.put("stderr_bytes", r.stderrBytes());
        boolean failed = !r.ok();
        if (json && r.ok()) {
            try {
                data.put("json", dev.runbook.event.JsonEvents.MAPPER.readValue(r.stdout(), Object.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                failed = true;
                msg = "output is not JSON (json: true): " + e.getOriginalMessage();
            }
        }
        return new ActionResult(failed, true, r.exitCode(), r.stdout(), r.stderr(), msg, data, false);
    }
}
