package dev.runbook.action;

import dev.runbook.action.service.ServiceManager;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.DidYouMean;
import dev.runbook.parse.Fields;
import dev.runbook.template.ShellQuote;
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
 * {@code name} may hold several services (separated by spaces or commas), handled one after the
 * other in that order; with {@code missing: skip}, a service the host does not have is passed over
 * and said so (an API server on an etcd-only host), instead of failing the step. {@code state:
 * installed} changes nothing: it registers {@code installed} and {@code missing} (lists of names)
 * and fails only when the host is not set up as the inventory says (no manifests dir).
 */
public final class ServiceAction implements Action {
    private static final List<String> STATES = List.of("started", "stopped", "stopping", "restarted", "status", "installed");
    private final Template name;
    private final String state;
    private final String manager;
    private final boolean skipMissing;
    /** What a skipped service prints (the result's message and {@code changed} come from it). */
    private static final String ABSENT = "not on this host, skipped";

    private ServiceAction(Template name, String state, String manager, boolean skipMissing) {
        this.name = name;
        this.state = state;
        this.manager = manager;
        this.skipMissing = skipMissing;
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
        String missing = f.string("missing", "fail");
        if (!List.of("fail", "skip").contains(missing)) {
            throw RunbookException.invalid(f.at("missing"), "service missing must be 'fail' or 'skip', not '" + missing + "'", null);
        }
        if (missing.equals("skip") && (state.equals("status") || state.equals("installed"))) {
            throw RunbookException.invalid(f.at("missing"), "missing: skip does not apply to state: " + state, "it never fails on a service that is not there");
        }
        f.finish();
        return new ServiceAction(Templates.text(Fields.scalarText(n, "name"), n.at()), state, manager, missing.equals("skip"));
    }

    private List<String> names(StepContext ctx) {
        List<String> out = java.util.Arrays.stream(ctx.render(name).split("[\\s,]+")).filter(x -> !x.isEmpty()).toList();
        if (out.isEmpty()) {
            throw RunbookException.invalid(ctx.host().at(), "service name is empty on host " + ctx.host().name(), "name one service or several, separated by spaces");
        }
        return out;
    }

    private String script(StepContext ctx) {
        String kind = manager != null ? manager : String.valueOf(ctx.host().vars().getOrDefault("service_manager", "systemd"));
        ServiceManager m = ServiceManager.of(kind);
        if (m == null) {
            throw RunbookException.invalid(ctx.host().at(), "host " + ctx.host().name() + ": unknown service_manager '" + kind + "'",
                    "one of " + ServiceManager.KINDS);
        }
        List<String> names = names(ctx);
        // each service's own wait ends before the step's timeout kills the command, so the
        // failure names the process still running instead of saying "timed out"
        long step = ctx.timeout() == null ? 60 : Math.max(1, ctx.timeout().toSeconds());
        long seconds = Math.max(1, (step - Math.min(3, step / 5)) / names.size() - 1);
        if (state.equals("status") && names.size() > 1) {
            throw RunbookException.invalid(ctx.host().at(), "service state status takes one service, not " + names, "one step per service");
        }
        boolean asked = state.equals("installed");
        if (names.size() == 1 && !skipMissing && !asked) {
            return m.script(names.get(0), state, ctx.host().vars(), seconds);
        }
        StringBuilder sb = new StringBuilder();
        for (String one : names) {
            String body = asked ? "echo " + ShellQuote.quote(one + ": installed") : m.script(one, state, ctx.host().vars(), seconds);
            sb.append(sb.length() == 0 ? "" : " && ");
            if (skipMissing || asked) {
                sb.append("( if ").append(m.installed(one, ctx.host().vars())).append("; then ").append(body)
                        .append("; else echo ").append(ShellQuote.quote(one + ": " + ABSENT)).append("; fi )");
            } else {
                sb.append(body);
            }
        }
        return sb.toString();
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("service " + String.join(", ", names(ctx)) + " -> " + state + (skipMissing ? " (where the host has it)" : ""), "$ " + script(ctx));
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
        if (state.equals("installed")) {
            if (!r.ok()) {
                return new ActionResult(true, false, r.exitCode(), r.stdout(), r.stderr(), r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim(), Map.of(), false);
            }
            List<String> absent = absent(r);
            List<String> present = names(ctx).stream().filter(x -> !absent.contains(x)).toList();
            String msg = (present.isEmpty() ? "" : "installed: " + String.join(", ", present)) + (present.isEmpty() || absent.isEmpty() ? "" : "; ")
                    + (absent.isEmpty() ? "" : "not on this host: " + String.join(", ", absent));
            return new ActionResult(false, false, 0, r.stdout(), r.stderr(), msg, Map.of("installed", present, "missing", absent), false);
        }
        String msg = r.ok() ? state : r.timedOut() ? "timed out" : (r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim());
        boolean changed = true;
        if (skipMissing && r.ok()) {
            List<String> absent = absent(r);
            changed = absent.size() < names(ctx).size();
            if (!absent.isEmpty()) {
                msg = changed ? state + "; not on this host: " + String.join(", ", absent) : "not on this host: " + String.join(", ", absent);
            }
        }
        return new ActionResult(!r.ok(), changed, r.exitCode(), r.stdout(), r.stderr(), msg, Map.of(), false);
    }

    /** The services a skip-missing or installed script said the host does not have. */
    private static List<String> absent(ExecResult r) {
        return r.stdout().lines().filter(l -> l.endsWith(": " + ABSENT)).map(l -> l.substring(0, l.length() - ABSENT.length() - 2)).toList();
    }
}
