package dev.runbook.parse;

import dev.runbook.action.Action;
import dev.runbook.action.ActionFactory;
import dev.runbook.action.ActionRegistry;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Input;
import dev.runbook.model.Node;
import dev.runbook.model.Rolling;
import dev.runbook.model.Runbook;
import dev.runbook.model.SourceLocation;
import dev.runbook.model.Step;
import dev.runbook.template.Expressions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a runbook YAML file into a validated {@link Runbook}: schema, types, exactly one action per
 * step, unique ids, known {@code needs}, compilable templates and conditions. Every error names file:line:col.
 */
public final class RunbookParser {
    private static final Set<String> STEP_KEYS = Set.of("id", "name", "hosts", "needs", "when", "register", "retries", "delay",
            "until", "timeout", "rolling", "destructive", "continue_on_error", "rollback", "recovery");

    private RunbookParser() {
    }

    public static Runbook load(Path file) {
        return parse(file.toString(), YamlLoader.load(file), Hashes.sha256(file));
    }

    public static Runbook parse(String name, String text) {
        return parse(name, YamlLoader.parse(name, text), Hashes.sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static Runbook parse(String file, Node root, String sha) {
        Fields f = new Fields(root, "runbook");
        // unknown keys first: a misspelt 'steps' should say so, not "runbook needs 'steps'"
        f.allow("name", "description", "inputs", "vars", "steps");
        f.finish();
        String name = f.string("name");
        String description = f.string("description", "");
        List<Input> inputs = f.node("inputs").map(RunbookParser::inputs).orElse(List.of());
        Map<String, Node> vars = new LinkedHashMap<>();
        f.node("vars").ifPresent(v -> {
            Fields vf = new Fields(v, "vars");
            for (String k : vf.keys()) {
                vars.put(k, checkValue(vf.required(k), k));
            }
            vf.allow(vf.keys().toArray(String[]::new));
        });
        Node stepsNode = f.required("steps");
        f.finish();
        if (!(stepsNode instanceof Node.ListNode list) || list.items().isEmpty()) {
            throw RunbookException.invalid(stepsNode.at(), "steps must be a non-empty list", "each item: - id: ..., hosts: ..., run: ...");
        }
        List<Step> steps = new ArrayList<>();
        Map<String, SourceLocation> ids = new HashMap<>();
        for (Node s : list.items()) {
            Step step = step(s, steps.isEmpty() ? null : steps.get(steps.size() - 1), steps.size() + 1);
            SourceLocation prev = ids.putIfAbsent(step.id(), step.at());
            if (prev != null) {
                throw RunbookException.invalid(step.at(), "duplicate step id '" + step.id() + "' (first at line " + prev.line() + ")", null);
            }
            steps.add(step);
        }
        for (Step s : steps) {
            for (String need : s.needs()) {
                if (!ids.containsKey(need)) {
                    throw RunbookException.invalid(s.needsAt(), "step '" + s.id() + "' needs unknown step '" + need + "'"
                            + DidYouMean.suffix(need, ids.keySet()), "step ids: " + String.join(", ", ids.keySet()));
                }
            }
        }
        for (Input in : inputs) {
            if (vars.containsKey(in.name())) {
                throw RunbookException.invalid(in.at(), "'" + in.name() + "' is both an input and a var", "rename one of them");
            }
        }
        return new Runbook(name, description, inputs, vars, List.copyOf(steps), file, sha);
    }

    /** Vars may hold any YAML; ambiguous YAML 1.1 scalars are refused so their meaning is never a guess. */
    private static Node checkValue(Node n, String key) {
        if (n instanceof Node.Scalar s && s.plain()) {
            String t = s.text();
            if (Set.of("yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF").contains(t)) {
                throw RunbookException.invalid(n.at(), "'" + key + ": " + t + "' is ambiguous (a boolean in YAML 1.1, a string in 1.2)",
                        "write true/false for a boolean or quote it ('" + t + "') for a string");
            }
            if (t.length() > 1 && t.matches("0[0-9]+")) {
                throw RunbookException.invalid(n.at(), "'" + key + ": " + t + "' is ambiguous (octal in YAML 1.1, decimal in 1.2)",
                        "quote it: '" + t + "'");
            }
        } else if (n instanceof Node.MapNode m) {
            m.entries().forEach((k, v) -> checkValue(v, k));
        } else if (n instanceof Node.ListNode l) {
            l.items().forEach(i -> checkValue(i, key));
        }
        return n;
    }

    private static List<Input> inputs(Node node) {
        Fields all = new Fields(node, "inputs");
        List<Input> out = new ArrayList<>();
        for (String name : all.keys()) {
            Fields f = new Fields(all.required(name), "input '" + name + "'");
            String type = f.string("type", "string");
            if (!Input.TYPES.contains(type)) {
                throw RunbookException.invalid(f.at("type"), "input type must be one of " + Input.TYPES + ", not '" + type + "'"
                        + DidYouMean.suffix(type, Input.TYPES), null);
            }
            boolean required = f.bool("required", !f.has("default"));
            Object dflt = f.node("default").map(n -> checkValue(n, "default").toValue()).orElse(null);
            String description = f.string("description", "");
            boolean secret = f.bool("secret", false);
            List<String> choices = f.strings("choices");
            f.finish();
            out.add(new Input(name, type, required, dflt, description, secret, choices == null ? List.of() : choices, all.at(name)));
        }
        return out;
    }

    private static Step step(Node node, Step previous, int index) {
        return step(node, previous, index, null);
    }

    /** A step; {@code parent} is the block it belongs to (its sub-steps inherit its hosts), or null. */
    private static Step step(Node node, Step previous, int index, String parent) {
        Fields f = new Fields(node, parent == null ? "step " + index : "sub-step " + index + " of block '" + parent + "'");
        f.allow(STEP_KEYS.toArray(String[]::new));
        if (parent == null && f.has("steps")) {
            return block(f, node, previous, index);
        }
        if (parent != null) {
            for (String k : List.of("hosts", "needs", "rolling", "steps")) {
                if (f.keys().contains(k)) {
                    throw RunbookException.invalid(f.at(k), "'" + k + "' is not allowed in a sub-step of block '" + parent + "'",
                            "sub-steps run in order on the block's hosts; put hosts, needs and rolling on the block");
                }
            }
        }
        List<String> actionKeys = f.keys().stream().filter(k -> !STEP_KEYS.contains(k)).toList();
        for (String k : actionKeys) {
            if (ActionRegistry.factory(k) == null) {
                Set<String> all = new java.util.TreeSet<>(STEP_KEYS);
                all.addAll(ActionRegistry.names());
                throw RunbookException.invalid(f.at(k), "unknown key '" + k + "' in step " + index + DidYouMean.suffix(k, all),
                        "actions: " + String.join(", ", ActionRegistry.names()) + "; step keys: " + String.join(", ", new java.util.TreeSet<>(STEP_KEYS)));
            }
        }
        if (actionKeys.size() != 1) {
            throw RunbookException.invalid(f.at(), "step " + index + " has " + (actionKeys.isEmpty() ? "no action" : actionKeys.size()
                    + " actions (" + String.join(", ", actionKeys) + ")"), "a step does exactly one of: " + String.join(", ", ActionRegistry.names()));
        }
        String type = actionKeys.get(0);
        Action action = ActionRegistry.factory(type).create(f.required(type));
        String id = f.string("id", "step" + index);
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw RunbookException.invalid(f.at("id"), "step id '" + id + "' may use only letters, digits, '-', '_' and '.'", null);
        }
        if (parent != null) {
            id = parent + "." + id;
        }
        String hosts = parent != null ? "(block)" : f.string("hosts", action.remote() ? null : Step.CONTROL);
        if (hosts == null) {
            throw RunbookException.invalid(f.at(), "step '" + id + "' needs 'hosts' (a group, a host pattern, or 'control')", null);
        }
        List<String> needs = f.strings("needs");
        if (needs == null && f.has("needs")) {
            needs = List.of();
        }
        if (f.node("needs").map(n -> n instanceof Node.ListNode l && l.items().isEmpty()).orElse(false)) {
            needs = List.of();
        }
        if (needs == null) {
            needs = previous == null ? List.of() : List.of(previous.id());
        }
        String when = f.string("when", null);
        String until = f.string("until", null);
        if (when != null) {
            Expressions.compile(when, f.at("when"));
        }
        if (until != null) {
            Expressions.compile(until, f.at("until"));
        }
        int retries = f.integer("retries", until != null ? 3 : 0, 0);
        Duration delay = f.duration("delay", Duration.ofSeconds(1));
        Duration timeout = f.duration("timeout", null);
        Rolling rolling = f.node("rolling").map(RunbookParser::rolling).orElse(null);
        String register = f.string("register", null);
        if (register != null && !register.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw RunbookException.invalid(f.at("register"), "register name '" + register + "' must be an identifier (letters, digits, _)", null);
        }
        Step s = new Step(id, f.string("name", null), hosts, List.copyOf(needs), when, register, retries, delay, until, timeout,
                rolling, f.bool("destructive", false), f.bool("continue_on_error", false),
                f.string("rollback", null), action, node.at(), f.at("hosts"), f.at("needs"), null, type, recovery(f));
        f.finish();
        if (s.rolling() != null && s.onControl()) {
            throw RunbookException.invalid(s.rolling().at(), "a rolling step needs hosts to roll over, not 'control'", null);
        }
        return s;
    }

    /** {@code recovery: quorum|healthy}: this step passing marks that point of a recovery (for RTO figures). */
    private static String recovery(Fields f) {
        String r = f.string("recovery", null);
        if (r != null && !r.equals("quorum") && !r.equals("healthy")) {
            throw RunbookException.invalid(f.at("recovery"), "recovery must be 'quorum' or 'healthy', not '" + r + "'",
                    "mark the step whose success means a quorum is back (quorum) or every member is healthy (healthy)");
        }
        return r;
    }

    /** A block: {@code steps:} run in order on each of its hosts, optionally rolling host by host. */
    private static Step block(Fields f, Node node, Step previous, int index) {
        List<String> extra = f.keys().stream().filter(k -> !STEP_KEYS.contains(k) && !k.equals("steps")).toList();
        if (!extra.isEmpty()) {
            throw RunbookException.invalid(f.at(extra.get(0)), "a block (a step with 'steps') has no action of its own; '" + extra.get(0)
                    + "' belongs in one of its sub-steps", null);
        }
        for (String k : List.of("register", "retries", "until", "timeout")) {
            if (f.keys().contains(k)) {
                throw RunbookException.invalid(f.at(k), "'" + k + "' is not allowed on a block; put it on a sub-step", null);
            }
        }
        String id = f.string("id", "step" + index);
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
            throw RunbookException.invalid(f.at("id"), "block id '" + id + "' may use only letters, digits, '-' and '_'", null);
        }
        String hosts = f.string("hosts");
        Node subs = f.required("steps");
        if (!(subs instanceof Node.ListNode list) || list.items().isEmpty()) {
            throw RunbookException.invalid(subs.at(), "a block's steps must be a non-empty list", null);
        }
        List<Step> block = new ArrayList<>();
        Map<String, SourceLocation> ids = new HashMap<>();
        for (Node sub : list.items()) {
            Step s = step(sub, null, block.size() + 1, id);
            SourceLocation prev = ids.putIfAbsent(s.id(), s.at());
            if (prev != null) {
                throw RunbookException.invalid(s.at(), "duplicate sub-step id '" + s.id() + "' (first at line " + prev.line() + ")", null);
            }
            block.add(s);
        }
        List<String> needs = f.strings("needs");
        if (needs == null) {
            needs = f.has("needs") || previous == null ? List.of() : List.of(previous.id());
        }
        String when = f.string("when", null);
        if (when != null) {
            Expressions.compile(when, f.at("when"));
        }
        Rolling rolling = f.node("rolling").map(RunbookParser::rolling).orElse(null);
        Step s = new Step(id, f.string("name", null), hosts, List.copyOf(needs), when, null, 0, Duration.ofSeconds(1), null, null,
                rolling, f.bool("destructive", false), f.bool("continue_on_error", false), f.string("rollback", null), null, node.at(),
                f.at("hosts"), f.at("needs"), List.copyOf(block), "block", recovery(f));
        f.allow("steps");
        f.finish();
        return s;
    }

    private static Rolling rolling(Node node) {
        Fields f = new Fields(node, "rolling");
        int batch = f.integer("batch", 1, 1);
        String order = "inventory";
        List<String> list = List.of();
        String expr = null;
        if (f.has("order")) {
            Node o = f.required("order");
            if (o instanceof Node.ListNode l) {
                order = "list";
                list = l.items().stream().map(i -> Fields.scalarText(i, "order")).toList();
            } else {
                String t = Fields.scalarText(o, "order");
                if (t.equals("inventory") || t.equals("reverse")) {
                    order = t;
                } else {
                    order = "expr";
                    expr = t;
                    Expressions.compile(t, o.at());
                }
            }
        }
        Rolling.Gate gate = f.node("gate").map(RunbookParser::gate).orElse(null);
        f.finish();
        return new Rolling(batch, order, list, expr, gate, node.at());
    }

    private static Rolling.Gate gate(Node node) {
        Fields f = new Fields(node, "gate");
        Set<String> gateKeys = Set.of("when", "hosts", "until", "timeout", "delay");
        f.allow(gateKeys.toArray(String[]::new));
        List<String> actionKeys = f.keys().stream().filter(k -> !gateKeys.contains(k)).toList();
        if (actionKeys.size() != 1 || ActionRegistry.factory(actionKeys.get(0)) == null) {
            throw RunbookException.invalid(f.at(), "a gate needs exactly one action (run, wait, assert, ...) besides "
                    + String.join(", ", gateKeys) + "; found: " + actionKeys, null);
        }
        ActionFactory factory = ActionRegistry.factory(actionKeys.get(0));
        Action action = factory.create(f.required(actionKeys.get(0)));
        String when = f.string("when", null);
        String until = f.string("until", null);
        if (when != null) {
            Expressions.compile(when, f.at("when"));
        }
        if (until != null) {
            Expressions.compile(until, f.at("until"));
        }
        String hosts = f.string("hosts", "control");
        if (!hosts.equals("control") && !hosts.equals("done")) {
            throw RunbookException.invalid(f.at("hosts"), "gate hosts must be 'control' or 'done' (the hosts finished so far)", null);
        }
        Rolling.Gate g = new Rolling.Gate(when, hosts, action, until, f.duration("timeout", Duration.ofSeconds(60)),
                f.duration("delay", Duration.ofSeconds(1)), node.at());
        f.finish();
        return g;
    }
}
