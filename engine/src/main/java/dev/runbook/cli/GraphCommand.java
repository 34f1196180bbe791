package dev.runbook.cli;

import dev.runbook.graph.StepGraph;
import dev.runbook.parse.RunbookParser;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code runbook graph}: the step graph as text, Graphviz dot or Mermaid. */
@Command(name = "graph", description = "Print the step graph.")
final class GraphCommand implements Callable<Integer> {
    enum Format { text, dot, mermaid }

    @Parameters(index = "0", paramLabel = "RUNBOOK")
    Path runbook;

    @Option(names = "--format", defaultValue = "text", description = "text, dot or mermaid (default: ${DEFAULT-VALUE})")
    Format format;

    @Override
    public Integer call() {
        System.out.print(new StepGraph(RunbookParser.load(runbook)).render(format.name()));
        return 0;
    }
}
