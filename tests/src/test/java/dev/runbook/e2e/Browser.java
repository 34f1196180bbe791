package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real headless Chromium (Debian {@code chromium}) renders an HTML page the engine wrote: it must
 * load without console errors or failed requests, and its screenshot is kept next to it.
 */
final class Browser {
    private Browser() {
    }

    static void render(Path html, Path png) throws Exception {
        Path profile = Files.createTempDirectory("rb-chromium");
        try {
            // --enable-logging=stderr prints every console message and failed load as a log line
            Cmd.Result r = Cmd.run(Lab.REPO, List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-extensions", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
                    "--window-size=1280,2400", "--screenshot=" + png, html.toUri().toString()), 120);
            assertEquals(0, r.exit(), "chromium failed: " + r.all());
            for (String line : r.err().lines().toList()) {
                boolean console = line.contains("CONSOLE") || line.contains("Uncaught") || line.contains("net::ERR_");
                assertTrue(!console, "the page logged an error or fetched something in Chromium: " + line);
            }
            assertTrue(Files.size(png) > 5_000, "a screenshot was taken: " + png);
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
