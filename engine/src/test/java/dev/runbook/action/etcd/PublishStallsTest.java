package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishStallsTest {
    private static final long MS = 1_000_000L;
    private static final String A = "https://10.0.0.1:2379";
    private static final String B = "https://10.0.0.2:2379";

    private static final String H = "https://10.0.0.9:2379"; // a healthy member
    private static final Map<String, String> IDS = Map.of(A, "a1", B, "b2");

    /** A healthy member's received-bytes view: a1's and b2's counters. */
    private static Map<String, Map<String, Double>> seen(double fromA, double fromB) {
        return Map.of(H, Map.of("a1", fromA, "b2", fromB));
    }

    @Test
    void stuckOnlyAfterTwoLooksOfGrowingRaftTrafficSpanningStuckAfter() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        // the first look is the counters' baseline: nothing can have grown yet
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(100, 0), 0, 500 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(200, 0), 700 * MS, 1200 * MS));
        assertEquals(List.of(A), s.observe(List.of(A), IDS, seen(300, 0), 1400 * MS, 1900 * MS));
    }

    @Test
    void twoQuickLooksAreNotEnough() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(100, 0), 0, 100 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(110, 0), 200 * MS, 300 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(120, 0), 400 * MS, 500 * MS));
        assertEquals(List.of(A), s.observe(List.of(A), IDS, seen(130, 0), 1000 * MS, 1300 * MS));
    }

    @Test
    void aMemberWhoseTrafficStoppedIsNeverStuck() {
        // a cut link or a frozen process: its peers' counters stop, though their "active" gauge stays up for seconds
        PublishStalls s = new PublishStalls(Duration.ofMillis(500));
        for (int i = 0; i < 10; i++) {
            assertEquals(List.of(), s.observe(List.of(A, B), IDS, seen(100, 50), i * 600 * MS, (i * 600 + 500) * MS));
        }
    }

    @Test
    void aPauseInTrafficStartsTheStreakOver() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(100, 0), 0, 500 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(200, 0), 700 * MS, 1200 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(200, 0), 1400 * MS, 1900 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(300, 0), 2100 * MS, 2600 * MS));
        assertEquals(List.of(A), s.observe(List.of(A), IDS, seen(400, 0), 2800 * MS, 3300 * MS));
    }

    @Test
    void aMemberThatServedInBetweenStartsOver() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(100, 0), 0, 500 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(200, 0), 700 * MS, 1200 * MS));
        assertEquals(List.of(), s.observe(List.of(), IDS, seen(300, 0), 1400 * MS, 1500 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, seen(400, 0), 1700 * MS, 2200 * MS));
    }

    @Test
    void trafficSeenByAnyHealthyMemberCounts() {
        // a stuck follower talks to the leader only; the other follower's counter for it stays put
        PublishStalls s = new PublishStalls(Duration.ofMillis(500));
        String leader = "https://10.0.0.8:2379";
        assertEquals(List.of(), s.observe(List.of(A), IDS, Map.of(H, Map.of("a1", 5.0), leader, Map.of("a1", 100.0)), 0, 300 * MS));
        assertEquals(List.of(), s.observe(List.of(A), IDS, Map.of(H, Map.of("a1", 5.0), leader, Map.of("a1", 200.0)), 400 * MS, 700 * MS));
        assertEquals(List.of(A), s.observe(List.of(A), IDS, Map.of(H, Map.of("a1", 5.0), leader, Map.of("a1", 300.0)), 800 * MS, 1100 * MS));
        // a member whose id is unknown is never stuck
        PublishStalls u = new PublishStalls(Duration.ofMillis(1));
        for (int i = 1; i < 4; i++) {
            assertEquals(List.of(), u.observe(List.of(B), Map.of(), seen(0, i * 100), i * 10 * MS, (i * 10 + 5) * MS));
        }
    }

    @Test
    void theMemberIsFoundByClientUrlElseByTheOnlyPeerUrlOnItsHost() {
        var published = new PublishStalls.MemberUrls("a1", List.of("https://10.0.0.1:2380"), List.of("https://10.0.0.1:2379/"));
        var restored = new PublishStalls.MemberUrls("b2", List.of("https://10.0.0.2:2380"), List.of());
        assertEquals("a1", PublishStalls.memberOf(A, List.of(published, restored)));
        assertEquals("b2", PublishStalls.memberOf(B, List.of(published, restored)));
        assertNull(PublishStalls.memberOf("https://10.0.0.3:2379", List.of(published, restored)));
        // two unpublished members on one host (test clusters on loopback): not told apart, so none
        var other = new PublishStalls.MemberUrls("c3", List.of("https://10.0.0.2:2381"), List.of());
        assertNull(PublishStalls.memberOf(B, List.of(restored, other)));
    }

    @Test
    void idsCompareAsEtcdLabelsThem() {
        assertEquals("892506a35bbc150", PublishStalls.normalId("0892506A35BBC150"));
        assertEquals("0", PublishStalls.normalId("000"));
    }
}
