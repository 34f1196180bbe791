package dev.runbook.template;

/** POSIX shell quoting: any value becomes exactly one literal word. */
public final class ShellQuote {
    private ShellQuote() {
    }

    /** Single-quotes unless the value is made only of characters that are safe bare. */
    public static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+") && !s.startsWith("-")) {
            return s;
        }
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }
}
