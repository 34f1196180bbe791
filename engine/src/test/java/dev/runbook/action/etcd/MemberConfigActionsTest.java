package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.action.YamlDoc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd.facts' program against fake etcd binaries, and etcd.flags' manifest edit (the flags and the data volume together). */
class MemberConfigActionsTest {
    static final String MANIFEST = """
            apiVersion: v1
            kind: Pod
            spec:
              containers:
              - name: etcd
                command:
                - etcd
                - --name=cp-1
                - --data-dir=/var/lib/etcd
                - --force-new-cluster=true
                volumeMounts:
                - mountPath: /var/lib/etcd
                  name: etcd-data
                - mountPath: /etc/kubernetes/pki/etcd
                  name: etcd-certs
              volumes:
              - hostPath: {path: /etc/kubernetes/pki/etcd, type: DirectoryOrCreate}
                name: etcd-certs
              - hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}
                name: etcd-data
            """;

    @Test
    void aNewDataDirMovesTheFlagTheMountAndTheHostPathTogether() {
        String out = FlagsAction.editManifest(MANIFEST, Map.of("data-dir", "/var/lib/etcd-new", "initial-cluster-token", "t1"),
                List.of("force-new-cluster"));
        YamlDoc d = YamlDoc.parse(out);
        List<?> cmd = (List<?>) d.get("spec.containers[name=etcd].command");
        assertTrue(cmd.contains("--data-dir=/var/lib/etcd-new"), out);
        assertTrue(cmd.contains("--initial-cluster-token=t1"), out);
        assertTrue(cmd.stream().noneMatch(a -> String.valueOf(a).startsWith("--force-new-cluster")), out);
        assertEquals("/var/lib/etcd-new", d.get("spec.containers[name=etcd].volumeMounts[name=etcd-data].mountPath"));
        assertEquals("/var/lib/etcd-new", d.get("spec.volumes[name=etcd-data].hostPath.path"));
        assertEquals("/etc/kubernetes/pki/etcd", d.get("spec.volumes[name=etcd-certs].hostPath.path"), "other volumes untouched");
    }

    @Test
    void nothingToChangeLeavesTheFileAsItIs() {
        assertNull(FlagsAction.editManifest(MANIFEST, Map.of("data-dir", "/var/lib/etcd", "name", "cp-1", "force-new-cluster", "true"), List.of()));
    }

    @Test
    void aDataDirNoVolumeMountsIsRefused() {
        String noMount = MANIFEST.replace("    - mountPath: /var/lib/etcd\n      name: etcd-data\n", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlagsAction.editManifest(noMount, Map.of("data-dir", "/var/lib/etcd-new"), List.of()));
        assertTrue(e.getMessage().contains("no volume of the etcd container is mounted at its --data-dir /var/lib/etcd"), e.getMessage());
    }

    @Test
    void flagNamesBecomeEtcdsEnvironmentVariables() {
        assertEquals("ETCD_INITIAL_CLUSTER_TOKEN", MemberConfig.envName("initial-cluster-token"));
        MemberConfig pod = MemberConfig.of(Map.of("service_manager", "static-pod", "static_pod_stash", "/srv/stash"));
        assertTrue(pod.staticPod());
        assertEquals("/srv/stash/etcd.yaml", pod.stashedManifest());
        assertEquals("/etc/etcd/etcd.env", MemberConfig.of(Map.of("service_manager", "systemd")).envFile());
    }

    @Test
    void factsFromAnEnvFileAndFromAStashedManifest(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        fake(bin.resolve("etcd"), "echo 'etcd Version: 3.5.21'");
        fake(bin.resolve("etcdutl"), "echo '  --bump-revision uint   How much to increase the latest revision after restore'");
        Path data = Files.createDirectories(dir.resolve("data with space/member"));
        Path env = dir.resolve("etcd.env");
        Files.writeString(env, "ETCD_NAME=x\nETCD_DATA_DIR=\"" + data.getParent() + "\"\n");
        Map<String, String> f = facts(bin, "env", env, dir.resolve("none.yaml"), dir.resolve("none2.yaml"));
        assertEquals("3.5.21", f.get("version"));
        assertEquals("etcdutl", f.get("tool"));
        assertEquals("true", f.get("bump"));
        assertEquals(data.getParent().toString(), f.get("data_dir"));
        assertEquals("true", f.get("has_data"));

        Files.delete(bin.resolve("etcdutl"));
        fake(bin.resolve("etcdctl"), "echo 'usage: etcdctl snapshot restore'");
        Path stashed = dir.resolve("stash.yaml");
        Files.writeString(stashed, MANIFEST);
        Map<String, String> p = facts(bin, "static-pod", env, dir.resolve("live.yaml"), stashed);
        assertEquals("etcdctl", p.get("tool"));
        assertEquals("false", p.get("bump"));
        assertEquals("/var/lib/etcd", p.get("data_dir"), "the stashed manifest's --data-dir while etcd is stopped");

        fake(bin.resolve("etcd"), "true"); // a broken or missing etcd: no version
        assertTrue(facts(bin, "env", env, stashed, stashed).get("error").startsWith("etcd is not installed on "));
    }

    private static Map<String, String> facts(Path bin, String style, Path env, Path manifest, Path stashed) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", FactsAction.SCRIPT + "etcd_facts \"$@\"", "facts",
                style, env.toString(), manifest.toString(), stashed.toString());
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Map<String, String> m = new java.util.LinkedHashMap<>();
        out.lines().forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return m;
    }

    private static void fake(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        file.toFile().setExecutable(true);
    }
}
