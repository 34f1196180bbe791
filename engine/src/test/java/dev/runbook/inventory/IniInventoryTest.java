package dev.runbook.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.error.RunbookException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ansible INI inventories: values, ranges, quoting, and every malformed line named by file:line:col. */
class IniInventoryTest {
    @TempDir
    Path dir;

    private Inventory load(String ini) throws Exception {
        Path f = dir.resolve("hosts.ini");
        Files.writeString(f, ini);
        return InventoryParser.load(f);
    }

    private RunbookException refused(String ini) {
        RunbookException e = assertThrows(RunbookException.class, () -> load(ini));
        return new RunbookException(e.exitCode(), e.location(), e.location() + ": " + e.getMessage(), e.hint());
    }

    @Test
    void valuesAreReadAsPythonLiteralsElseKeptAsText() {
        assertEquals(42L, PythonLiteral.value("42"));
        assertEquals(-7L, PythonLiteral.value("-7"));
        assertEquals(31L, PythonLiteral.value("0x1f"));
        assertEquals(1000L, PythonLiteral.value("1_000"));
        assertEquals(new BigInteger("12345678901234567890"), PythonLiteral.value("12345678901234567890"));
        assertEquals(true, PythonLiteral.value("True"));
        assertNull(PythonLiteral.value("None"));
        assertEquals("true", PythonLiteral.value("true"));
        assertEquals("yes", PythonLiteral.value("yes"));
        assertEquals("007", PythonLiteral.value("007"));
        assertEquals("1+2", PythonLiteral.value("1+2"));
        assertEquals("a b", PythonLiteral.value("'a b'"));
        assertEquals("ab", PythonLiteral.value("'a' \"b\""));
        assertEquals("tab\there", PythonLiteral.value("'tab\\there'"));
        assertEquals(List.of(1L, "two", List.of(3L)), PythonLiteral.value("[1, 'two', (3,)]"));
        assertEquals(Map.of("a", 1L, "b", List.of(true)), PythonLiteral.value("{'a': 1, 'b': [True]}"));
        assertEquals(1L, PythonLiteral.value("1 # a comment"));
        assertEquals("", PythonLiteral.value(""));
        assertEquals("/etc/x.conf", PythonLiteral.value("/etc/x.conf"));
    }

    @Test
    void rangesExpandAsAnsiblesDo() {
        assertEquals(List.of("e-01", "e-02", "e-03"), HostRange.expand("e-[01:03]"));
        assertEquals(List.of("wa", "wb", "wc"), HostRange.expand("w[a:c]"));
        assertEquals(List.of("n1", "n4", "n7", "n10"), HostRange.expand("n[1:10:3]"));
        assertEquals(List.of("d0-a", "d0-b", "d1-a", "d1-b"), HostRange.expand("d[0:1]-[a:b]"));
        assertEquals(List.of("x0", "x1", "x2"), HostRange.expand("x[:2]"));
        assertEquals(List.of("plain"), HostRange.expand("plain"));
    }

    @Test
    void hostLinesAreShellQuotedWithPortsVariablesAndComments() throws Exception {
        Inventory inv = load("""
                top ansible_host=10.0.0.9
                [etcd]
                etcd-[01:02]:2222 ansible_user=ops note="two words" # a comment
                [etcd:vars]
                ansible_become=True
                """);
        Host h = inv.hosts().get("etcd-02");
        assertEquals(2222, h.port());
        assertEquals("ops", h.user());
        assertEquals("sudo", h.become());
        assertEquals("two words", h.vars().get("note"));
        assertEquals(List.of("top"), inv.listing().groups().get("ungrouped").hosts());
        assertEquals("10.0.0.9", inv.hosts().get("top").address());
        // declared names are kept for listing; runbook's own spellings are added for templates
        assertEquals("ops", inv.listing().hostvars().get("etcd-01").get("ansible_user"));
        assertEquals(null, inv.listing().hostvars().get("etcd-01").get("user"));
    }

    @Test
    void everyMalformedLineIsNamedByFileAndLine() {
        RunbookException e = refused("[etcd]\netcd-01 novalue\n");
        assertTrue(e.getMessage().contains("hosts.ini:2:1") && e.getMessage().contains("novalue"), e.getMessage());
        e = refused("[etcd:hosts2]\n");
        assertTrue(e.getMessage().contains("hosts.ini:1:1") && e.getMessage().contains("unknown type"), e.getMessage());
        e = refused("[etcd]\nbad[1:2:3:4]\n");
        assertTrue(e.getMessage().contains("hosts.ini:2:1") && e.getMessage().contains("host range"), e.getMessage());
        e = refused("[etcd]\nbad[01:3]\n");
        assertTrue(e.getMessage().contains("equal-length"), e.getMessage());
        e = refused("[k8s:children]\nnowhere\n");
        assertTrue(e.getMessage().contains("hosts.ini:2:1") && e.getMessage().contains("undefined group nowhere"), e.getMessage());
        e = refused("[ghost:vars]\nx=1\n");
        assertTrue(e.getMessage().contains("hosts.ini:1:1") && e.getMessage().contains("never defined"), e.getMessage());
        e = refused("[a:children]\nb\n[b:children]\na\n");
        assertTrue(e.getMessage().contains("its own ancestor"), e.getMessage());
        e = refused("[etcd]\nh1 x=\"unterminated\n");
        assertTrue(e.getMessage().contains("hosts.ini:2:1") && e.getMessage().contains("no closing quotation"), e.getMessage());
        e = refused("[bad section]\n");
        assertTrue(e.getMessage().contains("invalid section"), e.getMessage());
    }

    @Test
    void aChildGroupMayBeDefinedAfterTheSectionNamingItAndAHostInTwoPlacesMerges() throws Exception {
        Inventory inv = load("""
                [k8s:children]
                etcd
                [etcd]
                e1 a=1
                [other]
                e1 b=2
                """);
        assertEquals(List.of("e1"), inv.groups().get("k8s"));
        assertEquals(1L, inv.hosts().get("e1").vars().get("a"));
        assertEquals(2L, inv.hosts().get("e1").vars().get("b"));
    }

    @Test
    void groupVarsAndHostVarsBesideTheInventoryWinOverItsOwnVariables() throws Exception {
        Files.createDirectories(dir.resolve("group_vars/etcd"));
        Files.createDirectories(dir.resolve("host_vars"));
        Files.writeString(dir.resolve("group_vars/etcd/main.yml"), "x: group_vars\n");
        Files.writeString(dir.resolve("host_vars/e2.yaml"), "x: host_vars\n");
        Files.writeString(dir.resolve("group_vars/all"), "etcd_access: ssh\n");
        Inventory inv = load("[etcd]\ne1\ne2 x=inline\n[etcd:vars]\nx=ini\n");
        assertEquals("group_vars", inv.hosts().get("e1").vars().get("x"));
        assertEquals("host_vars", inv.hosts().get("e2").vars().get("x"));
        assertEquals("ssh", inv.allVars().get("etcd_access"), "control sees group_vars/all");
        Files.writeString(dir.resolve("group_vars/etcd/bad.yml"), "x: [unclosed\n");
        RunbookException e = assertThrows(RunbookException.class, () -> load("[etcd]\ne1\n"));
        assertTrue(String.valueOf(e.location()).contains("bad.yml"), e.location() + ": " + e.getMessage());
    }

    @Test
    void anExecutableStaticFileIsReadAsWhatItIsAndAScriptIsRun() throws Exception {
        Path ini = dir.resolve("hosts");
        Files.writeString(ini, "[etcd]\ne1\n");
        ini.toFile().setExecutable(true);
        assertEquals(List.of("e1"), InventoryParser.load(ini).groups().get("etcd"), "no #!: not a script");
        Path script = dir.resolve("dyn");
        Files.writeString(script, "#!/bin/sh\necho '{\"etcd\": [\"e9\"], \"_meta\": {\"hostvars\": {\"e9\": {\"ansible_host\": \"10.1.1.9\"}}}}'\n");
        script.toFile().setExecutable(true);
        Inventory inv = InventoryParser.load(script);
        assertEquals("10.1.1.9", inv.hosts().get("e9").address());
        Files.writeString(script, "#!/bin/sh\necho broken >&2\nexit 3\n");
        RunbookException e = assertThrows(RunbookException.class, () -> InventoryParser.load(script));
        assertTrue(e.getMessage().contains("exit 3") && e.getMessage().contains("broken"), e.getMessage());
    }

    @Test
    void anInventoryPluginConfigurationIsRefusedWithTheCommandThatConvertsIt() throws Exception {
        Path f = dir.resolve("aws_ec2.yml");
        Files.writeString(f, "plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n");
        RunbookException e = assertThrows(RunbookException.class, () -> InventoryParser.load(f));
        assertTrue(e.hint().contains("ansible-inventory -i " + f + " --list -y"), e.hint());
    }
}
