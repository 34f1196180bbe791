package dev.runbook.inventory;

import dev.runbook.model.SourceLocation;
import java.util.List;
import java.util.Map;

/**
 * One target host with its connection settings and its merged inventory variables
 * (all &lt; parent groups &lt; child groups &lt; host: the more specific scope wins, as in Ansible).
 *
 * @param connection "ssh" or "local"
 * @param become "sudo" or null
 */
public record Host(String name, String address, int port, String user, String identityFile, String knownHosts,
                   String connection, String become, Map<String, Object> vars, List<String> groups, SourceLocation at) {
    public boolean local() {
        return "local".equals(connection);
    }
}
