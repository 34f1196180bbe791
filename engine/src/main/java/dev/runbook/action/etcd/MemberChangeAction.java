package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code etcd.member_add}, {@code etcd.member_remove}, {@code etcd.member_promote}: one membership
 * change, retried while etcd answers "unhealthy cluster" (as it does right after a join). A removal
 * that would leave the remaining members without a healthy quorum is refused unless {@code force: true};
 * removing a member that is already gone succeeds (so a resumed run does not fail on it).
 */
final class MemberChangeAction extends EtcdAction {
    enum Kind { ADD, REMOVE, PROMOTE }

    private final Kind kind;
    private final Template name;
    private final Template id;
    private final Template peerUrls;
    private final boolean learner;
    private final boolean force;

    private MemberChangeAction(EtcdTarget.Spec spec, Kind kind, Template name, Template id, Template peerUrls, boolean learner, boolean force) {
        super(spec);
        this.kind = kind;
        this.name = name;
        this.id = id;
        this.peerUrls = peerUrls;
        this.learner = learner;
        this.force = force;
    }

    static Action add(Node value) {
        return create(value, Kind.ADD);
    }

    static Action remove(Node value) {
        return create(value, Kind.REMOVE);
    }

    static Action promote(Node value) {
        return create(value, Kind.PROMOTE);
    }

    private static Action create(Node value, Kind kind) {
        String what = "etcd.member_" + kind.name().toLowerCase();
        Fields f = new Fields(value, what);
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        Template name = f.text("name");
        Template id = f.text("id");
        Template peers = kind == Kind.ADD ? f.text("peer_urls") : null;
        boolean learner = kind == Kind.ADD && f.bool("learner", false);
        boolean force = kind == Kind.REMOVE && f.bool("force", false);
        f.finish();
        if (kind == Kind.ADD && (name == null || peers == null)) {
            throw RunbookException.invalid(f.at(), what + " needs name and peer_urls", null);
        }
        if (kind != Kind.ADD && (name == null) == (id == null)) {
            throw RunbookException.invalid(f.at(), what + " needs exactly one of name or id (hex, as etcd.members shows it)", null);
        }
        return new MemberChangeAction(spec, kind, name, id, peers, learner, force);
    }


    private String who(StepContext ctx) {
        return name != null ? "member " + ctx.render(name) : "member id " + ctx.render(id);
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        return switch (kind) {
            case ADD -> List.of("add " + who(ctx) + (learner ? " as a learner" : "") + " with peer URLs " + ctx.render(peerUrls) + " to " + cluster);
            case REMOVE -> List.of("remove " + who(ctx) + " from " + cluster + (force ? " (even without a healthy quorum left: force)"
                    : " (refused if the rest would have no healthy quorum)"));
            case PROMOTE -> List.of("promote learner " + who(ctx) + " in " + cluster);
        };
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        Client c = EtcdClients.of(ctx).cluster(target);
        String eps = String.join(",", target.endpoints());
        long deadline = System.nanoTime() + timeout(ctx, Duration.ofSeconds(30)).toNanos();
        while (true) {
            try {
                return switch (kind) {
                    case ADD -> add(ctx, target, c, eps);
                    case REMOVE -> remove(ctx, target, c, eps);
                    case PROMOTE -> promote(ctx, target, c, eps);
                };
            } catch (EtcdClients.EtcdException e) {
                boolean transientError = e.getMessage().contains("unhealthy cluster") || e.getMessage().contains("not in sync")
                        || e.getMessage().contains("too many learner");
                if (!transientError || System.nanoTime() > deadline || ctx.cancelled()) {
                    throw e;
                }
                ctx.progress(kind.name().toLowerCase() + ": etcd says '" + e.getMessage() + "'; retrying");
                sleep();
            }
        }
    }

    private ActionResult add(StepContext ctx, EtcdTarget target, Client c, String eps) {
        String n = ctx.render(name);
        List<URI> peers = new ArrayList<>();
        for (String u : ctx.render(peerUrls).split("[,\\s]+")) {
            peers.add(URI.create(u));
        }
        List<Member> before = list(c, eps, target);
        for (Member m : before) {
            if (m.getPeerURIs().equals(peers)) {
                return ActionResult.ok(false, "already a member (" + hex(m.getId()) + ")", added(n, m, before));
            }
        }
        var resp = EtcdClients.call(c.getClusterClient().addMember(peers, learner), eps, "member add", millis(target.callTimeout()));
        return ActionResult.ok(true, "added " + n + " as " + hex(resp.getMember().getId()), added(n, resp.getMember(), resp.getMembers()));
    }

    /** What a new member needs to start: its id and the --initial-cluster including itself. */
    private static Map<String, Object> added(String name, Member member, List<Member> all) {
        List<String> cluster = new ArrayList<>();
        for (Member m : all) {
            String n = m.getId() == member.getId() ? name : m.getName();
            if (!n.isEmpty()) {
                m.getPeerURIs().forEach(u -> cluster.add(n + "=" + u));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", hex(member.getId()));
        r.put("name", name);
        r.put("initial_cluster", String.join(",", cluster));
        r.put("initial_cluster_state", "existing");
        return r;
    }

    private ActionResult remove(StepContext ctx, EtcdTarget target, Client c, String eps) {
        List<Member> members = list(c, eps, target);
        Member victim = find(ctx, members);
        if (victim == null) {
            return ActionResult.ok(false, who(ctx) + " is not a member (already removed)", Map.of("removed", false));
        }
        List<Member> rest = members.stream().filter(m -> m.getId() != victim.getId()).toList();
        int quorum = rest.size() / 2 + 1;
        List<String> healthy = new ArrayList<>();
        EtcdClients clients = EtcdClients.of(ctx);
        for (Member m : rest) {
            if (!m.getClientURIs().isEmpty() && HealthAction.probe(clients, target, m.getClientURIs().get(0).toString()) == null) {
                healthy.add(m.getName());
            }
        }
        if (healthy.size() < quorum && !force) {
            return ActionResult.failed("refusing to remove " + who(ctx) + ": only " + healthy.size() + " of the remaining " + rest.size()
                    + " members are healthy (" + healthy + "), a quorum needs " + quorum + "; add force: true if you really mean it");
        }
        EtcdClients.call(c.getClusterClient().removeMember(victim.getId()), eps, "member remove", millis(target.callTimeout()));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("removed", true);
        r.put("id", hex(victim.getId()));
        r.put("name", victim.getName());
        return ActionResult.ok(true, "removed " + victim.getName() + " (" + hex(victim.getId()) + ")", r);
    }

    private ActionResult promote(StepContext ctx, EtcdTarget target, Client c, String eps) {
        Member m = find(ctx, list(c, eps, target));
        if (m == null) {
            return ActionResult.failed(who(ctx) + " is not a member");
        }
        if (!m.isLearner()) {
            return ActionResult.ok(false, m.getName() + " is already a voting member", Map.of("id", hex(m.getId())));
        }
        EtcdClients.call(c.getClusterClient().promoteMember(m.getId()), eps, "member promote", millis(target.callTimeout()));
        return ActionResult.ok(true, "promoted " + m.getName(), Map.of("id", hex(m.getId())));
    }

    private Member find(StepContext ctx, List<Member> members) {
        String n = name != null ? ctx.render(name) : null;
        String i = id != null ? ctx.render(id).toLowerCase().replaceFirst("^0x", "") : null;
        for (Member m : members) {
            if (n != null ? m.getName().equals(n) : hex(m.getId()).equals(i)) {
                return m;
            }
        }
        return null;
    }

    private static List<Member> list(Client c, String eps, EtcdTarget target) {
        return EtcdClients.call(c.getClusterClient().listMember(), eps, "member list", millis(target.callTimeout())).getMembers();
    }

    private static void sleep() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
