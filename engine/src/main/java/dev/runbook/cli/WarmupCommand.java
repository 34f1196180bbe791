package dev.runbook.cli;

import dev.runbook.run.RunSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code runbook warmup} (hidden): loads the classes of parsing, planning, SSH and the etcd client
 * without touching any host, so the launcher can record them in a class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}) and later starts skip loading and verifying them.
 */
@Command(name = "warmup", hidden = true, description = "Load the engine's classes (for the launcher's CDS archive); touches nothing.")
final class WarmupCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("runbook-warmup");
        try {
            Path rb = dir.resolve("warmup.yml");
            try (var in = WarmupCommand.class.getResourceAsStream("warmup.yml")) {
                Files.write(rb, in.readAllBytes());
            }
            Path inv = dir.resolve("inventory.yml");
            Files.writeString(inv, """
                    all:
                      vars: {etcd_endpoints: "https://127.0.0.1:1", service_manager: script}
                      children:
                        etcd:
                          hosts:
                            a: {address: 127.0.0.1}
                            b: {address: 127.0.0.2}
                            c: {address: 127.0.0.3}
                    """);
            RunSetup s = RunSetup.load(rb, inv, Map.of(), null, PlanCommand.runPlaceholders());
            dev.runbook.report.ChangeRecord record = PlanCommand.record(s, PlanCommand.planner(s, "warmup").plan());
            dev.runbook.event.JsonEvents.line(record.toMap());
            dev.runbook.report.PlanMarkdown.render(record);
            // SSH and etcd client classes: configured, never connected
            new net.schmizz.sshj.SSHClient(new net.schmizz.sshj.DefaultConfig()).close();
            // and a first etcd call's code path (gRPC, Netty, Vert.x, TLS set-up), refused by a closed local port
            dev.runbook.action.etcd.EtcdClients.exerciseOffline();
            System.out.println("warmup: ok");
            return 0;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
