package dev.runbook.template;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.DefaultMustacheVisitor;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.ValueCode;
import dev.runbook.error.RunbookException;
import dev.runbook.model.SourceLocation;
import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one entry point to mustache.java. Two modes: {@link #shell} quotes every {@code {{value}}} as
 * one shell word ({@code {{{value}}}} inserts raw, on purpose); {@link #text} inserts values as they
 * are (file templates). Both are strict: a missing variable is an error, never an empty string.
 */
public final class Templates {
    private static final Factory SHELL = new Factory(true);
    private static final Factory TEXT = new Factory(false);

    private Templates() {
    }

    public static Template shell(String text, SourceLocation at) {
        return compile(SHELL, text, at);
    }

    public static Template text(String text, SourceLocation at) {
        return compile(TEXT, text, at);
    }

    private static Template compile(Factory f, String text, SourceLocation at) {
        try {
            // mustache.java caches by name; templates are compiled once per step at parse time.
            return new Template(text, f.compile(new StringReader(text), String.valueOf(at)), at);
        } catch (MustacheException e) {
            throw RunbookException.invalid(at, "template syntax error: " + e.getMessage(),
                    "check the {{ }} pairs; use {{{name}}} for raw insertion");
        }
    }

    private static final class Factory extends DefaultMustacheFactory {
        private final boolean shell;

        Factory(boolean shell) {
            this.shell = shell;
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(shell ? ShellQuote.quote(value) : value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public MustacheVisitor createMustacheVisitor() {
            return new DefaultMustacheVisitor(this) {
                @Override
                public void value(TemplateContext tc, String variable, boolean encoded) {
                    list.add(new StrictValue(tc, df, variable, encoded, shell));
                }

                @Override
                public void iterable(TemplateContext tc, String variable, Mustache mustache) {
                    list.add(new PlaceholderAwareSection(tc, df, mustache, variable));
                }
            };
        }
    }

    /**
     * A {{#section}}. Over a run-time placeholder (in a plan) the body is rendered once with the
     * placeholder as a scope that answers only names the outer scopes do not have: a section's body
     * still sees {{outer}} values, and its own names show as {{<<section.name>>}}.
     */
    private static final class PlaceholderAwareSection extends com.github.mustachejava.codes.IterableCode {
        PlaceholderAwareSection(TemplateContext tc, DefaultMustacheFactory df, Mustache mustache, String variable) {
            super(tc, df, mustache, variable);
        }

        @Override
        protected Writer handle(Writer writer, Object resolved, List<Object> scopes) {
            return super.handle(writer, resolved instanceof Placeholder p ? new OuterFirst(p, List.copyOf(scopes)) : resolved, scopes);
        }
    }

    /** A placeholder scope that defers to the enclosing scopes for the names they define. */
    private static final class OuterFirst extends java.util.AbstractMap<String, Object> {
        private final Placeholder placeholder;
        private final List<Object> outer;

        OuterFirst(Placeholder placeholder, List<Object> outer) {
            this.placeholder = placeholder;
            this.outer = outer;
        }

        @Override
        public Object get(Object key) {
            for (int i = outer.size() - 1; i >= 0; i--) {
                if (outer.get(i) instanceof java.util.Map<?, ?> m && !(m instanceof Placeholder) && m.containsKey(key)) {
                    return m.get(key);
                }
            }
            return placeholder.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return true;
        }

        @Override
        public java.util.Set<Entry<String, Object>> entrySet() {
            return java.util.Set.of();
        }

        @Override
        public String toString() {
            return placeholder.toString();
        }
    }

    /** A {{value}} that refuses missing names and renders lists and placeholders sensibly. */
    private static final class StrictValue extends ValueCode {
        private final boolean shell;
        private final int line;

        StrictValue(TemplateContext tc, DefaultMustacheFactory df, String variable, boolean encoded, boolean shell) {
            super(tc, df, variable, encoded);
            this.shell = shell;
            this.line = tc.line();
        }

        @Override
        public Writer execute(Writer writer, List<Object> scopes) {
            Object value = get(scopes);
            if (value == null) {
                throw new Template.MissingVariable(name, line);
            }
            try {
                if (value instanceof Placeholder p) {
                    writer.write(p.toString());
                } else if (value instanceof Collection<?> c) {
                    writer.write(c.stream().map(String::valueOf).map(s -> shell && encoded ? ShellQuote.quote(s) : s)
                            .collect(Collectors.joining(shell ? " " : ",")));
                } else {
                    String s = String.valueOf(value);
                    writer.write(encoded ? (shell ? ShellQuote.quote(s) : s) : s);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return appendText(run(writer, scopes));
        }
    }
}
