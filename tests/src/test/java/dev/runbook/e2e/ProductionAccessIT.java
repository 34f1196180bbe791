package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The engine against hosts shaped as production shapes them (lab/up --shape production): this
 * machine reaches only the bastion, the members sit behind it, root cannot log in, the login user
 * ops has sudo (NOPASSWD on most members, a password on etcd-02, none at all on the bastion), the
 * key exists only in the lab's ssh-agent, and the inventory is written in Ansible's spellings.
 */
@ExtendWith(Lab.class)
class ProductionAccessIT {
    static final Path RUNBOOKS = Lab.REPO.resolve("tests/src/test/resources/runbooks");
    static final Path DIR = Lab.REPO.resolve("tests/target/production-it");
    static final String SUDO_PASSWORD = "runbook-lab-sudo";

    @BeforeAll
    static void production() throws Exception {
        Lab.fresh(Lab.Shape.production());
        Files.createDirectories(DIR);
    }

    static Map<String, String> agent() {
        Map<String, String> env = new HashMap<>();
        env.put("SSH_AUTH_SOCK", Lab.agentSocket().toString());
        env.put("RUNBOOK_BECOME_PASSWORD", null);
        return env;
    }

    static Cmd.Result runbook(Map<String, String> env, String... args) throws Exception {
        // the jar as Cmd.runbook runs it, with a state dir of this class's own
        List<String> cmd = new ArrayList<>(List.of("java", "-Drunbook.state=" + DIR.resolve("state"), "-jar",
                Lab.REPO.resolve("engine/target/runbook.jar").toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(Lab.REPO, cmd, 300, env, null);
    }

    /** A root command on a member through the lab's console (not SSH or sudo, which are under test). */
    static String asRoot(String host, String command) throws Exception {
        Cmd.Result r = Lab.script("console", host, "sh", "-c", command);
        if (r.exit() != 0) {
            throw new AssertionError("on " + host + ": `" + command + "` failed (" + r.exit() + "): " + r.err());
        }
        return r.out();
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** The production inventory with one text replaced (a bad input), written beside the others. */
    static Path inventoryWith(String name, String from, String to) throws Exception {
        String text = Files.readString(Lab.INVENTORY);
        assertTrue(text.contains(from), "the inventory has " + from + ":\n" + text);
        Path p = DIR.resolve(name + ".yml");
        Files.writeString(p, text.replace(from, to));
        return p;
    }

    static String bastion() throws Exception {
        return Lab.env("LAB_BASTION");
    }

    @Test
    void everyKindOfActionWorksThroughTheBastionAsOpsWithSudo() throws Exception {
        Path blob = DIR.resolve("blob.bin");
        byte[] data = new byte[100 * 1024 * 1024];
        new Random(24).nextBytes(data);
        Files.write(blob, data);
        Path fetched = DIR.resolve("fetched");
        asRoot("etcd-02", "chmod 640 /etc/etcd/etcd.env && chown 65534:65534 /etc/etcd/etcd.env");
        Cmd.Result r = runbook(agent(), "apply", RUNBOOKS.resolve("production.yml").toString(), "-i", Lab.INVENTORY.toString(),
                "--var", "blob=" + blob, "--var", "fetch_dir=" + fetched);
        assertEquals(0, r.exit(), r.all());
        String sha = sha256(data);
        for (String h : List.of("etcd-01", "etcd-02")) {
            // the 100 MiB copy: checked on the host, installed as root with the mode asked for
            assertEquals(sha, asRoot(h, "sha256sum /var/backups/etcd/blob.bin").split(" ")[0], h);
            assertEquals("600 0 0", asRoot(h, "stat -c '%a %u %g' /var/backups/etcd/blob.bin").trim(), h);
            // a root-only file (mode 600) fetched byte for byte
            assertEquals(sha256(Files.readAllBytes(Lab.hostFile(h, "/etc/etcd/pki/server.key"))),
                    sha256(Files.readAllBytes(fetched.resolve(h).resolve("server.key"))), h);
        }
        // the root-owned env file edited in place: mode and owner kept, the value set
        assertEquals("640 65534", asRoot("etcd-02", "stat -c '%a %u' /etc/etcd/etcd.env").trim());
        assertTrue(asRoot("etcd-02", "cat /etc/etcd/etcd.env").contains("ETCD_HEARTBEAT_INTERVAL=100"));
        // the staged upload went through ops's private dir and left nothing there
        assertEquals("", Lab.sshOk("etcd-01", "ls -A ~/.runbook-staging").trim());
        assertEquals("700", Lab.sshOk("etcd-01", "stat -c %a ~/.runbook-staging").trim());
        // the run lock was taken and released as root
        assertTrue(Lab.ssh("etcd-01", "test -e /var/lib/runbook/lock").exit() != 0, "the lock is released");
        // how each host was reached is in the journal
        String journal = Files.readString(newestJournal());
        assertTrue(journal.contains("\"etcd-02\":\"ops@") && journal.contains("via ops@" + bastion() + ":22, sudo"), journal);

        Cmd.Result check = runbook(agent(), "apply", RUNBOOKS.resolve("production.yml").toString(), "-i", Lab.INVENTORY.toString(),
                "--var", "blob=" + blob, "--var", "fetch_dir=" + fetched, "--check");
        assertEquals(0, check.exit(), check.all());
        assertTrue(check.out().contains("reach: etcd-01 = ops@") && check.out().contains("via ops@" + bastion() + ":22, sudo"), check.out());
        assertTrue(check.out().contains("every host answered"), check.out());
    }

    static Path newestJournal() throws Exception {
        try (Stream<Path> runs = Files.list(DIR.resolve("state/runs"))) {
            return runs.max(java.util.Comparator.comparing(Path::getFileName)).orElseThrow().resolve("journal.jsonl");
        }
    }

    @Test
    void aKilledRunIsResumedThroughTheBastion() throws Exception {
        Path rb = DIR.resolve("slow.yml");
        Files.writeString(rb, """
                name: slow
                steps:
                  - {id: first, hosts: etcd, run: "echo started > /var/tmp/prod-started; sleep 30"}
                  - {id: second, hosts: etcd, run: "id -u > /var/tmp/prod-after"}
                """);
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            asRoot(h, "rm -f /var/tmp/prod-started /var/tmp/prod-after");
        }
        Path log = DIR.resolve("killed.log");
        List<String> cmd = List.of("java", "-Drunbook.state=" + DIR.resolve("state"), "-jar", Lab.REPO.resolve("engine/target/runbook.jar").toString(),
                "apply", rb.toString(), "-i", Lab.INVENTORY.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Lab.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SSH_AUTH_SOCK", Lab.agentSocket().toString());
        Process p = pb.start();
        Lab.waitFor("the first step to start on every member", 60, () ->
                Stream.of("etcd-01", "etcd-02", "etcd-03").allMatch(h -> {
                    try {
                        return Lab.ssh(h, "test -f /var/tmp/prod-started").exit() == 0;
                    } catch (Exception e) {
                        return false;
                    }
                }));
        p.destroyForcibly(); // SIGKILL: no journal end, the lock left on the hosts
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertTrue(Lab.ssh("etcd-02", "test -e /var/lib/runbook/lock").exit() == 0, "the dead run's lock is still on the host");
        // unlock reads the root-owned lock through sudo (etcd-02's password from the environment)
        Map<String, String> withPw = agent();
        withPw.put("RUNBOOK_BECOME_PASSWORD", SUDO_PASSWORD);
        String noPwInventory = Files.readString(Lab.INVENTORY).replace("          ansible_become_password: " + SUDO_PASSWORD + "\n", "");
        Path inv = DIR.resolve("env-password.yml");
        Files.writeString(inv, noPwInventory);
        Cmd.Result shown = runbook(withPw, "unlock", "-i", inv.toString(), "--limit", "etcd");
        assertEquals(0, shown.exit(), shown.all());
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertTrue(shown.out().contains(h + ": locked by "), shown.out());
        }
        Cmd.Result resumed = runbook(agent(), "resume", "--yes");
        assertEquals(0, resumed.exit(), resumed.all() + Files.readString(log));
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertEquals("0", asRoot(h, "cat /var/tmp/prod-after").trim(), "the second step ran as root on " + h);
            assertTrue(Lab.ssh(h, "test -e /var/lib/runbook/lock").exit() != 0, "the lock is released on " + h);
        }
    }

    @Test
    void becomeUserRunsCommandsAsThatUserAndRefusesFileTransfers() throws Exception {
        Path inv = inventoryWith("become-nobody", "    ansible_become: true\n", "    ansible_become: true\n    ansible_become_user: nobody\n");
        Path rb = DIR.resolve("as-nobody.yml");
        Files.writeString(rb, """
                name: as-nobody
                steps:
                  - {id: who, hosts: etcd, run: "id -un"}
                  - {id: again, hosts: etcd, run: "id -un", register: who}
                  - {id: nobody, hosts: etcd, assert: "who.stdout == 'nobody'"}
                  - {id: write, hosts: etcd-01, copy: {content: "x", dest: /tmp/as-nobody.txt}}
                """);
        // nobody cannot create the run lock under /var/lib/runbook: said so, with the way out
        Cmd.Result denied = runbook(agent(), "apply", rb.toString(), "-i", inv.toString());
        assertTrue(denied.exit() != 0 && denied.all().contains("cannot create /var/lib/runbook/lock") && denied.all().contains("runbook_lock"),
                denied.all());
        Path withLock = inventoryWith("become-nobody-lock", "    ansible_become: true\n",
                "    ansible_become: true\n    ansible_become_user: nobody\n    runbook_lock: /var/tmp/runbook-nobody.lock\n");
        Cmd.Result r = runbook(agent(), "apply", rb.toString(), "-i", withLock.toString());
        assertEquals(1, r.exit(), r.all());
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertTrue(java.util.regex.Pattern.compile("ok\\s+" + h + "\\s+nobody\\b").matcher(r.out()).find(), "as nobody on " + h + ":\n" + r.out());
        }
        assertTrue(r.all().contains("file transfers with become go through root"), r.all());
    }

    /** A bad input: the run stops before its first step with exit 3, the message naming what failed. */
    static void refused(Cmd.Result r, String... expected) {
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("nothing was run"), r.all());
        for (String e : expected) {
            assertTrue(r.all().contains(e), "expected '" + e + "' in:\n" + r.all());
        }
    }

    /** A one-step runbook that leaves a marker on every member it runs on: a refused run must leave none. */
    static Cmd.Result hello(Map<String, String> env, Path inventory) throws Exception {
        Path rb = DIR.resolve("marker.yml");
        Files.writeString(rb, "name: marker\nsteps:\n  - {id: mark, hosts: etcd, run: \"touch /var/tmp/bad-input-ran\"}\n");
        return runbook(env, "apply", rb.toString(), "-i", inventory.toString());
    }

    @Test
    void sudoProblemsStopTheRunNamingTheHost() throws Exception {
        refused(hello(agent(), inventoryWith("wrong-sudo", "ansible_become_password: " + SUDO_PASSWORD, "ansible_become_password: wrong")),
                "etcd-02: sudo does not work for this login: the sudo password was refused");
        refused(hello(agent(), inventoryWith("no-sudo-password", "          ansible_become_password: " + SUDO_PASSWORD + "\n", "")),
                "etcd-02: sudo does not work for this login: sudo wants a password and none was given", "--ask-become-pass");
        // the same password given at the prompt instead (-K, no terminal: stdin's first line)
        Path noPw = inventoryWith("no-sudo-password", "          ansible_become_password: " + SUDO_PASSWORD + "\n", "");
        Path whoami = DIR.resolve("whoami.yml");
        Files.writeString(whoami, "name: whoami\nsteps:\n  - {id: who, hosts: etcd-02, run: \"id -u\"}\n");
        Cmd.Result asked = Cmd.run(Lab.REPO, List.of("java", "-Drunbook.state=" + DIR.resolve("state"), "-jar",
                Lab.REPO.resolve("engine/target/runbook.jar").toString(), "apply", whoami.toString(), "-i", noPw.toString(), "-K", "-v"),
                120, agent(), SUDO_PASSWORD + "\n");
        assertEquals(0, asked.exit(), asked.all());
        assertTrue(!asked.all().contains(SUDO_PASSWORD), "the password is never printed");
        // requiretty on one member
        asRoot("etcd-01", "echo 'Defaults:ops requiretty' > /etc/sudoers.d/zz-tty && chmod 440 /etc/sudoers.d/zz-tty");
        try {
            refused(hello(agent(), Lab.INVENTORY), "etcd-01: sudo does not work for this login: sudo requires a terminal (requiretty)");
        } finally {
            asRoot("etcd-01", "rm -f /etc/sudoers.d/zz-tty");
        }
        // no sudo rights at all: the bastion, as a host of its own
        Path onBastion = inventoryWith("bastion-host", "    etcd:\n      hosts:\n", "    etcd:\n      hosts:\n        bastion:\n          ansible_host: "
                + bastion() + "\n          ansible_ssh_common_args: \"-o UserKnownHostsFile=" + Lab.sshDir().resolve("known_hosts")
                + "\"\n          ansible_become_password: " + SUDO_PASSWORD + "\n");
        refused(hello(agent(), onBastion), "bastion: sudo does not work for this login: the user has no sudo rights");
    }

    @Test
    void bastionAndAgentProblemsStopTheRunNamingWhatFailed() throws Exception {
        String b = bastion();
        String jump = "ProxyJump=ops@" + b;
        refused(hello(agent(), inventoryWith("bastion-down", jump, jump + ":2")),
                "etcd-01: cannot reach it through jump host ops@" + bastion() + ":2: unreachable",
                "etcd-02: cannot reach it through jump host ops@" + bastion() + ":2", "etcd-03: cannot reach it through jump host");
        refused(hello(agent(), inventoryWith("loop", jump, jump + ",ops@" + bastion())), "ProxyJump loop");
        // the bastion's key: unknown, then changed (its line carrying a member's key)
        List<String> kh = Files.readAllLines(Lab.sshDir().resolve("known_hosts"));
        Path noBastion = DIR.resolve("known_hosts_no_bastion");
        Files.write(noBastion, kh.stream().filter(l -> !l.startsWith(b + " ")).toList());
        refused(hello(agent(), inventoryWith("bastion-unknown", Lab.sshDir().resolve("known_hosts").toString(), noBastion.toString())),
                "etcd-01: cannot reach it through jump host ops@" + bastion() + ":22: unknown host key");
        String memberKey = kh.stream().filter(l -> !l.startsWith(b + " ")).findFirst().orElseThrow().split(" ", 2)[1];
        Path changed = DIR.resolve("known_hosts_changed_bastion");
        List<String> lines = new ArrayList<>(kh.stream().filter(l -> !l.startsWith(b + " ")).toList());
        lines.add(bastion() + " " + memberKey);
        Files.write(changed, lines);
        refused(hello(agent(), inventoryWith("bastion-changed", Lab.sshDir().resolve("known_hosts").toString(), changed.toString())),
                "HOST KEY CHANGED for ops@" + bastion() + ":22");
        // the agent: its socket named but dead
        Map<String, String> dead = agent();
        dead.put("SSH_AUTH_SOCK", DIR.resolve("no-agent.sock").toString());
        refused(hello(dead, Lab.INVENTORY), "ssh-agent at " + DIR.resolve("no-agent.sock") + " did not answer");
        // nothing ran anywhere
        for (String h : List.of("etcd-01", "etcd-02", "etcd-03")) {
            assertTrue(Lab.ssh(h, "test -e /var/tmp/bad-input-ran").exit() != 0, "nothing ran on " + h);
        }
    }
}
