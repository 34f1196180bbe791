package dev.runbook.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Runbook;
import dev.runbook.model.Step;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RunbookParserTest {
    static RunbookException fails(String yaml) {
        RunbookException e = assertThrows(RunbookException.class, () -> RunbookParser.parse("rb.yml", yaml));
        assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
        return e;
    }

    @Test
    void parsesStepsWithDefaultsAndNeeds() {
        Runbook rb = RunbookParser.parse("rb.yml", """
                name: demo
                description: two steps
                inputs:
                  snapshot: {type: path, description: the file}
                  members: {type: int, default: 3}
                vars:
                  dir: /var/lib/etcd
                steps:
                  - id: one
                    hosts: etcd
                    run: echo one
                  - id: two
                    hosts: etcd-0*
                    timeout: 2m
                    retries: 2
                    delay: 500ms
                    rolling: {batch: 1, order: [etcd-02, etcd-01]}
                    service: {name: etcd, state: started}
                  - id: three
                    needs: []
                    assert: "members == 3"
                """);
        assertEquals("demo", rb.name());
        assertEquals(2, rb.inputs().size());
        assertTrue(rb.inputs().get(0).required());
        assertEquals(3L, rb.inputs().get(1).defaultValue());
        Step two = rb.steps().get(1);
        assertEquals(List.of("one"), two.needs(), "needs defaults to the previous step");
        assertEquals(Duration.ofMinutes(2), two.timeout());
        assertEquals(Duration.ofMillis(500), two.delay());
        assertEquals(List.of("etcd-02", "etcd-01"), two.rolling().orderList());
        Step three = rb.steps().get(2);
        assertEquals(List.of(), three.needs());
        assertEquals("control", three.hosts(), "assert runs on the control machine by default");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown step key        | name: x\\nsteps:\\n  - id: a\\n    hosts: h\\n    rn: echo              | 5:5  | did you mean 'run'
            unknown top key         | name: x\\nstep: []\\n                                              | 2:1  | did you mean 'steps'
            zero actions            | name: x\\nsteps:\\n  - id: a\\n    hosts: h\\n                        | 3:5  | has no action
            two actions             | name: x\\nsteps:\\n  - id: a\\n    hosts: h\\n    run: a\\n    wait: {port: 1} | 3:5 | 2 actions (run, wait)
            retries yes             | name: x\\nsteps:\\n  - hosts: h\\n    run: a\\n    retries: yes           | 5:14 | YAML 1.1
            unquoted octal mode     | name: x\\nsteps:\\n  - hosts: h\\n    copy: {dest: /a, content: b, mode: 0755} | 4:40 | quote file modes
            boolean on              | name: x\\nsteps:\\n  - hosts: h\\n    run: a\\n    destructive: on        | 5:18 | YAML 1.1
            ambiguous var           | name: x\\nvars:\\n  enabled: on\\nsteps:\\n  - hosts: h\\n    run: a      | 3:12 | ambiguous
            duplicate key           | name: x\\nname: y\\nsteps:\\n  - hosts: h\\n    run: a                | 2:1  | duplicate key 'name'
            duplicate id            | name: x\\nsteps:\\n  - {id: a, hosts: h, run: a}\\n  - {id: a, hosts: h, run: b} | 4:5 | duplicate step id
            unknown need            | name: x\\nsteps:\\n  - {id: a, hosts: h, run: a}\\n  - {id: b, needs: aa, hosts: h, run: b} | 4:13 | did you mean 'a'
            custom tag              | name: !!python/object:os.system x\\nsteps: []                            | 1:7  | tag
            local custom tag        | name: !shell x\\nsteps:\\n  - {hosts: h, run: a}                       | 1:7  | custom YAML tag
            malformed yaml          | name: x\\nsteps:\\n  - hosts: h\\n    run: [a\\n                        | 5:1  | malformed YAML
            missing hosts           | name: x\\nsteps:\\n  - run: a                                          | 3:5  | needs 'hosts'
            bad duration            | name: x\\nsteps:\\n  - hosts: h\\n    run: a\\n    timeout: soon          | 5:14 | duration
            bad expression          | name: x\\nsteps:\\n  - hosts: h\\n    run: a\\n    when: "a ==== b"      | 5:5  | invalid expression
            bad template            | name: x\\nsteps:\\n  - hosts: h\\n    run: "echo {{#a}}"                 | 4:10 | template syntax
            empty steps             | name: x\\nsteps: []                                                     | 2:8  | non-empty list
            hosts in a sub-step     | name: x\\nsteps:\\n  - id: b\\n    hosts: h\\n    steps:\\n      - {hosts: h, run: a} | 6:10 | not allowed in a sub-step
            action on a block       | name: x\\nsteps:\\n  - id: b\\n    hosts: h\\n    run: a\\n    steps:\\n      - {run: a} | 5:5 | belongs in one of its sub-steps
            bad service state       | name: x\\nsteps:\\n  - hosts: h\\n    service: {name: etcd, state: stoped} | 4:27 | did you mean 'stopped'
            bad service missing     | name: x\\nsteps:\\n  - hosts: h\\n    service: {name: etcd, state: stopped, missing: ignore} | 4:43 | must be 'fail' or 'skip'
            skip with status        | name: x\\nsteps:\\n  - hosts: h\\n    service: {name: etcd, state: status, missing: skip} | 4:42 | does not apply to state: status
            relative bundle path    | name: x\\nsteps:\\n  - k8s.bundle: {dest: b, recipients: r, paths: [etc/x]} | 3:42 | must be absolute paths
            """)
    void badInputNamesFileLineColumn(String what, String yaml, String lineCol, String fragment) {
        RunbookException e = fails(yaml.replace("\\n", "\n"));
        assertEquals("rb.yml:" + lineCol, String.valueOf(e.location()), what + ": " + e.describe());
        String all = e.getMessage() + " " + e.hint();
        assertTrue(all.contains(fragment), what + ": expected '" + fragment + "' in: " + all);
    }

    @Test
    void aliasBombIsRefused() {
        StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'i'; c++) {
            y.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                y.append(i == 0 ? "" : ", ").append('*').append(prev);
            }
            y.append("]\n");
            prev = c;
        }
        RunbookException e = fails(y.toString());
        assertTrue(e.getMessage().contains("alias") || String.valueOf(e.hint()).contains("alias"), e.describe());
    }

    @Test
    void deepNestingIsRefused() {
        String y = "a: " + "[".repeat(200) + "]".repeat(200) + "\n";
        fails(y);
    }

    @Test
    void aHugeFileIsRefusedBeforeItIsParsed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path big = dir.resolve("big.yml");
        // 5 MiB of one long comment line: cheap to write, and a runbook is never that big
        java.nio.file.Files.writeString(big, "name: x\n# " + "x".repeat(5 * 1024 * 1024) + "\nsteps: []\n");
        RunbookException e = assertThrows(RunbookException.class, () -> RunbookParser.load(big));
        assertTrue(e.getMessage().contains("larger than 4 MiB"), e.describe());
        assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
    }

    @Test
    void aHugeValueInsideTheLimitIsStillOneScalar() {
        // 1 MiB in one value: parsed (no quadratic blow-up), kept exactly
        String v = "y".repeat(1024 * 1024);
        Runbook rb = RunbookParser.parse("rb.yml", "name: x\nsteps:\n  - {id: a, hosts: h, run: " + v + "}\n");
        assertEquals(1, rb.steps().size());
    }
}
