package dev.runbook.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.error.RunbookException;
import dev.runbook.model.SourceLocation;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.LocalTransport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    static final SourceLocation AT = new SourceLocation("rb.yml", 7, 10);

    @ParameterizedTest
    @ValueSource(strings = {"it's", "a; rm -rf /tmp/nothing", "$(touch /tmp/pwned)", "`id`", "two\nlines", "--force-new-cluster",
            "-n", "", "  spaces  ", "\"dq\" and \\ backslash", "*", "~root", "a'b'\"c\"$d"})
    void everyValueReachesTheShellAsOneLiteralArgument(String value) {
        String cmd = Templates.shell("printf '%s|' {{v}}", AT).render(Map.of("v", value), null);
        ExecResult r = new LocalTransport("test").exec(cmd, ExecOptions.of(null));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(value + "|", r.stdout(), "rendered as: " + cmd);
    }

    @Test
    void rawInsertionIsExplicit() {
        assertEquals("echo a b", Templates.shell("echo {{{v}}}", AT).render(Map.of("v", "a b"), null));
        assertEquals("echo 'a b'", Templates.shell("echo {{v}}", AT).render(Map.of("v", "a b"), null));
        assertEquals("x=a b", Templates.text("x={{v}}", AT).render(Map.of("v", "a b"), null));
    }

    @Test
    void listsBecomeSeparateWords() {
        assertEquals("ls a 'b c'", Templates.shell("ls {{v}}", AT).render(Map.of("v", List.of("a", "b c")), null));
    }

    @Test
    void dottedNamesReachIntoMaps() {
        assertEquals("id 8e9e", Templates.text("id {{m.id}}", AT).render(Map.of("m", Map.of("id", "8e9e")), null));
    }

    @Test
    void missingVariableNamesVariableWhereAndLine() {
        Template t = Templates.shell("echo ok\nrm -rf {{data_dir}}/member", AT);
        RunbookException e = assertThrows(RunbookException.class, () -> t.render(Map.of(), "in step 'wipe' on host 'etcd-02'"));
        assertTrue(e.getMessage().contains("'data_dir'"), e.getMessage());
        assertTrue(e.getMessage().contains("step 'wipe' on host 'etcd-02'"), e.getMessage());
        assertEquals("rb.yml:8:10", e.location().toString(), "line of the template inside the YAML scalar");
    }

    @Test
    void missingSectionIsAllowed() {
        assertEquals("a", Templates.text("a{{#opt}}-{{opt}}{{/opt}}", AT).render(Map.of(), null));
    }

    @Test
    void placeholdersRenderByName() {
        String s = Templates.shell("etcdctl member remove {{members.ids.etcd-02}}", AT)
                .render(Map.of("members", new Placeholder("members")), null);
        assertEquals("etcdctl member remove <<members.ids.etcd-02>>", s);
    }

    @Test
    void aSectionOverAPlaceholderStillSeesOuterNames() {
        // in a plan: the section's value is decided at run time, but {{bump_revision}} is known now
        String s = Templates.shell("restore{{#facts.bump}} --bump-revision {{bump_revision}} --id {{id}}{{/facts.bump}}", AT)
                .render(Map.of("facts", new Placeholder("facts"), "bump_revision", 1000), null);
        assertEquals("restore --bump-revision 1000 --id <<facts.bump.id>>", s);
        // at run time, with real values, the section behaves as mustache always does
        assertEquals("restore --bump-revision 1000 --id 7", Templates.shell(
                "restore{{#facts.bump}} --bump-revision {{bump_revision}} --id {{id}}{{/facts.bump}}", AT)
                .render(Map.of("facts", Map.of("bump", Map.of("id", 7)), "bump_revision", 1000), null));
    }

    @Test
    void expressionsAreStrictAndSideEffectFree() {
        Map<String, Object> scope = Map.of("result", Map.of("rc", 0, "stdout", "healthy"), "n", 3);
        assertTrue(Expressions.compile("result.rc == 0 && result.stdout =~ '.*health.*'", AT).test(scope, null));
        assertFalse(Expressions.compile("n > 3", AT).test(scope, null));
        RunbookException e = assertThrows(RunbookException.class, () -> Expressions.compile("nope == 1", AT).test(scope, null));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertThrows(RunbookException.class, () -> Expressions.compile("n = 4", AT));
        assertThrows(RunbookException.class, () -> Expressions.compile("new('java.io.File', '/')", AT));
    }

    @Test
    void expressionsKnowWhenTheyNeedRuntimeValues() {
        Expressions.Expression e = Expressions.compile("members.count >= 2", AT);
        assertTrue(e.dependsOnRuntime(Map.of("members", new Placeholder("members"))));
        assertFalse(e.dependsOnRuntime(Map.of("members", Map.of("count", 3))));
    }

    @Test
    void documentedExpressionFormsWork() {
        Map<String, Object> scope = Map.of("members", Map.of("json", Map.of("members", List.of(Map.of("name", "a"), Map.of("name", "b")))),
                "version", Map.of("stdout", "3.5.16"), "hostvars", Map.of("etcd-01", Map.of("x", 1)), "names", List.of("a", "b"));
        assertTrue(Expressions.compile("members.json.members.size() == 2", AT).test(scope, null));
        assertTrue(Expressions.compile("size(members.json.members) == 2", AT).test(scope, null));
        assertTrue(Expressions.compile("version.stdout =~ '3\\.5\\..*'", AT).test(scope, null));
        assertTrue(Expressions.compile("'a' =~ names", AT).test(scope, null));
        assertTrue(Expressions.compile("hostvars['etcd-01'].x == 1", AT).test(scope, null));
        assertTrue(Expressions.compile("members.json.members[1].name == 'b'", AT).test(scope, null));
    }

    @Test
    void missingMapKeysAreNullNotErrors() {
        Map<String, Object> scope = Map.of("m", Map.of("ids", Map.of("a", "1")), "k", "b");
        assertTrue(Expressions.compile("m.ids[k] == null", AT).test(scope, null));
        assertTrue(Expressions.compile("m.ids['a'] == '1'", AT).test(scope, null));
        assertTrue(Expressions.compile("!m.ids.containsKey(k)", AT).test(scope, null));
    }
}
