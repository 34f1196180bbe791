package dev.runbook.model;

/** A position in a source file, 1-based, printed as {@code file:line:col}. */
public record SourceLocation(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
