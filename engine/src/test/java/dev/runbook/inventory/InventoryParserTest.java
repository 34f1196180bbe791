package dev.runbook.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.error.RunbookException;
import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryParserTest {
    static final String ANSIBLE = """
            all:
              vars:
                ansible_user: admin
                data_dir: /var/lib/etcd
                tier: all
              children:
                etcd:
                  vars:
                    tier: group
                  hosts:
                    etcd-01:
                      ansible_host: 10.0.0.1
                      ansible_port: 2222
                      ansible_ssh_private_key_file: /keys/id
                    etcd-02:
                      ansible_host: 10.0.0.2
                      tier: host
                    etcd-03:
                      ansible_host: 10.0.0.3
                control_plane:
                  children:
                    etcd:
                  hosts:
                    api-01:
                      ansible_connection: local
            """;

    @Test
    void readsAnAnsibleInventoryUnchanged() {
        Inventory inv = InventoryParser.parse("hosts.yml", ANSIBLE);
        Host h = inv.host("etcd-01");
        assertEquals("10.0.0.1", h.address());
        assertEquals(2222, h.port());
        assertEquals("admin", h.user());
        assertEquals("/keys/id", h.identityFile());
        assertEquals("ssh", h.connection());
        assertTrue(inv.host("api-01").local());
        assertEquals(List.of("etcd-01", "etcd-02", "etcd-03", "api-01"), inv.names());
        assertEquals(java.util.Set.of("etcd-01", "etcd-02", "etcd-03", "api-01"), java.util.Set.copyOf(inv.groups().get("control_plane")));
    }

    @Test
    void moreSpecificScopesWin() {
        Inventory inv = InventoryParser.parse("hosts.yml", ANSIBLE);
        assertEquals("host", inv.host("etcd-02").vars().get("tier"));
        assertEquals("group", inv.host("etcd-03").vars().get("tier"));
        assertEquals("/var/lib/etcd", inv.host("etcd-03").vars().get("data_dir"));
        assertEquals("all", inv.host("api-01").vars().get("tier"));
    }

    @Test
    void patterns() {
        Inventory inv = InventoryParser.parse("hosts.yml", ANSIBLE);
        assertEquals(List.of("etcd-01", "etcd-03"), HostPattern.select(inv, "etcd:!etcd-02", null));
        assertEquals(List.of("etcd-01", "etcd-02"), HostPattern.select(inv, "etcd-02,etcd-01", null), "inventory order, not pattern order");
        assertEquals(List.of("etcd-01", "etcd-02", "etcd-03"), HostPattern.select(inv, "etcd-*", null));
        assertEquals(List.of("etcd-02"), HostPattern.select(inv, "etcd:&etcd-02", null));
        assertEquals(4, HostPattern.select(inv, "all", null).size());
    }

    @Test
    void unknownGroupSuggestsTheClosest() {
        Inventory inv = InventoryParser.parse("hosts.yml", ANSIBLE);
        RunbookException e = assertThrows(RunbookException.class, () -> HostPattern.select(inv, "etdc", null));
        assertTrue(e.getMessage().contains("did you mean 'etcd'"), e.getMessage());
    }

    @Test
    void unknownKeyInAGroupIsAnError() {
        RunbookException e = assertThrows(RunbookException.class, () -> InventoryParser.parse("hosts.yml", """
                all:
                  children:
                    etcd:
                      host:
                        a: {}
                """));
        assertEquals("hosts.yml:4:7", e.location().toString());
        assertTrue(e.getMessage().contains("did you mean 'hosts'"), e.getMessage());
    }

    @Test
    void hostsAreEqualOnlyWhenEveryFieldIs() {
        Host a = InventoryParser.parse("hosts.yml", ANSIBLE).host("etcd-02");
        Host same = InventoryParser.parse("hosts.yml", ANSIBLE).host("etcd-02");
        assertEquals(a, same);
        assertEquals(a.hashCode(), same.hashCode());
        Host otherVars = InventoryParser.parse("hosts.yml", ANSIBLE.replace("tier: host", "tier: other")).host("etcd-02");
        assertTrue(!a.equals(otherVars), "a host with other variables is another host");
        Host otherAddress = InventoryParser.parse("hosts.yml", ANSIBLE.replace("10.0.0.2", "10.0.0.9")).host("etcd-02");
        assertTrue(!a.equals(otherAddress));
        assertTrue(!a.equals(InventoryParser.parse("hosts.yml", ANSIBLE).host("etcd-03")));
        assertEquals(new dev.runbook.model.SourceLocation("f", 1, 2), new dev.runbook.model.SourceLocation("f", 1, 2));
        assertTrue(!new dev.runbook.model.SourceLocation("f", 1, 2).equals(new dev.runbook.model.SourceLocation("f", 2, 1)));
    }
}
