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

    @Test
    void aHashStartedByTheWarmUpIsTheOneTheStepGets() throws Exception {
        Path f = dir.resolve("big.db");
        Files.write(f, new byte[8 << 20]);
        LocalHashes h = new LocalHashes();
        String before = Hashes.sha256(f);
        CompletableFuture<String> started = h.prefetch(f);
        assertEquals(started, h.prefetch(f), "a second step copying the same file starts nothing more");
        assertEquals(before, started.join());
        // other bytes, same size and time: a step that hashed the file itself would see them
        java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(f);
        byte[] other = new byte[8 << 20];
        other[0] = 1;
        Files.write(f, other);
        Files.setLastModifiedTime(f, t);
        assertEquals(before, h.sha256(f), "the step got the warm-up's hash, not a second pass over the file");
        Path missing = dir.resolve("missing.db");
        h.prefetch(missing);
        // the failed prefetch is forgotten: the step's own call reports the error, it does not hang
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> h.sha256(missing));
        Files.write(missing, new byte[] {1});
        assertEquals(Hashes.sha256(missing), h.sha256(missing));
    }
}
