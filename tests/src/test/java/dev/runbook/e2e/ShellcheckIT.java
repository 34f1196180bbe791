package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every bash program of the project passes shellcheck (warnings and errors): the launcher, the lab
 * and CI scripts, and the programs the engine sends to hosts (its {@code .bash} resources).
 */
class ShellcheckIT {
    /** The project's bash files: {@code *.bash} resources, and scripts whose first line says bash. */
    static List<Path> scripts() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Lab.REPO.resolve("engine/src/main/resources"))) {
            s.filter(p -> p.toString().endsWith(".bash")).sorted().forEach(out::add);
        }
        List<Path> candidates = new ArrayList<>(List.of(Lab.REPO.resolve("runbook")));
        for (String dir : List.of("lab", ".ci", "bench")) {
            try (Stream<Path> s = Files.list(Lab.REPO.resolve(dir))) {
                s.filter(Files::isRegularFile).sorted().forEach(candidates::add);
            }
        }
        for (Path p : candidates) {
            String first;
            try (var r = Files.newBufferedReader(p, StandardCharsets.ISO_8859_1)) {
                first = String.valueOf(r.readLine());
            }
            if (first.matches("#!\\s*(/usr)?/bin/(env )?bash.*") || first.equals("# shellcheck shell=bash")) {
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void everyBashProgramIsClean() throws Exception {
        List<Path> files = scripts();
        assertTrue(files.stream().anyMatch(p -> p.endsWith("remote-shell.bash")), "the engine's remote shell is checked: " + files);
        assertTrue(files.stream().anyMatch(p -> p.endsWith("lab/up")), "the lab's scripts are checked: " + files);
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "--external-sources", "--severity=warning", "--format=gcc"));
        files.forEach(p -> cmd.add(Lab.REPO.relativize(p).toString()));
        Cmd.Result r = Cmd.run(Lab.REPO, cmd, 120);
        assertEquals(0, r.exit(), "shellcheck (install it with lab/install-deps):\n" + r.all());
    }
}
