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

    // Written out, with the record's meaning (every component equal): the generated ones bootstrap
    // through invokedynamic on first use, ~50 ms of a cold JVM's CPU on the lock's path, and hash
    // the whole variable map every time a host is a map key.
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof Host h && port == h.port && java.util.Objects.equals(name, h.name)
                && java.util.Objects.equals(address, h.address) && java.util.Objects.equals(user, h.user)
                && java.util.Objects.equals(identityFile, h.identityFile) && java.util.Objects.equals(knownHosts, h.knownHosts)
                && java.util.Objects.equals(connection, h.connection) && java.util.Objects.equals(become, h.become)
                && java.util.Objects.equals(vars, h.vars) && java.util.Objects.equals(groups, h.groups)
                && java.util.Objects.equals(at, h.at);
    }

    /** The name's hash: hosts are named uniquely in an inventory, and equal hosts have equal names. */
    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(name);
    }
}
