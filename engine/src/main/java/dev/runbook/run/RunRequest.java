package dev.runbook.run;

import dev.runbook.action.StepContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything one run of a runbook needs from whoever starts it (the CLI, a drill): what to run,
 * against what, how, and (for a resumed run) where the earlier attempts stopped.
 *
 * @param inventory null: {@link RunSetup#defaultInventory()}
 * @param limit extra host pattern every step's hosts are intersected with (null: none)
 * @param becomePassword asked only once the plan rendered (a prompt never precedes an input error); may return null
 * @param recordedArgs the arguments the journal records (resume replays limit and forks; a drill finds its runs by --drill)
 * @param resume null for a new run
 */
public record RunRequest(Path runbook, Path inventory, Map<String, Object> inputs, String limit, int forks, boolean check, String ticket,
                         StepContext.Operator operator, boolean acceptNewHostKeys, int connectTimeoutMillis, Supplier<char[]> becomePassword,
                         List<String> recordedArgs, Resume resume) {
    /**
     * Where a resumed run starts: the steps every earlier attempt completed and what they
     * registered, the attempt it continues, and the first run of the chain (whose {@code run.id}
     * and {@code run.timestamp} it keeps, so names built from them are the ones completed steps used).
     */
    public record Resume(java.util.Set<String> done, Map<String, Map<String, Object>> registered, String resumedFrom, String origin) {
    }
}
