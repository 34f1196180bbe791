package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** runbooks/restore-1node.yml: a one-member etcd back to exactly its snapshot; refused on a 3-member cluster. */
@ExtendWith(Lab.class)
class Restore1NodeIT {
    @Test
    void refusesOnAMultiMemberClusterBeforeAnythingStops() throws Exception {
        Lab.shared();
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/restore1-it"));
        Cmd.Result b = Cmd.runbook("apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + dir.resolve("b3"));
        assertEquals(0, b.exit(), b.all());
        Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-1node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + Lab.snapshotOf(b), "--yes");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("use restore-3node.yml"), r.out());
        assertEquals(0, Lab.etcdctl(Lab.endpoints(), "endpoint", "health").exit(), "the cluster was not touched");
    }

    @ParameterizedTest(name = "etcd {0}, {1}, {2}")
    @MethodSource("dev.runbook.e2e.Lab#matrix")
    void restoresASingleMemberWithItsWritersStoppedAndStartedAgain(String etcd, String style, String access) throws Exception {
        Lab.fresh(Lab.Shape.of(etcd, style, access).withMembers(1, 0));
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/restore1-it/" + etcd + "-" + style + "-" + access));
        String eps = Lab.endpoints();
        Lab.putKeys(dir, eps, "/one/", 10_000);
        Cmd.Result b = Cmd.runbook("apply", "runbooks/backup.yml", "-i", Lab.INVENTORY.toString(), "--var", "backup_root=" + dir.resolve("b1"));
        assertEquals(0, b.exit(), b.all());
        for (int i = 0; i < 300; i++) {
            Lab.etcdctl(eps, "del", "/one/k" + i);
        }
        Lab.etcdctl(eps, "put", "/one/extra", "x");
        Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-1node.yml", "-i", Lab.INVENTORY.toString(), "--var", "snapshot=" + Lab.snapshotOf(b),
                "--var", "stop_writers=touch /tmp/writers-stopped", "--var", "start_writers=rm /tmp/writers-stopped && touch /tmp/writers-started",
                "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(10_000, Lab.countKeys(eps, "/one/"));
        assertEquals("v42", Lab.etcdctl(eps, "get", "/one/k42", "--print-value-only").out().trim());
        assertEquals(0, Lab.onHost("etcd-01", "test -f /tmp/writers-started && test ! -e /tmp/writers-stopped").exit(), "writers started again");
        // the version's own tool did the restore: etcdutl with a revision bump on 3.5, etcdctl without on 3.4
        assertTrue(r.out().contains(etcd.equals("3.4") ? "has no --bump-revision" : "restored with etcdutl " + etcd + "."), r.out());
    }
}
