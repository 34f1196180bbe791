package dev.runbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.runbook.model.Input;
import dev.runbook.model.Runbook;
import dev.runbook.parse.RunbookParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example inventories an operator copies carry every variable the shipped runbooks need:
 * each runbook validates (every template on every host) against each of them.
 */
class ExampleInventoriesTest {
    static Stream<Arguments> runbooksAndInventories() throws IOException {
        List<Path> books;
        List<Path> inventories;
        try (Stream<Path> b = Files.list(Path.of("../runbooks")); Stream<Path> i = Files.list(Path.of("../inventory"))) {
            books = b.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
            inventories = i.filter(p -> p.getFileName().toString().startsWith("example-")).sorted().toList();
        }
        assertFalse(books.isEmpty() || inventories.isEmpty(), "shipped runbooks and example inventories found");
        return books.stream().flatMap(b -> inventories.stream().map(i -> Arguments.of(b, i)));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("runbooksAndInventories")
    void everyShippedRunbookValidatesAgainstEveryExampleInventory(Path runbook, Path inventory) throws IOException {
        Runbook rb = RunbookParser.load(runbook);
        String firstHost = Files.readAllLines(inventory).stream().filter(l -> l.matches("^ {8}[A-Za-z0-9_.-]+:.*"))
                .map(l -> l.trim().substring(0, l.trim().indexOf(':'))).findFirst().orElseThrow();
        List<String> args = new ArrayList<>(List.of("validate", runbook.toString(), "-i", inventory.toString()));
        for (Input in : rb.inputs()) {
            if (in.required()) {
                // a value of the input's type; host-valued inputs name one of the inventory's hosts
                String v = switch (in.type()) {
                    case "int" -> "1";
                    case "bool" -> "true";
                    case "path" -> "/var/backups/etcd/snapshot.db";
                    case "list" -> firstHost;
                    default -> in.choices() != null && !in.choices().isEmpty() ? in.choices().get(0) : firstHost;
                };
                args.addAll(List.of("--var", in.name() + "=" + v));
            }
        }
        ConsoleCapture c = ConsoleCapture.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), String.join(" ", args) + "\n" + c.out() + c.err());
    }
}
