package dev.runbook.cli;

import dev.runbook.run.RunSetup;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code runbook validate}: parse, check the graph, the hosts and every template on every host; run nothing. */
@Command(name = "validate", description = "Check a runbook (and inventory, inputs, templates) without running anything.")
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    RunArgs args;

    @Option(names = "--debug", description = "stack traces on errors")
    boolean debug;

    @Override
    public Integer call() {
        if (debug) {
            System.setProperty("runbook.debug", "true");
        }
        RunSetup s = RunSetup.load(args.runbook, args.inventory, args.givenInputs(), args.limit, PlanCommand.runPlaceholders());
        PlanCommand.planner(s, "validate").plan();
        System.out.println(args.runbook + ": ok (" + s.runbook.steps().size() + " steps"
                + (s.inventoryPath != null ? ", inventory " + s.inventoryPath + " with " + s.inventory.hosts().size() + " hosts" : ", no inventory")
                + ")");
        return 0;
    }
}
