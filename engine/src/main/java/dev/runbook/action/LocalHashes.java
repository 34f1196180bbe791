package dev.runbook.action;

import dev.runbook.parse.Hashes;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sha256 of local files, computed once per run (a run resource): a copy of one file to every
 * member used to hash it once per host, in parallel, each pass reading the whole file (a 100 MiB
 * snapshot staged on 3 members: 300 MiB hashed). A file whose size or modification time changed
 * since is hashed again.
 */
final class LocalHashes implements AutoCloseable {
    private final Map<String, CompletableFuture<String>> sums = new ConcurrentHashMap<>();

    static LocalHashes of(StepContext ctx) {
        return ctx.resources().get("local-hashes", LocalHashes::new);
    }

    String sha256(Path file) {
        File f = file.toAbsolutePath().toFile();
        String key = f.getPath() + "|" + f.length() + "|" + f.lastModified();
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> first = sums.putIfAbsent(key, mine);
        if (first != null) {
            try {
                return first.join(); // another host's step is hashing it: wait for that
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            mine.complete(Hashes.sha256(file));
        } catch (RuntimeException e) {
            sums.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
        return mine.join();
    }

    @Override
    public void close() {
        sums.clear();
    }
}
