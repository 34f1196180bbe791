package dev.runbook.action;

import dev.runbook.model.Node;

/** Builds an {@link Action} from its YAML value, validating every parameter (errors carry file:line:col). */
@FunctionalInterface
public interface ActionFactory {
    Action create(Node value);
}
