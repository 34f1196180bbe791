package dev.runbook.run;

import dev.runbook.error.RunbookException;
import dev.runbook.exec.InputResolver;
import dev.runbook.exec.Masker;
import dev.runbook.exec.Scopes;
import dev.runbook.exec.Targets;
import dev.runbook.graph.StepGraph;
import dev.runbook.inventory.Inventory;
import dev.runbook.inventory.InventoryParser;
import dev.runbook.model.Input;
import dev.runbook.model.Runbook;
import dev.runbook.parse.RunbookParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A runbook and inventory loaded and checked together: the graph, the targets and the variable scopes of one run. */
public final class RunSetup {
    public final Runbook runbook;
    public final Path runbookPath;
    public final Inventory inventory;
    public final Path inventoryPath;
    public final StepGraph graph;
    public final Targets targets;
    public final Map<String, Object> inputs;
    public final Masker masker;
    public final Scopes scopes;

    private RunSetup(Runbook runbook, Path runbookPath, Inventory inventory, Path inventoryPath, Map<String, Object> inputs,
                    String limit, Map<String, Object> run) {
        this.runbook = runbook;
        this.runbookPath = runbookPath;
        this.inventory = inventory;
        this.inventoryPath = inventoryPath;
        this.graph = new StepGraph(runbook);
        this.inputs = inputs;
        List<String> secrets = new ArrayList<>();
        for (Input in : runbook.inputs()) {
            if (in.secret() && inputs.get(in.name()) != null) {
                secrets.add(String.valueOf(inputs.get(in.name())));
            }
        }
        secrets.addAll(inventorySecrets(inventory));
        this.masker = new Masker(secrets);
        this.scopes = new Scopes(runbook, inventory, inputs, run);
        // host patterns may name inputs (hosts: "{{new_member}}"): resolved once, before anything runs
        this.targets = new Targets(runbook.steps(), inventory, limit, scopes.forHost(inventory.control(), true));
        for (dev.runbook.inventory.Host h : targets.remoteHosts(graph.order())) {
            for (String pw : List.of("ansible_password", "ansible_ssh_pass", "ansible_ssh_password")) {
                if (!h.local() && h.vars().get(pw) != null) {
                    throw RunbookException.invalid(h.at(), "host '" + h.name() + "' logs in with a password (" + pw + "): runbook logs in with keys only",
                            "use a key: in ssh-agent, or ansible_ssh_private_key_file; sudo passwords stay ansible_become_password");
                }
            }
        }
    }

    /** Loads everything; any problem is a {@link RunbookException} (exit 2). */
    public static RunSetup load(Path runbookFile, Path inventoryFile, Map<String, Object> given, String limit, Map<String, Object> run) {
        Runbook rb = RunbookParser.load(runbookFile);
        Path inv = inventoryFile != null ? inventoryFile : defaultInventory();
        Inventory inventory = inv == null ? Inventory.empty() : InventoryParser.load(inv);
        Map<String, Object> inputs = InputResolver.resolve(rb, given);
        return new RunSetup(rb, runbookFile, inventory, inv, inputs, limit, run);
    }

    /** {@code inventory/lab.yml} when it exists (the local lab is the default target). */
    public static Path defaultInventory() {
        Path p = Path.of("inventory", "lab.yml");
        return Files.isRegularFile(p) ? p : null;
    }

    /** Inventory variables whose names say they are secret, or that the inventory lists in {@code secret_vars}. */
    private static final java.util.regex.Pattern SECRET_NAME = java.util.regex.Pattern.compile("(?i).*(password|passwd|passphrase|secret|token|(^|_)pass)$");

    /** The values of an inventory's secret variables (on any host or in all.vars), masked like secret inputs. */
    public static List<String> inventorySecrets(Inventory inventory) {
        List<String> out = new ArrayList<>();
        List<Map<String, Object>> scopes = new ArrayList<>();
        scopes.add(inventory.allVars());
        inventory.hosts().values().forEach(h -> scopes.add(h.vars()));
        for (Map<String, Object> vars : scopes) {
            java.util.Set<String> listed = new java.util.HashSet<>();
            if (vars.get("secret_vars") instanceof List<?> l) {
                l.forEach(x -> listed.add(String.valueOf(x)));
            }
            vars.forEach((k, v) -> {
                if (v instanceof String str && !str.isEmpty() && (listed.contains(k) || SECRET_NAME.matcher(k).matches())) {
                    out.add(str);
                }
            });
        }
        return out;
    }

    /** How each host the run touches is reached (user@address:port, jumps, sudo), for the plan and the journal. */
    public Map<String, String> reach() {
        Map<String, String> out = new LinkedHashMap<>();
        for (dev.runbook.inventory.Host h : targets.remoteHosts(graph.order())) {
            if (!h.local()) {
                out.put(h.name(), dev.runbook.transport.ssh.TargetResolver.reach(h));
            }
        }
        return out;
    }

    /** Inputs as recorded in journals and printed: secrets masked. */
    public Map<String, Object> printableInputs() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Input in : runbook.inputs()) {
            if (inputs.containsKey(in.name())) {
                out.put(in.name(), in.secret() ? "******" : inputs.get(in.name()));
            }
        }
        return out;
    }

}
