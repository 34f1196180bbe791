package dev.runbook.action;

/**
 * An {@link Action} that moves bulk data through the engine's own crypto (a local file uploaded, a
 * snapshot streamed). Optional: the plan's sum of these picks the JVM's compiler profile
 * (docs/performance.md); every other action moves only small data.
 */
public interface BulkTransfer {
    /** {@link #bulkBytes} of a step that moves data of a size not known before it runs. */
    long UNKNOWN = -1;

    /**
     * How many bytes this step moves on this host, {@link #UNKNOWN} when that is not known before it
     * runs. Rendered like {@link Action#describe}, without touching the host.
     */
    long bulkBytes(StepContext ctx);

    /** The bulk bytes of {@code action} on this host: 0 for actions that are not bulk transfers. */
    static long of(Action action, StepContext ctx) {
        return action instanceof BulkTransfer b ? b.bulkBytes(ctx) : 0;
    }
}
