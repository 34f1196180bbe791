package dev.runbook.error;

import java.util.ArrayList;
import java.util.List;

/** Collects several errors so that an operator sees all of them at once (e.g. every missing variable on every host). */
public final class Problems extends RunbookException {
    private final List<RunbookException> all;

    public Problems(List<RunbookException> all) {
        super(all.get(0).exitCode(), all.get(0).location(), all.size() + " problems found", all.get(0).hint());
        this.all = List.copyOf(all);
    }

    public List<RunbookException> all() {
        return all;
    }

    /** Throws nothing for no problems, the single problem for one, a {@link Problems} for several. */
    public static void throwIfAny(List<RunbookException> found) {
        if (found.isEmpty()) {
            return;
        }
        if (found.size() == 1) {
            throw found.get(0);
        }
        throw new Problems(new ArrayList<>(found));
    }
}
