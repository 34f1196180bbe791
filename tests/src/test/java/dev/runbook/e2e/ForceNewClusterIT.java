package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * runbooks/force-new-cluster.yml: refused while a quorum is healthy; after two of three members
 * are stopped, the survivor's data becomes the cluster again with all three members and every
 * acknowledged write.
 */
@ExtendWith(Lab.class)
class ForceNewClusterIT {
    @Test
    void recoversFromQuorumLossKeepingTheSurvivorsData() throws Exception {
        assertEquals(0, Lab.script("up").exit(), "a fresh lab");
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/force-new-cluster-it"));
        try {
            String eps = Lab.endpoints();
            for (int b = 0; b < 10; b++) {
                StringBuilder txn = new StringBuilder("\n");
                for (int i = b * 100; i < b * 100 + 100; i++) {
                    txn.append("put /fnc/k").append(i).append(" v").append(i).append('\n');
                }
                Path f = Files.writeString(dir.resolve("txn.txt"), txn.append("\n\n").toString());
                assertEquals(0, Cmd.run(Lab.REPO, List.of("bash", "-c", "etcdctl --endpoints=" + eps + " --cacert=" + Lab.pki().resolve("ca.crt")
                        + " --cert=" + Lab.pki().resolve("client.crt") + " --key=" + Lab.pki().resolve("client.key") + " txn < " + f), 60).exit());
            }

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
            Matcher hm = Pattern.compile("\"hash\":(\\d+)").matcher(Lab.etcdctl(eps, "endpoint", "hashkv", "-w", "json").out());
            List<String> hashes = new ArrayList<>();
            while (hm.find()) {
                hashes.add(hm.group(1));
            }
            assertEquals(3, hashes.size());
            assertEquals(1, hashes.stream().distinct().count(), "members agree");
            assertEquals(1000, Lab.etcdctl(eps, "get", "--prefix", "/fnc/", "--keys-only").out().lines().filter(l -> !l.isBlank()).count());
            assertTrue(!Lab.sshOk("etcd-01", "cat /etc/etcd/etcd.env").contains("FORCE_NEW_CLUSTER"), "the flag is gone");
            assertEquals(0, Lab.ssh("etcd-02", "ls -d /var/lib/etcd.moved-*").exit(), "the re-added member's old data was moved aside");
        } finally {
            assertEquals(0, Lab.script("up").exit(), "the shared lab is rebuilt for the other tests");
        }
    }
}
