package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The lab's fault verbs do what drills rely on, and each fault can be undone. */
@ExtendWith(Lab.class)
class LabFaultVerbsIT {
    static String endpoint(String host) throws Exception {
        int n = Integer.parseInt(host.substring(host.length() - 2));
        return "https://" + Lab.env("SUBNET") + "." + (10 + n) + ":2379";
    }

    static boolean healthy(String host) throws Exception {
        return Lab.etcdctl(endpoint(host), "endpoint", "health").exit() == 0;
    }

    @Test
    void powerOffAndBootAHost() throws Exception {
        assertEquals(0, Lab.script("fault", "poweroff", "etcd-03").exit());
        assertTrue(Lab.ssh("etcd-03", "true").exit() != 0, "a powered-off host does not answer ssh");
        assertTrue(!healthy("etcd-03"));
        assertTrue(healthy("etcd-01"), "two of three members keep the quorum");
        assertEquals(0, Lab.script("fault", "boot", "etcd-03").exit());
        Lab.waitFor("etcd-03 back with its data", 60, () -> healthy("etcd-03"));
        // the host's init starts its boot-time services (etcd) first, then sshd: etcd can serve a
        // moment before sshd listens, as on a real host booting
        Lab.waitFor("etcd-03 answers ssh", 30, () -> Lab.ssh("etcd-03", "true").exit() == 0);
        assertEquals("etcd-03", Lab.sshOk("etcd-03", "hostname").trim());
    }

    @Test
    void cutAndRestoreALink() throws Exception {
        assertEquals(0, Lab.script("fault", "cut-link", "etcd-02").exit());
        try {
            assertTrue(Lab.ssh("etcd-02", "true").exit() != 0, "no route to a host whose link is down");
        } finally {
            assertEquals(0, Lab.script("fault", "restore-link", "etcd-02").exit());
        }
        Lab.waitFor("etcd-02 reachable again", 30, () -> Lab.ssh("etcd-02", "true").exit() == 0);
        Lab.waitFor("etcd-02 healthy again", 60, () -> healthy("etcd-02"));
    }

    @Test
    void killAndRestartEtcd() throws Exception {
        assertEquals(0, Lab.script("fault", "kill-etcd", "etcd-01").exit());
        Lab.waitFor("etcd gone on etcd-01", 10, () -> Lab.ssh("etcd-01", "pidof etcd").exit() != 0);
        Lab.sshOk("etcd-01", "/etc/init.d/etcd start");
        Lab.waitFor("etcd-01 healthy again", 60, () -> healthy("etcd-01"));
        assertEquals(0, Lab.script("fault", "stop-etcd", "etcd-01").exit());
        assertTrue(Lab.ssh("etcd-01", "pidof etcd").exit() != 0);
        Lab.sshOk("etcd-01", "/etc/init.d/etcd start");
        Lab.waitFor("etcd-01 healthy again", 60, () -> healthy("etcd-01"));
    }

    @Test
    void wipeDataOnTheSpare() throws Exception {
        String dir = Lab.sshOk("etcd-04", ". /etc/etcd/etcd.env; echo $ETCD_DATA_DIR").trim();
        Lab.sshOk("etcd-04", "mkdir -p " + dir + "/member/snap && touch " + dir + "/member/snap/db");
        assertEquals(0, Lab.script("fault", "wipe-data", "etcd-04").exit());
        assertTrue(Lab.ssh("etcd-04", "test -e " + dir + "/member").exit() != 0);
    }
}
