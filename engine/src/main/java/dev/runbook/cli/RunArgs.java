package dev.runbook.cli;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.YamlLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Options shared by the commands that load a runbook with an inventory (apply, plan, validate). */
final class RunArgs {
    @Parameters(index = "0", paramLabel = "RUNBOOK", description = "the runbook YAML file")
    Path runbook;

    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE",
            description = "inventory (Ansible-style YAML); default: inventory/lab.yml when present")
    Path inventory;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "an input value; repeatable")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(names = "--vars-file", paramLabel = "FILE", description = "YAML mapping of input values; --var wins over it")
    List<Path> varsFiles = List.of();

    @Option(names = "--limit", paramLabel = "PATTERN", description = "only these hosts (pattern like etcd-01,etcd-02 or etcd:!etcd-03)")
    String limit;

    /** Input values from --vars-file(s) and then --var, later ones winning. */
    Map<String, Object> givenInputs() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Path f : varsFiles) {
            Node n = YamlLoader.load(f);
            if (!(n.toValue() instanceof Map<?, ?> m)) {
                throw RunbookException.invalid(n.at(), "a vars file must be a mapping of input names to values", null);
            }
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
        }
        out.putAll(vars);
        return out;
    }
}
