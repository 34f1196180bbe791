package dev.runbook.cli;

import dev.runbook.run.RunSetup;
import dev.runbook.error.RunbookException;
import dev.runbook.inventory.Inventory;
import dev.runbook.inventory.InventoryParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code runbook inventory --list | --host H}: the inventory as runbook reads it, in the JSON shape
 * of {@code ansible-inventory --list} / {@code --host}, so the two can be diffed; secret variables
 * masked unless {@code --show-secrets}.
 */
@Command(name = "inventory", description = "Print the inventory as runbook reads it (the JSON of ansible-inventory --list / --host).")
final class InventoryCommand implements Callable<Integer> {
    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE", description = "inventory (YAML or INI); default: inventory/lab.yml")
    Path inventory;

    @Option(names = "--list", description = "every group and host, with the hosts' variables (the default)")
    boolean list;

    @Option(names = "--host", paramLabel = "HOST", description = "one host's variables")
    String host;

    @Option(names = "--show-secrets", description = "print the values of secret variables (*password, *token, ...; secret_vars) instead of ******")
    boolean showSecrets;

    @Override
    public Integer call() throws Exception {
        Path inv = inventory != null ? inventory : RunSetup.defaultInventory();
        if (inv == null) {
            throw RunbookException.invalid(null, "no inventory: give -i FILE", "runbook inventory --list -i hosts.ini");
        }
        Inventory i = InventoryParser.load(inv);
        Object out;
        if (host != null) {
            Map<String, Object> vars = i.listing().hostvars().get(host);
            if (vars == null) {
                throw RunbookException.invalid(null, "no host '" + host + "' in " + inv, "runbook inventory --list -i " + inv + " lists them");
            }
            out = new TreeMap<>(vars);
        } else {
            out = listing(i);
        }
        if (!showSecrets) {
            out = new dev.runbook.exec.Masker(RunSetup.inventorySecrets(i)).maskValue(out);
        }
        System.out.println(dev.runbook.event.JsonEvents.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return 0;
    }

    /** ansible-inventory --list's shape: _meta.hostvars, then every group with hosts or children ("all" first, "ungrouped" its first child). */
    static Map<String, Object> listing(Inventory i) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> hostvars = new TreeMap<>();
        i.listing().hostvars().forEach((h, v) -> {
            if (!v.isEmpty()) {
                hostvars.put(h, new TreeMap<>(v));
            }
        });
        out.put("_meta", Map.of("hostvars", hostvars));
        Map<String, Inventory.GroupListing> groups = i.listing().groups();
        List<String> top = new ArrayList<>();
        top.add("ungrouped");
        Inventory.GroupListing all = groups.get("all");
        if (all != null) {
            all.children().stream().filter(c -> !c.equals("ungrouped")).forEach(top::add);
        }
        out.put("all", Map.of("children", top));
        // ungrouped: the hosts whose only group is all
        List<String> ungrouped = new ArrayList<>();
        groups.getOrDefault("ungrouped", new Inventory.GroupListing(List.of(), List.of())).hosts().forEach(ungrouped::add);
        if (all != null) {
            java.util.Set<String> grouped = new java.util.HashSet<>();
            groups.forEach((g, l) -> {
                if (!g.equals("all") && !g.equals("ungrouped")) {
                    grouped.addAll(l.hosts());
                }
            });
            all.hosts().stream().filter(h -> !ungrouped.contains(h) && !grouped.contains(h)).forEach(ungrouped::add);
        }
        Map<String, Object> rest = new TreeMap<>();
        groups.forEach((g, l) -> {
            if (g.equals("all") || g.equals("ungrouped")) {
                return;
            }
            Map<String, Object> e = new LinkedHashMap<>();
            if (!l.children().isEmpty()) {
                e.put("children", l.children());
            }
            if (!l.hosts().isEmpty()) {
                e.put("hosts", l.hosts());
            }
            if (!e.isEmpty()) {
                rest.put(g, e);
            }
        });
        if (!ungrouped.isEmpty()) {
            rest.put("ungrouped", Map.of("hosts", ungrouped));
        }
        out.putAll(rest);
        return out;
    }
}
