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
        // a prefetch that failed is forgotten: once the path is readable (same size and time, so the
        // same key), the step's own call hashes it instead of repeating the old failure
        Path flaky = Files.createDirectory(dir.resolve("flaky.db"));
        long size = flaky.toFile().length();
        java.nio.file.attribute.FileTime when = Files.getLastModifiedTime(flaky);
        org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class, () -> h.prefetch(flaky).join());
        Files.delete(flaky);
        Files.write(flaky, new byte[(int) size]);
        Files.setLastModifiedTime(flaky, when);
        assertEquals(Hashes.sha256(flaky), h.sha256(flaky));
    }
}
