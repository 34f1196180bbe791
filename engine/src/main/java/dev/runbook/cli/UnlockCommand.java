package dev.runbook.cli;

import dev.runbook.run.RunSetup;
import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.inventory.Host;
import dev.runbook.inventory.HostPattern;
import dev.runbook.inventory.Inventory;
import dev.runbook.inventory.InventoryParser;
import dev.runbook.lock.HostLock;
import dev.runbook.lock.LockSurvey;
import dev.runbook.transport.Connections;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code runbook unlock}: shows and breaks run locks a dead engine left on the hosts. Breaking is
 * the operator's explicit decision; without {@code --break} the command only shows who holds what.
 */
@Command(name = "unlock", description = "Show the run locks on the inventory's hosts; with --break, remove them (after a dead engine).")
final class UnlockCommand implements Callable<Integer> {
    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE", description = "inventory; default: inventory/lab.yml")
    Path inventory;

    @Option(names = {"-l", "--limit"}, paramLabel = "PATTERN", description = "only these hosts (default: all)")
    String limit;

    @Option(names = "--run", paramLabel = "RUN_ID", description = "with --break: only locks held by this run")
    String run;

    @Option(names = "--break", description = "remove the locks (check first that their run is really dead)")
    boolean breakLocks;

    @Option(names = "--connect-timeout", defaultValue = "10", paramLabel = "SECONDS", description = "SSH connect timeout (default: ${DEFAULT-VALUE})")
    int connectTimeoutSeconds;

    @Override
    public Integer call() {
        Path inv = inventory != null ? inventory : RunSetup.defaultInventory();
        if (inv == null) {
            throw RunbookException.invalid(null, "no inventory: give -i", null);
        }
        Inventory inventoryData = InventoryParser.load(inv);
        List<String> names = limit == null ? inventoryData.names() : HostPattern.select(inventoryData, limit, null);
        List<Host> hosts = names.stream().map(inventoryData::host).filter(h -> h != null && !h.local()).toList();
        int locked = 0;
        int failed = 0;
        String pw = System.getenv("RUNBOOK_BECOME_PASSWORD");
        try (Connections connections = new Connections(Connections.standard(false, connectTimeoutSeconds * 1000, pw == null ? null : pw.toCharArray()))) {
            for (LockSurvey.HostState st : LockSurvey.of(connections, hosts, breakLocks, run)) {
                String name = st.host().name();
                if (st.error() != null) {
                    System.out.println(st.error());
                    failed++;
                } else if (st.holder() == null) {
                    System.out.println(name + ": not locked");
                } else {
                    locked++;
                    System.out.println(st.broken() ? name + ": BROKE the lock of " + st.holder().describe()
                            : name + ": locked by " + st.holder().describe()
                            + (st.holder().deadHere(HostLock.thisMachine()) ? " (that process is gone on this machine: stale)" : ""));
                }
            }
        }
        if (locked > 0 && !breakLocks) {
            System.out.println("to remove them (only once their run is dead and you know the cluster's state): runbook unlock -i " + inv + " --break");
        }
        return failed > 0 ? ExitCode.ABORTED.code : 0;
    }
}
