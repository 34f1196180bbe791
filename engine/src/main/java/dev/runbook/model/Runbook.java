package dev.runbook.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed, validated runbook: what the file declares, nothing resolved yet.
 *
 * @param vars runbook variables in file order (values may be templates over inputs and inventory)
 * @param sha256 hash of the file's bytes, recorded in journals so resume can refuse a changed file
 */
public record Runbook(String name, String description, List<Input> inputs, Map<String, Node> vars, List<Step> steps,
                      String file, String sha256) {
    public Optional<Step> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
