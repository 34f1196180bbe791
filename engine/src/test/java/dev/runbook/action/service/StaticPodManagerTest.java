package dev.runbook.action.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static-pod scripts run by bash against a temp manifests dir: which services a host has, and stopping one that does not run. */
class StaticPodManagerTest {
    @TempDir
    Path dir;

    private String[] bash(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void aServiceIsInstalledWhenItsManifestIsLiveOrStashed() throws Exception {
        Path live = Files.createDirectories(dir.resolve("manifests"));
        Path stash = dir.resolve("manifests.stopped");
        Map<String, Object> vars = Map.of("static_pod_dir", live.toString(), "static_pod_stash", stash.toString());
        StaticPodManager m = new StaticPodManager();
        assertEquals("1", bash("( if " + m.installed("kube-apiserver", vars) + "; then exit 0; else exit 1; fi )")[0]);
        Files.createDirectories(stash);
        Files.writeString(stash.resolve("kube-apiserver.yaml"), "kind: Pod\n");
        assertEquals("0", bash("( if " + m.installed("kube-apiserver", vars) + "; then exit 0; else exit 1; fi )")[0]);
        // stopping a stashed pod whose process is gone: nothing to move, nothing to wait for (a
        // name no process on this machine has: a lab's stand-in API servers are visible here)
        Files.writeString(stash.resolve("rbtest-no-such-pod.yaml"), "kind: Pod\n");
        String[] r = bash(m.script("rbtest-no-such-pod", "stopped", vars, 1));
        assertEquals("0", r[0], r[1]);
        assertTrue(Files.exists(stash.resolve("rbtest-no-such-pod.yaml")));
    }

    @Test
    void aManifestsDirThatIsNotThereIsAnErrorNotAMissingService() throws Exception {
        Map<String, Object> vars = Map.of("static_pod_dir", dir.resolve("nope").toString());
        String[] r = bash("( if " + new StaticPodManager().installed("kube-apiserver", vars) + "; then echo yes; else echo no; fi )");
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("no manifests dir " + dir.resolve("nope") + " on this host: is static_pod_dir right?"), r[1]);
        assertFalse(r[1].contains("no\n"), r[1]);
    }

    @Test
    void etcdsProcessNameIsEtcdsOnly() {
        Map<String, Object> vars = Map.of("process_name", "etcd-custom");
        assertTrue(new StaticPodManager().script("etcd", "status", vars, 1).contains("pgrep -x etcd-custom"));
        assertTrue(new StaticPodManager().script("kube-apiserver", "status", vars, 1).contains("pgrep -x kube-apiserver"));
    }
}
