package dev.runbook.cli;

import dev.runbook.error.Problems;
import dev.runbook.error.RunbookException;
import dev.runbook.model.SourceLocation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Prints user errors as {@code file:line:col: error: message}, the offending line with a caret, and the hint. */
final class ErrorPrinter {
    private ErrorPrinter() {
    }

    static void print(PrintWriter err, RunbookException e, boolean debug) {
        List<RunbookException> all = e instanceof Problems p ? p.all() : List.of(e);
        for (RunbookException one : all) {
            SourceLocation at = one.location();
            err.println((at != null ? at + ": " : "") + "error: " + one.getMessage());
            if (at != null) {
                String line = line(at);
                if (line != null) {
                    err.println("    " + line);
                    err.println("    " + " ".repeat(Math.max(0, at.column() - 1)) + "^");
                }
            }
            if (one.hint() != null) {
                err.println("  hint: " + one.hint());
            }
        }
        if (all.size() > 1) {
            err.println(all.size() + " problems; nothing was run.");
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
    }

    private static String line(SourceLocation at) {
        try {
            Path p = Path.of(at.file());
            if (!Files.isRegularFile(p)) {
                return null;
            }
            List<String> lines = Files.readAllLines(p);
            return at.line() >= 1 && at.line() <= lines.size() ? lines.get(at.line() - 1) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
