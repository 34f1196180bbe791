package dev.runbook.template;

import dev.runbook.error.RunbookException;
import dev.runbook.model.SourceLocation;
import java.util.List;
import java.util.Map;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * Conditions ({@code when}, {@code until}, {@code assert}, rolling gates and orders) as JEXL
 * expressions over the same scope as templates, e.g. {@code result.rc == 0 && rolling.done >= 2}.
 * Strict (an unknown name is an error), side-effect free, no loops, no object creation.
 */
public final class Expressions {
    private static final JexlFeatures FEATURES = new JexlFeatures().sideEffect(false).sideEffectGlobal(false)
            .loops(false).newInstance(false).lambda(false).script(false).annotation(false).pragma(false);
    private static final JexlEngine JEXL = new JexlBuilder().features(FEATURES).permissions(JexlPermissions.RESTRICTED)
            .strict(true).silent(false).safe(false).cache(256).create();

    private Expressions() {
    }

    /** Builds the engine now (JEXL's set-up is ~30 ms of cold code) so that the first condition parsed does not wait for it. */
    public static void warm() {
        compile("true", null);
    }

    /** A compiled expression with its source location. */
    public record Expression(String source, JexlScript script, SourceLocation at) {
        /** Top-level names the expression reads (for plans: is it decidable before the run?). */
        public List<String> roots() {
            return script.getVariables().stream().map(p -> p.get(0)).distinct().toList();
        }

        public Object evaluate(Map<String, Object> scope, String where) {
            try {
                return script.execute(new MapContext(scope));
            } catch (JexlException.Variable e) {
                throw RunbookException.invalid(at, "unknown name '" + e.getVariable() + "' in '" + source + "'" + suffix(where),
                        "names come from inventory vars, runbook vars, inputs and registered results");
            } catch (JexlException e) {
                throw RunbookException.invalid(at, "cannot evaluate '" + source + "'" + suffix(where) + ": " + clean(e), null);
            }
        }

        /** Evaluates to a boolean: null/false/0/"" are false; anything else true. */
        public boolean test(Map<String, Object> scope, String where) {
            return truthy(evaluate(scope, where));
        }

        /** Whether the expression reads a value that exists only at run time. */
        public boolean dependsOnRuntime(Map<String, Object> scope) {
            return roots().stream().anyMatch(r -> scope.get(r) instanceof Placeholder);
        }
    }

    public static Expression compile(String source, SourceLocation at) {
        try {
            return new Expression(source, JEXL.createScript(source), at);
        } catch (JexlException e) {
            throw RunbookException.invalid(at, "invalid expression '" + source + "': " + clean(e),
                    "expressions use JEXL: ==, !=, <, &&, ||, !, =~ (regex), 'x' in list, a.b.c");
        }
    }

    public static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty() && !s.equals("false");
        }
        if (v instanceof java.util.Collection<?> c) {
            return !c.isEmpty();
        }
        return true;
    }

    private static String suffix(String where) {
        return where == null ? "" : " " + where;
    }

    private static String clean(JexlException e) {
        String m = e.getMessage();
        return m.replaceAll("^.*?@\\d+:\\d+ ", "").trim();
    }
}
