package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The etcd actions through the real CLI against real etcd members on loopback, with and without TLS. */
class EtcdActionsTest {
    @TempDir
    Path dir;
    String out;

    int runbook(LocalEtcd etcd, String endpoints, String yaml, String... extra) throws IOException {
        System.setProperty("runbook.state", dir.resolve("state").toString());
        StringBuilder inv = new StringBuilder("all:\n  vars:\n    etcd_endpoints: \"" + endpoints + "\"\n");
        if (etcd.tls) {
            inv.append("    etcd_ca: ").append(etcd.ca()).append("\n    etcd_cert: ").append(etcd.cert())
                    .append("\n    etcd_key: ").append(etcd.key()).append('\n');
        }
        inv.append("  children:\n    box:\n      hosts:\n        here: {connection: local}\n");
        Path invFile = dir.resolve("inv.yml");
        Files.writeString(invFile, inv);
        return apply(invFile, yaml, extra);
    }

    /** Applies {@code yaml} with {@code inventory} through the real CLI; its console goes to {@link #out}. */
    private int apply(Path inventory, String yaml, String... extra) throws IOException {
        Path rb = dir.resolve("rb-" + System.nanoTime() + ".yml");
        Files.writeString(rb, yaml);
        List<String> args = new ArrayList<>(List.of("apply", rb.toString(), "-i", inventory.toString()));
        args.addAll(List.of(extra));
        PrintStream old = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
            out = buf.toString(StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void threeMembersHealthStatusMembersAndHashes(boolean tls) throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("cluster")), 3, tls)) {
            etcd.run(etcd.etcdctl(etcd.endpoints(), "put", "/a", "1"));
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: facts
                    steps:
                      - {id: health, etcd.health: {}}
                      - {id: status, etcd.status: {}, register: st}
                      - {id: members, etcd.members: {}, register: m}
                      - {id: hashes, etcd.verify: {hashkv: true, prefix: "/a", expect_count: "1"}}
                      - id: check
                        assert:
                          that:
                            - "m.count == 3"
                            - "m.ids.m0 != null && m.ids.m1 != null"
                            - "st.leader_endpoint != ''"
                            - "st.version =~ '3\\\\..*'"
                            - "size(st.members) == 3"
                    """), out);
            assertTrue(out.contains("3 members agree at revision"), out);

            etcd.kill(2);
            String dead = etcd.clientUrls.get(2);
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: quorum
                    steps:
                      - {id: q, etcd.health: {wait: quorum, call_timeout: 1s}, timeout: 10s}
                    """), out);
            assertEquals(1, runbook(etcd, etcd.endpoints(), """
                    name: all
                    steps:
                      - {id: a, etcd.health: {wait: all, call_timeout: 1s}, timeout: 3s}
                    """), out);
            assertTrue(out.contains("2/3 healthy, 3 needed") && out.contains(dead), out);
            assertTrue(out.contains("etcd health: 2/3 healthy, waiting for all; not yet: " + dead), "progress names who is missing: " + out);

            // removing a healthy member now would leave 1 healthy of 2: no quorum; refused unless forced
            assertEquals(1, runbook(etcd, etcd.endpoints(), """
                    name: remove
                    steps:
                      - {id: r, etcd.member_remove: {name: m0, call_timeout: 1s}}
                    """), out);
            assertTrue(out.contains("refusing to remove member m0"), out);
        }
    }

    /** The inventory of a run ON the member (connection: local) that names the member's TLS files, not this machine's. */
    private int runbookOnMember(LocalEtcd etcd, String memberVars, String yaml) throws IOException {
        System.setProperty("runbook.state", dir.resolve("state").toString());
        Path invFile = dir.resolve("member-inv.yml");
        Files.writeString(invFile, "all:\n  vars:\n    etcd_endpoints: \"" + etcd.endpoints() + "\"\n  children:\n    etcd:\n      hosts:\n"
                + "        here: {connection: local, address: 127.0.0.1, " + memberVars + "}\n");
        return apply(invFile, yaml);
    }

    @org.junit.jupiter.api.Test
    void tlsFilesNamedOnTheMemberAreReadThereAndAKeyThatIsNotTheCertificatesStopsTheRunBeforeAnyStep() throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("member-tls")), 1, true)) {
            String files = "etcd_member_ca: " + etcd.ca() + ", etcd_member_cert: " + etcd.cert() + ", etcd_member_key: " + etcd.key();
            assertEquals(0, runbookOnMember(etcd, files, """
                    name: status
                    steps:
                      - {id: s, etcd.status: {}}
                    """), out);
            assertTrue(out.contains("TLS from here: CA " + etcd.ca() + ", client " + etcd.cert()), out);

            String swapped = "etcd_member_ca: " + etcd.ca() + ", etcd_member_cert: " + etcd.cert()
                    + ", etcd_member_key: " + etcd.dir.resolve("pki/server.key");
            Path ran = dir.resolve("first-step-ran");
            int code = runbookOnMember(etcd, swapped, """
                    name: status
                    steps:
                      - {id: first, hosts: control, run: "touch %S"}
                      - {id: s, etcd.status: {}}
                    """.replace("%S", ran.toString()));
            assertTrue(code != 0, out);
            assertTrue(out.contains("the key here:" + etcd.dir.resolve("pki/server.key") + " does not belong to the certificate here:" + etcd.cert()), out);
            assertTrue(!Files.exists(ran), "no step ran: " + out);
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void snapshotOfTenThousandKeysRestoresEveryKey(boolean tls) throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("source")), 1, tls)) {
            write(etcd, 10_000);
            Path snap = dir.resolve("backups/snapshot.db");
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: snap
                    steps:
                      - {id: s, etcd.snapshot: {dest: "%S"}, register: snap}
                      - {id: v, etcd.verify: {snapshot: "%S"}}
                      - id: check
                        assert:
                          that: ["snap.keys == 10000", "snap.exact == true", "snap.revision == 101"]  # 100 txns of 100 puts
                    """.replace("%S", snap.toString())), out);
            assertTrue(Files.readString(Path.of(snap + ".json")).contains("\"keys\" : 10000"), Files.readString(Path.of(snap + ".json")));
            assertTrue(Files.exists(Path.of(snap + ".sha256")));

            Path restored = dir.resolve("restored");
            etcd.run(List.of("etcdctl", "snapshot", "restore", snap.toString(), "--data-dir", restored.resolve("m0").toString(),
                    "--name", "m0", "--initial-cluster", "m0=http://127.0.0.1:1", "--initial-advertise-peer-urls", "http://127.0.0.1:1"));
            try (LocalEtcd back = LocalEtcd.fromDataDir(restored, "m0")) {
                assertEquals(0, runbook(back, back.endpoints(), """
                        name: count
                        steps:
                          - {id: c, etcd.verify: {prefix: "/k/", expect_count: "10000"}}
                        """), out);
                assertEquals("v-9999", back.run(back.etcdctl(back.endpoints(), "get", "/k/9999", "--print-value-only")).trim());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"truncated", "flipped"})
    void aDamagedSnapshotIsRejected(String damage) throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("source")), 1, false)) {
            write(etcd, 200);
            Path snap = dir.resolve("snapshot.db");
            assertEquals(0, runbook(etcd, etcd.endpoints(), "name: s\nsteps:\n  - {etcd.snapshot: {dest: \"" + snap + "\"}}\n"), out);
            byte[] data = Files.readAllBytes(snap);
            Path bad = dir.resolve("bad.db");
            if (damage.equals("truncated")) {
                Files.write(bad, java.util.Arrays.copyOf(data, data.length - 4096));
            } else {
                data[data.length / 2] ^= 0x01;
                Files.write(bad, data);
            }
            assertEquals(1, runbook(etcd, etcd.endpoints(), "name: v\nsteps:\n  - {etcd.verify: {snapshot: \"" + bad + "\"}}\n"), out);
            assertTrue(out.contains("integrity check") || out.contains("ended early"), out);
        }
    }

    @org.junit.jupiter.api.Test
    void membershipAndMaintenanceOnOneMember() throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("one")), 1, false)) {
            write(etcd, 300);
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: maintenance
                    steps:
                      - {id: add, etcd.member_add: {name: spare, peer_urls: "http://127.0.0.1:1", learner: true}, register: added}
                      - {id: again, etcd.member_add: {name: spare, peer_urls: "http://127.0.0.1:1", learner: true}, register: again}
                      - {id: list, etcd.members: {}, register: m}
                      - id: check-add
                        assert:
                          that:
                            - "added.initial_cluster =~ '.*spare=http://127.0.0.1:1.*'"
                            - "added.initial_cluster_state == 'existing'"
                            - "again.changed == false"
                            - "m.count == 2"
                      - {id: remove, etcd.member_remove: {id: "{{added.id}}"}}
                      - {id: remove-again, etcd.member_remove: {id: "{{added.id}}"}, register: gone}
                      - {id: alarms, etcd.alarm: {action: list}, register: alarms}
                      - {id: compact, etcd.compact: {revision: latest}}
                      - {id: defrag, etcd.defrag: {member: "%E"}, register: defrag}
                      - id: check-rest
                        assert:
                          that: ["gone.removed == false", "alarms.count == 0", "defrag.db_size_after > 0"]
                    """.replace("%E", etcd.clientUrls.get(0))), out);
            assertTrue(out.contains("already removed"), out);
        }
    }

    static void write(LocalEtcd etcd, int n) throws Exception {
        // etcdctl txn batches (etcd allows 128 operations per txn): fast and independent of the code under test
        List<CompletableFuture<String>> batches = new ArrayList<>();
        for (int start = 0; start < n; start += 100) {
            StringBuilder txn = new StringBuilder("\n"); // no compares, then the puts as the success branch
            for (int i = start; i < Math.min(n, start + 100); i++) {
                txn.append("put /k/").append(i).append(" v-").append(i).append('\n');
            }
            txn.append("\n\n"); // end of the success branch, then an empty failure branch
            Path f = Files.writeString(Files.createTempFile(etcd.dir, "txn", ".txt"), txn);
            batches.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return etcd.run(List.of("bash", "-c", String.join(" ", etcd.etcdctl(etcd.endpoints(), "txn")) + " < " + f));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        batches.forEach(CompletableFuture::join);
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void peersSeesLiveRaftConnectionsAndWaitsUntilTheMemberIsAlone(boolean tls) throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("cluster")), 3, tls)) {
            String m0 = etcd.clientUrls.get(0);
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: peers
                    steps:
                      - {id: peers, etcd.peers: {member: "%s"}, register: p}
                      - {id: check, assert: {that: ["p.answered", "p.active == 2", "size(p.remotes) == 2"]}}
                    """.formatted(m0)), out);

            // its peers are alive: waiting for none gives up at the step's timeout, and says why
            assertEquals(1, runbook(etcd, etcd.endpoints(), """
                    name: peers
                    steps:
                      - {id: alone, etcd.peers: {member: "%s", until: alone, delay: 50ms}, timeout: 1s}
                    """.formatted(m0)), out);
            assertTrue(out.contains("still sees 2 active peer(s)"), out);

            // the other two go while it waits: it returns once it sees neither
            CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(700);
                    etcd.kill(1);
                    etcd.kill(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: peers
                    steps:
                      - {id: alone, etcd.peers: {member: "%s", until: alone}, timeout: 30s, register: a}
                      - {id: check, assert: {that: ["a.active == 0", "a.polls > 1"]}}
                    """.formatted(m0)), out);
            killer.get();
            assertTrue(out.contains("has no active peer (after"), out);

            // a member that does not answer is reported, not waited for
            etcd.kill(0);
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: peers
                    steps:
                      - {id: gone, etcd.peers: {member: "%s", until: alone, call_timeout: 1s}, register: g}
                      - {id: check, assert: {that: ["!g.answered"]}}
                    """.formatted(m0)), out);
            assertTrue(out.contains("does not answer"), out);
        }
    }

    @org.junit.jupiter.api.Test
    void aMemberStuckInItsPublishRetryIsToldApartFromOneThatIsDown() throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("stall")), 3, false)) {
            String m2 = etcd.clientUrls.get(2);
            String others = etcd.clientUrls.get(0) + "," + etcd.clientUrls.get(1);
            String id = etcd.run(etcd.etcdctl(others, "member", "list")).lines().filter(l -> l.contains(", m2, "))
                    .findFirst().orElseThrow().split(",")[0].trim();

            // frozen (SIGSTOP: its connections stay open, its peers' "active" gauge stays up, but no
            // raft traffic comes from it), and then down: never "stuck"; the wait runs out and names it
            long pid = etcd.members.get(2).pid();
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            try {
                assertEquals(1, runbook(etcd, etcd.endpoints(), """
                        name: frozen
                        steps:
                          - {id: h, etcd.health: {wait: all, stuck_after: 400ms, call_timeout: 300ms}, timeout: 3s}
                        """), out);
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
            }
            assertTrue(out.contains("2/3 healthy, 3 needed"), out);
            etcd.kill(2);
            assertEquals(1, runbook(etcd, etcd.endpoints(), """
                    name: down
                    steps:
                      - {id: h, etcd.health: {wait: all, stuck_after: 200ms, call_timeout: 300ms}, timeout: 2s}
                    """), out);
            assertTrue(out.contains("2/3 healthy, 3 needed"), out);

            // the lab's way to provoke the stall: the leader is told to hand over to m2 while m2 is
            // down, and drops every proposal until it gives up (an election timeout, 500ms here),
            // the first publish of m2, started meanwhile, among them
            Process move = new ProcessBuilder(etcd.etcdctl(others, "move-leader", id)).redirectErrorStream(true).start();
            Thread.sleep(50);
            etcd.restart(2);
            // the stall is real: m2 runs but does not serve
            assertEquals(1, runbook(etcd, etcd.endpoints(), """
                    name: stalled
                    steps:
                      - {id: h, etcd.health: {wait: all, call_timeout: 300ms}, timeout: 1500ms}
                    """), out);
            // ... and told apart from "down" well before etcd's own retry (~6 s after its start here)
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: stuck
                    steps:
                      - {id: h, etcd.health: {wait: all, stuck_after: 1s, call_timeout: 300ms}, timeout: 30s, register: h}
                      - {id: check, assert: {that: ["size(h.stuck) == 1", "h.stuck[0] == '%s'", "h.healthy_count == 2"]}}
                    """.formatted(m2)), out);
            assertTrue(out.contains("healthy; stuck in etcd's publish retry"), out);
            // etcdctl waits for a hand-over that was given up: no need to see it out
            move.destroy();
            move.waitFor();

            // once it serves (etcd's own retry), nothing is stuck
            assertEquals(0, runbook(etcd, etcd.endpoints(), """
                    name: healthy
                    steps:
                      - {id: all, etcd.health: {wait: all}, timeout: 30s}
                      - {id: h, etcd.health: {wait: all, stuck_after: 1s}, timeout: 30s, register: h}
                      - {id: check, assert: {that: ["size(h.stuck) == 0", "h.healthy_count == 3"]}}
                    """), out);
        }
    }

    @org.junit.jupiter.api.Test
    void activePeersAreReadFromThePrometheusPage() {
        String page = """
                # HELP etcd_network_active_peers The current number of active peer connections.
                # TYPE etcd_network_active_peers gauge
                etcd_network_active_peers{Local="a1",Remote="b2"} 1
                etcd_network_active_peers{Local="a1",Remote="c3"} 0
                etcd_network_active_peers_other{Remote="d4"} 1
                etcd_network_peer_sent_bytes_total{To="b2"} 123
                """;
        assertEquals(List.of("b2"), PeersAction.activeRemotes(page));
        assertEquals(List.of(), PeersAction.activeRemotes("etcd_network_active_peers{Local=\"a1\",Remote=\"b2\"} 0\n"));
        assertEquals(null, PeersAction.activeRemotes("etcd_server_has_leader 1\n"), "no gauge: nothing can be concluded");
    }
}
