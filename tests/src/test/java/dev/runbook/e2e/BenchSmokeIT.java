package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bench/run --smoke: the benchmark harness itself works (its own lab, every competitor once, the
 * table printed, the lab torn down). No timing is asserted: numbers belong to docs/performance.md.
 */
class BenchSmokeIT {
    @Test
    void theHarnessRunsEveryCompetitorOnceAndPrintsTheTable() throws Exception {
        Cmd.Result r = Cmd.run(Lab.REPO, List.of(Lab.REPO.resolve("bench/run").toString(), "--smoke"), 900);
        assertEquals(0, r.exit(), r.all());
        for (String row : List.of("| per step, 3 hosts", "| runbook ", "| ansible ", "| ssh ControlMaster ", "| xargs -P 50 ssh ",
                "| restore-3node, 500 keys", ", one publish stalled", "| by hand over ssh ", "|   runbook phase: outage", "| copy 4 MiB to 3 hosts", "| scp, parallel ", "| copy 4 MiB to 1 host", "| scp ",
                "| restore-3node, 1000 keys", "phase: outage: first stop until all healthy (1 KB values)",
                "| snapshot of the lab cluster", "| etcdctl snapshot save ", "| CLI cold start", "| runbook validate ")) {
            assertTrue(r.out().contains(row), "row " + row + " in:\n" + r.out());
        }
        assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of("/srv/runbook-lab-bench")), "the bench lab was torn down");
    }
}
