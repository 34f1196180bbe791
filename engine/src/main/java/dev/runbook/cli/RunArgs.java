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
            description = "inventory (Ansible's YAML or INI, with group_vars/ and host_vars/; or an executable inventory script); default: inventory/lab.yml when present")
    Path inventory;

    @Option(names = {"--var", "-e", "--extra-vars"}, paramLabel = "NAME=VALUE|@FILE",
            description = "an input value, or @FILE: a YAML mapping of them (as ansible-playbook -e); repeatable, later ones win")
    List<String> given = new java.util.ArrayList<>();

    /** Input values set by the engine itself (a resume's journaled inputs), winning over the command line's. */
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(names = "--vars-file", paramLabel = "FILE", description = "YAML mapping of input values; --var wins over it")
    List<Path> varsFiles = List.of();

    @Option(names = "--limit", paramLabel = "PATTERN", description = "only these hosts (pattern like etcd-01,etcd-02 or etcd:!etcd-03)")
    String limit;

    /** Input values from --vars-file(s) and then --var, later ones winning. */
    Map<String, Object> givenInputs() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Path f : varsFiles) {
            out.putAll(file(f));
        }
        for (String g : given) {
            if (g.startsWith("@")) {
                out.putAll(file(Path.of(g.substring(1))));
                continue;
            }
            int eq = g.indexOf('=');
            if (eq <= 0) {
                throw RunbookException.invalid(null, "--var/-e '" + g + "' is neither NAME=VALUE nor @FILE", "e.g. -e snapshot=/backups/s.db or -e @inputs.yml");
            }
            out.put(g.substring(0, eq), g.substring(eq + 1));
        }
        out.putAll(vars);
        return out;
    }

    private static Map<String, Object> file(Path f) {
        Node n = YamlLoader.load(f);
        if (!(n.toValue() instanceof Map<?, ?> m)) {
            throw RunbookException.invalid(n.at(), "a vars file must be a mapping of input names to values", null);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
