package dev.runbook.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runbook.graph.StepGraph;
import dev.runbook.inventory.Inventory;
import dev.runbook.inventory.InventoryParser;
import dev.runbook.model.Runbook;
import dev.runbook.parse.RunbookParser;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan's bulk bytes (what picks the JVM's compiler profile): copies by file size and host, snapshots and fetches unknown. */
class PlannerBulkTest {
    @TempDir
    Path dir;

    private long bulk(String runbook) {
        Runbook rb = RunbookParser.parse("rb.yml", runbook);
        Inventory inv = InventoryParser.parse("inv.yml", GraphRunnerTest.INVENTORY);
        Scopes scopes = new Scopes(rb, inv, Map.of(), Map.of("id", "test-run"));
        Planner p = new Planner(new StepGraph(rb), new Targets(rb.steps(), inv, null), scopes, GraphRunnerTest.options(1, dir));
        p.plan();
        return p.bulkBytes();
    }

    @Test
    void copiesCountTheirFileOncePerHostSnapshotsAndFetchesAreUnknownCommandsAreNothing() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.db").toFile(), "rw")) {
            f.setLength(20L << 20); // sparse: 20 MiB of size, no disk
        }
        assertEquals(0, bulk("name: a\nsteps:\n  - {id: x, hosts: etcd, run: \"true\"}\n"));
        assertEquals(3 * (20L << 20), bulk("name: b\nsteps:\n  - {id: c, hosts: etcd, copy: {src: big.db, dest: /tmp/big.db}}\n"));
        assertEquals(0, bulk("name: c\nsteps:\n  - {id: c, hosts: etcd, copy: {content: \"x=1\", dest: /tmp/x}}\n"));
        // a step skipped by a 'when' known at plan time moves nothing
        assertEquals(0, bulk("name: d\nsteps:\n  - {id: c, hosts: etcd, when: \"false\", copy: {src: big.db, dest: /tmp/big.db}}\n"));
        assertEquals(-1, bulk("name: e\nsteps:\n  - {id: s, etcd.snapshot: {dest: /tmp/s.db, endpoints: \"http://127.0.0.1:1\"}}\n"));
        assertEquals(-1, bulk("name: f\nsteps:\n  - {id: f, hosts: etcd-01, fetch: {src: /var/log/etcd.log, dest: logs/}}\n"));
    }
}
