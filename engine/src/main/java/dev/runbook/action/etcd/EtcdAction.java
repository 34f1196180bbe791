package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Shared shape of the etcd actions: they run on the engine's machine over jetcd (no SSH), resolve
 * their cluster from the step and inventory, and turn etcd errors and deadlines into failed results.
 */
abstract class EtcdAction implements Action {
    protected final EtcdTarget.Spec spec;

    EtcdAction(EtcdTarget.Spec spec) {
        this.spec = spec;
    }

    @Override
    public final boolean remote() {
        return false;
    }

    @Override
    public final List<String> describe(StepContext ctx) {
        return plan(ctx, spec.describe(ctx));
    }

    @Override
    public final ActionResult run(StepContext ctx) {
        EtcdTarget target;
        try {
            target = spec.resolve(ctx);
        } catch (RunbookException e) {
            return ActionResult.failed(e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")"));
        }
        EtcdClients clients = EtcdClients.of(ctx);
        clients.beginStep();
        try {
            String note = clients.firstNote(target);
            if (note != null) {
                ctx.progress(note);
            }
            ActionResult r = execute(ctx, target);
            return note == null ? r : new ActionResult(r.failed(), r.changed(), r.rc(), r.stdout(), r.stderr(),
                    (r.msg() == null || r.msg().isEmpty() ? "" : r.msg() + " | ") + note, r.data(), r.abort());
        } catch (EtcdClients.EtcdException e) {
            String origin = e.tls() ? clients.tlsOrigin(target) : null;
            return ActionResult.failed(e.full() + (origin == null ? "" : "; TLS material: " + origin));
        } catch (IllegalArgumentException e) {
            return ActionResult.failed(e.getMessage());
        } finally {
            clients.endStep();
        }
    }

    /**
     * Before any step runs: the target resolves, every member's route is decided (tunnels opened)
     * and the TLS material is read and checked. A wrong certificate path, a key that is not the
     * certificate's, an unreachable member's files stop the run here, before anything changed.
     */
    @Override
    public final void preflight(StepContext ctx) {
        EtcdTarget target;
        try {
            target = spec.resolve(ctx);
        } catch (RuntimeException e) {
            return; // a target known only later in the run (a registered value): the step resolves and reports it
        }
        try {
            EtcdClients.of(ctx).prepare(target);
        } catch (EtcdClients.EtcdException e) {
            throw RunbookException.invalid(null, e.getMessage() + " " + ctx.where(), e.hint());
        }
    }

    /**
     * jetcd, gRPC, Netty and TLS take ~1.5 s to load on a small machine: paid during a restore's
     * quorum gate that is time the cluster is down. One read-only status call per member at run
     * start pays it, and leaves the run a connected channel to each member.
     */
    @Override
    public final void warmUp(StepContext ctx) {
        try {
            EtcdTarget target = spec.resolve(ctx);
            EtcdClients.warmUp(EtcdClients.of(ctx), target);
            prepare(EtcdClients.of(ctx), target);
        } catch (RuntimeException e) {
            // a warm-up that cannot resolve its target leaves the real step to report why
        }
    }

    /** What else this kind of action can load ahead, on the warm-up thread (read-only, no connection kept). */
    void prepare(EtcdClients clients, EtcdTarget target) {
    }

    /** What the action would do, for plans; {@code cluster} names the endpoints. */
    abstract List<String> plan(StepContext ctx, String cluster);

    abstract ActionResult execute(StepContext ctx, EtcdTarget target);

    static long millis(Duration d) {
        return d.toMillis();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String hex(long id) {
        return Long.toHexString(id);
    }

    /** The step's timeout, or a default for this kind of action. */
    static Duration timeout(StepContext ctx, Duration dflt) {
        return ctx.timeout() != null ? ctx.timeout() : dflt;
    }
}
