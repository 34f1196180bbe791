package dev.runbook.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.runbook.parse.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalHashesTest {
    @TempDir
    Path dir;

    @Test
    void hostsCopyingOneFileShareOneHashAndAChangedFileIsHashedAgain() throws Exception {
        Path f = dir.resolve("snap.db");
        Files.write(f, new byte[3 << 20]);
        LocalHashes h = new LocalHashes();
        List<CompletableFuture<String>> hosts = List.of(1, 2, 3, 4).stream()
                .map(i -> CompletableFuture.supplyAsync(() -> h.sha256(f))).toList();
        for (CompletableFuture<String> c : hosts) {
            assertEquals(Hashes.sha256(f), c.join());
        }
        Files.write(f, new byte[(3 << 20) + 1]);
        assertNotEquals(hosts.get(0).join(), h.sha256(f));
        assertEquals(Hashes.sha256(f), h.sha256(f));
    }
}
