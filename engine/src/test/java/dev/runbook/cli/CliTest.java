package dev.runbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI through its real picocli parser, against the local machine as the only host. */
class CliTest {
    @TempDir
    Path dir;
    Path inventory;
    String out;
    String err;

    @BeforeEach
    void setUp() throws IOException {
        System.setProperty("runbook.state", dir.resolve("state").toString());
        inventory = write("inv.yml", """
                all:
                  vars:
                    greeting: hi
                  children:
                    box:
                      hosts:
                        here: {connection: local}
                """);
    }

    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    int run(String... args) {
        ConsoleCapture c = ConsoleCapture.run(args);
        out = c.out();
        err = c.err();
        return c.exit();
    }

    @Test
    void warmupExercisesEveryPathTheLauncherArchivesAndSucceeds() {
        // the launcher makes its class-data archive only from a successful warmup; a failing one
        // costs every later command the archive and a new attempt (~2 s each)
        assertEquals(0, run("warmup"), out + err);
        assertTrue(out.contains("warmup: ok"), out);
    }

    @Test
    void anIniInventoryIsListedAsAnsibleListsItAndAPasswordLoginIsRefusedBeforeAnythingRuns() throws IOException {
        Path ini = write("hosts", """
                [etcd]
                etcd-[01:02] ansible_host=10.9.9.1 ansible_become_password=s3cret
                [etcd:vars]
                ansible_ssh_pass=hunter2
                """);
        assertEquals(0, run("inventory", "--list", "-i", ini.toString()), err);
        assertTrue(out.contains("\"etcd\" : {") && out.contains("\"etcd-02\""), out);
        assertTrue(!out.contains("s3cret") && !out.contains("hunter2") && out.contains("******"), "secrets masked: " + out);
        assertEquals(0, run("inventory", "--host", "etcd-01", "--show-secrets", "-i", ini.toString()), err);
        assertTrue(out.contains("s3cret"), out);
        Path rb = write("rb.yml", "name: t\nsteps:\n  - {id: a, hosts: etcd, run: \"true\"}\n");
        assertEquals(2, run("apply", rb.toString(), "-i", ini.toString()), out + err);
        assertTrue(err.contains("logs in with a password (ansible_ssh_pass)") && err.contains("hosts:"), err);
    }

    @Test
    void applyRunsStepsAndWritesAJournal() throws IOException {
        Path marker = dir.resolve("marker");
        Path rb = write("rb.yml", """
                name: local
                inputs:
                  word: {type: string}
                steps:
                  - id: say
                    hosts: box
                    run: "printf '%s %s' {{greeting}} {{word}} > %s"
                """.replace("%s\"", marker + "\""));
        assertEquals(0, run("apply", rb.toString(), "-i", inventory.toString(), "--var", "word=it's; $(x)"), out + err);
        assertEquals("hi it's; $(x)", Files.readString(marker));
        assertTrue(out.contains("changed  here"), out);
        assertTrue(out.contains("RECAP"), out);
        try (Stream<Path> runs = Files.list(dir.resolve("state/runs"))) {
            Path journal = runs.findFirst().orElseThrow().resolve("journal.jsonl");
            List<String> lines = Files.readAllLines(journal);
            assertTrue(lines.get(0).contains("\"event\":\"run_start\"") && lines.get(0).contains("runbook_sha256"), lines.get(0));
            assertTrue(lines.get(lines.size() - 1).contains("\"exit_code\":0"), lines.toString());
        }
    }

    @Test
    void failedStepExitsOneAndResumeContinuesAfterTheCompletedSteps() throws IOException {
        Path flag = dir.resolve("fixed");
        Path count = dir.resolve("count");
        Path rb = write("rb.yml", """
                name: resumable
                steps:
                  - {id: first, hosts: box, run: "echo x >> %C"}
                  - {id: second, hosts: box, run: "test -f %F"}
                  - {id: third, hosts: box, run: "echo done >> %C"}
                """.replace("%C", count.toString()).replace("%F", flag.toString()));
        assertEquals(1, run("apply", rb.toString(), "-i", inventory.toString()), out + err);
        String runId = out.lines().filter(l -> l.startsWith("journal:")).findFirst().orElseThrow().replaceAll(".*resume ", "").trim();
        assertEquals("x\n", Files.readString(count));
        Files.writeString(flag, "");
        assertEquals(0, run("resume", runId), out + err);
        assertEquals("x\ndone\n", Files.readString(count), "first is not run again");
        assertTrue(out.contains("1 steps completed earlier"), out);
    }

    @Test
    void aResumeOfAResumeSkipsEveryEarlierAttemptsStepsAndKeepsTheFirstRunsTimestamp() throws IOException {
        Path count = dir.resolve("count");
        Path names = dir.resolve("names");
        Path gate1 = dir.resolve("gate1");
        Path gate2 = dir.resolve("gate2");
        Path rb = write("rb.yml", """
                name: chain
                steps:
                  - {id: a, hosts: box, run: "echo a >> %C; echo staged-{{run.timestamp}} >> %N"}
                  - {id: b, hosts: box, run: "test -f %G1; echo b >> %C"}
                  - {id: c, hosts: box, run: "test -f %G2; echo c >> %C; echo used-{{run.timestamp}} >> %N"}
                """.replace("%C", count.toString()).replace("%N", names.toString()).replace("%G1", gate1.toString())
                .replace("%G2", gate2.toString()));
        assertEquals(1, run("apply", rb.toString(), "-i", inventory.toString()), out + err);
        String first = out.lines().filter(l -> l.startsWith("journal:")).findFirst().orElseThrow().replaceAll(".*resume ", "").trim();
        Files.writeString(gate1, "");
        assertEquals(1, run("resume", first), out + err);
        String second = out.lines().filter(l -> l.startsWith("journal:")).findFirst().orElseThrow().replaceAll(".*resume ", "").trim();
        Files.writeString(gate2, "");
        assertEquals(0, run("resume"), out + err); // no id: the newest run
        assertTrue(out.contains("resuming " + second), out);
        assertEquals("a\nb\nc\n", Files.readString(count), "a ran in the first attempt, b in the second, c in the third; none twice");
        List<String> lines = Files.readAllLines(names);
        assertEquals("staged-" + first.substring(0, first.indexOf('-')), lines.get(0));
        assertEquals("used-" + first.substring(0, first.indexOf('-')), lines.get(lines.size() - 1),
                "a name built from run.timestamp is the same in every attempt: " + lines);
    }

    @Test
    void resumeAloneNeverPicksAnOlderUnfinishedRunBehindANewerFinishedOne() throws IOException {
        Path failing = write("failing.yml", "name: f\nsteps:\n  - {id: a, hosts: box, run: 'false'}\n");
        Path fine = write("fine.yml", "name: ok\nsteps:\n  - {id: a, hosts: box, run: 'true'}\n");
        assertEquals(1, run("apply", failing.toString(), "-i", inventory.toString()));
        assertEquals(0, run("apply", fine.toString(), "-i", inventory.toString()));
        assertEquals(2, run("resume"), out + err);
        assertTrue(err.contains("finished successfully; nothing to resume") && err.contains("runbook resume RUN_ID"), err);
    }

    @Test
    void resumeRefusesAChangedRunbook() throws IOException {
        Path rb = write("rb.yml", "name: r\nsteps:\n  - {id: a, hosts: box, run: 'false'}\n");
        assertEquals(1, run("apply", rb.toString(), "-i", inventory.toString()));
        String runId = out.lines().filter(l -> l.startsWith("journal:")).findFirst().orElseThrow().replaceAll(".*resume ", "").trim();
        Files.writeString(rb, "name: r\nsteps:\n  - {id: a, hosts: box, run: 'true'}\n");
        assertEquals(2, run("resume", runId));
        assertTrue(err.contains("changed since the run started"), err);
    }

    @Test
    void missingVariablesAreAllReportedBeforeAnythingRuns() throws IOException {
        Path marker = dir.resolve("ran");
        Path rb = write("rb.yml", """
                name: missing
                steps:
                  - {id: a, hosts: box, run: "touch %M"}
                  - {id: b, hosts: box, run: "echo {{nope}}"}
                  - {id: c, hosts: box, run: "echo {{also_missing}}"}
                """.replace("%M", marker.toString()));
        assertEquals(2, run("apply", rb.toString(), "-i", inventory.toString()));
        assertTrue(err.contains("'nope'") && err.contains("'also_missing'") && err.contains("host 'here'"), err);
        assertTrue(err.contains("rb.yml:4:"), err);
        assertFalse(Files.exists(marker), "nothing ran");
    }

    @Test
    void unknownInputAndMissingRequiredInput() throws IOException {
        Path rb = write("rb.yml", "name: i\ninputs:\n  snapshot: {type: path}\nsteps:\n  - {hosts: box, run: 'true'}\n");
        assertEquals(2, run("plan", rb.toString(), "-i", inventory.toString(), "--var", "snapshto=/x"));
        assertTrue(err.contains("did you mean 'snapshot'") && err.contains("missing required input 'snapshot'"), err);
    }

    @Test
    void planShowsRenderedCommandsAndRuntimePlaceholders() throws IOException {
        Path rb = write("rb.yml", """
                name: p
                steps:
                  - {id: list, hosts: box, run: "echo 8e9e", register: member}
                  - {id: remove, hosts: box, run: "etcdctl member remove {{member.stdout}}", destructive: true}
                """);
        assertEquals(0, run("plan", rb.toString(), "-i", inventory.toString()), err);
        assertTrue(out.contains("$ etcdctl member remove <<member.stdout>>"), out);
        assertTrue(out.contains("DESTRUCTIVE"), out);
    }

    @Test
    void checkModeChangesNothing() throws IOException {
        Path marker = dir.resolve("made");
        Path rb = write("rb.yml", "name: c\nsteps:\n  - {hosts: box, run: 'touch " + marker + "'}\n");
        assertEquals(0, run("apply", rb.toString(), "-i", inventory.toString(), "--check"), err);
        assertTrue(out.contains("$ touch " + marker), out);
        assertFalse(Files.exists(marker));
    }

    @Test
    void confirmWithoutATerminalAbortsWithExitThree() throws IOException {
        Path marker = dir.resolve("after");
        Path rb = write("rb.yml", """
                name: gate
                steps:
                  - {id: ok, confirm: {phrase: restore prod}}
                  - {id: after, hosts: box, run: "touch %M"}
                """.replace("%M", marker.toString()));
        assertEquals(3, run("apply", rb.toString(), "-i", inventory.toString()), out + err);
        assertFalse(Files.exists(marker));
        assertEquals(0, run("apply", rb.toString(), "-i", inventory.toString(), "--yes"), out + err);
        assertTrue(Files.exists(marker));
    }

    @Test
    void validateReportsFileLineColumnAndTheLine() throws IOException {
        Path rb = write("bad.yml", "name: x\nsteps:\n  - hosts: box\n    run: a\n    retries: yes\n");
        assertEquals(2, run("validate", rb.toString(), "-i", inventory.toString()));
        assertTrue(err.contains(rb + ":5:14: error:"), err);
        assertTrue(err.contains("    retries: yes") && err.contains("hint:"), err);
    }

    @Test
    void unknownHostGroupNamesTheStepLine() throws IOException {
        Path rb = write("rb.yml", "name: x\nsteps:\n  - hosts: boxx\n    run: a\n");
        assertEquals(2, run("validate", rb.toString(), "-i", inventory.toString()));
        assertTrue(err.contains(":3:5:") && err.contains("did you mean 'box'"), err);
    }

    @Test
    void graphFormats() throws IOException {
        Path rb = write("rb.yml", "name: g\nsteps:\n  - {id: a, hosts: box, run: x}\n  - {id: b, hosts: box, run: y}\n");
        assertEquals(0, run("graph", rb.toString(), "--format", "mermaid"));
        assertTrue(out.contains("s_a --> s_b"), out);
        assertEquals(2, run("graph", rb.toString(), "--format", "png"));
    }

    @Test
    void timeoutKillsTheCommandAndFailsTheStep() throws IOException {
        Path rb = write("rb.yml", "name: t\nsteps:\n  - {hosts: box, run: 'sleep 30', timeout: 300ms}\n");
        long t0 = System.nanoTime();
        assertEquals(1, run("apply", rb.toString(), "-i", inventory.toString()));
        assertTrue(out.contains("timed out"), out);
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "did not wait for sleep 30");
    }

    @Test
    void everySubcommandAnswersHelp() {
        for (String cmd : List.of("apply", "plan", "report", "drill", "validate", "graph", "resume", "unlock", "version")) {
            assertEquals(0, run(cmd, "--help"), cmd + ": " + err);
            assertTrue(out.startsWith("Usage: runbook " + cmd), cmd + ": " + out);
        }
    }

    @Test
    void completionScriptIsGenerated() {
        assertEquals(0, run("generate-completion"));
        assertTrue(out.contains("complete") && out.contains("runbook"), out);
        // the script covers every subcommand, though only one was named
        for (String cmd : List.of("apply", "plan", "drill", "unlock")) {
            assertTrue(out.contains(cmd), cmd + " missing from the completion script");
        }
    }

    @Test
    void theNamedSubcommandAloneIsBuiltAndHelpListsThemAll() {
        for (var e : Main.SUBCOMMANDS.entrySet()) {
            assertEquals(e.getKey(), e.getValue().getAnnotation(picocli.CommandLine.Command.class).name());
        }
        assertEquals(List.of("validate"), List.copyOf(Main.commandLine("validate", "x.yml").getSubcommands().keySet()));
        assertEquals(List.copyOf(Main.SUBCOMMANDS.keySet()), List.copyOf(Main.commandLine("--help").getSubcommands().keySet()));
        assertEquals(List.copyOf(Main.SUBCOMMANDS.keySet()), List.copyOf(Main.commandLine("valdate").getSubcommands().keySet()));
        assertEquals(0, run("--help"));
        for (String cmd : List.of("apply", "plan", "report", "drill", "validate", "graph", "resume", "unlock", "version")) {
            assertTrue(out.contains("  " + cmd + " "), cmd + " not in the help: " + out);
        }
        // a typo still gets picocli's suggestion, which needs every name
        assertEquals(2, run("valdate", "x.yml"));
        assertTrue(err.contains("validate"), err);
    }

    @Test
    void jsonOutputIsOneEventPerLine() throws IOException {
        Path rb = write("rb.yml", "name: j\nsteps:\n  - {id: a, hosts: box, run: 'echo hi'}\n");
        assertEquals(0, run("apply", rb.toString(), "-i", inventory.toString(), "--output", "json"), err);
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertTrue(lines.get(0).contains("\"event\":\"run_start\""), out);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"event\":\"host_end\"") && l.contains("\"stdout_tail\":\"hi\\n\"")), out);
        assertTrue(lines.get(lines.size() - 1).contains("\"event\":\"run_end\""), out);
    }

    @Test
    void secretsNeverReachConsoleJournalPlanOrReport() throws IOException {
        String key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBm0dGVzdGtleWJ5dGVzZm9ydGhlbWFza2VydGVzdAoAoGCCqGSM49\n-----END EC PRIVATE KEY-----";
        Path keyFile = write("client.key", key + "\n");
        Path inv = write("inv-secret.yml", """
                all:
                  vars:
                    become_password: s3cret-from-inventory
                    api_credential: listed-as-secret-value
                    secret_vars: [api_credential]
                  children:
                    box:
                      hosts:
                        here: {connection: local}
                """);
        Path rb = write("rb.yml", """
                name: s
                inputs:
                  password: {type: string, secret: true}
                steps:
                  - {id: a, hosts: box, run: "echo the password is {{password}}", register: said}
                  - {id: b, hosts: box, run: "echo inventory {{become_password}} {{api_credential}}; cat %K"}
                  - {id: c, hosts: box, run: "echo the password is {{password}} >&2; false"}
                """.replace("%K", keyFile.toString()));
        List<String> leaks = List.of("hunter2-secret", "s3cret-from-inventory", "listed-as-secret-value", "MHcCAQEEIBm0dGVzdGtleWJ5");
        StringBuilder everything = new StringBuilder();
        assertEquals(1, run("apply", rb.toString(), "-i", inv.toString(), "--var", "password=hunter2-secret", "-v"), err);
        everything.append(out).append(err);
        assertTrue(out.contains("the password is ******"), out);
        assertTrue(out.contains("inventory ****** ******"), out);
        assertTrue(out.contains("-----BEGIN EC PRIVATE KEY----- ****** -----END EC PRIVATE KEY-----"), out);
        try (Stream<Path> runs = Files.list(dir.resolve("state/runs"))) {
            everything.append(Files.readString(runs.findFirst().orElseThrow().resolve("journal.jsonl")));
        }
        assertEquals(1, run("apply", rb.toString(), "-i", inv.toString(), "--var", "password=hunter2-secret", "--output", "json"));
        everything.append(out).append(err);
        for (String format : List.of("text", "md", "html", "json")) {
            assertEquals(0, run("plan", rb.toString(), "-i", inv.toString(), "--var", "password=hunter2-secret", "--format", format), err);
            everything.append(out);
        }
        for (String format : List.of("md", "html", "json")) {
            assertEquals(0, run("report", "last", "--format", format), err);
            everything.append(out);
        }
        for (String secret : leaks) {
            assertFalse(everything.toString().contains(secret), "leaked " + secret + " in:\n" + everything);
        }
    }

    @Test
    void fileActionsAndWaitsOnALocalHost() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work"));
        write("etcd.env.mustache", "ETCD_NAME={{inventory_hostname}}\nGREETING={{greeting}}\n");
        Path rb = write("rb.yml", """
                name: files
                vars:
                  work: %W
                steps:
                  - id: render
                    hosts: box
                    template: {src: etcd.env.mustache, dest: "{{work}}/etcd.env", mode: '0640'}
                  - id: edit
                    hosts: box
                    edit: {path: "{{work}}/etcd.env", set: {ETCD_DATA_DIR: /data}, unset: [GREETING], backup: false}
                  - id: copy
                    hosts: box
                    copy: {content: "payload", dest: "{{work}}/payload"}
                    register: copied
                  - id: fetch
                    hosts: box
                    fetch: {src: "{{work}}/payload", dest: "{{work}}/fetched/"}
                    register: fetched
                  - id: wait-path
                    hosts: box
                    wait: {path: "{{work}}/payload", timeout: 5s}
                  - id: wait-absent
                    hosts: box
                    wait: {path: "{{work}}/nothing", state: absent, timeout: 5s}
                  - id: wait-command
                    hosts: box
                    wait: {command: "test -s {{work}}/payload", timeout: 5s, delay: 100ms}
                  - id: same
                    hosts: box
                    assert: "copied.sha256 == fetched.sha256"
                """.replace("%W", work.toString()));
        assertEquals(0, run("apply", rb.toString(), "-i", inventory.toString()), out + err);
        assertEquals("ETCD_NAME=here\nETCD_DATA_DIR=/data\n", Files.readString(work.resolve("etcd.env")));
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("etcd.env"))),
                "mode kept through the edit");
        assertEquals("payload", Files.readString(work.resolve("fetched/here/payload")));
    }

    @Test
    void aWaitThatNeverHoldsFailsAfterItsTimeout() throws IOException {
        Path rb = write("rb.yml", "name: w\nsteps:\n  - {hosts: box, wait: {path: /nonexistent/x, timeout: 1s, delay: 100ms}}\n");
        assertEquals(1, run("apply", rb.toString(), "-i", inventory.toString()));
        assertTrue(out.contains("gave up after 1s"), out);
    }

    @Test
    void aFailedStepSaysWhatToDoNext() throws IOException {
        Path rb = write("rb.yml", "name: r\nsteps:\n  - {id: cut, hosts: box, run: 'false', destructive: true, rollback: 'start etcd on the old data dir'}\n");
        assertEquals(1, run("apply", rb.toString(), "-i", inventory.toString()));
        assertTrue(out.contains("what now: start etcd on the old data dir") && out.contains("destructive step 'cut' did not complete"), out);
    }
}
