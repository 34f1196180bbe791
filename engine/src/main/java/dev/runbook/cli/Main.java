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
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:a step failed", "2:invalid input (runbook, inventory, arguments)",
                "3:aborted (operator, signal or a safety gate; nothing more was run)", "4:internal error", "5:locked: another run holds the cluster's run lock; nothing ran"})
public final class Main {
    private static volatile List<String> ARGV;

    /**
     * The subcommands by name, in help order. picocli reflects over every command class it is given
     * (annotations, fields, one proxy class per annotation type): for all of them that was ~40% of
     * a cold {@code validate}, so a command line that names one gets only that one.
     */
    static final java.util.Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static java.util.Map<String, Class<?>> subcommands() {
        java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
        m.put("apply", ApplyCommand.class);
        m.put("plan", PlanCommand.class);
        m.put("report", ReportCommand.class);
        m.put("drill", DrillCommand.class);
        m.put("validate", ValidateCommand.class);
        m.put("graph", GraphCommand.class);
        m.put("inventory", InventoryCommand.class);
        m.put("resume", ResumeCommand.class);
        m.put("unlock", UnlockCommand.class);
        m.put("version", VersionCommand.class);
        m.put("warmup", WarmupCommand.class);
        // its script covers the whole command tree: it always gets every subcommand
        m.put("generate-completion", AutoComplete.GenerateCompletion.class);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The command line with the subcommands {@code args} needs: the one it names, else all (help, typos, completion). */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : "";
        if (SUBCOMMANDS.containsKey(first) && !first.equals("generate-completion")) {
            cl.addSubcommand(first, SUBCOMMANDS.get(first));
        } else {
            SUBCOMMANDS.forEach(cl::addSubcommand);
        }
        return cl;
    }

    /** The command line of this process (null when the CLI runs inside another program, e.g. tests). */
    static List<String> argv() {
        return ARGV;
    }

    public static void main(String[] args) {
        ARGV = List.of(args);
        JitProfile.watchParentIfChild();
        String first = args.length > 0 ? args[0] : "";
        boolean connects = List.of("apply", "resume", "drill", "unlock").contains(first);
        boolean parses = !first.isEmpty() && !List.of("version", "warmup", "generate-completion").contains(first) && !first.startsWith("-");
        if (connects || parses) {
            // on the idle core from the first moment (picocli, parsing and planning use one), in
            // the order the main thread needs them: java.util.logging, which snakeyaml logs
            // through (its LogManager set-up, ~25 ms cold, is a service lookup through the class
            // path), for the first YAML parsed; the expression engine (JEXL's set-up, ~30 ms cold)
            // for the first condition parsed, and SHA-256 (its provider lookup, ~10 ms cold) for
            // the files' hashes; the journal's JSON (Jackson's set-up, ~50 ms cold), whose first
            // line is written just before the connections start; then the SSH half
            Thread warm = new Thread(() -> {
                java.util.logging.Logger.getLogger("org.yaml.snakeyaml");
                dev.runbook.template.Expressions.warm();
                dev.runbook.parse.Hashes.sha256(new byte[0]);
                if (connects) {
                    dev.runbook.event.JsonEvents.warm();
                    dev.runbook.transport.ssh.SshTransport.prewarm();
                }
            }, "prewarm");
            warm.setDaemon(true);
            warm.start();
        }
        int code = run(args);
        System.exit(code);
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        // picocli's start-up work no option here needs (~30 ms of a cold start): converters for
        // java.time and java.sql types (MonthDay's alone builds a date formatter), and the probe
        // for Groovy closures (a failed class lookup through the whole class path). One pattern:
        // picocli compiles each pattern again for every converter it considers
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\.(sql|time)\\..*");
        }
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
        // Netty 4.2 registers its buffer events with Java Flight Recorder on the first pooled
        // chunk, which starts JFR's metadata set-up (~100 classes, 45-48 ms of cold code in
        // async-profiler) on the etcd client's I/O thread, inside a restore's first etcd call.
        // Nobody records a flight here; -Dio.netty.jfr.enabled=true brings the events back.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        CommandLine cl = commandLine(args);
        // values are data, not shell words: a --var value with unbalanced quotes is taken as is, without a parser warning
        cl.setSplitQuotedStrings(true);
        // -e @inputs.yml is a file of input values (as ansible-playbook reads it), not picocli's argument file
        cl.setExpandAtFiles(false);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> handle(ex, line));
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            // "Did you mean: validate?" for a mistyped subcommand or option
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, ex.getCommandLine().getErr());
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
