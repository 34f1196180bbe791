package dev.runbook.action;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The one explicit map from action names (the key a step uses) to their factories. */
public final class ActionRegistry {
    private static final Map<String, ActionFactory> ACTIONS = new LinkedHashMap<>();

    static {
        ACTIONS.put("run", RunAction::create);
        ACTIONS.put("copy", CopyAction::copy);
        ACTIONS.put("fetch", FetchAction::create);
        ACTIONS.put("template", CopyAction::template);
        ACTIONS.put("edit", EditAction::create);
        ACTIONS.put("service", ServiceAction::create);
        ACTIONS.put("wait", WaitAction::create);
        ACTIONS.put("assert", AssertAction::create);
        ACTIONS.put("confirm", ConfirmAction::create);
        ACTIONS.putAll(dev.runbook.action.etcd.EtcdActions.all());
        ACTIONS.putAll(dev.runbook.action.k8s.K8sActions.all());
    }

    private ActionRegistry() {
    }

    public static Set<String> names() {
        return ACTIONS.keySet();
    }

    public static ActionFactory factory(String name) {
        return ACTIONS.get(name);
    }
}
