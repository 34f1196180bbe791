package dev.runbook.action.etcd;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells which unhealthy members are stuck in etcd's publish retry rather than still starting or
 * down: a member whose raft runs (a healthy member holds a live raft connection with it) but which
 * has served no client for {@code stuckAfter}. etcd serves clients only once the member's first
 * "publish" proposal has committed; when that proposal is dropped (its leader was handing over
 * leadership, or lost it), the member waits out etcd's request timeout (~7 s with the default
 * election timeout) before it proposes again, and serves nothing meanwhile. A normal publish
 * commits within a few heartbeats of the raft connection coming up.
 */
final class PublishStalls {
    /** A member's id (hex, as etcd's metrics label it) and its URLs, from the member list. */
    record MemberUrls(String id, List<String> peerUrls, List<String> clientUrls) {
    }

    private final long stuckAfterNanos;
    private final Map<String, long[]> unserved = new HashMap<>(); // endpoint -> {since, looks}

    PublishStalls(java.time.Duration stuckAfter) {
        this.stuckAfterNanos = stuckAfter.toNanos();
    }

    /**
     * Records one look at the cluster: its probes started at {@code started} and ended at
     * {@code now} (nanoTime), {@code unhealthy} did not answer them, and {@code connected} are those
     * a healthy member saw as a live raft peer at the end. Returns the endpoints that have been
     * unhealthy and connected in at least two looks in a row, for {@code stuckAfter} counted from
     * the start of the first: a member seen without a raft connection, or healthy, starts over.
     */
    List<String> observe(Collection<String> unhealthy, Set<String> connected, long started, long now) {
        unserved.keySet().removeIf(ep -> !connected.contains(ep) || !unhealthy.contains(ep));
        List<String> stuck = new ArrayList<>();
        for (String ep : unhealthy) {
            if (!connected.contains(ep)) {
                continue;
            }
            long[] u = unserved.computeIfAbsent(ep, k -> new long[] {started, 0});
            u[1]++;
            if (u[1] >= 2 && now - u[0] >= stuckAfterNanos) {
                stuck.add(ep);
            }
        }
        return stuck;
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
