package dev.runbook.event;

import java.util.Map;

/**
 * The outcome of one step on one host, as listeners, the journal and the recap see it.
 *
 * @param attempts how many times the action ran (retries + 1 at most)
 * @param registered {@code {register-name: value}} when the step registers, else empty
 */
public record HostResult(String step, String host, Status status, long startMillis, long millis, int rc, String msg,
                         String stdout, String stderr, int attempts, Map<String, Object> registered) {
    /** How a step ended on a host. */
    public enum Status {
        OK, CHANGED, FAILED, SKIPPED, NOT_RUN, ABORTED;

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }

        public boolean success() {
            return this == OK || this == CHANGED || this == SKIPPED;
        }
    }
}
