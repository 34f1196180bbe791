package dev.runbook.cli;

import dev.runbook.error.ExitCode;
import dev.runbook.error.RunbookException;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code runbook} command: subcommands, and the ONE place where errors become exit codes. */
@Command(name = "runbook", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = VersionCommand.Provider.class,
        description = "Declarative runbooks for etcd disaster recovery, run over SSH.",
        subcommands = {ApplyCommand.class, PlanCommand.class, ReportCommand.class, DrillCommand.class, ValidateCommand.class, GraphCommand.class, ResumeCommand.class, UnlockCommand.class,
                VersionCommand.class, WarmupCommand.class, AutoComplete.GenerateCompletion.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:a step failed", "2:invalid input (runbook, inventory, arguments)",
                "3:aborted (operator, signal or a safety gate; nothing more was run)", "4:internal error", "5:locked: another run holds the cluster's run lock; nothing ran"})
public final class Main {
    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");
    private static final java.util.logging.Logger NETTY_LOG = java.util.logging.Logger.getLogger("io.netty");
    private static volatile List<String> ARGV;

    /** The command line of this process (null when the CLI runs inside another program, e.g. tests). */
    static List<String> argv() {
        return ARGV;
    }

    public static void main(String[] args) {
        ARGV = List.of(args);
        JitProfile.watchParentIfChild();
        int code = run(args);
        System.exit(code);
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        // gRPC and sshj log through JUL/SLF4J; the console belongs to the operator
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        NETTY_LOG.setLevel(java.util.logging.Level.WARNING);
        CommandLine cl = new CommandLine(new Main());
        // values are data, not shell words: a --var value with unbalanced quotes is taken as is, without a parser warning
        cl.setSplitQuotedStrings(true);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> handle(ex, line));
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("  hint: " + ex.getCommandLine().getCommandName() + " --help shows the options");
            return ExitCode.INVALID_INPUT.code;
        });
        return cl.execute(args);
    }

    private static int handle(Exception ex, CommandLine line) {
        boolean debug = Boolean.getBoolean("runbook.debug");
        if (ex instanceof RunbookException re) {
            ErrorPrinter.print(line.getErr(), re, debug);
            return re.exitCode().code;
        }
        line.getErr().println("internal error: " + ex);
        if (debug) {
            ex.printStackTrace(line.getErr());
        } else {
            line.getErr().println("  hint: re-run with --debug for the stack trace, and report it");
        }
        return ExitCode.INTERNAL.code;
    }
}
