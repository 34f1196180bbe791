package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmType;
import io.etcd.jetcd.options.CompactOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code etcd.alarm} ({@code action: list|disarm}), {@code etcd.defrag} (ONE {@code member}; the
 * runbook orders them, followers first), {@code etcd.compact} ({@code revision: latest|N},
 * {@code physical}).
 */
final class MaintenanceAction extends EtcdAction {
    enum Kind { ALARM, DEFRAG, COMPACT }

    private final Kind kind;
    private final String alarmAction;
    private final Template member;
    private final Template revision;
    private final boolean physical;

    private MaintenanceAction(EtcdTarget.Spec spec, Kind kind, String alarmAction, Template member, Template revision, boolean physical) {
        super(spec);
        this.kind = kind;
        this.alarmAction = alarmAction;
        this.member = member;
        this.revision = revision;
        this.physical = physical;
    }

    static Action alarm(Node value) {
        Fields f = new Fields(value, "etcd.alarm");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        String a = f.string("action", "list");
        if (!a.equals("list") && !a.equals("disarm")) {
            throw RunbookException.invalid(f.at("action"), "etcd.alarm action must be list or disarm", null);
        }
        f.finish();
        return new MaintenanceAction(spec, Kind.ALARM, a, null, null, false);
    }

    static Action defrag(Node value) {
        Fields f = new Fields(value, "etcd.defrag");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        Node m = f.required("member");
        f.finish();
        return new MaintenanceAction(spec, Kind.DEFRAG, null, Templates.text(Fields.scalarText(m, "member"), m.at()), null, false);
    }

    static Action compact(Node value) {
        Fields f = new Fields(value, "etcd.compact");
        EtcdTarget.Spec spec = EtcdTarget.spec(f);
        Template rev = Templates.text(f.string("revision", "latest"), f.at("revision"));
        boolean physical = f.bool("physical", true);
        f.finish();
        return new MaintenanceAction(spec, Kind.COMPACT, null, null, rev, physical);
    }

    @Override
    List<String> plan(StepContext ctx, String cluster) {
        return switch (kind) {
            case ALARM -> List.of(alarmAction.equals("list") ? "list alarms of " + cluster : "disarm every alarm of " + cluster);
            case DEFRAG -> List.of("defragment member " + ctx.render(member) + " (it blocks reads and writes while it runs)");
            case COMPACT -> List.of("compact the key history of " + cluster + " up to revision " + ctx.render(revision)
                    + (physical ? " (physical)" : ""));
        };
    }

    @Override
    ActionResult execute(StepContext ctx, EtcdTarget target) {
        Client c = EtcdClients.of(ctx).cluster(target);
        String eps = String.join(",", target.endpoints());
        long t = millis(target.callTimeout());
        switch (kind) {
            case ALARM -> {
                List<AlarmMember> alarms = EtcdClients.call(c.getMaintenanceClient().listAlarms(), eps, "alarm list", t).getAlarms();
                List<Map<String, Object>> out = new ArrayList<>();
                for (AlarmMember a : alarms) {
                    if (a.getAlarmType() == AlarmType.NONE) {
                        continue;
                    }
                    out.add(Map.of("member_id", hex(a.getMemberId()), "alarm", a.getAlarmType().name()));
                    if (alarmAction.equals("disarm")) {
                        EtcdClients.call(c.getMaintenanceClient().alarmDisarm(a), eps, "alarm disarm", t);
                    }
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("alarms", out);
                r.put("count", out.size());
                return ActionResult.ok(alarmAction.equals("disarm") && !out.isEmpty(),
                        out.isEmpty() ? "no alarms" : (alarmAction.equals("disarm") ? "disarmed " : "") + out, r);
            }
            case DEFRAG -> {
                String ep = target.endpointOf(ctx.render(member), ctx.scope());
                long limit = timeout(ctx, Duration.ofMinutes(5)).toMillis();
                var before = EtcdClients.call(EtcdClients.of(ctx).status(target, ep), ep, "status", t);
                EtcdClients.call(EtcdClients.of(ctx).defragment(target, ep), ep, "defragment", limit);
                var after = EtcdClients.call(EtcdClients.of(ctx).status(target, ep), ep, "status", t);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("endpoint", ep);
                r.put("db_size_before", before.getDbSize());
                r.put("db_size_after", after.getDbSize());
                return ActionResult.ok(true, ep + ": db " + before.getDbSize() + " -> " + after.getDbSize() + " bytes", r);
            }
            default -> {
                String want = ctx.render(revision).trim();
                long rev = want.equals("latest") ? SnapshotAction.count(c, eps, target).getHeader().getRevision() : Long.parseLong(want);
                try {
                    EtcdClients.call(c.getKVClient().compact(rev, CompactOption.newBuilder().withCompactPhysical(physical).build()), eps, "compact",
                            timeout(ctx, Duration.ofMinutes(5)).toMillis());
                } catch (EtcdClients.EtcdException e) {
                    if (e.getMessage().contains("required revision has been compacted")) {
                        return ActionResult.ok(false, "already compacted past " + rev, Map.of("revision", rev));
                    }
                    throw e;
                }
                return ActionResult.ok(true, "compacted up to revision " + rev, Map.of("revision", rev));
            }
        }
    }
}
