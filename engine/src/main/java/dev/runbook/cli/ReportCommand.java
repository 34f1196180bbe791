package dev.runbook.cli;

import dev.runbook.run.StateDir;
import dev.runbook.report.ReportHtml;
import dev.runbook.report.ReportMarkdown;
import dev.runbook.report.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code runbook report RUN_ID}: the record of a finished (or interrupted) run, from its journal. */
@Command(name = "report", description = "Write the record of a run from its journal: outcome per step and host, timeline, evidence, RTO/RPO.")
final class ReportCommand implements Callable<Integer> {
    enum Format { md, html, json }

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "a directory name under .runbook/runs, or 'last'")
    String runId;

    @Option(names = "--format", defaultValue = "md", description = "md, html or json (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE instead of standard output")
    Path output;

    /** The record plus the derived recovery figures, for machines. */
    static java.util.Map<String, Object> json(RunRecord r) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("record", r);
        if (r.recovery() != null) {
            java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
            f.put("rto_quorum_millis", r.recovery().rtoQuorumMillis());
            f.put("rto_healthy_millis", r.recovery().rtoHealthyMillis());
            f.put("snapshot_age_millis", r.recovery().snapshotAgeMillis());
            f.put("snapshot_revision", r.recovery().snapshotRevision());
            m.put("recovery_figures", f);
        }
        return m;
    }

    @Override
    public Integer call() throws Exception {
        RunRecord r = RunRecord.read(StateDir.current().runs(), runId);
        String text = switch (format) {
            case md -> ReportMarkdown.render(r);
            case html -> ReportHtml.render(r);
            case json -> dev.runbook.event.JsonEvents.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json(r)) + "\n";
        };
        if (output == null) {
            System.out.print(text);
        } else {
            Files.writeString(output, text);
            System.err.println("report written to " + output);
        }
        return 0;
    }
}
