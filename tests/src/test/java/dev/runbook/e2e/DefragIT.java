package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** runbooks/defrag.yml: one member at a time, the leader last, no acknowledged write lost. */
@ExtendWith(Lab.class)
class DefragIT {
    @ParameterizedTest(name = "etcd {0}, {1}, {2}")
    @MethodSource("dev.runbook.e2e.Lab#matrix")
    void defragmentsFollowersFirstAndTheLeaderLast(String etcd, String style, String access) throws Exception {
        Path dir = Lab.freshFor("defrag-it", etcd, style, access);
        String eps = Lab.endpoints();
        Lab.putKeys(dir, eps, "/defrag/", 10_000);
        java.util.List<String> overwrite = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            overwrite.add("put /defrag/k" + i + " w" + i);
        }
        Lab.txn(dir, eps, overwrite);
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
