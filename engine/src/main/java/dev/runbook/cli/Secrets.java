package dev.runbook.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Asks the operator for a secret: at the terminal without echo, or (no terminal) the first line of stdin. */
final class Secrets {
    private Secrets() {
    }

    static char[] ask(String prompt) {
        java.io.Console c = System.console();
        if (c != null) {
            char[] p = c.readPassword("%s", prompt);
            if (p != null) {
                return p;
            }
        }
        try {
            // not buffered past the first line: a confirm gate may read stdin after it
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = System.in.read()) >= 0 && b != '\n') {
                sb.append((char) b);
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
                sb.setLength(sb.length() - 1);
            }
            return new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8).toCharArray();
        } catch (IOException e) {
            throw dev.runbook.error.RunbookException.invalid(null, "cannot read the secret from stdin: " + e.getMessage(), null);
        }
    }
}
