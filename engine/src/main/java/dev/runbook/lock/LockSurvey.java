package dev.runbook.lock;

import dev.runbook.inventory.Host;
import dev.runbook.transport.Connections;
import java.util.ArrayList;
import java.util.List;

/**
 * The run locks on a set of hosts, read over one connection each (in parallel), and broken where
 * the operator says so: what {@code runbook unlock} shows and does after a dead engine.
 */
public final class LockSurvey {
    /**
     * One host's lock: {@code holder} null when it is not locked; {@code broken} when this survey
     * removed it; {@code error} (then nothing else is known) when the host could not be read.
     */
    public record HostState(Host host, Holder holder, boolean broken, String error) {
    }

    private LockSurvey() {
    }

    /**
     * Reads the lock of every host; with {@code breakLocks}, removes those held by {@code run} (null:
     * any run). Unreachable hosts are reported, never skipped silently.
     */
    public static List<HostState> of(Connections connections, List<Host> hosts, boolean breakLocks, String run) {
        List<HostState> out = new ArrayList<>();
        List<RuntimeException> unreachable = connections.openAll(hosts, 20);
        for (Host h : hosts) {
            try {
                var t = connections.get(h);
                Holder holder = HostLock.read(t, RunLock.pathOn(h));
                boolean broke = false;
                if (holder != null && breakLocks && (run == null || run.equals(holder.run()))) {
                    HostLock.breakLock(t, RunLock.pathOn(h));
                    broke = true;
                }
                out.add(new HostState(h, holder, broke, null));
            } catch (RuntimeException e) {
                // an unreachable host fails again here with the same exception: report its first message
                String msg = unreachable.contains(e) ? e.getMessage() : h.name() + ": " + e.getMessage();
                out.add(new HostState(h, null, false, msg));
            }
        }
        return out;
    }
}
