package dev.runbook.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlDocTest {
    static final String MANIFEST = """
            apiVersion: v1
            kind: Pod
            metadata: {name: etcd}
            spec:
              containers:
              - name: etcd
                command:
                - etcd
                - --data-dir=/var/lib/etcd
                - --force-new-cluster
                volumeMounts:
                - {mountPath: /var/lib/etcd, name: etcd-data}
              volumes:
              - name: etcd-certs
                hostPath: {path: /etc/kubernetes/pki/etcd}
              - name: etcd-data
                hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}
            """;

    @Test
    void setsDataDirFlagAndHostPathTogether() {
        YamlDoc d = YamlDoc.parse(MANIFEST);
        d.set("spec.volumes[name=etcd-data].hostPath.path", "/var/lib/etcd-restored");
        d.flags("spec.containers[name=etcd].command", Map.of("--data-dir", "/var/lib/etcd-restored"), List.of("--force-new-cluster"));
        YamlDoc again = YamlDoc.parse(d.dump());
        assertEquals("/var/lib/etcd-restored", again.get("spec.volumes[name=etcd-data].hostPath.path"));
        assertEquals("/etc/kubernetes/pki/etcd", again.get("spec.volumes[0].hostPath.path"));
        assertEquals(List.of("etcd", "--data-dir=/var/lib/etcd-restored"), again.get("spec.containers[0].command"));
    }

    @Test
    void addsAMissingFlag() {
        YamlDoc d = YamlDoc.parse(MANIFEST);
        d.flags("spec.containers[0].command", Map.of("--initial-cluster-state", "existing"), List.of());
        List<?> cmd = (List<?>) d.get("spec.containers[0].command");
        assertEquals("--initial-cluster-state=existing", cmd.get(cmd.size() - 1));
    }

    @Test
    void aWrongPathSaysWhere() {
        YamlDoc d = YamlDoc.parse(MANIFEST);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.set("spec.volumes[name=data].hostPath.path", "/x"));
        assertTrue(e.getMessage().contains("name=data"), e.getMessage());
    }
}
