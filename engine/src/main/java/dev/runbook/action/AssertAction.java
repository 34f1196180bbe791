package dev.runbook.action;

import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Expressions;
import dev.runbook.template.Expressions.Expression;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code assert}: checks conditions (JEXL) on the engine's side, without touching the host; fails
 * naming the first condition that does not hold. Forms: {@code assert: "expr"} or
 * {@code assert: {that: [expr, ...], message: "..."}}.
 */
public final class AssertAction implements Action {
    private final List<Expression> that;
    private final Template message;

    private AssertAction(List<Expression> that, Template message) {
        this.that = that;
        this.message = message;
    }

    public static Action create(Node value) {
        if (value instanceof Node.Scalar) {
            return new AssertAction(List.of(Expressions.compile(Fields.scalarText(value, "assert"), value.at())), null);
        }
        Fields f = new Fields(value, "assert");
        Node t = f.required("that");
        List<Expression> exprs = new ArrayList<>();
        if (t instanceof Node.ListNode l) {
            for (Node item : l.items()) {
                exprs.add(Expressions.compile(Fields.scalarText(item, "that"), item.at()));
            }
        } else {
            exprs.add(Expressions.compile(Fields.scalarText(t, "that"), t.at()));
        }
        Template msg = f.node("message").map(n -> Templates.text(Fields.scalarText(n, "message"), n.at())).orElse(null);
        f.finish();
        return new AssertAction(exprs, msg);
    }

    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return that.stream().map(e -> "assert " + e.source() + (e.dependsOnRuntime(ctx.scope()) ? "  (checked at run time)" : "")).toList();
    }

    @Override
    public ActionResult run(StepContext ctx) {
        for (Expression e : that) {
            if (!e.test(ctx.scope(), ctx.where())) {
                String m = message != null ? ctx.render(message) + " (" + e.source() + " is false)" : "assertion failed: " + e.source();
                return ActionResult.failed(m);
            }
        }
        return ActionResult.ok(false, "all " + that.size() + " conditions hold", Map.of());
    }
}
