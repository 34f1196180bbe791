package dev.runbook.model;

/** A position in a source file, 1-based, printed as {@code file:line:col}. */
public record SourceLocation(String file, int line, int column) {
    // written out: the record's generated ones bootstrap through invokedynamic on first use
    @Override
    public boolean equals(Object o) {
        return o instanceof SourceLocation l && line == l.line && column == l.column && java.util.Objects.equals(file, l.file);
    }

    @Override
    public int hashCode() {
        return (java.util.Objects.hashCode(file) * 31 + line) * 31 + column;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
