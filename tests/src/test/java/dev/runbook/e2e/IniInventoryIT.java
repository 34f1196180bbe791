package dev.runbook.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An existing Ansible inventory, unchanged: the lab described as an INI file with group_vars/ and
 * host_vars/ beside it (as operators keep theirs), and a backup then restore-3node run from it,
 * the cluster back to exactly the snapshot's 10,000 keys.
 */
@ExtendWith(Lab.class)
class IniInventoryIT {
    @Test
    void aRestoreRunsFromAnIniInventoryWithGroupVarsAndHostVars() throws Exception {
        Lab.fresh(Lab.Shape.shared());
        Path dir = Files.createDirectories(Lab.REPO.resolve("tests/target/ini-inventory-it"));
        Files.createDirectories(dir.resolve("group_vars"));
        Files.createDirectories(dir.resolve("host_vars"));
        String subnet = Lab.env("SUBNET");
        List<String> members = List.of(Lab.env("LAB_MEMBERS").split(" "));
        StringBuilder ini = new StringBuilder("# the lab as an operator's Ansible inventory\n[etcd]\n");
        for (int i = 0; i < members.size(); i++) {
            ini.append(members.get(i)).append(" ansible_host=").append(subnet).append('.').append(11 + i).append('\n');
            String url = "https://" + subnet + "." + (11 + i);
            Files.writeString(dir.resolve("host_vars/" + members.get(i) + ".yml"), "etcd_name: " + members.get(i) + "\netcd_peer_url: " + url
                    + ":2380\netcd_client_url: " + url + ":2379\n");
        }
        ini.append("\n[etcd:vars]\nservice_manager=script\n\n[control_plane:children]\netcd\n");
        Path inv = dir.resolve("hosts");
        Files.writeString(inv, ini.toString());
        Path pki = Lab.STATE.resolve("pki");
        Files.writeString(dir.resolve("group_vars/all.yml"), String.join("\n",
                "ansible_user: root",
                "ansible_ssh_private_key_file: " + Lab.sshDir().resolve("id_ed25519"),
                "ansible_ssh_common_args: \"-o UserKnownHostsFile=" + Lab.sshDir().resolve("known_hosts") + "\"",
                "etcd_ca: " + pki.resolve("ca.crt"),
                "etcd_cert: " + pki.resolve("client.crt"),
                "etcd_key: " + pki.resolve("client.key"),
                "backup_dir: /var/backups/etcd",
                "cluster_name: lab", ""));

        // runbook reads it as Ansible does
        Cmd.Result listed = Cmd.runbook("inventory", "--list", "-i", inv.toString());
        assertEquals(0, listed.exit(), listed.all());
        assertTrue(listed.out().contains("\"etcd_client_url\" : \"https://" + subnet + ".12:2379\""), listed.out());

        String eps = Lab.endpoints();
        Lab.putKeys(dir, eps, "/ini/", 10_000);
        Cmd.Result b = Cmd.runbook("apply", "runbooks/backup.yml", "-i", inv.toString(), "-e", "backup_root=" + dir.resolve("backups"));
        assertEquals(0, b.exit(), b.all());
        Path snap = Lab.snapshotOf(b);
        List<String> damage = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            damage.add("del /ini/k" + i);
        }
        Lab.txn(dir, eps, damage);
        Path inputs = dir.resolve("inputs.yml");
        Files.writeString(inputs, "snapshot: " + snap + "\n");
        Cmd.Result r = Cmd.runbook("apply", "runbooks/restore-3node.yml", "-i", inv.toString(), "-e", "@" + inputs, "--yes");
        assertEquals(0, r.exit(), r.all());
        assertEquals(10_000, Lab.countKeys(eps, "/ini/"));
        assertEquals("v42", Lab.etcdctl(eps, "get", "/ini/k42", "--print-value-only").out().trim());
        List<String> hashes = Lab.hashes(eps);
        assertEquals(3, hashes.size());
        assertEquals(1, hashes.stream().distinct().count(), "members agree");
    }
}
