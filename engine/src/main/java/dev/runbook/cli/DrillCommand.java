package dev.runbook.cli;

import dev.runbook.drill.Drill;
import dev.runbook.drill.Scenario;
import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.run.RunSetup;
import dev.runbook.run.StateDir;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code runbook drill SCENARIO}: rehearses a disaster end to end on a cluster you may break (the
 * local lab by default); see {@link Drill}. Exit 0 only when the data came back.
 */
@Command(name = "drill", description = "Rehearse a disaster on a cluster you may break (default: the local lab): "
        + "backup, inject the failure, recover, verify the data, report.")
final class DrillCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "lose-all-data, lose-quorum, lose-member or corrupt-member")
    String scenarioName;

    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE", description = "inventory; default: inventory/lab.yml")
    Path inventory;

    @Option(names = "--keys", defaultValue = "1000", description = "keys written before the backup (default: ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--later-keys", defaultValue = "100", description = "keys written after the backup, before the failure (default: ${DEFAULT-VALUE})")
    int laterKeys;

    @Option(names = "--spare", paramLabel = "HOST", description = "the host that replaces a lost member (default: the first host of group 'spare')")
    String spare;

    @Option(names = "--runbooks", paramLabel = "DIR", defaultValue = "runbooks", description = "where the shipped runbooks are (default: ${DEFAULT-VALUE})")
    Path runbooks;

    @Option(names = "--yes", description = "do not ask before breaking the cluster")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        Scenario scenario = Scenario.of(scenarioName);
        if (scenario == null) {
            throw RunbookException.invalid(null, "unknown drill scenario '" + scenarioName + "'", "scenarios: " + String.join(", ", Scenario.names()));
        }
        Path inv = inventory != null ? inventory : RunSetup.defaultInventory();
        if (inv == null) {
            throw RunbookException.invalid(null, "no inventory: give -i, or bring up the lab (lab/up writes inventory/lab.yml)", null);
        }
        Drill drill = drill();
        return drill.start(new Drill.Request(scenario, inv, keys, laterKeys, spare, runbooks, yes));
    }

    /** {@code runbook resume DRILL_ID}: continues a drill after its last completed phase. */
    static int resume(String id) throws Exception {
        return drill().resume(id);
    }

    /** A drill printing here, its runs' errors as the CLI prints errors, Ctrl-C stopping its running phase. */
    private static Drill drill() {
        Drill drill = new Drill(StateDir.current(), System.out, e -> ErrorPrinter.print(new java.io.PrintWriter(System.err, true), e, Boolean.getBoolean("runbook.debug")),
                new ConsoleOperator(false), DrillCommand::becomePassword);
        Signals.onInterrupt(() -> {
            if (drill.cancel()) {
                System.err.println("\ninterrupted: stopping; in-flight commands are being ended (Ctrl-C again to quit at once)");
            } else {
                Runtime.getRuntime().halt(ExitCode.ABORTED.code);
            }
        });
        return drill;
    }

    /** The sudo password the operator gave the drill's runs (the environment's; the inventory's own win). */
    private static char[] becomePassword() {
        String pw = System.getenv("RUNBOOK_BECOME_PASSWORD");
        return pw == null ? null : pw.toCharArray();
    }
}
