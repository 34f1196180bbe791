package dev.runbook.action;

import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import java.util.List;
import java.util.Map;

/**
 * {@code confirm}: a gate before destructive work; the operator must type {@code phrase} exactly.
 * Skipped (passes) with {@code --yes}; with no terminal and no {@code --yes} the run aborts (exit 3).
 */
public final class ConfirmAction implements Action {
    private final Template phrase;
    private final Template message;

    private ConfirmAction(Template phrase, Template message) {
        this.phrase = phrase;
        this.message = message;
    }

    public static Action create(Node value) {
        Fields f = new Fields(value, "confirm");
        Node p = f.required("phrase");
        Template msg = f.node("message").map(n -> Templates.text(Fields.scalarText(n, "message"), n.at())).orElse(null);
        f.finish();
        return new ConfirmAction(Templates.text(Fields.scalarText(p, "phrase"), p.at()), msg);
    }

    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public List<String> describe(StepContext ctx) {
        return List.of("ask the operator to type '" + ctx.render(phrase) + "'" + (message == null ? "" : ": " + ctx.render(message))
                + " (skipped by --yes)");
    }

    @Override
    public ActionResult run(StepContext ctx) {
        String want = ctx.render(phrase);
        if (ctx.operator().assumeYes()) {
            return ActionResult.ok(false, "confirmed by --yes", Map.of("confirmed_by", "--yes"));
        }
        String prompt = (message == null ? "" : ctx.render(message) + "\n") + "Type '" + want + "' to continue: ";
        String got = ctx.operator().ask(prompt);
        if (got == null) {
            return ActionResult.aborted("confirmation needed but there is no terminal to ask; re-run with --yes to confirm in advance");
        }
        if (!got.trim().equals(want)) {
            return ActionResult.aborted("confirmation refused (typed '" + got.trim() + "', expected '" + want + "')");
        }
        return ActionResult.ok(false, "confirmed by the operator", Map.of("confirmed_by", "operator"));
    }
}
