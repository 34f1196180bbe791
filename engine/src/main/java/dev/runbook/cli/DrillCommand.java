package dev.runbook.cli;

import dev.runbook.action.RunResources;
import dev.runbook.action.StepContext;
import dev.runbook.action.etcd.EtcdClients;
import dev.runbook.action.etcd.EtcdTarget;
import dev.runbook.drill.DrillData;
import dev.runbook.drill.DrillHistory;
import dev.runbook.drill.DrillState;
import dev.runbook.drill.DrillState.Phase;
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
        Path dir = Files.createDirectories(drills().resolve(id));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("id", id);
        params.put("scenario", scenario.id);
        params.put("inventory", inv.toAbsolutePath().toString());
        params.put("runbooks", runbooks.toAbsolutePath().toString());
        params.put("keys", keys);
        params.put("later_keys", laterKeys);
        params.put("members", members.size());
        params.put("victim", victim);
        params.put("survivor", survivor);
        params.put("spare", spareHost);
        params.put("yes", yes);
        DrillState st = DrillState.create(dir, params);
        st.fact("Drill", id);
        st.fact("Scenario", scenario.id + ": " + scenario.summary);
        st.fact("Inventory", inv.toString());
        say("DRILL " + id + ": " + scenario.summary);
        say("(if it is interrupted: runbook resume " + id + ")");
        return execute(st);
    }

    /** {@code runbook resume DRILL_ID}: continues a drill after its last completed phase (an interrupted run is resumed). */
    static int resume(String id) throws Exception {
        DrillState st = DrillState.load(drills().resolve(id));
        if (st.done(Phase.VERIFIED)) {
            throw RunbookException.invalid(null, "drill " + id + " already finished (" + st.facts().get("Verdict") + "); nothing to resume",
                    "its report: " + st.dir().resolve("report.html"));
        }
        say("RESUMING DRILL " + id + ": " + Scenario.of(st.string("scenario")).summary);
        return execute(st);
    }

    /**
     * The id of the newest drill that has not verified yet, if its state changed after {@code since}
     * (epoch ms: the newest run's start), else null. A drill's state file changes at every phase.
     */
    static String newestUnfinished(long since) {
        try (var dirs = Files.list(drills())) {
            Path newest = dirs.filter(x -> Files.isRegularFile(x.resolve("drill.json")))
                    .max(java.util.Comparator.comparingLong((Path x) -> x.resolve("drill.json").toFile().lastModified())).orElse(null);
            boolean open = newest != null && newest.resolve("drill.json").toFile().lastModified() >= since
                    && !DrillState.load(newest).done(Phase.VERIFIED);
            return open ? newest.getFileName().toString() : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null; // no drills yet
        }
    }

    static Path drills() {
        return ApplyCommand.runs().getParent().resolve("drills");
    }

    /** Runs the drill's phases that are not done yet; each phase is recorded as it completes. */
    private static int execute(DrillState st) throws Exception {
        Scenario scenario = Scenario.of(st.string("scenario"));
        Path inv = Path.of(st.string("inventory"));
        Path books = Path.of(st.string("runbooks"));
        int keys = st.integer("keys");
        int laterKeys = st.integer("later_keys");
        String victim = st.string("victim");
        String survivor = st.string("survivor");
        String spareHost = st.string("spare");
        boolean yes = Boolean.TRUE.equals(st.get("yes"));
        String prefix = "/runbook-drill/" + st.string("id") + "/";
        Inventory inventoryData = dev.runbook.inventory.InventoryParser.load(inv);
        // the drill's own reads and writes of etcd: through the members' SSH connections when the
        // inventory says so (etcd_access), with the TLS material read there
        try (dev.runbook.transport.Connections connections = new dev.runbook.transport.Connections(
                dev.runbook.transport.Connections.standard(false, 10_000, becomePassword()));
             RunResources resources = new RunResources();
             EtcdClients clients = new EtcdClients(links(inventoryData, connections))) {
            EtcdTarget target = target(inventoryData, inv, resources);
            if (!st.done(Phase.KEYS_BEFORE)) {
                say("== writing " + keys + " known keys under " + prefix + "before/");
                new DrillData(clients.cluster(target), prefix).write("before", keys);
                st.markDone(Phase.KEYS_BEFORE);
            }
            if (!st.done(Phase.BACKUP)) {
                say("== backup (runbooks/backup.yml)");
                RunRecord backup = inner(st, Phase.BACKUP, books, "backup.yml",
                        Map.of("backup_root", st.dir().resolve("backups").toAbsolutePath().toString()), inv, false);
                if (interrupted(st, backup)) {
                    return ExitCode.ABORTED.code;
                }
                if (backup.exitCode() == null || backup.exitCode() != 0) {
                    return finish(st, scenario, false, "the backup failed: nothing was broken", null);
                }
                Map<?, ?> snap = snapshotOf(backup);
                st.put("snapshot", String.valueOf(snap.get("path")));
                st.put("snapshot_taken_at", snap.get("taken_at") instanceof String t ? t : null);
                st.fact("Backup", snap.get("path") + " (run " + backup.runId() + ")");
                st.markDone(Phase.BACKUP);
            }
            String snapshot = st.string("snapshot");
            if (!st.done(Phase.KEYS_AFTER)) {
                say("== writing " + laterKeys + " keys after the backup (" + (scenario.keepsLaterWrites ? "the recovery must keep them" : "lost by design: the RPO") + ")");
                new DrillData(clients.cluster(target), prefix).write("after", laterKeys);
                st.markDone(Phase.KEYS_AFTER);
            }
            if (!st.done(Phase.INJECT)) {
                say("== injecting the failure (runbooks/drills/" + scenario.injectRunbook() + ")");
                RunRecord inject = inner(st, Phase.INJECT, books, "drills/" + scenario.injectRunbook(), scenario.injectVars(victim, survivor), inv, yes);
                st.fact("Failure injected", "run " + inject.runId() + ": " + inject.outcome());
                if (st.string("snapshot_taken_at") != null && inject.recovery() != null) {
                    // what a real incident loses: everything written between the backup and the failure
                    long rpo = inject.recovery().outageStart() - Instant.parse(st.string("snapshot_taken_at")).toEpochMilli();
                    st.fact("RPO (backup age when the failure hit)", dur(rpo) + ", " + laterKeys + " keys written in that window");
                }
                if (interrupted(st, inject)) {
                    return ExitCode.ABORTED.code;
                }
                if (inject.exitCode() == null || inject.exitCode() != 0) {
                    return finish(st, scenario, false, "the failure could not be injected", null);
                }
                st.markDone(Phase.INJECT);
            }
            String recoveryBook = scenario.recoveryFor(st.integer("members"));
            RunRecord recovery;
            if (!st.done(Phase.RECOVERY)) {
                say("== recovering (runbooks/" + recoveryBook + ")");
                recovery = inner(st, Phase.RECOVERY, books, recoveryBook, scenario.recoveryVars(snapshot, victim, survivor, spareHost), inv, true);
                st.fact("Recovery", "runbooks/" + recoveryBook + ", run " + recovery.runId() + ": " + recovery.outcome()
                        + (recovery.resumedFrom() != null ? " (resumed from run " + recovery.resumedFrom() + ")" : ""));
                if (interrupted(st, recovery)) {
                    return ExitCode.ABORTED.code;
                }
                if (recovery.exitCode() == null || recovery.exitCode() != 0) {
                    say("the recovery did not finish: fix what it reports, then continue the drill with: runbook resume " + st.string("id"));
                    return finish(st, scenario, false, "the recovery failed", recovery);
                }
                st.markDone(Phase.RECOVERY);
            } else {
                recovery = RunRecord.read(ApplyCommand.runs(), st.run(Phase.RECOVERY));
            }

            say("== verifying the data");
            DrillData.Check before;
            DrillData.Check later;
            // a new client: the one that wrote may still hold channels to members that are gone now
            try (EtcdClients fresh = new EtcdClients(links(inventoryData, connections))) {
                DrillData after = new DrillData(fresh.cluster(target), prefix);
                before = after.check("before", keys);
                later = after.check("after", laterKeys);
            }
            boolean ok = before.complete() && (scenario.keepsLaterWrites ? later.complete() : later.absent());
            st.fact("Keys written before the backup", before.present() + " of " + before.expected() + " present"
                    + (before.wrongValue() > 0 ? ", " + before.wrongValue() + " with a wrong value" : "") + (before.complete() ? " (all, exact values)" : " (MISSING DATA)"));
            st.fact("Keys written after the backup", later.present() + " of " + later.expected() + " present"
                    + (scenario.keepsLaterWrites ? (later.complete() ? " (kept, as they must be)" : " (LOST, but this recovery must keep them)")
                    : (later.absent() ? " (lost with the failure, as a restore from the backup must: this is the RPO)" : " (UNEXPECTED: a restore cannot have them)")));
            st.markDone(Phase.VERIFIED);
            return finish(st, scenario, ok, ok ? "the data came back as expected" : "verification failed", recovery);
        }
    }

    /**
     * True when the operator interrupted a phase (Ctrl-C, SIGTERM: exit 3): the drill is not over,
     * so nothing goes into its history; it says how to continue instead.
     */
    private static boolean interrupted(DrillState st, RunRecord phase) {
        if (phase.exitCode() == null || phase.exitCode() != ExitCode.ABORTED.code) {
            return false;
        }
        say("DRILL INTERRUPTED in run " + phase.runId() + ": continue it with: runbook resume " + st.string("id"));
        return true;
    }

    /** Records, reports and prints the drill's outcome; returns the exit code. */
    private static int finish(DrillState st, Scenario scenario, boolean ok, String verdict, RunRecord recovery) throws Exception {
        st.fact("Verdict", verdict);
        String id = st.string("id");
        Path dir = st.dir();
        Map<String, String> facts = st.facts();
        DrillHistory history = new DrillHistory(drills().resolve("history.jsonl"));
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

    /**
     * Runs one phase's runbook in this process, exactly as {@code runbook apply} would, marked with
     * the drill and phase in its journal; an earlier attempt of the phase that did not finish is
     * resumed instead ({@code runbook resume}), one that finished is not run again.
     */
    private static RunRecord inner(DrillState st, Phase phase, Path books, String book, Map<String, String> vars, Path inv, boolean assumeYes) {
        String marker = st.string("id") + ":" + phase.name();
        String earlier = st.run(phase) != null ? st.run(phase) : markedRun(marker);
        List<String> args = new ArrayList<>();
        if (earlier != null) {
            RunRecord r = RunRecord.read(ApplyCommand.runs(), earlier);
            if (r.exitCode() != null && r.exitCode() == 0) {
                st.setRun(phase, earlier);
                return r;
            }
            say("   continuing run " + earlier + " (" + r.outcome() + ")");
            args.addAll(List.of("resume", earlier, "--this-run-only"));
        } else {
            args.addAll(List.of("apply", books.resolve(book).toString(), "-i", inv.toString(), "--drill", marker));
            vars.forEach((k, v) -> args.addAll(List.of("--var", k + "=" + v)));
        }
        if (assumeYes) {
            args.add("--yes");
        }
        String before = JournalReader.newest(ApplyCommand.runs());
        int rc = Main.run(args.toArray(String[]::new));
        String after = JournalReader.newest(ApplyCommand.runs());
        if (after == null || after.equals(before)) {
            throw new RunbookException(rc == 2 ? ExitCode.INVALID_INPUT : ExitCode.ABORTED, null, "runbooks/" + book + " did not start (exit " + rc + ")",
                    "its error is printed above; after fixing it: runbook resume " + st.string("id"));
        }
        st.setRun(phase, after);
        return RunRecord.read(ApplyCommand.runs(), after);
    }

    /** The newest run whose journal says it ran for this drill phase (found after an engine was killed before recording it). */
    private static String markedRun(String marker) {
        for (String id : JournalReader.newestFirst(ApplyCommand.runs())) {
            if (JournalReader.startRecord(ApplyCommand.runs(), id).get("args") instanceof List<?> args && args.contains("--drill=" + marker)) {
                return id;
            }
        }
        return null;
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

    private static dev.runbook.action.HostLinks links(Inventory inv, dev.runbook.transport.Connections connections) {
        return dev.runbook.action.HostLinks.of(inv.hosts().values(), connections::get);
    }

    /** The sudo password the operator gave the drill's runs (the environment's; the inventory's own win). */
    private static char[] becomePassword() {
        String pw = System.getenv("RUNBOOK_BECOME_PASSWORD");
        return pw == null ? null : pw.toCharArray();
    }

    private static void say(String s) {
        System.out.println(s);
    }
}
