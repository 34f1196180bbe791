package dev.runbook.cli;

import dev.runbook.action.RunResources;
import dev.runbook.action.StepContext;
import dev.runbook.action.etcd.EtcdClients;
import dev.runbook.action.etcd.EtcdTarget;
import dev.runbook.drill.DrillData;
import dev.runbook.drill.DrillHistory;
import dev.runbook.drill.Scenario;
import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.inventory.Host;
import dev.runbook.inventory.Inventory;
import dev.runbook.journal.JournalReader;
import dev.runbook.report.DrillPage;
import dev.runbook.report.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code runbook drill SCENARIO}: rehearses a disaster end to end on a cluster you may break (the
 * local lab by default): known keys written, a backup taken, more keys written, the failure
 * injected by a shipped runbook, the matching recovery runbook run, every key checked, the report
 * written and the outcome appended to the drill history. Exit 0 only when the data came back.
 */
@Command(name = "drill", description = "Rehearse a disaster on a cluster you may break (default: the local lab): "
        + "backup, inject the failure, recover, verify the data, report.")
final class DrillCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "lose-all-data, lose-quorum, lose-member or corrupt-member")
    String scenarioName;

    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE", description = "inventory; default: inventory/lab.yml")
    Path inventory;

    @Option(names = "--keys", defaultValue = "1000", description = "keys written before the backup (default: ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--later-keys", defaultValue = "100", description = "keys written after the backup, before the failure (default: ${DEFAULT-VALUE})")
    int laterKeys;

    @Option(names = "--spare", paramLabel = "HOST", description = "the host that replaces a lost member (default: the first host of group 'spare')")
    String spare;

    @Option(names = "--runbooks", paramLabel = "DIR", defaultValue = "runbooks", description = "where the shipped runbooks are (default: ${DEFAULT-VALUE})")
    Path runbooks;

    @Option(names = "--yes", description = "do not ask before breaking the cluster")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        Scenario scenario = Scenario.of(scenarioName);
        if (scenario == null) {
            throw RunbookException.invalid(null, "unknown drill scenario '" + scenarioName + "'", "scenarios: " + String.join(", ", Scenario.names()));
        }
        Path inv = inventory != null ? inventory : Session.defaultInventory();
        if (inv == null) {
            throw RunbookException.invalid(null, "no inventory: give -i, or bring up the lab (lab/up writes inventory/lab.yml)", null);
        }
        Inventory inventoryData = dev.runbook.inventory.InventoryParser.load(inv);
        List<String> members = inventoryData.groups().getOrDefault("etcd", List.of());
        if (members.isEmpty()) {
            throw RunbookException.invalid(null, "the inventory has no group 'etcd'", "a drill needs the cluster's members in group 'etcd'");
        }
        String victim = members.get(members.size() - 1);
        String survivor = members.get(0);
        String spareHost = spare != null ? spare : inventoryData.groups().getOrDefault("spare", List.of()).stream().findFirst().orElse(null);
        if ((scenario == Scenario.LOSE_MEMBER || scenario == Scenario.CORRUPT_MEMBER) && spareHost == null) {
            throw RunbookException.invalid(null, "scenario " + scenario.id + " needs a spare host to replace the lost member",
                    "put one in group 'spare' or give --spare HOST");
        }
        if (scenario != Scenario.LOSE_ALL_DATA && members.size() < 3) {
            throw RunbookException.invalid(null, "scenario " + scenario.id + " needs at least 3 members, the inventory has " + members.size(), null);
        }
        String id = "drill-" + dev.runbook.journal.Journal.newRunId();
        Path dir = Files.createDirectories(ApplyCommand.runs().getParent().resolve("drills").resolve(id));
        String prefix = "/runbook-drill/" + id + "/";
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Drill", id);
        facts.put("Scenario", scenario.id + ": " + scenario.summary);
        facts.put("Inventory", inv.toString());
        say("DRILL " + id + ": " + scenario.summary);

        try (RunResources resources = new RunResources(); EtcdClients clients = new EtcdClients()) {
            EtcdTarget target = target(inventoryData, inv, resources);
            DrillData data = new DrillData(clients.cluster(target), prefix);
            say("== writing " + keys + " known keys under " + prefix + "before/");
            data.write("before", keys);

            say("== backup (runbooks/backup.yml)");
            RunRecord backup = apply("backup.yml", Map.of("backup_root", dir.resolve("backups").toAbsolutePath().toString()), inv, false);
            if (backup.exitCode() == null || backup.exitCode() != 0) {
                return finish(scenario, id, dir, facts, false, "the backup failed: nothing was broken", null);
            }
            Map<?, ?> snap = snapshotOf(backup);
            String snapshot = String.valueOf(snap.get("path"));
            facts.put("Backup", snapshot + " (run " + backup.runId() + ")");

            say("== writing " + laterKeys + " keys after the backup (" + (scenario.keepsLaterWrites ? "the recovery must keep them" : "lost by design: the RPO") + ")");
            data.write("after", laterKeys);

            say("== injecting the failure (runbooks/drills/" + scenario.injectRunbook() + ")");
            RunRecord inject = apply("drills/" + scenario.injectRunbook(), scenario.injectVars(victim, survivor), inv, yes);
            facts.put("Failure injected", "run " + inject.runId() + ": " + inject.outcome());
            if (snap.get("taken_at") instanceof String taken && inject.recovery() != null) {
                // what a real incident loses: everything written between the backup and the failure
                long rpo = inject.recovery().outageStart() - Instant.parse(taken).toEpochMilli();
                facts.put("RPO (backup age when the failure hit)", dur(rpo) + ", " + laterKeys + " keys written in that window");
            }
            if (inject.exitCode() == null || inject.exitCode() != 0) {
                return finish(scenario, id, dir, facts, false, "the failure could not be injected", null);
            }

            String recoveryBook = scenario.recoveryFor(members.size());
            say("== recovering (runbooks/" + recoveryBook + ")");
            RunRecord recovery = apply(recoveryBook, scenario.recoveryVars(snapshot, victim, survivor, spareHost), inv, true);
            facts.put("Recovery", "runbooks/" + recoveryBook + ", run " + recovery.runId() + ": " + recovery.outcome());

            say("== verifying the data");
            DrillData.Check before;
            DrillData.Check later;
            // a new client: the one that wrote may still hold channels to members that are gone now
            try (EtcdClients fresh = new EtcdClients()) {
                DrillData after = new DrillData(fresh.cluster(target), prefix);
                before = after.check("before", keys);
                later = after.check("after", laterKeys);
            }
            boolean ok = recovery.exitCode() != null && recovery.exitCode() == 0 && before.complete()
                    && (scenario.keepsLaterWrites ? later.complete() : later.absent());
            facts.put("Keys written before the backup", before.present() + " of " + before.expected() + " present"
                    + (before.wrongValue() > 0 ? ", " + before.wrongValue() + " with a wrong value" : "") + (before.complete() ? " (all, exact values)" : " (MISSING DATA)"));
            facts.put("Keys written after the backup", later.present() + " of " + later.expected() + " present"
                    + (scenario.keepsLaterWrites ? (later.complete() ? " (kept, as they must be)" : " (LOST, but this recovery must keep them)")
                    : (later.absent() ? " (lost with the failure, as a restore from the backup must: this is the RPO)" : " (UNEXPECTED: a restore cannot have them)")));
            return finish(scenario, id, dir, facts, ok, ok ? "the data came back as expected" : "verification failed", recovery);
        }
    }

    /** Records, reports and prints the drill's outcome; returns the exit code. */
    private int finish(Scenario scenario, String id, Path dir, Map<String, String> facts, boolean ok, String verdict, RunRecord recovery) throws Exception {
        facts.put("Verdict", verdict);
        DrillHistory history = new DrillHistory(ApplyCommand.runs().getParent().resolve("drills").resolve("history.jsonl"));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("time", Instant.now().toString());
        entry.put("drill", id);
        entry.put("scenario", scenario.id);
        entry.put("verified", ok);
        entry.put("recovery_run", recovery == null ? null : recovery.runId());
        entry.put("rto_quorum_millis", recovery == null || recovery.recovery() == null ? null : recovery.recovery().rtoQuorumMillis());
        entry.put("rto_healthy_millis", recovery == null || recovery.recovery() == null ? null : recovery.recovery().rtoHealthyMillis());
        entry.put("rpo_millis", recovery == null || recovery.recovery() == null ? null : recovery.recovery().snapshotAgeMillis());
        history.append(entry);
        List<Map<String, Object>> same = new ArrayList<>(history.entries().stream().filter(e -> scenario.id.equals(e.get("scenario"))).toList());
        DrillPage page = new DrillPage(scenario.id, ok, facts, recovery, same);
        Files.writeString(dir.resolve("report.md"), page.markdown());
        Files.writeString(dir.resolve("report.html"), page.html());
        say("");
        facts.forEach((k, v) -> say("  " + k + ": " + v));
        if (recovery != null && recovery.recovery() != null) {
            RunRecord.Recovery r = recovery.recovery();
            say("  RTO (from the recovery's first destructive step): quorum " + dur(r.rtoQuorumMillis()) + ", all members healthy " + dur(r.rtoHealthyMillis()));
        }
        say((ok ? "DRILL VERIFIED" : "DRILL FAILED") + ": " + verdict + "; report: " + dir.resolve("report.html") + " (and report.md)");
        return ok ? 0 : ExitCode.STEP_FAILED.code;
    }

    private static String dur(Long ms) {
        return ms == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** Runs a shipped runbook in this process, exactly as {@code runbook apply} would, and reads its journal back. */
    private RunRecord apply(String book, Map<String, String> vars, Path inv, boolean assumeYes) {
        List<String> args = new ArrayList<>(List.of("apply", runbooks.resolve(book).toString(), "-i", inv.toString()));
        vars.forEach((k, v) -> args.addAll(List.of("--var", k + "=" + v)));
        if (assumeYes) {
            args.add("--yes");
        }
        String before = JournalReader.newest(ApplyCommand.runs());
        int rc = Main.run(args.toArray(String[]::new));
        String after = JournalReader.newest(ApplyCommand.runs());
        if (after == null || after.equals(before)) {
            throw new RunbookException(rc == 2 ? ExitCode.INVALID_INPUT : ExitCode.ABORTED, null, "runbooks/" + book + " did not start (exit " + rc + ")", "its error is printed above");
        }
        return RunRecord.read(ApplyCommand.runs(), after);
    }

    /** What the backup run registered for its snapshot (etcd.snapshot's result: path, taken_at, revision, ...). */
    private static Map<?, ?> snapshotOf(RunRecord backup) {
        for (RunRecord.StepRun s : backup.steps()) {
            for (RunRecord.HostRun h : s.hosts()) {
                for (Object v : h.registered().values()) {
                    if (v instanceof Map<?, ?> m && m.get("path") instanceof String p && p.endsWith(".db")) {
                        return m;
                    }
                }
            }
        }
        throw RunbookException.invalid(null, "the backup run registered no snapshot path", "runbooks/backup.yml registers its snapshot as 'snap'");
    }

    /** The cluster as the inventory describes it (etcd_endpoints, etcd_ca/cert/key), resolved like an etcd step on control. */
    private static EtcdTarget target(Inventory inv, Path file, RunResources resources) {
        Host control = inv.control();
        Map<String, Object> scope = new dev.runbook.exec.Scopes(new dev.runbook.model.Runbook("drill", "", List.of(), Map.of(), List.of(), "drill", ""), inv, Map.of(), Map.of()).forHost(control, false);
        StepContext ctx = new StepContext(control, scope, () -> {
            throw new IllegalStateException("the drill talks to etcd only");
        }, "in the drill's data check", null, () -> false, file.toAbsolutePath().getParent(), "drill", new ConsoleOperator(true), resources, m -> { });
        return new EtcdTarget.Spec(null, null, null, null, Duration.ofSeconds(10)).resolve(ctx);
    }

    private static void say(String s) {
        System.out.println(s);
    }
}
