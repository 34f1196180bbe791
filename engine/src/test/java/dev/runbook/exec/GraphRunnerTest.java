package dev.runbook.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.action.StepContext;
import dev.runbook.event.HostResult;
import dev.runbook.event.HostResult.Status;
import dev.runbook.event.RunListener;
import dev.runbook.graph.StepGraph;
import dev.runbook.inventory.Inventory;
import dev.runbook.inventory.InventoryParser;
import dev.runbook.model.Runbook;
import dev.runbook.parse.RunbookParser;
import dev.runbook.transport.Connections;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.FakeTransport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GraphRunnerTest {
    static final String INVENTORY = """
            all:
              children:
                etcd:
                  hosts:
                    etcd-01: {address: 10.0.0.1}
                    etcd-02: {address: 10.0.0.2}
                    etcd-03: {address: 10.0.0.3}
            """;

    /** Run options for tests: {@code forks} parallel hosts, files relative to {@code baseDir}, every confirmation answered yes. */
    static RunOptions options(int forks, Path baseDir) {
        return new RunOptions(forks, null, new AtomicBoolean(), baseDir, "test-run", new StepContext.Operator() {
            @Override
            public boolean assumeYes() {
                return true;
            }

            @Override
            public String ask(String message) {
                return null;
            }
        }, Set.of(), new dev.runbook.action.RunResources());
    }

    /** Runs a runbook against fake hosts; commands are answered by {@code script} ("host: command" -> result). */
    static final class Run {
        final List<FakeTransport.Call> calls = FakeTransport.newLog();
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());
        List<HostResult> results;
        GraphRunner executor;

        Run(String runbook, Function<String, ExecResult> script) {
            this(runbook, script, 20, Map.of());
        }

        Run(String runbook, Function<String, ExecResult> script, int forks, Map<String, Object> inputs) {
            this(runbook, script, forks, inputs, new java.util.concurrent.ConcurrentHashMap<>(), f -> { });
        }

        Run(String runbook, Function<String, ExecResult> script, Map<String, FakeTransport> fakes,
            java.util.function.Consumer<FakeTransport> seed) {
            this(runbook, script, 20, Map.of(), fakes, seed);
        }

        Run(String runbook, Function<String, ExecResult> script, int forks, Map<String, Object> inputs,
            Map<String, FakeTransport> fakes, java.util.function.Consumer<FakeTransport> seed) {
            Runbook rb = RunbookParser.parse("rb.yml", runbook);
            Inventory inv = InventoryParser.parse("inv.yml", INVENTORY);
            Scopes scopes = new Scopes(rb, inv, inputs, Map.of("id", "test-run"));
            StepGraph graph = new StepGraph(rb);
            Targets targets = new Targets(rb.steps(), inv, null);
            RunOptions opts = options(forks, Path.of("."));
            new Planner(graph, targets, scopes, opts).plan();
            Connections conns = new Connections(h -> {
                FakeTransport f = new FakeTransport(h.name(), calls, script);
                seed.accept(f);
                fakes.put(h.name(), f);
                return f;
            });
            executor = new GraphRunner(graph, targets, scopes, conns, opts, new RunListener() {
                @Override
                public void message(String text) {
                    messages.add(text);
                }
            }, new Masker(List.of()));
            results = executor.run();
        }

        Status status(String step, String host) {
            return results.stream().filter(r -> r.step().equals(step) && r.host().equals(host)).findFirst().orElseThrow().status();
        }

        List<String> hostsOf(String commandPrefix) {
            return calls.stream().filter(c -> c.command().startsWith(commandPrefix)).map(FakeTransport.Call::host).toList();
        }
    }

    static ExecResult okAll(String cmd) {
        return FakeTransport.ok("");
    }

    @Test
    void stepsRunInGraphOrderOnEveryHost() {
        Run r = new Run("""
                name: t
                steps:
                  - {id: a, hosts: etcd, run: echo a}
                  - {id: b, hosts: etcd-02, run: echo b}
                  - {id: c, hosts: "etcd:!etcd-02", run: echo c}
                """, GraphRunnerTest::okAll);
        assertEquals(Set.of("etcd-01", "etcd-02", "etcd-03"), Set.copyOf(r.hostsOf("echo a")));
        assertEquals(List.of("etcd-02"), r.hostsOf("echo b"));
        assertEquals(Set.of("etcd-01", "etcd-03"), Set.copyOf(r.hostsOf("echo c")));
        long lastA = r.calls.stream().filter(c -> c.command().equals("echo a")).mapToLong(FakeTransport.Call::endNanos).max().orElseThrow();
        long firstB = r.calls.stream().filter(c -> c.command().equals("echo b")).mapToLong(FakeTransport.Call::startNanos).min().orElseThrow();
        assertTrue(lastA <= firstB, "b starts after a finished on every host");
    }

    @Test
    void hostsOfAStepRunInParallel() {
        Peak peak = new Peak(150);
        new Run("name: t\nsteps:\n  - {id: a, hosts: etcd, run: work}\n", peak::run);
        assertEquals(3, peak.max(), "all three hosts at once");
    }

    @Test
    void forksLimitsParallelism() {
        Peak peak = new Peak(80);
        new Run("name: t\nsteps:\n  - {id: a, hosts: etcd, run: work}\n", peak::run, 1, Map.of());
        assertEquals(1, peak.max());
    }

    @Test
    void failFastStopsNewWorkAndLetsInFlightFinish() {
        Run r = new Run("""
                name: t
                steps:
                  - {id: a, hosts: etcd, run: work}
                  - {id: b, hosts: etcd, run: after}
                """, cmd -> {
            if (cmd.startsWith("etcd-02: work")) {
                sleep(100); // the other hosts have started by now: they are in flight when this fails
                return FakeTransport.fail(7, "boom");
            }
            sleep(300);
            return FakeTransport.ok("");
        });
        assertEquals(Status.FAILED, r.status("a", "etcd-02"));
        assertEquals(Status.CHANGED, r.status("a", "etcd-01"), "in-flight work finished");
        assertEquals(Status.NOT_RUN, r.status("b", "etcd-01"));
        assertTrue(r.hostsOf("after").isEmpty());
    }

    @Test
    void continueOnErrorLetsTheRunGoOn() {
        Run r = new Run("""
                name: t
                steps:
                  - {id: a, hosts: etcd-01, run: bad, continue_on_error: true}
                  - {id: b, hosts: etcd-01, run: after}
                """, cmd -> cmd.contains("bad") ? FakeTransport.fail(1, "") : FakeTransport.ok(""));
        assertEquals(Status.FAILED, r.status("a", "etcd-01"));
        assertEquals(Status.CHANGED, r.status("b", "etcd-01"));
    }

    @Test
    void rollingRunsBatchesInDeclaredOrderWithAGateThatSeesProgress() {
        Run r = new Run("""
                name: t
                steps:
                  - id: start
                    hosts: etcd
                    rolling:
                      batch: 1
                      order: [etcd-03, etcd-01, etcd-02]
                      gate:
                        when: rolling.done >= rolling.quorum
                        run: health {{rolling.done}}
                    run: start-member
                """, GraphRunnerTest::okAll);
        assertEquals(List.of("etcd-03", "etcd-01", "etcd-02"), r.hostsOf("start-member"));
        List<String> order = r.calls.stream().map(c -> c.host() + ":" + c.command()).toList();
        assertEquals(List.of("etcd-03:start-member", "etcd-01:start-member", "control:health 2", "etcd-02:start-member", "control:health 3"),
                order, "no gate while below quorum: member 1 alone cannot answer");
    }

    @Test
    void rollingOrderFromAnEarlierStep() {
        Run r = new Run("""
                name: t
                steps:
                  - {id: pick, hosts: control, run: choose, register: chosen}
                  - id: go
                    hosts: etcd
                    rolling: {batch: 2, order: "chosen.stdout_lines"}
                    run: go
                """, cmd -> cmd.endsWith("choose") ? FakeTransport.ok("etcd-02\netcd-03\netcd-01\n") : FakeTransport.ok(""));
        assertEquals(List.of("etcd-02", "etcd-03"), r.hostsOf("go").subList(0, 2).stream().sorted().toList());
        assertEquals("etcd-01", r.hostsOf("go").get(2));
    }

    @Test
    void gateThatNeverPassesFailsTheStepAndStopsTheRollout() {
        Run r = new Run("""
                name: t
                steps:
                  - id: start
                    hosts: etcd
                    rolling:
                      gate: {run: health, timeout: 300ms, delay: 50ms}
                    run: start-member
                """, cmd -> cmd.endsWith("health") ? FakeTransport.fail(1, "unhealthy") : FakeTransport.ok(""));
        assertEquals(List.of("etcd-01"), r.hostsOf("start-member"));
        assertEquals(Status.NOT_RUN, r.status("start", "etcd-02"));
        assertTrue(r.results.stream().anyMatch(x -> x.host().equals("gate") && x.msg().contains("gate did not pass")), r.results.toString());
    }

    @Test
    void aRollingBlockRunsItsStepsHostByHostAndStopsAtAFailure() {
        Run r = new Run("""
                name: t
                steps:
                  - id: readd
                    hosts: etcd
                    rolling: {batch: 1, order: [etcd-02, etcd-01, etcd-03]}
                    steps:
                      - {id: add, run: "add {{inventory_hostname}}", register: added}
                      - {id: start, run: "start {{added.stdout}}"}
                  - {id: after, hosts: etcd, run: after}
                """, cmd -> cmd.equals("etcd-01: start etcd-01") ? FakeTransport.fail(1, "no") : FakeTransport.ok(cmd.substring(cmd.indexOf("add ") + 4) + "\n"));
        List<String> order = r.calls.stream().map(c -> c.host() + ":" + c.command()).toList();
        assertEquals(List.of("etcd-02:add etcd-02", "etcd-02:start etcd-02", "etcd-01:add etcd-01", "etcd-01:start etcd-01"), order,
                "host by host, sub-steps in order, stopped at the failure");
        assertEquals(Status.FAILED, r.status("readd.start", "etcd-01"));
        assertEquals(Status.NOT_RUN, r.status("readd", "etcd-03"));
        assertEquals(Status.NOT_RUN, r.status("after", "etcd-01"));
    }

    @Test
    void retriesUntilAConditionHolds() {
        AtomicInteger n = new AtomicInteger();
        Run r = new Run("""
                name: t
                steps:
                  - {id: poll, hosts: etcd-01, run: count, retries: 5, delay: 10ms, until: "result.stdout == '3'", register: polled}
                  - {id: use, hosts: etcd-01, run: "echo {{polled.stdout}}"}
                """, cmd -> cmd.endsWith("count") ? FakeTransport.ok(n.incrementAndGet() + "\n") : FakeTransport.ok(""));
        assertEquals(3, n.get());
        assertEquals(List.of("echo 3"), r.calls.stream().map(FakeTransport.Call::command).filter(c -> c.startsWith("echo")).toList());
        assertEquals(3, r.results.stream().filter(x -> x.step().equals("poll")).findFirst().orElseThrow().attempts());
    }

    @Test
    void whenSkipsPerHostAndRegisteredValuesCrossSteps() {
        Run r = new Run("""
                name: t
                steps:
                  - {id: probe, hosts: etcd, run: probe, register: p}
                  - {id: act, hosts: etcd, run: act, when: "p.stdout == 'yes'"}
                """, cmd -> FakeTransport.ok(cmd.startsWith("etcd-02") ? "yes\n" : "no\n"));
        assertEquals(List.of("etcd-02"), r.hostsOf("act"));
        assertEquals(Status.SKIPPED, r.status("act", "etcd-01"));
    }

    @Test
    void independentBranchesRunConcurrently() {
        Peak peak = new Peak(150);
        new Run("""
                name: t
                steps:
                  - {id: a, hosts: etcd-01, run: slow, needs: []}
                  - {id: b, hosts: etcd-02, run: slow, needs: []}
                """, peak::run);
        assertEquals(2, peak.max());
    }

    @Test
    void editChangesOnlyTheNamedKeysAfterABackup() {
        Map<String, FakeTransport> fakes = new java.util.concurrent.ConcurrentHashMap<>();
        Run r = new Run("""
                name: t
                steps:
                  - id: e
                    hosts: etcd-01
                    edit:
                      path: /etc/etcd/etcd.env
                      set: {ETCD_DATA_DIR: "/var/lib/etcd-{{run.id}}"}
                      unset: [ETCD_FORCE_NEW_CLUSTER]
                """, cmd -> FakeTransport.ok(""), fakes, f -> f.files.put("/etc/etcd/etcd.env",
                "# managed\nETCD_NAME=etcd-01\nETCD_DATA_DIR=/var/lib/etcd\nETCD_FORCE_NEW_CLUSTER=true\n".getBytes()));
        assertEquals(Status.CHANGED, r.status("e", "etcd-01"), r.results.toString());
        String cmds = r.calls.stream().map(FakeTransport.Call::command).collect(Collectors.joining("\n"));
        assertTrue(cmds.contains("cp -p -- /etc/etcd/etcd.env /var/backups/runbook/test-run/etc/etcd/etcd.env"), cmds);
        int backup = cmds.indexOf("cp -p");
        int install = cmds.indexOf("mv -f");
        assertTrue(backup >= 0 && install > backup, "backup before the new file is moved in: " + cmds);
        String written = fakes.get("etcd-01").files.entrySet().stream().filter(e -> e.getKey().contains(".etcd.env.runbook-"))
                .map(e -> new String(e.getValue())).findFirst().orElseThrow();
        assertEquals("# managed\nETCD_NAME=etcd-01\nETCD_DATA_DIR=/var/lib/etcd-test-run\n", written);
    }

    /** A fake command that takes a while and records how many ran at once. */
    static final class Peak {
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final long millis;

        Peak(long millis) {
            this.millis = millis;
        }

        ExecResult run(String cmd) {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            sleep(millis);
            inFlight.decrementAndGet();
            return FakeTransport.ok("");
        }

        int max() {
            return peak.get();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
