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

    /**
     * Bash's ANSI-C quoting ({@code $'...'}) on ONE line: backslash, quote and control characters
     * escaped, everything else (UTF-8 included) as is. A multi-line script becomes one line that
     * {@code eval "v=$line"} turns back into exactly the original text.
     */
    public static String ansiC(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16).append("$'");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('\'').toString();
    }
}
