package dev.runbook.action;

import dev.runbook.action.service.ServiceManager;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.DidYouMean;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import dev.runbook.transport.ExecResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code service}: start, stop, restart or query a service through the host's service manager
 * ({@code service_manager} host variable: systemd, static-pod or script; {@code manager:} overrides).
 * {@code state: status} never fails on a stopped service: it registers {@code running: false}.
 * {@code state: stopping} asks for the stop and returns without waiting for the process to exit.
 */
public final class ServiceAction implements Action {
    private static final List<String> STATES = List.of("started", "stopped", "stopping", "restarted", "status");
    private final Template name;
    private final String state;
    private final String manager;

    private ServiceAction(Template name, String state, String manager) {
        this.name = name;
        this.state = state;
        this.manager = manager;
    }

    public static Action create(Node value) {
        Fields f = new Fields(value, "service");
        Node n = f.required("name");
        String state = f.string("state");
        if (!STATES.contains(state)) {
            throw RunbookException.invalid(f.at("state"), "service state must be one of " + STATES + ", not '" + state + "'"
                    + DidYouMean.suffix(state, STATES), null);
        }
        String manager = f.string("manager", null);
        if (manager != null && ServiceManager.of(manager) == null) {
            throw RunbookException.invalid(f.at("manager"), "unknown service manager '" + manager + "'" + DidYouMean.suffix(manager, ServiceManager.KINDS),
                    "one of " + ServiceManager.KINDS);
        }
        f.finish();
        return new ServiceAction(Templates.text(Fields.scalarText(n, "name"), n.at()), state, manager);
    }

    private String script(StepContext ctx) {
        String kind = manager != null ? manager : String.valueOf(ctx.host().vars().getOrDefault("service_manager", "systemd"));
        ServiceManager m = ServiceManager.of(kind);
        if (m == null) {
            throw RunbookException.invalid(ctx.host().at(), "host " + ctx.host().name() + ": unknown service_manager '" + kind + "'",
                    "one of " + ServiceManager.KINDS);
        }
        long seconds = ctx.timeout() == null ? 60 : Math.max(1, ctx.timeout().toSeconds());
        return m.script(ctx.render(name), state, ctx.host().vars(), seconds);
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("service " + ctx.render(name) + " -> " + state, "$ " + script(ctx));
    }

    @Override
    public ActionResult run(StepContext ctx) {
        ExecResult r = ctx.exec(script(ctx), ctx.timeout() == null ? Duration.ofSeconds(90) : ctx.timeout());
        if (state.equals("status")) {
            boolean running = r.exitCode() == 0;
            if (r.exitCode() != 0 && r.exitCode() != 3) {
                return new ActionResult(true, false, r.exitCode(), r.stdout(), r.stderr(), "status check failed", Map.of(), false);
            }
            return new ActionResult(false, false, r.exitCode(), r.stdout(), r.stderr(), running ? "running" : "stopped",
                    Map.of("running", running), false);
        }
        String msg = r.ok() ? state : r.timedOut() ? "timed out" : (r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim());
        return new ActionResult(!r.ok(), true, r.exitCode(), r.stdout(), r.stderr(), msg, Map.of(), false);
    }
}
