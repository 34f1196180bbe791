package dev.runbook.event;

import dev.runbook.model.Step;
import java.io.PrintStream;
import java.util.List;

/** {@code --output json}: every event as one JSON line on stdout, for other tools to consume. */
public final class JsonListener implements RunListener {
    private final PrintStream out;

    public JsonListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void runStarted(RunInfo info) {
        out.println(JsonEvents.line(JsonEvents.runStarted(info)));
    }

    @Override
    public synchronized void stepStarted(Step step, List<String> hosts) {
        out.println(JsonEvents.line(JsonEvents.stepStarted(step, hosts)));
    }

    @Override
    public synchronized void hostFinished(Step step, HostResult result) {
        out.println(JsonEvents.line(JsonEvents.hostFinished(result)));
    }

    @Override
    public synchronized void stepFinished(Step step, HostResult.Status status, String msg) {
        out.println(JsonEvents.line(JsonEvents.stepFinished(step, status, msg)));
    }

    @Override
    public synchronized void runFinished(RunSummary summary) {
        out.println(JsonEvents.line(JsonEvents.runFinished(summary)));
    }
}
