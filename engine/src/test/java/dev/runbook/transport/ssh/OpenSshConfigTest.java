package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runbook.inventory.Host;
import dev.runbook.inventory.InventoryParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts resolved through an OpenSSH client config as {@code ssh -G -F FILE HOST} resolves them
 * (OpenSSH's own resolver is the oracle): HostName, Port, User, IdentityFile, IdentitiesOnly,
 * UserKnownHostsFile, ProxyJump (and each jump's own HostName, Port and User); the inventory's
 * explicit values win over the file.
 */
class OpenSshConfigTest {
    @TempDir
    Path dir;

    static final String CONFIG = String.join("\n",
            "# a comment",
            "Host bastion",
            "  HostName 10.0.0.1",
            "  User jumper",
            "  Port 2222",
            "Host etcd-* !etcd-9",
            "  User admin",
            "  IdentityFile ~/.ssh/id_etcd",
            "  IdentityFile /keys/second",
            "  ProxyJump bastion",
            "Host etcd-2",
            "  # first value wins: this Port comes after nothing else that sets it",
            "  Port 2022",
            "  User ignored-because-etcd-*-came-first",
            "Host *.prod.example",
            "  HostName %h.internal",
            "  IdentitiesOnly yes",
            "  UserKnownHostsFile /etc/ssh/prod_known_hosts",
            "Host *",
            "  User fallback",
            "  Port 22",
            "");

    private static Map<String, List<String>> sshG(Path config, String host) throws Exception {
        Process p = new ProcessBuilder("ssh", "-G", "-F", config.toString(), host).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                m.computeIfAbsent(line.substring(0, sp), k -> new ArrayList<>()).add(line.substring(sp + 1));
            }
        }
        return m;
    }

    private Host host(Path config, String name, String extraVars) {
        String inv = "all:\n  hosts:\n    " + name + ":\n      ansible_ssh_common_args: \"-F " + config + "\"\n" + extraVars;
        return InventoryParser.parse("inv.yml", inv).host(name);
    }

    @Test
    void resolvesEachHostAsSshDoes() throws Exception {
        Path config = dir.resolve("config");
        Files.writeString(config, CONFIG);
        for (String name : List.of("etcd-1", "etcd-2", "etcd-9", "db.prod.example", "plain", "bastion")) {
            Map<String, List<String>> g = sshG(config, name);
            SshTarget t = TargetResolver.resolve(host(config, name, ""), null);
            String what = "host " + name;
            assertEquals(g.get("hostname").get(0), t.address(), what);
            assertEquals(g.get("port").get(0), String.valueOf(t.port()), what);
            assertEquals(g.get("user").get(0), t.user(), what);
            assertEquals(g.get("identitiesonly").get(0), t.identitiesOnly() ? "yes" : "no", what);
            OpenSshConfig.Settings s = OpenSshConfig.lookup(config, name, name);
            if (!s.identityFiles().isEmpty()) {
                assertEquals(g.get("identityfile"), s.identityFiles(), what);
            }
            if (s.knownHosts() != null) {
                assertEquals(g.get("userknownhostsfile").get(0), t.knownHosts().toString(), what);
            }
            List<String> jump = g.get("proxyjump");
            if (jump == null) {
                assertEquals(List.of(), t.jumps(), what);
            } else {
                // ssh -G prints the jump as written; each jump is then resolved as a host of its own
                assertEquals(1, t.jumps().size(), what);
                Map<String, List<String>> j = sshG(config, jump.get(0));
                SshTarget.Jump mine = t.jumps().get(0);
                assertEquals(j.get("hostname").get(0), mine.address(), what);
                assertEquals(j.get("port").get(0), String.valueOf(mine.port()), what);
                assertEquals(j.get("user").get(0), mine.user(), what);
            }
        }
    }

    @Test
    void theInventoryWinsOverTheConfig() throws Exception {
        Path config = dir.resolve("config");
        Files.writeString(config, CONFIG);
        SshTarget t = TargetResolver.resolve(host(config, "etcd-2",
                "      ansible_user: ops\n      ansible_port: 2200\n      jump_host: none\n      ansible_ssh_private_key_file: /keys/mine\n"), null);
        assertEquals("ops", t.user());
        assertEquals(2200, t.port());
        assertEquals(List.of(), t.jumps());
        assertEquals(Path.of("/keys/mine"), t.identityFile());
        // the config's key files still follow the inventory's, as ssh offers every IdentityFile
        assertEquals(List.of(Path.of(System.getProperty("user.home"), ".ssh/id_etcd"), Path.of("/keys/second")), t.moreIdentityFiles());
    }

    @Test
    void noFileOrNoneChangesNothing() throws Exception {
        SshTarget t = TargetResolver.resolve(host(dir.resolve("absent"), "etcd-2", "      ansible_host: 10.1.1.1\n"), null);
        assertEquals("10.1.1.1", t.address());
        assertEquals(22, t.port());
        SshTarget n = TargetResolver.resolve(InventoryParser.parse("inv.yml",
                "all:\n  hosts:\n    etcd-2:\n      ansible_ssh_common_args: \"-F none\"\n").host("etcd-2"), null);
        assertEquals("etcd-2", n.address());
    }
}
