package dev.runbook.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressThrottleTest {
    @Test
    void repeatsAreShownOncePerIntervalNewTextAtOnce() {
        List<String> shown = new ArrayList<>();
        AtomicLong now = new AtomicLong(1000);
        ProgressThrottle t = new ProgressThrottle(shown::add, 5000, now::get);
        t.accept("waiting for etcd-02");
        now.addAndGet(300);
        t.accept("waiting for etcd-02");
        t.accept("waiting for etcd-03");
        now.addAndGet(5000);
        t.accept("waiting for etcd-02");
        assertEquals(List.of("waiting for etcd-02", "waiting for etcd-03", "waiting for etcd-02"), shown);
    }
}
