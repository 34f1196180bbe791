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
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> first = sums.putIfAbsent(key(file), mine);
        if (first != null) {
            try {
                return first.join(); // another host's step, or the warm-up, is hashing it: wait for that
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        hash(file, mine);
        return mine.join();
    }

    /**
     * Queues {@code file} for hashing on this run's hashing thread and returns at once; a later
     * {@link #sha256} of the same file waits for that hash instead of reading the file again. For
     * the run's warm-up: the hash then overlaps the connections, not the uploads (the step still
     * has its hash before anything moves), and does not hold up the warm-up of the steps after it.
     * One thread, files in the order asked: a runbook copying many files reads one at a time.
     * Returns the hash to come (failed when the file cannot be read).
     */
    CompletableFuture<String> prefetch(Path file) {
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> first = sums.putIfAbsent(key(file), mine);
        if (first != null) {
            return first;
        }
        hasher().execute(() -> {
            try {
                hash(file, mine);
            } catch (RuntimeException e) {
                // the step hashes again and reports it
            }
        });
        return mine;
    }

    private java.util.concurrent.ExecutorService hasher;

    private synchronized java.util.concurrent.ExecutorService hasher() {
        if (hasher == null) {
            hasher = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "runbook-hash");
                t.setDaemon(true);
                return t;
            });
        }
        return hasher;
    }

    private static String key(Path file) {
        File f = file.toAbsolutePath().toFile();
        return f.getPath() + "|" + f.length() + "|" + f.lastModified();
    }

    private void hash(Path file, CompletableFuture<String> into) {
        try {
            into.complete(Hashes.sha256(file));
        } catch (RuntimeException e) {
            // forgotten, so that a later call tries again and reports it
            sums.remove(key(file), into);
            into.completeExceptionally(e);
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (hasher != null) {
            hasher.shutdownNow();
        }
        sums.clear();
    }
}
