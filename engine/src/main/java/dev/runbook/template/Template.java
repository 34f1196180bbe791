package dev.runbook.template;

import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import dev.runbook.error.RunbookException;
import dev.runbook.model.SourceLocation;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** A compiled template with the place it was written, rendered strictly against a variable scope. */
public final class Template {
    private final String source;
    private final Mustache mustache;
    private final SourceLocation at;

    Template(String source, Mustache mustache, SourceLocation at) {
        this.source = source;
        this.mustache = mustache;
        this.at = at;
    }

    public String source() {
        return source;
    }

    public SourceLocation at() {
        return at;
    }

    /** True when the text has no {{...}} at all (renders to itself). */
    public boolean isLiteral() {
        return !source.contains("{{");
    }

    /**
     * Renders; a missing variable is a {@link RunbookException} naming it, {@code where} (step and
     * host) and the file:line:col of the template.
     */
    public String render(Map<String, Object> scope, String where) {
        StringWriter out = new StringWriter();
        try {
            mustache.execute(out, List.of(scope)).flush();
        } catch (MissingVariable | MustacheException | java.io.IOException e) {
            Throwable t = e;
            while (t != null && !(t instanceof MissingVariable)) {
                t = t.getCause();
            }
            if (t instanceof MissingVariable mv) {
                SourceLocation loc = at == null ? null : new SourceLocation(at.file(), at.line() + mv.line - 1, at.column());
                throw RunbookException.invalid(loc, "missing variable '" + mv.name + "'" + (where == null ? "" : " " + where),
                        "define it in the inventory, in the runbook's vars, or pass --var " + mv.name.split("\\.")[0] + "=...");
            }
            throw RunbookException.invalid(at, "template error: " + e.getMessage(), null);
        }
        return out.toString();
    }

    /** Thrown inside mustache when a name does not resolve; carries the template-relative line. */
    static final class MissingVariable extends RuntimeException {
        final String name;
        final int line;

        MissingVariable(String name, int line) {
            super("missing variable " + name, null, false, false);
            this.name = name;
            this.line = line;
        }
    }
}
