package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code etcd.status}: per member version, id, leader, raft term/index, db size and in-use, learner
 * flag; plus facts runbooks branch on: {@code leader_endpoint}, {@code version} (the lowest),
 * {@code has_etcdutl} (3.5+), {@code can_bump_revision} (3.4.27+, 3.5.10+), and
 * {@code hosts_followers_first}: the inventory hosts of the members, leader last (for rolling
 * maintenance such as defragmentation), and {@code leader_host}: the leader's inventory host, ""
 * when no member answers as leader (stopping it last avoids etcd's leader transfer to a member
 * that is itself stopping, a 7 s stall).
 * A member that does not answer fails the step unless {@code allow_unreachable: true}.
 */
final class StatusAction extends EtcdAction {
    private final boolean allowUnreachable;

    private StatusAction(EtcdTarget.Spec spec, boolean allowUnreachable) {
        super(spec);
        this.allowUnreachable = allowUnreachable;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.status");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        boolean allow = f.bool("allow_unreachable", false);
        f.finish();
        return new StatusAction(spec, allow);
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        return List.of("etcd status of every member of " + cluster + " (read-only)");
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        Map<String, Object> r = collect(ctx, target);
        @SuppressWarnings("unchecked") Map<String, String> errors = (Map<String, String>) r.get("errors");
        if (!errors.isEmpty() && !allowUnreachable) {
            return new ActionResult(true, false, 1, "", "", "no status from " + errors, r, false);
        }
        return ActionResult.ok(false, "version " + r.get("version") + ", leader " + r.get("leader_endpoint"), r);
    }

    /** Status of every endpoint; errors per endpoint under "errors". */
    static Map<String, Object> collect(StepContext ctx, EtcdTarget target) {
        EtcdClients clients = EtcdClients.of(ctx);
        List<Map<String, Object>> members = new ArrayList<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, Object> versions = new LinkedHashMap<>();
        String leaderEndpoint = null;
        String lowest = null;
        long bestIndex = -1;
        String bestIndexEndpoint = null;
        // asked all at once: a down member costs one call timeout, not one per member
        Map<String, java.util.concurrent.CompletableFuture<StatusResponse>> asked = new LinkedHashMap<>();
        for (String ep : target.endpoints()) {
            asked.put(ep, clients.status(target, ep));
        }
        for (String ep : target.endpoints()) {
            try {
                StatusResponse s = EtcdClients.call(asked.get(ep), ep, "status", millis(target.callTimeout()));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("endpoint", ep);
                m.put("id", hex(s.getHeader().getMemberId()));
                m.put("version", s.getVersion());
                m.put("leader", hex(s.getLeader()));
                m.put("is_leader", s.getLeader() == s.getHeader().getMemberId());
                m.put("raft_term", s.getRaftTerm());
                m.put("raft_index", s.getRaftIndex());
                m.put("revision", s.getHeader().getRevision());
                m.put("db_size", s.getDbSize());
                m.put("db_size_in_use", s.getDbSizeInUse());
                m.put("learner", s.isLearner());
                m.put("errors", s.getErrorList());
                members.add(m);
                versions.put(ep, s.getVersion());
                if (s.getLeader() == s.getHeader().getMemberId()) {
                    leaderEndpoint = ep;
                }
                if (s.getRaftIndex() > bestIndex) {
                    bestIndex = s.getRaftIndex();
                    bestIndexEndpoint = ep;
                }
                if (lowest == null || Versions.compare(s.getVersion(), lowest) < 0) {
                    lowest = s.getVersion();
                }
            } catch (EtcdClients.EtcdException e) {
                errors.put(ep, e.getMessage());
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("members", members);
        r.put("errors", errors);
        r.put("versions", versions);
        r.put("leader_endpoint", leaderEndpoint != null ? leaderEndpoint : "");
        r.put("most_recent_endpoint", bestIndexEndpoint != null ? bestIndexEndpoint : "");
        r.put("version", lowest != null ? lowest : "");
        r.put("has_etcdutl", lowest != null && Versions.compare(lowest, "3.5.0") >= 0);
        r.put("can_bump_revision", lowest != null && Versions.canBumpRevision(lowest));
        List<String> ordered = followersFirst(ctx.scope(), members);
        r.put("hosts_followers_first", ordered);
        r.put("leader_host", leaderEndpoint != null && !ordered.isEmpty() && leaderOf(ctx.scope(), leaderEndpoint, ordered) ? ordered.get(ordered.size() - 1) : "");
        return r;
    }

    /** Whether the last of the ordered hosts is the one serving the leader's endpoint. */
    @SuppressWarnings("unchecked")
    private static boolean leaderOf(Map<String, Object> scope, String leaderEndpoint, List<String> ordered) {
        if (!(scope.get("hostvars") instanceof Map<?, ?> hv) || !(hv.get(ordered.get(ordered.size() - 1)) instanceof Map<?, ?> v)) {
            return false;
        }
        return matches(leaderEndpoint, (Map<String, Object>) v);
    }

    private static boolean matches(String ep, Map<String, Object> v) {
        return ep.equals(String.valueOf(v.get("etcd_client_url"))) || ep.contains("//" + v.get("address") + ":");
    }

    /** Inventory host names of the answering members (matched by etcd_client_url or address), the leader last. */
    @SuppressWarnings("unchecked")
    private static List<String> followersFirst(Map<String, Object> scope, List<Map<String, Object>> members) {
        List<String> followers = new ArrayList<>();
        List<String> leaders = new ArrayList<>();
        if (!(scope.get("hostvars") instanceof Map<?, ?> hv)) {
            return followers;
        }
        for (Map<String, Object> m : members) {
            String ep = String.valueOf(m.get("endpoint"));
            for (Map.Entry<?, ?> e : ((Map<Object, Object>) hv).entrySet()) {
                Map<String, Object> v = (Map<String, Object>) e.getValue();
                if (matches(ep, v)) {
                    (Boolean.TRUE.equals(m.get("is_leader")) ? leaders : followers).add(String.valueOf(e.getKey()));
                    break;
                }
            }
        }
        followers.addAll(leaders);
        return followers;
    }
}
