package dev.runbook.cli;

import dev.runbook.action.StepContext;
import java.io.Console;

/** Asks the operator on the terminal (confirm gates); with no terminal it cannot ask, so it answers null. */
final class ConsoleOperator implements StepContext.Operator {
    private final boolean yes;

    ConsoleOperator(boolean yes) {
        this.yes = yes;
    }

    @Override
    public boolean assumeYes() {
        return yes;
    }

    @Override
    public synchronized String ask(String message) {
        Console c = System.console();
        if (c == null) {
            return null;
        }
        return c.readLine("%s", message);
    }
}
