package dev.runbook.action.etcd;

import dev.runbook.action.ActionFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** The etcd actions by the names steps use ({@code etcd.health: {...}}). */
public final class EtcdActions {
    private EtcdActions() {
    }

    public static Map<String, ActionFactory> all() {
        Map<String, ActionFactory> m = new LinkedHashMap<>();
        m.put("etcd.health", HealthAction::create);
        m.put("etcd.status", StatusAction::create);
        m.put("etcd.peers", PeersAction::create);
        m.put("etcd.members", MembersAction::create);
        m.put("etcd.member_add", MemberChangeAction::add);
        m.put("etcd.member_remove", MemberChangeAction::remove);
        m.put("etcd.member_promote", MemberChangeAction::promote);
        m.put("etcd.snapshot", SnapshotAction::create);
        m.put("etcd.verify", VerifyAction::create);
        m.put("etcd.alarm", MaintenanceAction::alarm);
        m.put("etcd.defrag", MaintenanceAction::defrag);
        m.put("etcd.compact", MaintenanceAction::compact);
        m.put("etcd.facts", FactsAction::create);
        m.put("etcd.flags", FlagsAction::create);
        return m;
    }
}
