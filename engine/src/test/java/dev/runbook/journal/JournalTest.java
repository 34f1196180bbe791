package dev.runbook.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.error.RunbookException;
import dev.runbook.event.HostResult;
import dev.runbook.event.RunListener;
import dev.runbook.model.Step;
import dev.runbook.parse.RunbookParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path runs;

    @Test
    void readsBackCompletedStepsAndTheirRegisteredValuesEvenWhenTheLastLineIsTorn() throws Exception {
        List<Step> steps = RunbookParser.parse("rb.yml", """
                name: j
                steps:
                  - {id: a, hosts: h, run: x, register: ra}
                  - id: blk
                    hosts: h
                    steps:
                      - {id: s, run: y, register: rs}
                  - {id: c, hosts: h, run: z}
                """).steps();
        String id = Journal.newRunId();
        assertTrue(id.matches("\\d{8}T\\d{6}Z-[0-9a-f]{4}"), id);
        try (Journal j = new Journal(runs, id)) {
            j.runStarted(new RunListener.RunInfo(id, "rb.yml", "abc", "inv.yml", "def", "me", "CHG-1", false, Map.of("x", 1), List.of(),
                    null, 0));
            j.hostFinished(steps.get(0), result("a", Map.of("ra", Map.of("stdout", "A"))));
            j.stepFinished(steps.get(0), HostResult.Status.OK, "");
            j.hostFinished(steps.get(1).block().get(0), result("blk.s", Map.of("rs", Map.of("stdout", "S"))));
            j.stepFinished(steps.get(1), HostResult.Status.CHANGED, "");
            j.hostFinished(steps.get(2), result("c", Map.of()));
            j.stepFinished(steps.get(2), HostResult.Status.FAILED, "boom");
        }
        Files.writeString(runs.resolve(id).resolve(Journal.FILE), "{\"event\":\"host_end\",\"st", StandardOpenOption.APPEND);
        JournalReader r = JournalReader.read(runs, id);
        assertEquals(List.of("a", "blk"), List.copyOf(r.completedSteps()));
        assertEquals("A", ((Map<?, ?>) r.registeredByHost().get("h1").get("ra")).get("stdout"));
        assertEquals("S", ((Map<?, ?>) r.registeredByHost().get("h1").get("rs")).get("stdout"), "a block's sub-step results come back");
        assertEquals("CHG-1", r.start().get("ticket"));
        assertNull(r.end(), "the engine died before run_end");
    }

    @Test
    void anUnknownRunIdSaysWhereItLooked() {
        RunbookException e = assertThrows(RunbookException.class, () -> JournalReader.read(runs, "nope"));
        assertTrue(e.getMessage().contains("no journal for run 'nope'"), e.getMessage());
    }

    private static HostResult result(String step, Map<String, Object> reg) {
        return new HostResult(step, "h1", HostResult.Status.OK, 0, 1, 0, "", "", "", 1, reg);
    }
}
