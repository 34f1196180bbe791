package dev.runbook.cli;

import dev.runbook.error.ExitCode;
import dev.runbook.event.ConsoleListener;
import dev.runbook.event.JsonListener;
import dev.runbook.event.RunListener;
import dev.runbook.run.PreparedRun;
import dev.runbook.run.RunOutcome;
import dev.runbook.run.RunRequest;
import dev.runbook.run.StateDir;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code runbook apply}: check everything, connect to every host, then run the step graph; journal it all. */
@Command(name = "apply", description = "Run a runbook against an inventory.")
final class ApplyCommand implements Callable<Integer> {
    @Mixin
    RunArgs args;

    @Mixin
    ExecArgs exec;

    @Option(names = "--check", description = "print what would run per host and check that every host is reachable; change nothing")
    boolean check;

    @Override
    public Integer call() {
        return run(request(args, exec, check, exec.describeArgs(args), null), exec);
    }

    /** The engine's request for these arguments. */
    static RunRequest request(RunArgs args, ExecArgs exec, boolean check, List<String> recorded, RunRequest.Resume resume) {
        if (exec.debug) {
            System.setProperty("runbook.debug", "true");
        }
        return new RunRequest(args.runbook, args.inventory, args.givenInputs(), args.limit, exec.forks, check, exec.ticket,
                new ConsoleOperator(exec.yes), exec.acceptNewHostKeys, exec.connectTimeoutSeconds * 1000, exec::becomePassword, recorded, resume);
    }

    /** Shared by apply and resume: prepares, then checks or executes the run, printing as it goes; returns the exit code. */
    static int run(RunRequest request, ExecArgs exec) {
        PreparedRun run = PreparedRun.prepare(StateDir.current(), request);
        if (!request.check()) {
            Integer relaunched = JitProfile.relaunchIfBulk(run.bulkBytes());
            if (relaunched != null) {
                return relaunched;
            }
        }
        exec.applyKeyPassphrase();
        if (request.check()) {
            PlanCommand.print(System.out, run.setup(), run.plan());
            run.check(new ConsoleListener(System.out, false));
            System.out.println();
            System.out.println("check: every host answered over SSH with a known host key, and every etcd step's members and TLS material were checked; nothing was changed");
            return 0;
        }
        RunListener display = exec.output == ExecArgs.Output.json ? new JsonListener(System.out) : new ConsoleListener(System.out, exec.verbose);
        Signals.onInterrupt(() -> {
            if (run.cancel()) {
                System.err.println("\ninterrupted: stopping; in-flight commands are being ended (Ctrl-C again to quit at once)");
            } else {
                Runtime.getRuntime().halt(ExitCode.ABORTED.code);
            }
        });
        RunOutcome outcome = run.execute(display);
        if (outcome.exitCode() != 0) {
            System.out.println("journal: " + outcome.journal() + (outcome.resumable() ? "   resume with: runbook resume " + outcome.runId() : ""));
        }
        return outcome.exitCode();
    }
}
