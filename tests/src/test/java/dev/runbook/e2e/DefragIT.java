package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** runbooks/defrag.yml: one member at a time, the leader last, no acknowledged write lost. */
@ExtendWith(Lab.class)
class DefragIT {
    @Test
    void defragmentsFollowersFirstAndTheLeaderLast() throws Exception {
        String eps = Lab.endpoints();
        for (int i = 0; i < 20; i++) {
            assertEquals(0, Lab.etcdctl(eps, "put", "/defrag/k" + i, "v" + i).exit());
            assertEquals(0, Lab.etcdctl(eps, "put", "/defrag/k" + i, "w" + i).exit());
        }
        String status = Lab.etcdctl(eps, "endpoint", "status").out();
        Matcher lm = Pattern.compile("https://[0-9.]+\\.(\\d+):2379, [0-9a-f]+, [0-9.]+, [^,]+, true").matcher(status);
        assertTrue(lm.find(), status);
        String leader = String.format("etcd-%02d", Integer.parseInt(lm.group(1)) - 10);

        Cmd.Result r = Cmd.runbook("apply", "runbooks/defrag.yml", "-i", Lab.INVENTORY.toString(), "--var", "compact=true");
        assertEquals(0, r.exit(), r.all());
        List<String> order = r.out().lines().filter(l -> l.matches("\\s+changed\\s+etcd-\\d+\\s+defrag\\s.*"))
                .map(l -> l.trim().split("\\s+")[1]).toList();
        assertEquals(3, order.size(), r.out());
        assertEquals(leader, order.get(2), "the leader is defragmented last: " + order);
        assertEquals("w7", Lab.etcdctl(eps, "get", "/defrag/k7", "--print-value-only").out().trim(), "latest values kept");
        assertTrue(r.out().contains("members agree"), r.out());
    }
}
