package dev.runbook.action;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvFileTest {
    @Test
    void setsUnsetsAppendsAndKeepsTheRest() {
        String before = "# etcd\nETCD_NAME=etcd-01\nexport ETCD_DATA_DIR=\"/var/lib/etcd\"\n\nETCD_FORCE_NEW_CLUSTER=true\nETCD_DATA_DIR=/dup\n";
        Map<String, String> set = new LinkedHashMap<>();
        set.put("ETCD_DATA_DIR", "/var/lib/etcd-new");
        set.put("ETCD_INITIAL_CLUSTER_STATE", "existing");
        String after = EnvFile.edit(before, set, Set.of("ETCD_FORCE_NEW_CLUSTER"));
        assertEquals("# etcd\nETCD_NAME=etcd-01\nETCD_DATA_DIR=/var/lib/etcd-new\n\nETCD_INITIAL_CLUSTER_STATE=existing\n", after);
        assertEquals("/var/lib/etcd-new", EnvFile.get(after, "ETCD_DATA_DIR"));
    }

    @Test
    void quotesValuesThatNeedIt() {
        String after = EnvFile.edit("", Map.of("ETCD_OPTS", "a b $HOME \"x\""), Set.of());
        assertEquals("ETCD_OPTS=\"a b \\$HOME \\\"x\\\"\"\n", after);
    }

    @Test
    void unchangedWhenAlreadySet() {
        String before = "ETCD_NAME=etcd-01\n";
        assertEquals(before, EnvFile.edit(before, Map.of("ETCD_NAME", "etcd-01"), Set.of()));
    }
}
