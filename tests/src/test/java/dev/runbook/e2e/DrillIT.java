package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code runbook drill SCENARIO} end to end on a fresh lab for every scenario (and lose-all-data on a
 * one-member cluster, which restore-1node recovers): the failure is really
 * injected, the matching recovery runbook really runs, the data is checked (independently, with
 * etcdctl, too), and the report shows RTO, RPO and the verdict; the history grows.
 */
@ExtendWith(Lab.class)
class DrillIT {
    /**
     * Every scenario on the lab shape (first etcd version, script style), and again on the
     * production shape (last version, static pods): etcd reached through the members' SSH, TLS
     * material read on the members.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> scenarios() {
        List<String> all = List.of("lose-all-data", "lose-quorum", "lose-member", "corrupt-member");
        return java.util.stream.Stream.concat(all.stream().map(s -> org.junit.jupiter.params.provider.Arguments.of(s, "lab")),
                all.stream().map(s -> org.junit.jupiter.params.provider.Arguments.of(s, "production"))).filter(a -> Lab.ACCESS.contains((String) a.get()[1]));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("scenarios")
    void eachScenarioBreaksTheClusterRecoversItAndVerifiesTheData(String scenario, String access) throws Exception {
        Lab.fresh(access.equals("lab") ? Lab.Shape.of(Lab.VERSIONS.get(0), "script")
                : Lab.Shape.of(Lab.VERSIONS.get(Lab.VERSIONS.size() - 1), "static-pod", "production"));
        // the production shape's drills carry 10,000 known keys through the tunnels
        int keys = access.equals("lab") ? 500 : 10_000;
        Cmd.Result r = Cmd.runbook("drill", scenario, "-i", Lab.INVENTORY.toString(), "--keys", String.valueOf(keys), "--later-keys", "50", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("DRILL VERIFIED"), r.out());
        assertTrue(r.out().contains("Keys written before the backup: " + keys + " of " + keys + " present (all, exact values)"), r.out());
        boolean restore = scenario.equals("lose-all-data");
        assertTrue(r.out().contains(restore ? "Keys written after the backup: 0 of 50 present" : "Keys written after the backup: 50 of 50 present"), r.out());
        Matcher m = Pattern.compile("Drill: (drill-\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        // not only runbook's own client: etcdctl sees the keys too, from every member still in the cluster
        assertEquals(keys, Lab.countKeys(Lab.endpoints().replaceAll(",?https://[0-9.]+\\.13:2379", ""), "/runbook-drill/" + m.group(1) + "/before/"));
        Path dir = Lab.REPO.resolve(".runbook/drills/" + m.group(1));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.startsWith("# Drill: " + scenario + " - VERIFIED"), md);
        assertTrue(md.matches("(?s).*\\| RTO until all members healthy \\| [0-9.]+ (ms|s) \\|.*"), "RTO measured: " + md);
        if (restore) {
            assertTrue(md.contains("| RPO (backup age when the failure hit) | "), md);
        }
        Browser.render(dir.resolve("report.html"), dir.resolve("report.png"));
    }

    @Test
    void aOneMemberClusterThatLostItsDataIsRestoredWithRestore1Node() throws Exception {
        Lab.fresh(new Lab.Shape(Lab.VERSIONS.get(0), "script", 1, 0));
        Cmd.Result r = Cmd.runbook("drill", "lose-all-data", "-i", Lab.INVENTORY.toString(), "--keys", "300", "--later-keys", "30", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Recovery: runbooks/restore-1node.yml"), r.out());
        assertTrue(r.out().contains("Keys written before the backup: 300 of 300 present (all, exact values)"), r.out());
        assertTrue(r.out().contains("Keys written after the backup: 0 of 30 present"), r.out());
        Cmd.Result other = Cmd.runbook("drill", "lose-quorum", "-i", Lab.INVENTORY.toString(), "--yes");
        assertEquals(2, other.exit(), "a quorum loss needs 3 members: " + other.all());
        assertTrue(other.err().contains("needs at least 3 members"), other.err());
    }

    /** The README's drill, its engine killed (SIGKILL) in the middle of the recovery: `runbook resume` finishes it, verified. */
    @Test
    void aDrillKilledDuringTheRecoveryIsFinishedByResume() throws Exception {
        Lab.fresh(Lab.Shape.of(Lab.VERSIONS.get(0), "script"));
        Path log = Files.createDirectories(Lab.REPO.resolve("tests/target/drill-it")).resolve("killed-drill.log");
        Process p = Cmd.start(log, "drill", "lose-all-data", "-i", Lab.INVENTORY.toString(), "--keys", "400", "--later-keys", "40", "--yes");
        try {
            Lab.waitFor("the recovery to restore the members", 180, () -> {
                String out = Files.readString(log);
                return out.contains("== recovering") && out.contains("== restore:");
            });
        } finally {
            p.destroyForcibly();
            p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        }
        String killed = Files.readString(log);
        assertTrue(!killed.contains("DRILL VERIFIED"), killed);
        Matcher id = Pattern.compile("DRILL (drill-\\S+):").matcher(killed);
        assertTrue(id.find(), killed);

        Cmd.Result r = Cmd.runbook("resume", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("is part of drill " + id.group(1)) && r.out().contains("RESUMING DRILL " + id.group(1)), r.out());
        assertTrue(r.out().contains("DRILL VERIFIED"), r.out());
        assertTrue(r.out().contains("Keys written before the backup: 400 of 400 present (all, exact values)"), r.out());
        assertTrue(r.out().contains("Keys written after the backup: 0 of 40 present"), r.out());
        assertTrue(r.out().contains("(resumed from run "), "the report says the recovery was resumed: " + r.out());
        String md = Files.readString(Lab.REPO.resolve(".runbook/drills/" + id.group(1) + "/report.md"));
        assertTrue(md.matches("(?s).*\\| RTO until all members healthy \\| [0-9.]+ (ms|s) \\|.*"), "RTO measured across the kill: " + md);
        Cmd.Result again = Cmd.runbook("resume", id.group(1));
        assertEquals(2, again.exit(), "a finished drill is not run twice: " + again.all());
    }

    @Test
    void anUnknownScenarioIsRefusedWithTheList() throws Exception {
        Cmd.Result r = Cmd.runbook("drill", "lose-everything", "--yes");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("scenarios: lose-all-data, lose-quorum, lose-member, corrupt-member"), r.err());
    }
}
