package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ansible itself is the oracle: every inventory of the corpus ({@code tests/src/test/resources/
 * inventories/}: INI and YAML, group_vars and host_vars as files and directories, ranges, nested
 * children, precedence conflicts, all:vars, unicode, comments, quoted values, an executable
 * script, an inventory directory) is listed by the real {@code ansible-inventory --list} and by {@code runbook inventory
 * --list}; every group's hosts and children and every host's variables must be the same, except
 * the deliberate differences below.
 */
class InventoryOracleIT {
    private static final Path CORPUS = Lab.REPO.resolve("tests/src/test/resources/inventories");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Deliberate differences, (case, host, variable) -> why: a float is kept as its text, as YAML
     * floats are in runbook (a version 3.10 must not become 3.1).
     */
    private static final Map<String, String> DELIBERATE = Map.of(
            "05-ini-values/h1/fl", "a float is kept as its text (1.5), as runbook keeps YAML floats: a version 3.10 stays 3.10");

    static Stream<String> cases() throws Exception {
        try (Stream<Path> dirs = Files.list(CORPUS)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** The case's inventory source: the directory itself for a "-directory" case, else its one file that is not group_vars/host_vars. */
    private static Path source(String name) throws Exception {
        if (name.endsWith("-directory")) {
            return CORPUS.resolve(name);
        }
        try (Stream<Path> files = Files.list(CORPUS.resolve(name))) {
            List<Path> found = files.filter(p -> !p.getFileName().toString().endsWith("_vars")).toList();
            assertEquals(1, found.size(), "one inventory per case: " + found);
            return found.get(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void runbookListsWhatAnsibleLists(String name) throws Exception {
        Path src = source(name);
        Path cwd = Files.createDirectories(Lab.REPO.resolve("tests/target/inventory-oracle"));
        // an inventory Ansible cannot parse must fail, not list nothing; no playbook dir's group_vars
        Cmd.Result ansible = Cmd.run(cwd, List.of("ansible-inventory", "-i", src.toString(), "--list"), 120,
                Map.of("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true", "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED", "true",
                        "ANSIBLE_HOME", cwd.resolve("ansible-home").toString()), null);
        assertEquals(0, ansible.exit(), "ansible-inventory: " + ansible.all());
        Cmd.Result ours = Cmd.runbook("inventory", "--list", "--show-secrets", "-i", src.toString());
        assertEquals(0, ours.exit(), ours.all());
        Map<String, Object> a = JSON.readValue(ansible.out(), Map.class);
        Map<String, Object> r = JSON.readValue(ours.out(), Map.class);

        Map<String, Object> aGroups = new TreeMap<>(a);
        Map<String, Object> rGroups = new TreeMap<>(r);
        aGroups.remove("_meta");
        rGroups.remove("_meta");
        assertEquals(aGroups, rGroups, "groups, their hosts and children");

        Map<String, Map<String, Object>> ah = (Map<String, Map<String, Object>>) ((Map<String, Object>) a.get("_meta")).get("hostvars");
        Map<String, Map<String, Object>> rh = (Map<String, Map<String, Object>>) ((Map<String, Object>) r.get("_meta")).get("hostvars");
        assertEquals(new TreeMap<>(ah).keySet(), new TreeMap<>(rh).keySet(), "hosts with variables");
        List<String> diffs = new ArrayList<>();
        for (String h : ah.keySet()) {
            Map<String, Object> x = ah.get(h);
            Map<String, Object> y = rh.get(h);
            java.util.Set<String> keys = new java.util.TreeSet<>(x.keySet());
            keys.addAll(y.keySet());
            for (String k : keys) {
                if (!java.util.Objects.equals(x.get(k), y.get(k)) && !DELIBERATE.containsKey(name + "/" + h + "/" + k)) {
                    diffs.add(h + "." + k + ": ansible " + x.get(k) + " vs runbook " + y.get(k));
                }
            }
        }
        assertTrue(diffs.isEmpty(), "variables differ: " + diffs);
        // a deliberate difference still exists (else it is no longer deliberate, and the list is stale)
        DELIBERATE.keySet().stream().filter(k -> k.startsWith(name + "/")).forEach(k -> {
            String[] p = k.split("/");
            assertTrue(!java.util.Objects.equals(ah.get(p[1]).get(p[2]), rh.get(p[1]).get(p[2])), "no longer differs: " + k);
        });
    }
}
