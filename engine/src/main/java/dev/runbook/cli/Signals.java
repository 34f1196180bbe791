package dev.runbook.cli;

import sun.misc.Signal;

/** Ctrl-C and SIGTERM become a cancellation the executor honours, instead of killing the JVM mid-step. */
final class Signals {
    private Signals() {
    }

    static void onInterrupt(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), sig -> action.run());
            } catch (IllegalArgumentException ignored) {
                // signal not available on this platform
            }
        }
    }
}
