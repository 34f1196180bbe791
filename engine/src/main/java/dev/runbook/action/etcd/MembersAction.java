package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import io.etcd.jetcd.cluster.Member;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code etcd.members}: the member list as data: {@code members} (id, name, peer_urls,
 * client_urls, learner), {@code ids} (name -> hex id), {@code count}, {@code initial_cluster}.
 */
final class MembersAction extends EtcdAction {
    private MembersAction(EtcdTarget.Spec spec) {
        super(spec);
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.members");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        f.finish();
        return new MembersAction(spec);
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        return List.of("list the members of " + cluster + " (read-only)");
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        List<Member> list = EtcdClients.call(EtcdClients.of(ctx).cluster(target).getClusterClient().listMember(),
                String.join(",", target.endpoints()), "member list", millis(target.callTimeout())).getMembers();
        Map<String, Object> r = describe(list);
        return ActionResult.ok(false, list.size() + " members", r);
    }

    static Map<String, Object> describe(List<Member> list) {
        List<Map<String, Object>> members = new ArrayList<>();
        Map<String, Object> ids = new LinkedHashMap<>();
        List<String> cluster = new ArrayList<>();
        for (Member m : list) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", hex(m.getId()));
            x.put("name", m.getName());
            x.put("peer_urls", m.getPeerURIs().stream().map(URI::toString).toList());
            x.put("client_urls", m.getClientURIs().stream().map(URI::toString).toList());
            x.put("learner", m.isLearner());
            x.put("started", !m.getName().isEmpty());
            members.add(x);
            if (!m.getName().isEmpty()) {
                ids.put(m.getName(), hex(m.getId()));
                m.getPeerURIs().forEach(u -> cluster.add(m.getName() + "=" + u));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("members", members);
        r.put("ids", ids);
        r.put("count", list.size());
        r.put("initial_cluster", String.join(",", cluster));
        return r;
    }
}
