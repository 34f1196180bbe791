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
     * Bash's ANSI-C quoting ({@code $'...'}) on ONE line of ASCII: backslash, quote and control
     * characters escaped, and every other non-ASCII character as its UTF-8 bytes ({@code \xHH}).
     * A multi-line script becomes one line that {@code eval "v=$line"} turns back into exactly the
     * original text. ASCII because the persistent shell reads a frame by its length with
     * {@code read -N}, which counts characters in the host's locale: in ASCII, bytes and
     * characters agree in every locale.
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
                        hexByte(b, c);
                    } else if (c < 0x80) {
                        b.append(c);
                    } else {
                        // a surrogate pair is one character of 4 UTF-8 bytes (a lone one becomes '?', as in any UTF-8 write)
                        int cp = s.codePointAt(i);
                        i += Character.charCount(cp) - 1;
                        for (byte u : new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                            hexByte(b, u & 0xff);
                        }
                    }
                }
            }
        }
        return b.append('\'').toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void hexByte(StringBuilder b, int v) {
        b.append('\\').append('x').append(HEX[v >> 4]).append(HEX[v & 0xf]);
    }
}
