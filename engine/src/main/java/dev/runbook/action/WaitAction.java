package dev.runbook.action;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.ShellQuote;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import dev.runbook.transport.ExecResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code wait}: polls on the host until a condition holds or {@code timeout} (default 60s) passes,
 * every {@code delay} (default 1s). Exactly one of: {@code command} (exits 0), {@code port}
 * (accepts TCP on {@code address}, default 127.0.0.1), {@code path} (with {@code state: present|absent}).
 */
public final class WaitAction implements Action {
    private final Template probe;
    private final Template path;
    private final boolean present;
    private final String what;
    private final Duration timeout;
    private final Duration delay;

    private WaitAction(Template probe, Template path, boolean present, String what, Duration timeout, Duration delay) {
        this.probe = probe;
        this.path = path;
        this.present = present;
        this.what = what;
        this.timeout = timeout;
        this.delay = delay;
    }

    public static Action create(Node value) {
        Fields f = new Fields(value, "wait");
        Duration timeout = f.duration("timeout", Duration.ofSeconds(60));
        Duration delay = f.duration("delay", Duration.ofSeconds(1));
        int kinds = (f.has("command") ? 1 : 0) + (f.has("port") ? 1 : 0) + (f.has("path") ? 1 : 0);
        if (kinds != 1) {
            throw RunbookException.invalid(f.at(), "wait needs exactly one of command, port or path", null);
        }
        Template probe;
        String what;
        if (f.has("command")) {
            Node c = f.required("command");
            probe = Templates.shell(Fields.scalarText(c, "command"), c.at());
            what = "command succeeds";
        } else if (f.has("port")) {
            int port = f.integer("port", 0, 1);
            String address = f.string("address", "127.0.0.1");
            probe = Templates.shell("exec 3<>/dev/tcp/" + address + "/" + port, f.at("port"));
            what = "port " + address + ":" + port + " accepts connections";
        } else {
            Node p = f.required("path");
            String state = f.string("state", "present");
            if (!state.equals("present") && !state.equals("absent")) {
                throw RunbookException.invalid(f.at("state"), "wait state must be present or absent", null);
            }
            String path = Fields.scalarText(p, "path");
            f.finish();
            return new WaitAction(null, Templates.text(path, p.at()), state.equals("present"), path + " is " + state, timeout, delay);
        }
        f.finish();
        return new WaitAction(probe, null, true, what, timeout, delay);
    }

    String command(StepContext ctx) {
        if (path != null) {
            return (present ? "test -e " : "! test -e ") + ShellQuote.quote(ctx.render(path));
        }
        return ctx.render(probe);
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("wait until " + what + " (every " + delay.toMillis() + "ms, up to " + timeout.toSeconds() + "s)", "$ " + command(ctx));
    }

    @Override
    public ActionResult run(StepContext ctx) {
        String cmd = command(ctx);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int tries = 0;
        ExecResult last = null;
        while (true) {
            tries++;
            last = ctx.exec(cmd, timeout);
            if (last.ok()) {
                return new ActionResult(false, false, 0, last.stdout(), last.stderr(), "after " + tries + " tries",
                        Map.of("tries", tries), false);
            }
            if (ctx.cancelled() || System.nanoTime() + delay.toNanos() > deadline) {
                break;
            }
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new ActionResult(true, false, last.exitCode(), last.stdout(), last.stderr(),
                "gave up after " + timeout.toSeconds() + "s (" + tries + " tries): " + what + " never held", Map.of("tries", tries), false);
    }

}
