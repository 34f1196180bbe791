package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbook.transport.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inventory ssh arguments and ProxyJump lists read as OpenSSH reads them: every case is checked
 * against {@code ssh -G} (OpenSSH's own resolver) on the same arguments, not against values
 * written down here.
 */
class SshArgsTest {
    @TempDir
    Path dir;

    /** What {@code ssh -G -F /dev/null ARGS host} resolves: its key/value lines (first value of each key). */
    private static Map<String, String> sshG(List<String> args, String host) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-G", "-F", "/dev/null"));
        cmd.addAll(args);
        cmd.add(host);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "ssh -G " + args);
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                m.putIfAbsent(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        return m;
    }

    @Test
    void argumentsResolveAsSshResolvesThem() throws Exception {
        Path key = dir.resolve("id_ops");
        Files.writeString(key, "not read by ssh -G, only checked to exist");
        Path kh = dir.resolve("known hosts");
        List<String> lines = List.of(
                "-o ProxyJump=ops@bastion.example:2222",
                "-o ProxyJump=bastion,ops@second:2200 -o User=admin",
                "-J jump@b1 -o ProxyJump=ignored@b2",
                "-oProxyJump=b3 -oUser=first -o User=second",
                "-o 'ProxyJump ops@b4' -p 2022 -l deploy",
                "-o Port=2200 -p 2300 -i " + key + " -o IdentityFile=/elsewhere",
                "-o \"UserKnownHostsFile='" + kh + "'\" -o IdentitiesOnly=yes",
                "-o StrictHostKeyChecking=no -o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=30",
                "-o ProxyJump=none",
                "-o ProxyJump=[fe80::1]:2222");
        for (String line : lines) {
            List<String> words = SshArgs.words(line);
            Map<String, String> g = sshG(words, "member.example");
            SshArgs a = SshArgs.parse(line, "member.example");
            String what = "for: " + line;
            // ssh -G prints the local user when none is given; ours is null then (the inventory's applies)
            if (java.util.regex.Pattern.compile("(-o ?'?|-o ?\"?)User[= ]|-l ").matcher(line).find()) {
                assertEquals(g.get("user"), a.user, what);
            }
            assertEquals(g.get("port"), a.port == null ? "22" : String.valueOf(a.port), what);
            assertEquals(g.get("proxyjump"), a.proxyJump == null || a.proxyJump.equals("none") ? null : a.proxyJump, what);
            if (a.identityFile != null) {
                assertEquals(g.get("identityfile"), a.identityFile, what);
            }
            if (a.knownHosts != null) {
                assertEquals(g.get("userknownhostsfile"), a.knownHosts, what);
            }
            assertEquals(g.get("identitiesonly"), Boolean.TRUE.equals(a.identitiesOnly) ? "yes" : "no", what);
        }
    }

    @Test
    void eachJumpOfAListIsTheUserHostAndPortSshWouldUse() throws Exception {
        String spec = "ops@bastion.example:2222,second,root@10.0.0.7,ssh://deploy@third:2200";
        List<SshTarget.Jump> jumps = TargetResolver.jumps(spec, "login", "member");
        assertEquals(4, jumps.size());
        String[] parts = spec.split(",");
        for (int i = 0; i < parts.length; i++) {
            String uri = parts[i].startsWith("ssh://") ? parts[i] : "ssh://" + parts[i];
            Map<String, String> g = sshG(List.of(), uri);
            SshTarget.Jump j = jumps.get(i);
            // without a user in the list, ssh takes the local user; runbook the host's login user
            assertEquals(parts[i].contains("@") ? g.get("user") : "login", j.user(), parts[i]);
            assertEquals(g.get("hostname"), j.address(), parts[i]);
            assertEquals(g.get("port"), String.valueOf(j.port()), parts[i]);
        }
        assertEquals(List.of(new SshTarget.Jump("login", "fe80::1", 2222)), TargetResolver.jumps("[fe80::1]:2222", "login", "m"));
        assertEquals(List.of(), TargetResolver.jumps("none", "login", "m"));
    }

    @Test
    void aBastionProxyCommandIsReadAsAJump() {
        assertEquals("ops@b", SshArgs.parse("-o ProxyCommand=\"ssh -W %h:%p -q ops@b\"", "m").proxyJump);
        assertEquals("ops@b:2222", SshArgs.parse("-o 'ProxyCommand ssh -q -p 2222 -l ops -W %h:%p b'", "m").proxyJump);
        assertEquals(null, SshArgs.parse("-o ProxyCommand='nc -X 5 -x proxy:1080 %h %p'", "m").proxyJump);
    }

    @Test
    void aJumpListThatDoesNotParseNamesTheHostAndTheList() {
        TransportException e = assertThrows(TransportException.class, () -> TargetResolver.jumps("ops@b:notaport", "u", "etcd-01"));
        assertEquals(true, e.getMessage().startsWith("etcd-01: cannot read the jump host list 'ops@b:notaport'"), e.getMessage());
        assertThrows(TransportException.class, () -> TargetResolver.jumps("[fe80::1", "u", "etcd-01"));
        assertThrows(TransportException.class, () -> TargetResolver.jumps("b:70000", "u", "etcd-01"));
    }
}
