package dev.runbook.inventory;

import dev.runbook.model.SourceLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts and groups from an Ansible-style YAML inventory, in file order, plus the {@code control}
 * pseudo-host (the machine running the engine) that carries the {@code all} vars.
 *
 * @param groups group name to member host names (recursively including child groups)
 */
public record Inventory(String file, String sha256, Map<String, Host> hosts, Map<String, List<String>> groups,
                        Map<String, Object> allVars, Listing listing) {
    /** The inventory as declared, for listing it as {@code ansible-inventory --list} does: groups' own hosts and children, hosts' variables as written. */
    public record Listing(Map<String, GroupListing> groups, Map<String, Map<String, Object>> hostvars) {
        static final Listing EMPTY = new Listing(Map.of(), Map.of());
    }

    /** A group's own hosts and its child groups. */
    public record GroupListing(List<String> hosts, List<String> children) {
    }

    /** An inventory without its listing (tests, plans of a runbook alone). */
    public Inventory(String file, String sha256, Map<String, Host> hosts, Map<String, List<String>> groups, Map<String, Object> allVars) {
        this(file, sha256, hosts, groups, allVars, Listing.EMPTY);
    }

    public static final String CONTROL = "control";

    /** The machine running the engine, reached through a local transport. */
    public Host control() {
        return new Host(CONTROL, "127.0.0.1", 0, System.getProperty("user.name"), null, null, "local", null,
                allVars, List.of(), new SourceLocation(file == null ? "<inventory>" : file, 1, 1));
    }

    /** A host by name, the control host, or null. */
    public Host host(String name) {
        return CONTROL.equals(name) ? control() : hosts.get(name);
    }

    /** Host names in inventory order. */
    public List<String> names() {
        return new ArrayList<>(hosts.keySet());
    }

    /** An inventory with no hosts, for validating a runbook on its own. */
    public static Inventory empty() {
        return new Inventory(null, "", new LinkedHashMap<>(), new LinkedHashMap<>(), Map.of());
    }
}
