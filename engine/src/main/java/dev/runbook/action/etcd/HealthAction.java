package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code etcd.health}: is each endpoint able to serve a linearizable read (what {@code etcdctl
 * endpoint health} checks)? Without {@code wait} it checks once and needs every endpoint healthy;
 * {@code wait: quorum|all|<n>} polls until that many are healthy or the step's {@code timeout}
 * (default 60s) passes, telling the operator who is still missing. With {@code stuck_after} the
 * wait also ends, successfully, once every missing member is stuck in etcd's publish retry (see
 * {@link PublishStalls}) while the healthy ones alone are a quorum; those are registered as
 * {@code stuck} and {@code stuck_hosts}, for a step that restarts them (a restarted member
 * publishes again at once instead of serving nothing for ~7 s).
 */
final class HealthAction extends EtcdAction {
    private final dev.runbook.template.Template wait;
    private final Duration stuckAfter;

    private HealthAction(EtcdTarget.Spec spec, dev.runbook.template.Template wait, Duration stuckAfter) {
        super(spec);
        this.wait = wait;
        this.stuckAfter = stuckAfter;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.health");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        String wait = f.string("wait", null);
        if (wait != null && !wait.contains("{{") && !valid(wait)) {
            throw RunbookException.invalid(f.at("wait"), "wait must be quorum, all or a number of members, not '" + wait + "'", null);
        }
        Duration stuckAfter = f.duration("stuck_after", null);
        if (stuckAfter != null && wait == null) {
            throw RunbookException.invalid(f.at("stuck_after"), "stuck_after needs wait: it ends a wait early",
                    "add wait: all (every member, or the ones stuck in etcd's publish retry)");
        }
        f.finish();
        return new HealthAction(spec, wait == null ? null : dev.runbook.template.Templates.text(wait, f.at("wait")), stuckAfter);
    }

    private static boolean valid(String wait) {
        return wait.equals("quorum") || wait.equals("all") || wait.matches("\\d+");
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        return List.of("etcd health of " + cluster + (wait == null ? ": every endpoint must be healthy"
                : ": wait until " + ctx.render(wait) + " healthy (up to " + timeout(ctx, Duration.ofSeconds(60)).toSeconds() + "s)"
                + (stuckAfter == null ? "" : ", or until each missing member is stuck in etcd's publish retry (raft traffic, no client served for "
                        + stuckAfter.toMillis() + "ms) while a quorum serves")));
    }

    static int needed(String wait, int total) {
        if (wait == null || wait.equals("all")) {
            return total;
        }
        return wait.equals("quorum") ? total / 2 + 1 : Math.min(total, Integer.parseInt(wait));
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        String wait = this.wait == null ? null : ctx.render(this.wait).trim();
        if (wait != null && !valid(wait)) {
            return ActionResult.failed("wait must be quorum, all or a number of members, not '" + wait + "'");
        }
        int need = needed(wait, target.endpoints().size());
        long deadline = System.nanoTime() + timeout(ctx, Duration.ofSeconds(60)).toNanos();
        Map<String, String> last;
        Map<String, String> names = null;
        PublishStalls stalls = stuckAfter == null ? null : new PublishStalls(stuckAfter);
        // a stuck member accepts connections and answers nothing: each probe of it lasts its whole
        // timeout, so the looks at the cluster would be a call timeout (5s) apart; two looks within
        // stuck_after need probes that give up after half of it
        EtcdTarget probes = target;
        if (stalls != null) {
            Duration half = stuckAfter.dividedBy(2);
            half = half.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : half;
            if (half.compareTo(target.callTimeout()) < 0) {
                probes = target.withCallTimeout(half);
            }
        }
        List<PublishStalls.MemberUrls> members = null; // read once, when a member is first missing
        int tries = 0;
        while (true) {
            tries++;
            long started = System.nanoTime();
            last = check(ctx, probes);
            long healthy = last.values().stream().filter(v -> v == null).count();
            if (healthy >= need) {
                return ActionResult.ok(false, healthy + "/" + last.size() + " healthy", result(last, tries, List.of(), List.of()));
            }
            if (names == null) {
                names = hostsByAddress(ctx);
            }
            Map<String, String> byAddress = names;
            // a member stuck in its publish retry is only worth a restart when the others hold a
            // quorum without it (its restart then costs no availability)
            if (stalls != null && healthy >= needed("quorum", last.size())) {
                List<String> missing = last.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).toList();
                List<String> healthyEps = last.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
                if (members == null) {
                    members = memberList(ctx, target, healthyEps.get(0));
                }
                Map<String, String> idOf = new HashMap<>();
                for (String ep : missing) {
                    String id = members == null ? null : PublishStalls.memberOf(ep, members);
                    if (id != null) {
                        idOf.put(ep, id);
                    }
                }
                List<String> stuck = stalls.observe(missing, idOf, received(EtcdClients.of(ctx), target, healthyEps), started, System.nanoTime());
                if (stuck.size() == missing.size()) {
                    return ActionResult.ok(false, healthy + "/" + last.size() + " healthy; stuck in etcd's publish retry (raft traffic, nothing served in "
                            + stuckAfter.toMillis() + "ms; etcd proposes again only ~7 s after its start): "
                            + String.join(", ", stuck.stream().map(ep -> named(byAddress, ep)).toList()),
                            result(last, tries, stuck, stuck.stream().map(ep -> hostOf(byAddress, ep)).filter(h -> h != null).toList()));
                }
            }
            List<String> bad = last.entrySet().stream().filter(e -> e.getValue() != null)
                    .map(e -> named(byAddress, e.getKey()) + ": " + e.getValue()).toList();
            // every missing member refused our certificate or showed one our CA did not sign: waiting cannot change that
            boolean tls = last.values().stream().filter(v -> v != null).allMatch(EtcdClients::isTlsFailure);
            if (wait == null || tls || ctx.cancelled() || System.nanoTime() > deadline) {
                String origin = tls ? EtcdClients.of(ctx).tlsOrigin(target) : null;
                ActionResult r = ActionResult.failed(healthy + "/" + last.size() + " healthy, " + need + " needed"
                        + (wait == null ? "" : " after " + tries + " checks") + "; unhealthy: " + String.join("; ", bad)
                        + (origin == null ? "" : "; TLS material: " + origin));
                return new ActionResult(true, false, 1, "", "", r.msg(), result(last, tries, List.of(), List.of()), false);
            }
            ctx.progress("etcd health: " + healthy + "/" + last.size() + " healthy, waiting for " + wait + "; not yet: "
                    + String.join(", ", bad.stream().map(b -> b.substring(0, b.indexOf(": "))).toList()));
            try {
                // probes fail fast (a refused connection does not retry inside the call), and a
                // probe on a kept channel costs ~2 ms: look again soon, a member's readiness is the
                // RTO; a look that waited for a probe's timeout has waited already
                Thread.sleep(Math.max(0, 200 - (System.nanoTime() - started) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ActionResult.failed("interrupted");
            }
        }
    }

    /** Inventory host names by address, so messages say "etcd-03 (https://10.0.0.13:2379)", not only the URL. */
    private static Map<String, String> hostsByAddress(StepContext ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        if (ctx.scope().get("hostvars") instanceof Map<?, ?> hv) {
            hv.forEach((name, vars) -> {
                if (vars instanceof Map<?, ?> v && v.get("address") != null) {
                    out.putIfAbsent(String.valueOf(v.get("address")), String.valueOf(name));
                }
            });
        }
        return out;
    }

    private static String named(Map<String, String> byAddress, String endpoint) {
        String name = hostOf(byAddress, endpoint);
        return name == null ? endpoint : name + " (" + endpoint + ")";
    }

    /** endpoint -> null when healthy, else why not. Endpoints are checked in parallel. */
    static Map<String, String> check(StepContext ctx, EtcdTarget target) {
        EtcdClients clients = EtcdClients.of(ctx);
        Map<String, CompletableFuture<String>> futures = new LinkedHashMap<>();
        for (String ep : target.endpoints()) {
            futures.put(ep, CompletableFuture.supplyAsync(() -> probe(clients, target, ep)));
        }
        Map<String, String> out = new LinkedHashMap<>();
        futures.forEach((ep, f) -> out.put(ep, f.join()));
        return out;
    }

    static String probe(EtcdClients clients, EtcdTarget target, String ep) {
        try {
            // a linearizable read needs the member to be part of a working quorum, as etcdctl's check does
            EtcdClients.call(clients.linearizableRead(target, ep, "health"), ep, "health", millis(target.callTimeout()));
            return null;
        } catch (EtcdClients.EtcdException e) {
            String m = e.getMessage();
            if (m.contains("permission denied")) {
                return null;
            }
            clients.discard(target, ep);
            return m.replace("health: ", "").replace(" on " + ep, "");
        }
    }

    /** The member list as a healthy member sees it; null when it does not answer (nothing is then called stuck). */
    private static List<PublishStalls.MemberUrls> memberList(StepContext ctx, EtcdTarget target, String endpoint) {
        try {
            return EtcdClients.call(EtcdClients.of(ctx).member(target, endpoint).getClusterClient().listMember(), endpoint, "member list",
                    millis(target.callTimeout())).getMembers().stream()
                    .map(m -> new PublishStalls.MemberUrls(hex(m.getId()), m.getPeerURIs().stream().map(java.net.URI::toString).toList(),
                            m.getClientURIs().stream().map(java.net.URI::toString).toList())).toList();
        } catch (EtcdClients.EtcdException e) {
            return null;
        }
    }

    /** Per healthy member that answers its /metrics, the raft bytes it has received from each member id so far. */
    private static Map<String, Map<String, Double>> received(EtcdClients clients, EtcdTarget target, List<String> healthy) {
        Map<String, Map<String, Double>> out = new HashMap<>();
        for (String ep : healthy) {
            try {
                out.put(ep, PeersAction.receivedBytes(PeersAction.fetch(clients, target, ep)));
            } catch (java.io.IOException | RuntimeException e) {
                // this member's view is missing from this look; another healthy member may tell
            }
        }
        return out;
    }

    private Map<String, Object> result(Map<String, String> health, int tries, List<String> stuck, List<String> stuckHosts) {
        Map<String, Object> r = result(health, tries);
        if (stuckAfter != null) {
            r.put("stuck", stuck);
            r.put("stuck_hosts", stuckHosts);
        }
        return r;
    }

    private static String hostOf(Map<String, String> byAddress, String endpoint) {
        try {
            String host = java.net.URI.create(endpoint).getHost();
            return host == null ? null : byAddress.get(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, Object> result(Map<String, String> health, int tries) {
        List<String> healthy = new ArrayList<>();
        Map<String, Object> unhealthy = new LinkedHashMap<>();
        health.forEach((ep, err) -> {
            if (err == null) {
                healthy.add(ep);
            } else {
                unhealthy.put(ep, err);
            }
        });
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("healthy", healthy);
        r.put("unhealthy", unhealthy);
        r.put("healthy_count", healthy.size());
        r.put("total", health.size());
        r.put("checks", tries);
        return r;
    }
}
