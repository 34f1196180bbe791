package dev.runbook.event;

import dev.runbook.model.Step;
import java.util.List;

/** Fans every event out to several listeners, in order. */
public final class Listeners implements RunListener {
    private final List<RunListener> all;

    public Listeners(List<RunListener> all) {
        this.all = List.copyOf(all);
    }

    @Override
    public void runStarted(RunInfo info) {
        all.forEach(l -> l.runStarted(info));
    }

    @Override
    public void stepStarted(Step step, List<String> hosts) {
        all.forEach(l -> l.stepStarted(step, hosts));
    }

    @Override
    public void hostFinished(Step step, HostResult result) {
        all.forEach(l -> l.hostFinished(step, result));
    }

    @Override
    public void stepFinished(Step step, HostResult.Status status, String msg) {
        all.forEach(l -> l.stepFinished(step, status, msg));
    }

    @Override
    public void message(String text) {
        all.forEach(l -> l.message(text));
    }

    @Override
    public void runFinished(RunSummary summary) {
        all.forEach(l -> l.runFinished(summary));
    }
}
