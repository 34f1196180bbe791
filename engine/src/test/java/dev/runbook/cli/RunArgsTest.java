package dev.runbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbook.error.RunbookException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs from the command line as ansible-playbook takes extra vars: -e NAME=VALUE and -e @FILE, later ones winning. */
class RunArgsTest {
    @TempDir
    Path dir;

    @Test
    void dashEAndAtFileAreReadInOrder() throws Exception {
        Path f = dir.resolve("in.yml");
        Files.writeString(f, "snapshot: /from/file.db\nkeep: 3\n");
        RunArgs a = new RunArgs();
        picocli.CommandLine cl = new picocli.CommandLine(new Object() {
            @picocli.CommandLine.Mixin
            RunArgs args = a;
        });
        cl.setExpandAtFiles(false); // as Main sets it
        cl.parseArgs("rb.yml", "-e", "@" + f, "--var", "snapshot=/given.db", "--extra-vars", "member=etcd-02");
        Map<String, Object> in = a.givenInputs();
        assertEquals("/given.db", in.get("snapshot"));
        assertEquals(3L, in.get("keep"));
        assertEquals("etcd-02", in.get("member"));
        RunArgs bad = new RunArgs();
        bad.given = List.of("novalue");
        assertThrows(RunbookException.class, bad::givenInputs);
    }
}
