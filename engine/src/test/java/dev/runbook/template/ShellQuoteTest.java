package dev.runbook.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quoting checked against real bash, the shell that reads it. */
class ShellQuoteTest {
    static String bashEval(String line) throws Exception {
        // what the persistent shell does with a frame: eval "v=<literal>", then use $v
        Process p = new ProcessBuilder("bash", "--noprofile", "--norc", "-c", "eval \"v=$1\"; printf '%s' \"$v\"", "_", line).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        return out;
    }

    @Test
    void ansiCRoundTripsEveryCharacterOnOneLine() throws Exception {
        for (String s : List.of("", "plain", "it's", "back\\slash\\n", "two\nlines\r\n", "tab\there", "$(id) `id` ${HOME} $HOME",
                "\u0001\u001b[31m\u007f", "caf\u00e9 \u4e2d\u6587 \ud83d\ude00", "\u00e9\u00e9a9 \u00ff\u0080", "'\"'\"'", "\\x41 \\' \\\\")) {
            String q = ShellQuote.ansiC(s);
            assertFalse(q.contains("\n"), "one line: " + q);
            assertTrue(q.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "printable ASCII only: " + q);
            assertEquals(s, bashEval(q), q);
        }
    }
}
