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
 * Forms: {@code run: "cmd"} or {@code run: {cmd: ..., chdir: ..., env: {K: V}}}.
 */
public final class RunAction implements Action {
    private final Template cmd;
    private final Template chdir;
    private final Map<String, Template> env;

    private RunAction(Template cmd, Template chdir, Map<String, Template> env) {
        this.cmd = cmd;
        this.chdir = chdir;
        this.env = env;
    }

    public static Action create(Node value) {
        if (value instanceof Node.Scalar) {
            return new RunAction(Templates.shell(Fields.scalarText(value, "run"), value.at()), null, Map.of());
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
        f.finish();
        return new RunAction(Templates.shell(Fields.scalarText(c, "cmd"), c.at()), chdir, env);
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

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("$ " + commandLine(ctx));
    }

    @Override
    public ActionResult run(StepContext ctx) {
        ExecResult r = ctx.exec(commandLine(ctx));
        String msg = r.timedOut() ? "timed out after " + ctx.timeout().toSeconds() + "s (command killed)"
                : r.cancelled() ? "cancelled" : r.exitCode() != 0 ? "exit code " + r.exitCode() : "";
        return new ActionResult(!r.ok(), true, r.exitCode(), r.stdout(), r.stderr(), msg,
                Map.of("stdout_bytes", r.stdoutBytes(), "stderr_bytes", r.stderrBytes()), false);
    }
}
