package dev.runbook.drill;

import dev.runbook.action.HostLinks;
import dev.runbook.action.StepContext;
import dev.runbook.action.etcd.EtcdClients;
import dev.runbook.action.etcd.EtcdTarget;
import dev.runbook.drill.DrillState.Phase;
import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.event.ConsoleListener;
import dev.runbook.exec.Scopes;
import dev.runbook.inventory.Inventory;
import dev.runbook.inventory.InventoryParser;
import dev.runbook.journal.Journal;
import dev.runbook.journal.JournalReader;
import dev.runbook.report.DrillPage;
import dev.runbook.report.RunRecord;
import dev.runbook.run.PreparedRun;
import dev.runbook.run.ResumePoint;
import dev.runbook.run.RunRequest;
import dev.runbook.run.StateDir;
import dev.runbook.transport.Connections;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A disaster rehearsed end to end on a cluster that may be broken: known keys written, a backup
 * taken, more keys written, the failure injected by a shipped runbook, the matching recovery
 * runbook run, every key checked, the report written and the outcome appended to the drill
 * history. Each phase is recorded in the drill's state as it completes, so a drill interrupted
 * anywhere continues after its last completed phase.
 */
public final class Drill {
    /** What starting a drill needs. {@code spare}: the host replacing a lost member (null: the first of group 'spare'). */
    public record Request(Scenario scenario, Path inventory, int keys, int laterKeys, String spare, Path runbooks, boolean yes) {
    }

    /** One phase: null to go on, else the drill's exit code (it stopped there). */
    private interface PhaseBody {
        Integer run() throws Exception;
    }

    private record PhaseStep(Phase phase, PhaseBody body) {
    }

    private final StateDir state;
    private final PrintStream out;
    private final Consumer<RunbookException> errors;
    private final StepContext.Operator operator;
    private final Supplier<char[]> becomePassword;
    private volatile PreparedRun current;
    private volatile boolean cancelled;

    /**
     * @param out where the drill's progress and its runs' console output go
     * @param errors prints a phase run's error (the run stopped with it; the drill reports the phase as failed)
     * @param operator answers the recovery's confirm gates (the inject and recovery phases run with --yes)
     */
    public Drill(StateDir state, PrintStream out, Consumer<RunbookException> errors, StepContext.Operator operator, Supplier<char[]> becomePassword) {
        this.state = state;
        this.out = out;
        this.errors = errors;
        this.operator = operator;
        this.becomePassword = becomePassword;
    }

    /** Asks the running phase's run to stop (Ctrl-C); false when it was asked before. */
    public boolean cancel() {
        boolean first = !cancelled;
        cancelled = true;
        PreparedRun r = current;
        if (r != null) {
            r.cancel();
        }
        return first;
    }

    /** Checks the request against the inventory, records the new drill and runs it; returns the exit code (0: the data came back). */
    public int start(Request r) throws Exception {
        Inventory inventory = InventoryParser.load(r.inventory());
        List<String> members = inventory.groups().getOrDefault("etcd", List.of());
        if (members.isEmpty()) {
            throw RunbookException.invalid(null, "the inventory has no group 'etcd'", "a drill needs the cluster's members in group 'etcd'");
        }
        Scenario scenario = r.scenario();
        String spare = r.spare() != null ? r.spare() : inventory.groups().getOrDefault("spare", List.of()).stream().findFirst().orElse(null);
        if ((scenario == Scenario.LOSE_MEMBER || scenario == Scenario.CORRUPT_MEMBER) && spare == null) {
            throw RunbookException.invalid(null, "scenario " + scenario.id + " needs a spare host to replace the lost member",
                    "put one in group 'spare' or give --spare HOST");
        }
        if (scenario != Scenario.LOSE_ALL_DATA && members.size() < 3) {
            throw RunbookException.invalid(null, "scenario " + scenario.id + " needs at least 3 members, the inventory has " + members.size(), null);
        }
        String id = "drill-" + Journal.newRunId();
        Path dir = Files.createDirectories(state.drills().resolve(id));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("id", id);
        params.put("scenario", scenario.id);
        params.put("inventory", r.inventory().toAbsolutePath().toString());
        params.put("runbooks", r.runbooks().toAbsolutePath().toString());
        params.put("keys", r.keys());
        params.put("later_keys", r.laterKeys());
        params.put("members", members.size());
        params.put("victim", members.get(members.size() - 1));
        params.put("survivor", members.get(0));
        params.put("spare", spare);
        params.put("yes", r.yes());
        DrillState st = DrillState.create(dir, params);
        st.fact("Drill", id);
        st.fact("Scenario", scenario.id + ": " + scenario.summary);
        st.fact("Inventory", r.inventory().toString());
        say("DRILL " + id + ": " + scenario.summary);
        say("(if it is interrupted: runbook resume " + id + ")");
        return new Phases(st).run();
    }

    /** Continues drill {@code id} after its last completed phase (an interrupted run is resumed). */
    public int resume(String id) throws Exception {
        DrillState st = DrillState.load(state.drills().resolve(id));
        if (st.done(Phase.VERIFIED)) {
            throw RunbookException.invalid(null, "drill " + id + " already finished (" + st.facts().get("Verdict") + "); nothing to resume",
                    "its report: " + st.dir().resolve("report.html"));
        }
        say("RESUMING DRILL " + id + ": " + Scenario.of(st.string("scenario")).summary);
        return new Phases(st).run();
    }

    /**
     * The id of the newest drill that has not verified yet, if its state changed after {@code since}
     * (epoch ms: the newest run's start), else null. A drill's state file changes at every phase.
     */
    public static String newestUnfinished(StateDir state, long since) {
        try (var dirs = Files.list(state.drills())) {
            Path newest = dirs.filter(x -> Files.isRegularFile(x.resolve("drill.json")))
                    .max(java.util.Comparator.comparingLong((Path x) -> x.resolve("drill.json").toFile().lastModified())).orElse(null);
            boolean open = newest != null && newest.resolve("drill.json").toFile().lastModified() >= since
                    && !DrillState.load(newest).done(Phase.VERIFIED);
            return open ? newest.getFileName().toString() : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null; // no drills yet
        }
    }

    /** One drill's phases, in order, over one set of connections for its own reads and writes of etcd. */
    private final class Phases {
        private final DrillState st;
        private final Scenario scenario;
        private final Path inv;
        private final Path books;
        private final String prefix;
        private EtcdClients clients;
        private EtcdTarget target;
        private Connections connections;
        private Inventory inventory;
        private RunRecord recovery;

        Phases(DrillState st) {
            this.st = st;
            this.scenario = Scenario.of(st.string("scenario"));
            this.inv = Path.of(st.string("inventory"));
            this.books = Path.of(st.string("runbooks"));
            this.prefix = "/runbook-drill/" + st.string("id") + "/";
        }

        List<PhaseStep> phases() {
            return List.of(new PhaseStep(Phase.KEYS_BEFORE, this::keysBefore), new PhaseStep(Phase.BACKUP, this::backup),
                    new PhaseStep(Phase.KEYS_AFTER, this::keysAfter), new PhaseStep(Phase.INJECT, this::inject),
                    new PhaseStep(Phase.RECOVERY, this::recover), new PhaseStep(Phase.VERIFIED, this::verify));
        }

        int run() throws Exception {
            inventory = InventoryParser.load(inv);
            // the drill's own reads and writes of etcd: through the members' SSH connections when the
            // inventory says so (etcd_access), with the TLS material read there
            Map<String, Object> vars = Scopes.of(inventory).forHost(inventory.control(), false);
            try (Connections c = new Connections(Connections.standard(false, 10_000, becomePassword.get()));
                 EtcdClients cl = new EtcdClients(links(c))) {
                connections = c;
                clients = cl;
                target = EtcdTarget.Spec.fromVars(vars, Duration.ofSeconds(10), "in the drill's data check");
                for (PhaseStep p : phases()) {
                    if (st.done(p.phase())) {
                        continue;
                    }
                    Integer stop = p.body().run();
                    if (stop != null) {
                        return stop;
                    }
                }
                throw new IllegalStateException("the verify phase always ends the drill");
            }
        }

        private HostLinks links(Connections c) {
            return HostLinks.of(inventory.hosts().values(), c::get);
        }

        private Integer keysBefore() throws Exception {
            say("== writing " + st.integer("keys") + " known keys under " + prefix + "before/");
            new DrillData(clients.cluster(target), prefix).write("before", st.integer("keys"));
            st.markDone(Phase.KEYS_BEFORE);
            return null;
        }

        private Integer backup() throws Exception {
            say("== backup (runbooks/backup.yml)");
            RunRecord backup = phaseRun(st, Phase.BACKUP, books.resolve("backup.yml"),
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
            return null;
        }

        private Integer keysAfter() throws Exception {
            int later = st.integer("later_keys");
            say("== writing " + later + " keys after the backup (" + (scenario.keepsLaterWrites ? "the recovery must keep them" : "lost by design: the RPO") + ")");
            new DrillData(clients.cluster(target), prefix).write("after", later);
            st.markDone(Phase.KEYS_AFTER);
            return null;
        }

        private Integer inject() throws Exception {
            say("== injecting the failure (runbooks/drills/" + scenario.injectRunbook() + ")");
            RunRecord inject = phaseRun(st, Phase.INJECT, books.resolve("drills/" + scenario.injectRunbook()),
                    scenario.injectVars(st.string("victim"), st.string("survivor")), inv, Boolean.TRUE.equals(st.get("yes")));
            st.fact("Failure injected", "run " + inject.runId() + ": " + inject.outcome());
            if (st.string("snapshot_taken_at") != null && inject.recovery() != null) {
                // what a real incident loses: everything written between the backup and the failure
                long rpo = inject.recovery().outageStart() - Instant.parse(st.string("snapshot_taken_at")).toEpochMilli();
                st.fact("RPO (backup age when the failure hit)", dur(rpo) + ", " + st.integer("later_keys") + " keys written in that window");
            }
            if (interrupted(st, inject)) {
                return ExitCode.ABORTED.code;
            }
            if (inject.exitCode() == null || inject.exitCode() != 0) {
                return finish(st, scenario, false, "the failure could not be injected", null);
            }
            st.markDone(Phase.INJECT);
            return null;
        }

        private Integer recover() throws Exception {
            String book = scenario.recoveryFor(st.integer("members"));
            say("== recovering (runbooks/" + book + ")");
            recovery = phaseRun(st, Phase.RECOVERY, books.resolve(book),
                    scenario.recoveryVars(st.string("snapshot"), st.string("victim"), st.string("survivor"), st.string("spare")), inv, true);
            st.fact("Recovery", "runbooks/" + book + ", run " + recovery.runId() + ": " + recovery.outcome()
                    + (recovery.resumedFrom() != null ? " (resumed from run " + recovery.resumedFrom() + ")" : ""));
            if (interrupted(st, recovery)) {
                return ExitCode.ABORTED.code;
            }
            if (recovery.exitCode() == null || recovery.exitCode() != 0) {
                say("the recovery did not finish: fix what it reports, then continue the drill with: runbook resume " + st.string("id"));
                return finish(st, scenario, false, "the recovery failed", recovery);
            }
            st.markDone(Phase.RECOVERY);
            return null;
        }

        private Integer verify() throws Exception {
            if (recovery == null) {
                recovery = RunRecord.read(state.runs(), st.run(Phase.RECOVERY));
            }
            say("== verifying the data");
            int keys = st.integer("keys");
            int laterKeys = st.integer("later_keys");
            DrillData.Check before;
            DrillData.Check later;
            // a new client: the one that wrote may still hold channels to members that are gone now
            try (EtcdClients fresh = new EtcdClients(links(connections))) {
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
    private boolean interrupted(DrillState st, RunRecord phase) {
        if (phase.exitCode() == null || phase.exitCode() != ExitCode.ABORTED.code) {
            return false;
        }
        say("DRILL INTERRUPTED in run " + phase.runId() + ": continue it with: runbook resume " + st.string("id"));
        return true;
    }

    /** Records, reports and prints the drill's outcome; returns the exit code. */
    private int finish(DrillState st, Scenario scenario, boolean ok, String verdict, RunRecord recovery) throws Exception {
        st.fact("Verdict", verdict);
        String id = st.string("id");
        Path dir = st.dir();
        Map<String, String> facts = st.facts();
        DrillHistory history = new DrillHistory(state.drills().resolve("history.jsonl"));
        RunRecord.Recovery r = recovery == null ? null : recovery.recovery();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("time", Instant.now().toString());
        entry.put("drill", id);
        entry.put("scenario", scenario.id);
        entry.put("verified", ok);
        entry.put("recovery_run", recovery == null ? null : recovery.runId());
        entry.put("rto_quorum_millis", r == null ? null : r.rtoQuorumMillis());
        entry.put("rto_healthy_millis", r == null ? null : r.rtoHealthyMillis());
        entry.put("rpo_millis", r == null ? null : r.snapshotAgeMillis());
        history.append(entry);
        List<Map<String, Object>> same = new ArrayList<>(history.entries().stream().filter(e -> scenario.id.equals(e.get("scenario"))).toList());
        DrillPage page = new DrillPage(scenario.id, ok, facts, recovery, same);
        Files.writeString(dir.resolve("report.md"), page.markdown());
        Files.writeString(dir.resolve("report.html"), page.html());
        say("");
        facts.forEach((k, v) -> say("  " + k + ": " + v));
        if (r != null) {
            say("  RTO (from the recovery's first destructive step): quorum " + dur(r.rtoQuorumMillis()) + ", all members healthy " + dur(r.rtoHealthyMillis()));
        }
        say((ok ? "DRILL VERIFIED" : "DRILL FAILED") + ": " + verdict + "; report: " + dir.resolve("report.html") + " (and report.md)");
        return ok ? 0 : ExitCode.STEP_FAILED.code;
    }

    /**
     * Runs one phase's runbook in this process, as {@code runbook apply} would, marked with the drill
     * and phase in its journal; an earlier attempt of the phase that did not finish is resumed
     * instead, one that finished is not run again.
     */
    private RunRecord phaseRun(DrillState st, Phase phase, Path book, Map<String, String> vars, Path inv, boolean assumeYes) {
        String marker = st.string("id") + ":" + phase.name();
        String earlier = st.run(phase) != null ? st.run(phase) : markedRun(marker);
        StepContext.Operator op = assumeYes ? yes(operator) : operator;
        RunRequest request;
        if (earlier != null) {
            RunRecord r = RunRecord.read(state.runs(), earlier);
            if (r.exitCode() != null && r.exitCode() == 0) {
                st.setRun(phase, earlier);
                return r;
            }
            say("   continuing run " + earlier + " (" + r.outcome() + ")");
            ResumePoint point = ResumePoint.of(state, earlier);
            point.requireResumable(state);
            request = new RunRequest(point.runbook(), point.inventory(), point.inputs(), point.limit(), FORKS, false, null, op, false, 10_000,
                    becomePassword, point.recordedArgs(), point.resume());
        } else {
            List<String> recorded = new ArrayList<>(List.of("--forks=" + FORKS));
            if (assumeYes) {
                recorded.add("--yes");
            }
            recorded.add("--drill=" + marker);
            request = new RunRequest(book, inv, new LinkedHashMap<>(vars), null, FORKS, false, null, op, false, 10_000, becomePassword, recorded, null);
        }
        PreparedRun run;
        try {
            run = PreparedRun.prepare(state, request);
        } catch (RunbookException e) {
            errors.accept(e);
            throw new RunbookException(e.exitCode() == ExitCode.INVALID_INPUT ? ExitCode.INVALID_INPUT : ExitCode.ABORTED, null,
                    name(book) + " did not start (exit " + e.exitCode().code + ")", "its error is printed above; after fixing it: runbook resume " + st.string("id"));
        }
        if (cancelled) {
            throw new RunbookException(ExitCode.ABORTED, null, "the drill was interrupted before " + name(book) + " started",
                    "continue it with: runbook resume " + st.string("id"));
        }
        current = run;
        try {
            run.execute(new ConsoleListener(out, false));
        } catch (RunbookException e) {
            // journaled as REFUSED: the phase failed, and the drill says so
            errors.accept(e);
        } finally {
            current = null;
        }
        st.setRun(phase, run.runId());
        if (!Files.isDirectory(state.runs().resolve(run.runId()))) {
            throw new RunbookException(ExitCode.ABORTED, null, name(book) + " did not start", "its error is printed above; after fixing it: runbook resume " + st.string("id"));
        }
        return RunRecord.read(state.runs(), run.runId());
    }

    private static final int FORKS = 20;

    /** A runbook as the drill names it: runbooks/backup.yml, runbooks/drills/wipe-all.yml. */
    private static String name(Path book) {
        Path p = book.getParent();
        return (p != null && p.getFileName() != null && p.getFileName().toString().equals("drills") ? "runbooks/drills/" : "runbooks/") + book.getFileName();
    }

    /** The newest run whose journal says it ran for this drill phase (found after an engine was killed before recording it). */
    private String markedRun(String marker) {
        for (String id : JournalReader.newestFirst(state.runs())) {
            if (JournalReader.startRecord(state.runs(), id).get("args") instanceof List<?> args && args.contains("--drill=" + marker)) {
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

    /** The operator, with confirm gates answered in advance (the phases the drill runs with --yes). */
    private static StepContext.Operator yes(StepContext.Operator operator) {
        return new StepContext.Operator() {
            @Override
            public boolean assumeYes() {
                return true;
            }

            @Override
            public String ask(String message) {
                return operator.ask(message);
            }
        };
    }

    private static String dur(Long ms) {
        return ms == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private void say(String s) {
        out.println(s);
    }
}
