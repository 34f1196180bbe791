package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * runbooks/force-new-cluster.yml: refused while a quorum is healthy; after two of three members
 * are stopped, the survivor's data becomes the cluster again with all three members and every
 * acknowledged write.
 */
@ExtendWith(Lab.class)
class ForceNewClusterIT {
    @ParameterizedTest(name = "etcd {0}, {1}, {2}")
    @MethodSource("dev.runbook.e2e.Lab#matrix")
    void recoversFromQuorumLossKeepingTheSurvivorsData(String etcd, String style, String access) throws Exception {
        Path dir = Lab.freshFor("force-new-cluster-it", etcd, style, access);
        String eps = Lab.endpoints();
        Lab.putKeys(dir, eps, "/fnc/", 10_000);

        Cmd.Result refused = Cmd.runbook("apply", "runbooks/force-new-cluster.yml", "-i", Lab.INVENTORY.toString(), "--var", "survivor=etcd-01", "--yes");
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.out().contains("this is not a quorum loss"), refused.out());

        assertEquals(0, Lab.script("fault", "stop-etcd", "etcd-02").exit());
        assertEquals(0, Lab.script("fault", "stop-etcd", "etcd-03").exit());
        assertTrue(Lab.etcdctl(eps, "endpoint", "health").exit() != 0, "quorum is lost");

        Cmd.Result r = Cmd.runbook("apply", "runbooks/force-new-cluster.yml", "-i", Lab.INVENTORY.toString(), "--var", "survivor=etcd-01", "--yes");
        assertEquals(0, r.exit(), r.all());

        assertEquals(0, Lab.etcdctl(eps, "endpoint", "health").exit(), "all three healthy");
        String members = Lab.etcdctl(eps, "member", "list").out();
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertTrue(members.contains(", started, " + h + ", "), members);
        }
        List<String> hashes = Lab.hashes(eps);
        assertEquals(3, hashes.size());
        assertEquals(1, hashes.stream().distinct().count(), "members agree");
        assertEquals(10_000, Lab.countKeys(eps, "/fnc/"));
        String config = style.equals("script") ? Lab.onHostOk("etcd-01", "cat /etc/etcd/etcd.env")
                : Lab.onHostOk("etcd-01", "cat /etc/kubernetes/manifests/etcd.yaml");
        assertTrue(!config.contains("FORCE_NEW_CLUSTER") && !config.contains("--force-new-cluster"), "the flag is gone: " + config);
        assertEquals(0, Lab.onHost("etcd-02", "ls -d /var/lib/etcd.moved-*").exit(), "the re-added member's old data was moved aside");
    }
}
