package dev.runbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values an attacker or a typo can put into a run, through the real CLI on a local host (a real
 * bash): they stay data, never become code, paths or flags; and a flood of output does not grow
 * the engine's memory. (YAML-level attacks are in RunbookParserTest.)
 */
class HostileInputTest {
    @TempDir
    Path dir;
    Path inventory;
    String out;
    String err;

    @BeforeEach
    void setUp() throws IOException {
        System.setProperty("runbook.state", dir.resolve("state").toString());
        inventory = write("inv.yml", "all:\n  children:\n    box:\n      hosts:\n        here: {connection: local}\n");
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private int run(String... args) {
        ConsoleCapture c = ConsoleCapture.run(args);
        out = c.out();
        err = c.err();
        return c.exit();
    }

    @Test
    void valuesWithShellSyntaxStayOneLiteralWord() throws IOException {
        Path target = dir.resolve("written");
        Path pwned = dir.resolve("pwned");
        Path rb = write("rb.yml", """
                name: quoting
                inputs:
                  v: {type: string}
                steps:
                  - {id: a, hosts: box, run: "printf '%s' {{v}} > %T; ls {{v}} 2>/dev/null || true"}
                """.replace("%T", target.toString()));
        List<String> hostile = List.of(
                "it's \"quoted\"",
                "a; touch " + pwned,
                "$(touch " + pwned + ")",
                "`touch " + pwned + "`",
                "line one\nline two; touch " + pwned,
                "--help",
                "-rf /",
                "${IFS}touch${IFS}" + pwned,
                "* ? [a-z] ~root",
                "back\\slash and 'mixed\" quotes");
        for (String v : hostile) {
            assertEquals(0, run("apply", rb.toString(), "-i", inventory.toString(), "--var", "v=" + v), v + ": " + out + err);
            assertEquals(v, Files.readString(target), "the value arrived as exactly one word");
            assertFalse(Files.exists(pwned), "the value ran as code: " + v);
        }
    }

    @Test
    void pathsBuiltFromValuesCannotClimbOutOfTheirDirectory() throws IOException {
        Path stage = Files.createDirectories(dir.resolve("stage"));
        Path secret = write("outside/secret.txt", "do not overwrite\n");
        Path rb = write("rb.yml", """
                name: traversal
                inputs:
                  name: {type: string}
                steps:
                  - {id: put, hosts: box, copy: {content: "evil\\n", dest: "%S/{{name}}"}}
                """.replace("%S", stage.toString()));
        assertEquals(1, run("apply", rb.toString(), "-i", inventory.toString(), "--var", "name=../outside/secret.txt"), out + err);
        assertTrue(out.contains("contains '..': refused"), out);
        assertEquals("do not overwrite\n", Files.readString(secret));

        Path fetched = Files.createDirectories(dir.resolve("fetched"));
        Path rb2 = write("rb2.yml", """
                name: traversal-fetch
                inputs:
                  file: {type: string}
                steps:
                  - {id: get, hosts: box, fetch: {src: "{{file}}", dest: "%F/"}}
                """.replace("%F", fetched.toString()));
        assertEquals(1, run("apply", rb2.toString(), "-i", inventory.toString(), "--var", "file=" + stage + "/../outside/secret.txt"), out + err);
        assertTrue(out.contains("contains '..': refused"), out);
        assertEquals(0, run("apply", rb2.toString(), "-i", inventory.toString(), "--var", "file=" + secret), out + err);
        assertEquals("do not overwrite\n", Files.readString(fetched.resolve("here/secret.txt")), "a plain path still works");
    }

    @Test
    void aCommandPrinting200MegabytesKeepsABoundedTailInASmallHeap() throws Exception {
        Path rb = write("flood.yml", """
                name: flood
                steps:
                  - {id: flood, hosts: box, run: "head -c 200000000 /dev/zero | tr '\\\\0' x; echo; echo THE-END"}
                """);
        Path log = dir.resolve("flood.log");
        // 64 MiB of heap for 200 MB of output: only a bounded tail may be kept
        Process p = new ProcessBuilder("java", "-Xmx64m", "-Drunbook.state=" + dir.resolve("state"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "apply", rb.toString(), "-i", inventory.toString(), "-v")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "finished");
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text.length() > 4000 ? text.substring(text.length() - 4000) : text);
        assertTrue(text.contains("THE-END"), "the tail is kept");
        assertTrue(text.length() < 4 * 1024 * 1024, "the console shows a bounded tail, not 200 MB: " + text.length());
        try (Stream<Path> runs = Files.list(dir.resolve("state/runs"))) {
            long journal = Files.size(runs.findFirst().orElseThrow().resolve("journal.jsonl"));
            assertTrue(journal < 4 * 1024 * 1024, "the journal keeps a bounded tail: " + journal);
        }
    }
}
