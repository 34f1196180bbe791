package dev.runbook.memo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoTest {
    @Test
    void concurrentCallersOfOneKeyGetTheOneValueMadeOnce() throws Exception {
        Memo<String, Object> memo = new Memo<>();
        AtomicInteger made = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Object>> callers = java.util.stream.IntStream.range(0, 8).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return memo.get("k", k -> {
                made.incrementAndGet();
                return new Object();
            });
        })).toList();
        go.countDown();
        Object first = callers.get(0).get();
        for (CompletableFuture<Object> c : callers) {
            assertSame(first, c.get());
        }
        assertEquals(1, made.get());
        assertEquals(List.of(first), memo.made());
    }

    @Test
    void aFailureIsKeptAndThrownToEveryLaterCallerWithoutMakingAgain() {
        Memo<String, String> memo = new Memo<>();
        AtomicInteger tries = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> memo.get("down", k -> {
                tries.incrementAndGet();
                throw new IllegalStateException(k + " is unreachable");
            }));
            assertEquals("down is unreachable", e.getMessage());
        }
        assertEquals(1, tries.get());
        assertEquals("up", memo.get("other", k -> "up"), "other keys are not affected");
        assertEquals(List.of("up"), memo.made());
    }
}
