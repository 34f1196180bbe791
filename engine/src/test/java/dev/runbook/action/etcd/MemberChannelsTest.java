package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's per-member channels against real etcd members (TLS): kept within a step, across a restart, closed after. */
class MemberChannelsTest {
    @TempDir
    Path dir;

    @Test
    void aChannelKeptAcrossItsMembersRestartAnswersAgainAndStepsEndClosesThem() throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("c")), 3, true);
             EtcdClients clients = new EtcdClients()) {
            EtcdTarget t = new EtcdTarget(etcd.clientUrls, etcd.ca(), etcd.cert(), etcd.key(), Duration.ofSeconds(5));
            String ep = etcd.clientUrls.get(0);
            clients.beginStep();
            long id = EtcdClients.call(clients.status(t, ep), ep, "status", 5000).getHeader().getMemberId();
            assertNotNull(EtcdClients.call(clients.linearizableRead(t, ep, "health"), ep, "health", 5000));

            etcd.restart(0);
            etcd.waitHealthy();
            // the same kept channel: its connection died with the old process, the call still answers
            assertEquals(id, EtcdClients.call(clients.status(t, ep), ep, "status", 5000).getHeader().getMemberId());
            // every member's kept channel answers, and they agree (no writes in between)
            assertEquals(1, List.of(0, 1, 2).stream()
                    .map(i -> EtcdClients.call(clients.hashKV(t, etcd.clientUrls.get(i), 0), etcd.clientUrls.get(i), "hashkv", 5000))
                    .map(h -> h.getHash()).distinct().count());
            clients.endStep();

            // with no step running the channels are closed; the next step opens new ones
            clients.beginStep();
            assertEquals(id, EtcdClients.call(clients.status(t, ep), ep, "status", 5000).getHeader().getMemberId());
            clients.endStep();

            etcd.kill(1);
            String down = etcd.clientUrls.get(1);
            clients.beginStep();
            EtcdClients.EtcdException e = assertThrows(EtcdClients.EtcdException.class,
                    () -> EtcdClients.call(clients.status(t, down), down, "status", 3000));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(down), e.getMessage());
            clients.endStep();
        }
    }

    @Test
    void discardingOneMembersClientLeavesTheRunsOtherClientsWorking() throws Exception {
        try (LocalEtcd etcd = new LocalEtcd(Files.createDirectories(dir.resolve("d")), 1, false);
             EtcdClients clients = new EtcdClients()) {
            EtcdTarget t = new EtcdTarget(etcd.clientUrls, null, null, null, Duration.ofSeconds(5));
            String ep = etcd.clientUrls.get(0);
            EtcdClients.call(clients.member(t, ep).getKVClient().get(EtcdAction.bytes("x")), ep, "get", 5000);
            EtcdClients.call(clients.cluster(t).getClusterClient().listMember(), ep, "member list", 5000);
            // a failed probe drops that member's client (jetcd closes its event loops with it)
            clients.discard(t, ep);
            assertEquals(1, EtcdClients.call(clients.cluster(t).getClusterClient().listMember(), ep, "member list", 5000).getMembers().size());
            EtcdClients.call(clients.member(t, ep).getKVClient().get(EtcdAction.bytes("x")), ep, "get", 5000);
        }
    }
}
