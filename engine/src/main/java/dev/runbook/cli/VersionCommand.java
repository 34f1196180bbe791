package dev.runbook.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code runbook version}: the engine's version and the Java it runs on. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Callable<Integer> {
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return "runbook " + (v == null ? "0.1.0-dev" : v) + " (Java " + System.getProperty("java.version") + ")";
    }

    @Override
    public Integer call() {
        System.out.println(version());
        return 0;
    }

    /** Feeds {@code --version}. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {version()};
        }
    }
}
