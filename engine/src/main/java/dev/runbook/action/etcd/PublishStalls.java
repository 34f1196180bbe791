package dev.runbook.action.etcd;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells which unhealthy members are stuck in etcd's publish retry rather than still starting, cut
 * off or down: a member whose raft is alive (a healthy member keeps receiving raft traffic from it:
 * its {@code etcd_network_peer_received_bytes_total} from that member grows between looks) but
 * which has served no client for {@code stuckAfter}. etcd serves clients only once the member's
 * first "publish" proposal has committed; when that proposal is dropped (its leader was handing
 * over leadership, or lost it), the member waits out etcd's request timeout (~7 s with the default
 * election timeout) before it proposes again, and serves nothing meanwhile. A normal publish
 * commits within a few heartbeats of the member's raft coming up. Growing bytes, not a live
 * connection: the peers' "active" gauge stays up for seconds after a link is cut.
 */
final class PublishStalls {
    /** A member's id (hex, as etcd's metrics label it) and its URLs, from the member list. */
    record MemberUrls(String id, List<String> peerUrls, List<String> clientUrls) {
    }

    private final long stuckAfterNanos;
    /** healthy endpoint -> (remote member id -> bytes received from it), as of the last look */
    private Map<String, Map<String, Double>> lastReceived = Map.of();
    /** unhealthy endpoint -> {start of the first look of its alive streak, looks in the streak} */
    private final Map<String, long[]> streaks = new HashMap<>();

    PublishStalls(java.time.Duration stuckAfter) {
        this.stuckAfterNanos = stuckAfter.toNanos();
    }

    /**
     * Records one look at the cluster: its probes started at {@code started} and ended at
     * {@code now} (nanoTime); {@code unhealthy} did not answer them; {@code idOf} gives their
     * member ids (null: unknown); {@code received} is, per healthy member that answered, the raft
     * bytes it has received from each member id so far. Returns the endpoints whose raft was alive
     * (bytes from them grew at some healthy member since the look before) in at least two looks in a
     * row, while unhealthy throughout, for {@code stuckAfter} counted from the first of them.
     */
    List<String> observe(Collection<String> unhealthy, Map<String, String> idOf, Map<String, Map<String, Double>> received,
            long started, long now) {
        List<String> stuck = new ArrayList<>();
        streaks.keySet().retainAll(unhealthy);
        for (String ep : unhealthy) {
            String id = idOf.get(ep);
            if (id == null || !grew(normalId(id), received)) {
                streaks.remove(ep);
                continue;
            }
            long[] streak = streaks.computeIfAbsent(ep, k -> new long[] {started, 0});
            streak[1]++;
            if (streak[1] >= 2 && now - streak[0] >= stuckAfterNanos) {
                stuck.add(ep);
            }
        }
        lastReceived = received;
        return stuck;
    }

    private boolean grew(String id, Map<String, Map<String, Double>> received) {
        for (Map.Entry<String, Map<String, Double>> e : received.entrySet()) {
            Double before = lastReceived.getOrDefault(e.getKey(), Map.of()).get(id);
            Double after = e.getValue().get(id);
            if (before != null && after != null && after > before) {
                return true;
            }
        }
        return false;
    }

    /**
     * The member id behind a client endpoint: the member that lists this client URL, else the only
     * member whose peer URL is on the endpoint's host (a restored member has published no client
     * URL yet); null when neither identifies one member.
     */
    static String memberOf(String endpoint, List<MemberUrls> members) {
        String want = trim(endpoint);
        for (MemberUrls m : members) {
            for (String c : m.clientUrls()) {
                if (trim(c).equals(want)) {
                    return m.id();
                }
            }
        }
        String host = host(endpoint);
        String found = null;
        for (MemberUrls m : members) {
            for (String p : m.peerUrls()) {
                if (host != null && host.equalsIgnoreCase(host(p))) {
                    if (found != null && !found.equals(m.id())) {
                        return null;
                    }
                    found = m.id();
                }
            }
        }
        return found;
    }

    /** etcd labels members in lowercase hex without leading zeros; compare ids in that form. */
    static String normalId(String id) {
        return id.toLowerCase(java.util.Locale.ROOT).replaceFirst("^0+(?=.)", "");
    }

    private static String trim(String url) {
        return url.replaceAll("/+$", "");
    }

    private static String host(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
