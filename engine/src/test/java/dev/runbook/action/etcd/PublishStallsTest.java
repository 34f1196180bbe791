package dev.runbook.action.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublishStallsTest {
    private static final long MS = 1_000_000L;
    private static final String A = "https://10.0.0.1:2379";
    private static final String B = "https://10.0.0.2:2379";

    @Test
    void stuckOnlyAfterTwoConnectedLooksSpanningStuckAfter() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        // one look spanning the whole second is not enough: the connection was seen only at its end
        assertEquals(List.of(), s.observe(List.of(A), Set.of(A), 0, 1000 * MS));
        assertEquals(List.of(A), s.observe(List.of(A), Set.of(A), 1200 * MS, 1700 * MS));
    }

    @Test
    void twoQuickLooksAreNotEnough() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        assertEquals(List.of(), s.observe(List.of(A), Set.of(A), 0, 100 * MS));
        assertEquals(List.of(), s.observe(List.of(A), Set.of(A), 300 * MS, 400 * MS));
        assertEquals(List.of(A), s.observe(List.of(A), Set.of(A), 600 * MS, 1000 * MS));
    }

    @Test
    void aMemberWithoutARaftConnectionIsNeverStuckAndStartsOver() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        assertEquals(List.of(), s.observe(List.of(A, B), Set.of(A), 0, 500 * MS));
        // A lost its connection (restarting?): its clock starts again; B was never connected
        assertEquals(List.of(), s.observe(List.of(A, B), Set.of(), 700 * MS, 1200 * MS));
        assertEquals(List.of(), s.observe(List.of(A, B), Set.of(A), 1400 * MS, 1900 * MS));
        assertEquals(List.of(A), s.observe(List.of(A, B), Set.of(A), 2100 * MS, 2600 * MS));
    }

    @Test
    void aMemberThatServedInBetweenStartsOver() {
        PublishStalls s = new PublishStalls(Duration.ofSeconds(1));
        assertEquals(List.of(), s.observe(List.of(A), Set.of(A), 0, 500 * MS));
        assertEquals(List.of(), s.observe(List.of(), Set.of(A), 700 * MS, 800 * MS));
        assertEquals(List.of(), s.observe(List.of(A), Set.of(A), 1000 * MS, 1500 * MS));
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
