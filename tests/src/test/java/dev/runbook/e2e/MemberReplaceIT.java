package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * runbooks/member-replace.yml: etcd-03 dies, its membership moves to the spare etcd-04, and no
 * acknowledged write is lost (those before and after the failure).
 */
@ExtendWith(Lab.class)
class MemberReplaceIT {
    @ParameterizedTest(name = "etcd {0}, {1}, {2}")
    @MethodSource("dev.runbook.e2e.Lab#matrix")
    void aDeadMemberIsReplacedByTheSpareWithoutLosingWrites(String etcd, String style, String access) throws Exception {
        Path dir = Lab.freshFor("member-replace-it", etcd, style, access);
        String eps = Lab.endpoints();
        Lab.putKeys(dir, eps, "/mr/before/", 10_000);
        assertEquals(0, Lab.script("fault", "poweroff", "etcd-03").exit());
        String alive = eps.replaceAll(",?https://[0-9.]+\\.13:2379", "");
        Lab.putKeys(dir, alive, "/mr/after/", 500);

        Cmd.Result r = Cmd.runbook("apply", "runbooks/member-replace.yml", "-i", Lab.INVENTORY.toString(),
                "--var", "old=etcd-03", "--var", "new=etcd-04", "--yes");
        assertEquals(0, r.exit(), r.all());

        String ep04 = "https://" + Lab.env("SUBNET") + ".14:2379";
        String now = alive + "," + ep04;
        String members = Lab.etcdctl(now, "member", "list").out();
        assertTrue(members.contains(", etcd-01, ") && members.contains(", etcd-02, ") && members.contains(", started, etcd-04, "), members);
        assertTrue(!members.contains("etcd-03"), members);
        assertEquals(0, Lab.etcdctl(now, "endpoint", "health").exit(), "every remaining member healthy");
        List<String> hashes = Lab.hashes(now);
        assertEquals(3, hashes.size());
        assertEquals(1, hashes.stream().distinct().count(), "members agree");
        Cmd.Result again = Cmd.runbook("apply", "runbooks/member-replace.yml", "-i", Lab.INVENTORY.toString(),
                "--var", "old=etcd-03", "--var", "new=etcd-04", "--yes");
        assertEquals(1, again.exit(), "re-running a finished replacement refuses: " + again.all());
        assertTrue(again.out().contains("already a member"), again.out());
        for (String[] k : new String[][] {{"before", "10000"}, {"after", "500"}}) {
            Cmd.Result c = Lab.etcdctl(ep04, "get", "--prefix", "/mr/" + k[0] + "/", "--keys-only", "--consistency=s");
            assertEquals(Integer.parseInt(k[1]), c.out().lines().filter(l -> !l.isBlank()).count(), "the new member holds every " + k[0] + " key");
        }
    }

}
